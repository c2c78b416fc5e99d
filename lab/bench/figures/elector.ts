import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LeaseClient, createLeaseTable, type Lease } from 'baton-lease';
import { electWithWaitingRule, readWhileHeld, writeEveryPoll, type WaitingRule } from 'baton-lease/internal';
import type { SystemName } from '../registry.js';
import { result, type BenchResult, type FigureName } from '../result.js';
import { median } from '../stats.js';

/** The elector's own table, apart from the systems' tables. */
const TABLE = 'bench-elector';

interface Timed {
  readonly stop: AbortController;
  readonly done: Promise<void>;
  /** Resolves with `performance.now()` when this elector's first tenure starts. */
  readonly started: Promise<number>;
}

function elector(
  client: DynamoDBClient,
  lease: string,
  durationMs: number,
  options: { clockFree?: boolean; priority?: number; holderName: string; waiting?: WaitingRule },
): Timed {
  const stop = new AbortController();
  let started!: (at: number) => void;
  const startedP = new Promise<number>((resolve) => (started = resolve));
  const leases = new LeaseClient({ tableName: TABLE, client, holderName: options.holderName });
  const done = electWithWaitingRule(
    leases,
    lease,
    {
      durationMs,
      signal: stop.signal,
      logger: false,
      ...(options.clockFree === undefined ? {} : { clockFree: options.clockFree }),
      ...(options.priority === undefined ? {} : { priority: options.priority }),
      onStartedLeading: (held: Lease) => {
        started(performance.now());
        return new Promise<void>((resolve) => {
          if (held.signal.aborted) resolve();
          else held.signal.addEventListener('abort', () => resolve(), { once: true });
        });
      },
    },
    options.waiting ?? readWhileHeld,
  );
  return { stop, done, started: startedP };
}

/**
 * Long-lived leadership with `elect`, one trial at a time, each on a fresh
 * lease of `durationMs` with the default renewal period:
 * - `failover.electMs` / `failover.clockFreeMs`: a holder goes silent right
 *   after a renewal (a crash); until a waiting elector (wall-clock / clock-free)
 *   leads. Compare `failover.ms`, which times `acquire`. The `...BeforeMs`
 *   figures are the same with waiters that write every poll (the rule before
 *   waiters read, docs/protocol.md#how-a-waiter-polls), side by side in the same trial.
 * - `handoff.ms`: a higher-priority elector starts beside a leading one; until
 *   it leads (the holder's next renew, its release, one poll).
 * - `gracefulStop.ms`: the leader's signal aborts; until the waiter leads.
 */
export async function measureElector(
  client: DynamoDBClient,
  durationMs: number,
  trials: number,
  systems: readonly SystemName[],
): Promise<BenchResult[]> {
  const failovers = [
    { figure: 'failover.electMs', clockFree: false, waiting: readWhileHeld },
    { figure: 'failover.electBeforeMs', clockFree: false, waiting: writeEveryPoll },
    { figure: 'failover.clockFreeMs', clockFree: true, waiting: readWhileHeld },
    { figure: 'failover.clockFreeBeforeMs', clockFree: true, waiting: writeEveryPoll },
  ] as const;
  const figures: FigureName[] = [...failovers.map((f) => f.figure), 'handoff.ms', 'gracefulStop.ms'];
  // The peers offer no elector with clock-free takeover or priority handoff: their rows say so.
  const others = systems
    .filter((s) => s !== 'baton')
    .flatMap((s) =>
      figures.map((f) => result(s, f, null, 'no long-lived elector with clock-free takeover or priority handoff')),
    );
  if (!systems.includes('baton')) return others;
  await createLeaseTable(client, TABLE);
  const samples = { handoff: [] as number[], stop: [] as number[] };
  const failoverSamples = failovers.map(() => [] as number[]);
  const renewEveryMs = Math.floor(durationMs / 3);
  for (let trial = 0; trial < trials; trial++) {
    const name = `bench/elect/${trial}`;
    // Every waiting rule side by side, each on its own lease behind its own holder that crashes at the same moment.
    const times = await Promise.all(
      failovers.map((f, i) => failoverOnce(client, `${name}/failover/${i}`, durationMs, renewEveryMs, f)),
    );
    times.forEach((ms, i) => failoverSamples[i]!.push(ms));

    // Handoff: priority 1 leads, priority 2 starts and asks.
    const low = elector(client, `${name}/handoff`, durationMs, { priority: 1, holderName: 'low' });
    await low.started;
    await pause(renewEveryMs);
    const askedAt = performance.now();
    const high = elector(client, `${name}/handoff`, durationMs, { priority: 2, holderName: 'high' });
    samples.handoff.push((await high.started) - askedAt);
    low.stop.abort();
    await low.done;

    // Graceful stop: the leader stops; the waiter takes the released lease within one poll.
    const next = elector(client, `${name}/handoff`, durationMs, { priority: 2, holderName: 'next' });
    await pause(renewEveryMs * 2);
    const stoppedAt = performance.now();
    high.stop.abort();
    samples.stop.push((await next.started) - stoppedAt);
    await high.done;
    next.stop.abort();
    await next.done;
  }
  const figure = (values: number[]) => Math.round(median(values));
  const note = (values: number[]) =>
    values.length > 1 ? `median of ${values.length} trials: ${values.map(Math.round).join(', ')} ms` : undefined;
  return [
    ...others,
    ...failovers.map((f, i) => result('baton', f.figure, figure(failoverSamples[i]!), note(failoverSamples[i]!))),
    result('baton', 'handoff.ms', figure(samples.handoff), note(samples.handoff)),
    result('baton', 'gracefulStop.ms', figure(samples.stop), note(samples.stop)),
  ];
}

/** A holder renews by hand three times, so it can go silent right after a renewal; until the waiting elector leads. */
async function failoverOnce(
  client: DynamoDBClient,
  lease: string,
  durationMs: number,
  renewEveryMs: number,
  options: { clockFree: boolean; waiting: WaitingRule },
): Promise<number> {
  const holder = new LeaseClient({ tableName: TABLE, client, holderName: 'holder' });
  const won = await holder.tryAcquire(lease, { durationMs });
  if (!won.acquired) throw new Error(`bench: ${lease} is held before its trial`);
  const waiter = elector(client, lease, durationMs, {
    clockFree: options.clockFree,
    waiting: options.waiting,
    holderName: 'waiter',
  });
  for (let i = 0; i < 3; i++) {
    await pause(renewEveryMs);
    await won.lease.renew();
  }
  const silentAt = performance.now();
  won.lease.stopActing(new Error('bench: crashed'));
  const ms = (await waiter.started) - silentAt;
  waiter.stop.abort();
  await waiter.done;
  return ms;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
