/**
 * Forwarding: how a node sends a request on to the node that owns its partition. One `PeerLink` per peer,
 * opened on first use through the injected `Transport` and replaced after it closes, so a peer that restarts
 * is reached again by the next request.
 *
 * Loops are impossible by construction: a streamer batch travels as `BATCH_FORWARD` with a hop count, and a
 * node forwards it only while the count is under the node's `maxForwardHops` (default 1: one node-to-node
 * hop, then `NOT_PRIMARY`); a tuple operation is sent on as it is, and a node never forwards a request that
 * came from another node. Those rules live in the handlers; this module only carries requests.
 *
 * It does not retry: an owner that cannot be reached gives the client a retryable error, and the client
 * decides (STREAMER-SEMANTICS.md, "Where we differ").
 */
import type { Request, ResultOf } from '@datastreamer/protocol';
import { PeerLink, type PeerLinkOptions } from './peer-link.js';

export class Forwarder {
  readonly #options: PeerLinkOptions;
  readonly #links = new Map<string, PeerLink>();

  constructor(options: PeerLinkOptions) {
    this.#options = options;
  }

  /** Links open or opening now. */
  get linkCount(): number {
    return this.#links.size;
  }

  /**
   * Sends `request` to `peer` and resolves with its result.
   * @throws ServerError `NODE_UNAVAILABLE` or `REQUEST_TIMEOUT` (retryable); the peer's error as it answered.
   */
  send<R extends Request>(peer: string, request: R): Promise<ResultOf<R['op']>> {
    let link = this.#links.get(peer);
    if (link === undefined || link.closed) {
      link = new PeerLink(peer, this.#options, (closed) => {
        if (this.#links.get(closed.peer) === closed) this.#links.delete(closed.peer);
      });
      // The link may have failed synchronously inside its constructor (a transport that throws at once).
      if (!link.closed) this.#links.set(peer, link);
    }
    return link.call(request);
  }

  /** Closes every link (the node crashed): their pending requests fail with `NODE_UNAVAILABLE`. */
  closeAll(reason: string): void {
    for (const link of [...this.#links.values()]) link.close(reason);
    this.#links.clear();
  }
}
