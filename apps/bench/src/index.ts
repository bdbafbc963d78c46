/**
 * @datastreamer/bench: `pnpm bench` runs it as a CLI (src/main.ts); these names let a script build on the
 * report and the cluster setup the cases use.
 */

export { BENCH_PARTITIONS, type BenchCluster, startBenchCluster } from './bench-cluster.js';
export { type BenchReport, BenchTargets, buildReport, formatReport } from './bench-report.js';
