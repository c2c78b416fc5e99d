import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { integerFlag, listFlag, parseCommand, usageError, UsageError } from 'baton-lease/internal';
import { runCampaign, type Report } from '../../dst/campaign.js';
import { MUTANTS } from '../../dst/mutants.js';
import { mutantRuntime, realRuntime } from '../../dst/runtime.js';
import { FAULT_KINDS, runSeed } from '../../dst/world.js';

const USAGE = `usage: npm run dst -- [--seeds <n>] [--seed <s>] [--mutants] [--faults <kinds>]
       npm run dst -- --seed <s> [--mutant <name>] [--history]

The deterministic simulation of the real runtime (docs/dst.md): elect,
runAsLeader and the cron handler on simulated machines, clocks and network,
under faults, with every invariant checked on every history. Writes
dst-report.json; prints one line per violation with the seed that replays it.

  --seeds     run seeds 0 .. n-1 (default 200)
  --seed      run this one seed only (replays a violation)
  --mutants   also run each known-broken runtime until it is caught (--mutant-seeds each)
  --mutant    run --seed against this mutant: ${MUTANTS.map((m) => m.name).join(', ')}
  --mutant-seeds  seeds a mutant may take to be caught (default 2000)
  --faults    comma-separated, or "all" (default): ${FAULT_KINDS.join(', ')}
  --history   with --seed: print the run's history`;

const OPTIONS = {
  seeds: { type: 'string', default: '200' },
  seed: { type: 'string' },
  mutants: { type: 'boolean', default: false },
  mutant: { type: 'string' },
  'mutant-seeds': { type: 'string', default: '2000' },
  faults: { type: 'string', default: 'all' },
  history: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

/** `npm run dst`: exit 1 when the real runtime violated an invariant or a mutant went uncaught. */
export async function run(argv: string[]): Promise<number> {
  const values = parseCommand(argv, OPTIONS, USAGE);
  if (typeof values === 'number') return values;
  try {
    const faults = new Set(listFlag('--faults', values.faults, FAULT_KINDS));
    if (values.seed !== undefined) {
      if (values.mutants) throw new UsageError('--mutants runs its own seeds; drop --seed, or name one --mutant');
      const seed = integerFlag('--seed', values.seed, 0, 2 ** 32 - 1);
      const mutant = values.mutant === undefined ? undefined : MUTANTS.find((m) => m.name === values.mutant);
      if (values.mutant !== undefined && mutant === undefined)
        throw new UsageError(`--mutant: unknown "${values.mutant}"`);
      const runtime = mutant === undefined ? await realRuntime() : await mutantRuntime(mutant);
      const result = await runSeed({ seed, runtime, faults });
      if (values.history) console.log(result.history.join('\n'));
      for (const v of result.violations)
        console.log(`violation: seed ${seed} ${v.invariant} at ${v.atMs} ms [${v.workers.join(', ')}] ${v.detail}`);
      console.log(
        `dst: seed ${seed} (${result.scenario}, ${runtime.name} runtime): ${result.events} events, ` +
          `${result.violations.length} violations, history ${result.digest}`,
      );
      return result.violations.length === 0 ? 0 : 1;
    }
    if (values.mutant !== undefined) throw new UsageError('--mutant replays one seed: give --seed too');
    const seeds = integerFlag('--seeds', values.seeds, 1, 10_000_000);
    const mutantSeeds = integerFlag('--mutant-seeds', values['mutant-seeds'], 1, 1_000_000);
    const started = Date.now();
    const report = await runCampaign({
      first: 0,
      seeds,
      faults,
      mutants: values.mutants,
      mutantSeeds,
      onViolation: (line) => console.log(line),
    });
    for (const m of report.mutants) {
      console.log(
        m.caught
          ? `mutant ${m.name}: caught at seed ${m.seed} by ${m.invariant} (${m.seedsRun} seeds)`
          : `mutant ${m.name}: NOT caught in ${m.seedsRun} seeds`,
      );
    }
    await writeFile(resolve('dst-report.json'), `${JSON.stringify(report, null, 2)}\n`);
    console.log(summary(report, Date.now() - started));
    return report.violations.length === 0 && report.mutants.every((m) => m.caught) ? 0 : 1;
  } catch (error) {
    return usageError(error, USAGE);
  }
}

/** The last line, which CI reads: "dst: N passed, N failed" counts each seed and each mutant once. */
function summary(report: Report, elapsedMs: number): string {
  const failedSeeds = new Set(report.violations.map((v) => v.seed)).size;
  const caught = report.mutants.filter((m) => m.caught).length;
  const faults = Object.entries(report.faults)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  console.log(
    `dst: ${report.seeds} seeds, ${report.events} events, ${(elapsedMs / 1000).toFixed(1)} s; faults: ${faults}`,
  );
  return `dst: ${report.seeds - failedSeeds + caught} passed, ${failedSeeds + report.mutants.length - caught} failed`;
}
