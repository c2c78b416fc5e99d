import type { ElectionNode, NodeContext, NodeFactory, NodeTimer } from './election-node.js';

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
export interface BullyOptions {
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
  private electing = false;
  private electionTimer: NodeTimer | undefined;
  private leaderTimer: NodeTimer | undefined;
  private heartbeatTimer: NodeTimer | undefined;

  constructor(
    private readonly ctx: NodeContext,
    private readonly options: BullyOptions = BULLY_DEFAULTS,
  ) {
    this.startElection();
  }

  onMessage(from: number, raw: unknown): void {
    const message = raw as BullyMessage;
    switch (message.type) {
      case 'Election':
        // A lower node is electing: tell it we are alive, and take over.
        this.ctx.send(from, { type: 'Answer' } satisfies BullyMessage);
        this.startElection();
        return;
      case 'Answer':
        if (!this.electing) return;
        this.electionTimer?.cancel();
        this.electionTimer = this.ctx.setTimer(this.options.coordinatorTimeoutMs, () => {
          this.electing = false;
          this.startElection();
        });
        return;
      case 'Coordinator':
      case 'Heartbeat':
        return this.onCoordinatorClaim(from);
    }
  }

  private onCoordinatorClaim(from: number): void {
    if (from < this.ctx.id) {
      // A lower node claims to lead while we are alive: bully it.
      this.startElection();
      return;
    }
    if (this.leader !== undefined && this.leader > from && this.leader !== this.ctx.id) {
      // Two coordinators above us; ours outranks this one and will bully it when they meet.
      return;
    }
    this.electing = false;
    this.electionTimer?.cancel();
    const wasCoordinator = this.leader === this.ctx.id;
    if (wasCoordinator) this.stepDown();
    this.leader = from;
    this.resetLeaderTimer();
    // Two coordinators met (a partition healed): hold an election so that the higher one is
    // elected afresh, and knows it, instead of carrying on unaware that another reigned meanwhile.
    if (wasCoordinator) this.startElection();
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
    this.leaderTimer = this.ctx.setTimer(this.options.leaderTimeoutMs, () => {
      this.leader = undefined;
      this.startElection();
    });
  }

  private peers(): number[] {
    return this.ctx.nodeIds.filter((id) => id !== this.ctx.id);
  }
}

export function bully(options: Partial<BullyOptions> = {}): NodeFactory {
  const resolved = { ...BULLY_DEFAULTS, ...options };
  return (ctx) => new BullyNode(ctx, resolved);
}
