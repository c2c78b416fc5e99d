import {
  detectionTimeoutMs,
  startsEstablished,
  type ElectionNode,
  type ExperimentOptions,
  type NodeContext,
  type NodeFactory,
  type NodeTimer,
} from './election-node.js';

/**
 * The Bully algorithm (Garcia-Molina, 1982) with timeouts, as classically
 * described: a node that suspects the coordinator sends ELECTION to every
 * higher id; any live higher node answers and takes the election over; a node
 * that hears no answer within `answerTimeoutMs` announces itself COORDINATOR to
 * everyone. A node that boots (or restarts) holds an election at once, which is
 * how a recovered higher node "bullies" its way back.
 *
 * Failure detection is the coordinator's periodic heartbeat. Nothing in the
 * algorithm counts votes: every node decides from what it can reach, so two
 * sides of a partition each elect the highest id they can see.
 */
export interface BullyOptions extends ExperimentOptions {
  readonly heartbeatMs: number;
  /** A follower that hears nothing from the coordinator for this long starts an election. */
  readonly leaderTimeoutMs: number;
  /** How long a candidate waits for an ANSWER from a higher node before declaring itself. */
  readonly answerTimeoutMs: number;
  /** After an ANSWER, how long to wait for the COORDINATOR message before starting over. */
  readonly coordinatorTimeoutMs: number;
}

export const BULLY_DEFAULTS: BullyOptions = {
  heartbeatMs: 200,
  leaderTimeoutMs: 1000,
  answerTimeoutMs: 150,
  coordinatorTimeoutMs: 600,
};

export type BullyMessage =
  | { readonly type: 'Election' }
  | { readonly type: 'Answer' }
  | { readonly type: 'Coordinator' }
  | { readonly type: 'Heartbeat' };

export class BullyNode implements ElectionNode {
  /** The coordinator this node follows (itself when it leads). */
  leader: number | undefined;
  /** When this node last accepted a claim from `leader` (its monotonic clock). */
  private leaderHeardAt = -Infinity;
  private electing = false;
  private electionTimer: NodeTimer | undefined;
  private leaderTimer: NodeTimer | undefined;
  private heartbeatTimer: NodeTimer | undefined;

  constructor(
    private readonly ctx: NodeContext,
    private readonly options: BullyOptions = BULLY_DEFAULTS,
  ) {
    if (startsEstablished(ctx, options)) this.startEstablished(options.establishedLeader as number);
    else this.startElection();
  }

  onMessage(from: number, raw: unknown): void {
    const message = raw as BullyMessage;
    switch (message.type) {
      case 'Election':
        return this.onElection(from);
      case 'Answer':
        if (!this.electing) return;
        this.electionTimer?.cancel();
        this.electionTimer = this.ctx.setTimer(this.options.coordinatorTimeoutMs, () => {
          this.electing = false;
          this.startElection();
        });
        return;
      case 'Coordinator':
        return this.onCoordinatorClaim(from, true);
      case 'Heartbeat':
        return this.onCoordinatorClaim(from, false);
    }
  }

  private onElection(from: number): void {
    if (this.leader === this.ctx.id) {
      // Already the coordinator: the caller alone needs to hear it. Broadcasting again on every
      // Election is what stormed at boot: every node's Election drew n−1 Coordinator messages.
      this.ctx.send(from, { type: 'Coordinator' } satisfies BullyMessage);
      return;
    }
    // A lower node is electing: tell it we are alive, and take over.
    this.ctx.send(from, { type: 'Answer' } satisfies BullyMessage);
    // An Election sent before its sender heard the coordinator we follow (boot, where every node
    // elects at once) is stale: the coordinator's next heartbeat reaches the sender, so a new
    // round would only start the next wave of Elections. A node that suspects a crashed leader
    // has not heard it for a whole leader timeout, and neither have we: then we elect.
    if (this.heardLeaderWithin(this.options.heartbeatMs)) return;
    this.startElection();
  }

  /**
   * A Coordinator announcement ends an election and is accepted from any higher
   * node, even one below the leader this node remembers: nodes pulled into an
   * election by a lower node still remember the crashed leader, and ignoring
   * the winner made them elect again. A heartbeat from a coordinator below the
   * one this node follows is a leftover of a partition: ours outranks it and
   * will bully it when they meet.
   */
  private onCoordinatorClaim(from: number, announcement: boolean): void {
    if (from < this.ctx.id) {
      // A lower node claims to lead while we are alive: bully it.
      this.startElection();
      return;
    }
    if (!announcement && this.leader !== undefined && this.leader > from && this.leader !== this.ctx.id) return;
    this.electing = false;
    this.electionTimer?.cancel();
    const wasCoordinator = this.leader === this.ctx.id;
    if (wasCoordinator) this.stepDown();
    this.leader = from;
    this.leaderHeardAt = this.ctx.monotonic();
    this.resetLeaderTimer();
    // Two coordinators met (a partition healed): hold an election so that the higher one is
    // elected afresh, and knows it, instead of carrying on unaware that another reigned meanwhile.
    if (wasCoordinator) this.startElection();
  }

  private heardLeaderWithin(ms: number): boolean {
    return this.leader !== undefined && this.leader > this.ctx.id && this.ctx.monotonic() - this.leaderHeardAt < ms;
  }

  private startEstablished(leader: number): void {
    if (leader === this.ctx.id) {
      this.leader = leader;
      this.ctx.lead();
      this.heartbeat();
      return;
    }
    this.leader = leader;
    this.leaderHeardAt = this.ctx.monotonic();
    this.resetLeaderTimer();
  }

  private startElection(): void {
    if (this.electing) return;
    const higher = this.ctx.nodeIds.filter((id) => id > this.ctx.id);
    if (higher.length === 0) {
      this.becomeCoordinator();
      return;
    }
    this.electing = true;
    for (const id of higher) this.ctx.send(id, { type: 'Election' } satisfies BullyMessage);
    this.electionTimer?.cancel();
    this.electionTimer = this.ctx.setTimer(this.options.answerTimeoutMs, () => this.becomeCoordinator());
  }

  private becomeCoordinator(): void {
    this.electing = false;
    this.electionTimer?.cancel();
    this.leaderTimer?.cancel();
    this.leader = this.ctx.id;
    this.ctx.lead();
    for (const id of this.peers()) this.ctx.send(id, { type: 'Coordinator' } satisfies BullyMessage);
    this.heartbeatTimer?.cancel();
    this.heartbeatTimer = this.ctx.setTimer(this.options.heartbeatMs, () => this.heartbeat());
  }

  private heartbeat(): void {
    if (this.leader !== this.ctx.id) return;
    for (const id of this.peers()) this.ctx.send(id, { type: 'Heartbeat' } satisfies BullyMessage);
    this.heartbeatTimer = this.ctx.setTimer(this.options.heartbeatMs, () => this.heartbeat());
  }

  private stepDown(): void {
    this.heartbeatTimer?.cancel();
    this.ctx.unlead();
  }

  private resetLeaderTimer(): void {
    this.leaderTimer?.cancel();
    this.leaderTimer = this.ctx.setTimer(
      detectionTimeoutMs(this.ctx, this.options, this.options.leaderTimeoutMs),
      () => {
        this.leader = undefined;
        this.startElection();
      },
    );
  }

  private peers(): number[] {
    return this.ctx.nodeIds.filter((id) => id !== this.ctx.id);
  }
}

export function bully(options: Partial<BullyOptions> = {}): NodeFactory {
  const resolved = { ...BULLY_DEFAULTS, ...options };
  return (ctx) => new BullyNode(ctx, resolved);
}
