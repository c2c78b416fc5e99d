import { classifyError } from './aws-errors.js';
import { LeaseError, LeaseHandoffError, LeaseLostError, LeaseValidationError } from './errors.js';
import { emit } from './events.js';
import type { LeaseRecord } from './lease-record.js';
import type { LeaseStore, ReleaseCommand, StoreRequestOptions, WriteOutcome } from './lease-store.js';
import type { ResolvedClientOptions } from './options.js';
import { validateEpochMs, validateObject, validateSignal } from './validate.js';

/** The most items a guarded write may carry: DynamoDB's 100 per transaction, less the lease check. */
export const MAX_GUARDED_ITEMS = 99;

/** What a tenure needs from the client that created it. */
export interface LeaseContext {
  readonly store: LeaseStore;
  readonly options: ResolvedClientOptions;
}

/** Facts about a tenure established by the winning write. */
export interface TenureFacts {
  readonly name: string;
  readonly owner: string;
  readonly token: number;
  readonly durationMs: number;
  /** Monotonic reading when the winning request was sent. */
  readonly sentAt: number;
  /** Wall-clock `expiresAt` written to the store. */
  readonly expiresAt: number;
  /** The previous tenure expired without a release. */
  readonly takeover: boolean;
  /** The priority the winning write recorded (an elector's tenure); absent for `tryAcquire` and `runAsLeader`. */
  readonly priority?: number;
}

type State = 'held' | 'released' | 'superseded' | 'deadline';

/**
 * One tenure of a lease, created by a successful acquire. Its `token` must go
 * with every side effect (see `fencedUpdate`); its `signal` aborts when the
 * holder must stop acting.
 *
 * @example
 * ```ts
 * await using lease = await leases.acquire('nightly-report', { durationMs: 30_000, waitMs: 0 });
 * await fencedUpdate(client, {
 *   TableName: 'reports', Key: { id: 'daily' },
 *   UpdateExpression: 'SET #s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': 'done' },
 * }, lease.token);
 * ```
 */
export class Lease implements AsyncDisposable {
  readonly name: string;
  /** The fencing token of this tenure. Strictly greater than every earlier tenure's. */
  readonly token: number;
  /** This tenure's owner id: `<holderName>#<random>`, unique to this acquisition. */
  readonly holder: string;
  readonly durationMs: number;
  /** This tenure began by taking over one that expired without a release (its holder crashed or stalled). */
  readonly takeover: boolean;
  #expiresAt: number;
  #deadline: number;
  #state: State = 'held';
  #lastSeen: LeaseRecord | undefined;
  /**
   * A tenure that recorded a priority can be asked to hand over, and its release keeps the lease for
   * a requester a whole lease, whether or not a renew has told it of the request yet
   * (docs/protocol.md#priority-handoff).
   */
  readonly #reservesOnRelease: boolean;
  /** The tick a `release()` without one records: the tick `runAsLeader` runs this tenure for. */
  #tick: number | undefined;
  /** The tick the release that ended this tenure recorded (`lastTick` is at least it). */
  #releasedTick: number | undefined;
  // Both created on first need (docs/decisions/performance.md): a caller that
  // never reads `signal` and has no `onEvent` hook pays for no AbortController
  // and no timer; the deadline is then enforced where it matters, by
  // `held`, `remainingMs()` and the check before every renew.
  #ended: AbortController | undefined;
  #endReason: Error | undefined;
  #timer: AbortController | undefined;

  /** @internal Created by `LeaseClient`; not constructed by users. */
  constructor(
    private readonly ctx: LeaseContext,
    facts: TenureFacts,
  ) {
    this.name = facts.name;
    this.token = facts.token;
    this.holder = facts.owner;
    this.durationMs = facts.durationMs;
    this.takeover = facts.takeover;
    this.#reservesOnRelease = facts.priority !== undefined;
    this.#expiresAt = facts.expiresAt;
    this.#deadline = facts.sentAt + facts.durationMs - ctx.options.safetyMarginMs;
    this.#armDeadline();
  }

  /**
   * Aborts when this holder must stop acting: at its local deadline, when a
   * failed write proves another tenure began, when a renew finds that a
   * higher-priority candidate asked for the lease, or on release. The abort
   * reason is a `LeaseLostError`, a `LeaseHandoffError`, or a `LeaseError` on release.
   */
  get signal(): AbortSignal {
    if (this.#ended === undefined) {
      this.#ended = new AbortController();
      if (this.#state === 'held' && this.remainingMs() <= 0) this.#onDeadline();
      if (this.#state !== 'held') this.#ended.abort(this.#reason());
      else this.#armDeadline();
    }
    return this.#ended.signal;
  }

  /** Wall-clock epoch ms at which the stored tenure expires, as last written by this holder. */
  get expiresAt(): number {
    return this.#expiresAt;
  }

  /** Whether this holder may still act: not released or lost, and before its local deadline. */
  get held(): boolean {
    return this.#state === 'held' && this.remainingMs() > 0;
  }

  /**
   * Milliseconds until the local deadline, `t0 + durationMs - safetyMarginMs`
   * on the monotonic clock, where `t0` is when the last successful acquire or
   * renew was sent. 0 once the tenure has ended.
   */
  remainingMs(): number {
    if (this.#state !== 'held') return 0;
    return Math.max(0, this.#deadline - this.ctx.options.clock.monotonic());
  }

  /**
   * Extends the tenure by `durationMs` from now, with one conditional write.
   * Idempotent: an SDK retry of a renew that already landed changes nothing.
   * `signal` aborts the request in flight: `renew` then throws a `LeaseError`
   * at once, without the read that would settle the outcome.
   * @throws LeaseLostError when another tenure began, or the local deadline already passed (no request is sent).
   * @throws LeaseError on infrastructure failure; the tenure goes on until its deadline.
   */
  async renew(options: { signal?: AbortSignal } = {}): Promise<void> {
    const request = requestOptions(options);
    this.#assertMayAct();
    const { store, options: o } = this.ctx;
    const sentAt = o.clock.monotonic();
    const now = o.clock.now();
    const command = { name: this.name, owner: this.holder, token: this.token, now, durationMs: this.durationMs };
    const wanted = now + this.durationMs;
    assertNotAborted('renew', this.name, request);
    let outcome: WriteOutcome;
    try {
      outcome = await store.renew(command, request);
    } catch (error) {
      const found = await resolveUnknownOutcome(this.ctx, this.name, 'renew', error, request);
      // The read only tells whether the tenure is still ours, never whether this renew landed: an
      // expiry at least the one asked for may be an earlier renew's after a wall-clock step back, and
      // counting it would outlast a clock-free waiter's watch (docs/decisions/lost-renew-answer.md).
      // Still ours: leadership goes on under the deadline the writes known to have landed set.
      emit(o.onEvent, { type: 'outcome-resolved', name: this.name, operation: 'renew', applied: false });
      if (this.#isMine(found)) throw wrap('renew', this.name, error);
      outcome = { applied: false, current: found };
    }
    if (!outcome.applied && this.#isMine(outcome.current) && outcome.current.handoffPriority !== undefined)
      throw this.#handOver(outcome.current);
    // Ours with a later expiry than this renew asked for: a later renew of ours landed first, or this
    // holder's wall clock stepped back. Still ours, but nothing of this renew was written, so the deadline
    // stays where the writes that did land put it: a refused write that extended it would let a
    // clock-free waiter, which sees the version unchanged, take over while this holder still acts
    // (docs/protocol.md#clock-free-takeover).
    const extendedLater = !outcome.applied && this.#isMine(outcome.current) && outcome.current.expiresAt >= wanted;
    // Refused because this tenure's own release landed first (its answer may still be on the way): the
    // tenure ended by that release, not by a loss, so no `lost` event and no LeaseLostError.
    if (!outcome.applied && outcome.current?.releasedBy === this.holder)
      throw new LeaseError(`lease "${this.name}" was released`);
    if (!outcome.applied && !extendedLater) throw this.#lose(outcome.current);
    if (!outcome.applied || this.#state !== 'held') return;
    this.#expiresAt = Math.max(this.#expiresAt, wanted);
    this.#deadline = Math.max(this.#deadline, sentAt + this.durationMs - o.safetyMarginMs);
    this.#armDeadline();
    emit(o.onEvent, { type: 'renewed', name: this.name, token: this.token, latencyMs: o.clock.monotonic() - sentAt });
  }

  /**
   * Ends the tenure with one conditional write; the token stays on the item so
   * the next tenure's is larger. An elector's tenure keeps the lease a whole
   * `durationMs` for a handoff requester, if one asked (whether or not a renew
   * reported it); with no request pending anyone may take it at once
   * (docs/protocol.md#priority-handoff). With `tick`, records it as `lastTick` so the
   * same scheduled tick is not run again; when a later tick is already
   * recorded, `lastTick` keeps it (an older tick never reopens a newer one)
   * and the lease is freed by a second write without the tick. Resolving means
   * the tenure ended by this call (or an earlier one whose answer was lost) and
   * `lastTick` is at least `tick`. Calling it again is a no-op, unless it
   * asks for a tick the first release did not record: that throws a
   * `LeaseError`. In `runAsLeader({ tick })`, a release without a tick records
   * that tick (docs/decisions/job-release.md).
   *
   * `signal` aborts the request in flight, for a caller that cannot wait any
   * longer (a Lambda about to time out): `release` then throws a `LeaseError`
   * at once, and whether the release landed is unknown. Unreleased, the lease
   * frees itself at expiry.
   * @throws LeaseLostError (carrying the current holder) when the lease is no
   *   longer ours, an operator's `forceRelease` included; nothing is written.
   * @throws LeaseValidationError before any request on bad input.
   */
  async release(options: { tick?: number; signal?: AbortSignal } = {}): Promise<void> {
    const request = requestOptions(options);
    const tick = options.tick === undefined ? this.#tick : validateEpochMs('tick', options.tick);
    if (this.#state === 'released') {
      // A no-op only if the release that ended the tenure covered this tick: resolving promises `lastTick >= tick`.
      if (tick !== undefined && !((this.#releasedTick ?? -Infinity) >= tick)) {
        throw new LeaseError(`lease "${this.name}" was already released without recording tick ${tick}`);
      }
      return;
    }
    if (this.#state === 'superseded') throw new LeaseLostError(this.name, 'superseded', this.#lastSeen);
    // A holder past its deadline still releases: the write's condition keeps it safe,
    // and it frees the lease sooner than expiry would.
    const o = this.ctx.options;
    const sentAt = o.clock.monotonic();
    // A request may be pending that no renew has reported yet: keep the lease for whoever asked, so no
    // lower-priority waiter slips in first. With no request on the item the reservation binds nobody.
    const reserve = this.#reservesOnRelease ? { reserveMs: this.durationMs } : {};
    const command: ReleaseCommand = {
      name: this.name,
      owner: this.holder,
      token: this.token,
      now: o.clock.now(),
      ...(tick === undefined ? {} : { tick }),
      ...reserve,
    };
    let outcome = await this.#sendRelease(command, request);
    let recordedTick = tick;
    if (
      !outcome.applied &&
      tick !== undefined &&
      this.#isMine(outcome.current) &&
      (outcome.current.lastTick ?? -Infinity) > tick
    ) {
      // Still ours, but a later tick is recorded: only reachable when this tenure did not
      // dedupe on `tick` when acquired. Free the lease; lastTick already covers `tick`.
      recordedTick = undefined;
      outcome = await this.#sendRelease(
        { name: this.name, owner: this.holder, token: this.token, now: command.now, ...reserve },
        request,
      );
    }
    // Released by us: an earlier attempt of this same release landed before its answer was lost, even if
    // the lease has moved on since (an acquire keeps `releasedBy`; owner ids are unique to one tenure, so
    // only this tenure's own release writes it). Freed by anyone else (an operator) is a loss.
    const releasedBefore = !outcome.applied && outcome.current?.releasedBy === this.holder;
    if (!outcome.applied && !releasedBefore) throw this.#lose(outcome.current);
    this.#releasedTick = tick;
    // The abort reason is made only if someone listens: see `#reason()`.
    this.#end('released');
    emit(o.onEvent, {
      type: 'released',
      name: this.name,
      token: this.token,
      ...(recordedTick === undefined ? {} : { tick: recordedTick }),
      latencyMs: o.clock.monotonic() - sentAt,
    });
  }

  /** One release write; a lost answer is settled by one read, as for every write. */
  async #sendRelease(command: ReleaseCommand, request: StoreRequestOptions | undefined): Promise<WriteOutcome> {
    assertNotAborted('release', this.name, request);
    try {
      return await this.ctx.store.release(command, request);
    } catch (error) {
      const found = await resolveUnknownOutcome(this.ctx, this.name, 'release', error, request);
      emit(this.ctx.options.onEvent, {
        type: 'outcome-resolved',
        name: this.name,
        operation: 'release',
        applied: !this.#isMine(found),
      });
      if (this.#isMine(found)) throw wrap('release', this.name, error);
      return { applied: false, current: found };
    }
  }

  /**
   * Commits `items` (lib-dynamodb `TransactItems`) in one `TransactWriteItems`
   * together with a check that this tenure is still the current one, so the
   * write lands only if no successor exists at commit time. The items must not
   * target the lease item itself.
   * @throws LeaseLostError when the tenure has ended; nothing is committed.
   */
  async guardedWrite(items: readonly unknown[]): Promise<void> {
    if (!Array.isArray(items) || items.length === 0)
      throw new LeaseValidationError('items', 'must be a non-empty array');
    if (items.length > MAX_GUARDED_ITEMS)
      throw new LeaseValidationError('items', `may hold at most ${MAX_GUARDED_ITEMS} entries, got ${items.length}`);
    this.#assertMayAct();
    let outcome: WriteOutcome;
    try {
      outcome = await this.ctx.store.guardedWrite({ name: this.name, owner: this.holder, token: this.token, items });
    } catch (error) {
      throw wrap('guardedWrite', this.name, error);
    }
    if (!outcome.applied) throw this.#lose(outcome.current);
  }

  /**
   * @internal `runAsLeader({ tick })`: a `release()` without a tick, the job's own included (an early
   * release, `await using`), records `tick`, since the job that releases its lease declared its work
   * done (docs/decisions/job-release.md). `undefined` after the job failed.
   */
  releaseRecords(tick: number | undefined): void {
    this.#tick = tick;
  }

  /**
   * @internal Stops acting before the deadline (the caller's own deadline or
   * signal, in `runAsLeader`): aborts `signal` with `reason` and cancels the
   * deadline timer. The tenure can still be released.
   */
  stopActing(reason: Error): void {
    if (this.#state === 'held') this.#end('deadline', reason);
  }

  /** Releases on scope exit (`await using`). A tenure already lost is left alone. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#state === 'released' || this.#state === 'superseded') return;
    try {
      await this.release();
    } catch (error) {
      if (!(error instanceof LeaseLostError)) throw error;
    }
  }

  #assertMayAct(): void {
    if (this.#state === 'held' && this.remainingMs() > 0) return;
    if (this.#state === 'held') this.#onDeadline();
    if (this.#state === 'released') throw new LeaseError(`lease "${this.name}" was released`);
    throw new LeaseLostError(this.name, this.#state === 'superseded' ? 'superseded' : 'deadline', this.#lastSeen);
  }

  #isMine(record: LeaseRecord | undefined): record is LeaseRecord {
    return record?.holder === this.holder && record.token === this.token;
  }

  #lose(current: LeaseRecord | undefined): LeaseLostError {
    const error = new LeaseLostError(this.name, 'superseded', current);
    this.#lastSeen = current;
    if (this.#state === 'held' || this.#state === 'deadline') {
      this.#end('superseded', error);
      emit(this.ctx.options.onEvent, {
        type: 'lost',
        name: this.name,
        token: this.token,
        reason: 'superseded',
        ...(current ? { current } : {}),
      });
    }
    return error;
  }

  #handOver(current: LeaseRecord): LeaseHandoffError {
    const error = new LeaseHandoffError(this.name, current);
    this.#lastSeen = current;
    if (this.#state === 'held') {
      this.#end('deadline', error);
      emit(this.ctx.options.onEvent, {
        type: 'handoff',
        name: this.name,
        token: this.token,
        requester: current.handoffTo,
        priority: current.handoffPriority!,
      });
    }
    return error;
  }

  #onDeadline(): void {
    if (this.#state !== 'held') return;
    this.#end('deadline', new LeaseLostError(this.name, 'deadline'));
    emit(this.ctx.options.onEvent, { type: 'lost', name: this.name, token: this.token, reason: 'deadline' });
  }

  #end(state: Exclude<State, 'held'>, reason?: Error): void {
    this.#state = state;
    this.#endReason = reason;
    this.#timer?.abort();
    this.#timer = undefined;
    if (this.#ended && !this.#ended.signal.aborted) this.#ended.abort(this.#reason());
  }

  /** Why the tenure ended, for `signal`: the reason given, or for a release one made now. */
  #reason(): Error {
    return (this.#endReason ??= new LeaseError(`lease "${this.name}" released`));
  }

  /**
   * One pending sleep per tenure, replaced on renew and cancelled when the
   * tenure ends: no timer outlives it, and it never holds the process open.
   * Armed only while someone can observe the deadline firing (the `signal`,
   * or the `lost` event of `onEvent`).
   */
  #armDeadline(): void {
    this.#timer?.abort();
    this.#timer = undefined;
    if (this.#ended === undefined && this.ctx.options.onEvent === undefined) return;
    const timer = new AbortController();
    this.#timer = timer;
    // This timer only serves the lease: it must not keep a process alive that has nothing else to do.
    this.ctx.options.clock.sleep(this.remainingMs(), timer.signal, { keepAlive: false }).then(
      () => this.#onDeadline(),
      () => undefined,
    );
  }
}

/**
 * The one consistent read that settles a request whose answer was lost.
 * Errors that prove the request was not applied are rethrown at once, and so
 * is a request the caller aborted: it has stopped waiting, for the read too.
 */
export async function resolveUnknownOutcome(
  ctx: LeaseContext,
  name: string,
  operation: string,
  error: unknown,
  request?: StoreRequestOptions,
): Promise<LeaseRecord | undefined> {
  if (request?.signal?.aborted)
    throw new LeaseError(`${operation} "${name}": aborted by the caller, outcome unknown`, { cause: error });
  if (classifyError(error) !== 'ambiguous') throw wrap(operation, name, error);
  try {
    return await ctx.store.read(name, request);
  } catch (readError) {
    throw new LeaseError(
      `${operation} "${name}": outcome unknown, and the read to resolve it failed: ${message(readError)}`,
      {
        cause: error,
      },
    );
  }
}

/** Wraps an infrastructure failure, keeping it as `cause`. */
export function wrap(operation: string, name: string, error: unknown): LeaseError {
  if (error instanceof LeaseError) return error;
  return new LeaseError(`${operation} "${name}" failed: ${message(error)}`, { cause: error });
}

/** Once the caller's request signal has aborted, no request is sent. */
export function assertNotAborted(operation: string, name: string, request: StoreRequestOptions | undefined): void {
  if (request?.signal?.aborted)
    throw new LeaseError(`${operation} "${name}": aborted by the caller before sending`, {
      cause: request.signal.reason,
    });
}

/** A method's options object, and the request options its `signal` makes, checked before any request. */
function requestOptions(options: { signal?: AbortSignal } | null): StoreRequestOptions | undefined {
  validateObject('options', options);
  const signal = validateSignal('options.signal', options.signal);
  return signal === undefined ? undefined : { signal };
}

function message(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
