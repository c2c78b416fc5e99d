import { LeaseValidationError } from './errors.js';

/** Lease names: 1–200 characters of `[A-Za-z0-9._:/@-]` (docs/architecture.md#the-table). */
const LEASE_NAME = /^[A-Za-z0-9._:/@-]{1,200}$/;
const METADATA_KEY = /^[A-Za-z0-9_.:-]{1,64}$/;
const METADATA_MAX_ENTRIES = 16;
const METADATA_MAX_VALUE_LENGTH = 1024;

/**
 * A value as an error message shows it: never throws, whatever the caller
 * passed (a Proxy whose traps throw, an object whose `toString` is not a
 * function, a BigInt, a cycle), and never runs to pages.
 */
export function describeValue(value: unknown): string {
  let text: string;
  try {
    text =
      typeof value === 'bigint'
        ? `${value}n`
        : typeof value === 'symbol'
          ? value.toString()
          : (JSON.stringify(value) ?? String(value));
  } catch {
    text = `a ${typeof value} that cannot be printed`;
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** An options or props object: anything but `null` and the primitives. */
export function validateObject(field: string, value: unknown): asserts value is object {
  if (value === null || typeof value !== 'object') throw new LeaseValidationError(field, 'must be an object');
}

export function validateNonEmptyString(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new LeaseValidationError(field, `must be a non-empty string, got ${describeValue(value)}`);
  return value;
}

export function validateLeaseName(field: string, value: unknown): string {
  if (typeof value !== 'string') throw new LeaseValidationError(field, `must be a string, got ${typeof value}`);
  if (value.length === 0) throw new LeaseValidationError(field, 'must not be empty');
  if (value.length > 200) throw new LeaseValidationError(field, `must be at most 200 characters, got ${value.length}`);
  if (!LEASE_NAME.test(value))
    throw new LeaseValidationError(field, `may only contain A-Z a-z 0-9 . _ : / @ -, got ${describeValue(value)}`);
  return value;
}

/**
 * DynamoDB's own rule for table names: 3–255 characters of `[A-Za-z0-9_.-]`.
 * The one place it is written: the runtime's options, the constructs' props
 * and the operator CLI's `--table` all ask here.
 */
export function isTableName(value: string): boolean {
  return /^[A-Za-z0-9_.-]{3,255}$/.test(value);
}

export function validateTableName(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new LeaseValidationError(field, 'must be a non-empty string');
  if (!isTableName(value))
    throw new LeaseValidationError(field, `must be 3-255 characters of A-Z a-z 0-9 _ . -, got ${describeValue(value)}`);
  return value;
}

/** An elector's priority: any safe integer, higher wins a handoff. */
export function validatePriority(field: string, value: unknown): number {
  if (!Number.isSafeInteger(value))
    throw new LeaseValidationError(field, `must be a safe integer, got ${describeValue(value)}`);
  return value as number;
}

/** A positive integer number of milliseconds no larger than `max`. */
export function validateMs(field: string, value: unknown, { min = 1, max }: { min?: number; max: number }): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new LeaseValidationError(field, `must be an integer number of milliseconds, got ${describeValue(value)}`);
  }
  if (value < min) throw new LeaseValidationError(field, `must be at least ${min}, got ${value}`);
  if (value > max) throw new LeaseValidationError(field, `must be at most ${max}, got ${value}`);
  return value;
}

/** An epoch-millisecond instant, such as a scheduled tick. */
export function validateEpochMs(field: string, value: unknown): number {
  return validateMs(field, value, { min: 0, max: Number.MAX_SAFE_INTEGER });
}

export function validateMetadata(field: string, value: unknown): Readonly<Record<string, string>> | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new LeaseValidationError(field, 'must be an object of strings');
  const entries = Object.entries(value);
  if (entries.length > METADATA_MAX_ENTRIES)
    throw new LeaseValidationError(field, `may hold at most ${METADATA_MAX_ENTRIES} entries, got ${entries.length}`);
  for (const [key, v] of entries) {
    if (!METADATA_KEY.test(key))
      throw new LeaseValidationError(`${field}.${key}`, 'is not a valid key (1-64 characters of A-Z a-z 0-9 _ . : -)');
    if (typeof v !== 'string') throw new LeaseValidationError(`${field}.${key}`, `must be a string, got ${typeof v}`);
    if (v.length > METADATA_MAX_VALUE_LENGTH)
      throw new LeaseValidationError(`${field}.${key}`, `must be at most ${METADATA_MAX_VALUE_LENGTH} characters`);
  }
  return Object.freeze(Object.fromEntries(entries)) as Readonly<Record<string, string>>;
}

export function validateSignal(field: string, value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal)) throw new LeaseValidationError(field, 'must be an AbortSignal');
  return value;
}

export function validateFunction<T>(field: string, value: T | undefined): T | undefined {
  if (value !== undefined && typeof value !== 'function') throw new LeaseValidationError(field, 'must be a function');
  return value;
}
