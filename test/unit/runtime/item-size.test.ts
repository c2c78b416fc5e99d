import { describe, expect, it } from 'vitest';
import { InMemoryLeaseStore, LeaseClient, LeaseValidationError } from '../../../lib/runtime/index.js';
import { itemBytes, leaseItemBytes, WRITE_UNIT_BYTES } from '../../../lib/runtime/item-size.js';
import { unreachableStore } from '../../support/stores.js';

const HOLDER = 'worker-1';

/** Metadata of one entry whose value makes the worst-case item exactly `bytes` long. */
function metadataOf(name: string, bytes: number): Record<string, string> {
  const empty = leaseItemBytes({ name, holderName: HOLDER, metadata: { k: '' }, election: true, tick: true });
  return { k: 'v'.repeat(bytes - empty) };
}

describe('lease item size', () => {
  it('counts attribute names and values as DynamoDB bills them', () => {
    expect(itemBytes({ pk: { S: 'abc' } })).toBe(5);
    expect(itemBytes({ é: { S: 'é' } })).toBe(4);
    expect(itemBytes({ n: { N: '1234567890123' } })).toBe(1 + 8);
    expect(itemBytes({ m: { M: { a: { S: 'xy' } } } })).toBe(1 + 3 + 1 + 2 + 1);
  });

  it('stays under one write unit without metadata, with the longest lease and holder names and every optional attribute', () => {
    expect(
      leaseItemBytes({ name: 'x'.repeat(200), holderName: 'x'.repeat(128), election: true, tick: true }),
    ).toBeLessThan(WRITE_UNIT_BYTES);
  });

  it('accepts metadata that fills the item to exactly one write unit, and refuses one byte more naming metadata, before any request', async () => {
    const fits = new LeaseClient({ store: new InMemoryLeaseStore(), holderName: HOLDER });
    const ok = await fits.tryAcquire('svc', { durationMs: 5_000, metadata: metadataOf('svc', WRITE_UNIT_BYTES) });
    expect(ok.acquired).toBe(true);

    const leases = new LeaseClient({ store: unreachableStore(), holderName: HOLDER });
    const over = metadataOf('svc', WRITE_UNIT_BYTES + 1);
    const calls: (() => Promise<unknown>)[] = [
      () => leases.tryAcquire('svc', { durationMs: 5_000, metadata: over }),
      () => leases.acquire('svc', { durationMs: 5_000, metadata: over }),
      () =>
        leases.elect('svc', {
          durationMs: 5_000,
          metadata: over,
          signal: new AbortController().signal,
          onStartedLeading: () => {},
        }),
    ];
    for (const call of calls) {
      const error = await Promise.resolve()
        .then(call)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(LeaseValidationError);
      expect((error as LeaseValidationError).field).toBe('metadata');
      expect((error as Error).message).toMatch(/1025 bytes, over the 1024/);
    }
  });
});
