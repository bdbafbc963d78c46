/**
 * How long the end of a failing stream may wait when the sink did not say (its request timeout otherwise):
 * the same as the client's default request timeout.
 */
export const DEFAULT_SETTLE_TIMEOUT_MS = 30_000;
