import { runScenario } from './lab.js';
import type { LatencyModel } from './latency.js';
import { Prng } from './prng.js';
import type { RaftMessage, RaftNode } from './raft.js';

/** One Raft leader-crash measurement, set up as in the Raft paper's election benchmark. */
export interface RaftElectionSetup {
  readonly timeoutMs: readonly [number, number];
  /** @default half the minimum election timeout, as in the paper */
  readonly heartbeatMs?: number;
  readonly latency: LatencyModel;
  readonly lossRate: number;
  /** Raft's disk sync before a vote reply. @default 0 */
  readonly persistMs?: number;
  readonly nodes: number;
  /** A trial still without a leader this long after the crash is cut off and counted as this long. */
  readonly capMs: number;
  /**
   * The leader broadcasts one heartbeat just before it crashes, as the paper's
   * test script made it do: every follower's timer then starts from about the
   * same instant, the case most prone to split votes.
   */
  readonly finalHeartbeat: boolean;
}

/** When the leader crashes: after it has led for a while, at a uniformly random point of a heartbeat interval. */
const SETTLE_MS = 1_000;

/**
 * Crashes an established Raft leader and returns how long, in virtual ms,
 * until every surviving follower has heard a heartbeat from a new leader, or
 * `capMs` if that has not happened by then (`censored`).
 */
export async function raftElectionTrial(
  setup: RaftElectionSetup,
  seed: number,
): Promise<{ ms: number; censored: boolean }> {
  const [lo, hi] = setup.timeoutMs;
  const heartbeatMs = setup.heartbeatMs ?? lo / 2;
  const crashAt = SETTLE_MS + new Prng(`${seed}/raft-election/crash`).uniform(0, heartbeatMs);
  let leader = 0;
  let crashedAt = Infinity;
  let term = 0;
  const heard = new Map<number, number>();
  let done = false;
  let halt = (): void => {};
  await runScenario({
    algorithm: 'raft',
    scenario: 'steady',
    seed,
    nodes: setup.nodes,
    durationMs: crashAt + 2 * setup.capMs,
    network: { latency: setup.latency, lossRate: setup.lossRate },
    algorithmOptions: {
      raft: { electionTimeoutMinMs: lo, electionTimeoutMaxMs: hi, heartbeatMs, persistMs: setup.persistMs ?? 0 },
    },
    experiment: { establishedLeader: true },
    instrument: (cluster) => {
      halt = () => cluster.sim.halt();
      const crash = (): void => {
        // Short timeouts on a slow tail elect now and then without a crash: crash whoever leads,
        // and if an election is under way, try again a heartbeat interval later.
        const current = cluster.currentLeader();
        if (current === undefined) {
          cluster.sim.schedule(heartbeatMs, crash);
          return;
        }
        leader = current;
        crashedAt = cluster.sim.now;
        const node = cluster.instance(leader) as RaftNode;
        term = node.currentTerm;
        if (setup.finalHeartbeat) node.heartbeatNow();
        cluster.crash(leader);
        cluster.sim.schedule(setup.capMs, () => cluster.sim.halt());
      };
      cluster.sim.at(crashAt, crash);
    },
    trace: (event) => {
      if (done || event.kind !== 'deliver' || event.time < crashedAt || event.from === leader) return;
      const message = event.message as RaftMessage;
      if (message.type !== 'AppendEntries' || message.term <= term || heard.has(event.to)) return;
      heard.set(event.to, event.time);
      // The new leader itself plus every other survivor.
      if (heard.size === setup.nodes - 2) {
        done = true;
        halt();
      }
    },
  });
  const ms = done ? Math.max(...heard.values()) - crashedAt : Infinity;
  return ms <= setup.capMs ? { ms, censored: false } : { ms: setup.capMs, censored: true };
}
