/**
 * The HTML report of a history read from JSON lines, judged by the checkers when it has streamed items: what
 * the `report` command writes. Rows are read by column name: the key columns (default the scenario table's
 * `Id`) and the sequence column (default `Seq`), so any history whose rows carry them is judged; one without
 * submits is drawn without a judgement.
 *
 * It reads and writes no file: the command does.
 */
import type { Verdict } from '../checkers/check.js';
import { check } from '../checkers/check.js';
import { reportJudgement } from '../checkers/report-judgement.js';
import { SimClusterError } from '../errors/sim-cluster-error.js';
import { History } from '../history/history.js';
import type { HistoryRow } from '../history/history-event.js';

/** Options of {@link historyReportFile}. */
export interface HistoryReportFileOptions {
  /** The page's title. Default `History report`. */
  readonly title?: string;
  /** The run's seed, when known (a history does not record it). */
  readonly seed?: string;
  /** The command that replays the run, when known. */
  readonly replayCommand?: string;
  /** The key columns of the table's rows. Default `['Id']`. */
  readonly keyColumns?: readonly string[];
  /** The column that holds the producer's per-key sequence. Default `Seq`. */
  readonly seqColumn?: string;
  /** The table to judge, when the history writes several. Default: the only one. */
  readonly table?: string;
}

/** The report, and the verdict when the history was judged. */
export interface HistoryReportFile {
  readonly html: string;
  readonly history: History;
  readonly verdict: Verdict | undefined;
}

/**
 * The report of the history in `jsonLines`.
 *
 * @throws HistoryError `INVALID_ARGUMENT` naming the line of a malformed event.
 * @throws SimClusterError `INVALID_ARGUMENT` for an empty `keyColumns`.
 * @throws CheckerError `INVALID_ARGUMENT` when the rows lack the key or sequence columns (it names them).
 */
export function historyReportFile(
  jsonLines: string,
  options: HistoryReportFileOptions = {},
): HistoryReportFile {
  const history = History.fromJsonLines(jsonLines);
  const keyColumns = options.keyColumns ?? ['Id'];
  const seqColumn = options.seqColumn ?? 'Seq';
  if (keyColumns.length === 0)
    throw new SimClusterError('INVALID_ARGUMENT', 'keyColumns: the key needs at least one column');
  const judged = history.events.some((e) => e.type === 'submit');
  const verdict = judged
    ? check<HistoryRow>(history, {
        key: (row) => Object.fromEntries(keyColumns.map((c) => [c, row[c]])),
        seq: (row) => row[seqColumn] as number | bigint,
        ...(options.table === undefined ? {} : { table: options.table }),
      })
    : undefined;
  const html = history.toHtml({
    ...(options.title === undefined ? {} : { title: options.title }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.replayCommand === undefined ? {} : { replayCommand: options.replayCommand }),
    ...(verdict === undefined ? {} : { judgement: reportJudgement(verdict) }),
    seqColumn,
  });
  return { html, history, verdict };
}
