import { DynamoDBLeaseStore, type StepRecord } from '../../lib/runtime/index.js';
import { validateLeaseName } from '../../lib/runtime/validate.js';
import { parseWithPositionals, UsageError } from './args.js';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, connect, runOperator, through } from './connection.js';

const USAGE = `usage: baton steps <lease> --tick T [--json] [--table T] [--region R] [--endpoint URL]

Shows the step journal of one tick (docs/protocol.md#steps): each recorded
step, the fencing token and holder of the tenure that recorded it, when, and
its value. One consistent Query, plus one read of the lease to say whether
the tick is done.

  <lease>         the lease name, e.g. nightly-report
  --tick T        the tick: the scheduled time as ISO-8601 (event.time, e.g.
                  2026-11-26T06:00:00Z) or epoch milliseconds
  --json          print the records as JSON
${CONNECTION_USAGE}`;

/** `baton steps`: a tick's step journal. */
export async function run(argv: string[]): Promise<number> {
  return runOperator(USAGE, async () => {
    const options = {
      ...CONNECTION_OPTIONS,
      tick: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    } as const;
    const parsed = parseWithPositionals(argv, options, USAGE, ['lease']);
    if (typeof parsed === 'number') return parsed;
    const [name] = parsed.positionals as [string];
    validateLeaseName('name', name);
    if (parsed.values.tick === undefined)
      throw new UsageError('missing --tick T: the scheduled time of the tick (ISO-8601 or epoch ms)');
    const tick = parseTick(parsed.values.tick);
    const connection = connect(parsed.values);
    try {
      const store = new DynamoDBLeaseStore(connection.client, connection.tableName);
      const records = await through(connection, () => store.readSteps({ name, tick }));
      const lease = await through(connection, (leases) => leases.describe(name));
      const done = lease?.lastTick !== undefined && lease.lastTick >= tick;
      console.log(
        parsed.values.json
          ? JSON.stringify({ lease: name, tick, done, steps: records })
          : formatJournal(name, tick, done, records, Date.now()),
      );
      return 0;
    } finally {
      connection.client.destroy();
    }
  });
}

/** `--tick`: epoch ms, or an ISO-8601 time as EventBridge sends it. */
function parseTick(value: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isSafeInteger(ms) || ms < 0)
    throw new UsageError(`--tick must be an ISO-8601 time or epoch milliseconds, got "${value}"`);
  return ms;
}

/** One line per recorded step, oldest first, for people. */
export function formatJournal(
  name: string,
  tick: number,
  done: boolean,
  records: readonly StepRecord[],
  now: number,
): string {
  const head =
    `${name} tick ${new Date(tick).toISOString()}: ${done ? 'done' : 'not done'}, ${records.length} ` +
    `step${records.length === 1 ? '' : 's'} recorded`;
  const rows = [...records]
    .sort((a, b) => a.recordedAt - b.recordedAt || a.step.localeCompare(b.step))
    .map((r) => {
      const value = r.value === undefined ? '(no value)' : r.value.length > 60 ? `${r.value.slice(0, 57)}...` : r.value;
      const expired = r.ttl * 1000 <= now ? ' (expired: ignored, deleted by TTL soon)' : '';
      return (
        `  ${r.step.padEnd(20)} token ${String(r.token).padEnd(4)} ${new Date(r.recordedAt).toISOString()} ` +
        ` ${r.holder}  ${value}${expired}`
      );
    });
  return [head, ...rows].join('\n');
}
