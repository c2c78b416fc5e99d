import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DEFAULTS, LeaseClient } from 'baton-lease';
import {
  electWithWaitingRule,
  itemBytes,
  leaseItemBytes,
  readWhileHeld,
  writeEveryPoll,
  type WaitingRule,
} from 'baton-lease/internal';
import type { Units } from '../capacity-counter.js';
import type { ClientPool } from '../client-pool.js';
import type { LockSystem } from '../lock-system.js';
import type { SystemName } from '../registry.js';
import { monthlyDollars, PRICES, type MonthlyDollars } from '../prices.js';
import type { OperationUnits } from './requests.js';

/** The two lease durations of the hourly figures, and the one of the growth figure and the waiter target. */
const LEASES_MS = [10_000, 60_000] as const;
const WAITER_LEASE_MS = 10_000;
const GROWTH_WAITERS = [1, 2, 4, 8, 16] as const;
/** Baton's renewal and poll periods come up to this fraction early (runAsLeader, elect): the mean period is 0.9 of the nominal. */
const MEAN_EARLY_JITTER = 0.1;
const BATON_TABLE = 'bench-baton';

/** One cost figure of one system: units per event or per hour, and dollars a month for the hourly ones. */
export interface CostRow {
  readonly system: SystemName | 'baton/before' | 'baton/clock-free' | 'baton/clock-free-before';
  readonly item: string;
  readonly units: Units | null;
  /** Dollars a month, for figures per hour. */
  readonly dollars?: MonthlyDollars;
  readonly note?: string;
}

export interface CostFigure {
  /** The prices every dollar figure uses. */
  readonly prices: typeof PRICES;
  /** Where DynamoDB's published rules replace DynamoDB Local's answer. */
  readonly rules: readonly string[];
  /** Baton's waiters measured live (2 s lease, every rule side by side): units per poll after the first. */
  readonly waiterPolls: readonly { readonly variant: string; readonly polls: number; readonly units: Units }[];
  readonly rows: readonly CostRow[];
  /** The lease item's size in bytes. */
  readonly itemBytes: Readonly<Record<string, number>>;
}

const RULES = [
  'A ConditionalCheckFailedException carries no consumed capacity, yet DynamoDB bills a failed ' +
    'conditional write: 1 write unit per started KB of the item it was checked against (at least ' +
    '1). The bench counts it so.',
  'DynamoDB Local reports 2 units for any transaction; DynamoDB bills 2 per item (per KB). The ' +
    'bench counts 2 per item.',
  "Every other figure is DynamoDB Local's ConsumedCapacity (ReturnConsumedCapacity: TOTAL), counted " +
    'per request by middleware, as requests are.',
];

interface WaiterVariant {
  readonly variant: 'baton' | 'baton/before' | 'baton/clock-free' | 'baton/clock-free-before';
  readonly clockFree: boolean;
  readonly waiting: WaitingRule;
}

const VARIANTS: readonly WaiterVariant[] = [
  { variant: 'baton', clockFree: false, waiting: readWhileHeld },
  { variant: 'baton/before', clockFree: false, waiting: writeEveryPoll },
  { variant: 'baton/clock-free', clockFree: true, waiting: readWhileHeld },
  { variant: 'baton/clock-free-before', clockFree: true, waiting: writeEveryPoll },
];

/**
 * What a lease costs. Units per operation come from the request figure
 * (measured on the wire); Baton's waiters are measured live behind a leader,
 * every waiting rule side by side; figures per hour are those units times the
 * events per hour of each system's own schedule at that lease duration
 * (docs/decisions/bench-cost.md).
 */
export async function measureCost(
  systems: readonly LockSystem[],
  perOperation: Partial<Record<SystemName, OperationUnits>>,
  pool: ClientPool,
  leaseDurationMs: number,
): Promise<CostFigure> {
  const baton = systems.some((s) => s.name === 'baton');
  const waiterPolls = baton ? await measureBatonWaiters(systems, pool, leaseDurationMs) : [];
  const rows: CostRow[] = [];
  const perHour = (system: CostRow['system'], item: string, units: Units | null, note?: string) =>
    rows.push({ system, item, units, ...(units ? { dollars: monthlyDollars(units) } : {}), ...(note ? { note } : {}) });
  const scale = (u: Units | null | undefined, times: number): Units | null =>
    u ? { read: u.read * times, write: u.write * times } : null;
  const add = (a: Units | null, b: Units | null): Units | null =>
    a && b ? { read: a.read + b.read, write: a.write + b.write } : null;
  const waiterHours = new Map<CostRow['system'], Units | null>();
  for (const system of systems) {
    const ops = perOperation[system.name];
    for (const op of ['acquireWin', 'acquireLoss', 'renew', 'release'] as const)
      rows.push({ system: system.name, item: op, units: ops?.[op] ?? null });
    const cadence = CADENCE[system.name];
    for (const d of LEASES_MS) {
      const renews = cadence.renewsPerHour(d);
      perHour(
        system.name,
        `leader-hour (${d / 1000} s lease)`,
        renews === null ? null : scale(ops?.renew ?? { read: 0, write: 0 }, renews),
        cadence.note,
      );
    }
    for (const d of LEASES_MS) {
      const item = `waiter-hour (${d / 1000} s lease)`;
      if (system.name === 'baton') {
        const polls = CADENCE.baton.renewsPerHour(d)!;
        for (const v of VARIANTS) {
          const measured = waiterPolls.find((w) => w.variant === v.variant);
          const units = measured ? scale(measured.units, polls) : null;
          if (d === WAITER_LEASE_MS) waiterHours.set(v.variant, units);
          perHour(v.variant, item, units);
        }
      } else {
        const cycles = cadence.waitCyclesPerHour(d);
        const units = cycles === null ? null : scale(ops?.acquireLoss, cycles);
        if (d === WAITER_LEASE_MS) waiterHours.set(system.name, units);
        perHour(
          system.name,
          item,
          units,
          cycles === null ? 'no waiting acquire' : 'one lost attempt (read, a full lease, write) per lease',
        );
      }
    }
    rows.push({
      system: system.name,
      item: 'Lambda tick, leader',
      units: add(ops?.acquireWin ?? null, ops?.release ?? null),
      note: 'acquire and release; the job writes its own',
    });
    rows.push({ system: system.name, item: 'Lambda tick, follower', units: ops?.acquireLoss ?? null });
    if (system.name === 'baton') {
      const steps = await measureSteps(pool);
      rows.push({
        system: 'baton',
        item: 'step (value under 1 KB)',
        units: steps.perStep,
        note: 'docs/benchmarks.md#steps',
      });
      rows.push({
        system: 'baton',
        item: 'step journal, per tick with steps',
        units: steps.journal,
        note: 'one consistent Query per tenure; Local reports 0 for an empty journal, DynamoDB bills up to 1',
      });
    }
    const leader = scale(ops?.renew ?? { read: 0, write: 0 }, cadence.renewsPerHour(WAITER_LEASE_MS) ?? Number.NaN);
    const waiter = waiterHours.get(system.name) ?? null;
    for (const n of GROWTH_WAITERS) {
      const units = cadence.renewsPerHour(WAITER_LEASE_MS) === null ? null : add(leader, scale(waiter, n));
      perHour(
        system.name,
        `lease-hour, leader + ${n} waiter${n > 1 ? 's' : ''} (${WAITER_LEASE_MS / 1000} s lease)`,
        units,
      );
    }
  }
  return { prices: PRICES, rules: RULES, waiterPolls, rows, itemBytes: await itemSizes(pool) };
}

/** Events per hour of each system's own schedule at a lease of `d` ms (its adapter's settings). */
const CADENCE: Readonly<
  Record<
    SystemName,
    { renewsPerHour(d: number): number | null; waitCyclesPerHour(d: number): number | null; note?: string }
  >
> = {
  raw: { renewsPerHour: () => null, waitCyclesPerHour: () => null, note: 'a bare UpdateItem has no renewal schedule' },
  // runAsLeader and elect renew (and elect's waiters poll) every floor((D - M) / 3), up to 20 % early.
  baton: {
    renewsPerHour: (d) => 3_600_000 / (Math.floor((d - DEFAULTS.safetyMarginMs) / 3) * (1 - MEAN_EARLY_JITTER)),
    waitCyclesPerHour: () => null,
  },
  // Heartbeat every 3/10 of the lease; a waiter reads, waits a full lease, writes.
  'dynamodb-lock-client/fail-open': {
    renewsPerHour: (d) => 3_600_000 / Math.floor((d * 3) / 10),
    waitCyclesPerHour: (d) => 3_600_000 / d,
  },
  'dynamodb-lock-client/fail-closed': {
    renewsPerHour: () => 0,
    waitCyclesPerHour: () => null,
    note: 'never renews: its locks never expire',
  },
  // Prolong every lease / 4; a waiter reads, waits a full lease, writes.
  deliveryhero: { renewsPerHour: (d) => 3_600_000 / Math.floor(d / 4), waitCyclesPerHour: (d) => 3_600_000 / d },
};

/**
 * Baton's waiters behind a live `runAsLeader`, every waiting rule side by
 * side on one lease, each on its own counted client: the units of its polls
 * after the first (which writes, the lease might be free).
 */
async function measureBatonWaiters(systems: readonly LockSystem[], pool: ClientPool, durationMs: number) {
  const system = systems.find((s) => s.name === 'baton')!;
  const lease = 'bench/cost/waiters';
  const leader = await system.contender(pool.create().client).lead(lease);
  if (!leader) throw new Error(`bench: ${lease} is held before the cost figure`);
  const renewEveryMs = Math.floor((durationMs - DEFAULTS.safetyMarginMs) / 3);
  const stop = new AbortController();
  const waiters = VARIANTS.map((v) => {
    const counted = pool.create();
    const leases = new LeaseClient({
      tableName: BATON_TABLE,
      client: counted.client,
      holderName: `cost-${v.variant.replace(/\//g, '-')}`,
    });
    const done = electWithWaitingRule(
      leases,
      lease,
      {
        durationMs,
        clockFree: v.clockFree,
        signal: stop.signal,
        onStartedLeading: () => {
          throw new Error(`bench: ${v.variant} led behind a live leader`);
        },
      },
      v.waiting,
    );
    return { ...v, counted, done };
  });
  try {
    await new Promise((resolve) => setTimeout(resolve, renewEveryMs / 2));
    for (const w of waiters) {
      w.counted.requests.reset();
      w.counted.capacity.reset();
    }
    await new Promise((resolve) => setTimeout(resolve, 12 * renewEveryMs));
    return waiters.map((w) => {
      // Units and polls from the same answers: a poll in flight at either end of the window would
      // otherwise count as a request without its units, or as units without their request.
      const polls = w.counted.capacity.answers();
      const used = w.counted.capacity.total();
      return { variant: w.variant, polls, units: { read: used.read / polls, write: used.write / polls } };
    });
  } finally {
    stop.abort();
    await Promise.all(waiters.map((w) => w.done));
    await leader.release();
  }
}

/**
 * A scheduled tick through `runAsLeader({ tick })` with no step and with
 * three small steps, each on a fresh lease: what the steps add, per step
 * (writes) and per tick (the journal read).
 */
async function measureSteps(pool: ClientPool): Promise<{ perStep: Units; journal: Units }> {
  const STEPS = 3;
  const run = async (lease: string, steps: number): Promise<Units> => {
    const counted = pool.create();
    const leases = new LeaseClient({ tableName: BATON_TABLE, client: counted.client, holderName: 'cost-steps' });
    await leases.runAsLeader(
      lease,
      async (_lease, { step }) => {
        for (let i = 0; i < steps; i++) await step(`s${i}`, async () => ({ row: i }));
      },
      { durationMs: WAITER_LEASE_MS, tick: Date.now() },
    );
    return counted.capacity.total();
  };
  const none = await run('bench/cost/steps/0', 0);
  const some = await run('bench/cost/steps/3', STEPS);
  const step = (some.write - none.write) / STEPS;
  return { perStep: { read: 0, write: step }, journal: { read: some.read - none.read, write: 0 } };
}

/** The lease item's worst-case sizes, and one real item as DynamoDB Local stored it. */
async function itemSizes(pool: ClientPool): Promise<Record<string, number>> {
  const base = { name: 'nightly-report', holderName: 'ip-10-0-1-23.ec2.internal:4242' };
  const metadata = { version: '2026.12.7', host: 'ip-10-0-1-23.ec2.internal', region: 'us-east-1' };
  const client = pool.create().client;
  const stored = await client.send(
    new GetItemCommand({
      TableName: BATON_TABLE,
      Key: { pk: { S: 'bench/cost/waiters' }, sk: { S: 'LEASE' } },
      ConsistentRead: true,
    }),
  );
  return {
    plain: leaseItemBytes(base),
    withMetadata: leaseItemBytes({ ...base, metadata }),
    withPriorityAndHandoff: leaseItemBytes({ ...base, election: true }),
    withTick: leaseItemBytes({ ...base, tick: true }),
    withEverything: leaseItemBytes({ ...base, metadata, election: true, tick: true }),
    longestNamesWithoutMetadata: leaseItemBytes({
      name: 'x'.repeat(200),
      holderName: 'x'.repeat(128),
      election: true,
      tick: true,
    }),
    storedAfterTheWaiterFigure: stored.Item ? itemBytes(stored.Item) : 0,
  };
}
