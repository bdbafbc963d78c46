/**
 * The web view's server: the page at `/` and a stream of server-sent events at `/events`, on the loopback
 * interface only (127.0.0.1: nothing on another address can reach it, and requests that name another host
 * are refused, so a web page elsewhere cannot read it through a rebound DNS name). Every {@link TICK_MS}
 * it sends each connected page one frame of the live state: the chart points it has not seen and the
 * latest numbers. A page that connects late gets the whole series so far in its first frame.
 *
 * It aggregates nothing itself (live-state.ts does) and runs nothing.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LiveState } from './live-state.js';

/** How often each page gets a frame, in real ms (four a second). */
export const TICK_MS = 250;

/** The only address the server listens on. */
export const LOOPBACK = '127.0.0.1';

interface Page {
  readonly res: ServerResponse;
  run: number;
  next: number;
}

export class LiveServer {
  readonly #state: LiveState;
  readonly #html: string;
  readonly #pages = new Set<Page>();
  readonly #server = createServer((req, res) => this.#handle(req, res));
  #timer: NodeJS.Timeout | undefined;
  #port = 0;

  /** @param html the page (see live-page.ts). */
  constructor(state: LiveState, html: string) {
    this.#state = state;
    this.#html = html;
  }

  /**
   * Listens on 127.0.0.1:`port` (0: any free port) and starts the ticks; resolves with the page's URL.
   * @throws the listen error (a port in use: `EADDRINUSE`).
   */
  async listen(port: number): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen({ host: LOOPBACK, port }, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    this.#timer = setInterval(() => this.tick(), TICK_MS);
    this.#timer.unref();
    return this.url;
  }

  get url(): string {
    return `http://${LOOPBACK}:${this.#port}/`;
  }

  /** The address it listens on (for tests). */
  address(): AddressInfo {
    return this.#server.address() as AddressInfo;
  }

  /** Sends each page its frame now. */
  tick(): void {
    for (const page of this.#pages) this.#send(page);
  }

  /** Sends a last frame, ends every page's stream and stops listening. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.tick();
    for (const page of this.#pages) page.res.end();
    this.#pages.clear();
    if (!this.#server.listening) return;
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  #send(page: Page): void {
    const frame = this.#state.frame(page.run, page.next);
    page.run = frame.run;
    page.next = frame.from + frame.points.length;
    page.res.write(`data: ${JSON.stringify(frame)}\n\n`);
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const host = req.headers.host ?? '';
    if (host !== `${LOOPBACK}:${this.#port}` && host !== `localhost:${this.#port}`) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end(`this server answers ${this.url} only\n`);
      return;
    }
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(this.#html);
    } else if (path === '/events') {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      const page: Page = { res, run: 0, next: 0 };
      this.#pages.add(page);
      req.on('close', () => this.#pages.delete(page));
      this.#send(page);
    } else if (path === '/favicon.ico') {
      // Browsers ask for it; the page has none.
      res.writeHead(204).end();
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  }
}
