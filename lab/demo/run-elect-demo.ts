import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { scanResources } from '../chaos/resource.js';
import { BatonEnv, createLeaseTable } from 'baton-lease';
import { Prng } from '../sim/prng.js';
import { localDynamoDBClient, startDynamoDBLocal } from 'baton-lease/testing';
import { electTiming, type ElectDemoOptions } from './elect-options.js';
import { ElectWatch, playElectNemesis, type ElectWorkerConfig } from './elect-nemesis.js';
import type { ElectRunRecord, ElectWorkerRecord } from './elect-records.js';
import { renderElectReportHtml } from './elect-report-html.js';
import { buildElectReport, formatElectSummary, type ElectReport } from './elect-report.js';
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
import type { ElectWorkerMessage } from './elect-worker.js';

const TABLE_NAME = 'baton-demo';
const LEASE_NAME = 'baton-demo/elector';
/** The fenced resource's key (`pk`); it lives in the lease table, beside the lease item. */
const RESOURCE = 'baton-demo/elector-resource';
const WORKER_SCRIPT = fileURLToPath(new URL('./elect-worker.ts', import.meta.url));
const STOP_GRACE_MS = 3_000;
const READY_TIMEOUT_MS = 30_000;

/**
 * `baton demo --elect`: DynamoDB Local, the lease table, long-lived worker
 * processes each running `leases.elect(...)`, the scripted nemesis of
 * elect-nemesis.ts, and the report. Every process it starts is stopped
 * before it returns or throws, and SIGKILLed from the `exit` hook (or by the
 * pool's reaper) if the parent goes down first.
 */
export async function runElectDemo(options: ElectDemoOptions, io: DemoIo): Promise<DemoRun<ElectReport> | undefined> {
  const logDir = freshLogDir(io.cwd, 'demo-elect');
  const runLog = new EvidenceWriter(join(logDir, 'run.jsonl'), 'elector-run');
  const timing = electTiming(options);
  const startedAt = Date.now();
  const say = (line: string) => io.out.write(`${line}\n`);
  const t = () => `t+${((Date.now() - startedAt) / 1000).toFixed(1).padStart(5)}s`;
  say(
    `Baton elector demo: ${options.workers} workers, lease ${timing.durationMs} ms, renewal every ` +
      `${timing.renewEveryMs} ms, seed ${options.seed}`,
  );
  say('Starting DynamoDB Local on 127.0.0.1 ...');

  const db = await startDynamoDBLocal();
  const client = localDynamoDBClient(db.endpoint);
  let pool: WorkerPool<ElectWorkerMessage, ElectWorkerRecord> | undefined;
  try {
    await createLeaseTable(client, TABLE_NAME);
    say(
      `DynamoDB Local at ${db.endpoint}; table ${TABLE_NAME}; lease ${LEASE_NAME}. Logs in ${relative(io.cwd, logDir) || logDir}/`,
    );
    const watch = new ElectWatch();
    const record = (r: ElectRunRecord) => {
      runLog.append(r);
      if (r.type === 'exit') watch.exited(r.worker);
      const line = describeRunRecord(r);
      if (line) say(`  ${t()}  ${line}`);
    };
    const workers = new WorkerPool<ElectWorkerMessage, ElectWorkerRecord>({
      script: WORKER_SCRIPT,
      output: { dir: logDir },
      readyTimeoutMs: READY_TIMEOUT_MS,
      env: {
        ...localWorkerEnvironment(db.endpoint),
        [BatonEnv.tableName]: TABLE_NAME,
        [BatonEnv.leaseName]: LEASE_NAME,
        BATON_DEMO_LEASE_MS: String(timing.durationMs),
        BATON_DEMO_PREPARE_MS: `${options.prepareMinMs}-${options.prepareMaxMs}`,
        BATON_DEMO_RESOURCE: RESOURCE,
        BATON_DEMO_SEED: String(options.seed),
      },
      onMessage: (r) => {
        watch.observe(r);
        const line = describeWorkerRecord(r);
        if (line) say(`  ${t()}  ${line}`);
      },
      onRecord: record,
    });
    pool = workers;
    const spawn = (c: ElectWorkerConfig, replaces?: string) =>
      workers.spawn(
        demoWorker(workers.all.length, logDir, replaces, {
          BATON_DEMO_PRIORITY: String(c.priority),
          BATON_DEMO_CLOCK_FREE: c.clockFree ? '1' : '0',
          BATON_DEMO_OFFSET_MS: String(c.offsetMs),
        }),
      );
    say(`Starting ${options.workers} worker processes (each loads Node.js, tsx and the AWS SDK: a few seconds) ...`);
    for (let i = 0; i < options.workers; i++) spawn({ priority: 0, clockFree: false, offsetMs: 0 });
    await untilAborted(Promise.all(workers.all.map((w) => w.ready)), io.signal);
    if (io.signal.aborted) return undefined;

    await playElectNemesis({
      options,
      watch,
      random: new Prng(options.seed).fork('nemesis'),
      live: () => workers.live,
      spawn,
      record,
      say,
      signal: io.signal,
    });
    say(`\nStopping the workers (each releases what it holds) ...`);
    await workers.stopAll(STOP_GRACE_MS);
    if (io.signal.aborted) return undefined;

    const resources = await scanResources(DynamoDBDocumentClient.from(client), TABLE_NAME);
    const resourceLog = (resources.find((r) => r.id === RESOURCE)?.log ?? []).map((e) => ({
      token: e.token,
      wid: e.wid,
    }));
    runLog.close();
    const { unreadable, ...logs } = readRunLogs(logDir, { worker: 'elector-worker', run: 'elector-run' });
    const report = buildElectReport(
      { ...logs, resourceLog },
      {
        ...timing,
        seed: options.seed,
        workers: options.workers,
        prepareMinMs: options.prepareMinMs,
        prepareMaxMs: options.prepareMaxMs,
        allowanceMs: options.allowanceMs,
        wallClockUnderSkew: options.wallClockUnderSkew,
        skewLeaderBack: options.skewLeaderBack,
        tableName: TABLE_NAME,
        leaseName: LEASE_NAME,
        ...runSpan(io.cwd, logDir, startedAt),
      },
      unreadable,
    );
    return writeDemoReport(io.cwd, 'elect-report', report, {
      html: renderElectReportHtml(report),
      summary: formatElectSummary(report),
      say,
    });
  } finally {
    await pool?.stopAll(STOP_GRACE_MS);
    runLog.close();
    client.destroy();
    await db.stop();
  }
}

/** One line for the terminal, for the records worth a line. */
function describeWorkerRecord(r: ElectWorkerRecord): string | undefined {
  switch (r.type) {
    case 'ready':
      return `${r.worker} ready (priority ${r.priority}${r.clockFree ? ', clock-free' : ''})`;
    case 'acting-start':
      return `${r.worker} leads with token ${r.token}${r.takeover ? ' (takeover)' : ''}`;
    case 'acting-stop':
      return `${r.worker} stopped acting as token ${r.token}: ${r.reason}`;
    case 'write-done':
      return r.outcome === 'stale'
        ? `${r.worker}'s write with token ${r.token} REFUSED by the fence (fence ${r.fence ?? '?'})`
        : undefined;
    case 'handoff-requested':
      return `${r.worker} (priority ${r.priority}) asks the holder of token ${r.token} to hand over`;
    case 'done':
      return r.error ? `${r.worker}'s elector FAILED: ${r.error}` : undefined;
    default:
      return undefined;
  }
}

function describeRunRecord(r: ElectRunRecord): string | undefined {
  switch (r.type) {
    case 'spawn':
      return `started ${r.worker} (pid ${r.pid})${r.replaces ? ` to replace ${r.replaces}` : ''}`;
    case 'exit':
      return `${r.worker} exited (${r.signal ?? `code ${r.code}`})`;
    case 'kill':
      return `SIGKILL ${r.worker}, leading token ${r.token}`;
    case 'pause':
      return `SIGSTOP ${r.worker}, leading token ${r.token}, in the middle of preparing a write`;
    case 'resume':
      return `SIGCONT ${r.worker}: it still believes it leads with token ${r.token}`;
    case 'stop':
      return `stop ${r.worker}${r.token === undefined ? '' : `, leading token ${r.token}`}`;
    case 'skew':
      return `${r.worker}'s clock set ${r.offsetMs >= 0 ? '+' : ''}${r.offsetMs} ms`;
    default:
      return undefined;
  }
}
