/**
 * The unit a data stream carries: an operation (PUT or REMOVE) and its payload. A source may also yield bare
 * rows, which mean PUT; the helpers below read either form without allocating. This module does not validate
 * payloads (the sink does, against the table schema).
 */

import { type StreamerOperationType, StreamerOperationTypes } from '@datastreamer/protocol';

/** The operations a streamed item can carry (the protocol's table, which node and simulation share). */
export { type StreamerOperationType, StreamerOperationTypes };

/**
 * One streamed operation. Build it with {@link DataStreamerItem.of} (PUT) or {@link DataStreamerItem.removed}
 * (REMOVE); a bare row in a source is shorthand for `DataStreamerItem.of(row)`.
 *
 * @example
 * ```ts
 * await view.streamData([DataStreamerItem.of(row), DataStreamerItem.removed({ EventId: 7n })]);
 * ```
 */
export class DataStreamerItem<T> {
  readonly operationType: StreamerOperationType;
  readonly payload: T;

  private constructor(operationType: StreamerOperationType, payload: T) {
    this.operationType = operationType;
    this.payload = payload;
  }

  /** A PUT of `row`: inserts it, or overwrites the row with the same key. */
  static of<T>(row: T): DataStreamerItem<T> {
    return new DataStreamerItem(StreamerOperationTypes.PUT, row);
  }

  /** A REMOVE of the row whose key is `key` (value columns, if present, are ignored). */
  static removed<T>(key: T): DataStreamerItem<T> {
    return new DataStreamerItem(StreamerOperationTypes.REMOVE, key);
  }
}

/** The operation of a source item: its own for a `DataStreamerItem`, PUT for a bare row. */
export function streamerItemOperation<T>(item: DataStreamerItem<T> | T): StreamerOperationType {
  return item instanceof DataStreamerItem ? item.operationType : StreamerOperationTypes.PUT;
}

/** The payload of a source item: the `DataStreamerItem`'s payload, or the bare row itself. */
export function streamerItemPayload<T>(item: DataStreamerItem<T> | T): T {
  return item instanceof DataStreamerItem ? (item.payload as T) : item;
}
