import type { ElectionNode, NodeContext, NodeFactory } from './election-node.js';
import { BATON_DEFAULTS, leadUntilAborted, simLeaseClient, type SimClientOptions } from './baton.js';
import type { RemoteLeaseStore } from './remote-lease-store.js';
import type { StoreResponse } from './lease-store-service.js';

/**
 * Baton's elector as an election participant: like `BatonNode`, not a model
 * but the real runtime, here `LeaseClient.elect` (lib/runtime/elector.ts) on
 * the node's simulated clocks and a store across the simulated network. Every
 * rule the lab's elector studies exercise is the runtime's own: the waiter's
 * poll period and its sleep until a takeover could succeed, the clock-free
 * sighting rule, the one handoff request per tenure, the renew that learns of
 * it, and the release that keeps the lease for the requester.
 *
 * A node leads from its `onStartedLeading` until `lease.signal` aborts, with
 * no wind-down. `shutdown` is a graceful stop (what SIGTERM does in a service):
 * it aborts the elector's `signal` and resolves once the lease was released.
 */
export interface BatonElectorOptions extends SimClientOptions {
  readonly leaseName: string;
  readonly durationMs: number;
  /** @default the runtime's, floor(durationMs / 3) */
  readonly renewEveryMs?: number;
  readonly clockFree: boolean;
  /** The priority of each incarnation, asked once per boot (a restart can be a new version). */
  readonly priority: (ctx: NodeContext) => number;
}

export const BATON_ELECTOR_DEFAULTS: BatonElectorOptions = {
  leaseName: BATON_DEFAULTS.leaseName,
  durationMs: BATON_DEFAULTS.durationMs,
  maxClockSkewMs: BATON_DEFAULTS.maxClockSkewMs,
  safetyMarginMs: BATON_DEFAULTS.safetyMarginMs,
  requestTimeoutMs: BATON_DEFAULTS.requestTimeoutMs,
  clockFree: false,
  priority: () => 0,
};

export class BatonElectorNode implements ElectionNode {
  readonly store: RemoteLeaseStore;
  readonly priority: number;
  private readonly stop = new AbortController();
  private readonly done: Promise<void>;

  constructor(ctx: NodeContext, options: BatonElectorOptions = BATON_ELECTOR_DEFAULTS) {
    const { client, store } = simLeaseClient(ctx, options);
    this.store = store;
    this.priority = options.priority(ctx);
    this.done = client.elect(options.leaseName, {
      durationMs: options.durationMs,
      ...(options.renewEveryMs === undefined ? {} : { renewEveryMs: options.renewEveryMs }),
      priority: this.priority,
      clockFree: options.clockFree,
      signal: this.stop.signal,
      // The simulator records what happens itself; an elector's log lines would be noise on its stderr.
      logger: false,
      onStartedLeading: (lease) => leadUntilAborted(ctx, lease),
      onStoppedLeading: () => ctx.unlead(),
    });
  }

  onMessage(_from: number, message: unknown): void {
    this.store.onResponse(message as StoreResponse);
  }

  /** Stops contending; resolves once any held lease was released (or the elector failed). */
  shutdown(): Promise<void> {
    this.stop.abort();
    return this.done;
  }
}

export function batonElector(options: Partial<BatonElectorOptions> = {}): NodeFactory {
  const resolved = { ...BATON_ELECTOR_DEFAULTS, ...options };
  return (ctx) => new BatonElectorNode(ctx, resolved);
}
