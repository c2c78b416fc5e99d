import type { Cluster } from './cluster.js';
import type { ClockSettings } from './node-clock.js';
import type { Prng } from './prng.js';

export const SCENARIO_NAMES = ['steady', 'leader-crash', 'partition', 'flapping', 'pause', 'clock-skew'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** Virtual length of every run. Disruptions start at 10 s, after every algorithm has settled. */
export const RUN_MS = 30_000;
const DISRUPT_AT_MS = 10_000;
const RECOVER_AT_MS = 20_000;

export interface Scenario {
  readonly name: ScenarioName;
  readonly description: string;
  /** Schedules the scenario's faults on a started cluster. */
  setup(cluster: Cluster, prng: Prng): void;
  /** Per-node clocks at boot; defaults to `ntpClocks`. */
  clocks?(nodeIds: readonly number[], prng: Prng): Map<number, ClockSettings>;
}

/**
 * What NTP-disciplined machines look like: within ±20 ms of true time, drifting
 * by up to ±50 ppm. Every scenario starts from here.
 */
export function ntpClocks(nodeIds: readonly number[], prng: Prng): Map<number, ClockSettings> {
  return new Map(nodeIds.map((id) => [id, { offsetMs: prng.uniform(-20, 20), driftPpm: prng.uniform(-50, 50) }]));
}

/** The node a disruption aims at: the current leader, or the highest id if nobody leads. */
function target(cluster: Cluster): number {
  return cluster.currentLeader() ?? Math.max(...cluster.nodeIds);
}

export const SCENARIOS: Readonly<Record<ScenarioName, Scenario>> = {
  steady: {
    name: 'steady',
    description: 'No faults beyond the baseline: message latency with a long tail and 0.2% message loss.',
    setup() {},
  },

  'leader-crash': {
    name: 'leader-crash',
    description: 'The leader crashes at 10 s and restarts at 20 s (keeping only its durable state).',
    setup(cluster) {
      cluster.sim.at(DISRUPT_AT_MS, () => {
        const leader = target(cluster);
        cluster.timeline.disruption(cluster.sim.now, leader, 'crash');
        cluster.crash(leader);
        cluster.sim.at(RECOVER_AT_MS, () => {
          cluster.timeline.note(cluster.sim.now, `node ${leader} restarts`);
          cluster.restart(leader);
        });
      });
    },
  },

  partition: {
    name: 'partition',
    description:
      'At 10 s the leader and one other node are cut off from the other nodes and from the coordination service (the leader is on the minority side); the partition heals at 20 s. The resource stays reachable from both sides.',
    setup(cluster, prng) {
      cluster.sim.at(DISRUPT_AT_MS, () => {
        const leader = target(cluster);
        const partner = prng.pick(cluster.nodeIds.filter((id) => id !== leader));
        cluster.timeline.disruption(cluster.sim.now, leader, `partition {${leader},${partner}}`);
        cluster.network.partition([leader, partner]);
        cluster.sim.at(RECOVER_AT_MS, () => cluster.network.heal());
      });
    },
  },

  flapping: {
    name: 'flapping',
    description:
      'From 8 s to 24 s, whoever leads is repeatedly cut off from everyone for 0.4–1.5 s, then reconnected for 0.8–2 s: a flapping link.',
    setup(cluster, prng) {
      const end = 24_000;
      const cycle = (): void => {
        if (cluster.sim.now >= end) return;
        const leader = target(cluster);
        const downMs = prng.uniform(400, 1500);
        cluster.timeline.disruption(cluster.sim.now, leader, `isolate ${Math.round(downMs)} ms`);
        cluster.network.partition([leader]);
        cluster.sim.schedule(downMs, () => {
          cluster.network.heal();
          cluster.sim.schedule(prng.uniform(800, 2000), cycle);
        });
      };
      cluster.sim.at(8_000, cycle);
    },
  },

  pause: {
    name: 'pause',
    description:
      'At its first write after 10 s, the leader is paused for 6 s (a stop-the-world GC or a frozen VM) between its leadership check and sending the write.',
    setup(cluster) {
      cluster.sim.at(DISRUPT_AT_MS, () => cluster.pauseAtNextWrite(target(cluster), 6_000));
    },
  },

  'clock-skew': {
    name: 'clock-skew',
    description:
      "Clocks start up to ±100 ms apart. At 10 s the leader's wall clock steps 800 ms back (past Baton's default 200 ms skew bound) and its oscillator starts running 0.5% slow; at 10.5 s the leader is cut off from everyone until 20 s.",
    clocks(nodeIds, prng) {
      return new Map(nodeIds.map((id) => [id, { offsetMs: prng.uniform(-100, 100), driftPpm: prng.uniform(-50, 50) }]));
    },
    setup(cluster) {
      cluster.sim.at(DISRUPT_AT_MS, () => {
        const leader = target(cluster);
        cluster.timeline.note(cluster.sim.now, `node ${leader}: wall clock -800 ms, drift -5000 ppm`);
        cluster.clock(leader).step(-800);
        cluster.clock(leader).setDrift(-5000);
        cluster.sim.schedule(500, () => {
          cluster.timeline.disruption(cluster.sim.now, leader, 'isolate');
          cluster.network.partition([leader]);
          cluster.sim.at(RECOVER_AT_MS, () => cluster.network.heal());
        });
      });
    },
  },
};
