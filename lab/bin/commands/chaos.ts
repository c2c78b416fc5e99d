import { resolve } from 'node:path';
import { integerFlag, parseCommand, usageError } from 'baton-lease/internal';
import { writeReportFiles } from '../../harness/report/index.js';
import { CAMPAIGN_DEFAULTS, runCampaign } from '../../chaos/campaign.js';
import { renderHtml } from '../../chaos/report-html.js';
import { formatSummary } from '../../chaos/report.js';

const USAGE = `usage: baton chaos [--duration <s>] [--seed <n>] [--quick] [--workers <n>] [--skew-beyond] [--history <file>] [--verbose]

A fault-injection safety campaign on DynamoDB Local: worker processes run
runAsLeader through a fault-injecting proxy and write a fenced resource, while
a seeded nemesis SIGKILLs and SIGSTOPs them, skews their clocks and breaks the
network (latency, resets, 500/503/throttling, dropped responses). A checker
then judges the history log against a consistent scan of the tables. Writes
chaos-report.json and chaos-report.html to the current directory. Exits 1 if
it found a violation that no broken assumption explains.

  --duration     seconds of faults (default ${CAMPAIGN_DEFAULTS.durationMs / 1000}, or ${CAMPAIGN_DEFAULTS.quickDurationMs / 1000} with --quick)
  --seed         non-negative integer (default 1): the same seed plans the same faults
  --quick        a short, dense campaign: every kind of fault within the first seconds
  --workers      worker processes, 2 to 32 (default ${CAMPAIGN_DEFAULTS.workers})
  --skew-beyond  skew clocks beyond maxClockSkewMs (${CAMPAIGN_DEFAULTS.maxClockSkewMs} ms) on purpose: tenures may
                 then overlap (reported, marked as explained by the skew) while the
                 fencing token must still keep the resource safe
  --history      keep the history log (JSON lines) in this file
  --verbose      also print the workers' stderr (the campaign's phases are always printed)`;

/** `baton chaos`: see USAGE and docs/decisions/chaos-campaign.md. */
export async function run(argv: string[]): Promise<number> {
  const values = parseCommand(
    argv,
    {
      duration: { type: 'string' },
      seed: { type: 'string', default: '1' },
      quick: { type: 'boolean', default: false },
      workers: { type: 'string', default: String(CAMPAIGN_DEFAULTS.workers) },
      'skew-beyond': { type: 'boolean', default: false },
      history: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    USAGE,
  );
  if (typeof values === 'number') return values;
  let seed: number;
  let workers: number;
  let durationMs: number | undefined;
  try {
    seed = integerFlag('--seed', values.seed, 0, 2 ** 32 - 1);
    workers = integerFlag('--workers', values.workers, 2, 32);
    durationMs =
      values.duration === undefined ? undefined : integerFlag('--duration', values.duration, 5, 3_600) * 1000;
  } catch (error) {
    return usageError(error, USAGE);
  }

  // The SDK warns about Node 20 on its first client; the campaign's admin client would print it mid-run.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  // Ctrl-C cuts the fault phase short; the campaign still stops its processes, scans and checks.
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const started = Date.now();
  // The campaign's phases always (a minute of silence reads as a hang); the workers' own stderr only with --verbose.
  const progress = (line: string) => {
    if (values.verbose || !/^\[[^\]\s]+\.\d+\] /.test(line))
      console.error(`[chaos +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);
  };
  try {
    const { report, check, records } = await runCampaign({
      seed,
      workers,
      quick: values.quick,
      skewBeyond: values['skew-beyond'],
      ...(durationMs === undefined ? {} : { durationMs }),
      ...(values.history ? { historyPath: resolve(values.history) } : {}),
      log: progress,
      signal: interrupt.signal,
    });
    const { jsonPath, htmlPath } = writeReportFiles(
      resolve('.'),
      'chaos-report',
      report,
      renderHtml(report, check, records),
    );
    console.log(formatSummary(report));
    console.log(`\nwrote ${jsonPath}\nwrote ${htmlPath}`);
    return report.unexplainedViolations > 0 ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
