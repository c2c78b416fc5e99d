import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createLeaseTable } from 'baton-lease';
import { hashString, Prng } from '../sim/prng.js';
import { startDynamoDBLocal, type DynamoDBLocal } from 'baton-lease/testing';
import { startFaultProxy, type FaultProxy, type ForcedFault } from 'baton-lease/internal';
import { localDynamoDBClient } from 'baton-lease/testing';
import { checkHistory, type CheckResult } from './checker.js';
import { readFinalState, type FinalState } from './final-state.js';
import { HistoryWriter, readHistory, type CampaignParameters, type HistoryRecord } from './history.js';
import { ChaosNemesis, CHAOS_FAULTS, drawOffset, planSchedule, type FaultKind, type NetworkFault } from './nemesis.js';
import { buildReport, type ChaosReport } from './report.js';
import type { VariantRef } from './variant.js';
import { ChaosWorkers } from './workers.js';

/** Every default of a campaign, in one place. */
export const CAMPAIGN_DEFAULTS = {
  workers: 6,
  /** The nemesis phase; `--quick` uses `quickDurationMs`. */
  durationMs: 120_000,
  quickDurationMs: 60_000,
  /** Mean time between nemesis actions; `--quick` acts twice as often. */
  meanIntervalMs: 2_000,
  quickMeanIntervalMs: 1_000,
  /** `D`, `M`, `S`: short, so that a minute holds dozens of tenures. */
  leaseDurationMs: 2_000,
  safetyMarginMs: 250,
  maxClockSkewMs: 200,
  /** One side effect per tick while leading. */
  tickMs: 250,
  resources: 3,
  prepareMaxMs: 100,
  /** The SDK's per-attempt timeout: well below `D` (docs/protocol.md, "Note on timeouts"). */
  requestTimeoutMs: 600,
  /** After the faults stop, the healed system runs this long before the workers are stopped. */
  quietMs: 2_000,
  /** Workers asked to stop get this long to release and exit before SIGKILL. */
  stopGraceMs: 5_000,
  /** Everything but the nemesis phase (start, spawn, stop, scan, check) must fit in this. */
  overheadBudgetMs: 180_000,
} as const;

/** Options of {@link runCampaign}. */
export interface CampaignOptions {
  readonly seed: number;
  /** Length of the nemesis phase, in ms. @default 120000, or 60000 with `quick` */
  readonly durationMs?: number;
  /** @default 6 */
  readonly workers?: number;
  /** Shorter, denser: a minute with an action every second on average. */
  readonly quick?: boolean;
  /** Skew clocks beyond `maxClockSkewMs` on purpose. */
  readonly skewBeyond?: boolean;
  /** An already running DynamoDB Local (tests share one). @default start one, and stop it at the end */
  readonly endpoint?: string;
  /** Keep the history log here. @default a temporary file, deleted at the end */
  readonly historyPath?: string;
  /** Restrict the nemesis to these kinds of fault. @default all */
  readonly kinds?: readonly FaultKind[];
  /** Mean time between nemesis actions, in ms. */
  readonly meanIntervalMs?: number;
  /**
   * How many resource items ticks are spread over. One item makes every write
   * of a superseded holder meet its successor's fence; each item holds about
   * 20 minutes of writes under DynamoDB's 400 KB item limit. @default 3
   */
  readonly resources?: number;
  /** A protocol variant broken on purpose. Tests only: the CLI has no way to set it. */
  readonly variant?: VariantRef;
  /** Progress lines (and workers' stderr). @default discard */
  readonly log?: (line: string) => void;
  /** Cuts the nemesis phase short; the campaign still stops, scans and checks. */
  readonly signal?: AbortSignal;
}

export interface CampaignResult {
  readonly report: ChaosReport;
  readonly check: CheckResult;
  readonly records: readonly HistoryRecord[];
  readonly finalState: FinalState;
}

/**
 * A Jepsen-style safety campaign against the real protocol on DynamoDB Local:
 * `workers` processes run `runAsLeader` through a fault-injecting proxy while a
 * seeded nemesis kills, pauses and skews them and breaks the network; then every
 * process is stopped, the tables are scanned consistently, and the checker
 * judges the history log against that scan.
 *
 * Bounded: the whole run is cut off (every process SIGKILLed by PID) after the
 * nemesis phase plus `overheadBudgetMs`, and nothing it started survives it.
 *
 * @example
 * ```ts
 * const { report } = await runCampaign({ seed: 7, quick: true });
 * if (report.unexplainedViolations > 0) process.exitCode = 1;
 * ```
 */
export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const o = resolveOptions(options);
  const log = options.log ?? (() => {});
  const started = performance.now();
  const watchdog = AbortSignal.timeout(o.durationMs + CAMPAIGN_DEFAULTS.overheadBudgetMs);
  const tempDir = options.historyPath ? undefined : mkdtempSync(join(tmpdir(), 'baton-chaos-'));
  const historyPath = options.historyPath ?? join(tempDir!, 'history.jsonl');
  let db: DynamoDBLocal | undefined;
  let admin: DynamoDBClient | undefined;
  let proxy: FaultProxy | undefined;
  let pool: ChaosWorkers | undefined;
  let history: HistoryWriter | undefined;
  const onWatchdog = () => pool?.killAllNow();
  watchdog.addEventListener('abort', onWatchdog, { once: true });
  try {
    let endpoint = options.endpoint;
    if (endpoint === undefined) {
      log('starting DynamoDB Local');
      db = await startDynamoDBLocal();
      endpoint = db.endpoint;
    }
    admin = localDynamoDBClient(endpoint);
    const suffix = `${o.seed}-${process.pid}-${Date.now().toString(36)}`;
    const tables = {
      leaseTable: `baton-chaos-leases-${suffix}`,
      resourceTable: `baton-chaos-resource-${suffix}`,
      leaseName: 'chaos/leader',
    };
    // The resource table has the lease table's shape (pk/sk strings); the same helper creates it.
    await createLeaseTable(admin, tables.leaseTable);
    await createLeaseTable(admin, tables.resourceTable);

    const params: CampaignParameters = {
      seed: o.seed,
      leaseName: tables.leaseName,
      workers: o.workers,
      durationMs: o.durationMs,
      leaseDurationMs: CAMPAIGN_DEFAULTS.leaseDurationMs,
      safetyMarginMs: CAMPAIGN_DEFAULTS.safetyMarginMs,
      maxClockSkewMs: CAMPAIGN_DEFAULTS.maxClockSkewMs,
      tickMs: CAMPAIGN_DEFAULTS.tickMs,
      skewBeyond: o.skewBeyond,
      ...(options.variant ? { variant: options.variant.name } : {}),
    };
    history = new HistoryWriter(historyPath);
    history.append({ type: 'campaign', ...params });
    const writer = history;

    const prng = new Prng(o.seed);
    const proxyRandom = prng.fork('proxy');
    const offsetRandom = prng.fork('offsets');
    const forcedRandom = prng.fork('forced');
    const FORCED: Record<NetworkFault, () => ForcedFault> = {
      latency: () => 'latency-spike',
      reset: () => 'reset',
      error: () =>
        forcedRandom.pick([
          'InternalServerError',
          'ServiceUnavailable',
          'ProvisionedThroughputExceededException',
          'ThrottlingException',
        ] as const),
      drop: () => 'drop',
    };
    proxy = await startFaultProxy({
      upstream: endpoint,
      random: () => proxyRandom.next(),
      lifetimeMs: o.durationMs + CAMPAIGN_DEFAULTS.overheadBudgetMs,
      dropHoldMs: CAMPAIGN_DEFAULTS.requestTimeoutMs + 400,
      onFault: (fault) => writer.append({ type: 'proxy-fault', fault }),
    });
    const network = proxy;

    log(`spawning ${o.workers} workers`);
    pool = new ChaosWorkers({
      count: o.workers,
      endpoint: proxy.endpoint,
      config: {
        ...tables,
        resources: o.resources,
        leaseDurationMs: params.leaseDurationMs,
        safetyMarginMs: params.safetyMarginMs,
        maxClockSkewMs: params.maxClockSkewMs,
        tickMs: params.tickMs,
        prepareMaxMs: CAMPAIGN_DEFAULTS.prepareMaxMs,
        requestTimeoutMs: CAMPAIGN_DEFAULTS.requestTimeoutMs,
        historyPath,
        lifetimeMs: o.durationMs + CAMPAIGN_DEFAULTS.overheadBudgetMs,
        ...(options.variant ? { variant: options.variant } : {}),
      },
      offsetsMs: Array.from({ length: o.workers }, () => drawOffset(offsetRandom, params)),
      seedFor: (id, inc) => hashString(`${o.seed}:${id}:${inc}`),
      log,
    });
    const workers = pool;
    await pool.start();

    const nemesis = new ChaosNemesis(
      {
        workers: () => workers.list(),
        leader: () => workers.leader(),
        kill: (id) => workers.kill(id),
        respawn: (id) => workers.respawn(id),
        pause: (id) => workers.pause(id),
        resume: (id) => workers.resume(id),
        setSkew: (id, offsetMs) => workers.setSkew(id, offsetMs),
        setNetwork: (profile) => network.setFaults(profile),
        forceNetworkFault: (fault) => network.forceNext(FORCED[fault]()),
      },
      history,
      { leaseDurationMs: params.leaseDurationMs, maxDown: Math.ceil(o.workers / 2), log },
    );
    const steps = planSchedule({
      seed: o.seed,
      workers: o.workers,
      durationMs: o.durationMs,
      meanIntervalMs: o.meanIntervalMs,
      leaseDurationMs: params.leaseDurationMs,
      maxClockSkewMs: params.maxClockSkewMs,
      safetyMarginMs: params.safetyMarginMs,
      skewBeyond: o.skewBeyond,
      ...(options.kinds ? { kinds: options.kinds } : {}),
    });
    log(`nemesis: ${steps.length} actions over ${o.durationMs / 1000} s`);
    const phase = AbortSignal.any([watchdog, ...(options.signal ? [options.signal] : [])]);
    const nemesisStarted = performance.now();
    await nemesis.run(steps, phase);
    const rest = o.durationMs - (performance.now() - nemesisStarted);
    if (rest > 0 && !phase.aborted) await sleep(rest, undefined, { signal: phase }).catch(() => undefined);
    log('healing, then stopping the workers');
    await nemesis.heal();
    if (!phase.aborted) await sleep(CAMPAIGN_DEFAULTS.quietMs);
    await pool.stopAll(CAMPAIGN_DEFAULTS.stopGraceMs);
    history.append({ type: 'end', proxy: proxy.stats() });
    await proxy.close();
    history.close();
    if (watchdog.aborted)
      throw new Error(
        `chaos campaign exceeded its time budget (${o.durationMs + CAMPAIGN_DEFAULTS.overheadBudgetMs} ms)`,
      );

    log('scanning the tables and checking the history');
    const finalState = await readFinalState(admin, tables);
    const { records } = readHistory(historyPath);
    const check = checkHistory(records, finalState);
    const report = buildReport(records, check, performance.now() - started);
    return { report, check, records, finalState };
  } finally {
    watchdog.removeEventListener('abort', onWatchdog);
    pool?.killAllNow();
    history?.close();
    await proxy?.close();
    admin?.destroy();
    await db?.stop();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  }
}

function resolveOptions(options: CampaignOptions) {
  const { seed } = options;
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new RangeError(`seed must be a non-negative integer, got ${String(seed)}`);
  const quick = options.quick ?? false;
  const durationMs = options.durationMs ?? (quick ? CAMPAIGN_DEFAULTS.quickDurationMs : CAMPAIGN_DEFAULTS.durationMs);
  if (!Number.isSafeInteger(durationMs) || durationMs < 5_000 || durationMs > 3_600_000) {
    throw new RangeError(
      `durationMs must be an integer from 5000 to 3600000 (an hour keeps resource logs under DynamoDB's ` +
        `item limit), got ${String(durationMs)}`,
    );
  }
  const workers = options.workers ?? CAMPAIGN_DEFAULTS.workers;
  if (!Number.isSafeInteger(workers) || workers < 2 || workers > 32)
    throw new RangeError(`workers must be an integer from 2 to 32, got ${String(workers)}`);
  const meanIntervalMs =
    options.meanIntervalMs ?? (quick ? CAMPAIGN_DEFAULTS.quickMeanIntervalMs : CAMPAIGN_DEFAULTS.meanIntervalMs);
  if (!(meanIntervalMs >= 100))
    throw new RangeError(`meanIntervalMs must be at least 100, got ${String(meanIntervalMs)}`);
  for (const kind of options.kinds ?? []) CHAOS_FAULTS.get(kind);
  const resources = options.resources ?? CAMPAIGN_DEFAULTS.resources;
  if (!Number.isSafeInteger(resources) || resources < 1 || resources * 20 * 60_000 < durationMs) {
    throw new RangeError(
      `resources must be an integer of at least 1, and at least one per 20 minutes of campaign (${Math.ceil(durationMs / 1_200_000)}), ` +
        `got ${String(resources)}`,
    );
  }
  return { seed, durationMs, workers, meanIntervalMs, resources, skewBeyond: options.skewBeyond ?? false };
}
