import type { ClientPool } from '../client-pool.js';
import { liveHeapBytes } from '../heap.js';
import type { Held, LockSystem } from '../lock-system.js';
import type { SystemName } from '../registry.js';
import type { BenchParams } from '../options.js';
import { percentile, round2 } from '../stats.js';
import { runWorkers } from '../workers.js';

/** How one system's renewals behave with `leases` leases held at once. */
export interface LeaseGrowthPoint {
  readonly system: SystemName;
  readonly leases: number;
  /** Requests counted on the wire over renewals made; 1 is the floor. */
  readonly requestsPerRenew: number;
  readonly renews: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly renewsPerS: number;
  /** Live heap added per held lease (the system's objects and the bench's handle), where `leases` is in `heapAt`; otherwise null. */
  readonly heapBytesPerLease: number | null;
}

/**
 * How cost grows with the number of leases one process holds. For each count,
 * each system (in alternating order, so neither always runs first) acquires
 * that many distinct long leases, then `workers` concurrent workers on one
 * client renew every lease once per round until at least `minRenews`
 * renewals were timed, then everything is released. Requests are counted on
 * the wire during the renewals only. At the counts in `heapAt`, the live
 * heap is measured (after full collections) before acquiring and while all
 * leases are held.
 */
export async function measureLeaseGrowth(
  systems: readonly LockSystem[],
  pool: ClientPool,
  params: BenchParams['leaseGrowth'],
): Promise<LeaseGrowthPoint[]> {
  const drivable = systems.filter((s) => s.renewal === 'explicit' && s.unsupported.throughput === undefined);
  const points: LeaseGrowthPoint[] = [];
  for (const [n, leases] of params.leases.entries()) {
    for (const system of n % 2 === 0 ? drivable : [...drivable].reverse()) {
      points.push(await growthPoint(system, pool, leases, params));
    }
  }
  // Report order: by system, then by lease count.
  return drivable.flatMap((system) => points.filter((p) => p.system === system.name));
}

async function growthPoint(
  system: LockSystem,
  pool: ClientPool,
  leases: number,
  params: BenchParams['leaseGrowth'],
): Promise<LeaseGrowthPoint> {
  const { client, requests } = pool.create();
  const contender = system.contender(client);
  const names = Array.from({ length: leases }, (_, i) => `bench/growth/${leases}/${i}`);
  const measureHeap = params.heapAt.includes(leases);
  const heapBefore = measureHeap ? liveHeapBytes() : 0;
  const held: Held[] = [];
  await runWorkers(params.workers, names, async (name) => {
    const lease = await contender.tryAcquire(name, { durationMs: params.leaseDurationMs });
    if (!lease?.renew) throw new Error(`bench: ${system.name}: could not hold ${name} for the lease-growth figure`);
    held.push(lease);
  });
  const heapBytesPerLease = measureHeap ? Math.round((liveHeapBytes() - heapBefore) / leases) : null;
  const samples: number[] = [];
  let elapsedMs = 0;
  let sent = 0;
  try {
    requests.reset();
    const rounds = Math.ceil(params.minRenews / leases);
    for (let round = 0; round < rounds; round++) {
      const started = performance.now();
      await runWorkers(params.workers, held, async (lease) => {
        const began = performance.now();
        await lease.renew!();
        samples.push(performance.now() - began);
      });
      elapsedMs += performance.now() - started;
    }
    sent = requests.total();
  } finally {
    await runWorkers(params.workers, held, (lease) => lease.release());
  }
  return {
    system: system.name,
    leases,
    requestsPerRenew: round2(sent / samples.length),
    renews: samples.length,
    p50Ms: round2(percentile(samples, 50)),
    p99Ms: round2(percentile(samples, 99)),
    renewsPerS: Math.round(samples.length / (elapsedMs / 1_000)),
    heapBytesPerLease,
  };
}
