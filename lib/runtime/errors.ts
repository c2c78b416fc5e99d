import type { LeaseRecord } from './lease-record.js';

/**
 * The base of every error Baton throws. Infrastructure failures keep the AWS
 * SDK error as `cause`: nothing is swallowed. Losing a race is not an error;
 * `tryAcquire` returns it as a value.
 */
export class LeaseError extends Error {
  /**
   * The class's name, written out: a minifier renames classes, so
   * `new.target.name` would read `e` in a bundle. Each subclass sets its own.
   */
  override readonly name: string = 'LeaseError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Bad input, caught before any request is sent (or, for a construct, at
 * synth). `field` names the offending option or argument; `constructPath`
 * names the construct whose props it is, when a construct raised it.
 */
export class LeaseValidationError extends LeaseError {
  override readonly name = 'LeaseValidationError';
  readonly field: string;
  /** What is wrong with the field, without its name. */
  readonly problem: string;
  /** The path of the construct whose props were refused (`Stack/Job`); absent outside the CDK. */
  readonly constructPath: string | undefined;
  constructor(field: string, problem: string, options?: { readonly constructPath?: string }) {
    super(`${field} ${problem}${options?.constructPath ? ` (in construct ${options.constructPath})` : ''}`);
    this.field = field;
    this.problem = problem;
    this.constructPath = options?.constructPath;
  }
}

/** `acquire` gave up: the lease stayed held beyond the wait budget, or the tick was already done. */
export class LeaseUnavailableError extends LeaseError {
  override readonly name = 'LeaseUnavailableError';
  readonly leaseName: string;
  /** The lease item the last attempt observed. */
  readonly current: LeaseRecord | undefined;
  readonly reason: 'held' | 'tick-done';
  constructor(
    leaseName: string,
    current: LeaseRecord | undefined,
    reason: 'held' | 'tick-done',
    options?: { cause?: unknown },
  ) {
    const detail =
      reason === 'tick-done'
        ? `tick already completed (lastTick ${current?.lastTick})`
        : `held by ${current?.holder ?? 'nobody'} until ${new Date(current?.expiresAt ?? 0).toISOString()}`;
    super(`lease "${leaseName}" unavailable: ${detail}`, options);
    this.leaseName = leaseName;
    this.current = current;
    this.reason = reason;
  }
  /** The holder seen by the last attempt, if any. */
  get holder(): string | undefined {
    return this.current?.holder;
  }
  get expiresAt(): number | undefined {
    return this.current?.expiresAt;
  }
}

/**
 * This tenure is over. `reason` says how we know:
 * - `superseded`: a write failed and its returned item shows another tenure (or none);
 * - `deadline`: the holder's own monotonic deadline passed, so it must stop acting
 *   even though no other holder is known yet.
 */
export class LeaseLostError extends LeaseError {
  override readonly name = 'LeaseLostError';
  readonly leaseName: string;
  readonly reason: 'superseded' | 'deadline';
  /** The lease item as the failed write found it (`superseded` only). */
  readonly current: LeaseRecord | undefined;
  constructor(
    leaseName: string,
    reason: 'superseded' | 'deadline',
    current?: LeaseRecord,
    options?: { cause?: unknown },
  ) {
    const detail =
      reason === 'deadline'
        ? 'the local deadline passed'
        : `now ${current?.holder ? `held by ${current.holder}` : 'free'} at token ${current?.token ?? 0}`;
    super(`lease "${leaseName}" lost: ${detail}`, options);
    this.leaseName = leaseName;
    this.reason = reason;
    this.current = current;
  }
  /** The holder of the tenure that replaced ours, if any. */
  get holder(): string | undefined {
    return this.current?.holder;
  }
  get token(): number | undefined {
    return this.current?.token;
  }
}

/** A fenced write carried a token older than the one the resource has already seen. */
export class StaleTokenError extends LeaseError {
  override readonly name = 'StaleTokenError';
  /** The token the write carried. */
  readonly token: number;
  /** The resource's fence: the highest token it has accepted. */
  readonly fence: number;
  constructor(token: number, fence: number, options?: { cause?: unknown }) {
    super(`stale fencing token ${token}: the resource has already accepted token ${fence}`, options);
    this.token = token;
    this.fence = fence;
  }
}

/**
 * A candidate of higher priority asked for the lease (docs/protocol.md#priority-handoff).
 * It aborts `lease.signal`: stop acting and return; the elector then releases
 * the lease and keeps it reserved for the requester.
 */
export class LeaseHandoffError extends LeaseError {
  override readonly name = 'LeaseHandoffError';
  readonly leaseName: string;
  /** Who asked, as the request recorded it (a holder name). */
  readonly requester: string | undefined;
  /** The requester's priority. */
  readonly priority: number | undefined;
  constructor(leaseName: string, current: LeaseRecord | undefined) {
    super(
      `lease "${leaseName}" handed over: ${current?.handoffTo ?? 'a candidate'} of priority ${current?.handoffPriority} ` +
        `asked for it`,
    );
    this.leaseName = leaseName;
    this.requester = current?.handoffTo;
    this.priority = current?.handoffPriority;
  }
}
