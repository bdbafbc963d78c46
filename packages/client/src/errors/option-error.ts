/**
 * Turns a zod validation failure into the client's {@link InvalidOptionError}, naming the option (dotted, with
 * array indexes in brackets: `columns[2].type`) and saying what was expected and what was given. Shared by
 * every boundary of the client that validates user input with zod (client options, table definitions). It
 * does not define any schema itself.
 */
import type { z } from 'zod';
import { InvalidOptionError } from './invalid-option-error.js';

/** `a.b[2].c` from zod's path segments. */
export function formatOptionPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

/** A short description of what the caller passed, for error messages (never the whole value). */
export function describeInput(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * The {@link InvalidOptionError} for the first issue of `error`.
 *
 * @param what the kind of input, for the message: `'client option'`, `'table definition field'`
 * @param root the name used when the input itself (not one of its fields) is wrong, e.g. `'options'`
 * @param input what was validated, to describe the offending value
 * @param secret whether the value at a path must not be described (a password): it is called "a value not
 *   shown" instead. Default: every value may be described.
 */
export function optionErrorFromZod(
  what: string,
  root: string,
  error: z.ZodError,
  input: unknown,
  secret: (path: readonly PropertyKey[]) => boolean = () => false,
): InvalidOptionError {
  const issue = error.issues[0];
  const path = issue?.path ?? [];
  const prefix = formatOptionPath(path);
  if (issue?.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const name = prefix === '' ? key : `${prefix}.${key}`;
    return new InvalidOptionError(name, `unknown ${what} '${name}'`, { cause: error });
  }
  const name = prefix === '' ? root : prefix;
  const got = secret(path) ? 'a value not shown (it may be a secret)' : describeInput(valueAt(input, path));
  // The zod error as cause would carry the value along: it is left out for a secret.
  return new InvalidOptionError(
    name,
    `invalid ${what} '${name}': ${issue?.message ?? 'invalid'}, got ${got}`,
    secret(path) ? {} : { cause: error },
  );
}
