import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HistoryWriter, parseHistory } from '../../../chaos/history.js';
import { RecordingStore } from '../../../chaos/recording-store.js';
import { SkewedClock } from '../../../chaos/skewed-clock.js';
import { decodeEntry, encodeEntry, resourceFor } from '../../../chaos/resource.js';
import { InMemoryLeaseStore, type LeaseStore } from 'baton-lease';
import { FakeClock } from 'baton-lease/testing';

function recorder(inner: LeaseStore = new InMemoryLeaseStore()) {
  const path = join(mkdtempSync(join(tmpdir(), 'recording-store-')), 'h.jsonl');
  const writer = new HistoryWriter(path, () => 1_000);
  const store = new RecordingStore(inner, writer, { worker: 'w1', inc: 2 });
  return { store, records: () => parseHistory(readFileSync(path, 'utf8')).records };
}

describe('RecordingStore', () => {
  it('logs each call as sent and as answered, with the token an acquire granted and the tenure it replaced', async () => {
    const { store, records } = recorder();
    await store.acquire({ name: 'l', owner: 'a', now: 100, durationMs: 2_000, skewMs: 200 });
    await store.acquire({ name: 'l', owner: 'b', now: 200, durationMs: 2_000, skewMs: 200 });
    await store.acquire({ name: 'l', owner: 'c', now: 2_500, durationMs: 2_000, skewMs: 200 });
    expect(records()).toEqual([
      {
        real: 1_000,
        type: 'lease-op',
        op: 'acquire',
        id: 1,
        phase: 'invoke',
        owner: 'a',
        local: 100,
        worker: 'w1',
        inc: 2,
      },
      {
        real: 1_000,
        type: 'lease-op',
        op: 'acquire',
        id: 1,
        phase: 'ok',
        applied: true,
        token: 1,
        worker: 'w1',
        inc: 2,
      },
      {
        real: 1_000,
        type: 'lease-op',
        op: 'acquire',
        id: 2,
        phase: 'invoke',
        owner: 'b',
        local: 200,
        worker: 'w1',
        inc: 2,
      },
      {
        real: 1_000,
        type: 'lease-op',
        op: 'acquire',
        id: 2,
        phase: 'ok',
        applied: false,
        token: 1,
        holder: 'a',
        worker: 'w1',
        inc: 2,
      },
      {
        real: 1_000,
        type: 'lease-op',
        op: 'acquire',
        id: 3,
        phase: 'invoke',
        owner: 'c',
        local: 2_500,
        worker: 'w1',
        inc: 2,
      },
      {
        real: 1_000,
        type: 'lease-op',
        op: 'acquire',
        id: 3,
        phase: 'ok',
        applied: true,
        token: 2,
        replacedHolder: 'a',
        replacedExpiresAt: 2_100,
        worker: 'w1',
        inc: 2,
      },
    ]);
  });

  it('logs a call that threw as of unknown outcome, and rethrows', async () => {
    const failing = new InMemoryLeaseStore();
    failing.renew = async () => {
      throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    };
    const { store, records } = recorder(failing);
    await expect(store.renew({ name: 'l', owner: 'a', token: 1, now: 5, durationMs: 2_000 })).rejects.toThrow(
      'socket hang up',
    );
    expect(records().map((r) => (r.type === 'lease-op' ? r.phase : r.type))).toEqual(['invoke', 'info']);
    expect(records()[1]).toMatchObject({ error: 'TimeoutError: socket hang up' });
  });
});

describe('SkewedClock', () => {
  it('moves only the wall clock, by an offset that can change', async () => {
    const base = new FakeClock(10_000);
    const clock = new SkewedClock(250, base);
    expect(clock.now()).toBe(10_250);
    clock.setOffset(-400);
    expect(clock.now()).toBe(9_600);
    expect(clock.monotonic()).toBe(base.monotonic());
    const slept = clock.sleep(100);
    await base.advance(100);
    await expect(slept).resolves.toBeUndefined();
    expect(() => clock.setOffset(Number.NaN)).toThrow(/finite/);
  });
});

describe('resource entries', () => {
  it('round-trip, and spread ticks over the items', () => {
    const entry = { token: 12, tick: 1_795_676_406_500, wid: 'w4.1.29' };
    expect(decodeEntry(encodeEntry(entry))).toEqual(entry);
    expect([0, 250, 500, 750].map((t) => resourceFor(t, 250, 3))).toEqual([
      'resource-0',
      'resource-1',
      'resource-2',
      'resource-0',
    ]);
  });
});
