/**
 * @datastreamer/bench: `pnpm bench` runs it as a CLI (src/main.ts); these names let a script build on the
 * report and the cluster setup the cases use.
 */

export { type BenchReport, BenchTargets, buildReport, formatReport } from './bench-report.js';
export { BENCH_PARTITIONS, type BenchCluster, startBenchCluster } from './cases/bench-cluster.js';
