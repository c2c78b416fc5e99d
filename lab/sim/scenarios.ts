import type { Cluster } from './cluster.js';
import type { ClockSettings } from './node-clock.js';
import type { Prng } from './prng.js';

export const SCENARIO_NAMES = ['steady', 'leader-crash', 'partition', 'flapping', 'pause', 'clock-skew'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** Virtual length of every run. Disruptions start at 10 s, after every algorithm has settled. */
export const RUN_MS = 30_000;

/**
 * When a scenario's fault strikes and ends. The descriptions state the
 * defaults; `flapping` runs from 2 s before `atMs` to 4 s after `recoverAtMs`.
 */
export interface FaultTiming {
  /** @default 10_000 */
  readonly atMs: number;
  /** When the crashed leader restarts or the partition heals; `null`: never. @default 20_000 */
  readonly recoverAtMs: number | null;
  /**
   * The fault strikes at `atMs` plus a delay drawn uniformly from
   * [0, jitterMs). With the leader's heartbeat period, that puts the crash at a
   * uniformly random point of its heartbeat interval, whatever the phase of the
   * heartbeats at `atMs`. @default 0
   */
  readonly jitterMs: number;
}

export const DEFAULT_FAULT_TIMING: FaultTiming = { atMs: 10_000, recoverAtMs: 20_000, jitterMs: 0 };

export interface Scenario {
  readonly name: ScenarioName;
  readonly description: string;
  /** Schedules the scenario's faults on a started cluster. */
  setup(cluster: Cluster, prng: Prng, timing: FaultTiming): void;
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

/** Runs `strike` when the fault is due (with its jitter), and `recover` when it ends, if it does. */
function atFault(cluster: Cluster, prng: Prng, timing: FaultTiming, strike: () => void, recover?: () => void): void {
  const at = timing.atMs + (timing.jitterMs > 0 ? prng.uniform(0, timing.jitterMs) : 0);
  cluster.sim.at(at, () => {
    strike();
    if (recover !== undefined && timing.recoverAtMs !== null) cluster.sim.at(timing.recoverAtMs, recover);
  });
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
    setup(cluster, prng, timing) {
      let leader = 0;
      atFault(
        cluster,
        prng,
        timing,
        () => {
          leader = target(cluster);
          cluster.timeline.disruption(cluster.sim.now, leader, 'crash');
          cluster.crash(leader);
        },
        () => {
          cluster.timeline.note(cluster.sim.now, `node ${leader} restarts`);
          cluster.restart(leader);
        },
      );
    },
  },

  partition: {
    name: 'partition',
    description:
      'At 10 s the leader and one other node are cut off from the other nodes and from the coordination ' +
      'service (the leader is on the minority side); the partition heals at 20 s. The resource stays ' +
      'reachable from both sides.',
    setup(cluster, prng, timing) {
      atFault(
        cluster,
        prng,
        timing,
        () => {
          const leader = target(cluster);
          const partner = prng.pick(cluster.nodeIds.filter((id) => id !== leader));
          cluster.timeline.disruption(cluster.sim.now, leader, `partition {${leader},${partner}}`);
          cluster.network.partition([leader, partner]);
        },
        () => cluster.network.heal(),
      );
    },
  },

  flapping: {
    name: 'flapping',
    description:
      'From 8 s to 24 s, whoever leads is repeatedly cut off from everyone for 0.4–1.5 s, then reconnected ' +
      'for 0.8–2 s: a flapping link.',
    setup(cluster, prng, timing) {
      const end = (timing.recoverAtMs ?? Infinity) + 4_000;
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
      cluster.sim.at(timing.atMs - 2_000, cycle);
    },
  },

  pause: {
    name: 'pause',
    description:
      'At its first write after 10 s, the leader is paused for 6 s (a stop-the-world GC or a frozen ' +
      'VM) between its leadership check and sending the write.',
    setup(cluster, prng, timing) {
      atFault(cluster, prng, timing, () => cluster.pauseAtNextWrite(target(cluster), 6_000));
    },
  },

  'clock-skew': {
    name: 'clock-skew',
    description:
      "Clocks start up to ±100 ms apart. At 10 s the leader's wall clock steps 800 ms back (past " +
      "Baton's default 200 ms skew bound) and its oscillator starts running 0.5% slow; at 10.5 s " +
      'the leader is cut off from everyone until 20 s.',
    clocks(nodeIds, prng) {
      return new Map(nodeIds.map((id) => [id, { offsetMs: prng.uniform(-100, 100), driftPpm: prng.uniform(-50, 50) }]));
    },
    setup(cluster, prng, timing) {
      atFault(cluster, prng, timing, () => {
        const leader = target(cluster);
        cluster.timeline.note(cluster.sim.now, `node ${leader}: wall clock -800 ms, drift -5000 ppm`);
        cluster.clock(leader).step(-800);
        cluster.clock(leader).setDrift(-5000);
        cluster.sim.schedule(500, () => {
          cluster.timeline.disruption(cluster.sim.now, leader, 'isolate');
          cluster.network.partition([leader]);
          if (timing.recoverAtMs !== null) cluster.sim.at(timing.recoverAtMs, () => cluster.network.heal());
        });
      });
    },
  },
};
