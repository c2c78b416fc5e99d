import type { Service } from './cluster.js';
import type { Simulator, TimerHandle } from './simulator.js';

/**
 * A linearizable coordination service in the image of ZooKeeper, reduced to
 * what the election recipe uses: sessions kept alive by any request, ephemeral
 * sequential znodes under one parent, `getChildren`, and one-shot `exists`
 * watches. It runs as one process on the majority side of every partition
 * (a healthy ensemble behaves as one linearizable server), on true time: the
 * ensemble's clock is the one that expires sessions.
 *
 * `seq` is the znode's sequence number (the `n_0000000007` suffix); it only
 * grows, so it doubles as a fencing token, as a czxid would.
 *
 * ZooKeeper delivers watch events over the session's TCP connection: in order,
 * and never silently lost while the session lives. The simulated network does
 * lose messages, so the service keeps each event in the session's outbox until
 * the client acknowledges it (on its next ping) and re-sends what is pending
 * with every pong.
 */
export type ZkRequest =
  | { readonly type: 'connect'; readonly reqId: number }
  | { readonly type: 'create'; readonly reqId: number; readonly sid: number; readonly guid: string }
  | { readonly type: 'children'; readonly reqId: number; readonly sid: number }
  | {
      readonly type: 'exists';
      readonly reqId: number;
      readonly sid: number;
      readonly seq: number;
      readonly watch: boolean;
    }
  /** `ackThrough`: every watch event numbered up to this one has been handled. */
  | { readonly type: 'ping'; readonly reqId: number; readonly sid: number; readonly ackThrough: number };

export type ZkResponse =
  | { readonly type: 'connected'; readonly reqId: number; readonly sid: number }
  | { readonly type: 'created'; readonly reqId: number; readonly seq: number }
  | { readonly type: 'children'; readonly reqId: number; readonly children: readonly number[] }
  | { readonly type: 'exists'; readonly reqId: number; readonly seq: number; readonly exists: boolean }
  | { readonly type: 'pong'; readonly reqId: number; readonly pending: readonly WatchEvent[] }
  | { readonly type: 'expired'; readonly reqId: number; readonly sid: number }
  | ({ readonly type: 'NodeDeleted' } & WatchEvent);

/** A watch event, numbered per session from 1. */
export interface WatchEvent {
  readonly id: number;
  readonly seq: number;
}

interface Session {
  readonly sid: number;
  readonly client: number;
  expiry: TimerHandle;
  outbox: WatchEvent[];
  events: number;
}

interface Znode {
  readonly seq: number;
  readonly sid: number;
  readonly guid: string;
}

export class ZooKeeperService implements Service {
  private readonly sessions = new Map<number, Session>();
  private readonly znodes = new Map<number, Znode>();
  /** Session ids watching each znode. */
  private readonly watches = new Map<number, Set<number>>();
  private nextSid = 0;
  private nextSeq = 0;
  /** Every session expiry, for tests and the timeline. */
  readonly expired: { readonly sid: number; readonly client: number; readonly time: number }[] = [];

  constructor(
    private readonly sim: Simulator,
    private readonly send: (to: number, response: ZkResponse) => void,
    private readonly sessionTimeoutMs: number,
  ) {}

  /** Sequence numbers of the live election znodes, ascending. */
  children(): number[] {
    return [...this.znodes.keys()].sort((a, b) => a - b);
  }

  /** The client that owns znode `seq`, if it exists. */
  ownerOf(seq: number): number | undefined {
    const znode = this.znodes.get(seq);
    return znode === undefined ? undefined : this.sessions.get(znode.sid)?.client;
  }

  onMessage(from: number, raw: unknown): void {
    const request = raw as ZkRequest;
    if (request.type === 'connect') {
      const sid = ++this.nextSid;
      this.sessions.set(sid, { sid, client: from, expiry: this.armExpiry(sid), outbox: [], events: 0 });
      this.send(from, { type: 'connected', reqId: request.reqId, sid });
      return;
    }
    const session = this.sessions.get(request.sid);
    if (session === undefined) {
      this.send(from, { type: 'expired', reqId: request.reqId, sid: request.sid });
      return;
    }
    session.expiry.cancel();
    session.expiry = this.armExpiry(session.sid);
    switch (request.type) {
      case 'create': {
        // Retried creates carry the same guid (Curator's "protected" mode): never two znodes for one attempt.
        const existing = [...this.znodes.values()].find((z) => z.sid === session.sid && z.guid === request.guid);
        const seq = existing?.seq ?? ++this.nextSeq;
        if (existing === undefined) this.znodes.set(seq, { seq, sid: session.sid, guid: request.guid });
        this.send(from, { type: 'created', reqId: request.reqId, seq });
        return;
      }
      case 'children':
        this.send(from, { type: 'children', reqId: request.reqId, children: this.children() });
        return;
      case 'exists': {
        const exists = this.znodes.has(request.seq);
        if (request.watch && exists) {
          let watchers = this.watches.get(request.seq);
          if (watchers === undefined) this.watches.set(request.seq, (watchers = new Set()));
          watchers.add(session.sid);
        }
        this.send(from, { type: 'exists', reqId: request.reqId, seq: request.seq, exists });
        return;
      }
      case 'ping':
        session.outbox = session.outbox.filter((e) => e.id > request.ackThrough);
        this.send(from, { type: 'pong', reqId: request.reqId, pending: session.outbox });
        return;
    }
  }

  private armExpiry(sid: number): TimerHandle {
    return this.sim.schedule(this.sessionTimeoutMs, () => this.expire(sid));
  }

  private expire(sid: number): void {
    const session = this.sessions.get(sid);
    if (session === undefined) return;
    this.sessions.delete(sid);
    this.expired.push({ sid, client: session.client, time: this.sim.now });
    for (const znode of [...this.znodes.values()]) {
      if (znode.sid !== sid) continue;
      this.znodes.delete(znode.seq);
      const watchers = this.watches.get(znode.seq);
      this.watches.delete(znode.seq);
      for (const watcher of watchers ?? []) {
        const target = this.sessions.get(watcher);
        if (target === undefined) continue;
        const event = { id: ++target.events, seq: znode.seq };
        target.outbox.push(event);
        this.send(target.client, { type: 'NodeDeleted', ...event });
      }
    }
  }
}
