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
  /**
   * Who ended the last released tenure: its own owner id, or `operator:<holderName>`
   * after a `forceRelease`. It is how a holder whose release answer was lost
   * tells its own landed release apart from an operator's.
   */
  readonly releasedBy?: string;
  /** Epoch ms of the last scheduled tick that completed under this lease. */
  readonly lastTick?: number;
  readonly metadata?: Readonly<Record<string, string>>;
  /**
   * Counts the writes to the item (acquire, renew, release, handoff request).
   * With `token` it names one version of a tenure: a clock-free waiter takes
   * over only a version it has watched stay unchanged for a whole lease
   * (docs/protocol.md#clock-free-takeover). Absent on items no elector touched: 0.
   */
  readonly version?: number;
  /**
   * The tenure length its holder asked for on its last acquire or renew. A
   * clock-free waiter watches a version for at least this long, so a holder
   * with a longer lease than the waiter's is not taken over while it acts
   * (docs/protocol.md#clock-free-takeover). Absent on items written before it existed.
   */
  readonly durationMs?: number;
  /** The holder's election priority, recorded by `elect`; absent for other holders. */
  readonly priority?: number;
  /** A higher-priority candidate asked this tenure to hand the lease over (docs/protocol.md#priority-handoff). */
  readonly handoffTo?: string;
  /** That candidate's priority. Kept after the release it asked for: the lease stays reserved for it until `expiresAt`. */
  readonly handoffPriority?: number;
}
