/**
 * @datastreamer/sim-cluster/testing: what a user's own tests need to put a system through the simulation:
 * fast-check arbitraries of fault plans, swarm profiles, streamer options and workloads, and a Vitest
 * fixture that gives each test a started cluster. It needs `fast-check` (a peer dependency); the fixture
 * needs nothing from Vitest at run time.
 */

export { type ClusterFixtures, clusterFixtures, testSeed } from './cluster-fixture.js';
export {
  type FaultPlanOptions,
  type FaultTargets,
  faultArb,
  faultPlanArb,
  faultStepArb,
  networkSettingsArb,
} from './fault-arbitraries.js';
export {
  type GeneratedStreamerOptions,
  type StreamerOptionsArbOptions,
  streamerOptionsArb,
} from './streamer-arbitraries.js';
export { type SwarmPlanArbOptions, swarmPlanArb, swarmProfileArb } from './swarm-arbitraries.js';
export { scenarioStreamArb, type WorkloadArbOptions, workloadArb } from './workload-arbitraries.js';
