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
   * Take the lease for `owner`. Applies when the item has no holder, or its
   * `expiresAt < now - skewMs`; with `tick`, also only while `lastTick` is
   * absent or `< tick`. On apply: holder, expiresAt = now + durationMs,
   * acquiredAt = renewedAt = now, metadata; token incremented (absent -> 1).
   */
  acquire(command: AcquireCommand): Promise<WriteOutcome>;
  /**
   * Extend the tenure: applies only while `holder = owner AND token = token`
   * and `expiresAt <= now + durationMs` (a late renew never shortens a later
   * one). Sets expiresAt = now + durationMs, renewedAt = now.
   */
  renew(command: RenewCommand): Promise<WriteOutcome>;
  /**
   * End the tenure: applies only while `holder = owner AND token = token`,
   * and, with `tick`, while `lastTick` is absent or `<= tick` (an older tick
   * never overwrites a newer completed one). Removes holder and metadata, sets
   * expiresAt = releasedAt = now, releasedBy = releasedBy ?? owner, and
   * lastTick = tick when given. The token stays.
   */
  release(command: ReleaseCommand): Promise<WriteOutcome>;
  /** One strongly consistent read of the lease item. */
  read(name: string): Promise<LeaseRecord | undefined>;
  /**
   * Commit `items` atomically together with a check that `holder = owner AND
   * token = token` still holds on the lease item. Item shapes are the store's
   * own (lib-dynamodb TransactItems for DynamoDB).
   */
  guardedWrite(command: GuardedWriteCommand): Promise<WriteOutcome>;
}

export interface AcquireCommand {
  readonly name: string;
  readonly owner: string;
  readonly now: number;
  readonly durationMs: number;
  readonly skewMs: number;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly tick?: number;
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
