import { describe, expect, it } from 'vitest';
import { ALGORITHM_NAMES } from '../../../sim/algorithms.js';
import { label, runMany, SEEDS, settledLeader } from './invariants.js';

describe('Liveness after the network heals', () => {
  for (const algorithm of ALGORITHM_NAMES) {
    it(`${algorithm}: ends with exactly one leader, running and reachable, after partitions, flapping and skew`, async () => {
      // Arrange / Act: partitions heal at 20 s, flapping stops at 24 s, runs end at 30 s.
      const runs = await runMany(algorithm, ['partition', 'flapping', 'clock-skew'], SEEDS.slice(0, 8));

      // Assert
      for (const run of runs) {
        expect(
          settledLeader(run),
          `${label(run)}: leaders at the end ${JSON.stringify(run.finalLeaders)}`,
        ).toBeDefined();
        const last = run.timeline.tenures.at(-1)!;
        expect(last.start, `${label(run)}: the last tenure began before the end`).toBeLessThan(run.durationMs - 1_000);
      }
    });
  }
});
