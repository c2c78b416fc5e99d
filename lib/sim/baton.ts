import { LeaseError } from '../runtime/errors.js';
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
 * Each node loops on `runAsLeader(..., { waitMs: Infinity })`: the runtime
 * waits for the lease (sleeping until the observed expiry plus the skew bound,
 * backing off on errors), renews it, and aborts `lease.signal` at the local
 * deadline or when a renew proves a successor; then it releases. The node
 * believes it leads from the winning write until that signal aborts, and its
 * writes carry `lease.token`.
 */
export interface BatonOptions {
  readonly leaseName: string;
  readonly durationMs: number;
  /** @default the runtime's, (durationMs - safetyMarginMs) / 3 */
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
    const { leaseName, durationMs, renewEveryMs } = this.options;
    while (this.ctx.alive()) {
      try {
        await this.client.runAsLeader(leaseName, (lease) => this.lead(lease), {
          durationMs,
          ...(renewEveryMs === undefined ? {} : { renewEveryMs }),
          waitMs: Infinity,
          onStoppedLeading: () => this.ctx.unlead(),
        });
      } catch (error) {
        if (!(error instanceof LeaseError)) throw error;
        // Not retryable by the runtime's own rules (the store kept failing): wait a lease period, contend again.
        await this.clock.sleep(durationMs);
      }
    }
  }

  /** The work of a leader: believe it leads until `lease.signal` says to stop. */
  private lead(lease: Lease): Promise<void> {
    this.tokens.push(lease.token);
    this.ctx.lead(lease.token, lease.token);
    return new Promise((resolve) => {
      const stop = (): void => {
        this.ctx.unlead();
        resolve();
      };
      if (lease.signal.aborted) stop();
      else lease.signal.addEventListener('abort', stop, { once: true });
    });
  }
}

export function baton(options: Partial<BatonOptions> = {}): NodeFactory {
  const resolved = { ...BATON_DEFAULTS, ...options };
  return (ctx) => new BatonNode(ctx, resolved);
}
