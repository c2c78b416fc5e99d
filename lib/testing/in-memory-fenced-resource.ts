import { LeaseValidationError, StaleTokenError } from '../runtime/errors.js';
import { describeValue } from '../runtime/validate.js';

/** One write a fenced resource accepted or refused. */
export interface FencedWrite<T> {
  readonly key: string;
  readonly token: number;
  /** The value written; absent for a refused write. */
  readonly value?: T;
  /** The fence that refused it; absent for an accepted write. */
  readonly refusedBy?: number;
}

/**
 * The in-memory counterpart of `fencedUpdate`, for unit tests with
 * `InMemoryLeaseStore`: a map of items, each with a fence (the highest token
 * that has written it). A write with a lower token is refused with the same
 * `StaleTokenError`, carrying the fence, that `fencedUpdate` throws; an equal
 * token is accepted, as a leader writes the same item more than once.
 *
 * @example
 * ```ts
 * const reports = new InMemoryFencedResource<string>();
 * await reports.update('nightly', newLeader.token, () => 'v2');
 * await expect(reports.update('nightly', oldLeader.token, () => 'v1')).rejects.toBeInstanceOf(StaleTokenError);
 * ```
 */
export class InMemoryFencedResource<T = unknown> {
  readonly #items = new Map<string, { fence: number; value: T }>();
  /** Every write in the order it arrived, accepted or refused. */
  readonly writes: FencedWrite<T>[] = [];

  /**
   * Writes `change(current)` to `key` if no newer token has written it. Async,
   * like `fencedUpdate`, so a job's code awaits it the same way.
   * @throws StaleTokenError when the item's fence is above `token`; nothing is written.
   */
  async update(key: string, token: number, change: (current: T | undefined) => T): Promise<T> {
    if (typeof key !== 'string' || key === '') throw new LeaseValidationError('key', 'must be a non-empty string');
    if (!Number.isSafeInteger(token) || token < 1)
      throw new LeaseValidationError(
        'token',
        `must be a lease's fencing token (a positive integer), got ${describeValue(token)}`,
      );
    if (typeof change !== 'function')
      throw new LeaseValidationError('change', 'must be a function of the current value');
    const item = this.#items.get(key);
    if (item !== undefined && item.fence > token) {
      this.writes.push({ key, token, refusedBy: item.fence });
      throw new StaleTokenError(token, item.fence);
    }
    const value = change(item?.value);
    this.#items.set(key, { fence: token, value });
    this.writes.push({ key, token, value });
    return value;
  }

  /** The item's value, or undefined if never written. */
  get(key: string): T | undefined {
    return this.#items.get(key)?.value;
  }

  /** The highest token that has written `key`, or undefined. */
  fenceOf(key: string): number | undefined {
    return this.#items.get(key)?.fence;
  }
}
