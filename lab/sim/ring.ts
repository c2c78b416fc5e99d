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
 * Chang–Roberts ring election (1979), with failed nodes skipped. Nodes sit on a
 * ring in id order and only ever send to their successor. A node that suspects
 * the leader sends ELECTION(own id) clockwise; each node forwards the larger of
 * the id it received and its own (swallowing smaller ones once it is a
 * participant); the node that receives its own id back has the highest id on
 * the ring and circulates ELECTED.
 *
 * Every hop is acknowledged. A successor that does not acknowledge within
 * `ackTimeoutMs` is suspected for `suspectMs` and the message goes to the next
 * node instead, so the ring closes over crashed (or unreachable) nodes. The
 * leader's liveness travels the same way: a HEARTBEAT sent around the ring.
 * Like Bully, nothing is counted: each side of a partition closes its own ring.
 */
export interface RingOptions extends ExperimentOptions {
  /**
   * The ring, clockwise: a permutation of the node ids. Defaults to ascending
   * id order, where a single initiator's election always takes the same path;
   * a random order is what Chang–Roberts' average-case analysis assumes.
   */
  readonly order?: readonly number[];
  readonly heartbeatMs: number;
  /** A node that sees no leader heartbeat for this long starts an election. */
  readonly leaderTimeoutMs: number;
  readonly ackTimeoutMs: number;
  /** Resends to the same successor before suspecting it, so that one lost message does not evict a live node. */
  readonly retries: number;
  readonly suspectMs: number;
  /** A participant that sees no ELECTED for this long starts over (the election message was lost). */
  readonly electionTimeoutMs: number;
}

export const RING_DEFAULTS: RingOptions = {
  heartbeatMs: 200,
  leaderTimeoutMs: 1000,
  ackTimeoutMs: 150,
  retries: 1,
  suspectMs: 2000,
  electionTimeoutMs: 1000,
};

export type RingPayload =
  | { readonly type: 'Election'; readonly candidate: number }
  | { readonly type: 'Elected'; readonly leader: number }
  /** `beat` is the leader's monotonic clock at sending: increasing, even across its restarts. */
  | { readonly type: 'Heartbeat'; readonly leader: number; readonly beat: number };

/**
 * `ttl` bounds how far a message travels. Chang–Roberts assumes the ring
 * closes at the originator; once failed nodes are skipped, a message whose
 * originator has been skipped would otherwise circle forever.
 */
export type RingMessage =
  | { readonly type: 'Hop'; readonly seq: number; readonly ttl: number; readonly payload: RingPayload }
  | { readonly type: 'Ack'; readonly seq: number };

export class RingNode implements ElectionNode {
  leader: number | undefined;
  private participant = false;
  private seq: number;
  /** Recently received hops, `from:seq`: a resent hop whose ack was lost is acknowledged again but not handled twice. */
  private readonly seen = new Set<string>();
  private readonly unacked = new Map<number, NodeTimer>();
  private readonly suspectedUntil = new Map<number, number>();
  private leaderTimer: NodeTimer | undefined;
  private electionTimer: NodeTimer | undefined;
  private heartbeatTimer: NodeTimer | undefined;
  private readonly lastBeat = new Map<number, number>();
  private readonly ring: readonly number[];

  constructor(
    private readonly ctx: NodeContext,
    private readonly options: RingOptions = RING_DEFAULTS,
  ) {
    // Random start, so that hops of a restarted node are not mistaken for its earlier incarnation's.
    this.seq = ctx.random.int(0, 2 ** 30);
    this.ring = options.order ?? ctx.nodeIds;
    if (startsEstablished(ctx, options)) this.startEstablished(options.establishedLeader as number);
    else this.startElection();
  }

  onMessage(from: number, raw: unknown): void {
    const message = raw as RingMessage;
    if (message.type === 'Ack') {
      this.unacked.get(message.seq)?.cancel();
      this.unacked.delete(message.seq);
      return;
    }
    this.ctx.send(from, { type: 'Ack', seq: message.seq } satisfies RingMessage);
    this.suspectedUntil.delete(from);
    const key = `${from}:${message.seq}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    if (this.seen.size > 256) this.seen.delete(this.seen.values().next().value as string);
    const ttl = message.ttl - 1;
    const payload = message.payload;
    switch (payload.type) {
      case 'Election':
        return this.onElection(payload.candidate, ttl);
      case 'Elected':
        return this.onElected(payload.leader, ttl);
      case 'Heartbeat':
        return this.onHeartbeat(payload.leader, payload.beat, ttl);
    }
  }

  private onElection(candidate: number, ttl: number): void {
    const me = this.ctx.id;
    if (candidate === me) {
      this.becomeLeader();
    } else if (candidate > me) {
      this.participant = true;
      this.armElectionTimer();
      this.forward({ type: 'Election', candidate }, ttl);
    } else if (!this.participant) {
      this.participant = true;
      this.armElectionTimer();
      this.forward({ type: 'Election', candidate: me }, this.initialTtl);
    }
    // A smaller candidate reaching a participant is swallowed: a larger one is already circulating.
  }

  private onElected(leader: number, ttl: number): void {
    if (leader === this.ctx.id) return; // back at the winner: every node has heard
    this.participant = false;
    this.electionTimer?.cancel();
    if (this.leader === this.ctx.id) this.stepDown();
    this.leader = leader;
    this.resetLeaderTimer();
    this.forward({ type: 'Elected', leader }, ttl);
    // A live node higher than the winner was not on the ring when it was closed: hold a new election.
    if (leader < this.ctx.id) this.startElection();
  }

  private onHeartbeat(leader: number, beat: number, ttl: number): void {
    if (leader === this.ctx.id) return;
    // Already passed on (it came round a ring that no longer contains its leader).
    if (beat <= (this.lastBeat.get(leader) ?? -Infinity)) return;
    this.lastBeat.set(leader, beat);
    if (this.leader === undefined) this.leader = leader;
    if (this.leader !== leader) {
      // Two leaders on one ring (a healed partition): let the ring decide again.
      this.startElection();
      return;
    }
    this.resetLeaderTimer();
    this.forward({ type: 'Heartbeat', leader, beat }, ttl);
  }

  private startEstablished(leader: number): void {
    this.leader = leader;
    if (leader !== this.ctx.id) {
      this.resetLeaderTimer();
      return;
    }
    this.ctx.lead();
    this.heartbeat();
  }

  private startElection(): void {
    if (this.participant) return;
    this.participant = true;
    this.armElectionTimer();
    this.forward({ type: 'Election', candidate: this.ctx.id }, this.initialTtl);
  }

  private becomeLeader(): void {
    this.participant = false;
    this.electionTimer?.cancel();
    this.leaderTimer?.cancel();
    this.leader = this.ctx.id;
    this.ctx.lead();
    this.forward({ type: 'Elected', leader: this.ctx.id }, this.initialTtl);
    this.heartbeatTimer?.cancel();
    this.heartbeatTimer = this.ctx.setTimer(this.options.heartbeatMs, () => this.heartbeat());
  }

  private heartbeat(): void {
    if (this.leader !== this.ctx.id) return;
    this.forward({ type: 'Heartbeat', leader: this.ctx.id, beat: this.ctx.monotonic() }, this.initialTtl);
    this.heartbeatTimer = this.ctx.setTimer(this.options.heartbeatMs, () => this.heartbeat());
  }

  private stepDown(): void {
    this.heartbeatTimer?.cancel();
    this.ctx.unlead();
  }

  /** Hop budget of a message this node starts. */
  private get initialTtl(): number {
    return 2 * this.ctx.nodeIds.length;
  }

  /** Sends to the first unsuspected successor; on a missing ack, suspects it and tries the next. */
  private forward(payload: RingPayload, ttl: number): void {
    if (ttl <= 0) return;
    const next = this.successor();
    if (next === undefined) {
      // Alone on the ring (everyone else suspected): the message has gone all the way round.
      this.onAlone(payload);
      return;
    }
    this.sendHop(next, { type: 'Hop', seq: ++this.seq, ttl, payload }, 0);
  }

  private sendHop(next: number, hop: Extract<RingMessage, { type: 'Hop' }>, attempt: number): void {
    this.ctx.send(next, hop);
    this.unacked.set(
      hop.seq,
      this.ctx.setTimer(this.options.ackTimeoutMs, () => {
        this.unacked.delete(hop.seq);
        if (attempt < this.options.retries) return this.sendHop(next, hop, attempt + 1);
        this.suspectedUntil.set(next, this.ctx.monotonic() + this.options.suspectMs);
        this.forward(hop.payload, hop.ttl);
      }),
    );
  }

  private onAlone(payload: RingPayload): void {
    if (payload.type !== 'Election') return;
    if (this.leader !== this.ctx.id) {
      this.becomeLeader();
      return;
    }
    this.participant = false;
    this.electionTimer?.cancel();
  }

  private successor(): number | undefined {
    const ids = this.ring;
    const start = ids.indexOf(this.ctx.id);
    const now = this.ctx.monotonic();
    for (let step = 1; step < ids.length; step++) {
      const candidate = ids[(start + step) % ids.length] as number;
      if ((this.suspectedUntil.get(candidate) ?? -Infinity) <= now) return candidate;
    }
    return undefined;
  }

  private armElectionTimer(): void {
    this.electionTimer?.cancel();
    this.electionTimer = this.ctx.setTimer(this.options.electionTimeoutMs, () => {
      this.participant = false;
      this.startElection();
    });
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
}

export function ring(options: Partial<RingOptions> = {}): NodeFactory {
  const resolved = { ...RING_DEFAULTS, ...options };
  return (ctx) => new RingNode(ctx, resolved);
}
