import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULTS, type LeaseRecord } from '../../lib/runtime/index.js';
import { integerFlag, parseWithPositionals } from './args.js';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, connect, runOperator, through } from './connection.js';

const USAGE = `usage: baton watch <lease> [--renewals] [--interval ms] [--duration s] [--table T] [--region R] [--endpoint URL]

Prints a line each time the lease changes hands (holder or token), is
released, or expires without a release, and when a takeover becomes possible
(the expiry plus the default clock-skew allowance, ${DEFAULTS.maxClockSkewMs} ms). A holder's
renewals print nothing unless --renewals is given. Each poll is one strongly
consistent read of an item under 4 KB: 1 read unit, so 1 read unit a second at
the default interval (3,600 an hour; measured by npm run bench).

  <lease>         the lease name, e.g. nightly-report
  --renewals      also print a line at each renewal (each new expiry)
  --interval ms   time between polls, 100 to 60000 (default 1000)
  --duration s    stop after this many seconds, 1 to 86400 (default 60); Ctrl-C stops sooner
${CONNECTION_USAGE}`;

/** `baton watch`: follows a lease's tenures. */
export async function run(argv: string[]): Promise<number> {
  return runOperator(USAGE, async () => {
    const parsed = parseWithPositionals(
      argv,
      {
        ...CONNECTION_OPTIONS,
        renewals: { type: 'boolean' },
        interval: { type: 'string', default: '1000' },
        duration: { type: 'string', default: '60' },
        help: { type: 'boolean', short: 'h' },
      },
      USAGE,
      ['lease'],
    );
    if (typeof parsed === 'number') return parsed;
    const [name] = parsed.positionals as [string];
    const intervalMs = integerFlag('--interval', parsed.values.interval, 100, 60_000);
    const durationS = integerFlag('--duration', parsed.values.duration, 1, 86_400);
    const connection = connect(parsed.values);
    const stop = new AbortController();
    const onSigint = () => stop.abort();
    process.once('SIGINT', onSigint);
    const end = Date.now() + durationS * 1000;
    let last = '';
    try {
      while (!stop.signal.aborted && Date.now() < end) {
        const item = await through(connection, (leases) => leases.describe(name));
        const now = Date.now();
        const key = stateKey(item, now, { renewals: parsed.values.renewals === true });
        if (key !== last) console.log(`${new Date(now).toISOString()}  ${describeState(item, now)}`);
        last = key;
        // One timer per poll, cancelled by Ctrl-C; no listener outlives its wait.
        await sleep(Math.min(intervalMs, Math.max(0, end - Date.now())), undefined, { signal: stop.signal }).catch(
          () => {},
        );
      }
      return 0;
    } finally {
      process.off('SIGINT', onSigint);
      connection.client.destroy();
    }
  });
}

/**
 * What must change for `watch` to print a line: the holder, the token, or the
 * state (held, expired, open to a takeover, free); with `renewals`, the
 * expiry too, which moves at every renewal.
 */
export function stateKey(item: LeaseRecord | undefined, now: number, { renewals }: { renewals: boolean }): string {
  if (item === undefined) return 'never';
  const state =
    item.holder === undefined
      ? 'free'
      : now <= item.expiresAt
        ? 'held'
        : now <= item.expiresAt + DEFAULTS.maxClockSkewMs
          ? 'expired'
          : 'takeover';
  return [state, item.holder ?? '', item.token, renewals && state === 'held' ? item.expiresAt : ''].join(' ');
}

/**
 * The lease's state as a line that changes only when the state does: held,
 * released, expired (its holder stopped renewing) and, once the skew
 * allowance has passed too, open to a takeover.
 */
export function describeState(item: LeaseRecord | undefined, now: number): string {
  const iso = (ms: number) => new Date(ms).toISOString();
  if (item === undefined) return 'never acquired';
  if (item.holder === undefined)
    return `free at token ${item.token}${item.lastTick ? `, lastTick ${iso(item.lastTick)}` : ''}`;
  const takeoverAt = item.expiresAt + DEFAULTS.maxClockSkewMs;
  if (now <= item.expiresAt) return `held by ${item.holder} token ${item.token} until ${iso(item.expiresAt)}`;
  if (now <= takeoverAt) {
    return (
      `EXPIRED at ${iso(item.expiresAt)}: ${item.holder} (token ${item.token}) stopped renewing; ` +
      `a takeover is possible from ${iso(takeoverAt)}`
    );
  }
  return (
    `takeover possible: token ${item.token} of ${item.holder} expired at ${iso(item.expiresAt)} ` +
    `and the ${DEFAULTS.maxClockSkewMs} ms skew allowance has passed; the next acquire gets token ` +
    `${item.token + 1}`
  );
}
