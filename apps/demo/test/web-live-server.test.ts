import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { LiveServer, LOOPBACK, TICK_MS } from '../src/web/live-server.js';
import { LiveState } from '../src/web/live-state.js';

const servers: LiveServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function started(): Promise<{ server: LiveServer; state: LiveState; url: string }> {
  const state = new LiveState();
  const server = new LiveServer(state, '<!doctype html><title>live</title>');
  servers.push(server);
  const url = await server.listen(0);
  return { server, state, url };
}

/** Whether a TCP connection to `host:port` opens. */
function opens(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A GET of `path` with the given Host header: status and body (the first chunk for an event stream). */
function get(
  port: number,
  path: string,
  host = `${LOOPBACK}:${port}`,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: LOOPBACK, port, path, headers: { host } }, (res) => {
      res.once('data', (chunk: Buffer) => {
        resolve({ status: res.statusCode ?? 0, body: chunk.toString('utf8') });
        res.destroy();
      });
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: '' }));
    });
    req.once('error', reject);
    req.end();
  });
}

describe('LiveServer', () => {
  it('listens on 127.0.0.1 only, never on another address of the machine', async () => {
    const { server, url } = await started();
    const { address, port } = server.address();
    expect(address).toBe('127.0.0.1');
    expect(url).toBe(`http://127.0.0.1:${port}/`);
    expect(await opens('127.0.0.1', port)).toBe(true);
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((i) => i !== undefined && !i.internal && i.family === 'IPv4');
    for (const other of others) expect(await opens(other?.address as string, port)).toBe(false);
  });

  it('refuses a request that names another host', async () => {
    const { server } = await started();
    const { port } = server.address();
    expect((await get(port, '/', 'example.com')).status).toBe(421);
    expect((await get(port, '/', `localhost:${port}`)).status).toBe(200);
  });

  it('serves the page, and a frame to each page at once and at every tick', async () => {
    const { server, state } = await started();
    const { port } = server.address();
    expect((await get(port, '/')).body).toContain('<title>live</title>');
    state.apply({ type: 'scenario', scenario: 'album-release', target: 10 });
    const first = await get(port, '/events');
    expect(first.status).toBe(200);
    expect(first.body).toMatch(/^data: \{"scenario":"album-release","phase":"streaming"/);
    expect((await get(port, '/nothing')).status).toBe(404);
  });

  it('ticks at least twice a second', () => {
    expect(TICK_MS).toBeLessThanOrEqual(500);
  });

  it('stops listening when closed', async () => {
    const { server } = await started();
    const { port } = server.address();
    await server.close();
    expect(await opens('127.0.0.1', port)).toBe(false);
  });
});
