import {
  type ElectLogger,
  type ElectorMetricsOptions,
  type ResolvedElectorMetrics,
  resolveElectLogger,
  resolveElectorMetrics,
} from './elector-watch.js';
import { LeaseValidationError } from './errors.js';
import type { Lease } from './lease.js';
import type { LeaseRecord } from './lease-record.js';
import { type ResolvedClientOptions, validateDuration, validateRenewEvery } from './options.js';
import { validateItemFits } from './item-size.js';
import {
  validatePriority,
  validateFunction,
  validateLeaseName,
  validateMetadata,
  validateObject,
  validateSignal,
} from './validate.js';

/**
 * Options of `LeaseClient.elect`. The callbacks' guarantees, in the order a
 * tenure sees them:
 *
 * - `onNewLeader(holder, current)` is called each time this elector observes
 *   a holder other than itself that differs from the last one it observed
 *   (a lost race, a poll, or a renew or release that found a successor). It is
 *   never called with this elector's own tenure.
 * - `onStartedLeading(lease)` is called once per tenure, right after the
 *   winning write, and never while another tenure of this elector is open.
 *   It should lead until `lease.signal` aborts (loss, the local deadline, a
 *   handoff, or `signal`) and then return. The lease is renewed while its
 *   promise is pending and released once it settles; the elector then
 *   contends again unless stopped.
 * - `onStoppedLeading()` is called exactly once after each tenure, after its
 *   release was attempted and before the elector contends again or `elect`
 *   resolves. It is not called for an elector that never led.
 *
 * Callbacks follow the policy of docs/decisions/runtime.md#callbacks: one that
 * throws, or rejects, is reported as a `callback-failed` event (a process
 * warning without `onEvent`) and changes nothing else. For `onStartedLeading`,
 * which is the leader's work, that means its tenure ends as if it had
 * returned: the lease is released, `onStoppedLeading` runs, and the elector
 * contends again after one poll period (it never spins).
 */
export interface ElectOptions {
  /** Tenure length in ms. Must exceed `safetyMarginMs + 2 * renewEveryMs` and `safetyMarginMs + maxClockSkewMs`. */
  readonly durationMs: number;
  /**
   * Renewal period of a holder and the longest wait between two polls of a waiter, in ms. Two
   * renewals must fit before the holder's local deadline, as for `runAsLeader`:
   * `2 * renewEveryMs < durationMs - safetyMarginMs`. @default floor((durationMs - safetyMarginMs) / 3)
   */
  readonly renewEveryMs?: number;
  /**
   * Higher asks a lower-priority holder to hand over (docs/protocol.md#priority-handoff);
   * equal priorities never do. A safe integer, negative allowed. @default 0
   */
  readonly priority?: number;
  /**
   * Take over a silent holder only after watching its tenure version stay
   * unchanged for `durationMs` on this process's monotonic clock, never by the
   * wall-clock expiry (docs/protocol.md#clock-free-takeover). Safe under any
   * wall-clock skew, provided every contender on the lease is clock-free. @default false
   */
  readonly clockFree?: boolean;
  /** Required. Aborting stops contending and ends a tenure; `elect` then resolves once the lease is released. */
  readonly signal: AbortSignal;
  /** Stored with each tenure for operators. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Leads one tenure; see above. */
  readonly onStartedLeading: (lease: Lease) => Promise<void> | void;
  /** After each tenure; see above. */
  readonly onStoppedLeading?: () => void;
  /** Each time another holder is observed; see above. */
  readonly onNewLeader?: (holder: string, current: LeaseRecord) => void;
  /**
   * Where the elector reports trouble: a failed request with its cause
   * (`ECONNREFUSED`, `ThrottlingException`) at once, then one summary at most
   * every 30 s while failures go on, and a line when requests succeed again;
   * each change of leadership. Nothing while all is well. A Powertools
   * `Logger`, `console`, or anything with `info`, `warn` and `error`; `false`
   * turns it off. @default JSON lines on stderr
   */
  readonly logger?: ElectLogger | false;
  /**
   * CloudWatch metrics in EMF on stdout (for the CloudWatch agent or
   * FireLens): `IsLeader`, `LeadershipTransitions`, `ElectorRequestFailed`,
   * `ElectorAcquireLatency`, `NoLeaderSeenMs`, every 30 s and when `elect`
   * stops. `true` for the defaults. @default false
   */
  readonly metrics?: boolean | ElectorMetricsOptions;
}

/** `ElectOptions` with defaults applied, and the lease name, validated. */
export interface ResolvedElectOptions {
  readonly name: string;
  readonly durationMs: number;
  readonly renewEveryMs: number;
  readonly priority: number;
  readonly clockFree: boolean;
  readonly signal: AbortSignal;
  readonly metadata: Readonly<Record<string, string>> | undefined;
  readonly onStartedLeading: (lease: Lease) => Promise<void> | void;
  readonly onStoppedLeading: (() => void) | undefined;
  readonly onNewLeader: ((holder: string, current: LeaseRecord) => void) | undefined;
  /** Undefined when logging is off. */
  readonly logger: ElectLogger | undefined;
  /** Undefined when metrics are off. */
  readonly metrics: ResolvedElectorMetrics | undefined;
}

/** The defaults of `elect`, in one place. */
export const ELECT_DEFAULTS = {
  priority: 0,
  clockFree: false,
  /** As `runAsLeader`, of the acting window `durationMs - safetyMarginMs`: two renewals can fail before the deadline. */
  renewEveryFraction: 1 / 3,
} as const;

/** Applies `ELECT_DEFAULTS` and validates every option, naming the one at fault. */
export function resolveElectOptions(
  client: ResolvedClientOptions,
  name: unknown,
  options: ElectOptions,
): ResolvedElectOptions {
  validateLeaseName('name', name);
  validateObject('options', options);
  const durationMs = validateDuration('durationMs', options.durationMs, client);
  const renewEveryMs = validateRenewEvery(options.renewEveryMs, durationMs, client);
  const priority = validatePriority('priority', options.priority ?? ELECT_DEFAULTS.priority);
  const clockFree = options.clockFree ?? ELECT_DEFAULTS.clockFree;
  if (typeof clockFree !== 'boolean')
    throw new LeaseValidationError('clockFree', `must be a boolean, got ${typeof clockFree}`);
  const signal = validateSignal('signal', options.signal);
  if (signal === undefined) throw new LeaseValidationError('signal', 'is required: it is how an elector is stopped');
  const onStartedLeading = validateFunction('onStartedLeading', options.onStartedLeading);
  if (onStartedLeading === undefined) throw new LeaseValidationError('onStartedLeading', 'is required');
  const metadata = validateMetadata('metadata', options.metadata);
  validateItemFits(name as string, client.holderName, metadata);
  return {
    name: name as string,
    durationMs,
    renewEveryMs,
    priority,
    clockFree,
    signal,
    metadata,
    onStartedLeading,
    onStoppedLeading: validateFunction('onStoppedLeading', options.onStoppedLeading),
    onNewLeader: validateFunction('onNewLeader', options.onNewLeader),
    logger: resolveElectLogger(options.logger, () => client.clock.now()),
    metrics: resolveElectorMetrics(options.metrics),
  };
}
