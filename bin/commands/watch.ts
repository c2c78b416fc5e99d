import { parseArgs } from 'node:util';
import { CONNECTION_OPTIONS, CONNECTION_USAGE, connect } from './connection.js';

const USAGE = `usage: baton watch <lease> [--interval ms] [--duration s] [--table T] [--region R] [--endpoint URL]

Prints a line each time the lease changes hands or is renewed or released.
Stops after --duration seconds (default 60) or on Ctrl-C. Each poll is one
strongly consistent read (0.5 read units a second at the default interval).
${CONNECTION_USAGE}`;

/** `baton watch`: follows a lease's tenures. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...CONNECTION_OPTIONS, interval: { type: 'string', default: '1000' }, duration: { type: 'string', default: '60' }, help: { type: 'boolean' } },
  });
  const [name] = positionals;
  const intervalMs = Number(values.interval);
  const durationS = Number(values.duration);
  if (values.help || name === undefined || !(intervalMs >= 100) || !(durationS > 0)) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const { leases, client } = connect(values);
  const stop = new AbortController();
  const onSigint = () => stop.abort();
  process.once('SIGINT', onSigint);
  const end = Date.now() + durationS * 1000;
  let last = '';
  try {
    while (!stop.signal.aborted && Date.now() < end) {
      const item = await leases.describe(name);
      const line = item?.holder
        ? `held by ${item.holder} token ${item.token} until ${new Date(item.expiresAt).toISOString()}`
        : `free at token ${item?.token ?? 0}${item?.lastTick ? `, lastTick ${new Date(item.lastTick).toISOString()}` : ''}`;
      if (line !== last) console.log(`${new Date().toISOString()}  ${line}`);
      last = line;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        stop.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
    client.destroy();
  }
}
