import fc from 'fast-check';

/**
 * Every fast-check property run by `npm test` draws from one fixed seed, so a
 * run fails only for a reason in the code under test, and the same failure
 * comes back on every machine. fast-check prints the seed (and the path to the
 * shrunk case) with every counterexample. Open-ended exploration with other
 * seeds is `npm run fuzz -- --seed S --runs N` (test/support/scripts/fuzz.ts),
 * which sets the two variables below; a counterexample it finds becomes a
 * fixed case in the test it came from.
 *
 * Loaded by vitest before every test file (vitest.config.ts, `setupFiles`).
 */
export const FIXED_SEED = 20_261_207;

/** The seed variable `npm run fuzz` sets. */
export const SEED_VARIABLE = 'BATON_FUZZ_SEED';
/** The run-count variable `npm run fuzz` sets. */
export const RUNS_VARIABLE = 'BATON_FUZZ_RUNS';

function integerFrom(variable: string, min: number): number | undefined {
  const text = process.env[variable];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min)
    throw new RangeError(`${variable} must be an integer of at least ${min}, got ${JSON.stringify(text)}`);
  return value;
}

/** The seed of this run: `BATON_FUZZ_SEED`, or the fixed one. A 32-bit integer, as fast-check takes it. */
export const TEST_SEED = integerFrom(SEED_VARIABLE, -(2 ** 31)) ?? FIXED_SEED;

/** A property's run count: its own in `npm test`, `BATON_FUZZ_RUNS` under `npm run fuzz`. */
export function runsOr(numRuns: number): number {
  return integerFrom(RUNS_VARIABLE, 1) ?? numRuns;
}

fc.configureGlobal({ seed: TEST_SEED });
