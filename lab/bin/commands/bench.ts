/**
 * `baton bench`: Baton side by side with the DynamoDB lock libraries on one
 * DynamoDB Local (docs/decisions/bench-method.md). Prints a table and writes bench-report.json and
 * bench-report.html to the current directory.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseCommand } from 'baton-lease/internal';
import {
  PeersUnavailableError,
  SOAK_DEFAULTS,
  SYSTEM_NAMES,
  benchVerdict,
  htmlReport,
  markdownTable,
  resolveBenchParams,
  runBench,
  terminalTable,
} from '../../bench/index.js';

const USAGE = `usage: baton bench [--quick] [--systems a,b] [--soak] [--soak-minutes n] [--no-install] [--markdown]

Measures raw conditional UpdateItem, Baton, dynamodb-lock-client (fail-open and
fail-closed) and @deliveryhero/dynamodb-lock against one DynamoDB Local it
starts itself, and writes bench-report.json and bench-report.html here.

  --quick        fewer repetitions (same figures, same request counts), a few minutes
  --systems      a subset of: ${SYSTEM_NAMES.join(', ')}
  --soak         also run the soak: one leader renewing for 30 minutes (heap, handles, p99 per minute)
  --soak-minutes the soak's length in minutes instead of 30 (implies --soak)
  --no-install   fail instead of installing missing peer libraries (npm ci --prefix lab/bench/peers)
  --markdown     also print the table as Markdown (for docs/benchmarks.md)

Exit status: 0 when every target was met (a target the run cannot check, such
as one that needs raw when --systems leaves it out, does not count), 1 when a
target was missed or the bench could not run, 2 for a usage mistake. The
reports are written either way.`;

export async function run(argv: string[]): Promise<number> {
  const options = parseCommand(
    argv,
    {
      quick: { type: 'boolean', default: false },
      systems: { type: 'string' },
      soak: { type: 'boolean', default: false },
      'soak-minutes': { type: 'string' },
      'no-install': { type: 'boolean', default: false },
      markdown: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    USAGE,
  );
  if (typeof options === 'number') return options;
  let params;
  try {
    const soakMinutes =
      options['soak-minutes'] !== undefined
        ? Number(options['soak-minutes'])
        : options.soak
          ? SOAK_DEFAULTS.minutes
          : undefined;
    params = resolveBenchParams({
      quick: options.quick,
      ...(options.systems === undefined ? {} : { systems: options.systems }),
      ...(soakMinutes === undefined ? {} : { soakMinutes }),
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  // The SDK warns once per process on Node 20; the bench's output is its table.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  try {
    const report = await runBench(params, {
      install: !options['no-install'],
      log: (line) => console.error(`[bench] ${line}`),
    });
    const json = resolve('bench-report.json');
    const html = resolve('bench-report.html');
    await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(html, htmlReport(report));
    console.log(terminalTable(report));
    if (options.markdown) console.log(`\n${markdownTable(report)}`);
    console.log(`\nwrote ${json}\nwrote ${html}`);
    // The exit status is the verdict: 0 when every target Baton could be checked against was met, 1 when one was missed.
    return benchVerdict(report).ok ? 0 : 1;
  } catch (error) {
    if (error instanceof PeersUnavailableError) {
      console.error(`baton bench: ${error.message}`);
      return 1;
    }
    console.error('baton bench failed:', error);
    return 1;
  }
}
