/**
 * @datastreamer/client/internal: the streamer core and the sink seam it runs against, for the repository's
 * own packages and tests (a harness that drives the core over a sink of its own, without a table). Unstable:
 * these names may change in any release, without a major version. Users import `@datastreamer/client`.
 *
 * It holds no name the user-facing entry exports; `index.ts` is the public surface.
 */

export { DataStreamer, type DataStreamerHooks } from './streamer/data-streamer.js';
export {
  InDoubtLedger,
  type InDoubtOrigin,
  type InDoubtPartition,
  type InDoubtScope,
} from './streamer/in-doubt-ledger.js';
export { streamData, streamResults } from './streamer/stream-data.js';
export type {
  BatchAck,
  BatchAttempt,
  PreparedItem,
  SinkOpening,
  StreamerSink,
  StreamerTopology,
} from './streamer/streamer-sink.js';
