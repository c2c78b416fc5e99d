import type { ClientPool } from '../client-pool.js';
import type { Contender, LockSystem } from '../lock-system.js';
import type { BenchParams } from '../options.js';
import { result, type BenchResult } from '../result.js';
import { percentile, round2 } from '../stats.js';

/**
 * Uncontended acquire latency: the time of one successful `tryAcquire` (the
 * library's one-attempt call) on a free lease, released again untimed. After
 * `warmup` untimed iterations per system, the systems take turns iteration by
 * iteration, so drift on the machine (GC, the JVM's JIT, other processes)
 * falls on all of them alike instead of on whichever ran at the time.
 */
export async function measureLatency(
  systems: readonly LockSystem[],
  pool: ClientPool,
  params: BenchParams['latency'],
): Promise<BenchResult[]> {
  const runs = systems.map((system) => ({
    system,
    contender: system.contender(pool.create().client),
    samples: [] as number[],
  }));
  for (const run of runs) await iterate(run.contender, params.warmup, []);
  for (let i = 0; i < params.iterations; i++) {
    for (const run of runs) await iterate(run.contender, 1, run.samples);
  }
  return runs.flatMap(({ system, samples }) => [
    result(system.name, 'latency.acquire.p50Ms', round2(percentile(samples, 50))),
    result(system.name, 'latency.acquire.p99Ms', round2(percentile(samples, 99))),
  ]);
}

const LEASE = 'bench/latency';

async function iterate(contender: Contender, n: number, samples: number[]): Promise<void> {
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const held = await contender.tryAcquire(LEASE);
    samples.push(performance.now() - started);
    if (!held) throw new Error('bench: an uncontended acquire failed; is another process using the table?');
    await held.release();
  }
}
