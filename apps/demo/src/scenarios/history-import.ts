/**
 * history-import: a bulk load of historical listening data from a CSV file into `ListeningHistory` (DEMO.md
 * scenario 3). The file is read as a stream of lines, never whole; malformed lines are reported with their
 * line numbers and counted, and the rest is loaded with large pages and more parallelism. `--generate N`
 * writes a sample file first (to `--file`, or a temporary file). Verified by reading the file again and
 * comparing every valid record with the table, and by the checkers.
 */

import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataStreamerSummary } from '@datastreamer/client';
import type { PlainRow } from '@datastreamer/sim-cluster';
import { type MalformedLine, readHistoryCsv, writeSampleHistoryCsv } from '../events/history-csv.js';
import { startFaults } from '../faults/fault-profiles.js';
import {
  clientOptions,
  meteredAsync,
  partitionMap,
  recordView,
  type ScenarioContext,
  startCluster,
} from '../run/scenario-context.js';
import type { Check, ScenarioSummary } from '../run/scenario-summary.js';
import type { StepProgress } from '../run/verification.js';
import { beginVerification, buildSummary, checkerSteps, countCheck, runCheckers } from '../run/verify.js';
import { type ListeningRecord, listeningHistoryTable } from '../tables/demo-tables.js';
import type { Scenario } from './scenario.js';
import { PROGRESS_EVERY_ROWS } from './track-event-rows.js';

const DEFAULT_LINES = 200_000;
const COUNT_STEP = 'valid records = stored';
const LINES_STEP = 'lines = valid + malformed';
const CONTENT_STEP = 'file vs stored';
/** Malformed lines listed one by one in the summary; the rest are counted. */
export const MALFORMED_SHOWN = 10;

/** Large pages and more parallelism: a bulk load, not a live feed. */
export const HISTORY_IMPORT_OPTIONS = {
  pageSize: 5000,
  perPartitionParallelOperations: 4,
  autoFlushInterval: 1000,
  retryLimit: 16,
} as const;

function sameRecord(r: ListeningRecord, row: PlainRow): boolean {
  const { RecordId, UserId, TrackId, PlayDate, PlayCount, Rating, PlayDuration } = row;
  return (
    Number(RecordId) === r.RecordId &&
    UserId === r.UserId &&
    TrackId === r.TrackId &&
    PlayDate === r.PlayDate &&
    PlayCount === r.PlayCount &&
    Rating === r.Rating &&
    PlayDuration === r.PlayDuration
  );
}

/** The file to import: `--file`, written first with `--generate`; a temporary sample when neither is given. */
async function historyFile(
  ctx: ScenarioContext,
): Promise<{ path: string; lines?: number; note?: string; temporary?: string }> {
  const { file, generate, seed } = ctx.options;
  const lines = generate ?? (file === undefined ? (ctx.options.events ?? DEFAULT_LINES) : undefined);
  const temporary = file === undefined ? await mkdtemp(join(tmpdir(), 'datastreamer-demo-')) : undefined;
  const path = file ?? join(temporary ?? '.', 'listening-history.csv');
  if (lines !== undefined) {
    const written = await writeSampleHistoryCsv(path, lines, seed);
    const where = temporary === undefined ? path : 'a temporary sample file';
    const note = `wrote ${where}: ${written.valid} records, ${written.malformed} malformed lines`;
    return { path, lines, note, ...(temporary === undefined ? {} : { temporary }) };
  }
  try {
    await access(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`history-import: cannot read --file ${path}: ${reason}`);
  }
  return { path };
}

/** Reads the file again (as a stream) and compares the first `readLines` records with the table. */
async function compareWithFile(
  path: string,
  readLines: number,
  stored: Map<number, PlainRow>,
  progress: StepProgress,
): Promise<Omit<Check, 'name'>> {
  let compared = 0;
  let missing = 0;
  let different = 0;
  for await (const record of readHistoryCsv(path, () => {})) {
    if (compared >= readLines) break;
    compared++;
    if (compared % PROGRESS_EVERY_ROWS === 0) await progress(compared, readLines);
    const row = stored.get(record.RecordId);
    if (row === undefined) missing++;
    else if (!sameRecord(record, row)) different++;
  }
  return {
    ok: missing === 0 && different === 0 && stored.size === compared,
    detail: `${compared.toLocaleString('en-US')} records compared, ${missing} missing, ${different} different, ${stored.size - (compared - missing)} not in the file`,
  };
}

async function run(ctx: ScenarioContext): Promise<ScenarioSummary> {
  const { partitions } = ctx.options;
  const profile = ctx.options.faults ?? 'none';
  const { path, lines, note, temporary } = await historyFile(ctx);
  // The number of lines is known only for a file written here; otherwise the view shows no percentage.
  ctx.meter.begin('history-import', lines ?? 0);
  if (note !== undefined) ctx.meter.note(note);
  const cluster = await startCluster(ctx, lines ?? 0);
  try {
    const client = await cluster.connect(clientOptions(profile !== 'none'));
    await client.catalog.createTable(listeningHistoryTable(partitions));
    const view = await recordView<ListeningRecord>(client, 'ListeningHistory');
    const map = partitionMap(cluster, 'ListeningHistory');
    ctx.meter.trackPartitions(map);
    ctx.meter.trackClients([client]);
    const faults = startFaults(profile, cluster, ctx.meter, 'ListeningHistory', cluster.clientName(client));
    const malformed: MalformedLine[] = [];
    const onMalformed = (line: MalformedLine) => {
      ctx.meter.count('malformed lines');
      if (malformed.length < MALFORMED_SHOWN) malformed.push(line);
      if (malformed.length <= 3) ctx.meter.note(`line ${line.line}: ${line.reason}`);
    };
    let readLines = 0;
    const records = readHistoryCsv(path, onMalformed, () => ctx.stop.requested);
    const source = meteredAsync(records, ctx, map.partitionOf, (r) => {
      readLines++;
      return r.RecordId;
    });
    let summary: DataStreamerSummary | undefined;
    let error: unknown;
    try {
      summary = await cluster.stream(
        view,
        source,
        { client, seq: () => 0 },
        { ...HISTORY_IMPORT_OPTIONS, onBatch: ctx.meter.onBatch, signal: ctx.stop.signal },
      );
    } catch (e) {
      error = e;
    }
    ctx.meter.end(ctx.stop.requested);
    const report = await faults.finish();
    const malformedCount = ctx.meter.extra.get('malformed lines') ?? 0;
    const valid = lines === undefined ? undefined : lines - malformedCount;
    // Counting lines means something only when the whole file was read.
    const countLines = valid !== undefined && !ctx.stop.requested;
    const verification = beginVerification(
      ctx,
      'history-import',
      [COUNT_STEP, ...(countLines ? [LINES_STEP] : []), CONTENT_STEP, ...checkerSteps(cluster)],
      { streams: summary === undefined ? [] : [summary], error },
    );
    let stored: Map<number, PlainRow> | undefined;
    await verification.run(COUNT_STEP, () => {
      const rows = new Map<number, PlainRow>();
      for (const row of cluster.readTableNow('ListeningHistory')) rows.set(Number(row['RecordId']), row);
      stored = rows;
      return countCheck(readLines, rows.size);
    });
    if (countLines) await verification.run(LINES_STEP, () => countCheck(valid, readLines, 'valid lines'));
    await verification.runOn(CONTENT_STEP, stored, (rows, progress) =>
      compareWithFile(path, readLines, rows, progress),
    );
    const duplicated = await runCheckers(verification, cluster, 'ListeningHistory', 'RecordId');
    return buildSummary(ctx, {
      cluster,
      scenario: 'history-import',
      stored: stored?.size,
      verification,
      duplicatesApplied: duplicated,
      ...(summary === undefined ? {} : { streams: [summary] }),
      malformedLines: malformed,
      details: {
        file: temporary === undefined ? path : 'temporary sample (removed)',
        'valid records': readLines,
        'malformed lines': malformedCount,
        ...(malformed.length === 0
          ? {}
          : {
              'malformed at': `lines ${malformed.map((m) => m.line).join(', ')}${malformedCount > malformed.length ? ', ...' : ''}`,
            }),
        ...(profile === 'none' ? {} : { 'faults applied': report.applied }),
      },
    });
  } finally {
    await cluster.stop();
    if (temporary !== undefined) await rm(temporary, { recursive: true, force: true });
  }
}

export const historyImport: Scenario = {
  name: 'history-import',
  description: 'bulk load of historical plays from a CSV file, streamed; malformed lines reported by number',
  defaultEvents: DEFAULT_LINES,
  storyEvents: 100_000,
  run,
};
