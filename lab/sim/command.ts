import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { integerFlag, listFlag, parseCommand, usageError, UsageError } from 'baton-lease/internal';
import { ALGORITHM_NAMES, type AlgorithmName, type AlgorithmOptions } from './algorithms.js';
import {
  DEFAULT_NODES,
  EXPERIMENT_ALGORITHMS,
  runLab,
  type Experiment,
  type LabSettings,
  type RunOptions,
} from './lab.js';
import { lognormalWithMedian, type LatencyModel } from './latency.js';
import { docValues, renderDoc } from './docs-tables.js';
import { formatStudies, renderStudiesHtml } from './elector-report.js';
import { runElectorStudies, studyReport } from './elector-studies.js';
import { runPaper } from './paper.js';
import { renderPaperHtml } from './paper-report-html.js';
import { buildReport, formatTable, serializeReport } from './report.js';
import { renderHtml } from './report-html.js';
import { SCENARIO_NAMES } from './scenarios.js';

const USAGE = `usage: npm run sim -- [--algo <names>] [--scenario <names>] [--seed <n>] [--nodes <n>] [knobs]
       npm run sim -- --paper [--trials <n>]
       npm run sim -- --elector [--seed <n>]

Runs the election lab: each algorithm through each scenario in a deterministic
simulator, prints the comparison table, and writes sim-report.json and
sim-report.html to the current directory. The same seed and flags give the
same files. See docs/election-lab.md.

  --algo                comma-separated, or "all" (default): ${ALGORITHM_NAMES.join(', ')}
  --scenario            comma-separated, or "all" (default): ${SCENARIO_NAMES.join(', ')}
  --seed                non-negative integer (default 1)
  --nodes               cluster size, 3 to 100 (default ${DEFAULT_NODES})
  --duration            virtual ms per run (default 30000)

Knobs (the stock settings are in docs/election-lab.md):
  --election-timeout    Raft's election timeout range in ms, as <lo>-<hi> (e.g. 150-300)
  --heartbeat           leader heartbeat period in ms, for bully, ring and raft
  --latency             one-way latency: constant:<ms> or lognormal:<median ms>[:<sigma>]
                        (the stock network is lognormal:3)
  --loss                fraction of messages lost, 0 to 1 (stock 0.002)
  --crash-at            virtual ms at which the scenario's fault strikes (stock 10000)
  --restart-at          virtual ms at which the leader restarts or the partition heals,
                        or "never" (stock 20000)
  --crash-phase         "uniform": strike within one heartbeat period after --crash-at,
                        at a uniformly random point of the leader's heartbeat interval
  --established-leader  boot with the highest id already leading (bully, ring, raft)
  --detector            the node id that notices a failed leader first; the others take
                        twice as long (bully, ring, raft)
  --ring-order          ascending (stock) or random: a permutation of ids drawn from the seed

  --paper               reproduce the published figures instead: the Raft paper's
                        Figure 16 and the textbook message counts of Bully and Ring;
                        writes paper-report.json and paper-report.html
  --trials              Raft trials per timeout range with --paper (default 1000, as the paper)
  --elector             Baton's elector studies instead: priority after a partition heals
                        (beside Bully), a rolling deploy (graceful stop, handoffs), and
                        clocks skewed beyond the bound (clock-free against wall-clock);
                        prints each study's figures and checks, writes elector-report.json
                        and elector-report.html (timelines), exits 1 if a check fails
  --docs                rewrite the generated tables and numbers of docs/election-lab.md
                        from fresh runs (run from the repository root)`;

const OPTIONS = {
  algo: { type: 'string', default: 'all' },
  scenario: { type: 'string', default: 'all' },
  seed: { type: 'string', default: '1' },
  nodes: { type: 'string', default: String(DEFAULT_NODES) },
  duration: { type: 'string' },
  'election-timeout': { type: 'string' },
  heartbeat: { type: 'string' },
  latency: { type: 'string' },
  loss: { type: 'string' },
  'crash-at': { type: 'string' },
  'restart-at': { type: 'string' },
  'crash-phase': { type: 'string' },
  'established-leader': { type: 'boolean', default: false },
  detector: { type: 'string' },
  'ring-order': { type: 'string' },
  paper: { type: 'boolean', default: false },
  elector: { type: 'boolean', default: false },
  docs: { type: 'boolean', default: false },
  trials: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

type Values = Exclude<ReturnType<typeof parseCommand<typeof OPTIONS>>, number>;

/** `npm run sim`: the election lab (docs/election-lab.md). */
export async function run(argv: string[]): Promise<number> {
  const values = parseCommand(argv, OPTIONS, USAGE);
  if (typeof values === 'number') return values;
  try {
    if (values.docs) return await docs();
    if (values.paper) return await paper(values);
    if (values.elector) return await elector(values);
    const algorithms = listFlag('--algo', values.algo, ALGORITHM_NAMES);
    const scenarios = listFlag('--scenario', values.scenario, SCENARIO_NAMES);
    const seed = integerFlag('--seed', values.seed, 0, 2 ** 32 - 1);
    const nodes = integerFlag('--nodes', values.nodes, 3, 100);
    const settings = labSettings(values, algorithms, nodes);
    const results = await runLab({ seed, nodes, algorithms, scenarios, settings });
    const report = buildReport(seed, nodes, results, settings);
    console.log(formatTable(report));
    await write('sim-report.json', serializeReport(report));
    await write('sim-report.html', renderHtml(report, results));
    return 0;
  } catch (error) {
    return usageError(error, USAGE);
  }
}

async function paper(values: Values): Promise<number> {
  const labFlags = Object.keys(OPTIONS).filter(
    (k) => !['paper', 'docs', 'trials', 'help', 'algo', 'scenario', 'seed', 'nodes'].includes(k),
  );
  const given = labFlags.filter((k) => values[k as keyof Values] !== undefined && values[k as keyof Values] !== false);
  if (given.length > 0) throw new UsageError(`--paper sets up its own experiments; drop --${given.join(', --')}`);
  const trials = values.trials === undefined ? undefined : integerFlag('--trials', values.trials, 1, 100_000);
  const report = await runPaper(trials === undefined ? {} : { trials, trialsWithoutRandomness: Math.min(100, trials) });
  for (const row of report.raftElection) {
    const [lo, hi] = row.timeoutMs;
    const p = row.paper;
    console.log(
      `raft ${`${lo}–${hi} ms`.padEnd(12)} paper ${fmt(p.medianMs)} / ${fmt(p.p95Ms)} / ${fmt(p.worstMs)}   lab ${row.lab.medianMs} / ${row.lab.p95Ms} / ${row.lab.worstMs} (median / p95 / worst, ${row.lab.trials} trials)`,
    );
  }
  for (const check of report.targets)
    console.log(`${check.holds ? 'holds' : 'MISSES'}  ${check.target}: ${check.detail}`);
  await write('paper-report.json', `${JSON.stringify(report, null, 2)}\n`);
  await write('paper-report.html', renderPaperHtml(report));
  return 0;
}

async function elector(values: Values): Promise<number> {
  const given = Object.keys(OPTIONS).filter(
    (k) =>
      !['elector', 'seed', 'help', 'algo', 'scenario', 'nodes'].includes(k) &&
      values[k as keyof Values] !== undefined &&
      values[k as keyof Values] !== false,
  );
  const picked = (['algo', 'scenario', 'nodes'] as const).filter((k) => values[k] !== OPTIONS[k].default);
  if (given.length + picked.length > 0)
    throw new UsageError(`--elector sets up its own runs; drop --${[...given, ...picked].join(', --')}`);
  const seed = integerFlag('--seed', values.seed, 0, 2 ** 32 - 1);
  const runs = await runElectorStudies(seed);
  const results = studyReport(seed, runs);
  console.log(formatStudies(results.results));
  await write('elector-report.json', `${JSON.stringify(results, null, 2)}\n`);
  await write('elector-report.html', renderStudiesHtml(seed, runs));
  const failed = results.results.flatMap((r) =>
    r.checks.filter((c) => !c.holds).map((c) => `${r.study} / ${r.variant}: ${c.claim}`),
  );
  for (const f of failed) console.error(`check failed: ${f}`);
  return failed.length === 0 ? 0 : 1;
}

export const DOC_PATH = 'docs/election-lab.md';

async function docs(): Promise<number> {
  const path = resolve(DOC_PATH);
  const before = await readFile(path, 'utf8').catch(() => {
    throw new UsageError(`--docs: no ${DOC_PATH} here; run it from the repository root`);
  });
  const after = renderDoc(before, await docValues(await runPaper()));
  await writeFile(path, after);
  console.log(after === before ? `${path} was up to date` : `rewrote ${path}`);
  return 0;
}

const fmt = (v: number | null): string => (v === null ? '–' : String(v));

async function write(name: string, content: string): Promise<void> {
  const path = resolve(name);
  await writeFile(path, content);
  console.log(`wrote ${path}`);
}

/** The knobs, as the lab's settings; a knob an algorithm cannot take is a usage mistake. */
function labSettings(values: Values, algorithms: readonly AlgorithmName[], nodes: number): LabSettings {
  const heartbeatMs =
    values.heartbeat === undefined ? undefined : integerFlag('--heartbeat', values.heartbeat, 1, 600_000);
  const timeout =
    values['election-timeout'] === undefined ? undefined : rangeFlag('--election-timeout', values['election-timeout']);
  const hb = heartbeatMs === undefined ? {} : { heartbeatMs };
  const algorithmOptions: AlgorithmOptions = {
    ...(heartbeatMs === undefined ? {} : { bully: hb, ring: hb }),
    ...(timeout === undefined && heartbeatMs === undefined
      ? {}
      : {
          raft: {
            ...hb,
            ...(timeout === undefined ? {} : { electionTimeoutMinMs: timeout[0], electionTimeoutMaxMs: timeout[1] }),
          },
        }),
  };
  const network = {
    ...(values.latency === undefined ? {} : { latency: latencyFlag(values.latency) }),
    ...(values.loss === undefined ? {} : { lossRate: fractionFlag('--loss', values.loss) }),
  };
  const faults: NonNullable<RunOptions['faults']> = {
    ...(values['crash-at'] === undefined ? {} : { atMs: integerFlag('--crash-at', values['crash-at'], 0, 86_400_000) }),
    ...(values['restart-at'] === undefined
      ? {}
      : {
          recoverAtMs:
            values['restart-at'] === 'never' ? null : integerFlag('--restart-at', values['restart-at'], 0, 86_400_000),
        }),
    ...(values['crash-phase'] === undefined
      ? {}
      : { jitterMs: choiceFlag('--crash-phase', values['crash-phase'], ['uniform'] as const) && 'heartbeat' }),
  };
  const experiment: Experiment = {
    ...(values['established-leader'] ? { establishedLeader: true } : {}),
    ...(values.detector === undefined ? {} : { detector: integerFlag('--detector', values.detector, 1, nodes) }),
    ...(values['ring-order'] === undefined
      ? {}
      : { ringOrder: choiceFlag('--ring-order', values['ring-order'], ['ascending', 'random'] as const) }),
  };
  const experimentFlags = Object.keys(experiment);
  if (experimentFlags.length > 0) {
    const unsupported = algorithms.filter(
      (a) => !EXPERIMENT_ALGORITHMS.includes(a) || (experiment.ringOrder !== undefined && a !== 'ring'),
    );
    if (unsupported.length > 0) {
      throw new UsageError(
        `--established-leader, --detector and --ring-order do not apply to ${unsupported.join(', ')}; ` +
          `pick algorithms with --algo`,
      );
    }
  }
  const duration =
    values.duration === undefined ? {} : { durationMs: integerFlag('--duration', values.duration, 1, 86_400_000) };
  return {
    ...duration,
    ...(Object.keys(algorithmOptions).length === 0 ? {} : { algorithmOptions }),
    ...(Object.keys(network).length === 0 ? {} : { network }),
    ...(Object.keys(faults).length === 0 ? {} : { faults }),
    ...(experimentFlags.length === 0 ? {} : { experiment }),
  };
}

function rangeFlag(flag: string, value: string): [number, number] {
  const match = /^(\d+)-(\d+)$/.exec(value);
  const [lo, hi] = match === null ? [NaN, NaN] : [Number(match[1]), Number(match[2])];
  if (!(lo >= 1 && hi >= lo && hi <= 600_000))
    throw new UsageError(`${flag} must be <lo>-<hi> in ms with 1 <= lo <= hi, got "${value}"`);
  return [lo, hi];
}

function fractionFlag(flag: string, value: string): number {
  const n = Number(value);
  if (!/^(0|1|0?\.\d+|1\.0*)$/.test(value) || !(n >= 0 && n <= 1))
    throw new UsageError(`${flag} must be a fraction from 0 to 1, got "${value}"`);
  return n;
}

function choiceFlag<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value))
    throw new UsageError(`${flag} must be ${choices.join(' or ')}, got "${value}"`);
  return value as T;
}

function latencyFlag(value: string): LatencyModel {
  const constant = /^constant:(\d+(?:\.\d+)?)$/.exec(value);
  if (constant !== null) return { kind: 'constant', ms: Number(constant[1]) };
  const lognormal = /^lognormal:(\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?$/.exec(value);
  if (lognormal !== null && Number(lognormal[1]) > 0) {
    return lognormalWithMedian(Number(lognormal[1]), lognormal[2] === undefined ? undefined : Number(lognormal[2]));
  }
  throw new UsageError(`--latency must be constant:<ms> or lognormal:<median ms>[:<sigma>], got "${value}"`);
}
