/**
 * The counters of one stream: the buffer gauge (items taken and not acknowledged, its peak and its bound)
 * and the totals the summary reports. Plain bookkeeping, no decisions.
 */
import type { BatchAck } from './streamer-sink.js';
import type { DataStreamerSummary, StreamerGauge } from './streamer-summary.js';

export class StreamerStats {
  /** Items taken from the source and not yet acknowledged. */
  buffered = 0;
  peak = 0;
  bound = 0;
  partitions = 0;
  partitionsUsed = 0;
  items = 0;
  batches = 0;
  retries = 0;
  rerouted = 0;
  bytes = 0;

  /** One more item taken from the source. */
  take(): void {
    if (++this.buffered > this.peak) {
      this.peak = this.buffered;
    }
  }

  /** A batch of `items` was applied. */
  applied(items: number, ack: BatchAck<unknown>): void {
    this.items += items;
    this.batches++;
    this.bytes += ack.bytes;
    if (ack.rerouted === true) {
      this.rerouted++;
    }
  }

  gauge(): StreamerGauge {
    return { bufferedItems: this.buffered, peakBufferedItems: this.peak, bufferBound: this.bound };
  }

  summary(durationMs: number, producerId: string, epoch: number): DataStreamerSummary {
    return {
      producerId,
      epoch,
      items: this.items,
      batches: this.batches,
      retries: this.retries,
      rerouted: this.rerouted,
      bytes: this.bytes,
      durationMs,
      partitions: this.partitions,
      partitionsUsed: this.partitionsUsed,
      ...this.gauge(),
    };
  }
}
