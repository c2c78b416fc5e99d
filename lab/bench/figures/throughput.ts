import type { ClientPool } from '../client-pool.js';
import type { Held, LockSystem } from '../lock-system.js';
import type { BenchParams } from '../options.js';
import { result, type BenchResult } from '../result.js';
import { runWorkers } from '../workers.js';

/**
 * Renew throughput: `leases` distinct leases held at once, each renewed once
 * per round by `workers` concurrent workers sharing one client. After one
 * untimed round, the systems take turns round by round, in alternating
 * order, so drift on the machine falls on all of them alike. Only systems with a renew call can
 * be driven this way.
 */
export async function measureThroughput(
  systems: readonly LockSystem[],
  pool: ClientPool,
  params: BenchParams['throughput'],
): Promise<BenchResult[]> {
  const drivable = systems.filter((s) => s.renewal === 'explicit' && s.unsupported.throughput === undefined);
  const runs: { system: LockSystem; held: Held[]; renews: number; elapsedMs: number }[] = [];
  for (const system of drivable) {
    const contender = system.contender(pool.create().client);
    const names = Array.from({ length: params.leases }, (_, i) => `bench/throughput/${i}`);
    const held: Held[] = [];
    await runWorkers(params.workers, names, async (name) => {
      const lease = await contender.tryAcquire(name, { durationMs: params.leaseDurationMs });
      if (!lease?.renew) throw new Error(`bench: ${system.name}: could not hold ${name} for the throughput figure`);
      held.push(lease);
    });
    runs.push({ system, held, renews: 0, elapsedMs: 0 });
  }
  try {
    for (let round = 0; round <= params.rounds; round++) {
      // Alternate the order (A B, B A, ...) so neither always runs first after the other.
      for (const run of round % 2 === 0 ? runs : [...runs].reverse()) {
        const started = performance.now();
        await runWorkers(params.workers, run.held, (lease) => lease.renew!());
        // Round 0 warms up connections and the JIT; it is not counted.
        if (round === 0) continue;
        run.elapsedMs += performance.now() - started;
        run.renews += run.held.length;
      }
    }
  } finally {
    for (const run of runs) await runWorkers(params.workers, run.held, (lease) => lease.release());
  }
  return systems.map((system) => {
    const run = runs.find((r) => r.system === system);
    if (!run)
      return result(
        system.name,
        'throughput.renewsPerS',
        null,
        system.unsupported.throughput ?? 'it has no renew call',
      );
    return result(system.name, 'throughput.renewsPerS', Math.round(run.renews / (run.elapsedMs / 1_000)));
  });
}
