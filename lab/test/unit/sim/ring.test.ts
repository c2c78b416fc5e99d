import { describe, expect, it } from 'vitest';
import type { RingNode } from '../../../sim/ring.js';
import { SCENARIO_NAMES } from '../../../sim/scenarios.js';
import { expectHighestLiveLeads, HOSTILE_NETWORK, label, runMany, SEEDS } from './invariants.js';

describe('Ring election (Chang–Roberts)', () => {
  it('ends with the highest live id as the one leader, once the system is stable', async () => {
    const runs = await runMany('ring', SCENARIO_NAMES, SEEDS);
    for (const run of runs) expectHighestLiveLeads(run, (id) => (run.cluster.instance(id) as RingNode).leader);
  });

  it('closes the ring over failed nodes: the next highest wins while the highest and its neighbour are down', async () => {
    // Arrange: nodes 5 and 1 (5's successor) crash at 5 s for good.
    const runs = await runMany('ring', ['steady'], SEEDS, {
      instrument: (cluster) =>
        void cluster.sim.at(5_000, () => {
          cluster.crash(5);
          cluster.crash(1);
        }),
    });

    // Assert
    for (const run of runs) expectHighestLiveLeads(run, (id) => (run.cluster.instance(id) as RingNode).leader);
  });

  it('settles on the highest live id after a lossy, reordering network', async () => {
    // Arrange: the hostile network until 15 s, then the baseline.
    const runs = await runMany('ring', ['leader-crash'], SEEDS, {
      network: HOSTILE_NETWORK,
      instrument: (cluster) =>
        void cluster.sim.at(15_000, () =>
          cluster.network.configure({ lossRate: 0.002, latency: { kind: 'constant', ms: 3 } }),
        ),
    });

    // Assert
    for (const run of runs) expectHighestLiveLeads(run, (id) => (run.cluster.instance(id) as RingNode).leader);
  });

  it('elects a second leader on the majority side of a partition (no quorum, no fencing token)', async () => {
    const runs = await runMany('ring', ['partition'], SEEDS);
    for (const run of runs) {
      expect(run.metrics.splitBrainMs, label(run)).toBeGreaterThan(8_000);
      expect(run.metrics.staleWritesAccepted, label(run)).toBeGreaterThan(0);
    }
  });
});
