import { LeaseError, LeaseLostError, LeaseUnavailableError, LeaseValidationError } from './errors.js';
import { invokeCallback } from './callbacks.js';
import type { Lease } from './lease.js';
import type { LeaseClient } from './lease-client.js';
import type { LeaseRecord } from './lease-record.js';
import { type ResolvedClientOptions, validateDuration, validateRenewEvery } from './options.js';
import { validateFunction, validateLeaseName, validateMs, validateObject, validateSignal } from './validate.js';
import { createStepJournal, validateStepRetention, type LeaderContext } from './steps.js';

/** Options of `runAsLeader`. */
export interface RunAsLeaderOptions {
  /** Tenure length in ms. Must exceed `safetyMarginMs + 2 * renewEveryMs` and `safetyMarginMs + maxClockSkewMs`. */
  readonly durationMs: number;
  /**
   * Renewal period in ms, jittered up to 20% earlier. Two renewals must fit
   * before the holder's local deadline: `2 * renewEveryMs < durationMs - safetyMarginMs`.
   * @default floor((durationMs - safetyMarginMs) / 3)
   */
  readonly renewEveryMs?: number;
  /**
   * The work's own time budget in ms, counted from this call (so the time spent
   * acquiring counts against it; in Lambda: remaining time less a margin). If it
   * runs out while acquiring, `fn` still runs but gets an already aborted
   * `lease.signal`. Any value up to `Number.MAX_SAFE_INTEGER` works. @default none
   */
  readonly deadlineMs?: number;
  /** How long to wait for the lease, in ms. @default 0: one attempt, like a Lambda follower */
  readonly waitMs?: number;
  /** Aborts the wait, or the work through `lease.signal`. */
  readonly signal?: AbortSignal;
  /**
   * Stops the call waiting for the lease store: when it aborts, Baton's
   * requests in flight (acquire, renew, release) are aborted, no more are
   * sent, and the call settles at once, whether or not the store honours the
   * abort. Before the lease is won it rejects with a `LeaseError` (whether the
   * acquire landed is unknown; a tenure it won frees itself at expiry); once
   * `fn` has settled it resolves with `released: false` and `releaseError`
   * (or rethrows `fn`'s error). `fn` itself is not interrupted: stop it with
   * `deadlineMs` or `signal`. The cron handler aborts it shortly before the
   * function's timeout (docs/decisions/runtime.md, "Lambda handler"). @default none
   */
  readonly requestSignal?: AbortSignal;
  /** Stored with the tenure for operators. */
  readonly metadata?: Readonly<Record<string, string>>;
  /**
   * A scheduled tick: skipped if already done, and recorded as done only when
   * `fn` succeeds. With it, `fn`'s second argument keeps durable steps of the tick.
   */
  readonly tick?: number;
  /**
   * How long step records stay in the table (DynamoDB TTL), in ms: at least a
   * minute, at most 366 days. Keep it beyond every retry of a tick.
   * @default DEFAULT_STEP_RETENTION_MS (7 days)
   */
  readonly stepRetentionMs?: number;
  /**
   * Called once this caller leads, before `fn` runs. Callbacks are
   * notifications: an error they throw (or a promise they reject) is reported
   * as a `callback-failed` event and changes nothing else; `fn` still runs and
   * the lease is still released (docs/decisions/runtime.md, "Callbacks").
   */
  readonly onStartedLeading?: (lease: Lease) => unknown;
  /**
   * Called exactly once when `runAsLeader` ends, whether or not it ever led,
   * after the lease was released (or found lost) and before the call returns.
   * An error it throws does not change the result.
   */
  readonly onStoppedLeading?: () => unknown;
  /**
   * Called with the holder each time a different other leader is observed: a
   * lost race, or a renew or release that found a successor. An error it
   * throws does not end the renew loop nor change the result.
   */
  readonly onNewLeader?: (holder: string, current: LeaseRecord) => unknown;
}

/** How a `runAsLeader` call ended. */
export type RunAsLeaderResult<T> =
  | {
      readonly led: true;
      readonly token: number;
      readonly value: T;
      /**
       * True exactly when this call's release, or `fn`'s own `lease.release()`
       * (which records `tick` too: docs/decisions/job-release.md), ended the
       * tenure and, with `tick`, the tick is recorded (`lastTick >= tick`),
       * even if an answer was lost and the lease has moved on since. False when the tenure
       * had been superseded or freed by an operator's `forceRelease`, or the
       * release failed (`releaseError`): the tick is then not recorded and a
       * later invocation of it may run. A lease still held frees itself at expiry.
       */
      readonly released: boolean;
      readonly releaseError?: unknown;
    }
  | { readonly led: false; readonly current: LeaseRecord | undefined; readonly reason: 'held' | 'tick-done' };

/** Renewals come up to this fraction of the period early, never late. */
const RENEW_JITTER = 0.2;

/**
 * The leadership loop; see `LeaseClient.runAsLeader` and docs/architecture.md#a-tick-from-the-schedule-to-the-fenced-write.
 * Everything it starts (renew timer, deadline timer) is stopped before it
 * returns, so a Lambda is idle once its handler returns.
 */
export async function runAsLeader<T>(
  leases: LeaseClient,
  name: string,
  fn: (lease: Lease, context: LeaderContext) => Promise<T>,
  options: RunAsLeaderOptions,
): Promise<RunAsLeaderResult<T>> {
  const o = validate(leases, name, fn, options);
  const { clock, random, retryBaseMs, onEvent } = leases.options;
  const calledAt = clock.monotonic();
  let lastLeader: string | undefined;
  const observe = (current: LeaseRecord | undefined) => {
    if (current?.holder === undefined || current.holder === lastLeader) return;
    lastLeader = current.holder;
    invokeCallback(onEvent, name, 'onNewLeader', o.onNewLeader, current.holder, current);
  };
  const stop = new AbortController();
  let lease: Lease | undefined;
  try {
    try {
      lease = await unlessAborted(
        leases.acquire(name, {
          durationMs: o.durationMs,
          waitMs: o.waitMs,
          ...(o.signal ? { signal: o.signal } : {}),
          ...(o.requestSignal ? { requestSignal: o.requestSignal } : {}),
          ...(o.metadata ? { metadata: o.metadata } : {}),
          ...(o.tick === undefined ? {} : { tick: o.tick }),
        }),
        o.requestSignal,
        `acquire "${name}"`,
      );
    } catch (error) {
      if (!(error instanceof LeaseUnavailableError)) throw error;
      observe(error.current);
      return { led: false, current: error.current, reason: error.reason };
    }
    const held = lease;
    held.releaseRecords(o.tick);
    // The work stops at the earliest of: the lease's own end, the caller's deadline, the caller's signal.
    if (o.signal) {
      const onAbort = () =>
        held.stopActing(new LeaseError(`runAsLeader "${name}": aborted by the caller`, { cause: o.signal?.reason }));
      if (o.signal.aborted) onAbort();
      else o.signal.addEventListener('abort', onAbort, { once: true, signal: stop.signal });
    }
    if (o.deadlineMs !== undefined) {
      const deadlinePassed = () =>
        held.stopActing(new LeaseError(`runAsLeader "${name}": deadlineMs (${o.deadlineMs}) passed`));
      // Counted from the call: in Lambda the deadline was computed before acquiring, and a slow acquire must not push it later.
      const leftMs = o.deadlineMs - (clock.monotonic() - calledAt);
      if (leftMs <= 0) deadlinePassed();
      else clock.sleep(leftMs, stop.signal).then(deadlinePassed, () => undefined);
    }
    invokeCallback(onEvent, name, 'onStartedLeading', o.onStartedLeading, held);
    const request = o.requestSignal === undefined ? {} : { signal: o.requestSignal };
    const renewing = renewLoop(held, o.renewEveryMs, stop.signal, { clock, random, retryBaseMs }, observe, request);
    // Stops renewing, then releases: a renew still in flight is awaited first, so the release never races it.
    const stopAndRelease = (release: () => Promise<void>) => {
      stop.abort();
      return unlessAborted(renewing.then(release), o.requestSignal, `release "${name}"`);
    };
    let value: T;
    try {
      const step = createStepJournal({
        store: leases.options.store,
        clock,
        lease: held,
        tick: o.tick,
        retentionMs: o.stepRetentionMs,
      });
      value = await fn(held, { step });
    } catch (error) {
      // A failed job records no tick, unless it already released its lease itself (and so declared the tick done).
      held.releaseRecords(undefined);
      await stopAndRelease(() => releaseQuietly(held, request)).catch(() => undefined);
      throw error;
    }
    try {
      await stopAndRelease(() => held.release({ ...request, ...(o.tick === undefined ? {} : { tick: o.tick }) }));
    } catch (releaseError) {
      // fn's work is done and must not be reported as failed (a retry would redo it).
      if (releaseError instanceof LeaseLostError) observe(releaseError.current);
      return { led: true, token: held.token, value, released: false, releaseError };
    }
    return { led: true, token: held.token, value, released: true };
  } finally {
    stop.abort();
    // Whatever happened, no timer of this tenure survives the call.
    lease?.stopActing(new LeaseError(`runAsLeader "${name}" ended`));
    invokeCallback(onEvent, name, 'onStoppedLeading', o.onStoppedLeading);
  }
}

/**
 * Renews `lease` every `everyMs` (jittered early) until `stop` aborts or the tenure ends; shared by `elect`.
 * The settings are typed by `ResolvedClientOptions`, not `LeaseClient['options']`: that member is
 * internal, so the published declarations do not have it.
 */
export async function renewLoop(
  lease: Lease,
  everyMs: number,
  stop: AbortSignal,
  { clock, random, retryBaseMs }: Pick<ResolvedClientOptions, 'clock' | 'random' | 'retryBaseMs'>,
  observe: (current: LeaseRecord | undefined) => void,
  request: { readonly signal?: AbortSignal } = {},
): Promise<void> {
  let delay = everyMs;
  while (!stop.aborted && lease.held) {
    try {
      await clock.sleep(Math.floor(delay * (1 - RENEW_JITTER * random())), stop);
    } catch {
      return; // stopped
    }
    if (stop.aborted || !lease.held) return;
    try {
      await lease.renew(request);
      delay = everyMs;
    } catch (error) {
      if (error instanceof LeaseLostError) {
        observe(error.current);
        return;
      }
      // A transient failure does not end leadership; the local deadline does. Try again soon.
      delay = Math.min(everyMs, Math.max(retryBaseMs, lease.remainingMs() / 3));
    }
  }
}

/** After a failed job the lease is released without recording the tick; a release failure must not hide the job's error. */
async function releaseQuietly(lease: Lease, request: { readonly signal?: AbortSignal }): Promise<void> {
  try {
    await lease.release(request);
  } catch {
    // The tenure ends by expiry instead; the job's own error is what the caller needs.
  }
}

/**
 * `work`, unless `signal` aborts first: then a `LeaseError` at once, whether
 * or not the work behind the promise honours the abort (a store, or an SDK
 * client, may not). A later outcome of `work` is ignored.
 */
function unlessAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (signal === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () =>
      reject(new LeaseError(`${what}: requestSignal aborted, outcome unknown`, { cause: signal.reason }));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function validate<T>(
  leases: LeaseClient,
  name: string,
  fn: (lease: Lease, context: LeaderContext) => Promise<T>,
  options: RunAsLeaderOptions,
) {
  validateLeaseName('name', name);
  if (typeof fn !== 'function') throw new LeaseValidationError('fn', 'must be a function');
  validateObject('options', options);
  const durationMs = validateDuration('durationMs', options.durationMs, leases.options);
  const renewEveryMs = validateRenewEvery(options.renewEveryMs, durationMs, leases.options);
  return {
    durationMs,
    renewEveryMs,
    deadlineMs:
      options.deadlineMs === undefined
        ? undefined
        : validateMs('deadlineMs', options.deadlineMs, { max: Number.MAX_SAFE_INTEGER }),
    waitMs: options.waitMs ?? 0,
    signal: validateSignal('signal', options.signal),
    requestSignal: validateSignal('requestSignal', options.requestSignal),
    metadata: options.metadata,
    tick: options.tick,
    stepRetentionMs: validateStepRetention(options.stepRetentionMs),
    onStartedLeading: validateFunction('onStartedLeading', options.onStartedLeading),
    onStoppedLeading: validateFunction('onStoppedLeading', options.onStoppedLeading),
    onNewLeader: validateFunction('onNewLeader', options.onNewLeader),
  };
}
