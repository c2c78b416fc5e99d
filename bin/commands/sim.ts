import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ALGORITHM_NAMES } from '../../lib/sim/algorithms.js';
import { DEFAULT_NODES, runLab } from '../../lib/sim/lab.js';
import { buildReport, formatTable, serializeReport } from '../../lib/sim/report.js';
import { renderHtml } from '../../lib/sim/report-html.js';
import { SCENARIO_NAMES } from '../../lib/sim/scenarios.js';

const USAGE = `usage: baton sim [--algo <names>] [--scenario <names>] [--seed <n>] [--nodes <n>]

Runs the election lab: each algorithm through each scenario in a deterministic
simulator, prints the comparison table, and writes sim-report.json and
sim-report.html to the current directory. The same seed gives the same files.

  --algo       comma-separated, or "all" (default): ${ALGORITHM_NAMES.join(', ')}
  --scenario   comma-separated, or "all" (default): ${SCENARIO_NAMES.join(', ')}
  --seed       non-negative integer (default 1)
  --nodes      cluster size, 3 to 100 (default ${DEFAULT_NODES})`;

/** `baton sim`: the election lab (docs/election-lab.md). */
export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        algo: { type: 'string', default: 'all' },
        scenario: { type: 'string', default: 'all' },
        seed: { type: 'string', default: '1' },
        nodes: { type: 'string', default: String(DEFAULT_NODES) },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    const algorithms = pickList('--algo', values.algo, ALGORITHM_NAMES);
    const scenarios = pickList('--scenario', values.scenario, SCENARIO_NAMES);
    const seed = parseInteger('--seed', values.seed, 0, 2 ** 32 - 1);
    const nodes = parseInteger('--nodes', values.nodes, 3, 100);
    const results = await runLab({ seed, nodes, algorithms, scenarios });
    const report = buildReport(seed, nodes, results);
    console.log(formatTable(report));
    const jsonPath = resolve('sim-report.json');
    const htmlPath = resolve('sim-report.html');
    await writeFile(jsonPath, serializeReport(report));
    await writeFile(htmlPath, renderHtml(report, results));
    console.log(`\nwrote ${jsonPath}\nwrote ${htmlPath}`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}

class UsageError extends Error {}

function pickList<T extends string>(flag: string, value: string, known: readonly T[]): T[] {
  if (value === 'all') return [...known];
  const names = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const unknown = names.filter((n) => !(known as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new UsageError(`${flag}: unknown ${unknown.length > 0 ? `"${unknown.join('", "')}"` : 'empty list'}; expected ${known.join(', ')} or all`);
  }
  // Table order, whatever order they were given in; duplicates dropped.
  return known.filter((k) => names.includes(k));
}

function parseInteger(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got "${value}"`);
  }
  return n;
}
