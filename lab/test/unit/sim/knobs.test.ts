import { describe, expect, it } from 'vitest';
import { withoutStderr } from '../../support/console.js';
import { run as sim } from '../../../sim/command.js';
import { runScenario } from '../../../sim/lab.js';
import type { RaftNode } from '../../../sim/raft.js';
import type { RingMessage } from '../../../sim/ring.js';
import { SEEDS } from './invariants.js';

describe('Election lab knobs', () => {
  it('starts Raft from an established leader, so that equal timeouts (150–150) still have a leader to lose', async () => {
    const run = await runScenario({
      algorithm: 'raft',
      scenario: 'steady',
      seed: 1,
      durationMs: 2_000,
      algorithmOptions: { raft: { electionTimeoutMinMs: 150, electionTimeoutMaxMs: 150, heartbeatMs: 75 } },
      experiment: { establishedLeader: true },
    });
    expect(run.timeline.tenures).toMatchObject([{ node: 5, epoch: 1, start: 0 }]);
    expect((run.cluster.instance(2) as RaftNode).currentTerm).toBe(1);
  });

  it('crashes at a uniformly random point of the heartbeat interval with --crash-phase uniform', async () => {
    const phases: number[] = [];
    for (const seed of [...SEEDS, ...SEEDS.map((s) => s + 100)]) {
      const run = await runScenario({
        algorithm: 'raft',
        scenario: 'leader-crash',
        seed,
        durationMs: 12_000,
        faults: { atMs: 10_000, jitterMs: 'heartbeat' },
      });
      phases.push(run.timeline.disruptions[0]!.time - 10_000);
    }
    // Raft's stock heartbeat is 100 ms.
    for (const phase of phases) expect(phase).toBeGreaterThanOrEqual(0);
    for (const phase of phases) expect(phase).toBeLessThan(100);
    expect(Math.max(...phases) - Math.min(...phases)).toBeGreaterThan(50);
  });

  it('lets the chosen node detect the crash and start the only election', async () => {
    const initiators = new Set<number>();
    await runScenario({
      algorithm: 'raft',
      scenario: 'leader-crash',
      seed: 3,
      durationMs: 12_000,
      faults: { atMs: 5_000, recoverAtMs: null },
      experiment: { establishedLeader: true, detector: 2 },
      trace: (e) => {
        if (e.kind === 'send' && (e.message as { type: string }).type === 'RequestVote') initiators.add(e.from);
      },
    });
    expect([...initiators]).toEqual([2]);
  });

  it('arranges the ring in a random order drawn from the seed', async () => {
    const orders = new Set<string>();
    for (const seed of [1, 2, 3, 4]) {
      const successors = new Map<number, number>();
      await runScenario({
        algorithm: 'ring',
        scenario: 'steady',
        seed,
        durationMs: 500,
        network: { lossRate: 0 },
        experiment: { ringOrder: 'random' },
        trace: (e) => {
          if (e.kind === 'send' && (e.message as RingMessage).type === 'Hop') successors.set(e.from, e.to);
        },
      });
      // Every node has one successor and following them visits every node once: a ring.
      const ring = [1];
      while (ring.length < 5) ring.push(successors.get(ring.at(-1)!)!);
      expect(new Set(ring).size).toBe(5);
      expect(successors.get(ring.at(-1)!)).toBe(1);
      orders.add(ring.join(','));
    }
    expect(orders.size).toBeGreaterThan(1);
  });

  it('rejects knobs an algorithm cannot take and malformed values, with exit code 2', async () => {
    await withoutStderr(async () => {
      expect(await sim(['--algo', 'paxos', '--detector', '2'])).toBe(2);
      expect(await sim(['--algo', 'raft', '--ring-order', 'random'])).toBe(2);
      expect(await sim(['--algo', 'raft', '--election-timeout', '300-150'])).toBe(2);
      expect(await sim(['--algo', 'raft', '--latency', 'lognormal:0'])).toBe(2);
      expect(await sim(['--algo', 'raft', '--loss', '1.5'])).toBe(2);
      expect(await sim(['--algo', 'raft', '--crash-phase', 'random'])).toBe(2);
      expect(await sim(['--algo', 'ring', '--detector', '6'])).toBe(2);
    });
  });
});
