import { describe, expect, it } from 'vitest';
import { distribution, measure } from '../../../demo/measurements.js';
import { cleanRun, EvidenceBuilder, tickAt } from './evidence-builder.js';

describe('distribution', () => {
  it('summarises a sample with nearest-rank percentiles', () => {
    expect(distribution([5, 1, 4, 2, 3])).toEqual({ count: 5, min: 1, p50: 3, p95: 5, max: 5, mean: 3 });
  });

  it('is empty for no values', () => {
    expect(distribution([])).toEqual({ count: 0 });
  });
});

describe('measure', () => {
  it('costs a follower invocation in requests and milliseconds', () => {
    const m = measure(cleanRun().build());
    expect(m.follower.requests).toMatchObject({ min: 1, max: 1 });
    expect(m.follower.ms.count).toBe(20);
    expect(m.follower.tickDone.count).toBe(1);
  });

  it('measures a handover after a kill from the signal to the next leader’s job start', () => {
    const m = measure(cleanRun().build());
    // Killed at tick 9 + 70 ms; w3's job starts at tick 14 + 30 ms.
    expect(m.afterKill.handovers).toEqual([
      {
        from: { worker: 'w1', token: 6 },
        to: { worker: 'w3', token: 7 },
        at: tickAt(9) + 70,
        ms: 4_960,
        leaseDurationMs: 4_000,
        leaseLeftMs: 3_950,
      },
    ]);
    expect(m.leaseDurationMs).toBe(4_000);
  });

  it('measures a handover after a pause the same way', () => {
    const m = measure(cleanRun().build());
    expect(m.afterPause.handovers.map((h) => [h.from.token, h.to.token, h.ms])).toEqual([[3, 4, 4_970]]);
  });

  it('ignores a blow that landed after the tenure had ended', () => {
    const b = new EvidenceBuilder().tick(1).tick(2);
    b.run('w1', 1, 1)
      .kill('w1', 1, 1, 1, tickAt(1) + 500)
      .run('w2', 2, 2);
    expect(measure(b.build()).afterKill.handovers).toEqual([]);
  });

  it('measures a handover after a release from the outcome to the next job start', () => {
    const b = new EvidenceBuilder().tick(1).tick(2);
    b.run('w1', 1, 1).run('w2', 2, 2); // w1 done at tick 1 + 150; w2 starts at tick 2 + 30
    expect(measure(b.build()).afterRelease.ms).toMatchObject({ count: 1, p50: 880 });
  });

  it('measures the acquire from invoke to job start', () => {
    expect(measure(cleanRun().build()).acquireMs).toMatchObject({ min: 10, max: 10 });
  });
});
