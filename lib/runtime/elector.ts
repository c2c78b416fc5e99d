import { isRetryable } from './aws-errors.js';
import { fullJitterDelay } from './backoff.js';
import type { ResolvedElectOptions } from './elect-options.js';
import { LeaseError, LeaseLostError } from './errors.js';
import { emit, isThenable } from './events.js';
import type { Lease } from './lease.js';
import type { LeaseClient } from './lease-client.js';
import type { LeaseRecord } from './lease-record.js';
import type { TenureVersion } from './lease-store.js';
import { renewLoop } from './run-as-leader.js';
import { invokeCallback } from './callbacks.js';
import { ElectorWatch } from './elector-watch.js';
import { electorAttempt, electorRequestHandoff } from './lease-client.js';
import { readWhileHeld, type WaitingRule } from './elector-wait.js';

/** Polls come up to this fraction of `renewEveryMs` early, never late, so waiters do not poll in lockstep. */
const POLL_JITTER = 0.2;

/** A tenure version, when this elector first saw it on its monotonic clock, and how long it must stay unchanged. */
interface Sighting extends TenureVersion {
  readonly firstSeenAt: number;
  /**
   * The longer of this elector's `durationMs` and the one the holder recorded: a holder with a
   * longer lease renews less often, and must not be taken over between two of its renewals.
   */
  readonly watchMs: number;
}

/**
 * The elector loop behind `LeaseClient.elect`: contend, lead one tenure at a
 * time, release, contend again, until `o.signal` aborts. Every sleep listens
 * to that signal, and a tenure's timers end with it, so nothing of the
 * elector's outlives the returned promise.
 */
export async function elect(
  caller: LeaseClient,
  o: ResolvedElectOptions,
  waiting: WaitingRule = readWhileHeld,
): Promise<void> {
  // Logs and metrics, when on, watch the elector's requests and events through a client of its own.
  const watch = ElectorWatch.wanted(o) ? new ElectorWatch(caller, o) : undefined;
  // Ends the metrics' timer with the elector however it ends, so none outlives `elect`.
  const stopped = new AbortController();
  const publishing = watch?.publishUntilStopped(stopped.signal);
  try {
    await contend(watch?.leases ?? caller, o, watch, waiting);
  } finally {
    stopped.abort();
    await publishing;
    watch?.publish();
  }
}

async function contend(
  leases: LeaseClient,
  o: ResolvedElectOptions,
  watch: ElectorWatch | undefined,
  waiting: WaitingRule,
): Promise<void> {
  const { clock, random, retryBaseMs, retryCapMs, raceJitterMs, maxClockSkewMs, onEvent } = leases.options;
  const { name, signal } = o;
  let lastLeader: string | undefined;
  const observe = (current: LeaseRecord | undefined, self?: string) => {
    if (current?.holder === undefined || current.holder === lastLeader || current.holder === self) return;
    lastLeader = current.holder;
    watch?.newLeader(current.holder, current);
    invokeCallback(onEvent, name, 'onNewLeader', o.onNewLeader, current.holder, current);
  };
  // Clock-free: the version last seen, and since when. A takeover needs it unchanged for a whole lease.
  let sighting: Sighting | undefined;
  // The tenure this elector already asked to hand over: one request per tenure.
  let askedToken: number | undefined;
  let failures = 0;
  // The item as this elector's last poll found it; null before its first answer and after a tenure, when it writes.
  let seen: LeaseRecord | undefined | null = null;

  while (!signal.aborted) {
    if (seen !== null && waiting(seen, waitView()) === 'read') {
      let current;
      try {
        current = await leases.describe(name, { signal });
      } catch (error) {
        if (signal.aborted) break;
        if (!(error instanceof LeaseError) || !isRetryable(error.cause)) throw error;
        if (!(await backOff(error.cause))) break;
        continue;
      }
      failures = 0;
      await noteAnswer(current);
      // A takeover or a free lease is possible right now: write at once, one round trip after the read.
      if (waiting(current, waitView()) === 'read') {
        if (!(await pause(nextPollMs(current)))) break;
        continue;
      }
    }
    const ready = sighting !== undefined && clock.monotonic() - sighting.firstSeenAt >= sighting.watchMs;
    const observed = ready ? { token: sighting!.token, version: sighting!.version } : undefined;
    let result;
    try {
      result = await electorAttempt(
        leases,
        name,
        { durationMs: o.durationMs, ...(o.metadata ? { metadata: o.metadata } : {}) },
        { priority: o.priority, ...(o.clockFree ? { clockFree: observed ? { observed } : {} } : {}) },
        // Stopping must not wait on a request that hangs (a client without a request timeout).
        { signal },
      );
    } catch (error) {
      if (signal.aborted) break;
      if (!(error instanceof LeaseError) || !isRetryable(error.cause)) throw error;
      if (!(await backOff(error.cause))) break;
      continue;
    }
    failures = 0;
    if (result.acquired) {
      sighting = undefined;
      seen = null;
      askedToken = undefined;
      // Stopped while the winning write was in flight: hand the lease straight back, never start a tenure.
      if (signal.aborted) {
        await endTenure(result.lease);
        break;
      }
      // The answer came so late that the local deadline already passed: a tenure that may not act is not started.
      if (!result.lease.held) {
        await endTenure(result.lease);
        // Not at once: answers that keep arriving that late would make this loop write at network speed.
        if (!(await pause(pollMs()))) break;
        continue;
      }
      await lead(result.lease);
      // One poll period before contending again: a leader function that returns (or fails) at once must not spin.
      if (!(await pause(pollMs()))) break;
      continue;
    }
    await noteAnswer(result.current);
    if (!(await pause(nextPollMs(result.current)))) break;
  }

  /** What a poll's answer (a failed write's item, or a read) teaches: the leader, the version watched, whether to ask for a handoff. */
  async function noteAnswer(current: LeaseRecord | undefined): Promise<void> {
    // Read after the answer arrived: the holder sent the write behind this version earlier still.
    const receivedAt = clock.monotonic();
    seen = current;
    observe(current);
    if (current !== undefined) {
      const version = current.version ?? 0;
      if (sighting?.token !== current.token || sighting.version !== version) {
        sighting = {
          token: current.token,
          version,
          firstSeenAt: receivedAt,
          watchMs: Math.max(o.durationMs, current.durationMs ?? 0),
        };
      }
    }
    if (shouldAsk(current)) await ask(current!);
  }

  function waitView() {
    return {
      clockFree: o.clockFree,
      priority: o.priority,
      maxClockSkewMs,
      now: clock.now(),
      monotonic: clock.monotonic(),
      sighting,
    };
  }

  /** Sleeps the next backoff delay after a retryable failure; false once stopped. */
  async function backOff(cause: unknown): Promise<boolean> {
    const delayMs = fullJitterDelay(failures++, retryBaseMs, retryCapMs, random);
    emit(onEvent, { type: 'backoff', name, attempt: failures, delayMs, error: cause });
    return pause(delayMs);
  }

  /** Bully on a lease: only a strictly higher priority asks, only a holder that recorded one, once per tenure. */
  function shouldAsk(current: LeaseRecord | undefined): boolean {
    return (
      current?.holder !== undefined &&
      current.priority !== undefined &&
      current.priority < o.priority &&
      (current.handoffPriority === undefined || current.handoffPriority < o.priority) &&
      askedToken !== current.token
    );
  }

  async function ask(current: LeaseRecord): Promise<void> {
    const sentAt = clock.monotonic();
    try {
      const outcome = await electorRequestHandoff(leases, { name, token: current.token, priority: o.priority });
      askedToken = current.token;
      emit(onEvent, {
        type: 'handoff-requested',
        name,
        token: current.token,
        priority: o.priority,
        applied: outcome.applied,
        latencyMs: clock.monotonic() - sentAt,
      });
    } catch (error) {
      // Unknown fate is harmless here: asking twice writes the same request. Ask again on the next poll.
      if (!(error instanceof LeaseError) || !isRetryable(error.cause)) throw error;
    }
  }

  /** How long to wait before the next poll: until a takeover could succeed, and never longer than one poll period. */
  function nextPollMs(current: LeaseRecord | undefined): number {
    const jitterMs = Math.floor(random() * raceJitterMs);
    let untilTakeoverMs: number;
    if (current === undefined) untilTakeoverMs = 0;
    else if (o.clockFree)
      untilTakeoverMs = Math.max(0, sighting!.firstSeenAt + sighting!.watchMs - clock.monotonic()) + jitterMs;
    // Free for us once our wall clock passes expiresAt + S; the condition is strict, hence + 1.
    else untilTakeoverMs = Math.max(0, current.expiresAt + maxClockSkewMs + 1 - clock.now()) + jitterMs;
    return Math.min(pollMs(), untilTakeoverMs);
  }

  function pollMs(): number {
    return Math.floor(o.renewEveryMs * (1 - POLL_JITTER * random()));
  }

  /** Sleeps unless stopped; false once `signal` aborted. */
  async function pause(ms: number): Promise<boolean> {
    try {
      await clock.sleep(ms, signal);
      return true;
    } catch {
      return false;
    }
  }

  async function lead(lease: Lease): Promise<void> {
    const tenure = new AbortController();
    const onStop = () => lease.stopActing(new LeaseError(`elect "${name}": stopped`, { cause: signal.reason }));
    if (signal.aborted) onStop();
    else signal.addEventListener('abort', onStop, { once: true, signal: tenure.signal });
    const renewing = renewLoop(
      lease,
      o.renewEveryMs,
      tenure.signal,
      { clock, random, retryBaseMs },
      (current) => observe(current, lease.holder),
      { signal },
    );
    watch?.startedLeading(lease);
    // Unlike runAsLeader's, this callback is the leader's work: the tenure lasts while its promise is pending.
    // Its failure is reported as the callback policy says (callback-failed) and ends only this tenure.
    await new Promise<void>((resolve) =>
      invokeCallback(onEvent, name, 'onStartedLeading', (l: Lease) => untilSettled(l, resolve), lease),
    );
    tenure.abort();
    await renewing;
    await endTenure(lease);
    watch?.stoppedLeading(lease);
    invokeCallback(onEvent, name, 'onStoppedLeading', o.onStoppedLeading);
  }

  /** Runs the leader's work and calls `done` once it settled or threw; its result goes on to the callback policy for reporting. */
  function untilSettled(lease: Lease, done: () => void): unknown {
    try {
      const work = o.onStartedLeading(lease);
      // Any thenable, not only a native Promise: ending the tenure while another library's promise
      // still runs the leader's work would let it act unrenewed, and start a second tenure beside it.
      if (isThenable(work)) return Promise.resolve(work).finally(done);
      done();
      return work;
    } catch (error) {
      done();
      throw error;
    }
  }

  /** Releases (reserving the lease for a handoff's requester, if one asked) and stops the tenure's timers whatever happens. */
  async function endTenure(lease: Lease): Promise<void> {
    // A release still unanswered after a whole lease serves nobody (the tenure has expired by then),
    // and must not keep a stopped elector from settling on a client without a request timeout.
    const giveUp = new AbortController();
    clock.sleep(lease.durationMs, giveUp.signal, { keepAlive: false }).then(
      () => giveUp.abort(),
      () => undefined,
    );
    try {
      await lease.release({ signal: giveUp.signal });
    } catch (error) {
      // A successor already holds it, or the write failed and the tenure frees itself at expiry.
      if (error instanceof LeaseLostError) observe(error.current, lease.holder);
    } finally {
      giveUp.abort();
      lease.stopActing(new LeaseError(`elect "${name}": tenure ended`));
    }
  }
}
