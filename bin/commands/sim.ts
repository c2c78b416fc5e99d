import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { integerFlag, listFlag, parseCommand, usageError } from './args.js';
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
  const values = parseCommand(
    argv,
    {
      algo: { type: 'string', default: 'all' },
      scenario: { type: 'string', default: 'all' },
      seed: { type: 'string', default: '1' },
      nodes: { type: 'string', default: String(DEFAULT_NODES) },
      help: { type: 'boolean', short: 'h', default: false },
    },
    USAGE,
  );
  if (typeof values === 'number') return values;
  try {
    const algorithms = listFlag('--algo', values.algo, ALGORITHM_NAMES);
    const scenarios = listFlag('--scenario', values.scenario, SCENARIO_NAMES);
    const seed = integerFlag('--seed', values.seed, 0, 2 ** 32 - 1);
    const nodes = integerFlag('--nodes', values.nodes, 3, 100);
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
    return usageError(error, USAGE);
  }
}
