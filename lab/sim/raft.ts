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
 * Raft's leader election (Ongaro & Ousterhout, section 5.2 of the Raft paper), without log replication:
 * every log is empty, so the up-to-date check on RequestVote always passes and
 * is left out. `currentTerm` and `votedFor` are written to durable storage
 * before any reply, as section 5 of the paper requires; that is what keeps "one leader per term"
 * true across crashes.
 *
 * As in the paper, a leader steps down only when it sees a higher term. It does
 * not notice on its own that it has lost its followers (etcd's CheckQuorum
 * does), so a leader cut off on a minority keeps believing it leads: the lab
 * measures exactly that as split brain.
 */
export interface RaftOptions extends ExperimentOptions {
  readonly heartbeatMs: number;
  readonly electionTimeoutMinMs: number;
  readonly electionTimeoutMaxMs: number;
  /**
   * Time to write `currentTerm` and `votedFor` to stable storage (a disk sync)
   * before a vote reply goes out. The state changes at once; only the reply
   * waits. Heartbeats carry no log entries here, so nothing else waits on disk.
   * @default 0
   */
  readonly persistMs?: number;
}

export const RAFT_DEFAULTS: RaftOptions = { heartbeatMs: 100, electionTimeoutMinMs: 500, electionTimeoutMaxMs: 1000 };

export type RaftMessage =
  | { readonly type: 'RequestVote'; readonly term: number }
  | { readonly type: 'RequestVoteReply'; readonly term: number; readonly granted: boolean }
  | { readonly type: 'AppendEntries'; readonly term: number }
  | { readonly type: 'AppendEntriesReply'; readonly term: number; readonly success: boolean };

export type RaftRole = 'follower' | 'candidate' | 'leader';

const TERM = 'raft.currentTerm';
const VOTED_FOR = 'raft.votedFor';

export class RaftNode implements ElectionNode {
  role: RaftRole = 'follower';
  private votes = new Set<number>();
  private electionTimer: NodeTimer | undefined;
  private heartbeatTimer: NodeTimer | undefined;

  constructor(
    private readonly ctx: NodeContext,
    private readonly options: RaftOptions = RAFT_DEFAULTS,
  ) {
    if (startsEstablished(ctx, options)) {
      // Term 1 was won by the established leader, with every vote.
      const leader = options.establishedLeader as number;
      this.persist(1, leader);
      if (leader === ctx.id) {
        this.becomeLeader();
        return;
      }
    }
    this.resetElectionTimer();
  }

  /**
   * Sends a heartbeat to every follower now, out of schedule. The Raft paper's
   * election benchmark does this just before crashing the leader, so that every
   * follower's timer starts from the same instant and split votes are likely.
   */
  heartbeatNow(): void {
    if (this.role !== 'leader') return;
    for (const peer of this.peers())
      this.ctx.send(peer, { type: 'AppendEntries', term: this.currentTerm } satisfies RaftMessage);
  }

  get currentTerm(): number {
    return (this.ctx.storage.get(TERM) as number | undefined) ?? 0;
  }

  private get votedFor(): number | undefined {
    return this.ctx.storage.get(VOTED_FOR) as number | undefined;
  }

  private persist(term: number, votedFor: number | undefined): void {
    this.ctx.storage.set(TERM, term);
    this.ctx.storage.set(VOTED_FOR, votedFor);
  }

  onMessage(from: number, raw: unknown): void {
    const message = raw as RaftMessage;
    // Raft paper, section 5.1: any message carrying a higher term makes us a follower of that term.
    if (message.term > this.currentTerm) this.becomeFollower(message.term);
    switch (message.type) {
      case 'RequestVote':
        return this.onRequestVote(from, message.term);
      case 'RequestVoteReply':
        return this.onVoteReply(from, message.term, message.granted);
      case 'AppendEntries':
        return this.onAppendEntries(from, message.term);
      case 'AppendEntriesReply':
        return;
    }
  }

  private onRequestVote(from: number, term: number): void {
    const grant = term === this.currentTerm && (this.votedFor === undefined || this.votedFor === from);
    if (grant) {
      this.persist(term, from);
      this.resetElectionTimer();
    }
    const reply = { type: 'RequestVoteReply', term: this.currentTerm, granted: grant } satisfies RaftMessage;
    const persistMs = this.options.persistMs ?? 0;
    if (persistMs > 0) this.ctx.setTimer(persistMs, () => this.ctx.send(from, reply));
    else this.ctx.send(from, reply);
  }

  private onVoteReply(from: number, term: number, granted: boolean): void {
    if (this.role !== 'candidate' || term !== this.currentTerm || !granted) return;
    this.votes.add(from);
    if (this.votes.size > this.ctx.nodeIds.length / 2) this.becomeLeader();
  }

  private onAppendEntries(from: number, term: number): void {
    if (term < this.currentTerm) {
      this.ctx.send(from, { type: 'AppendEntriesReply', term: this.currentTerm, success: false } satisfies RaftMessage);
      return;
    }
    // Same term: a candidate that hears from the elected leader steps back.
    if (this.role !== 'follower') this.becomeFollower(term);
    this.resetElectionTimer();
    this.ctx.send(from, { type: 'AppendEntriesReply', term: this.currentTerm, success: true } satisfies RaftMessage);
  }

  private startElection(): void {
    const term = this.currentTerm + 1;
    this.persist(term, this.ctx.id);
    this.role = 'candidate';
    this.votes = new Set([this.ctx.id]);
    this.resetElectionTimer();
    if (this.votes.size > this.ctx.nodeIds.length / 2) {
      this.becomeLeader();
      return;
    }
    for (const peer of this.peers()) this.ctx.send(peer, { type: 'RequestVote', term } satisfies RaftMessage);
  }

  private becomeLeader(): void {
    this.role = 'leader';
    this.electionTimer?.cancel();
    this.ctx.lead(this.currentTerm, this.currentTerm);
    this.sendHeartbeats();
  }

  private becomeFollower(term: number): void {
    if (term > this.currentTerm) this.persist(term, undefined);
    if (this.role === 'leader') this.ctx.unlead();
    this.role = 'follower';
    this.heartbeatTimer?.cancel();
    this.resetElectionTimer();
  }

  private sendHeartbeats(): void {
    if (this.role !== 'leader') return;
    for (const peer of this.peers())
      this.ctx.send(peer, { type: 'AppendEntries', term: this.currentTerm } satisfies RaftMessage);
    this.heartbeatTimer = this.ctx.setTimer(this.options.heartbeatMs, () => this.sendHeartbeats());
  }

  private resetElectionTimer(): void {
    this.electionTimer?.cancel();
    const drawn = this.ctx.random.uniform(this.options.electionTimeoutMinMs, this.options.electionTimeoutMaxMs);
    const timeout = detectionTimeoutMs(this.ctx, this.options, drawn);
    this.electionTimer = this.ctx.setTimer(timeout, () => {
      if (this.role !== 'leader') this.startElection();
    });
  }

  private peers(): number[] {
    return this.ctx.nodeIds.filter((id) => id !== this.ctx.id);
  }
}

export function raft(options: Partial<RaftOptions> = {}): NodeFactory {
  const resolved = { ...RAFT_DEFAULTS, ...options };
  return (ctx) => new RaftNode(ctx, resolved);
}
