/**
 * Flag handling shared by the subcommands: one way to print usage, to reject
 * a bad flag (exit 2), and to read integers and lists.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake in the command line; the command prints it with its usage and exits 2. */
export class UsageError extends Error {}

/**
 * Parses `argv` strictly against `options` (which should include `help`).
 * Returns the parsed values, or the exit code when the command is done:
 * 0 after printing `usage` for `--help`, 2 after printing a bad flag's error.
 */
export function parseCommand<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, usage: string) {
  try {
    const { values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false });
    if ((values as { help?: boolean }).help) {
      console.log(usage);
      return 0;
    }
    return values;
  } catch (error) {
    return usageError(error, usage);
  }
}

/** Prints a mistake with the usage and gives the exit code, 2. Anything but a usage mistake is rethrown. */
export function usageError(error: unknown, usage: string): number {
  if (!(error instanceof UsageError) && !(error instanceof TypeError && 'code' in error)) throw error;
  console.error(`${(error as Error).message}\n\n${usage}`);
  return 2;
}

/** A decimal integer flag within [min, max]. */
export function integerFlag(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

/** A comma-separated subset of `known`, or `all`; returned in `known`'s order, without duplicates. */
export function listFlag<T extends string>(flag: string, value: string, known: readonly T[]): T[] {
  if (value === 'all') return [...known];
  const names = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const unknown = names.filter((n) => !(known as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new UsageError(`${flag}: unknown ${unknown.length > 0 ? `"${unknown.join('", "')}"` : 'empty list'}; expected ${known.join(', ')} or all`);
  }
  return known.filter((k) => names.includes(k));
}
