import { classifyError, isRetryable } from './aws-errors.js';
import { fullJitterDelay, newOwnerId } from './backoff.js';
import { LeaseError, LeaseLostError, LeaseUnavailableError, LeaseValidationError } from './errors.js';
import { emit } from './events.js';
import { Lease, type LeaseContext, assertNotAborted, resolveUnknownOutcome, wrap } from './lease.js';
import type { LeaseRecord } from './lease-record.js';
import type { AcquireCommand, StoreRequestOptions, WriteOutcome } from './lease-store.js';
import { runAsLeader, type RunAsLeaderOptions, type RunAsLeaderResult } from './run-as-leader.js';
import type { LeaderContext } from './steps.js';
import { type ElectOptions, resolveElectOptions } from './elect-options.js';
import { elect } from './elector.js';
import {
  type LeaseClientOptions,
  type ResolvedClientOptions,
  resolveClientOptions,
  validateDuration,
} from './options.js';
import { validateItemFits } from './item-size.js';
import {
  describeValue,
  validatePriority,
  validateEpochMs,
  validateLeaseName,
  validateMetadata,
  validateMs,
  validateObject,
  validateSignal,
} from './validate.js';

/** Options of one acquisition attempt. */
export interface TryAcquireOptions {
  /** Tenure length in ms. Must exceed `safetyMarginMs + maxClockSkewMs`; at most a day. */
  readonly durationMs: number;
  /** Strings stored with the tenure (function name, region, request id, host) for operators. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Epoch ms of a scheduled tick: the attempt fails with `tick-done` once this tick (or a later one) completed. */
  readonly tick?: number;
}

/** Options of `acquire`, which waits. */
export interface AcquireOptions extends TryAcquireOptions {
  /** How long to keep trying, in ms; `Infinity` waits until `signal` aborts. @default 0 */
  readonly waitMs?: number;
  /** Aborts the wait; the returned promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * Aborts the request in flight too, and sends no more: the call rejects at
   * once with a `LeaseError`, without the read that would settle an unknown
   * outcome. Whether an aborted attempt won is then unknown; a tenure it won
   * frees itself at expiry. For a caller that cannot wait any longer, such as
   * a Lambda close to its timeout. @default none
   */
  readonly requestSignal?: AbortSignal;
}

/**
 * What an elector adds to an attempt: its priority, recorded on the tenure,
 * and, clock-free, the version it watched for a whole lease instead of the
 * wall-clock expiry rule. Not on any public signature: an `observed` version
 * takes a held lease at once, so only the elector, which watched it, may pass one.
 */
export type ElectorAttempt = Pick<AcquireCommand, 'priority' | 'clockFree'>;

/**
 * @internal The elector's attempt (`elect`, lib/runtime/elector.ts): `tryAcquire`
 * with its `ElectorAttempt`, and a signal that aborts the request in flight.
 * Not exported from the package entry.
 */
export let electorAttempt: (
  leases: LeaseClient,
  name: string,
  options: TryAcquireOptions,
  elector: ElectorAttempt,
  abort?: StoreRequestOptions,
) => Promise<TryAcquireResult>;

/**
 * @internal The elector's handoff request (`elect`, lib/runtime/elector.ts): one conditional write
 * asking the tenure `token` of `name` to hand over to this client's holder at `priority`
 * (docs/protocol.md#priority-handoff). Not exported from the package entry: a request with no elector
 * behind it would keep a released lease for a candidate that never comes.
 * @throws LeaseValidationError before any request, on bad input.
 * @throws LeaseError wrapping the SDK error on infrastructure failure.
 */
export let electorRequestHandoff: (
  leases: LeaseClient,
  request: { readonly name: string; readonly token: number; readonly priority: number },
) => Promise<WriteOutcome>;

/**
 * The result of one acquisition attempt. Losing is a value, not an error.
 * Each side names the other's fields as absent (`?: never`), so `r.current`
 * and `r.lease` type-check after `if (!r.acquired)` even without `strict`
 * (without `strictNullChecks`, TypeScript does not narrow on a falsy `acquired`).
 */
export type TryAcquireResult =
  | {
      readonly acquired: true;
      readonly lease: Lease;
      readonly takeover: boolean;
      readonly current?: never;
      readonly reason?: never;
    }
  | {
      readonly acquired: false;
      readonly current: LeaseRecord | undefined;
      readonly reason: 'held' | 'tick-done';
      readonly lease?: never;
      readonly takeover?: never;
    };

/**
 * Contends for named leases. Every attempt is one conditional write; the
 * winner gets a fencing token one greater than the last tenure's, and a loser
 * learns the current holder from the same failed write.
 *
 * @example
 * ```ts
 * const leases = new LeaseClient({ tableName: 'baton-leases', client: new DynamoDBClient({}) });
 * const r = await leases.tryAcquire('nightly-report', { durationMs: 60_000 });
 * if (!r.acquired) return console.log(`held by ${r.current?.holder}`);
 * try { await work(r.lease.token, r.lease.signal); } finally { await r.lease.release(); }
 * ```
 */
export class LeaseClient {
  /** The options with their defaults applied. @internal Not part of the public API: read by the loop and the Lambda handler. */
  readonly options: ResolvedClientOptions;
  private readonly ctx: LeaseContext;

  constructor(options: LeaseClientOptions) {
    this.options = resolveClientOptions(options);
    this.ctx = { store: this.options.store, options: this.options };
  }

  /**
   * One attempt, one request. Resolves `{ acquired: true, lease, takeover }`
   * when this caller won (`takeover`: the previous tenure expired without a
   * release), or `{ acquired: false, current, reason }` with the item that made
   * the write fail. A lost response is recognised by the fresh owner id and
   * counted as the win it was; a request of unknown fate costs one extra read.
   * A `TransactionConflictException` (a holder's `guardedWrite` was checking
   * the lease item) is a lost race too, `reason: 'held'`, with the holder
   * learnt from one consistent read: a Lambda follower must not fail for it.
   * @throws LeaseValidationError before any request, on bad input.
   * @throws LeaseError wrapping the SDK error on infrastructure failure.
   */
  tryAcquire(name: string, options: TryAcquireOptions): Promise<TryAcquireResult> {
    return this.#tryAcquire(name, options, true);
  }

  static {
    electorAttempt = async (leases, name, options, elector, abort) => {
      const priority = elector.priority;
      if (priority !== undefined && (typeof priority !== 'number' || !Number.isFinite(priority))) {
        throw new LeaseValidationError('priority', `must be a finite number, got ${describeValue(priority)}`);
      }
      return leases.#tryAcquire(name, options, true, elector, abort);
    };
    electorRequestHandoff = async (leases, { name, token, priority }) => {
      validateLeaseName('name', name);
      validateMs('token', token, { min: 1, max: Number.MAX_SAFE_INTEGER });
      validatePriority('priority', priority);
      try {
        return await leases.ctx.store.requestHandoff({ name, token, requester: leases.options.holderName, priority });
      } catch (error) {
        throw wrap('requestHandoff', name, error);
      }
    };
  }

  async #tryAcquire(
    name: string,
    options: TryAcquireOptions,
    conflictIsLoss: boolean,
    elector?: ElectorAttempt,
    abort?: StoreRequestOptions,
  ): Promise<TryAcquireResult> {
    const request = { ...this.#validateAttempt(name, options), ...elector };
    const { clock, maxClockSkewMs, onEvent } = this.options;
    const owner = newOwnerId(this.options.holderName, this.options.random);
    const sentAt = clock.monotonic();
    const now = clock.now();
    assertNotAborted('acquire', name, abort);
    let outcome: WriteOutcome;
    try {
      outcome = await this.ctx.store.acquire({ ...request, owner, now, skewMs: maxClockSkewMs }, abort);
    } catch (error) {
      // `acquire` backs off from a conflict instead, as from throttling.
      if (conflictIsLoss && classifyError(error) === 'conflict')
        return this.#conflictLoss(name, request.tick, now, sentAt, error);
      const found = await resolveUnknownOutcome(this.ctx, name, 'acquire', error, abort);
      const applied = found?.holder === owner;
      emit(onEvent, { type: 'outcome-resolved', name, operation: 'acquire', applied });
      // Not ours and not held by anyone else either: the attempt simply failed; let the caller retry.
      if (!applied && lossReason(found, request.tick, now, maxClockSkewMs) === undefined)
        throw wrap('acquire', name, error);
      outcome = { applied: false, current: found };
    }
    const latencyMs = clock.monotonic() - sentAt;
    // Our own owner id in the failed write's item: an earlier try of this request (an SDK retry) won.
    const wonEarlier = !outcome.applied && outcome.current?.holder === owner;
    if (outcome.applied || wonEarlier) {
      const token = outcome.applied ? (outcome.before?.token ?? 0) + 1 : outcome.current!.token;
      // After a lost response the previous holder is unknowable; report no takeover.
      const takeover = outcome.applied && outcome.before?.holder !== undefined;
      const facts = {
        name,
        owner,
        token,
        durationMs: request.durationMs,
        sentAt,
        expiresAt: now + request.durationMs,
        takeover,
      };
      const lease = new Lease(
        this.ctx,
        request.priority === undefined ? facts : { ...facts, priority: request.priority },
      );
      emit(onEvent, { type: 'acquired', name, token, holder: owner, takeover, latencyMs });
      return { acquired: true, lease, takeover };
    }
    const current = outcome.current;
    const reason = lossReason(current, request.tick, now, maxClockSkewMs) ?? 'held';
    emit(onEvent, { type: 'contended', name, reason, current, latencyMs });
    return { acquired: false, current, reason };
  }

  /** A transaction held the lease item: not applied, so it is held; one read says by whom. */
  async #conflictLoss(
    name: string,
    tick: number | undefined,
    now: number,
    sentAt: number,
    error: unknown,
  ): Promise<TryAcquireResult> {
    let current: LeaseRecord | undefined;
    try {
      current = await this.ctx.store.read(name);
    } catch {
      throw wrap('acquire', name, error);
    }
    const { clock, maxClockSkewMs, onEvent } = this.options;
    const reason = lossReason(current, tick, now, maxClockSkewMs) ?? 'held';
    emit(onEvent, { type: 'contended', name, reason, current, latencyMs: clock.monotonic() - sentAt });
    return { acquired: false, current, reason };
  }

  /**
   * Acquires, waiting up to `waitMs`. After a lost race it sleeps until the
   * observed expiry plus the skew bound (plus jitter); throttling and 5xx back
   * off with full jitter. It gives up at once, without sleeping, when the
   * observed expiry lies beyond the budget: a Lambda follower costs one request.
   * @throws LeaseUnavailableError when the lease stays held past the budget, or the tick is done.
   */
  async acquire(name: string, options: AcquireOptions): Promise<Lease> {
    this.#validateAttempt(name, options);
    const waitMs = validateWait(options.waitMs ?? 0);
    const signal = validateSignal('signal', options.signal);
    const requestSignal = validateSignal('requestSignal', options.requestSignal);
    const abort = requestSignal === undefined ? undefined : { signal: requestSignal };
    const { clock, random, maxClockSkewMs, raceJitterMs, retryBaseMs, retryCapMs, onEvent } = this.options;
    // Throttling, transaction conflicts and 5xx back off with full jitter.
    const attempt = { durationMs: options.durationMs, metadata: options.metadata, tick: options.tick };
    const started = clock.monotonic();
    for (let failures = 0; ;) {
      signal?.throwIfAborted();
      let delayMs: number;
      let giveUp: () => Error;
      try {
        const result = await this.#tryAcquire(name, attempt, false, undefined, abort);
        if (result.acquired) return result.lease;
        const { current, reason } = result;
        if (reason === 'tick-done') throw new LeaseUnavailableError(name, current, reason);
        failures = 0;
        // Free for us once our wall clock passes expiresAt + S; the condition is strict, hence + 1.
        delayMs =
          Math.max(0, (current?.expiresAt ?? 0) + maxClockSkewMs + 1 - clock.now()) +
          Math.floor(random() * raceJitterMs);
        giveUp = () => new LeaseUnavailableError(name, current, 'held');
      } catch (error) {
        if (
          !(error instanceof LeaseError) ||
          error instanceof LeaseUnavailableError ||
          requestSignal?.aborted ||
          !isRetryable(error.cause)
        )
          throw error;
        delayMs = fullJitterDelay(failures++, retryBaseMs, retryCapMs, random);
        giveUp = () => error;
        emit(onEvent, { type: 'backoff', name, attempt: failures, delayMs, error: error.cause });
      }
      if (clock.monotonic() - started + delayMs > waitMs) throw giveUp();
      await clock.sleep(delayMs, signal);
    }
  }

  /**
   * Runs `fn` while this caller leads `name`: acquires (waiting up to
   * `waitMs`, default one attempt), renews every `renewEveryMs` with jitter,
   * and releases when `fn` settles (recording `tick` only on success).
   * `lease.signal` aborts at the earliest of a renew that proves loss, the
   * local deadline, `deadlineMs`, or the caller's `signal`; `fn` must stop then.
   * Returns `{ led: false, current, reason }` when another holder kept the lease.
   * No timer of Baton's outlives the call. With `tick`, `fn`'s second
   * argument has `step(name, fn)`: durable steps of the tick, replayed by a
   * later tenure instead of run again (docs/protocol.md#steps).
   *
   * @example
   * ```ts
   * const r = await leases.runAsLeader('compactor', async (lease) => compact({ token: lease.token, signal: lease.signal }), {
   *   durationMs: 30_000,
   *   onStoppedLeading: () => log.info('no longer leading'),
   * });
   * ```
   */
  runAsLeader<T>(
    name: string,
    fn: (lease: Lease, context: LeaderContext) => Promise<T>,
    options: RunAsLeaderOptions,
  ): Promise<RunAsLeaderResult<T>> {
    return runAsLeader(this, name, fn, options);
  }

  /**
   * Keeps one leader among long-lived processes for as long as they live (a
   * scheduler, a compactor, an ECS service): contends for `name` until
   * `options.signal` aborts, running `onStartedLeading` once per tenure.
   * Waiting costs one request per poll, at most one every `renewEveryMs`: a
   * strongly consistent read (1 read unit) until a write could win
   * (docs/protocol.md#how-a-waiter-polls).
   * With `clockFree`, takeovers do not depend on wall clocks at all; with a
   * `priority`, a higher-priority elector asks the holder to hand over.
   * See `ElectOptions` for each callback's guarantees.
   *
   * Resolves once contending stopped and any held lease was released.
   * @throws LeaseValidationError synchronously, before any request, on bad input.
   * @example
   * ```ts
   * const stop = new AbortController();
   * const done = leases.elect('scheduler', {
   *   durationMs: 10_000,
   *   signal: stop.signal,
   *   onStartedLeading: async (lease) => schedule({ token: lease.token, signal: lease.signal }),
   * });
   * process.once('SIGTERM', () => stop.abort());
   * await done;
   * ```
   */
  elect(name: string, options: ElectOptions): Promise<void> {
    return elect(this, resolveElectOptions(this.options, name, options));
  }

  /**
   * For operators: frees the tenure with fencing token `token` if it is still
   * the current one, whoever holds it (a consistent read, then the same
   * conditional write as `release`, conditioned on the holder it read). The
   * token stays, so the stuck holder's late fenced writes are refused.
   * @throws LeaseLostError when that tenure is no longer current; nothing is written.
   */
  async forceRelease(name: string, options: { token: number }): Promise<void> {
    validateLeaseName('name', name);
    const token = validateMs('token', options?.token, { max: Number.MAX_SAFE_INTEGER });
    const current = await this.describe(name);
    if (current?.holder === undefined || current.token !== token) throw new LeaseLostError(name, 'superseded', current);
    const { clock, onEvent } = this.options;
    const sentAt = clock.monotonic();
    const releasedBy = `operator:${this.options.holderName}`;
    let outcome: WriteOutcome;
    try {
      // releasedBy tells the holder, whose own release then fails, that an operator freed its tenure.
      outcome = await this.ctx.store.release({ name, owner: current.holder, token, now: clock.now(), releasedBy });
    } catch (error) {
      // A lost answer is settled like the holder's own: still held by the same tenure, it did not land.
      const found = await resolveUnknownOutcome(this.ctx, name, 'forceRelease', error);
      if (found?.holder === current.holder && found.token === token) throw wrap('forceRelease', name, error);
      outcome = { applied: false, current: found };
    }
    // Freed at that token by this operator: the write landed before its answer was lost (or an SDK retry of it failed).
    const landed =
      !outcome.applied &&
      outcome.current?.token === token &&
      outcome.current.holder === undefined &&
      outcome.current.releasedBy === releasedBy;
    if (!outcome.applied && !landed) throw new LeaseLostError(name, 'superseded', outcome.current);
    emit(onEvent, { type: 'released', name, token, latencyMs: clock.monotonic() - sentAt });
  }

  /**
   * The lease item as one strongly consistent read sees it, or `undefined` if
   * the lease was never taken. For operators and tools, and for a waiting
   * elector's polls (docs/protocol.md#how-a-waiter-polls); an acquire never
   * reads before writing. `signal` aborts the read in flight: `describe` then
   * throws a `LeaseError` at once.
   * @throws LeaseValidationError before any request, on bad input.
   * @throws LeaseError wrapping the SDK error on infrastructure failure.
   */
  async describe(name: string, options: { signal?: AbortSignal } = {}): Promise<LeaseRecord | undefined> {
    validateLeaseName('name', name);
    validateObject('options', options);
    const signal = validateSignal('options.signal', options.signal);
    try {
      return await this.ctx.store.read(name, signal === undefined ? undefined : { signal });
    } catch (error) {
      throw wrap('describe', name, error);
    }
  }

  #validateAttempt(name: string, options: TryAcquireOptions) {
    validateLeaseName('name', name);
    validateObject('options', options);
    const durationMs = validateDuration('durationMs', options.durationMs, this.options);
    const metadata = validateMetadata('metadata', options.metadata);
    validateItemFits(name, this.options.holderName, metadata);
    const tick = options.tick === undefined ? undefined : validateEpochMs('tick', options.tick);
    return { name, durationMs, ...(metadata ? { metadata } : {}), ...(tick === undefined ? {} : { tick }) };
  }
}

/**
 * Why an attempt that did not apply lost, judged from the item it found, or
 * `undefined` when the item shows a lease free for the taking (the attempt
 * failed for another reason).
 */
function lossReason(
  current: LeaseRecord | undefined,
  tick: number | undefined,
  now: number,
  skewMs: number,
): 'held' | 'tick-done' | undefined {
  if (tick !== undefined && current?.lastTick !== undefined && current.lastTick >= tick) return 'tick-done';
  if (current?.holder !== undefined && current.expiresAt >= now - skewMs) return 'held';
  return undefined;
}

function validateWait(value: unknown): number {
  if (value === Infinity) return value;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new LeaseValidationError(
      'waitMs',
      `must be a non-negative integer number of milliseconds or Infinity, got ${describeValue(value)}`,
    );
  }
  return value;
}
