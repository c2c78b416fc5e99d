import { describe, expect, it } from 'vitest';
import type { BullyMessage, BullyNode } from '../../../sim/bully.js';
import { runScenario } from '../../../sim/lab.js';
import { SCENARIO_NAMES } from '../../../sim/scenarios.js';
import { expectHighestLiveLeads, label, runMany, SEEDS } from './invariants.js';

describe('Bully election', () => {
  it('ends with the highest live id as the one leader, once the system is stable', async () => {
    // Arrange / Act: every scenario's faults are over by 24 s; runs end at 30 s.
    const runs = await runMany('bully', SCENARIO_NAMES, SEEDS);

    // Assert
    for (const run of runs) expectHighestLiveLeads(run, (id) => (run.cluster.instance(id) as BullyNode).leader);
  });

  it('hands leadership to the next highest id while the highest stays down', async () => {
    // Arrange: node 5 crashes at 5 s and never comes back.
    const runs = await runMany('bully', ['steady'], SEEDS, {
      instrument: (cluster) => void cluster.sim.at(5_000, () => cluster.crash(5)),
    });

    // Assert
    for (const run of runs) expectHighestLiveLeads(run, (id) => (run.cluster.instance(id) as BullyNode).leader);
  });

  it('elects a second leader on the majority side of a partition (no quorum, no fencing token)', async () => {
    // Act
    const runs = await runMany('bully', ['partition'], SEEDS);

    // Assert: the documented weakness, measured.
    for (const run of runs) {
      expect(run.metrics.splitBrainMs, label(run)).toBeGreaterThan(8_000);
      expect(run.metrics.staleWritesAccepted, label(run)).toBe(run.metrics.staleWritesAcceptedUnfenced);
      expect(run.metrics.staleWritesAccepted, label(run)).toBeGreaterThan(0);
    }
  });
});

/** Messages nodes sent, by type, in [fromMs, toMs). */
async function countSends(options: Parameters<typeof runScenario>[0], fromMs = 0, toMs = Infinity) {
  const sent: { time: number; from: number; to: number; type: string }[] = [];
  const run = await runScenario({
    ...options,
    trace: (e) => {
      if (e.kind === 'send' && e.time >= fromMs && e.time < toMs)
        sent.push({ time: e.time, from: e.from, to: e.to, type: (e.message as BullyMessage).type });
    },
  });
  return { run, sent };
}

describe('Bully election messages', () => {
  it('accepts the new coordinator a pulled-in node hears, although it is lower than the crashed leader it remembers', async () => {
    for (const seed of SEEDS) {
      // Arrange: node 5 leads from boot and crashes at 3 s; node 1 alone notices first, so
      // nodes 2–4 are pulled into the election while they still remember node 5.
      const crashAtMs = 3_000;
      const { run, sent } = await countSends(
        {
          algorithm: 'bully',
          scenario: 'steady',
          seed,
          durationMs: 8_000,
          algorithmOptions: { bully: { establishedLeader: 5, detector: 1 } },
          instrument: (cluster) => void cluster.sim.at(crashAtMs, () => cluster.crash(5)),
        },
        crashAtMs,
      );

      // Assert: one election, one announcement, and everyone follows node 4.
      const coordinators = sent.filter((m) => m.type === 'Coordinator');
      expect(
        coordinators.map((m) => m.from),
        `seed ${seed}`,
      ).toEqual([4, 4, 4, 4]);
      expect(
        run.timeline.tenures.map((t) => t.node),
        `seed ${seed}`,
      ).toEqual([5, 4]);
      expectHighestLiveLeads(run, (id) => (run.cluster.instance(id) as BullyNode).leader);
    }
  });

  it('elects once at boot with at most n² messages, however the first messages are ordered', async () => {
    for (const nodes of [5, 9, 17]) {
      for (const seed of SEEDS) {
        // Act: the first 3 s of a fault-free run; heartbeats are liveness, not the election.
        const { run, sent } = await countSends({
          algorithm: 'bully',
          scenario: 'steady',
          seed,
          nodes,
          durationMs: 3_000,
        });

        // Assert
        const label = `n=${nodes} seed ${seed}`;
        const election = sent.filter((m) => m.type !== 'Heartbeat');
        expect(election.length, label).toBeLessThanOrEqual(nodes * nodes);
        expect(election.filter((m) => m.type === 'Election').length, label).toBe((nodes * (nodes - 1)) / 2);
        expect(
          run.timeline.tenures.map((t) => t.node),
          label,
        ).toEqual([nodes]);
      }
    }
  });

  it('sends n(n−1)/2 Election messages and at most n² in all when the lowest id detects the crash', async () => {
    for (const nodes of [5, 9, 17]) {
      const { sent } = await countSends(
        {
          algorithm: 'bully',
          scenario: 'steady',
          seed: 1,
          nodes,
          durationMs: 6_000,
          algorithmOptions: { bully: { establishedLeader: nodes, detector: 1 } },
          instrument: (cluster) => void cluster.sim.at(3_000, () => cluster.crash(nodes)),
        },
        3_000,
      );
      const election = sent.filter((m) => m.type !== 'Heartbeat');
      expect(election.filter((m) => m.type === 'Election').length, `n=${nodes}`).toBe((nodes * (nodes - 1)) / 2);
      expect(election.length, `n=${nodes}`).toBeLessThanOrEqual(nodes * nodes);
    }
  });
});
