import { setTimeout as sleep } from 'node:timers/promises';
import type { ClientPool } from '../client-pool.js';
import type { LockSystem } from '../lock-system.js';
import type { BenchParams } from '../options.js';
import { result, type BenchResult } from '../result.js';
import { median } from '../stats.js';

/**
 * Failover: a leader holds the lease and renews it the library's recommended
 * way; a waiter waits for it the library's recommended way. At a random
 * moment (so the waiter's retry schedule has a random phase), right after one
 * of the leader's renewals has completed, the leader stops renewing without
 * writing anything (a crash or a freeze). Measured: from then until the
 * waiter holds the lease. Stopping right after a renewal is the worst case
 * for every library alike: the lease has its full duration left.
 *
 * Systems run side by side within a trial (each on its own lease, table and
 * clients); the figure is the median over the trials.
 */
export async function measureFailover(
  systems: readonly LockSystem[],
  pool: ClientPool,
  params: BenchParams,
): Promise<BenchResult[]> {
  const measurable = systems.filter((s) => s.unsupported.failover === undefined);
  const samples = new Map<LockSystem, number[]>(measurable.map((s) => [s, []]));
  for (let trial = 0; trial < params.failover.trials; trial++) {
    const times = await Promise.all(
      measurable.map((system) => failoverOnce(system, pool, `bench/failover/${trial}`, params)),
    );
    measurable.forEach((system, i) => samples.get(system)!.push(times[i]!));
  }
  return systems.map((system) => {
    const times = samples.get(system);
    if (!times) return result(system.name, 'failover.ms', null, system.unsupported.failover);
    const rounded = times.map(Math.round);
    const note = times.length > 1 ? `median of ${times.length} trials: ${rounded.join(', ')} ms` : undefined;
    return result(system.name, 'failover.ms', Math.round(median(times)), note);
  });
}

async function failoverOnce(system: LockSystem, pool: ClientPool, lease: string, params: BenchParams): Promise<number> {
  const durationMs = params.leaseDurationMs;
  const holderClient = pool.create();
  const leader = await system.contender(holderClient.client).lead(lease);
  if (!leader) throw new Error(`bench: ${system.name}: ${lease} is held before its failover trial`);
  const waiter = system.contender(pool.create().client);
  if (!waiter.acquireWaiting) throw new Error(`bench: ${system.name} has no waiting acquire`);
  const timeout = AbortSignal.timeout(params.failover.timeoutMs);
  let acquiredAt: number | undefined;
  const waiting = waiter.acquireWaiting(lease, timeout).then((held) => {
    acquiredAt = performance.now();
    return held;
  });
  // Whatever happens below, a rejection of `waiting` is reported once, at the await.
  waiting.catch(() => {});
  try {
    await sleep(durationMs / 2 + Math.random() * durationMs);
    if (acquiredAt !== undefined)
      throw new Error(`bench: ${system.name}: the waiter acquired while the leader was renewing`);
    await holderClient.requests.nextBurst({ quietMs: 0, timeoutMs: 2 * durationMs });
    leader.crash();
    const crashedAt = performance.now();
    await Promise.race([
      waiting,
      rejectOnAbort(timeout, `bench: ${system.name}: no failover within ${params.failover.timeoutMs} ms`),
    ]);
    return acquiredAt! - crashedAt;
  } finally {
    leader.crash();
    await leader.abandon();
    // Also when the waiter won too early: no lock of the bench outlives its trial.
    if (acquiredAt !== undefined) await (await waiting).release();
  }
}

function rejectOnAbort(signal: AbortSignal, message: string): Promise<never> {
  return new Promise<never>((_, reject) => {
    const fail = () => reject(new Error(message));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}
