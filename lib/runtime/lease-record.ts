/**
 * The lease item as the protocol sees it (docs/architecture.md#the-table), independent of how a
 * store encodes it. Times are epoch milliseconds.
 */
export interface LeaseRecord {
  readonly name: string;
  /** Owner id of the current tenure; absent when the lease is free. */
  readonly holder?: string;
  /** Fencing token of the latest tenure. Starts at 1 and never decreases. */
  readonly token: number;
  readonly expiresAt: number;
  readonly acquiredAt?: number;
  readonly renewedAt?: number;
  readonly releasedAt?: number;
  /** Epoch ms of the last scheduled tick that completed under this lease. */
  readonly lastTick?: number;
  readonly metadata?: Readonly<Record<string, string>>;
}
