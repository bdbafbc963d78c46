/**
 * The handshake: the first frame in each direction of a connection, right after the `IGNI` preamble.
 *
 * Request (the connecting side): `major: int, minor: int, patch: int, peerType: int, features: bin,
 * name: str` — the client's or node's name.
 * Response (the accepting side): `major: int, minor: int, patch: int`, then either nil followed by
 * `features: bin, nodeName: str`, or the error structure (the peer cannot be served).
 *
 * The version comes first and is checked before anything else is read, so a peer of another major version
 * gets a clear `UNSUPPORTED_PROTOCOL` answer whatever the rest of its handshake looks like: never a hang and
 * never a confusing parse error. `answerHandshake` is the whole accepting side; `checkHandshakeResponse`
 * the connecting side's check of the answer.
 *
 * It does not manage connections or timeouts.
 */
import { ProtocolError } from '../errors/protocol-error.js';
import { type ErrorStructure, readErrorStructure, writeErrorStructure } from '../messages/error-structure.js';
import { MsgPackReader } from '../msgpack/msgpack-reader.js';
import { MsgPackWriter } from '../msgpack/msgpack-writer.js';
import { beginFrame, endFrame } from './frame-encoder.js';
import { PREAMBLE_BYTES } from './preamble.js';
import {
  commonFeatures,
  formatVersion,
  isCompatibleVersion,
  type PeerType,
  PeerTypes,
  PROTOCOL_VERSION,
  type ProtocolVersion,
  peerTypeFromCode,
  SUPPORTED_FEATURES,
} from './protocol-version.js';

export interface HandshakeRequest {
  readonly version: ProtocolVersion;
  readonly peerType: PeerType;
  /** The connecting side's feature bit set (see `ProtocolFeatures`). */
  readonly features: Uint8Array;
  /** The client's name (`client-1`) or the node's name (`node-2`). */
  readonly name: string;
}

export interface HandshakeAccepted {
  readonly kind: 'accepted';
  readonly version: ProtocolVersion;
  readonly features: Uint8Array;
  readonly nodeName: string;
}

export interface HandshakeRejected extends ErrorStructure {
  readonly kind: 'rejected';
  readonly version: ProtocolVersion;
}

export type HandshakeResponse = HandshakeAccepted | HandshakeRejected;

/** What the connecting side knows once the handshake succeeded. */
export interface HandshakeResult {
  /** The accepting side's version. */
  readonly version: ProtocolVersion;
  /** Features both sides have. */
  readonly features: Uint8Array;
  /** The accepting node's name. */
  readonly nodeName: string;
}

/** Who the accepting side is. */
export interface LocalPeer {
  readonly nodeName: string;
  /** Default {@link PROTOCOL_VERSION}. */
  readonly version?: ProtocolVersion;
  /** Default {@link SUPPORTED_FEATURES}. */
  readonly features?: Uint8Array;
}

function writeVersion(writer: MsgPackWriter, version: ProtocolVersion): void {
  writer.writeInt(version.major, 'version.major');
  writer.writeInt(version.minor, 'version.minor');
  writer.writeInt(version.patch, 'version.patch');
}

function readVersion(reader: MsgPackReader): ProtocolVersion {
  const major = reader.readInt32('version.major');
  const minor = reader.readInt32('version.minor');
  const patch = reader.readInt32('version.patch');
  return { major, minor, patch };
}

function unsupported(theirs: ProtocolVersion, ours: ProtocolVersion, who: string): ProtocolError {
  return new ProtocolError(
    'UNSUPPORTED_PROTOCOL',
    `unsupported protocol version ${formatVersion(theirs)}: ${who} speaks ${ours.major}.x (${formatVersion(ours)})`,
  );
}

/** Writes a handshake request body (no preamble, no length prefix). */
export function writeHandshakeRequest(writer: MsgPackWriter, request: HandshakeRequest): void {
  writeVersion(writer, request.version);
  writer.writeInt(PeerTypes[request.peerType]);
  writer.writeBinary(request.features);
  writer.writeString(request.name);
}

/** The bytes a connecting side sends first: the preamble, then the handshake request frame. */
export function encodeHandshakeRequest(request: HandshakeRequest): Uint8Array {
  const writer = new MsgPackWriter({ initialCapacity: 64 });
  writer.writeRaw(Uint8Array.from(PREAMBLE_BYTES));
  const start = beginFrame(writer);
  writeHandshakeRequest(writer, request);
  endFrame(writer, start);
  return writer.toBytes();
}

/**
 * Decodes a handshake request body.
 * @param ours the version of the accepting side (default {@link PROTOCOL_VERSION}).
 * @throws {ProtocolError} `UNSUPPORTED_PROTOCOL` for another major version (nothing after the version is
 *   read); `PROTOCOL_ERROR` for malformed bytes or an unknown peer type.
 */
export function decodeHandshakeRequest(
  body: Uint8Array,
  ours: ProtocolVersion = PROTOCOL_VERSION,
): HandshakeRequest {
  const reader = new MsgPackReader(body);
  const version = readVersion(reader);
  if (!isCompatibleVersion(ours, version)) throw unsupported(version, ours, 'this node');
  const at = reader.offset;
  const code = reader.readInt32('peerType');
  const peerType = peerTypeFromCode(code);
  if (peerType === undefined) throw reader.error(`peerType: unknown peer type ${code} at offset ${at}`);
  const features = reader.readBinary('features').slice();
  const name = reader.readString('name');
  reader.expectEnd('handshake request');
  return { version, peerType, features, name };
}

/** Writes a handshake response body (no preamble, no length prefix). */
export function writeHandshakeResponse(writer: MsgPackWriter, response: HandshakeResponse): void {
  writeVersion(writer, response.version);
  if (response.kind === 'rejected') {
    writeErrorStructure(writer, response);
    return;
  }
  writer.writeNil();
  writer.writeBinary(response.features);
  writer.writeString(response.nodeName);
}

/** The bytes an accepting side sends first: the preamble, then the handshake response frame. */
export function encodeHandshakeResponse(response: HandshakeResponse): Uint8Array {
  const writer = new MsgPackWriter({ initialCapacity: 64 });
  writer.writeRaw(Uint8Array.from(PREAMBLE_BYTES));
  const start = beginFrame(writer);
  writeHandshakeResponse(writer, response);
  endFrame(writer, start);
  return writer.toBytes();
}

/**
 * Decodes a handshake response body.
 * @param ours the connecting side's version (default {@link PROTOCOL_VERSION}).
 * @throws {ProtocolError} `UNSUPPORTED_PROTOCOL` when the other side speaks another major version (the rest
 *   of its answer is not read: its layout may differ); `PROTOCOL_ERROR` for malformed bytes.
 */
export function decodeHandshakeResponse(
  body: Uint8Array,
  ours: ProtocolVersion = PROTOCOL_VERSION,
): HandshakeResponse {
  const reader = new MsgPackReader(body);
  const version = readVersion(reader);
  if (!isCompatibleVersion(ours, version)) throw unsupported(version, ours, 'this side');
  if (!reader.tryReadNil()) {
    const structure = readErrorStructure(reader);
    reader.expectEnd('handshake response');
    return { kind: 'rejected', version, ...structure };
  }
  const features = reader.readBinary('features').slice();
  const nodeName = reader.readString('nodeName');
  reader.expectEnd('handshake response');
  return { kind: 'accepted', version, features, nodeName };
}

/**
 * The accepting side of the handshake, whole: decodes the request body and builds the answer. A request that
 * cannot be served (another major version, malformed bytes) is answered with a rejection carrying the
 * error, so the peer always learns why; the caller sends the answer, then closes the connection when
 * `request` is `null`.
 *
 * @param traceId a UUID from the caller's `Rng`, used when the answer is a rejection.
 */
export function answerHandshake(
  body: Uint8Array,
  local: LocalPeer,
  traceId: string,
): { readonly response: HandshakeResponse; readonly request: HandshakeRequest | null } {
  const version = local.version ?? PROTOCOL_VERSION;
  try {
    const request = decodeHandshakeRequest(body, version);
    const features = commonFeatures(local.features ?? SUPPORTED_FEATURES, request.features);
    return { response: { kind: 'accepted', version, features, nodeName: local.nodeName }, request };
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    return {
      response: { kind: 'rejected', version, error, traceId, className: error.name, stackTrace: null },
      request: null,
    };
  }
}

/**
 * The connecting side's check of the answer.
 * @param ours the connecting side's version (default {@link PROTOCOL_VERSION}).
 * @param features the connecting side's features (default {@link SUPPORTED_FEATURES}).
 * @throws {ProtocolError} the rejection's error when the other side refused; `UNSUPPORTED_PROTOCOL` when
 *   it speaks another major version.
 */
export function checkHandshakeResponse(
  response: HandshakeResponse,
  ours: ProtocolVersion = PROTOCOL_VERSION,
  features: Uint8Array = SUPPORTED_FEATURES,
): HandshakeResult {
  if (response.kind === 'rejected') throw response.error;
  if (!isCompatibleVersion(ours, response.version)) throw unsupported(response.version, ours, 'this side');
  return {
    version: response.version,
    features: commonFeatures(features, response.features),
    nodeName: response.nodeName,
  };
}
