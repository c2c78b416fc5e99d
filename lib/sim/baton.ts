import { LeaseError, LeaseLostError } from '../runtime/errors.js';
import type { LeaseEvent } from '../runtime/events.js';
import type { Lease } from '../runtime/lease.js';
import { LeaseClient } from '../runtime/lease-client.js';
import type { ElectionNode, NodeContext, NodeFactory } from './election-node.js';
import type { StoreResponse } from './lease-store-service.js';
import { RemoteLeaseStore } from './remote-lease-store.js';
import { SimClock } from './sim-clock.js';

/**
 * Baton's lease as an election participant. This is not a model of the
 * protocol: it is the real `LeaseClient` and `Lease` from `lib/runtime`, given
 * this node's simulated clock, its random stream, and a `RemoteLeaseStore`
 * that carries every store call across the simulated network to one shared
 * `InMemoryLeaseStore`.
 *
 * The node contends with `acquire(..., { waitMs: Infinity })` (which sleeps
 * until the observed expiry plus the skew bound, and backs off on errors),
 * then renews every third of the duration, with jitter, as `runAsLeader` does.
 * It believes it leads from the winning write until `lease.signal` aborts (its
 * local deadline passed, or a renew proved a successor), and its writes carry
 * `lease.token`.
 */
export interface BatonOptions {
  readonly leaseName: string;
  readonly durationMs: number;
  /** @default durationMs / 3 */
  readonly renewEveryMs?: number;
  readonly maxClockSkewMs: number;
  readonly safetyMarginMs: number;
  /** A store call with no answer after this long fails as a timeout. */
  readonly requestTimeoutMs: number;
  /** Receives the runtime's protocol events, with the node id. */
  readonly onEvent?: (node: number, event: LeaseEvent) => void;
}

export const BATON_DEFAULTS: BatonOptions = {
  leaseName: 'election-lab',
  durationMs: 1500,
  maxClockSkewMs: 200,
  safetyMarginMs: 250,
  requestTimeoutMs: 300,
};

export class BatonNode implements ElectionNode {
  readonly store: RemoteLeaseStore;
  readonly client: LeaseClient;
  /** Tokens of every tenure this incarnation won, in order. */
  readonly tokens: number[] = [];
  private readonly clock: SimClock;

  constructor(
    private readonly ctx: NodeContext,
    private readonly options: BatonOptions = BATON_DEFAULTS,
  ) {
    this.clock = new SimClock(ctx);
    this.store = new RemoteLeaseStore(ctx, options.requestTimeoutMs);
    this.client = new LeaseClient({
      store: this.store,
      clock: this.clock,
      random: () => ctx.random.next(),
      holderName: `node-${ctx.id}`,
      maxClockSkewMs: options.maxClockSkewMs,
      safetyMarginMs: options.safetyMarginMs,
      ...(options.onEvent === undefined ? {} : { onEvent: (event: LeaseEvent) => options.onEvent?.(ctx.id, event) }),
    });
    void this.contend();
  }

  onMessage(_from: number, message: unknown): void {
    this.store.onResponse(message as StoreResponse);
  }

  private async contend(): Promise<void> {
    const { leaseName, durationMs } = this.options;
    while (this.ctx.alive()) {
      let lease: Lease;
      try {
        lease = await this.client.acquire(leaseName, { durationMs, waitMs: Infinity });
      } catch (error) {
        if (!(error instanceof LeaseError)) throw error;
        // Not retryable by the runtime's own rules: wait one lease period and contend again.
        await this.clock.sleep(durationMs);
        continue;
      }
      await this.hold(lease);
    }
  }

  private async hold(lease: Lease): Promise<void> {
    this.tokens.push(lease.token);
    const onEnd = (): void => this.ctx.unlead();
    lease.signal.addEventListener('abort', onEnd, { once: true });
    this.ctx.lead(lease.token, lease.token);
    const every = this.options.renewEveryMs ?? this.options.durationMs / 3;
    let delayMs = every;
    while (!lease.signal.aborted && this.ctx.alive()) {
      try {
        await this.clock.sleep(delayMs * this.ctx.random.uniform(0.9, 1.1), lease.signal);
        await lease.renew();
        delayMs = every;
      } catch (error) {
        if (error instanceof LeaseLostError || lease.signal.aborted) break;
        // A transient failure does not end the tenure; the local deadline does (the lease's own
        // timer). Retry soon: waiting a full interval after a timed-out renew can overrun the deadline.
        if (!(error instanceof LeaseError)) throw error;
        delayMs = Math.min(every, this.options.requestTimeoutMs / 3);
      }
    }
    lease.signal.removeEventListener('abort', onEnd);
    this.ctx.unlead();
  }
}

export function baton(options: Partial<BatonOptions> = {}): NodeFactory {
  const resolved = { ...BATON_DEFAULTS, ...options };
  return (ctx) => new BatonNode(ctx, resolved);
}
