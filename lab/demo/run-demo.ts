import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { BatonEnv, createLeaseTable, DEFAULTS } from 'baton-lease';
import { Prng } from '../sim/prng.js';
import { localDynamoDBClient, startDynamoDBLocal } from 'baton-lease/testing';
import {
  demoWorker,
  freshLogDir,
  readRunLogs,
  runSpan,
  untilAborted,
  writeDemoReport,
  type DemoIo,
  type DemoRun,
} from './demo-run.js';
import { EvidenceWriter } from '../harness/evidence.js';
import { localWorkerEnvironment, WorkerPool } from '../harness/worker-pool.js';
import { readLedger } from './ledger.js';
import { LiveView } from './live-view.js';
import { DemoNemesis } from './nemesis.js';
import type { DemoOptions } from './options.js';
import type { RunRecord, WorkerRecord } from './records.js';
import { renderReportHtml } from './report-html.js';
import { buildReport, type DemoReport } from './report-json.js';
import { ResourceMonitor } from './resource-monitor.js';
import { formatSummary } from './summary.js';
import { TickDriver } from './tick-driver.js';
import type { WorkerMessage } from './worker-process.js';

const TABLE_NAME = 'baton-demo';
const LEASE_NAME = 'baton-demo/example-job';
/** The last strike may hold the run open this many extra ticks, so a pause ends with its fenced write. */
const MAX_EXTRA_TICKS = 12;
const STOP_GRACE_MS = 3_000;
const READY_TIMEOUT_MS = 30_000;
/** The worker's entry, resolved from here so any cwd works. */
const WORKER_SCRIPT = fileURLToPath(new URL('./worker-process.ts', import.meta.url));

/**
 * `baton demo`: DynamoDB Local, the lease table, worker processes invoking the
 * real cron-singleton handler on a shared schedule with duplicate
 * deliveries, a nemesis killing and pausing the leader, a live view, and the
 * report. Every process it starts is stopped before it returns or throws,
 * and SIGKILLed from the `exit` hook if the parent goes down first.
 */
export async function runDemo(options: DemoOptions, io: DemoIo): Promise<DemoRun<DemoReport> | undefined> {
  const logDir = freshLogDir(io.cwd, 'demo');
  const runLog = new EvidenceWriter(join(logDir, 'run.jsonl'), 'lambda-run');
  const random = new Prng(options.seed);
  const startedAt = Date.now();
  const view = new LiveView({
    out: io.out,
    title: `Baton demo · ${options.workers} workers · tick ${options.tickS} s · seed ${options.seed}`,
    durationS: options.durationS,
  });
  view.say(`Baton demo: seed ${options.seed} (replay the same nemesis and duplicates with --seed ${options.seed})`);
  view.say('Starting DynamoDB Local on 127.0.0.1 ...');

  const db = await startDynamoDBLocal();
  const client = localDynamoDBClient(db.endpoint);
  let nemesis: DemoNemesis | undefined;
  let driver: TickDriver | undefined;
  let monitor: ResourceMonitor | undefined;
  let pool: WorkerPool<WorkerMessage, WorkerRecord> | undefined;
  try {
    await createLeaseTable(client, TABLE_NAME);
    view.say(
      `DynamoDB Local at ${db.endpoint}; table ${TABLE_NAME}; lease ${LEASE_NAME}. Logs in ${relative(io.cwd, logDir) || logDir}/`,
    );
    const record = (r: RunRecord) => {
      runLog.append(r);
      view.onRunRecord(r);
    };
    const workers = new WorkerPool<WorkerMessage, WorkerRecord>({
      script: WORKER_SCRIPT,
      env: workerEnvironment(db.endpoint, options),
      output: { dir: logDir },
      readyTimeoutMs: READY_TIMEOUT_MS,
      onMessage: (r) => {
        driver?.observe(r);
        nemesis?.observe(r);
        view.onWorkerRecord(r);
      },
      onRecord: record,
    });
    pool = workers;
    const spawn = (replaces?: string) => void workers.spawn(demoWorker(workers.all.length, logDir, replaces));
    view.say(
      `Starting ${options.workers} worker processes (each a Lambda execution environment running ` +
        `the real handler; each loads Node.js, tsx and the AWS SDK, a few seconds) ...`,
    );
    for (let i = 0; i < options.workers; i++) spawn();
    await untilAborted(workersReady(workers, view), io.signal);
    if (io.signal.aborted) return undefined;

    monitor = new ResourceMonitor({ client, tableName: TABLE_NAME, leaseName: LEASE_NAME, onSample: record });
    const tickMs = options.tickS * 1000;
    driver = new TickDriver({
      tickMs: options.tickS * 1000,
      duplicateRate: options.duplicateRate,
      random: random.fork('deliveries'),
      targets: () => workers.live.filter((w) => w.state === 'ready' || w.state === 'paused'),
      onRunRecord: record,
    });
    const firstTick = driver.nextTick();
    const ticks = Math.ceil(options.durationS / options.tickS);
    const endOfTicks = firstTick + ticks * tickMs;
    // The last strike's aftermath must fit before the end: the lease running out (function timeout + 1 s),
    // the skew allowance, a tick to take over on, the successor's work and write, and a tick to spare.
    const aftermathMs =
      options.functionTimeoutMs + 1_000 + DEFAULTS.maxClockSkewMs + 2 * tickMs + options.workMaxMs + 1_000;
    nemesis = new DemoNemesis({
      workers: () => workers.all,
      spawn,
      random: random.fork('nemesis'),
      maxClockSkewMs: DEFAULTS.maxClockSkewMs,
      tickMs,
      lastStrikeAt: endOfTicks - aftermathMs,
      onRunRecord: record,
    });
    // The nemesis's first strike comes 1.5 s at the earliest; a shorter run than that plus an aftermath has none.
    if (endOfTicks - aftermathMs < firstTick + 1_500) {
      view.say(
        `Note: --duration ${options.durationS} leaves the nemesis no room: a strike takes about ${Math.ceil(aftermathMs / 1000)} ` +
          `s to play out; --duration ${Math.ceil(aftermathMs / 1000) + 5} or more has strikes.`,
      );
    }
    monitor.start();
    view.start(firstTick);
    nemesis.start();
    const strikes = nemesis;
    let extended = false;
    await driver.run(ticks, io.signal, {
      first: firstTick,
      extendWhile: () => strikes.busy,
      maxExtra: MAX_EXTRA_TICKS,
      onExtend: (tick) => {
        if (!extended)
          view.note(
            tick,
            `--duration ${options.durationS} s reached while a strike plays out: ticking on (at most ${MAX_EXTRA_TICKS} ` +
              `more) until it ends`,
          );
        extended = true;
      },
    });
    nemesis.finish();
    // Let redeliveries land and the last invocations finish, then resume anyone still paused and let it finish too.
    const settle = options.functionTimeoutMs + 2_000;
    const deliveries = driver;
    const idle = (w: { readonly name: string }) => deliveries.pending(w.name) === 0;
    await until(() => workers.live.every((w) => idle(w) && w.state !== 'paused'), settle, io.signal);
    nemesis.stop();
    await until(() => workers.live.every(idle), settle, io.signal);
    driver.stop();
    await workers.stopAll(STOP_GRACE_MS);
    await monitor.stop();
    if (io.signal.aborted) return undefined;
    // The last frame shows the final state, the same the summary below it is computed from.
    record(await monitor.sample());
    view.stop();

    const ledger = await readLedger(client, TABLE_NAME, LEASE_NAME);
    runLog.close();
    const { unreadable, ...logs } = readRunLogs(logDir, { worker: 'lambda-worker', run: 'lambda-run' });
    const report = buildReport(
      { ...logs, ledger },
      {
        seed: options.seed,
        workers: options.workers,
        durationS: options.durationS,
        tickS: options.tickS,
        duplicateRate: options.duplicateRate,
        functionTimeoutMs: options.functionTimeoutMs,
        maxClockSkewMs: DEFAULTS.maxClockSkewMs,
        tableName: TABLE_NAME,
        leaseName: LEASE_NAME,
        ...runSpan(io.cwd, logDir, startedAt),
      },
      unreadable,
    );
    return writeDemoReport(io.cwd, 'demo-report', report, {
      html: renderReportHtml(report),
      summary: formatSummary(report),
      say: (line) => view.say(line),
    });
  } finally {
    nemesis?.stop();
    driver?.stop();
    view.stop();
    await pool?.stopAll(STOP_GRACE_MS);
    await monitor?.stop();
    runLog.close();
    client.destroy();
    await db.stop();
  }
}

/** A worker's whole environment, as a Lambda function's would be (see {@link localWorkerEnvironment}). */
function workerEnvironment(endpoint: string, options: DemoOptions): Record<string, string> {
  return {
    ...localWorkerEnvironment(endpoint),
    AWS_LAMBDA_FUNCTION_NAME: 'baton-demo-example-job',
    [BatonEnv.tableName]: TABLE_NAME,
    [BatonEnv.leaseName]: LEASE_NAME,
    [BatonEnv.serviceName]: 'baton-demo',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    BATON_DEMO_TIMEOUT_MS: String(options.functionTimeoutMs),
    BATON_DEMO_WORK_MS: `${options.workMinMs}-${options.workMaxMs}`,
    BATON_DEMO_SEED: String(options.seed),
  };
}

/** Resolves when every worker is ready, saying so for each, with a running count on a terminal meanwhile. */
async function workersReady(pool: WorkerPool<WorkerMessage, WorkerRecord>, view: LiveView): Promise<void> {
  const since = Date.now();
  let ready = 0;
  const elapsed = () => `${((Date.now() - since) / 1000).toFixed(1)} s`;
  const timer = setInterval(() => view.progress(`  ${ready} of ${pool.all.length} ready after ${elapsed()} ...`), 250);
  try {
    await Promise.all(
      pool.all.map((w) =>
        w.ready.then(() => {
          ready++;
          view.say(`  ${w.name} ready (pid ${w.pid}) after ${elapsed()}`);
        }),
      ),
    );
  } finally {
    clearInterval(timer);
  }
}

/** Resolves when `done()` holds, `ms` passed, or `signal` aborted. */
async function until(done: () => boolean, ms: number, signal: AbortSignal): Promise<void> {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end && !signal.aborted) await sleep(50);
}
