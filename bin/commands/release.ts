import { LeaseLostError } from '../../lib/runtime/index.js';
import { integerFlag, parseWithPositionals, UsageError } from './args.js';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, connect, runOperator, through } from './connection.js';

const USAGE = `usage: baton release <lease> --token N [--table T] [--region R] [--endpoint URL]

Force-releases a stuck lease: frees exactly the tenure with fencing token N,
and only if it is still the current one (one conditional write). The token
stays on the item, so the next holder gets N + 1 and the stuck holder's late
fenced writes are refused. Read the token with \`baton status\` first.
A lease that is already free is left as it is (exit 0).

  <lease>         the lease name, e.g. nightly-report
  --token N       the fencing token of the tenure to free, a whole number from 1
${CONNECTION_USAGE}`;

/** `baton release`: an operator's conditional force-release. */
export async function run(argv: string[]): Promise<number> {
  return runOperator(USAGE, async () => {
    const parsed = parseWithPositionals(
      argv,
      { ...CONNECTION_OPTIONS, token: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      USAGE,
      ['lease'],
    );
    if (typeof parsed === 'number') return parsed;
    const [name] = parsed.positionals as [string];
    if (parsed.values.token === undefined)
      throw new UsageError('missing --token N: the fencing token of the tenure to free (baton status shows it)');
    const token = integerFlag('--token', parsed.values.token, 1, Number.MAX_SAFE_INTEGER);
    const connection = connect(parsed.values);
    try {
      await through(connection, (leases) => leases.forceRelease(name, { token }));
      console.log(`released ${name} at token ${token}`);
      return 0;
    } catch (error) {
      if (!(error instanceof LeaseLostError)) throw error;
      const current = error.current;
      if (current?.holder === undefined) {
        console.log(
          `${name} ${current === undefined ? 'has never been acquired' : `is already free at token ${current.token}`}: nothing to release`,
        );
        return 0;
      }
      const until = new Date(current.expiresAt).toISOString();
      console.error(
        `baton release: not released: token ${token} is not the current tenure; ${current.holder} holds ` +
          `${name} at token ${current.token} until ${until} (baton status ${name} shows it)`,
      );
      return 1;
    } finally {
      connection.client.destroy();
    }
  });
}
