import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCampaign, type CampaignOptions } from '../../chaos/campaign.js';
import type { ViolationKind } from '../../chaos/checker.js';
import { testEndpoint } from '../../../test/support/dynamodb.js';

const VARIANTS = fileURLToPath(new URL('../support/protocol-variants.ts', import.meta.url));

/** Two workers are enough to expose each variant, and keep this file light on the shared CPUs. */
function campaign(options: Partial<CampaignOptions> & { seed: number }) {
  return runCampaign({ workers: 2, durationMs: 15_000, meanIntervalMs: 700, endpoint: testEndpoint(), ...options });
}

function counted(kinds: Record<ViolationKind, number>) {
  return Object.fromEntries(Object.entries(kinds).filter(([, n]) => n > 0));
}

/**
 * Each protocol variant broken on purpose (lab/test/support/protocol-variants.ts)
 * runs a short campaign with the faults that expose it; the checker must
 * report it. Then the flagged mode: clocks skewed beyond maxClockSkewMs with
 * the real protocol, where exclusion may be lost but the fence must hold.
 * One campaign at a time: the CPUs are shared.
 */
describe('chaos campaigns against broken variants', () => {
  it('catches an acquire without the expiry condition: overlapping tenures', async () => {
    const { report } = await campaign({
      seed: 21,
      kinds: [],
      durationMs: 8_000,
      variant: { module: VARIANTS, name: 'acquire-ignores-expiry' },
    });
    expect(report.violationCounts['overlapping-tenures']).toBeGreaterThan(0);
    expect(report.unexplainedViolations).toBeGreaterThan(0);
  }, 60_000);

  it('catches a release without the owner check: overlapping tenures after a paused holder wakes', async () => {
    const { report } = await campaign({
      seed: 22,
      kinds: ['pause'],
      durationMs: 20_000,
      variant: { module: VARIANTS, name: 'release-ignores-owner' },
    });
    expect(
      report.violationCounts['overlapping-tenures'],
      JSON.stringify(counted(report.violationCounts)),
    ).toBeGreaterThan(0);
  }, 60_000);

  it('catches side effects written without a fence: a stale write accepted from a holder woken after its successor wrote', async () => {
    // One resource item: every write of a woken, superseded holder meets its successor's token there.
    const { report } = await campaign({
      seed: 23,
      workers: 3,
      resources: 1,
      kinds: ['pause'],
      durationMs: 20_000,
      variant: { module: VARIANTS, name: 'unguarded-writes' },
    });
    expect(
      report.violationCounts['stale-write-accepted'],
      JSON.stringify(counted(report.violationCounts)),
    ).toBeGreaterThan(0);
  }, 60_000);

  it('catches side effects written without tick dedupe: a tick that ran twice', async () => {
    const { report } = await campaign({
      seed: 24,
      kinds: ['drop'],
      durationMs: 10_000,
      variant: { module: VARIANTS, name: 'no-tick-dedupe' },
    });
    expect(report.violationCounts['tick-ran-twice'], JSON.stringify(counted(report.violationCounts))).toBeGreaterThan(
      0,
    );
  }, 60_000);

  it('with clocks skewed beyond maxClockSkewMs, the real protocol may lose exclusion but the fence keeps the resource safe', async () => {
    const resourceKinds: ViolationKind[] = [
      'tokens-not-increasing',
      'stale-write-accepted',
      'tick-ran-twice',
      'lease-token-mismatch',
      'acknowledged-write-lost',
      'phantom-write',
    ];
    // The skew makes overlaps by construction, but a refused stale write also
    // needs the superseded holder to write inside a window of about one renew
    // period after its successor's first write. So up to two campaigns run:
    // each one must keep the resource safe; the second runs only when the
    // first showed no refused write.
    let overlaps = 0;
    let staleRejected = 0;
    for (const seed of [25, 26]) {
      const { report } = await campaign({
        seed,
        workers: 3,
        resources: 1,
        skewBeyond: true,
        kinds: ['skew', 'drop', 'error'],
        durationMs: 30_000,
        meanIntervalMs: 500,
      });
      for (const kind of resourceKinds) expect(report.violationCounts[kind], `${kind} (seed ${seed})`).toBe(0);
      expect(report.unexplainedViolations).toBe(0);
      expect(report.maxSkewSpreadMs).toBeGreaterThan(report.maxClockSkewMs);
      overlaps += report.violationCounts['overlapping-tenures'];
      staleRejected += report.staleRejected;
      if (overlaps > 0 && staleRejected > 0) break;
    }
    // Exclusion was lost (explained by the skew) and the fence refused the superseded holder's writes.
    expect(overlaps).toBeGreaterThan(0);
    expect(staleRejected).toBeGreaterThan(0);
  }, 130_000);
});
