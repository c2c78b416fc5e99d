import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SystemName } from './registry.js';

/**
 * How many times a peer's waiter retries. Each retry waits a full lease, so
 * 20 cover far more than a failover needs; finite, because the peers cannot
 * be cancelled and an endless waiter would keep a failed bench process alive.
 */
export const PEER_WAIT_RETRIES = 20;

/** How a system keeps a lease alive. */
export type Renewal =
  /** The caller renews with one call (`Held.renew`). */
  | 'explicit'
  /** The library renews on its own timer (a heartbeat); there is no call to make. */
  | 'background'
  /** Locks never expire, so there is nothing to renew. */
  | 'none';

/**
 * One lock library (or the bare floor) behind the interface the bench
 * measures through: the port. Each adapter configures its library with the
 * settings that library recommends for a lease of `leaseDurationMs`, and
 * lists them in `settings` for the report.
 */
export interface LockSystem {
  readonly name: SystemName;
  readonly renewal: Renewal;
  /** The library's options as used, for the report's `params`. */
  readonly settings: Readonly<Record<string, unknown>>;
  /** Why a figure cannot be produced, per figure kind; absent kinds are measured. */
  readonly unsupported: Readonly<Partial<Record<'failover' | 'throughput', string>>>;
  /** Creates this system's table (its own key schema) on the run's DynamoDB Local. */
  createTable(client: DynamoDBClient): Promise<void>;
  /** One worker of this system, sending everything through `client`. */
  contender(client: DynamoDBClient): Contender;
}

/** One worker contending for leases by name. */
export interface Contender {
  /**
   * One attempt in the library's no-wait mode: the lock, or `undefined` when
   * it is held by another. Infrastructure failures reject.
   * `durationMs` overrides the system's lease duration (for long-held leases).
   */
  tryAcquire(lease: string, options?: { durationMs?: number }): Promise<Held | undefined>;
  /** An attempt made by one of a crowd of contenders; the library's "take it or answer at once" call. */
  contend(lease: string): Promise<Held | undefined>;
  /**
   * Acquires and keeps the lease alive the way the library recommends
   * (background renewal), as a leader would. `undefined` when held by another.
   */
  lead(lease: string): Promise<Held | undefined>;
  /**
   * Waits for the lease the way the library recommends, until `signal`
   * aborts. Absent when the library's locks never expire by themselves.
   */
  acquireWaiting?(lease: string, signal: AbortSignal): Promise<Held>;
}

/** A lock held by a contender. */
export interface Held {
  /** One renewal, for systems with `renewal: 'explicit'`. */
  renew?(): Promise<void>;
  /** Releases the lock the library's way. */
  release(): Promise<void>;
  /** Stops all renewal without writing anything, as if the holder froze or died. */
  crash(): void;
  /** Local clean-up of a crashed holder once the bench is done with it. */
  abandon(): Promise<void>;
}
