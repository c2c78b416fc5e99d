import type { ElectionNode, NodeContext, NodeFactory, NodeTimer } from './election-node.js';
import { SERVICE } from './network.js';
import type { WatchEvent, ZkRequest, ZkResponse } from './zookeeper-service.js';

/**
 * The ZooKeeper leader-election recipe, as a client of `ZooKeeperService`:
 * create an EPHEMERAL_SEQUENTIAL znode under the election parent; list the
 * children; the lowest sequence leads; everyone else sets a watch on its
 * predecessor only (not on the leader, which would wake every candidate at
 * once: the herd effect) and re-checks the children when that watch fires.
 *
 * Session handling is what keeps the recipe safe. The client pings every third
 * of the session timeout; after two thirds without any answer it is
 * disconnected and stops leading (Curator's SUSPENDED), well before the
 * ensemble can expire its session and delete its znode. It keeps pinging: an
 * answer within the session timeout reconnects it with its znode intact; an
 * `expired` answer means its znode is gone, and it starts over with a new
 * session and a new, higher sequence number.
 */
export interface ZooKeeperOptions {
  readonly sessionTimeoutMs: number;
  /** A request without an answer after this long is sent again (same id; creates are deduplicated by guid). */
  readonly requestTimeoutMs: number;
}

export const ZOOKEEPER_DEFAULTS: ZooKeeperOptions = { sessionTimeoutMs: 1500, requestTimeoutMs: 300 };

type Pending = { readonly request: ZkRequest; timer: NodeTimer };
/** A request before it is numbered (`Omit` distributed over the union). */
type Outbound = ZkRequest extends infer R ? (R extends unknown ? Omit<R, 'reqId'> : never) : never;

export class ZooKeeperNode implements ElectionNode {
  sid: number | undefined;
  /** Sequence number of this node's election znode. */
  seq: number | undefined;
  connected = false;
  leading = false;
  private lastHeard: number;
  /** The znode this node last set a watch on: its predecessor. */
  private predecessorWatched: number | undefined;
  private nextReqId = 0;
  private attempt = 0;
  private readonly pending = new Map<number, Pending>();
  /** Watch events of this session already handled, and the contiguous prefix acknowledged with each ping. */
  private readonly handled = new Set<number>();
  private ackThrough = 0;

  constructor(
    private readonly ctx: NodeContext,
    private readonly options: ZooKeeperOptions = ZOOKEEPER_DEFAULTS,
  ) {
    this.lastHeard = ctx.monotonic();
    this.connect();
    this.ctx.setTimer(this.pingEveryMs, () => this.tick());
  }

  private get pingEveryMs(): number {
    return this.options.sessionTimeoutMs / 3;
  }

  onMessage(_from: number, raw: unknown): void {
    const response = raw as ZkResponse;
    this.lastHeard = this.ctx.monotonic();
    if (response.type === 'NodeDeleted') return this.onWatchEvent(response);
    const pending = this.pending.get(response.reqId);
    if (pending === undefined) return; // a duplicate answer to a retried request
    pending.timer.cancel();
    this.pending.delete(response.reqId);
    if (response.type === 'expired') return this.onExpired(response.sid);
    if (!this.connected && this.sid !== undefined) {
      this.connected = true;
      this.check();
    }
    switch (response.type) {
      case 'connected':
        this.sid = response.sid;
        this.connected = true;
        this.attempt++;
        this.request({ type: 'create', sid: response.sid, guid: `${this.ctx.id}:${response.sid}:${this.attempt}` });
        return;
      case 'created':
        this.seq = response.seq;
        this.check();
        return;
      case 'children':
        return this.onChildren(response.children);
      case 'exists':
        // Gone between our listing and the watch: list again.
        if (!response.exists && response.seq === this.predecessorWatched) this.check();
        return;
      case 'pong':
        for (const event of response.pending) this.onWatchEvent(event);
        return;
    }
  }

  private onWatchEvent(event: WatchEvent): void {
    if (this.handled.has(event.id)) return;
    this.handled.add(event.id);
    while (this.handled.has(this.ackThrough + 1)) this.ackThrough++;
    // The predecessor is gone. It may not have been the leader: re-check instead of assuming.
    if (this.seq !== undefined) this.check();
  }

  private onChildren(children: readonly number[]): void {
    const seq = this.seq;
    if (seq === undefined || this.sid === undefined || !children.includes(seq)) return;
    if (children[0] === seq) {
      this.leading = true;
      this.ctx.lead(seq, seq);
      return;
    }
    const predecessor = children.filter((c) => c < seq).at(-1);
    if (predecessor === undefined) return;
    this.predecessorWatched = predecessor;
    this.request({ type: 'exists', sid: this.sid, seq: predecessor, watch: true });
  }

  private check(): void {
    if (this.sid !== undefined) this.request({ type: 'children', sid: this.sid });
  }

  private onExpired(sid: number): void {
    if (sid !== this.sid) return;
    this.stopLeading();
    this.sid = undefined;
    this.seq = undefined;
    this.connected = false;
    this.handled.clear();
    this.ackThrough = 0;
    for (const p of this.pending.values()) p.timer.cancel();
    this.pending.clear();
    this.connect();
  }

  private connect(): void {
    this.request({ type: 'connect' });
  }

  /** Pings, and notices a silent ensemble. */
  private tick(): void {
    const silentFor = this.ctx.monotonic() - this.lastHeard;
    if (this.connected && silentFor > (this.options.sessionTimeoutMs * 2) / 3) {
      this.connected = false;
      this.stopLeading();
    }
    if (this.sid !== undefined)
      this.send({ type: 'ping', reqId: ++this.nextReqId, sid: this.sid, ackThrough: this.ackThrough }, false);
    this.ctx.setTimer(this.pingEveryMs, () => this.tick());
  }

  private stopLeading(): void {
    if (!this.leading) return;
    this.leading = false;
    this.ctx.unlead();
  }

  private request(body: Outbound): void {
    this.send({ ...body, reqId: ++this.nextReqId } as ZkRequest, true);
  }

  private send(request: ZkRequest, retry: boolean): void {
    const pending: Pending = { request, timer: { cancel() {}, cancelled: true } };
    this.pending.set(request.reqId, pending);
    this.ctx.send(SERVICE, request);
    const resend = (): void => {
      if (!this.pending.has(request.reqId)) return;
      if (!retry) {
        this.pending.delete(request.reqId);
        return;
      }
      this.ctx.send(SERVICE, request);
      pending.timer = this.ctx.setTimer(this.options.requestTimeoutMs, resend);
    };
    pending.timer = this.ctx.setTimer(this.options.requestTimeoutMs, resend);
  }
}

export function zookeeper(options: Partial<ZooKeeperOptions> = {}): NodeFactory {
  const resolved = { ...ZOOKEEPER_DEFAULTS, ...options };
  return (ctx) => new ZooKeeperNode(ctx, resolved);
}
