import { createLeaseTable } from 'baton-lease';
import { startDynamoDBLocal } from 'baton-lease/testing';
import { ClientPool } from './client-pool.js';
import { describeEnvironment, loadAverage1m, type BenchEnvironment } from './environment.js';
import { contentionClients, measureContention } from './figures/contention.js';
import { measureContenderGrowth, type ContenderGrowthPoint } from './figures/contender-growth.js';
import { measureFailover } from './figures/failover.js';
import { measureElector } from './figures/elector.js';
import { measureLatency } from './figures/latency.js';
import { measureLeaseGrowth, type LeaseGrowthPoint } from './figures/lease-growth.js';
import { measureRequests, type OperationUnits } from './figures/requests.js';
import { measureCost, type CostFigure } from './figures/cost.js';
import { measureColdStart, type ColdStartFigure, type ColdStartSkipped } from './figures/cold-start.js';
import { runSoak, type SoakFigure } from './figures/soak.js';
import { measureThroughput } from './figures/throughput.js';
import { buildSystems, needsPeers, SYSTEM_NAMES, type PeerPackage, type SystemName } from './registry.js';
import type { BenchParams } from './options.js';
import { loadPeers } from './peers.js';
import { ratios } from './ratios.js';
import { FIGURES, type BenchResult, type FigureName } from './result.js';
import { checkTargets, type TargetCheck } from './targets.js';

/** The soak's own table: nothing else in the run touches it. */
const SOAK_TABLE = 'bench-soak';

/** What `bench-report.json` holds. */
export interface BenchReport {
  readonly params: BenchParams & {
    readonly environment: BenchEnvironment;
    readonly peers: Readonly<Partial<Record<PeerPackage, string>>>;
    /** Each system's options as configured by its adapter. */
    readonly settings: Readonly<Partial<Record<SystemName, Readonly<Record<string, unknown>>>>>;
    readonly startedAt: string;
    readonly elapsedS: number;
  };
  readonly results: readonly BenchResult[];
  /** How cost grows with leases held and contenders per lease (series, one point per count). */
  readonly growth: {
    readonly leases: readonly LeaseGrowthPoint[];
    readonly contenders: readonly ContenderGrowthPoint[];
    /** The cron-singleton bundle's cold start under Node 24 against a bare handler's, or why it was skipped. */
    readonly coldStart: ColdStartFigure | ColdStartSkipped;
    /** One leader renewing over time (`--soak`); null when the run had no soak. */
    readonly soak: SoakFigure | null;
  };
  /** What a lease costs in capacity units and dollars (docs/decisions/bench-cost.md); null if the run ended before it. */
  readonly cost: CostFigure | null;
  /** Where Baton stands against each of its targets (docs/decisions/bench-method.md#targets-and-their-bounds). */
  readonly targets: readonly TargetCheck[];
}

export interface RunBenchOptions {
  /** Install missing peer libraries (`npm ci` in lab/bench/peers). */
  readonly install: boolean;
  /** Progress lines. */
  readonly log: (line: string) => void;
}

/**
 * One bench run: its own DynamoDB Local, a table per system, every figure in
 * turn, then the ratios and targets computed from this run alone. Everything
 * it starts (Java, clients, leases, timers) is stopped before it returns.
 */
export async function runBench(params: BenchParams, options: RunBenchOptions): Promise<BenchReport> {
  const { log } = options;
  const startedAt = new Date();
  const began = performance.now();
  const environment = describeEnvironment();
  const peers = needsPeers(params.systems) ? await loadPeers({ install: options.install, log }) : undefined;
  const systems = buildSystems(params.systems, params.leaseDurationMs, peers);
  log('starting DynamoDB Local (127.0.0.1, in memory)');
  const db = await startDynamoDBLocal();
  const pool = new ClientPool(db.endpoint);
  const measured: BenchResult[] = [];
  let leaseGrowth: LeaseGrowthPoint[] = [];
  let contenderGrowth: ContenderGrowthPoint[] = [];
  let soak: SoakFigure | null = null;
  let coldStart: ColdStartFigure | ColdStartSkipped = { skipped: 'the run ended before the cold-start figure' };
  let cost: CostFigure | null = null;
  try {
    const admin = pool.create().client;
    for (const system of systems) await system.createTable(admin);

    log(`requests per operation (${params.requests.reps} repetitions, systems side by side)`);
    const perOperation: Partial<Record<SystemName, OperationUnits>> = {};
    const requestFigures = await Promise.all(
      systems.map((s) => measureRequests(s, pool, params.requests.reps, params.leaseDurationMs)),
    );
    requestFigures.forEach((r, i) => {
      measured.push(...r.results);
      perOperation[systems[i]!.name] = r.capacity;
    });

    log(
      'capacity units and dollars: per operation, per hour, per Lambda tick; Baton waiters live, ' +
        'every waiting rule side by side',
    );
    cost = await measureCost(systems, perOperation, pool, params.leaseDurationMs);

    log(
      `uncontended acquire latency (${params.latency.iterations} iterations after ${params.latency.warmup} ` +
        `warm-up, interleaved)`,
    );
    measured.push(...(await measureLatency(systems, pool, params.latency)));

    log(`contention (${params.contention.contenders} contenders, one lease)`);
    const clients = contentionClients(pool, params.contention.contenders);
    for (const system of systems) measured.push(...(await measureContention(system, clients)));

    log(
      `contenders per lease (${params.contenderGrowth.contenders.join(', ')}; ${params.contenderGrowth.rounds} ` +
        `round(s) each)`,
    );
    contenderGrowth = await measureContenderGrowth(systems, clients, params.contenderGrowth);

    log(`failover (${params.failover.trials} trial(s) of a ${params.leaseDurationMs} ms lease)`);
    measured.push(...(await measureFailover(systems, pool, params)));

    log(
      `elect: failover (wall-clock and clock-free, waiters reading and writing every poll), priority ` +
        `handoff, graceful stop (${params.failover.trials} trial(s) of a ${params.leaseDurationMs} ` +
        `ms lease)`,
    );
    measured.push(
      ...(await measureElector(pool.create().client, params.leaseDurationMs, params.failover.trials, params.systems)),
    );

    log(
      `renew throughput (${params.throughput.leases} leases, ${params.throughput.workers} workers, ` +
        `${params.throughput.rounds} round(s))`,
    );
    measured.push(...(await measureThroughput(systems, pool, params.throughput)));

    log(
      `leases held (${params.leaseGrowth.leases.join(', ')}; ${params.leaseGrowth.workers} workers, ` +
        `at least ${params.leaseGrowth.minRenews} renewals each)`,
    );
    leaseGrowth = await measureLeaseGrowth(systems, pool, params.leaseGrowth);

    log(
      `Lambda cold start under Node 24 (${params.coldStart.trials} trial(s) of the synthesized bundle ` +
        `and a bare handler)`,
    );
    coldStart = await measureColdStart(db.endpoint, admin, {
      trials: params.coldStart.trials,
      install: options.install,
      log,
    });

    if (params.soak) {
      log(`soak (${params.soak.minutes} min of one runAsLeader loop renewing every ${params.soak.renewEveryMs} ms)`);
      const soakClient = pool.create().client;
      await createLeaseTable(soakClient, SOAK_TABLE);
      soak = await runSoak(soakClient, SOAK_TABLE, params.soak, log);
    }
  } finally {
    pool.destroyAll();
    await db.stop();
  }
  const results = sortResults([...measured, ...ratios(params.systems, measured)]);
  return {
    params: {
      ...params,
      environment: { ...environment, loadAverage1m: { ...environment.loadAverage1m, end: loadAverage1m() } },
      peers: peers?.versions ?? {},
      settings: Object.fromEntries(systems.map((s) => [s.name, s.settings])),
      startedAt: startedAt.toISOString(),
      elapsedS: Math.round((performance.now() - began) / 100) / 10,
    },
    results,
    growth: { leases: leaseGrowth, contenders: contenderGrowth, coldStart, soak },
    cost,
    targets: checkTargets(params, results, { leases: leaseGrowth, contenders: contenderGrowth, coldStart, soak }, cost),
  };
}

/** Report order: by system, then by figure, as listed in SYSTEM_NAMES and FIGURES. */
function sortResults(results: BenchResult[]): BenchResult[] {
  const figureOrder = Object.keys(FIGURES) as FigureName[];
  return results.sort(
    (a, b) =>
      SYSTEM_NAMES.indexOf(a.system) - SYSTEM_NAMES.indexOf(b.system) ||
      figureOrder.indexOf(a.figure) - figureOrder.indexOf(b.figure),
  );
}
