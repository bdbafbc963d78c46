/**
 * Who can reach whom, and what is held back: symmetric cuts between pairs of endpoints, isolated endpoints,
 * one-way cuts, endpoints that are down, and clogs of endpoints or links until a virtual time.
 *
 * It only answers questions; resetting connections and re-arming deliveries is the network's job.
 * `clearFaults` (what `heal` uses) lifts cuts and clogs but never brings a down endpoint back: only `up` does.
 */

import { directedKey, linkKey } from './endpoint-name.js';
import type { RefusalReason } from './network-event.js';

export class NetworkCuts {
  /** Symmetric cuts, by link key. */
  readonly #cutLinks = new Set<string>();
  /** One-way cuts, by directed key (`from` -> `to` loses data). */
  readonly #oneWay = new Set<string>();
  readonly #isolated = new Set<string>();
  readonly #down = new Set<string>();
  /** Clog end times (virtual ms) of endpoints, by name. */
  readonly #endpointClogs = new Map<string, number>();
  /** Clog end times of links, by link key. */
  readonly #linkClogs = new Map<string, number>();

  cut(a: string, b: string): void {
    this.#cutLinks.add(linkKey(a, b));
  }

  cutOneWay(from: string, to: string): void {
    this.#oneWay.add(directedKey(from, to));
  }

  isolate(name: string): void {
    this.#isolated.add(name);
  }

  setDown(name: string, down: boolean): void {
    if (down) {
      this.#down.add(name);
    } else {
      this.#down.delete(name);
    }
  }

  isDown(name: string): boolean {
    return this.#down.has(name);
  }

  /** Holds everything to and from `name` until `untilMs` (a later clog extends, an earlier one does not shorten). */
  clogEndpoint(name: string, untilMs: number): void {
    this.#endpointClogs.set(name, Math.max(untilMs, this.#endpointClogs.get(name) ?? untilMs));
  }

  /** Holds both directions of the link `a`-`b` until `untilMs`. */
  clogLink(a: string, b: string, untilMs: number): void {
    const key = linkKey(a, b);
    this.#linkClogs.set(key, Math.max(untilMs, this.#linkClogs.get(key) ?? untilMs));
  }

  /**
   * Whether a symmetric cut (a partition or an isolation) separates `a` and `b`: connections between them
   * must not live. An endpoint is never cut from itself.
   */
  separates(a: string, b: string): boolean {
    return a !== b && (this.#isolated.has(a) || this.#isolated.has(b) || this.#cutLinks.has(linkKey(a, b)));
  }

  /** Whether data from `from` to `to` is lost to a one-way cut. */
  isOneWayCut(from: string, to: string): boolean {
    return this.#oneWay.size > 0 && this.#oneWay.has(directedKey(from, to));
  }

  /**
   * Why `from` cannot open a connection to `to` now, or `undefined` if the path is clear (whether `to`
   * listens is the caller's question). A handshake needs both directions, so a one-way cut either way
   * refuses it.
   */
  refusal(from: string, to: string): RefusalReason | undefined {
    if (this.#down.has(from) || this.#down.has(to)) {
      return 'down';
    }
    if (this.separates(from, to) || this.isOneWayCut(from, to) || this.isOneWayCut(to, from)) {
      return 'cut';
    }
    return undefined;
  }

  /** The virtual time until which nothing moves from `from` to `to` (-Infinity when not clogged). */
  clogEnd(from: string, to: string): number {
    if (this.#endpointClogs.size === 0 && this.#linkClogs.size === 0) {
      return Number.NEGATIVE_INFINITY;
    }
    return Math.max(
      this.#endpointClogs.get(from) ?? Number.NEGATIVE_INFINITY,
      this.#endpointClogs.get(to) ?? Number.NEGATIVE_INFINITY,
      this.#linkClogs.get(linkKey(from, to)) ?? Number.NEGATIVE_INFINITY,
    );
  }

  /** Lifts every cut, isolation and clog. Down endpoints stay down. */
  clearFaults(): void {
    this.#cutLinks.clear();
    this.#oneWay.clear();
    this.#isolated.clear();
    this.#endpointClogs.clear();
    this.#linkClogs.clear();
  }
}
