import { parseArgs } from 'node:util';
import { LeaseLostError } from '../../lib/runtime/index.js';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, connect } from './connection.js';

const USAGE = `usage: baton release <lease> --token N [--table T] [--region R] [--endpoint URL]

Force-releases a stuck lease: frees exactly the tenure with fencing token N,
and only if it is still the current one (one conditional write). The token
stays on the item, so the next holder gets N + 1 and the stuck holder's late
fenced writes are refused. Read the token with \`baton status\` first.
${CONNECTION_USAGE}`;

/** `baton release`: an operator's conditional force-release. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...CONNECTION_OPTIONS, token: { type: 'string' }, help: { type: 'boolean' } } });
  const [name] = positionals;
  const token = Number(values.token);
  if (values.help || name === undefined || !Number.isInteger(token) || token < 1) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const { leases, client } = connect(values);
  try {
    await leases.forceRelease(name, { token });
    console.log(`released ${name} at token ${token}`);
    return 0;
  } catch (error) {
    if (!(error instanceof LeaseLostError)) throw error;
    console.error(`not released: ${error.message}`);
    return 1;
  } finally {
    client.destroy();
  }
}
