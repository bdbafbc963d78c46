/**
 * The client's runtime seams as the defaults of a stream's options: a view's stream runs on the client's
 * clock, draws jitter from the client's random stream and logs to the client's logger unless the caller
 * says otherwise. Options that are not a plain object are passed through untouched, so the streamer's own
 * validation reports them.
 */
import type { DataStreamerOptions } from '../streamer/streamer-options.js';
import type { TableContext } from './table-context.js';

export function withClientDefaults(
  context: TableContext,
  options: DataStreamerOptions | undefined,
): DataStreamerOptions {
  if (options === undefined) return { clock: context.clock, rng: context.rng, logger: context.logger };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return options;
  return { clock: context.clock, rng: context.rng, logger: context.logger, ...options };
}
