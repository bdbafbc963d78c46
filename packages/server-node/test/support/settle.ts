/** Resolves after every pending microtask has run (loopback deliveries included): a macrotask turn. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
