import fc from 'fast-check';
import { describe, it } from 'vitest';
import { InMemoryLeaseStore } from '../../../lib/runtime/index.js';
import { MODEL_S, runLeaseHistory, stepArbitrary } from '../../support/lease-model.js';

describe('lease protocol under any interleaving (in-memory store)', () => {
  it('never repeats a token and never lets two tenures act at once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 3, max: 5 }).chain((n) =>
          fc.tuple(
            // Pairwise skew stays within the bound: offsets in [-S/2, S/2].
            fc.array(fc.integer({ min: -MODEL_S / 2, max: MODEL_S / 2 }), { minLength: n, maxLength: n }),
            fc.array(stepArbitrary(n), { minLength: 5, maxLength: 60 }),
          ),
        ),
        async (s, [skews, steps]) => {
          await runLeaseHistory(s, new InMemoryLeaseStore(), 'model', skews, steps);
        },
      ),
      { numRuns: 300 },
    );
  });
});
