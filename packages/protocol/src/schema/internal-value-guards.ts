/**
 * Type guards that tell the object forms of {@link InternalValue} apart by their distinguishing field. They are
 * shallow on purpose (one `in` test): internal values come from value checks or the tuple reader, and the
 * guards exist so a value of the wrong kind for its column is reported rather than written as garbage.
 */
import type {
  DateTimeValue,
  DateValue,
  DecimalValue,
  InstantValue,
  InternalValue,
  TimeValue,
  UuidValue,
} from './values.js';

export function isDecimalValue(value: InternalValue): value is DecimalValue {
  return typeof value === 'object' && value !== null && 'unscaled' in value;
}

export function isUuidValue(value: InternalValue): value is UuidValue {
  return typeof value === 'object' && value !== null && 'msb' in value;
}

export function isDateValue(value: InternalValue): value is DateValue {
  return typeof value === 'object' && value !== null && 'year' in value;
}

export function isTimeValue(value: InternalValue): value is TimeValue {
  return typeof value === 'object' && value !== null && 'hour' in value;
}

export function isDateTimeValue(value: InternalValue): value is DateTimeValue {
  return typeof value === 'object' && value !== null && 'date' in value;
}

export function isInstantValue(value: InternalValue): value is InstantValue {
  return typeof value === 'object' && value !== null && 'seconds' in value;
}
