/**
 * The handshake: the first frame in each direction of a connection, right after the `IGNI` preamble.
 *
 * Request (the connecting side): `major: int, minor: int, patch: int, peerType: int, features: bin,
 * name: str`, then `extensions: map (str -> str | bin)` when it has any — the client's or node's name, and
 * what Ignite 3 carries in its handshake extensions, e.g. basic authentication (`authn-type` = `basic`,
 * `authn-identity`, `authn-secret`).
 * Response (the accepting side): `major: int, minor: int, patch: int`, then either nil followed by
 * `features: bin, nodeName: str` and `extensions: map` when it has any (a node peer's `authn-challenge`),
 * or the error structure (the peer cannot be served, e.g. `AUTHENTICATION_FAILED`).
 *
 * The version comes first and is checked before anything else is read, so a peer of another major version
 * gets a clear `UNSUPPORTED_PROTOCOL` answer whatever the rest of its handshake looks like: never a hang and
 * never a confusing parse error. `answerHandshake` is the whole accepting side (with the host's own
 * admission check, `LocalPeer.admit`); `checkHandshakeResponse` the connecting side's check of the answer.
 * Decoding errors name the field and offset, never an extension's value (it may be a secret).
 *
 * It does not manage connections or timeouts, and does not judge credentials (the accepting host does).
 */
import { ProtocolError } from '../errors/protocol-error.js';
import { MsgPackReader } from '../msgpack/msgpack-reader.js';
import { MsgPackWriter } from '../msgpack/msgpack-writer.js';
import {
  type ErrorStructure,
  errorStructureOf,
  readErrorStructure,
  writeErrorStructure,
} from './error-structure.js';
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

/** Handshake extensions, by key (see {@link HandshakeExtensionKeys}): a string or bytes each. */
export type HandshakeExtensions = ReadonlyMap<string, string | Uint8Array>;

/** The handshake extension keys this package knows. */
export const HandshakeExtensionKeys = {
  /** The authentication scheme of the connecting client: `basic` (Ignite 3's key and value). */
  authnType: 'authn-type',
  /** The user name of basic authentication (Ignite 3). */
  authnIdentity: 'authn-identity',
  /** The password of basic authentication (Ignite 3). */
  authnSecret: 'authn-secret',
  /**
   * Ours, in the answer to a node peer: the nonce the peer proves it knows the cluster secret over, before
   * any other request (op NODE_AUTHENTICATE).
   */
  authnChallenge: 'authn-challenge',
} as const;

/** The value of `authn-type` for user name and password authentication (Ignite 3's `basic`). */
export const AUTHN_TYPE_BASIC = 'basic';

/** At most this many extensions are read from a handshake. */
export const MAX_HANDSHAKE_EXTENSIONS = 32;

const NO_EXTENSIONS: HandshakeExtensions = new Map();

export interface HandshakeRequest {
  readonly version: ProtocolVersion;
  readonly peerType: PeerType;
  /** The connecting side's feature bit set (see `ProtocolFeatures`). */
  readonly features: Uint8Array;
  /** The client's name (`client-1`) or the node's name (`node-2`). */
  readonly name: string;
  /** Default: none. Credentials travel here (see {@link HandshakeExtensionKeys}). */
  readonly extensions?: HandshakeExtensions;
}

export interface HandshakeAccepted {
  readonly kind: 'accepted';
  readonly version: ProtocolVersion;
  readonly features: Uint8Array;
  readonly nodeName: string;
  /** Default: none. */
  readonly extensions?: HandshakeExtensions;
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
  /** The accepting side's extensions (empty when it sent none). */
  readonly extensions: HandshakeExtensions;
}

/** Who the accepting side is. */
export interface LocalPeer {
  readonly nodeName: string;
  /** Default {@link PROTOCOL_VERSION}. */
  readonly version?: ProtocolVersion;
  /** Default {@link SUPPORTED_FEATURES}. */
  readonly features?: Uint8Array;
  /**
   * The host's admission of a decoded request (credentials, peer type): returns the extensions of its
   * answer, or throws an error with a code (e.g. `AUTHENTICATION_FAILED`), which becomes the rejection.
   * Default: everyone is admitted, with no extensions.
   */
  readonly admit?: (request: HandshakeRequest) => HandshakeExtensions | undefined;
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

/** Writes `extensions` as a map when there are any, else nothing. */
function writeExtensions(writer: MsgPackWriter, extensions: HandshakeExtensions | undefined): void {
  if (extensions === undefined || extensions.size === 0) return;
  writer.writeMapHeader(extensions.size);
  for (const [key, value] of extensions) {
    writer.writeString(key);
    if (typeof value === 'string') writer.writeString(value);
    else writer.writeBinary(value);
  }
}

/**
 * Reads the extensions map that may end a handshake message: none when the message ends first. Values are
 * never quoted in errors (they may be secrets).
 */
function readExtensions(reader: MsgPackReader): HandshakeExtensions {
  // Anything else than a map after the last field is left for `expectEnd` to call trailing bytes.
  if (reader.peekKind() !== 'map') return NO_EXTENSIONS;
  const at = reader.offset;
  const count = reader.readMapHeader('extensions');
  if (count > MAX_HANDSHAKE_EXTENSIONS) {
    throw reader.error(`extensions: ${count} entries at offset ${at}, more than ${MAX_HANDSHAKE_EXTENSIONS}`);
  }
  const extensions = new Map<string, string | Uint8Array>();
  for (let i = 0; i < count; i++) {
    const key = reader.readString('extensions key');
    if (extensions.has(key)) throw reader.error(`extensions: duplicate key ${JSON.stringify(key)}`);
    const field = `extensions.${key}`;
    const kind = reader.peekKind();
    if (kind === 'str') extensions.set(key, reader.readString(field));
    else if (kind === 'bin') extensions.set(key, reader.readBinary(field).slice());
    else throw reader.error(`${field}: expected str or bin at offset ${reader.offset}`);
  }
  return extensions;
}

/** Writes a handshake request body (no preamble, no length prefix). */
export function writeHandshakeRequest(writer: MsgPackWriter, request: HandshakeRequest): void {
  writeVersion(writer, request.version);
  writer.writeInt(PeerTypes[request.peerType]);
  writer.writeBinary(request.features);
  writer.writeString(request.name);
  writeExtensions(writer, request.extensions);
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
  const extensions = readExtensions(reader);
  reader.expectEnd('handshake request');
  return { version, peerType, features, name, ...(extensions.size === 0 ? {} : { extensions }) };
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
  writeExtensions(writer, response.extensions);
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
  const extensions = readExtensions(reader);
  reader.expectEnd('handshake response');
  return { kind: 'accepted', version, features, nodeName, ...(extensions.size === 0 ? {} : { extensions }) };
}

/**
 * The accepting side of the handshake, whole: decodes the request body, asks the host to admit it
 * (`local.admit`) and builds the answer. A request that cannot be served (another major version, malformed
 * bytes, refused credentials) is answered with a rejection carrying the error, so the peer always learns
 * why; the caller sends the answer, then closes the connection when `request` is `null`.
 *
 * @param traceId a UUID from the caller's `Rng`, used when the answer is a rejection.
 */
export function answerHandshake(
  body: Uint8Array,
  local: LocalPeer,
  traceId: string,
): { readonly response: HandshakeResponse; readonly request: HandshakeRequest | null } {
  const version = local.version ?? PROTOCOL_VERSION;
  let request: HandshakeRequest;
  try {
    request = decodeHandshakeRequest(body, version);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    return { response: rejection(version, errorStructureOf(error, traceId)), request: null };
  }
  let extensions: HandshakeExtensions | undefined;
  try {
    extensions = local.admit?.(request);
  } catch (error) {
    return { response: rejection(version, errorStructureOf(error, traceId)), request: null };
  }
  const features = commonFeatures(local.features ?? SUPPORTED_FEATURES, request.features);
  return {
    response: {
      kind: 'accepted',
      version,
      features,
      nodeName: local.nodeName,
      ...(extensions === undefined || extensions.size === 0 ? {} : { extensions }),
    },
    request,
  };
}

function rejection(version: ProtocolVersion, structure: ErrorStructure): HandshakeRejected {
  return { kind: 'rejected', version, ...structure };
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
    extensions: response.extensions ?? NO_EXTENSIONS,
  };
}
