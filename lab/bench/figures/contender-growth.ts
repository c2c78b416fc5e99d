import type { CountedClient } from '../client-pool.js';
import type { LockSystem } from '../lock-system.js';
import type { SystemName } from '../registry.js';
import type { BenchParams } from '../options.js';
import { median, round2 } from '../stats.js';
import { contentionRound } from './contention.js';

/** How one system answers `contenders` workers racing for one lease. */
export interface ContenderGrowthPoint {
  readonly system: SystemName;
  readonly contenders: number;
  /** Requests over contenders over rounds: what one contender's one attempt costs; 1 is the floor. */
  readonly requestsPerContender: number;
  /** The race's winners in every round; each must be 1. */
  readonly winners: readonly number[];
  /** Median over the measured rounds of the time until the last contender had its answer. */
  readonly allAnsweredMs: number;
}

/**
 * How cost grows with the contenders per lease: for each count, the first
 * that many of the contention figure's clients (connections already open)
 * race for one lease of their own, `rounds` times after one untimed round,
 * each system in turn, exactly as in the contention figure.
 */
export async function measureContenderGrowth(
  systems: readonly LockSystem[],
  clients: readonly CountedClient[],
  params: BenchParams['contenderGrowth'],
): Promise<ContenderGrowthPoint[]> {
  const points: ContenderGrowthPoint[] = [];
  for (const system of systems) {
    for (const count of params.contenders) {
      if (count > clients.length)
        throw new RangeError(`bench: ${count} contenders need ${count} clients, the run has ${clients.length}`);
      const contenders = clients
        .slice(0, count)
        .map((c) => ({ contender: system.contender(c.client), requests: c.requests }));
      const lease = `bench/contender-growth/${count}`;
      await contentionRound(contenders, lease);
      const rounds = [];
      for (let i = 0; i < params.rounds; i++) rounds.push(await contentionRound(contenders, lease));
      points.push({
        system: system.name,
        contenders: count,
        requestsPerContender: round2(rounds.reduce((sum, r) => sum + r.requests, 0) / (count * rounds.length)),
        winners: rounds.map((r) => r.winners),
        allAnsweredMs: round2(median(rounds.map((r) => r.allAnsweredMs))),
      });
    }
  }
  return points;
}
