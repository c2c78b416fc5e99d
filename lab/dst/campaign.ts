import { MUTANTS } from './mutants.js';
import { mutantRuntime, realRuntime, type Mutant, type Runtime } from './runtime.js';
import { FAULT_KINDS, runSeed, type FaultKind, type Invariant, type RunResult, type Violation } from './world.js';

/** The largest failing history the report calls shrunk (docs/dst.md#replaying-a-seed). */
export const SHRUNK_EVENTS = 200;

export interface ReportedViolation extends Violation {
  /** Scheduler events up to the violation, and whether that is within `SHRUNK_EVENTS`. */
  readonly events: number;
  readonly shrunk: boolean;
  readonly replay: string;
}

export interface MutantResult {
  readonly name: string;
  readonly caught: boolean;
  readonly seed: number | undefined;
  readonly invariant: Invariant | undefined;
  readonly seedsRun: number;
}

export interface Report {
  readonly seeds: number;
  readonly events: number;
  readonly faults: Record<FaultKind, number>;
  readonly violations: ReportedViolation[];
  readonly mutants: MutantResult[];
}

export interface CampaignOptions {
  /** Seeds `first` .. `first + seeds - 1` on the real runtime. */
  readonly first: number;
  readonly seeds: number;
  readonly faults: ReadonlySet<FaultKind>;
  /** Run the mutants too, each until caught or `mutantSeeds` seeds passed. */
  readonly mutants: boolean;
  readonly mutantSeeds: number;
  /** Only these mutants. @default all */
  readonly only?: readonly string[];
  readonly onViolation?: (line: string) => void;
}

export async function runCampaign(o: CampaignOptions): Promise<Report> {
  const runtime = await realRuntime();
  const faults = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  const violations: ReportedViolation[] = [];
  let events = 0;
  for (let seed = o.first; seed < o.first + o.seeds; seed++) {
    const result = await runSeed({ seed, runtime, faults: o.faults });
    events += result.events;
    for (const kind of FAULT_KINDS) faults[kind] += result.faults[kind];
    for (const v of reported(result, runtime)) {
      violations.push(v);
      o.onViolation?.(describe(v));
    }
  }
  const mutants: MutantResult[] = [];
  if (o.mutants) {
    for (const mutant of MUTANTS.filter((m) => o.only === undefined || o.only.includes(m.name)))
      mutants.push(await hunt(mutant, o));
  }
  return { seeds: o.seeds, events, faults, violations, mutants };
}

/** Runs seeds from 0 on the mutant until one violates an invariant. */
export async function hunt(mutant: Mutant, o: Pick<CampaignOptions, 'faults' | 'mutantSeeds'>): Promise<MutantResult> {
  const runtime = await mutantRuntime(mutant);
  for (let seed = 0; seed < o.mutantSeeds; seed++) {
    const result = await runSeed({ seed, runtime, faults: o.faults });
    const first = result.violations[0];
    if (first !== undefined)
      return { name: mutant.name, caught: true, seed, invariant: first.invariant, seedsRun: seed + 1 };
  }
  return { name: mutant.name, caught: false, seed: undefined, invariant: undefined, seedsRun: o.mutantSeeds };
}

function reported(result: RunResult, runtime: Runtime): ReportedViolation[] {
  return result.violations.map((v) => ({
    ...v,
    events: result.eventsToViolation,
    shrunk: result.eventsToViolation <= SHRUNK_EVENTS,
    replay: `npm run dst -- --seed ${v.seed}${runtime.name === 'real' ? '' : ` --mutant ${runtime.name}`}`,
  }));
}

export function describe(v: ReportedViolation): string {
  const size = v.shrunk ? `shrunk to ${v.events} events` : `unshrunk, ${v.events} events`;
  return (
    `violation: seed ${v.seed} ${v.invariant} at ${v.atMs} ms [${v.workers.join(', ')}] ${v.detail} ` +
    `(${size}; replay: ${v.replay})`
  );
}
