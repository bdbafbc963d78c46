/**
 * Whether a scenario's cluster records its history. A full history (every submit, ack and applied row,
 * decoded) is what the cluster's checkers judge, and it costs about 3.6 KB of memory per event, measured on
 * album-release (peak RSS 1.1 GB for 250,000 events, 2.0 GB for 500,000); the default heap of a 64-bit
 * Node 20 is about 4.3 GB. Above {@link HISTORY_FULL_MAX_EVENTS} events, or with `--history off`, the
 * cluster records none of it: the scenario then verifies what was produced against what the table stores
 * and says that the checkers were skipped. It decides; it records nothing.
 */

/** `--history`: `auto` (the default) picks `full` up to {@link HISTORY_FULL_MAX_EVENTS} events, `off` above. */
export const HistoryChoices = ['auto', 'full', 'off'] as const;
export type HistoryChoice = (typeof HistoryChoices)[number];

/** What the cluster records: `full` for the checkers, `off` for a run too large for them. */
export type HistoryMode = Exclude<HistoryChoice, 'auto'>;

/**
 * The largest run `auto` records in full: about 2.7 GB of history at 3.6 KB per event, which leaves the
 * default heap room for the table, the stream and the verification.
 */
export const HISTORY_FULL_MAX_EVENTS = 750_000;

/** The mode a run of `events` events gets for `choice`. Default `auto`. */
export function historyModeFor(choice: HistoryChoice | undefined, events: number): HistoryMode {
  if (choice === 'full' || choice === 'off') return choice;
  return events > HISTORY_FULL_MAX_EVENTS ? 'off' : 'full';
}

/** Why a run with the history off had it off, for the summary. */
export function historyOffReason(choice: HistoryChoice | undefined): string {
  return choice === 'off'
    ? 'the history was off (--history off)'
    : `the history was off: the run is above ${HISTORY_FULL_MAX_EVENTS.toLocaleString('en-US')} events, where a full history (about 3.6 KB per event) would not fit the default heap (--history full forces it)`;
}
