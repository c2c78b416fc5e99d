/**
 * Flag handling shared by the subcommands: one way to print usage, to reject
 * a bad flag (exit 2), and to read integers and lists.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
/** What `parseArgs` gives for `options`: named here so that the compiled declarations can name it too. */
export type ParsedValues<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: true }>
>['values'];

/** A mistake in the command line; the command prints it with its usage and exits 2. */
export class UsageError extends Error {}

/**
 * Parses `argv` strictly against `options` (which should include `help`).
 * Returns the parsed values, or the exit code when the command is done:
 * 0 after printing `usage` for `--help`, 2 after printing a bad flag's error.
 */
export function parseCommand<O extends Options>(argv: string[], options: O, usage: string): ParsedValues<O> | number {
  const parsed = parseWithPositionals(argv, options, usage, []);
  return typeof parsed === 'number' ? parsed : parsed.values;
}

/**
 * {@link parseCommand} for a command that takes exactly the positional
 * arguments `names` (in order): a missing or an extra one is a usage mistake.
 */
export function parseWithPositionals<O extends Options>(
  argv: string[],
  options: O,
  usage: string,
  names: readonly string[],
): { values: ParsedValues<O>; positionals: string[] } | number {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options,
      strict: true as const,
      allowPositionals: names.length > 0,
    });
    if ((values as { help?: boolean }).help) {
      console.log(usage);
      return 0;
    }
    const missing = names.slice(positionals.length);
    if (missing.length > 0) throw new UsageError(`missing <${missing.join('> <')}>`);
    const extra = positionals.slice(names.length);
    if (extra.length > 0)
      throw new UsageError(
        `unexpected argument${extra.length > 1 ? 's' : ''} "${extra.join('", "')}" (only <${names.join('> <')}> ` +
          `goes without a flag)`,
      );
    return { values, positionals };
  } catch (error) {
    return usageError(error, usage);
  }
}

/**
 * Prints a usage mistake as one line on stderr (`baton status: missing
 * <lease>; baton status --help shows the usage`) and gives the exit code, 2.
 * Anything but a usage mistake is rethrown.
 */
export function usageError(error: unknown, usage: string): number {
  if (!(error instanceof UsageError) && !(error instanceof TypeError && 'code' in error)) throw error;
  const command = /^usage: (\S+(?: [a-z-]+)?)/.exec(usage)?.[1] ?? 'baton';
  console.error(`${command}: ${usageMessage(error as Error & { code?: string })}; ${command} --help shows the usage`);
  return 2;
}

/** Node's parseArgs messages, shortened to what a person needs; our own as they are. */
function usageMessage(error: Error & { code?: string }): string {
  const flag = /'(-[^' ]+)/.exec(error.message)?.[1];
  const value = /'([^']+)'/.exec(error.message)?.[1];
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${flag ?? error.message}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return flag && /argument missing/.test(error.message)
        ? `${flag} needs a value`
        : (error.message.split('\n')[0] ?? error.message);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument "${value ?? error.message}"`;
    default:
      return error.message.split('\n')[0] ?? error.message;
  }
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
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const unknown = names.filter((n) => !(known as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new UsageError(
      `${flag}: unknown ${unknown.length > 0 ? `"${unknown.join('", "')}"` : 'empty list'}; expected ${known.join(', ')} or all`,
    );
  }
  return known.filter((k) => names.includes(k));
}
