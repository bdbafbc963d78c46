/**
 * What a peer announces in the handshake: the protocol version it speaks, the optional features it has (a
 * bit set), and what kind of peer it is.
 *
 * Compatibility rule: two peers talk when their major versions are equal. Minor and patch differences are
 * served; optional behaviour is negotiated through features (the intersection of both sides' bits).
 */
import { bitmaskGet, bitmaskOf } from '../msgpack/bitmask.js';

export interface ProtocolVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/** The version this package speaks. */
export const PROTOCOL_VERSION: ProtocolVersion = Object.freeze({ major: 1, minor: 0, patch: 0 });

/** Optional features, by bit index in the handshake's feature bit set. Append only. */
export const ProtocolFeatures = {
  /** The node runs data streamer receivers (op STREAMER_WITH_RECEIVER_BATCH_SEND). */
  STREAMER_RECEIVER: 0,
  /** The node forwards a batch for a partition it does not own to the owner (op BATCH_FORWARD). */
  BATCH_FORWARDING: 1,
  /** The peer speaks the node-to-node ops (partition transfer, two-phase commit, remote tx rows). */
  NODE_TO_NODE: 2,
  /** The node fences streamer batches by producer and epoch, and seals epochs (ops 202, 203). */
  PRODUCER_FENCING: 3,
  /**
   * The node's PARTITION_ASSIGNMENT_GET result ends with the cluster's running members (name and endpoint),
   * so a client can follow the cluster as nodes join and leave.
   */
  TOPOLOGY_DISCOVERY: 6,
} as const;

export type ProtocolFeature = keyof typeof ProtocolFeatures;

/** Every feature this package implements, as a bit set. */
export const SUPPORTED_FEATURES: Uint8Array = bitmaskOf(Object.values(ProtocolFeatures));

/** Kinds of peer, with their wire codes (2 is Ignite 3's code for a general client). */
export const PeerTypes = {
  client: 2,
  node: 200,
} as const;

export type PeerType = keyof typeof PeerTypes;

/** The peer type with wire code `code`, or `undefined`. */
export function peerTypeFromCode(code: number): PeerType | undefined {
  if (code === PeerTypes.client) return 'client';
  if (code === PeerTypes.node) return 'node';
  return undefined;
}

/** `1.0.0` */
export function formatVersion(version: ProtocolVersion): string {
  return `${version.major}.${version.minor}.${version.patch}`;
}

/** Whether a peer speaking `theirs` can be served by a side speaking `ours`. */
export function isCompatibleVersion(ours: ProtocolVersion, theirs: ProtocolVersion): boolean {
  return ours.major === theirs.major;
}

/** Whether `feature` is set in `features`. */
export function hasFeature(features: Uint8Array, feature: ProtocolFeature): boolean {
  return bitmaskGet(features, ProtocolFeatures[feature]);
}

/** The features both sides have. */
export function commonFeatures(a: Uint8Array, b: Uint8Array): Uint8Array {
  const length = Math.min(a.length, b.length);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (a[i] as number) & (b[i] as number);
  return out;
}
