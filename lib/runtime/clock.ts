/**
 * Every notion of time the protocol uses reaches it through a `Clock`, so the
 * same code runs on a Lambda host, under a fake clock in unit tests, and in the
 * deterministic simulator (docs/architecture.md#the-parts).
 */
export interface Clock {
  /** Wall-clock time, epoch milliseconds. Compared across workers, so it is only trusted to within `maxClockSkewMs`. */
  now(): number;
  /** A monotonic reading in milliseconds, meaningful only within this process. Used for the holder's own deadline. */
  monotonic(): number;
  /**
   * Resolves after `ms` milliseconds, for any `ms` up to `Number.MAX_SAFE_INTEGER`.
   * When `signal` aborts first, rejects with `signal.reason` and leaves no timer behind.
   */
  sleep(ms: number, signal?: AbortSignal, options?: SleepOptions): Promise<void>;
}

/** How a sleep treats its host. Clocks without a process to keep alive ignore it. */
export interface SleepOptions {
  /**
   * Whether the pending sleep alone keeps a Node process alive. The lease's own
   * deadline timer passes `false`: a script that won a lease and has nothing
   * left to do must be able to exit. @default true
   */
  readonly keepAlive?: boolean;
}

/** A source of uniformly distributed numbers in [0, 1). Drives jitter and owner ids. */
export type RandomSource = () => number;
