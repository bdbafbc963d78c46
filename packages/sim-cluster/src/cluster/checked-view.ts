/**
 * The types that let `SimCluster.check` and `SimCluster.stream` take their row and item types from the view
 * and the source a test already has, so `(row) => row.Seq` needs no type argument. It runs nothing.
 */
import { KeyValueView, RecordView } from '@datastreamer/client';

/** A view whose table the cluster can check: a record view or a key-value view. */
export type CheckedView = RecordView<object> | KeyValueView<object, object>;

/**
 * The rows of a view's table as the checkers see them (decoded, every column): a record view's `Row`, a
 * key-value view's key and value columns together.
 */
export type RowOfView<View> =
  View extends RecordView<infer Row>
    ? Row
    : View extends KeyValueView<infer Key, infer Value>
      ? Key & Value
      : never;

/** Whether `value` is a view (the first argument of `check(view, options)`), not an options object. */
export function isCheckedView(value: unknown): value is CheckedView {
  return value instanceof RecordView || value instanceof KeyValueView;
}
