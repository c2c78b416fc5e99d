import { parseArgs } from 'node:util';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, connect, formatLease } from './connection.js';

const USAGE = `usage: baton status <lease> [--json] [--table T] [--region R] [--endpoint URL]

Shows a lease item as one strongly consistent read sees it.
${CONNECTION_USAGE}`;

/** `baton status`: one consistent read of a lease. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...CONNECTION_OPTIONS, json: { type: 'boolean' }, help: { type: 'boolean' } } });
  const [name] = positionals;
  if (values.help || name === undefined) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const { leases, client } = connect(values);
  try {
    const item = await leases.describe(name);
    console.log(values.json ? JSON.stringify(item ?? null) : formatLease(name, item, Date.now()));
    return 0;
  } finally {
    client.destroy();
  }
}
