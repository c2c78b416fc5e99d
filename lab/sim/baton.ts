import { LeaseError } from 'baton-lease';
import type { LeaseEvent } from 'baton-lease';
import type { Lease } from 'baton-lease';
import { LeaseClient } from 'baton-lease';
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
    ({ clock: this.clock, store: this.store, client: this.client } = simLeaseClient(ctx, options));
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

  private lead(lease: Lease): Promise<void> {
    this.tokens.push(lease.token);
    return leadUntilAborted(this.ctx, lease);
  }
}

/**
 * The work of a simulated leader: believe it leads, with the lease token as
 * epoch and fencing token, until `lease.signal` says to stop; then stop at
 * once (no wind-down).
 */
export function leadUntilAborted(ctx: NodeContext, lease: Lease): Promise<void> {
  ctx.lead(lease.token, lease.token);
  return new Promise((resolve) => {
    const stop = (): void => {
      ctx.unlead();
      resolve();
    };
    if (lease.signal.aborted) stop();
    else lease.signal.addEventListener('abort', stop, { once: true });
  });
}

/** The settings a node's `LeaseClient` takes from the lab, shared by the Baton lease and the elector nodes. */
export type SimClientOptions = Pick<BatonOptions, 'maxClockSkewMs' | 'safetyMarginMs' | 'requestTimeoutMs' | 'onEvent'>;

/**
 * The real `LeaseClient` of one node incarnation: the node's simulated clocks,
 * its random stream, and a `RemoteLeaseStore` across the simulated network.
 */
export function simLeaseClient(
  ctx: NodeContext,
  options: SimClientOptions,
): { clock: SimClock; store: RemoteLeaseStore; client: LeaseClient } {
  const clock = new SimClock(ctx);
  const store = new RemoteLeaseStore(ctx, options.requestTimeoutMs);
  const client = new LeaseClient({
    store,
    clock,
    random: () => ctx.random.next(),
    holderName: `node-${ctx.id}`,
    maxClockSkewMs: options.maxClockSkewMs,
    safetyMarginMs: options.safetyMarginMs,
    ...(options.onEvent === undefined ? {} : { onEvent: (event: LeaseEvent) => options.onEvent?.(ctx.id, event) }),
  });
  return { clock, store, client };
}

export function baton(options: Partial<BatonOptions> = {}): NodeFactory {
  const resolved = { ...BATON_DEFAULTS, ...options };
  return (ctx) => new BatonNode(ctx, resolved);
}
