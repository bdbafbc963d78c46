import { describe, expect, it } from 'vitest';
import { type BenchReport, buildReport, formatReport, streamPartitionSlope } from '../src/bench-report.js';
import { ALBUM_RELEASE_ROWS, caseRows, DEFAULT_ROWS, MANY_CLIENTS_ROWS } from '../src/case-rows.js';
import { type CaseName, CaseNames, type CaseOutput } from '../src/cases/case-result.js';

const env = { node: 'v20.20.2', cpus: 2, rows: 1_000_000 };

function outputs(overrides: Partial<Record<CaseName, CaseOutput>> = {}): Record<CaseName, CaseOutput> {
  return {
    floor: { rows: 1_000_000, seconds: 1, rowsPerSec: 1_000_000 },
    stream_1node: { rows: 1_000_000, seconds: 2, rowsPerSec: 500_000 },
    stream_3node: {
      rows: 1_000_000,
      seconds: 1.6,
      rowsPerSec: 625_000,
      memory: { peakBufferedItems: 16_000, bufferBound: 16_000, storedBytesPerRow: 104 },
    },
    stream_3node_r3: { rows: 1_000_000, seconds: 2.5, rowsPerSec: 400_000 },
    stream_r3_rebalancing: {
      rows: 1_000_000,
      seconds: 2.8,
      rowsPerSec: 357_143,
      moves: { started: 13, completed: 12 },
    },
    per_row: { rows: 1000, seconds: 2.2, rowsPerSec: 455 },
    album_release: { rows: 2_500_000, seconds: 6.5, rowsPerSec: 384_615 },
    stream_16p_16c: {
      rows: 400_000,
      seconds: 1,
      rowsPerSec: 400_000,
      peakBytesPerStreamPartition: 90_000,
      peakRise: { bytes: 23_040_000, clients: 16, partitions: 16 },
    },
    stream_1024p_16c: {
      rows: 400_000,
      seconds: 1.25,
      rowsPerSec: 320_000,
      peakBytesPerStreamPartition: 1500,
      peakRise: { bytes: 24_576_000, clients: 16, partitions: 1024 },
    },
    stream_1000c: { rows: 400_000, seconds: 0.8, rowsPerSec: 500_000, peakBytesPerStreamPartition: 300 },
    ...overrides,
  };
}

/** The key structure of a value: objects become sorted key trees, everything else its `typeof`. */
function shape(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return typeof value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, shape((value as Record<string, unknown>)[key])]),
  );
}

describe('buildReport', () => {
  it('has exactly the fields of PERFORMANCE.md, all numbers but the node version', () => {
    const figures = { rows: 'number', rowsPerSec: 'number', seconds: 'number' };
    expect(shape(buildReport(env, outputs()))).toEqual({
      cases: {
        album_release: figures,
        floor: figures,
        per_row: figures,
        stream_1node: figures,
        stream_3node: figures,
        stream_3node_r3: figures,
        stream_r3_rebalancing: figures,
        stream_16p_16c: figures,
        stream_1024p_16c: figures,
        stream_1000c: figures,
      },
      cpus: 'number',
      memory: {
        bufferBound: 'number',
        peakBufferedItems: 'number',
        peakBytesPerStreamPartition: 'number',
        bytesPerStreamPartitionSlope: 'number',
        storedBytesPerRow: 'number',
      },
      node: 'string',
      ratios: {
        many_clients_vs_one: 'number',
        rebalancing_vs_r3: 'number',
        replicated_vs_floor: 'number',
        stream_vs_floor: 'number',
        stream_vs_per_row: 'number',
        wide_vs_narrow: 'number',
      },
      rebalancing: { movesCompleted: 'number', movesStarted: 'number' },
      rows: 'number',
    });
  });

  it('divides stream_3node rows/s by the floor and by per_row, to two decimals', () => {
    const report = buildReport(env, outputs());
    expect(report.ratios.stream_vs_floor).toBe(0.63);
    expect(report.ratios.stream_vs_per_row).toBe(1373.63);
  });

  it('divides stream_3node_r3 rows/s by the floor as replicated_vs_floor', () => {
    expect(buildReport(env, outputs()).ratios.replicated_vs_floor).toBe(0.4);
    const slow = buildReport(
      env,
      outputs({ stream_3node_r3: { rows: 1_000_000, seconds: 4, rowsPerSec: 250_000 } }),
    );
    expect(slow.ratios.replicated_vs_floor).toBe(0.25);
    expect(formatReport(slow, { networkDelayMs: 1 })).toMatch(
      /replicated_vs_floor\s+0\.25\s+target >= 0\.35: NOT met/,
    );
  });

  it('divides stream_r3_rebalancing rows/s by stream_3node_r3 as rebalancing_vs_r3, with its moves', () => {
    const report = buildReport(env, outputs());
    expect(report.ratios.rebalancing_vs_r3).toBe(0.89);
    expect(report.rebalancing).toEqual({ movesStarted: 13, movesCompleted: 12 });
    const slow = buildReport(
      env,
      outputs({
        stream_r3_rebalancing: {
          rows: 1_000_000,
          seconds: 5,
          rowsPerSec: 200_000,
          moves: { started: 25, completed: 20 },
        },
      }),
    );
    expect(formatReport(slow, { networkDelayMs: 1 })).toMatch(
      /rebalancing_vs_r3\s+0\.50\s+\(25 moves started, 20 finished; vs floor 0\.20\) target vs floor >= 0\.35: NOT met/,
    );
    const { moves: _dropped, ...bare } = outputs().stream_r3_rebalancing;
    expect(() => buildReport(env, outputs({ stream_r3_rebalancing: bare }))).toThrow(/no moves/);
  });

  it('divides 1,024 by 16 partitions and 1,000 clients by one, each in the same run', () => {
    const report = buildReport(env, outputs());
    expect(report.ratios.wide_vs_narrow).toBe(0.8);
    expect(report.ratios.many_clients_vs_one).toBe(0.8);
  });

  it('gives a ratio of 0 instead of Infinity when the other case measured nothing', () => {
    const report = buildReport(env, outputs({ floor: { rows: 0, seconds: 0, rowsPerSec: 0 } }));
    expect(report.ratios.stream_vs_floor).toBe(0);
  });

  it('takes the memory figures from stream_3node and refuses a report without them', () => {
    expect(buildReport(env, outputs()).memory.storedBytesPerRow).toBe(104);
    const { memory: _dropped, ...bare } = outputs().stream_3node;
    expect(() => buildReport(env, outputs({ stream_3node: bare }))).toThrow(/no memory figures/);
  });

  it('takes the peak bytes per stream and partition from the 1,024-partition case, and requires them', () => {
    expect(buildReport(env, outputs()).memory.peakBytesPerStreamPartition).toBe(1500);
    const { peakBytesPerStreamPartition: _dropped, ...bare } = outputs().stream_1024p_16c;
    expect(() => buildReport(env, outputs({ stream_1024p_16c: bare }))).toThrow(/no peak memory/);
  });

  it('takes the slope from the rises of both 16-client cases, and requires both', () => {
    // (24,576,000 - 23,040,000) / (16 x 1,008)
    expect(buildReport(env, outputs()).memory.bytesPerStreamPartitionSlope).toBe(95);
    const { peakRise: _wide, ...wide } = outputs().stream_1024p_16c;
    expect(() => buildReport(env, outputs({ stream_1024p_16c: wide }))).toThrow(/stream_1024p_16c.*no peak/);
    const { peakRise: _narrow, ...narrow } = outputs().stream_16p_16c;
    expect(() => buildReport(env, outputs({ stream_16p_16c: narrow }))).toThrow(/stream_16p_16c.*no peak/);
  });
});

describe('streamPartitionSlope', () => {
  it('divides the difference of the rises by clients x added partitions, rounded', () => {
    const narrow = { bytes: 1_000_000, clients: 16, partitions: 16 };
    expect(
      streamPartitionSlope(narrow, { bytes: 1_000_000 + 16 * 1008 * 700, clients: 16, partitions: 1024 }),
    ).toBe(700);
    expect(
      streamPartitionSlope(narrow, { bytes: 1_000_000 + 16 * 1008 * 2.6, clients: 16, partitions: 1024 }),
    ).toBe(3);
  });

  it('leaves out what both cases hold alike, however large', () => {
    const slope = (base: number) =>
      streamPartitionSlope(
        { bytes: base, clients: 4, partitions: 8 },
        { bytes: base + 4 * 8 * 512, clients: 4, partitions: 16 },
      );
    expect(slope(0)).toBe(512);
    expect(slope(400_000 * 109)).toBe(512);
  });

  it('is negative when the wide case rose less (noise the reader should see, not a clamp)', () => {
    expect(
      streamPartitionSlope(
        { bytes: 2_000_000, clients: 16, partitions: 16 },
        { bytes: 2_000_000 - 16 * 1008 * 10, clients: 16, partitions: 1024 },
      ),
    ).toBe(-10);
  });

  it('refuses shapes it cannot compare', () => {
    const narrow = { bytes: 1, clients: 16, partitions: 16 };
    expect(() => streamPartitionSlope(narrow, { bytes: 2, clients: 1000, partitions: 1024 })).toThrow(
      /same clients/,
    );
    expect(() => streamPartitionSlope(narrow, { bytes: 2, clients: 16, partitions: 16 })).toThrow(
      /more partitions/,
    );
  });
});

describe('formatReport', () => {
  const report: BenchReport = buildReport(env, outputs());

  it('lists every case and states the network the cluster cases crossed', () => {
    const text = formatReport(report, { networkDelayMs: 1 });
    for (const name of CaseNames) expect(text).toContain(name);
    expect(text).toContain('simulated network 1 ms one way');
    expect(formatReport(report, { networkDelayMs: 0 })).toContain('without delay (in-process)');
  });

  it('marks each target met or NOT met from the figures', () => {
    expect(formatReport(report, { networkDelayMs: 1 })).not.toContain('NOT met');
    const slow = buildReport(
      env,
      outputs({ album_release: { rows: 2_500_000, seconds: 9, rowsPerSec: 277_778 } }),
    );
    const text = formatReport(slow, { networkDelayMs: 1 });
    expect(text).toMatch(/album_release s\s+9\.000\s+target <= 8 s for 2,500,000 rows: NOT met/);
    expect(text.match(/NOT met/g)).toHaveLength(1);
  });

  it('marks the partition, client and memory targets NOT met when they are missed', () => {
    const wide = buildReport(
      env,
      outputs({
        stream_1024p_16c: {
          rows: 400_000,
          seconds: 2,
          rowsPerSec: 200_000,
          peakBytesPerStreamPartition: 4096,
          peakRise: { bytes: 4096 * 16 * 1024, clients: 16, partitions: 1024 },
        },
        stream_1000c: { rows: 400_000, seconds: 2, rowsPerSec: 200_000, peakBytesPerStreamPartition: 300 },
      }),
    );
    const text = formatReport(wide, { networkDelayMs: 1 });
    expect(text).toMatch(/wide_vs_narrow\s+0\.50\s+target >= 0\.7: NOT met/);
    expect(text).toMatch(/many_clients_vs_one\s+0\.32\s+target >= 0\.7: NOT met/);
    expect(text).toMatch(/peakBytes\/stream-partition\s+4096\s+target <= 2048 at 1,024 partitions: NOT met/);
    expect(text.match(/NOT met/g)).toHaveLength(3);
  });

  it('prints the slope beside the peak figure', () => {
    expect(formatReport(report, { networkDelayMs: 1 })).toMatch(
      /bytes\/stream-partition slope\s+95\s+\(peak rise at 1,024 partitions less at 16/,
    );
  });

  it('does not judge the album release target on a shortened run', () => {
    const smoke = buildReport(
      env,
      outputs({ album_release: { rows: 20_000, seconds: 0.2, rowsPerSec: 100_000 } }),
    );
    expect(formatReport(smoke, { networkDelayMs: 1 })).toContain('n/a (20000 rows)');
  });
});

describe('caseRows', () => {
  it('gives the throughput cases the run rows as they are', () => {
    expect(caseRows('floor', 4_000_000, 1)).toBe(4_000_000);
    expect(caseRows('stream_3node', 20_000, 0)).toBe(20_000);
  });

  it('gives per_row a thousandth over a delayed network and a hundredth without a delay, with floors', () => {
    expect(caseRows('per_row', DEFAULT_ROWS, 1)).toBe(1000);
    expect(caseRows('per_row', 20_000, 1)).toBe(500);
    expect(caseRows('per_row', DEFAULT_ROWS, 0)).toBe(10_000);
    expect(caseRows('per_row', 20_000, 0)).toBe(1000);
  });

  it('runs the whole album release hour unless the run is shorter than the default', () => {
    expect(caseRows('album_release', DEFAULT_ROWS, 1)).toBe(ALBUM_RELEASE_ROWS);
    expect(caseRows('album_release', 20_000, 1)).toBe(20_000);
  });

  it('gives the many-clients cases 400,000 rows, fewer on a run shorter than that', () => {
    for (const name of ['stream_16p_16c', 'stream_1024p_16c', 'stream_1000c'] as const) {
      expect(caseRows(name, DEFAULT_ROWS, 1)).toBe(MANY_CLIENTS_ROWS);
      expect(caseRows(name, 4_000_000, 1)).toBe(MANY_CLIENTS_ROWS);
      expect(caseRows(name, 20_000, 1)).toBe(20_000);
    }
  });
});
