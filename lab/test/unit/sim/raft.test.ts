import { describe, expect, it } from 'vitest';
import { SCENARIO_NAMES } from '../../../sim/scenarios.js';
import { Timeline } from '../../../sim/timeline.js';
import { epochsWithTwoLeaders, HOSTILE_NETWORK, label, runMany, SEEDS } from './invariants.js';

describe('Raft election', () => {
  it('elects at most one leader per term, in every scenario', async () => {
    // Arrange / Act
    const runs = await runMany('raft', SCENARIO_NAMES, SEEDS);

    // Assert
    for (const run of runs) expect(epochsWithTwoLeaders(run.timeline), label(run)).toEqual([]);
  });

  it('elects at most one leader per term on a lossy, reordering network with crashes', async () => {
    // Arrange: short timeouts make split votes and competing candidates common.
    const options = {
      network: HOSTILE_NETWORK,
      algorithmOptions: { raft: { electionTimeoutMinMs: 150, electionTimeoutMaxMs: 300 } },
    };

    // Act
    const runs = await runMany('raft', ['leader-crash', 'flapping', 'pause'], SEEDS, options);

    // Assert
    const terms = runs.flatMap((r) => r.timeline.tenures.map((t) => t.epoch));
    expect(new Set(terms).size).toBeGreaterThan(runs.length); // many terms were contested: the check had work to do
    for (const run of runs) expect(epochsWithTwoLeaders(run.timeline), label(run)).toEqual([]);
  });

  it('has a checker that notices two leaders in one term', () => {
    // Arrange
    const timeline = new Timeline();
    timeline.lead(100, 1, 3, 3);
    timeline.lead(200, 2, 3, 3);

    // Act / Assert
    expect(epochsWithTwoLeaders(timeline)).toEqual([3]);
  });

  it('leaves the stale leader believing on the minority side until it hears a higher term', async () => {
    // Arrange / Act
    const runs = await runMany('raft', ['partition'], SEEDS);

    // Assert: the old leader's tenure outlives the new one's start (split brain, no CheckQuorum),
    // ends within a second of the heal at 20 s, and the term check kept every stale write out.
    for (const run of runs) {
      const [old, next] = run.timeline.tenures;
      expect(next!.start, label(run)).toBeLessThan(old!.end!);
      expect(old!.end!, label(run)).toBeGreaterThanOrEqual(20_000);
      expect(old!.end!, label(run)).toBeLessThan(21_000);
      expect(run.metrics.staleWritesAcceptedUnfenced, label(run)).toBeGreaterThan(0);
      expect(run.metrics.staleWritesAccepted, label(run)).toBe(0);
    }
  });
});
