/**
 * Checks a fault plan before anything runs: the shape of every step, probabilities in [0, 1], delays and
 * durations finite and >= 0, endpoint names, and (given the cluster's nodes) that every node a step names
 * exists at that point of the plan, following the plan's own joins and leaves. Returns a normalised copy
 * sorted by `atMs` (stable), sharing nothing with the input.
 *
 * What it cannot see is the cluster's state at run time (which node is crashed, who owns a partition):
 * `runSchedule` reports the steps the cluster refuses. The name a join gives is predicted as the highest
 * `node-N` known plus one, which is what `SimCluster.addNode` does unless nodes were removed before the plan.
 */
import { type Fault, FaultKinds, type FaultPlan, type FaultStep, type NetworkSettings } from './fault.js';
import { FaultPlanError } from './fault-plan-error.js';

/** What the validation may know of the cluster. */
export interface ValidatePlanOptions {
  /**
   * The cluster's member nodes when the plan starts (`cluster.nodes`). When given, a name of the form
   * `node-N` that is neither one of them nor added by an earlier join of the plan is an error. Default: names are only checked
   * for shape.
   */
  readonly nodes?: readonly string[];
}

/** A step or fault as read from JSON: any fields, the known ones named so they read as properties. */
interface Fields {
  readonly [field: string]: unknown;
  readonly atMs?: unknown;
  readonly fault?: unknown;
  readonly kind?: unknown;
  readonly faults?: unknown;
  readonly between?: unknown;
  readonly target?: unknown;
  readonly oneWay?: unknown;
  readonly table?: unknown;
  readonly delayMs?: unknown;
  readonly reorder?: unknown;
}

const NODE_NAME = /^node-(\d+)$/;
const SETTINGS = ['drop', 'duplicate', 'reset', 'delayMs', 'reorder'] as const;
const KINDS: readonly string[] = Object.values(FaultKinds);

function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the fields of one step, naming them `step <i> (<kind>): fault.<field>` in errors. */
class StepReader {
  readonly #where: string;
  readonly #fields: Fields;

  constructor(where: string, fields: Fields) {
    this.#where = where;
    this.#fields = fields;
  }

  fail(field: string, expected: string, value: unknown): never {
    const shown = JSON.stringify(value) ?? String(value);
    throw new FaultPlanError(`${this.#where}: ${field} must be ${expected}, got ${shown.slice(0, 80)}`);
  }

  only(allowed: readonly string[]): void {
    for (const key of Object.keys(this.#fields)) {
      if (!allowed.includes(key)) {
        throw new FaultPlanError(`${this.#where}: unknown field fault.${key} (known: ${allowed.join(', ')})`);
      }
    }
  }

  name(field: string, value: unknown = this.#fields[field]): string {
    if (typeof value !== 'string' || value.length === 0 || value.includes('\u0000')) {
      this.fail(`fault.${field}`, 'a non-empty endpoint name', value);
    }
    return value;
  }

  names(field: string): string[] {
    const value = this.#fields[field];
    if (!Array.isArray(value) || value.length === 0) {
      this.fail(`fault.${field}`, 'a non-empty array of endpoint names', value);
    }
    return value.map((v, i) => this.name(`${field}[${i}]`, v));
  }

  pair(field: string, value: unknown = this.#fields[field]): [string, string] {
    if (!Array.isArray(value) || value.length !== 2)
      this.fail(`fault.${field}`, 'a pair of endpoint names', value);
    const a = this.name(`${field}[0]`, value[0]);
    const b = this.name(`${field}[1]`, value[1]);
    if (a === b) this.fail(`fault.${field}`, 'two different endpoints', value);
    return [a, b];
  }

  duration(field: string): number {
    const value = this.#fields[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      this.fail(`fault.${field}`, 'a finite number of ms >= 0', value);
    }
    return value;
  }

  partition(field: string): number {
    const value = this.#fields[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65_534) {
      this.fail(`fault.${field}`, 'a partition number in 0..65534', value);
    }
    return value;
  }

  settings(field: string): NetworkSettings {
    const value = this.#fields[field];
    if (!isRecord(value)) this.fail(`fault.${field}`, 'an object of network settings', value);
    for (const key of Object.keys(value)) {
      if (!(SETTINGS as readonly string[]).includes(key)) {
        throw new FaultPlanError(
          `${this.#where}: fault.${field}.${key} is not a network setting (known: ${SETTINGS.join(', ')})`,
        );
      }
    }
    const out: { -readonly [K in keyof NetworkSettings]: NetworkSettings[K] } = {};
    for (const key of ['drop', 'duplicate', 'reset'] as const) {
      const p = value[key];
      if (p === undefined) continue;
      if (typeof p !== 'number' || !(p >= 0 && p <= 1))
        this.fail(`fault.${field}.${key}`, 'a probability in [0, 1]', p);
      out[key] = p;
    }
    const delay = value.delayMs;
    if (delay !== undefined) {
      const [min, max]: unknown[] = Array.isArray(delay) && delay.length === 2 ? delay : [];
      if (
        typeof min !== 'number' ||
        typeof max !== 'number' ||
        !Number.isFinite(min) ||
        !Number.isFinite(max) ||
        min < 0 ||
        min > max
      ) {
        this.fail(`fault.${field}.delayMs`, '[min, max] with finite 0 <= min <= max', delay);
      }
      out.delayMs = [min, max];
    }
    const reorder = value.reorder;
    if (reorder !== undefined) {
      if (typeof reorder !== 'boolean') this.fail(`fault.${field}.reorder`, 'a boolean', reorder);
      out.reorder = reorder;
    }
    return out;
  }
}

function readFault(where: string, value: unknown): Fault {
  if (!isRecord(value)) throw new FaultPlanError(`${where}: fault must be an object with a kind`);
  const kind = value.kind;
  if (typeof kind !== 'string' || !KINDS.includes(kind)) {
    throw new FaultPlanError(
      `${where}: fault.kind must be one of ${KINDS.join(', ')}, got ${JSON.stringify(kind) ?? String(kind)}`,
    );
  }
  const r: StepReader = new StepReader(`${where} (${kind})`, value);
  switch (kind) {
    case FaultKinds.setFaults: {
      r.only(['kind', 'faults', 'between']);
      const faults = r.settings('faults');
      return value.between === undefined ? { kind, faults } : { kind, faults, between: r.pair('between') };
    }
    case FaultKinds.clog: {
      r.only(['kind', 'target', 'ms']);
      const target = value.target;
      return {
        kind,
        target: typeof target === 'string' ? r.name('target') : r.pair('target'),
        ms: r.duration('ms'),
      };
    }
    case FaultKinds.partition: {
      r.only(['kind', 'groupA', 'groupB', 'oneWay']);
      const groupA = r.names('groupA');
      const groupB = r.names('groupB');
      const inA = new Set(groupA);
      const both = groupB.find((n) => inA.has(n));
      if (both !== undefined) r.fail('fault.groupB', 'disjoint from groupA', both);
      const oneWay = value.oneWay;
      if (oneWay === undefined) return { kind, groupA, groupB };
      if (typeof oneWay !== 'boolean') r.fail('fault.oneWay', 'a boolean', oneWay);
      return { kind, groupA, groupB, oneWay };
    }
    case FaultKinds.isolate:
      r.only(['kind', 'endpoint']);
      return { kind, endpoint: r.name('endpoint') };
    case FaultKinds.disconnect: {
      r.only(['kind', 'a', 'b']);
      const a = r.name('a');
      const b = r.name('b');
      if (a === b) r.fail('fault.b', 'a different endpoint than fault.a', b);
      return { kind, a, b };
    }
    case FaultKinds.crash:
    case FaultKinds.restart:
    case FaultKinds.leave:
    case FaultKinds.destroy:
      r.only(['kind', 'node']);
      return { kind, node: r.name('node') };
    case FaultKinds.pause:
      r.only(['kind', 'node', 'ms']);
      return { kind, node: r.name('node'), ms: r.duration('ms') };
    case FaultKinds.movePartition: {
      r.only(['kind', 'table', 'partition', 'to']);
      const table = value.table;
      if (typeof table !== 'string' || table.length === 0) r.fail('fault.table', 'a table name', table);
      return { kind, table, partition: r.partition('partition'), to: r.name('to') };
    }
    case FaultKinds.isolateMetastorageLeader:
    case FaultKinds.loseMetastorageMajority:
      // Their targets are found when they run (whoever leads then).
      r.only(['kind']);
      return { kind };
    default:
      // heal and join carry nothing but their kind.
      r.only(['kind']);
      return kind === FaultKinds.heal ? { kind: FaultKinds.heal } : { kind: FaultKinds.join };
  }
}

/** The endpoint names a fault mentions, with whether each must be a node. */
function mentioned(fault: Fault): {
  readonly nodes: readonly string[];
  readonly endpoints: readonly string[];
} {
  switch (fault.kind) {
    case 'setFaults':
      return { nodes: [], endpoints: fault.between ?? [] };
    case 'clog':
      return { nodes: [], endpoints: typeof fault.target === 'string' ? [fault.target] : fault.target };
    case 'partition':
      return { nodes: [], endpoints: [...fault.groupA, ...fault.groupB] };
    case 'isolate':
      return { nodes: [], endpoints: [fault.endpoint] };
    case 'disconnect':
      return { nodes: [], endpoints: [fault.a, fault.b] };
    case 'crash':
    case 'restart':
    case 'pause':
    case 'leave':
    case 'destroy':
      return { nodes: [fault.node], endpoints: [] };
    case 'movePartition':
      return { nodes: [fault.to], endpoints: [] };
    default:
      return { nodes: [], endpoints: [] };
  }
}

/**
 * Follows the plan's joins and leaves. A node is unknown when it is neither a starting node nor one an
 * earlier join adds; naming a node that already left is left to run time (the cluster refuses, the step is
 * skipped), so that removing steps from a valid plan, as shrinking does, never makes it invalid.
 */
class Membership {
  readonly #known: Set<string>;
  readonly #members: Set<string>;
  #next: number;

  constructor(nodes: readonly string[]) {
    this.#known = new Set(nodes);
    this.#members = new Set(nodes);
    let highest = 0;
    for (const name of nodes) {
      const match = NODE_NAME.exec(name);
      if (match !== null) highest = Math.max(highest, Number(match[1]));
    }
    this.#next = highest + 1;
  }

  check(where: string, fault: Fault): void {
    const { nodes, endpoints } = mentioned(fault);
    // Clients and other endpoints may be named before they exist; a node name must be a known node.
    for (const name of [...nodes, ...endpoints.filter((e) => NODE_NAME.test(e))]) {
      if (!this.#known.has(name)) {
        throw new FaultPlanError(
          `${where} (${fault.kind}): unknown node "${name}" (nodes known then: ${[...this.#known].join(', ') || 'none'})`,
        );
      }
    }
    if (fault.kind === 'join') {
      const name = `node-${this.#next++}`;
      this.#known.add(name);
      this.#members.add(name);
    }
    if (fault.kind === 'leave' || fault.kind === 'destroy') {
      if (this.#members.size === 1 && this.#members.has(fault.node)) {
        throw new FaultPlanError(
          `${where} (${fault.kind}): "${fault.node}" would be the last node to ${fault.kind === 'leave' ? 'leave' : 'go'}`,
        );
      }
      this.#members.delete(fault.node);
    }
  }
}

/**
 * Checks `plan` and returns a normalised copy sorted by `atMs` (steps with equal times keep their order).
 *
 * @param options.nodes the members when the plan starts; default: node names are checked for shape only.
 * @throws FaultPlanError (`INVALID_ARGUMENT`) naming the step and field: not an array, a step without a
 *   finite `atMs >= 0`, an unknown kind or field, a probability outside [0, 1], a bad delay range or
 *   duration, a partition whose groups overlap, an unknown node, a leave or destroy of the last node.
 */
export function validatePlan(plan: unknown, options: ValidatePlanOptions = {}): FaultPlan {
  if (!Array.isArray(plan)) {
    throw new FaultPlanError(`a fault plan must be an array of { atMs, fault } steps, got ${typeof plan}`);
  }
  const steps: FaultStep[] = [];
  for (let i = 0; i < plan.length; i++) {
    const step: unknown = plan[i];
    const where = `step ${i}`;
    if (!isRecord(step)) throw new FaultPlanError(`${where}: must be an object { atMs, fault }`);
    for (const key of Object.keys(step)) {
      if (key !== 'atMs' && key !== 'fault')
        throw new FaultPlanError(`${where}: unknown field ${key} (known: atMs, fault)`);
    }
    const atMs = step.atMs;
    if (typeof atMs !== 'number' || !Number.isFinite(atMs) || atMs < 0) {
      throw new FaultPlanError(
        `${where}: atMs must be a finite number >= 0, got ${JSON.stringify(atMs) ?? String(atMs)}`,
      );
    }
    steps.push({ atMs, fault: readFault(where, step.fault) });
  }
  const order = steps
    .map((_, i) => i)
    .sort((a, b) => (steps[a] as FaultStep).atMs - (steps[b] as FaultStep).atMs || a - b);
  if (options.nodes !== undefined) {
    const membership = new Membership(options.nodes);
    for (const i of order) membership.check(`step ${i}`, (steps[i] as FaultStep).fault);
  }
  return order.map((i) => steps[i] as FaultStep);
}
