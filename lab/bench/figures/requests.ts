import type { ClientPool, CountedClient } from '../client-pool.js';
import type { Held, LockSystem } from '../lock-system.js';
import { result, type BenchResult, type FigureName } from '../result.js';
import type { Units } from '../capacity-counter.js';

/** The operations whose requests and capacity are measured. */
export type Operation = 'acquireWin' | 'acquireLoss' | 'renew' | 'release';

/** Capacity per operation, the mean over the repetitions; null where the system has no such operation. */
export type OperationUnits = Readonly<Record<Operation, Units | null>>;

/** How long a background renewal's requests may be apart and still count as one renewal. */
const BURST_QUIET_MS = 100;

/**
 * Requests per operation, counted by middleware on the client that made the
 * call, `reps` times over:
 * - acquireWin: on a lease that was held and released before (the steady state of a cron lease);
 * - acquireLoss: one attempt (the library's no-wait mode) while a leader holds and renews the lease;
 * - renew: one `renew()` call, or, for a library that renews on its own timer,
 *   the requests of one renewal on the leader's client (nothing else uses it);
 * - release: one release of a held lease.
 */
export async function measureRequests(
  system: LockSystem,
  pool: ClientPool,
  reps: number,
  leaseDurationMs: number,
): Promise<{ results: BenchResult[]; capacity: OperationUnits }> {
  const samples = new Map<FigureName, number[]>();
  const units = new Map<Operation, Units[]>();
  const record = (figure: FigureName, n: number, used: Units) => {
    samples.set(figure, [...(samples.get(figure) ?? []), n]);
    const operation = figure.slice('requests.'.length) as Operation;
    units.set(operation, [...(units.get(operation) ?? []), used]);
  };
  const a = pool.create();
  const b = pool.create();
  const first = system.contender(a.client);
  const second = system.contender(b.client);
  for (let rep = 0; rep < reps; rep++) {
    const lease = `bench/requests/${rep}`;
    await must(await first.tryAcquire(lease), 'prime').release();

    reset(a);
    const held = must(await first.tryAcquire(lease), 'acquireWin');
    record('requests.acquireWin', a.requests.total(), a.capacity.total());
    if (held.renew) {
      reset(a);
      await held.renew();
      record('requests.renew', a.requests.total(), a.capacity.total());
    }
    reset(a);
    await held.release();
    record('requests.release', a.requests.total(), a.capacity.total());

    const leader = must(await first.lead(lease), 'lead');
    if (system.renewal === 'background') {
      reset(a);
      await a.requests.nextBurst({ quietMs: BURST_QUIET_MS, timeoutMs: 2 * leaseDurationMs });
      record('requests.renew', a.requests.total(), a.capacity.total());
    }
    reset(b);
    const lost = await second.tryAcquire(lease);
    record('requests.acquireLoss', b.requests.total(), b.capacity.total());
    if (lost) throw new Error(`${system.name}: a second contender acquired a lease its leader was renewing`);
    await leader.release();
  }
  const figures: FigureName[] = ['requests.acquireWin', 'requests.acquireLoss', 'requests.renew', 'requests.release'];
  const meanUnits = (list: Units[] | undefined): Units | null =>
    list
      ? {
          read: list.reduce((s, u) => s + u.read, 0) / list.length,
          write: list.reduce((s, u) => s + u.write, 0) / list.length,
        }
      : null;
  const capacity = {
    acquireWin: meanUnits(units.get('acquireWin')),
    acquireLoss: meanUnits(units.get('acquireLoss')),
    renew: meanUnits(units.get('renew')),
    release: meanUnits(units.get('release')),
  };
  const results = figures.map((figure) => {
    const counts = samples.get(figure);
    if (!counts) return result(system.name, figure, null, 'its locks never expire, so there is nothing to renew');
    if (counts.every((n) => n === counts[0])) return result(system.name, figure, counts[0]!);
    const mean = counts.reduce((s, n) => s + n, 0) / counts.length;
    return result(system.name, figure, mean, `the count varied between repetitions: ${counts.join(', ')}`);
  });
  return { results, capacity };
}

function reset(counted: CountedClient): void {
  counted.requests.reset();
  counted.capacity.reset();
}

function must(held: Held | undefined, step: string): Held {
  if (!held) throw new Error(`bench: ${step} found the lease held; leases of the request figures are never shared`);
  return held;
}
