import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeaseTable } from 'baton-lease';
import { runSoak, slopePerMinute, type SoakFigure } from '../../bench/figures/soak.js';
import { SOAK_DEFAULTS } from '../../bench/options.js';
import { testClient, uniqueTableName } from '../../../test/support/dynamodb.js';

// The one-minute version of `npm run bench -- --soak`: the same loop and
// readings, checked for shape and failures. Whether the slopes are flat is
// judged over the full 30 minutes by the bench's target, not in a minute.

const client = testClient();
const tableName = uniqueTableName('soak');
let soak: SoakFigure;

beforeAll(async () => {
  await createLeaseTable(client, tableName);
  soak = await runSoak(client, tableName, { ...SOAK_DEFAULTS, minutes: 1, sampleEveryMs: 5_000 }, () => {});
}, 240_000);

afterAll(() => client.destroy());

describe('the soak: one runAsLeader loop renewing for a minute', () => {
  it('keeps one tenure and renews on schedule, without a failure', () => {
    expect(soak.failures).toBe(0);
    expect(soak.tenures).toBe(1);
    // Every 200 ms, jittered up to 20% early: at least one renewal per 200 ms over the minute, less slack for a loaded machine.
    expect(soak.renews).toBeGreaterThan(60_000 / SOAK_DEFAULTS.renewEveryMs / 2);
  });

  it('reports p99 renew latency for the minute, and heap and handles every 5 s', () => {
    expect(soak.perMinute).toHaveLength(1);
    expect(soak.perMinute[0]!.renews).toBe(soak.renews);
    expect(soak.perMinute[0]!.p99RenewMs).toBeGreaterThan(0);
    expect(soak.samples.map((s) => Math.round(s.atS / 5))).toEqual(Array.from({ length: 13 }, (_, i) => i));
    for (const s of soak.samples) {
      expect(s.heapBytes).toBeGreaterThan(0);
      expect(s.handles).toBeGreaterThan(0);
    }
    expect(Number.isFinite(soak.heapSlopeBytesPerMin) && Number.isFinite(soak.handlesSlopePerMin)).toBe(true);
  });
});

describe('slopePerMinute', () => {
  it('is the least-squares slope per minute of samples taken in seconds', () => {
    const samples = [0, 30, 60, 90].map((atS) => ({ atS, heapBytes: 1_000 + 2 * atS, handles: 3 }));
    expect(slopePerMinute(samples, (s) => s.heapBytes)).toBeCloseTo(120);
    expect(slopePerMinute(samples, (s) => s.handles)).toBe(0);
    expect(slopePerMinute(samples.slice(0, 1), (s) => s.heapBytes)).toBe(0);
  });
});
