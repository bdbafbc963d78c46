import { describe, expect, it } from 'vitest';
import { ClusterNode } from '../src/node/cluster-node.js';
import { LocalControlPlane } from '../src/placement/control-plane.js';
import { LoopbackNetwork } from './support/loopback-network.js';
import { ManualClock } from './support/manual-clock.js';

function options(overrides: Record<string, unknown> = {}) {
  const controlPlane = new LocalControlPlane();
  return {
    name: 'node-1',
    controlPlane,
    clock: new ManualClock(),
    transport: new LoopbackNetwork().transport('node-1'),
    ...overrides,
  };
}

describe('ClusterNode options', () => {
  it('refuses an option out of range, naming it', () => {
    expect(() => new ClusterNode(options({ name: '' }))).toThrow(/name: expected a non-empty string/);
    expect(() => new ClusterNode(options({ maxFrameSize: -1 }))).toThrow(/maxFrameSize: expected an integer/);
    expect(() => new ClusterNode(options({ forwardTimeoutMs: 0 }))).toThrow(/forwardTimeoutMs/);
    expect(() => new ClusterNode(options({ maxForwardHops: 1.5 }))).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('maxForwardHops'),
      }),
    );
  });

  it('joins the placement once and refuses a second node of the same name on one control plane', () => {
    const base = options();
    const node = new ClusterNode(base);
    expect(base.controlPlane.placement.members).toEqual(['node-1']);
    expect(node.isRunning).toBe(true);
    expect(() => new ClusterNode(base)).toThrow(/already registered/);
    new ClusterNode({ ...base, name: 'node-2' });
    expect(base.controlPlane.placement.members).toEqual(['node-1', 'node-2']);
  });
});
