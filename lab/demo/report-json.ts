/**
 * `demo-report.json`: the headline counts first (docs/demo.md), then the checks,
 * the measurements, the pauses and the timeline the HTML report is drawn
 * from. Built from the evidence alone (see checks.ts). Pure.
 */
import { allHold, logsComplete, type Check } from '../harness/checks.js';
import { computeChecks, type DemoCounts, type PauseFinding } from './checks.js';
import { measure, type Measurements } from './measurements.js';
import type { DemoEvidence, LedgerHead, StepCounts } from './records.js';
import { buildTimeline, type Timeline } from './timeline.js';

/** How the run was set up; goes into the report as given. */
export interface DemoRunInfo {
  readonly seed: number;
  readonly workers: number;
  readonly durationS: number;
  readonly tickS: number;
  readonly duplicateRate: number;
  readonly functionTimeoutMs: number;
  readonly maxClockSkewMs: number;
  readonly tableName: string;
  readonly leaseName: string;
  /** Where the workers' logs and the run log are. */
  readonly logDir: string;
  readonly startedAt: number;
  readonly endedAt: number;
}

/** The counts the demo exists to show (docs/decisions/demo-evidence.md), first in the report; each is documented on `DemoCounts`. */
export const HEADLINE_COUNTS = [
  'ticks',
  'ticksRun',
  'duplicateTicksRun',
  'duplicateDeliveries',
  'takeovers',
  'kills',
  'pauses',
  'staleWritesRejected',
  'staleWritesAccepted',
  'tokenRegressions',
] as const satisfies readonly (keyof DemoCounts)[];

export interface DemoReport extends Pick<DemoCounts, (typeof HEADLINE_COUNTS)[number]> {
  /** Every check passed. */
  readonly ok: boolean;
  readonly checks: readonly Check[];
  /** Further counts behind the checks. */
  readonly details: {
    readonly duplicatesSkipped: number;
    /** Of `duplicatesSkipped`, the redeliveries; the rest were first deliveries that came after the leader had finished. */
    readonly redeliveriesSkipped: number;
    readonly unattributedEntries: number;
    readonly missingEntries: number;
    readonly pausedLeadersNotFenced: number;
    readonly unexpectedErrors: number;
    readonly crashedWorkers: number;
    /** Log lines that did not parse (a torn last line). */
    readonly unreadableLogLines: number;
  };
  readonly run: DemoRunInfo;
  readonly ledger: { readonly entries: number; readonly head?: LedgerHead };
  /** The ledger job's durable steps over every invocation (docs/protocol.md#steps). */
  readonly steps: StepCounts;
  readonly measurements: Measurements;
  readonly pausesInDetail: readonly PauseFinding[];
  readonly timeline: Timeline;
}

export function buildReport(evidence: DemoEvidence, run: DemoRunInfo, unreadableLogLines = 0): DemoReport {
  const { counts, checks, pauses } = computeChecks(evidence);
  const allChecks = [...checks, ...logsComplete(unreadableLogLines)];
  return {
    ...(Object.fromEntries(HEADLINE_COUNTS.map((k) => [k, counts[k]])) as Pick<
      DemoCounts,
      (typeof HEADLINE_COUNTS)[number]
    >),
    ok: allHold(allChecks),
    checks: allChecks,
    details: {
      duplicatesSkipped: counts.duplicatesSkipped,
      redeliveriesSkipped: counts.redeliveriesSkipped,
      unattributedEntries: counts.unattributedEntries,
      missingEntries: counts.missingEntries,
      pausedLeadersNotFenced: counts.pausedLeadersNotFenced,
      unexpectedErrors: counts.unexpectedErrors,
      crashedWorkers: counts.crashedWorkers,
      unreadableLogLines,
    },
    run,
    ledger: {
      entries: evidence.ledger.entries.length,
      ...(evidence.ledger.head ? { head: evidence.ledger.head } : {}),
    },
    steps: countSteps(evidence),
    measurements: measure(evidence),
    pausesInDetail: pauses,
    timeline: buildTimeline(evidence),
  };
}

/** Steps run and replayed, summed over the workers' outcomes. */
export function countSteps(evidence: DemoEvidence): StepCounts {
  let run = 0;
  let replayed = 0;
  for (const r of evidence.workerRecords) {
    if (r.type !== 'outcome' || r.steps === undefined) continue;
    run += r.steps.run;
    replayed += r.steps.replayed;
  }
  return { run, replayed };
}
