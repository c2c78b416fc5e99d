import { describe, expect, it } from 'vitest';
import { InMemoryLeaseStore } from 'baton-lease';
import { variants } from '../../support/protocol-variants.js';

const D = 2_000;
const S = 200;

function broken(name: string) {
  const real = new InMemoryLeaseStore();
  const wrap = variants[name]?.wrapStore;
  if (!wrap) throw new Error(`variant ${name} wraps no store`);
  // The broken variants use only the store they wrap; the context is for variants that speak DynamoDB.
  return { real, store: wrap(real, { client: undefined as never, tableName: 'unused' }) };
}

describe('broken protocol variants (the campaigns must catch these)', () => {
  it('acquire-ignores-expiry takes a lease that is held and not expired', async () => {
    const { store } = broken('acquire-ignores-expiry');
    expect(await store.acquire({ name: 'l', owner: 'a', now: 1_000, durationMs: D, skewMs: S })).toMatchObject({
      applied: true,
    });
    expect(await store.acquire({ name: 'l', owner: 'b', now: 1_001, durationMs: D, skewMs: S })).toMatchObject({
      applied: true,
      before: { holder: 'a', token: 1 },
    });
  });

  it('release-ignores-owner releases a tenure that is not the caller’s', async () => {
    const { real, store } = broken('release-ignores-owner');
    await real.acquire({ name: 'l', owner: 'a', now: 0, durationMs: D, skewMs: S });
    await real.acquire({ name: 'l', owner: 'b', now: D + S + 1, durationMs: D, skewMs: S });
    expect(await store.release({ name: 'l', owner: 'a', token: 1, now: D + S + 2 })).toMatchObject({ applied: true });
    const after = await real.read('l');
    expect(after?.token).toBe(2);
    expect(after?.holder).toBeUndefined();
  });

  it('leaves every other operation as the real store has it', async () => {
    const { real, store } = broken('acquire-ignores-expiry');
    await store.acquire({ name: 'l', owner: 'a', now: 0, durationMs: D, skewMs: S });
    expect(await store.renew({ name: 'l', owner: 'x', token: 1, now: 10, durationMs: D })).toMatchObject({
      applied: false,
    });
    expect(await store.release({ name: 'l', owner: 'x', token: 1, now: 10 })).toMatchObject({ applied: false });
    expect(real.requests).toMatchObject({ acquire: 1, renew: 1, release: 1 });
  });

  it('unguarded-writes and no-tick-dedupe change only how the job writes the resource', () => {
    expect(variants['unguarded-writes']).toMatchObject({ resource: { fence: false, tickDedupe: false } });
    expect(variants['no-tick-dedupe']).toMatchObject({ resource: { tickDedupe: false } });
  });
});
