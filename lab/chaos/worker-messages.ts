import type { VariantRef } from './variant.js';

/** Everything a worker process needs, passed as its one command-line argument (JSON). */
export interface WorkerConfig {
  /** Stable id (`w1`...), kept across respawns. */
  readonly worker: string;
  /** 0 for the first process of this id, +1 per respawn. */
  readonly inc: number;
  /** The fault proxy's endpoint: every request of the worker goes through it. */
  readonly endpoint: string;
  readonly leaseTable: string;
  readonly resourceTable: string;
  readonly leaseName: string;
  /** How many resource items ticks are spread over. */
  readonly resources: number;
  readonly leaseDurationMs: number;
  readonly safetyMarginMs: number;
  readonly maxClockSkewMs: number;
  readonly tickMs: number;
  /** Preparing a side effect takes up to this long, without looking at the lease. */
  readonly prepareMaxMs: number;
  /** The SDK's per-attempt timeout (with `throwOnRequestTimeout`), well below the lease. */
  readonly requestTimeoutMs: number;
  readonly historyPath: string;
  /** Initial wall-clock offset, in ms. */
  readonly offsetMs: number;
  /** The process exits by itself after this long, whatever happens. */
  readonly lifetimeMs: number;
  /** Seeds the worker's `random()` (jitter, owner ids). */
  readonly seed: number;
  readonly variant?: VariantRef;
}

/** Campaign -> worker. */
export type ToWorker = { readonly type: 'skew'; readonly offsetMs: number } | { readonly type: 'stop' };

/** Worker -> campaign. */
export type FromWorker =
  { readonly type: 'ready' } | { readonly type: 'leading'; readonly token: number } | { readonly type: 'not-leading' };
