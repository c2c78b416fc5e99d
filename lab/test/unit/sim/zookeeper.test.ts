import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../../sim/cluster.js';
import { SCENARIO_NAMES } from '../../../sim/scenarios.js';
import type { ZooKeeperNode } from '../../../sim/zookeeper.js';
import type { ZooKeeperService } from '../../../sim/zookeeper-service.js';
import { HOSTILE_NETWORK, label, runMany, SEEDS } from './invariants.js';

/** Every 50 ms: each running node that believes it leads owns the lowest live znode. */
function probeLowestLeads(violations: string[]) {
  return (cluster: Cluster, service: unknown): void => {
    const zk = service as ZooKeeperService;
    const probe = (): void => {
      for (const id of cluster.leaders()) {
        if (cluster.statusOf(id) !== 'up') continue; // a frozen process believes whatever it last knew
        const seq = (cluster.instance(id) as ZooKeeperNode).seq;
        const lowest = zk.children()[0];
        if (seq !== lowest)
          violations.push(`t=${cluster.sim.now.toFixed(1)} node ${id} leads with ${seq}, lowest is ${lowest}`);
      }
      cluster.sim.schedule(50, probe);
    };
    cluster.sim.schedule(50, probe);
  };
}

describe('ZooKeeper election recipe', () => {
  // One set of runs, probed every 50 ms while it runs, serves the first two specs.
  const violations: string[] = [];
  const probed = runMany('zookeeper', SCENARIO_NAMES, SEEDS, { instrument: probeLowestLeads(violations) });

  it('only the owner of the lowest live sequence number leads, at every instant, in every scenario', async () => {
    // Arrange / Act
    await probed;

    // Assert
    expect(violations).toEqual([]);
  });

  it('ends with the lowest live sequence leading once the system is stable', async () => {
    for (const run of await probed) {
      const zk = run.service as ZooKeeperService;
      const lowest = zk.children()[0]!;
      expect(run.finalLeaders, label(run)).toEqual([zk.ownerOf(lowest)]);
    }
  });

  it('has each candidate watch only its predecessor (no herd effect)', async () => {
    // Arrange: record every `exists` watch with the znodes live when it was sent.
    const problems: string[] = [];
    let zk: ZooKeeperService | undefined;
    let cluster: Cluster | undefined;
    const trace = (e: { kind: string; from: number; message: unknown }): void => {
      const m = e.message as { type?: string; seq?: number };
      if (e.kind !== 'send' || m.type !== 'exists' || zk === undefined || cluster === undefined) return;
      const mine = (cluster.instance(e.from) as ZooKeeperNode).seq!;
      const between = zk.children().filter((c) => c > m.seq! && c < mine);
      if (m.seq! >= mine || between.length > 0)
        problems.push(`node ${e.from} (seq ${mine}) watched ${m.seq}, skipping ${between}`);
    };

    // Act
    const runs = await runMany('zookeeper', ['leader-crash', 'flapping'], SEEDS, {
      trace,
      instrument: (c, s) => {
        cluster = c;
        zk = s as ZooKeeperService;
      },
    });

    // Assert
    expect(problems).toEqual([]);
    expect(runs.every((r) => r.metrics.tenures >= 2)).toBe(true); // leadership did move along the chain
  });

  it('keeps the lowest-sequence rule on a lossy, reordering network', async () => {
    const violations: string[] = [];
    await runMany('zookeeper', ['leader-crash', 'partition', 'flapping'], SEEDS, {
      network: HOSTILE_NETWORK,
      instrument: probeLowestLeads(violations),
    });
    expect(violations).toEqual([]);
  });
});
