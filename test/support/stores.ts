import type { LeaseStore } from '../../lib/runtime/index.js';

/** A store that fails the test on any call: proves that bad input sends no request. */
export function unreachableStore(): LeaseStore {
  const fail = (operation: string) => () => {
    throw new Error(`unexpected ${operation} request`);
  };
  return {
    acquire: fail('acquire'),
    renew: fail('renew'),
    release: fail('release'),
    read: fail('read'),
    guardedWrite: fail('guardedWrite'),
    requestHandoff: fail('requestHandoff'),
  };
}

type Operation = keyof LeaseStore;

/** An error shaped like the AWS SDK's, classified by `classifyError` as the protocol sees it. */
export function sdkError(name: string, httpStatusCode?: number): Error {
  return Object.assign(new Error(`${name} (injected)`), {
    name,
    $metadata: httpStatusCode === undefined ? {} : { httpStatusCode },
  });
}

/**
 * Wraps a store and injects one fault per scheduled call of an operation:
 * `before` fails without applying; `after` applies, then loses the answer.
 */
export class FaultyStore implements LeaseStore {
  private readonly plan: { operation: Operation; when: 'before' | 'after'; error: Error }[] = [];

  constructor(private readonly inner: LeaseStore) {}

  failNext(operation: Operation, when: 'before' | 'after', error: Error, times = 1): this {
    for (let i = 0; i < times; i++) this.plan.push({ operation, when, error });
    return this;
  }

  acquire: LeaseStore['acquire'] = (c) => this.call('acquire', () => this.inner.acquire(c));
  renew: LeaseStore['renew'] = (c) => this.call('renew', () => this.inner.renew(c));
  release: LeaseStore['release'] = (c) => this.call('release', () => this.inner.release(c));
  read: LeaseStore['read'] = (n) => this.call('read', () => this.inner.read(n));
  guardedWrite: LeaseStore['guardedWrite'] = (c) => this.call('guardedWrite', () => this.inner.guardedWrite(c));
  requestHandoff: LeaseStore['requestHandoff'] = (c) => this.call('requestHandoff', () => this.inner.requestHandoff(c));

  private async call<T>(operation: Operation, run: () => Promise<T>): Promise<T> {
    const index = this.plan.findIndex((p) => p.operation === operation);
    if (index === -1) return run();
    const [fault] = this.plan.splice(index, 1);
    if (fault!.when === 'after') await run();
    throw fault!.error;
  }
}
