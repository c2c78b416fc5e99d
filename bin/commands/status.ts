import { parseWithPositionals } from './args.js';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, connect, formatLease, runOperator, through } from './connection.js';

const USAGE = `usage: baton status <lease> [--json] [--table T] [--region R] [--endpoint URL]

Shows a lease item as one strongly consistent read sees it.

  <lease>         the lease name, e.g. nightly-report
  --json          print the item as JSON (null when the lease was never acquired)
${CONNECTION_USAGE}`;

/** `baton status`: one consistent read of a lease. */
export async function run(argv: string[]): Promise<number> {
  return runOperator(USAGE, async () => {
    const parsed = parseWithPositionals(
      argv,
      { ...CONNECTION_OPTIONS, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      USAGE,
      ['lease'],
    );
    if (typeof parsed === 'number') return parsed;
    const [name] = parsed.positionals as [string];
    const connection = connect(parsed.values);
    try {
      const item = await through(connection, (leases) => leases.describe(name));
      console.log(parsed.values.json ? JSON.stringify(item ?? null) : formatLease(name, item, Date.now()));
      return 0;
    } finally {
      connection.client.destroy();
    }
  });
}
