import type { ClientPool, CountedClient } from '../client-pool.js';
import type { Contender, Held, LockSystem } from '../lock-system.js';
import { result, type BenchResult } from '../result.js';
import { round2 } from '../stats.js';

/**
 * `contenders` workers, each with its own client (as separate Lambdas would
 * have), make the library's "take it or answer at once" call on one lease at
 * the same moment. The lease was held and released once before, the steady
 * state of a cron lease. Measured: how many won, how many requests each sent
 * until it had its answer (a winner's later heartbeats are not part of the
 * race), and the time until the last one had its answer. One untimed round
 * first opens every client's connection. Winners release only after everyone
 * has answered, so a slow loser cannot win a lease freed under it.
 */
export async function measureContention(system: LockSystem, clients: readonly CountedClient[]): Promise<BenchResult[]> {
  const contenders = clients.map((c) => ({ contender: system.contender(c.client), requests: c.requests }));
  await contentionRound(contenders, 'bench/contention/warm-up');
  const { winners, requests, allAnsweredMs } = await contentionRound(contenders, 'bench/contention/measured');
  return [
    result(system.name, 'contention.winners', winners),
    result(system.name, 'contention.requests', requests),
    result(system.name, 'contention.allAnsweredMs', round2(allAnsweredMs)),
  ];
}

/** The clients of a contention round: one per contender. */
export function contentionClients(pool: ClientPool, contenders: number): CountedClient[] {
  return Array.from({ length: contenders }, () => pool.create());
}

/** Contenders of one round, each with the request counter of its own client. */
export type Contenders = readonly { contender: Contender; requests: CountedClient['requests'] }[];

/**
 * One race of all `contenders` for `lease`, held and released once before it:
 * how many won, the requests all of them sent until answered, and the time
 * until the last answer. Winners release after everyone has answered.
 */
export async function contentionRound(
  contenders: Contenders,
  lease: string,
): Promise<{ winners: number; requests: number; allAnsweredMs: number }> {
  const first = contenders[0]!.contender;
  const primed = await first.tryAcquire(lease);
  if (!primed) throw new Error(`bench: ${lease} is held before its contention round`);
  await primed.release();
  for (const c of contenders) c.requests.reset();

  const started = performance.now();
  const answers = await Promise.all(
    contenders.map(async ({ contender, requests }) => {
      const held = await contender.contend(lease);
      return { held, answeredMs: performance.now() - started, requests: requests.total() };
    }),
  );
  const winners = answers.map((a) => a.held).filter((h): h is Held => h !== undefined);
  await Promise.all(winners.map((h) => h.release()));
  return {
    winners: winners.length,
    requests: answers.reduce((sum, a) => sum + a.requests, 0),
    allAnsweredMs: Math.max(...answers.map((a) => a.answeredMs)),
  };
}
