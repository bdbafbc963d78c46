/**
 * The streams a `SimCluster` records: numbers each client's streams 1, 2, ..., works out how an item's key
 * is read (the table's key columns, or the caller's `recording.key`), and runs the stream through
 * recorded-stream.ts so its submits, acks, failures and outcome land in the history; with `history: 'off'`
 * it streams without recording. It does not check that the cluster still runs: sim-cluster.ts does.
 */
import {
  type Client,
  type DataStreamerOptions,
  type DataStreamerSummary,
  KeyValueView,
  type StreamerSource,
} from '@datastreamer/client';
import { canonicalKey } from '../history/canonical-key.js';
import type { History } from '../history/history.js';
import type { ClusterReads } from './cluster-reads.js';
import { recordedStream, type StreamRecording, type StreamTarget } from './recorded-stream.js';
import type { HistoryMode } from './sim-cluster-options.js';
import { keyColumnNames, streamItemKey } from './stream-item-key.js';

/** What the streams need of the cluster. */
export interface ClusterStreamsParts {
  readonly history: History;
  readonly historyMode: HistoryMode;
  readonly reads: ClusterReads;
  /** The name of a client the cluster connected. @throws SimClusterError `INVALID_ARGUMENT` otherwise. */
  readonly clientName: (client: Client) => string;
}

export class ClusterStreams {
  readonly #parts: ClusterStreamsParts;
  /** The last stream id given out per client name. */
  readonly #streamIds = new Map<string, number>();

  constructor(parts: ClusterStreamsParts) {
    this.#parts = parts;
  }

  /** `SimCluster.stream` on a running cluster. */
  stream<T, S extends T = T>(
    view: StreamTarget<T>,
    source: StreamerSource<S>,
    recording: StreamRecording<NoInfer<S>>,
    options?: DataStreamerOptions,
  ): Promise<DataStreamerSummary> {
    // The items recorded are the source's, so everything below works on `S`; the view streams them because
    // `S` extends what it accepts.
    const target: StreamTarget<S> = view;
    let client: string;
    let canonical: (item: S) => string;
    try {
      client =
        typeof recording.client === 'string' ? recording.client : this.#parts.clientName(recording.client);
      const userKey = recording.key;
      canonical =
        userKey === undefined
          ? streamItemKey(
              keyColumnNames(this.#parts.reads.schemaOf(view.tableName)),
              view instanceof KeyValueView ? 'keyValue' : 'record',
            )
          : (item) => canonicalKey(userKey(item));
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#parts.historyMode === 'off') return target.streamData(source, options);
    const stream = (this.#streamIds.get(client) ?? 0) + 1;
    this.#streamIds.set(client, stream);
    const { producer } = recording;
    return recordedStream(
      target,
      source,
      {
        history: this.#parts.history,
        client,
        stream,
        canonicalKey: canonical,
        seq: recording.seq,
        ...(producer === undefined ? {} : { producer }),
      },
      options,
    );
  }
}
