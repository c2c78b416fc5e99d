/**
 * `npm run fuzz -- [--seed S] [--runs N]`: the public-API fuzz
 * (test/integration/public-api-fuzz.test.ts) with a seed and a run count of
 * your choosing, for open-ended exploration; `npm test` always runs it on the
 * fixed seed of test/support/fixed-seed.ts. Without `--seed` a fresh seed is
 * drawn and printed first, so any failure can be replayed with it. A
 * counterexample found here becomes a fixed case in that test file.
 */
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../cli.js';
import { RUNS_VARIABLE, SEED_VARIABLE } from '../fixed-seed.js';
const USAGE = 'usage: npm run fuzz -- [--seed <32-bit integer>] [--runs <positive integer>]';

function integer(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || value < min || value > max) {
    console.error(`${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}\n${USAGE}`);
    process.exit(2);
  }
  return value;
}

let values: { seed?: string; runs?: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: { seed: { type: 'string' }, runs: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  }));
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const seed = integer('--seed', values.seed, -(2 ** 31), 2 ** 31 - 1) ?? randomInt(-(2 ** 31), 2 ** 31 - 1);
const runs = integer('--runs', values.runs, 1, 1_000_000);
console.log(
  `fuzz: seed ${seed}${runs === undefined ? '' : `, ${runs} runs per property`} (replay: npm run fuzz -- --seed ${seed}${runs === undefined ? '' : ` --runs ${runs}`})`,
);
const result = spawnSync(
  join(ROOT, 'node_modules', '.bin', 'vitest'),
  ['run', '--project', 'integration', 'test/integration/public-api-fuzz.test.ts'],
  {
    cwd: ROOT,
    stdio: 'inherit',
    env: {
      ...process.env,
      [SEED_VARIABLE]: String(seed),
      ...(runs === undefined ? {} : { [RUNS_VARIABLE]: String(runs) }),
    },
  },
);
if (result.status !== 0)
  console.error(
    `fuzz: failed with seed ${seed}; replay: npm run fuzz -- --seed ${seed}${runs === undefined ? '' : ` --runs ${runs}`}`,
  );
process.exit(result.status ?? 1);
