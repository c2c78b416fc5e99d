import type { Prng } from './prng.js';

/** A cancellable timer on a node's own clock. */
export interface NodeTimer {
  cancel(): void;
  readonly cancelled: boolean;
}

/**
 * Everything a node may touch: its clocks, timers, the network, its durable
 * storage and its randomness. The context belongs to one incarnation of the
 * node: after a crash every method of the old context is a no-op, so code still
 * running for a dead process (a promise continuation, say) cannot act.
 */
export interface NodeContext {
  /** This node's id; ids are 1..N and their order is the one Bully and Ring compare. */
  readonly id: number;
  /** Every node id in the cluster, ascending, including this one. */
  readonly nodeIds: readonly number[];
  /** 1 on the node's first boot, then one more on every restart. */
  readonly incarnation: number;
  /** Local wall clock, epoch ms (offset and drift applied). */
  now(): number;
  /** Local monotonic clock, ms (drift applied, never steps). */
  monotonic(): number;
  /** Runs `fire` after `localMs` on this node's monotonic clock. Deferred while the node is paused, dropped on crash. */
  setTimer(localMs: number, fire: () => void): NodeTimer;
  /** Sends a message to a node, or to the coordination service (`SERVICE`). */
  send(to: number, message: unknown): void;
  /** This incarnation's random stream. */
  readonly random: Prng;
  /** Survives crashes: what a real node keeps on disk (Raft's term and vote, Paxos acceptor state). */
  readonly storage: Map<string, unknown>;
  /**
   * Declares that this node now believes it leads. `epoch` orders tenures
   * across the cluster (Raft term, Paxos instance, znode sequence, lease token);
   * algorithms without one (Bully, Ring) omit it and the lab numbers tenures in
   * the order they begin. `token` is what the node attaches to its writes for
   * the fenced resource to check; omitted when the algorithm has none.
   *
   * Calling it again while leading re-asserts leadership. With the same epoch
   * nothing changes. Without an epoch, it begins a new tenure only if another
   * node's tenure began in the meantime (a re-election that supersedes it).
   */
  lead(epoch?: number, token?: number): void;
  /** Declares that this node no longer believes it leads. */
  unlead(): void;
  /** Whether this context still belongs to the running incarnation. */
  alive(): boolean;
}

/**
 * One election participant. Constructing it starts it (the factory is called
 * on boot and on every restart, with a fresh context); after that it only reacts
 * to messages and to its own timers.
 */
export interface ElectionNode {
  onMessage(from: number, message: unknown): void;
  /**
   * A graceful stop (SIGTERM): hand over what the node holds and resolve;
   * the process exits after. Nodes without one just exit.
   */
  shutdown?(): Promise<void>;
}

export type NodeFactory = (ctx: NodeContext) => ElectionNode;

/**
 * Knobs that set up an experiment rather than tune an algorithm; the
 * algorithms that support them (Bully, Ring, Raft) read them from their options.
 */
export interface ExperimentOptions {
  /**
   * Boot as if this node had already won an election: no boot election, every
   * other node follows it from the start. Only the first boot; a restart runs
   * the algorithm as usual.
   */
  readonly establishedLeader?: number;
  /**
   * The node that notices a failed leader first: every other node waits twice
   * as long before it suspects the leader, so that one election, started by
   * this node, is what gets measured.
   */
  readonly detector?: number;
}

/** The failure-detection timeout of `ctx`'s node under `experiment`'s detector setting. */
export function detectionTimeoutMs(ctx: NodeContext, experiment: ExperimentOptions, timeoutMs: number): number {
  return experiment.detector === undefined || experiment.detector === ctx.id ? timeoutMs : 2 * timeoutMs;
}

/** Whether this boot should start from `experiment.establishedLeader` instead of electing. */
export function startsEstablished(ctx: NodeContext, experiment: ExperimentOptions): boolean {
  return experiment.establishedLeader !== undefined && ctx.incarnation === 1;
}
