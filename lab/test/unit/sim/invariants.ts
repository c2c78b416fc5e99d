/**
 * Checkers shared by the election-lab specs. Each one reads a finished run (or
 * a hand-made timeline) and returns the violations it finds, so a spec can
 * both assert on real runs and prove, on a doctored timeline, that the check
 * would fail.
 */
import { expect } from 'vitest';
import type { AlgorithmName, AlgorithmOptions } from '../../../sim/algorithms.js';
import type { RunOptions, RunResult } from '../../../sim/lab.js';
import { runScenario } from '../../../sim/lab.js';
import { SERVICE } from '../../../sim/network.js';
import { totalLength } from '../../../intervals/overlaps.js';
import { runningOverlaps } from '../../../sim/overlaps.js';
import type { ScenarioName } from '../../../sim/scenarios.js';
import type { Timeline } from '../../../sim/timeline.js';

/** Seeds for property-style specs: many runs, each a few milliseconds. */
export const SEEDS = Array.from({ length: 12 }, (_, i) => i + 1);

/** A hostile network: 5% loss, latency spread over 1–150 ms (heavy reordering). */
export const HOSTILE_NETWORK = { lossRate: 0.05, latency: { kind: 'uniform', minMs: 1, maxMs: 150 } } as const;

const cache = new Map<string, Promise<RunResult>>();

/**
 * Runs `algorithm` through each scenario for each seed. Runs with default
 * options are shared by the specs of one file (a run is a pure function of
 * its arguments), which keeps many-seed specs fast.
 */
export async function runMany(
  algorithm: AlgorithmName,
  scenarios: readonly ScenarioName[],
  seeds: readonly number[],
  extra: Partial<RunOptions> & { algorithmOptions?: AlgorithmOptions } = {},
): Promise<RunResult[]> {
  const results: RunResult[] = [];
  const plain = Object.keys(extra).length === 0;
  for (const scenario of scenarios) {
    for (const seed of seeds) {
      const key = `${algorithm}/${scenario}/${seed}`;
      let run = plain ? cache.get(key) : undefined;
      if (run === undefined) {
        run = runScenario({ algorithm, scenario, seed, ...extra });
        if (plain) cache.set(key, run);
      }
      results.push(await run);
    }
  }
  return results;
}

/** Epochs in which more than one node led. */
export function epochsWithTwoLeaders(timeline: Pick<Timeline, 'tenures'>): number[] {
  const leaders = new Map<number, Set<number>>();
  for (const t of timeline.tenures) {
    let set = leaders.get(t.epoch);
    if (set === undefined) leaders.set(t.epoch, (set = new Set()));
    set.add(t.node);
  }
  return [...leaders].filter(([, nodes]) => nodes.size > 1).map(([epoch]) => epoch);
}

/**
 * Total time during which two or more *running* nodes (up, not paused)
 * believed they led (`runningOverlaps` in lab/sim/overlaps.ts).
 */
export function runningOverlapMs(timeline: Pick<Timeline, 'tenures' | 'statuses'>, endMs: number): number {
  return totalLength(runningOverlaps(timeline, endMs));
}

/** Writes the fenced resource accepted with a token below one it had accepted before. */
export function fenceViolations(timeline: Pick<Timeline, 'writes'>): number {
  let fence = -Infinity;
  let violations = 0;
  for (const w of timeline.writes) {
    if (!w.fencedAccepted || w.token === undefined) continue;
    if (w.token < fence) violations++;
    fence = Math.max(fence, w.token);
  }
  return violations;
}

/** The run ended with exactly one leader, running and on the service's side. */
export function settledLeader(result: RunResult): number | undefined {
  const { finalLeaders, cluster } = result;
  if (finalLeaders.length !== 1) return undefined;
  const leader = finalLeaders[0] as number;
  if (cluster.statusOf(leader) !== 'up') return undefined;
  return cluster.network.canReach(leader, SERVICE) ? leader : undefined;
}

export function label(result: RunResult): string {
  return `${result.algorithm}/${result.scenario}/seed ${result.seed}`;
}

/** Every running node follows the highest running id, and only that node believes it leads. */
export function expectHighestLiveLeads(run: RunResult, follower: (id: number) => number | undefined): void {
  const up = run.cluster.nodeIds.filter((id) => run.cluster.statusOf(id) === 'up');
  const highest = Math.max(...up);
  expect(run.finalLeaders, label(run)).toEqual([highest]);
  for (const id of up) expect(follower(id), `${label(run)}: node ${id} follows`).toBe(highest);
}
