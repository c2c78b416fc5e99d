import type { LeaseRecord } from './lease-record.js';

/**
 * The narrow storage port of the protocol (docs/architecture.md#the-parts). Each method is one
 * conditional write (or one consistent read) and its conditions are stated
 * here once; `DynamoDBLeaseStore` encodes them as condition expressions and
 * `InMemoryLeaseStore` evaluates them directly. All times in a command are the
 * caller's clock readings: the store never reads a clock of its own, exactly as
 * DynamoDB only compares the values it is sent.
 */
export interface LeaseStore {
  /**
   * Take the lease for `owner`. Applies when the item has no holder (and no
   * reservation for a higher `handoffPriority` than the caller's `priority`),
   * or its `expiresAt < now - skewMs`; with `clockFree`, instead of that expiry
   * rule, only while the item is still at the `observed` version (token and
   * version). With `tick`, also only while `lastTick` is absent or `< tick`.
   * On apply: holder, expiresAt = now + durationMs, acquiredAt = renewedAt =
   * now, metadata, priority; handoff request cleared; token and version
   * incremented (absent -> 1).
   */
  acquire(command: AcquireCommand, options?: StoreRequestOptions): Promise<WriteOutcome>;
  /**
   * Extend the tenure: applies only while `holder = owner AND token = token`
   * and `expiresAt <= now + durationMs` (a late renew never shortens a later
   * one), and no handoff was requested (the failure's item then tells the
   * holder). Sets expiresAt = now + durationMs, renewedAt = now; version + 1.
   */
  renew(command: RenewCommand, options?: StoreRequestOptions): Promise<WriteOutcome>;
  /**
   * End the tenure: applies only while `holder = owner AND token = token`,
   * and, with `tick`, while `lastTick` is absent or `<= tick` (an older tick
   * never overwrites a newer completed one). Removes holder and metadata, sets
   * releasedAt = now, expiresAt = now + (reserveMs ?? 0), releasedBy =
   * releasedBy ?? owner, and lastTick = tick when given; version + 1. The
   * token and a handoff request stay: with `reserveMs` the lease is kept for
   * the requester that long.
   */
  release(command: ReleaseCommand, options?: StoreRequestOptions): Promise<WriteOutcome>;
  /**
   * Record a handoff request on the tenure with `token`: applies only while it
   * is held, its holder recorded a `priority` lower than the caller's, and no
   * request of equal or higher priority is pending. Sets handoffTo =
   * requester, handoffPriority = priority; version + 1.
   */
  requestHandoff(command: HandoffCommand): Promise<WriteOutcome>;
  /** One strongly consistent read of the lease item. */
  read(name: string, options?: StoreRequestOptions): Promise<LeaseRecord | undefined>;
  /**
   * Commit `items` atomically together with a check that `holder = owner AND
   * token = token` still holds on the lease item. Item shapes are the store's
   * own (lib-dynamodb TransactItems for DynamoDB).
   */
  guardedWrite(command: GuardedWriteCommand): Promise<WriteOutcome>;
  /**
   * The journal of one tick: every step record of `(name, tick)`, in one
   * strongly consistent read (one request per MB of records), expired records
   * included (the caller filters them by `ttl`). Optional so that stores
   * written before steps still compile; `step` refuses to run without it.
   */
  readSteps?(query: StepJournalQuery, options?: StoreRequestOptions): Promise<StepRecord[]>;
  /**
   * Record a step, fenced by token (docs/protocol.md#steps): applies only
   * while no record of `(name, tick, step)` exists, or the existing one has a
   * lower `token`. On apply the record replaces the old one entirely. On
   * failure `current` is the record that made it fail, from the same request.
   * Optional, like `readSteps`.
   */
  recordStep?(command: RecordStepCommand, options?: StoreRequestOptions): Promise<StepWriteOutcome>;
}

/** Which journal to read: one tick of one lease. */
export interface StepJournalQuery {
  /** The lease. */
  readonly name: string;
  /** The tick, epoch ms. */
  readonly tick: number;
}

/** One recorded step of a tick, as the protocol sees it (docs/protocol.md#steps). */
export interface StepRecord {
  /** The tick it belongs to, epoch ms. */
  readonly tick: number;
  /** The step's name. */
  readonly step: string;
  /** The fencing token of the tenure that recorded it. */
  readonly token: number;
  /** That tenure's owner id. */
  readonly holder: string;
  /** Epoch ms, the recording tenure's clock. */
  readonly recordedAt: number;
  /** The value as JSON text; absent when the step returned `undefined`. */
  readonly value?: string;
  /** Epoch seconds after which the record is gone. */
  readonly ttl: number;
}

/** A step record to write for lease `name`. */
export interface RecordStepCommand extends StepRecord {
  /** The lease, whose partition holds the record. */
  readonly name: string;
}

/** What `recordStep` did; `current` is the record that refused the write (a newer or equal token's). */
export type StepWriteOutcome =
  { readonly applied: true } | { readonly applied: false; readonly current: StepRecord | undefined };

/** How one request may be cut short. A store that cannot abort a request ignores it. */
export interface StoreRequestOptions {
  /**
   * Aborts the request in flight (the caller stopped waiting): the call then
   * rejects, and whether the write landed is unknown.
   */
  readonly signal?: AbortSignal;
}

export interface AcquireCommand {
  readonly name: string;
  readonly owner: string;
  readonly now: number;
  readonly durationMs: number;
  readonly skewMs: number;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly tick?: number;
  /** Recorded as the tenure's priority (electors); a candidate may then ask it to hand over. */
  readonly priority?: number;
  /** Take a held lease only if it is still at `observed`; never by wall-clock expiry. */
  readonly clockFree?: { readonly observed?: TenureVersion };
}

/** One version of the lease item, as a clock-free waiter observed it. */
export interface TenureVersion {
  readonly token: number;
  /** The item's `version` (0 when absent). */
  readonly version: number;
}

export interface HandoffCommand {
  readonly name: string;
  /** The tenure asked to hand over. */
  readonly token: number;
  /** Who asks (a holder name, for operators). */
  readonly requester: string;
  readonly priority: number;
}

export interface TenureRef {
  readonly name: string;
  readonly owner: string;
  readonly token: number;
}

export interface RenewCommand extends TenureRef {
  readonly now: number;
  readonly durationMs: number;
}

export interface ReleaseCommand extends TenureRef {
  readonly now: number;
  readonly tick?: number;
  /** Recorded as `releasedBy`. @default owner */
  readonly releasedBy?: string;
  /** Keep the lease reserved for a pending handoff's requester this long. */
  readonly reserveMs?: number;
}

export interface GuardedWriteCommand extends TenureRef {
  readonly items: readonly unknown[];
}

/**
 * What one conditional write did. `before` is the item as it was just before an
 * applied acquire (stores may leave it out for renew and release, which do not
 * need it, and must include at least `token` and `holder` for acquire);
 * `current` is the item that made the condition fail, returned by the same request.
 */
export type WriteOutcome =
  | { readonly applied: true; readonly before: LeaseRecord | undefined }
  | { readonly applied: false; readonly current: LeaseRecord | undefined };
