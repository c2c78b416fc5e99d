import { describe, expect, it } from 'vitest';
import { runCampaign } from '../../chaos/campaign.js';
import { testEndpoint } from '../../../test/support/dynamodb.js';

describe('chaos campaign (fixed seed)', () => {
  it('keeps every safety property under kills, pauses, clock skew within the bound and a faulty network', async () => {
    const started = performance.now();
    const { report, check } = await runCampaign({
      seed: 11,
      workers: 3,
      durationMs: 30_000,
      meanIntervalMs: 800,
      endpoint: testEndpoint(),
    });

    expect(check.violations).toEqual([]);
    // Faults of every kind were injected...
    for (const kind of [
      'kills',
      'pauses',
      'skewChanges',
      'droppedResponses',
      'errorsInjected',
      'latencySpikes',
      'connectionResets',
    ] as const) {
      expect(report.faults[kind], kind).toBeGreaterThan(0);
    }
    expect(report.maxSkewSpreadMs).toBeLessThanOrEqual(report.maxClockSkewMs);
    // ...while leadership kept changing hands and the work kept getting done.
    expect(report.tenures).toBeGreaterThan(2);
    expect(report.sideEffectsAccepted).toBeGreaterThan(30);
    expect(performance.now() - started).toBeLessThan(60_000);
  }, 90_000);
});
