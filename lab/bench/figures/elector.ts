import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LeaseClient, createLeaseTable, type Lease } from 'baton-lease';
import type { SystemName } from '../lock-system.js';
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

function elector(client: DynamoDBClient, lease: string, durationMs: number, options: { clockFree?: boolean; priority?: number; holderName: string }): Timed {
  const stop = new AbortController();
  let started!: (at: number) => void;
  const startedP = new Promise<number>((resolve) => (started = resolve));
  const leases = new LeaseClient({ tableName: TABLE, client, holderName: options.holderName });
  const done = leases.elect(lease, {
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
  });
  return { stop, done, started: startedP };
}

/**
 * Long-lived leadership with `elect`, one trial at a time, each on a fresh
 * lease of `durationMs` with the default renewal period:
 * - `failover.clockFreeMs`: a clock-free holder goes silent right after a
 *   renewal (a crash); until a clock-free waiter leads. Compare `failover.ms`.
 * - `handoff.ms`: a higher-priority elector starts beside a leading one; until
 *   it leads (the holder's next renew, its release, one poll).
 * - `gracefulStop.ms`: the leader's signal aborts; until the waiter leads.
 */
export async function measureElector(client: DynamoDBClient, durationMs: number, trials: number, systems: readonly SystemName[]): Promise<BenchResult[]> {
  const figures: FigureName[] = ['failover.clockFreeMs', 'handoff.ms', 'gracefulStop.ms'];
  // The peers offer no elector with clock-free takeover or priority handoff: their rows say so.
  const others = systems.filter((s) => s !== 'baton').flatMap((s) => figures.map((f) => result(s, f, null, 'no long-lived elector with clock-free takeover or priority handoff')));
  if (!systems.includes('baton')) return others;
  await createLeaseTable(client, TABLE);
  const samples = { failover: [] as number[], handoff: [] as number[], stop: [] as number[] };
  const renewEveryMs = Math.floor(durationMs / 3);
  for (let trial = 0; trial < trials; trial++) {
    // Clock-free failover: the holder renews by hand, so it can stop right after a renewal.
    const name = `bench/elect/${trial}`;
    const holder = new LeaseClient({ tableName: TABLE, client, holderName: 'holder' });
    const won = await holder.tryAcquire(`${name}/failover`, { durationMs });
    if (!won.acquired) throw new Error(`bench: ${name}/failover is held before its trial`);
    const waiter = elector(client, `${name}/failover`, durationMs, { clockFree: true, holderName: 'waiter' });
    for (let i = 0; i < 3; i++) {
      await pause(renewEveryMs);
      await won.lease.renew();
    }
    const silentAt = performance.now();
    won.lease.stopActing(new Error('bench: crashed'));
    samples.failover.push((await waiter.started) - silentAt);
    waiter.stop.abort();
    await waiter.done;

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
  const note = (values: number[]) => (values.length > 1 ? `median of ${values.length} trials: ${values.map(Math.round).join(', ')} ms` : undefined);
  return [
    ...others,
    result('baton', 'failover.clockFreeMs', figure(samples.failover), note(samples.failover)),
    result('baton', 'handoff.ms', figure(samples.handoff), note(samples.handoff)),
    result('baton', 'gracefulStop.ms', figure(samples.stop), note(samples.stop)),
  ];
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
