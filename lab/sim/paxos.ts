import type { ElectionNode, NodeContext, NodeFactory, NodeTimer } from './election-node.js';

/**
 * Paxos used for leader election, with a time-bounded leader lease (in the
 * spirit of PaxosLease, Trencseni et al. 2010). Leadership comes in numbered
 * epochs; epoch `k` is one single-decree Paxos instance whose value is the id
 * of its leader. Every node is proposer, acceptor and learner.
 *
 * - A node that sees no live lease proposes itself for the next instance with a
 *   fresh ballot (`round * 256 + id`, unique per attempt): phase 1 collects
 *   promises from a majority, phase 2 asks a majority to accept the value
 *   (its own id, unless a promise reported an accepted value, which it must
 *   then carry). Failed attempts back off with full jitter.
 * - Accepting a value, or acknowledging a renewal, makes an acceptor promise
 *   not to help anyone else for `leaseMs` on its own clock. The leader counts
 *   its lease from when it *sent* the request a majority answered, minus a
 *   margin, so (with bounded drift) the leader stops believing before any
 *   majority can have moved on. It renews with a round of RENEW messages.
 * - Acceptor state (promised ballot, accepted value per instance) is durable.
 *   A restarted acceptor has forgotten whose lease it was honouring, so it
 *   refuses every promise for one lease period after boot.
 *
 * The fencing token is the epoch (instance number).
 */
export interface PaxosOptions {
  readonly leaseMs: number;
  readonly renewEveryMs: number;
  /** Taken off the leader's lease to absorb clock drift and local delay. */
  readonly leaseMarginMs: number;
  /** A phase that has not reached a majority after this long has failed. */
  readonly phaseTimeoutMs: number;
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
  /** How often a follower checks whether the lease it knows of has run out. */
  readonly checkEveryMs: number;
  /** Instrumentation: called whenever an acceptor accepts a value (tests use it to find chosen values). */
  readonly onAccept?: (event: AcceptEvent) => void;
}

export const PAXOS_DEFAULTS: PaxosOptions = {
  leaseMs: 1000,
  renewEveryMs: 250,
  leaseMarginMs: 50,
  phaseTimeoutMs: 100,
  backoffBaseMs: 50,
  backoffCapMs: 800,
  checkEveryMs: 50,
};

export interface AcceptEvent {
  readonly acceptor: number;
  readonly instance: number;
  readonly ballot: number;
  readonly value: number;
}

interface Accepted {
  readonly ballot: number;
  readonly value: number;
}

interface Decided {
  readonly instance: number;
  readonly value: number;
}

export type PaxosMessage =
  | { readonly type: 'Prepare'; readonly instance: number; readonly ballot: number }
  | {
      readonly type: 'Promise';
      readonly instance: number;
      readonly ballot: number;
      readonly accepted: Accepted | undefined;
    }
  | { readonly type: 'Accept'; readonly instance: number; readonly ballot: number; readonly value: number }
  | { readonly type: 'Accepted'; readonly instance: number; readonly ballot: number }
  | {
      readonly type: 'Nack';
      readonly instance: number;
      readonly ballot: number;
      readonly promised: number;
      readonly decided: Decided | undefined;
    }
  | { readonly type: 'Decide'; readonly instance: number; readonly value: number }
  | { readonly type: 'Renew'; readonly instance: number; readonly round: number }
  | { readonly type: 'RenewAck'; readonly instance: number; readonly round: number }
  | { readonly type: 'RenewNack'; readonly instance: number; readonly decided: Decided | undefined };

interface AcceptorSlot {
  promised: number;
  accepted: Accepted | undefined;
}

interface Attempt {
  readonly instance: number;
  readonly ballot: number;
  phase: 'prepare' | 'accept';
  readonly promises: Map<number, Accepted | undefined>;
  readonly accepts: Set<number>;
  value: number;
  acceptSentAt: number;
  timer: NodeTimer | undefined;
}

interface Leadership {
  readonly instance: number;
  /** Local monotonic time until which this node may act as leader; -Infinity before the first majority. */
  leaseUntil: number;
  believing: boolean;
  round: number;
  readonly rounds: Map<number, { readonly sentAt: number; readonly acks: Set<number> }>;
  renewTimer: NodeTimer | undefined;
  expiryTimer: NodeTimer | undefined;
}

const ACCEPTOR = 'paxos.acceptor';
const HONOURED = 'paxos.honouredLease';
const BALLOT_SPACE = 256;

export class PaxosNode implements ElectionNode {
  /** The highest instance this node knows to be decided, and its leader. */
  learned: Decided | undefined;
  private readonly acceptor: Map<number, AcceptorSlot>;
  /** Until when (local monotonic) a restarted acceptor refuses promises: it may have been honouring a lease it forgot. */
  private readonly guardUntil: number;
  /** The lease this node, as acceptor, is honouring. */
  private leaseView: { leader: number; instance: number; until: number } | undefined;
  private maxRound = 0;
  private attempt: Attempt | undefined;
  private leadership: Leadership | undefined;
  private failures = 0;
  private backoffUntil: number;

  constructor(
    private readonly ctx: NodeContext,
    private readonly options: PaxosOptions = PAXOS_DEFAULTS,
  ) {
    if (ctx.id >= BALLOT_SPACE)
      throw new RangeError(`Paxos ballots hold node ids below ${BALLOT_SPACE}, got ${ctx.id}`);
    let acceptor = ctx.storage.get(ACCEPTOR) as Map<number, AcceptorSlot> | undefined;
    if (acceptor === undefined) {
      acceptor = new Map();
      ctx.storage.set(ACCEPTOR, acceptor);
    }
    this.acceptor = acceptor;
    const now = ctx.monotonic();
    this.guardUntil = ctx.storage.get(HONOURED) === true ? now + options.leaseMs : now;
    for (const slot of acceptor.values())
      this.maxRound = Math.max(this.maxRound, Math.floor(slot.promised / BALLOT_SPACE));
    this.backoffUntil = now + ctx.random.uniform(0, options.backoffCapMs);
    this.check();
  }

  /** Whether this node currently believes it holds the lease. */
  get leading(): boolean {
    return this.leadership?.believing === true;
  }

  onMessage(from: number, raw: unknown): void {
    const m = raw as PaxosMessage;
    switch (m.type) {
      case 'Prepare':
        return this.onPrepare(from, m.instance, m.ballot);
      case 'Promise':
        return this.onPromise(from, m.instance, m.ballot, m.accepted);
      case 'Accept':
        return this.onAccept(from, m.instance, m.ballot, m.value);
      case 'Accepted':
        return this.onAccepted(from, m.instance, m.ballot);
      case 'Nack':
        this.maxRound = Math.max(this.maxRound, Math.floor(m.promised / BALLOT_SPACE));
        if (m.decided !== undefined) this.learn(m.decided.instance, m.decided.value);
        if (this.attempt?.instance === m.instance && this.attempt.ballot === m.ballot) this.fail();
        return;
      case 'Decide':
        this.honourLease(m.value, m.instance);
        return this.learn(m.instance, m.value);
      case 'Renew':
        return this.onRenew(from, m.instance, m.round);
      case 'RenewAck':
        return this.onRenewAck(from, m.instance, m.round);
      case 'RenewNack':
        if (m.decided !== undefined) this.learn(m.decided.instance, m.decided.value);
        if (this.leadership?.instance === m.instance && (m.decided?.instance ?? 0) > m.instance) this.stepDown();
        return;
    }
  }

  // ---- acceptor ----

  private onPrepare(from: number, instance: number, ballot: number): void {
    this.maxRound = Math.max(this.maxRound, Math.floor(ballot / BALLOT_SPACE));
    const slot = this.slot(instance);
    const now = this.ctx.monotonic();
    const decided = this.learned !== undefined && instance <= this.learned.instance;
    const restarting = now < this.guardUntil;
    const leaseHeld = this.leaseView !== undefined && now < this.leaseView.until && this.leaseView.leader !== from;
    if (decided || restarting || leaseHeld || ballot <= slot.promised) {
      this.reply(from, { type: 'Nack', instance, ballot, promised: slot.promised, decided: this.learned });
      return;
    }
    slot.promised = ballot;
    this.reply(from, { type: 'Promise', instance, ballot, accepted: slot.accepted });
  }

  private onAccept(from: number, instance: number, ballot: number, value: number): void {
    const slot = this.slot(instance);
    if (ballot < slot.promised) {
      this.reply(from, { type: 'Nack', instance, ballot, promised: slot.promised, decided: this.learned });
      return;
    }
    slot.promised = ballot;
    slot.accepted = { ballot, value };
    this.honourLease(value, instance);
    this.options.onAccept?.({ acceptor: this.ctx.id, instance, ballot, value });
    this.reply(from, { type: 'Accepted', instance, ballot });
  }

  private onRenew(from: number, instance: number, round: number): void {
    const movedOn =
      (this.learned !== undefined && this.learned.instance > instance) ||
      [...this.acceptor.entries()].some(([k, slot]) => k > instance && slot.promised > 0);
    if (movedOn) {
      this.reply(from, { type: 'RenewNack', instance, decided: this.learned });
      return;
    }
    this.honourLease(from, instance);
    this.learn(instance, from);
    this.reply(from, { type: 'RenewAck', instance, round });
  }

  private honourLease(leader: number, instance: number): void {
    if (this.leaseView !== undefined && this.leaseView.instance > instance) return;
    this.ctx.storage.set(HONOURED, true);
    this.leaseView = { leader, instance, until: this.ctx.monotonic() + this.options.leaseMs };
  }

  private slot(instance: number): AcceptorSlot {
    let slot = this.acceptor.get(instance);
    if (slot === undefined) {
      slot = { promised: 0, accepted: undefined };
      this.acceptor.set(instance, slot);
    }
    return slot;
  }

  // ---- proposer ----

  private check(): void {
    const now = this.ctx.monotonic();
    const leaseLive = this.leaseView !== undefined && now < this.leaseView.until;
    if (this.leadership === undefined && this.attempt === undefined && !leaseLive && now >= this.backoffUntil)
      this.propose();
    this.ctx.setTimer(this.options.checkEveryMs, () => this.check());
  }

  private propose(): void {
    const instance = (this.learned?.instance ?? 0) + 1;
    this.maxRound++;
    const ballot = this.maxRound * BALLOT_SPACE + this.ctx.id;
    const attempt: Attempt = {
      instance,
      ballot,
      phase: 'prepare',
      promises: new Map(),
      accepts: new Set(),
      value: this.ctx.id,
      acceptSentAt: 0,
      timer: undefined,
    };
    this.attempt = attempt;
    attempt.timer = this.ctx.setTimer(this.options.phaseTimeoutMs, () => this.fail());
    this.broadcast({ type: 'Prepare', instance, ballot });
  }

  private onPromise(from: number, instance: number, ballot: number, accepted: Accepted | undefined): void {
    const attempt = this.attempt;
    if (
      attempt === undefined ||
      attempt.instance !== instance ||
      attempt.ballot !== ballot ||
      attempt.phase !== 'prepare'
    )
      return;
    attempt.promises.set(from, accepted);
    if (!this.isMajority(attempt.promises.size)) return;
    // The one rule that makes Paxos safe: carry the highest-ballot value already accepted, if any.
    let highest: Accepted | undefined;
    for (const a of attempt.promises.values())
      if (a !== undefined && (highest === undefined || a.ballot > highest.ballot)) highest = a;
    attempt.value = highest?.value ?? this.ctx.id;
    attempt.phase = 'accept';
    attempt.acceptSentAt = this.ctx.monotonic();
    attempt.timer?.cancel();
    attempt.timer = this.ctx.setTimer(this.options.phaseTimeoutMs, () => this.fail());
    this.broadcast({ type: 'Accept', instance, ballot, value: attempt.value });
  }

  private onAccepted(from: number, instance: number, ballot: number): void {
    const attempt = this.attempt;
    if (
      attempt === undefined ||
      attempt.instance !== instance ||
      attempt.ballot !== ballot ||
      attempt.phase !== 'accept'
    )
      return;
    attempt.accepts.add(from);
    if (!this.isMajority(attempt.accepts.size)) return;
    attempt.timer?.cancel();
    this.attempt = undefined;
    this.failures = 0;
    this.broadcast({ type: 'Decide', instance, value: attempt.value }, false);
    this.learn(instance, attempt.value);
    if (attempt.value === this.ctx.id && this.leadership?.instance === instance) {
      this.extendLease(attempt.acceptSentAt);
    }
  }

  private fail(): void {
    const attempt = this.attempt;
    if (attempt === undefined) return;
    attempt.timer?.cancel();
    this.attempt = undefined;
    this.failures++;
    const window = Math.min(this.options.backoffCapMs, this.options.backoffBaseMs * 2 ** Math.min(this.failures, 20));
    this.backoffUntil = this.ctx.monotonic() + this.ctx.random.uniform(0, window);
  }

  // ---- learner and leader ----

  private learn(instance: number, value: number): void {
    if (this.learned !== undefined && this.learned.instance >= instance) return;
    this.learned = { instance, value };
    if (this.attempt !== undefined && this.attempt.instance <= instance) {
      this.attempt.timer?.cancel();
      this.attempt = undefined;
    }
    if (this.leadership !== undefined && this.leadership.instance < instance) this.stepDown();
    // Chosen for this epoch (by our own proposal or one that carried our id): hold the lease by renewing it.
    if (value === this.ctx.id && this.leadership === undefined) this.startLeadership(instance);
  }

  private startLeadership(instance: number): void {
    this.leadership = {
      instance,
      leaseUntil: -Infinity,
      believing: false,
      round: 0,
      rounds: new Map(),
      renewTimer: undefined,
      expiryTimer: undefined,
    };
    this.renew();
  }

  private renew(): void {
    const leadership = this.leadership;
    if (leadership === undefined) return;
    const round = ++leadership.round;
    leadership.rounds.set(round, { sentAt: this.ctx.monotonic(), acks: new Set() });
    this.broadcast({ type: 'Renew', instance: leadership.instance, round });
    leadership.renewTimer = this.ctx.setTimer(this.options.renewEveryMs, () => this.renew());
  }

  private onRenewAck(from: number, instance: number, round: number): void {
    const leadership = this.leadership;
    if (leadership === undefined || leadership.instance !== instance) return;
    const pending = leadership.rounds.get(round);
    if (pending === undefined) return;
    pending.acks.add(from);
    if (!this.isMajority(pending.acks.size)) return;
    for (const r of [...leadership.rounds.keys()]) if (r <= round) leadership.rounds.delete(r);
    this.extendLease(pending.sentAt);
  }

  private extendLease(sentAt: number): void {
    const leadership = this.leadership;
    if (leadership === undefined) return;
    const until = sentAt + this.options.leaseMs - this.options.leaseMarginMs;
    if (until <= leadership.leaseUntil || until <= this.ctx.monotonic()) return;
    leadership.leaseUntil = until;
    if (!leadership.believing) {
      leadership.believing = true;
      this.ctx.lead(leadership.instance, leadership.instance);
    }
    this.armExpiry(leadership);
  }

  private armExpiry(leadership: Leadership): void {
    leadership.expiryTimer?.cancel();
    // Rounding can fire the timer a hair early; then it simply waits out the rest.
    leadership.expiryTimer = this.ctx.setTimer(Math.max(1e-6, leadership.leaseUntil - this.ctx.monotonic()), () => {
      if (this.leadership !== leadership) return;
      if (this.ctx.monotonic() >= leadership.leaseUntil) this.stepDown();
      else this.armExpiry(leadership);
    });
  }

  private stepDown(): void {
    const leadership = this.leadership;
    if (leadership === undefined) return;
    leadership.renewTimer?.cancel();
    leadership.expiryTimer?.cancel();
    this.leadership = undefined;
    if (leadership.believing) this.ctx.unlead();
    // Let the others (whose view of the lease runs a little longer than ours) go first.
    this.backoffUntil = this.ctx.monotonic() + this.options.leaseMs;
  }

  // ---- plumbing ----

  private isMajority(count: number): boolean {
    return count > this.ctx.nodeIds.length / 2;
  }

  /** Sends to every node; to ourselves by a local zero-delay timer, as a real process would. */
  private broadcast(message: PaxosMessage, includeSelf = true): void {
    for (const id of this.ctx.nodeIds) {
      if (id !== this.ctx.id) this.ctx.send(id, message);
      else if (includeSelf) this.ctx.setTimer(0, () => this.onMessage(id, message));
    }
  }

  private reply(to: number, message: PaxosMessage): void {
    if (to === this.ctx.id) this.ctx.setTimer(0, () => this.onMessage(to, message));
    else this.ctx.send(to, message);
  }
}

export function paxos(options: Partial<PaxosOptions> = {}): NodeFactory {
  const resolved = { ...PAXOS_DEFAULTS, ...options };
  return (ctx) => new PaxosNode(ctx, resolved);
}
