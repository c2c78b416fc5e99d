import type { Check } from '../harness/checks.js';
import { VIOLATION_KINDS, type CheckResult, type Violation, type ViolationKind } from './checker.js';
import type { CampaignParameters, HistoryRecord } from './history.js';

/** `chaos-report.json`. The first fields (seed through violations) are what tools may rely on; the rest add detail. */
export interface ChaosReport {
  readonly seed: number;
  /** Length of the fault-injection phase, in seconds. */
  readonly durationS: number;
  readonly workers: number;
  /** Tenures that began (successful acquisitions), from the history. */
  readonly tenures: number;
  readonly faults: {
    readonly kills: number;
    readonly pauses: number;
    readonly skewChanges: number;
    readonly droppedResponses: number;
    /** Error answers of any kind: 500, 503 and throttling. */
    readonly errorsInjected: number;
    readonly latencySpikes: number;
    readonly connectionResets: number;
    /** How often the nemesis switched a network fault on. */
    readonly networkFaultWindows: number;
  };
  /** Side effects the fenced resources hold at the end: the ones that really happened. */
  readonly sideEffectsAccepted: number;
  /** Side effects the fence refused because a newer token had written. */
  readonly staleRejected: number;
  readonly violations: readonly Violation[];
  /** `skew-within-bound` normally; `skew-beyond-bound` with `--skew-beyond`. */
  readonly mode: 'skew-within-bound' | 'skew-beyond-bound';
  /** A protocol variant broken on purpose (tests only). */
  readonly variant?: string;
  readonly leaseDurationMs: number;
  readonly maxClockSkewMs: number;
  readonly safetyMarginMs: number;
  readonly takeovers: number;
  readonly writesAttempted: number;
  readonly tickDoneRejected: number;
  readonly unknownOutcomes: number;
  readonly lease: { readonly finalToken: number; readonly highestGranted: number; readonly unresolvedAcquires: number };
  /** The largest disagreement between two live workers' wall clocks, against the bound `maxClockSkewMs`. */
  readonly maxSkewSpreadMs: number;
  /** Every violation found, by kind (the list above keeps at most {@link VIOLATIONS_LISTED_PER_KIND} of each). */
  readonly violationCounts: Readonly<Record<ViolationKind, number>>;
  /** Violations that no broken assumption explains: these fail the run. */
  readonly unexplainedViolations: number;
  /** One per property, as the demos' reports list theirs: it fails on a violation of it that no broken assumption explains. */
  readonly checks: readonly Check[];
  /** Wall-clock seconds the whole campaign took, from start to checked. */
  readonly elapsedS: number;
}

/** A broken variant can produce thousands of the same violation; the report lists this many of each kind. */
export const VIOLATIONS_LISTED_PER_KIND = 50;

/** Builds the report from the history and the checker's verdict, nothing else. */
export function buildReport(records: readonly HistoryRecord[], check: CheckResult, elapsedMs: number): ChaosReport {
  const params = records.find((r): r is CampaignParameters & HistoryRecord => r.type === 'campaign');
  if (!params) throw new Error('buildReport: the history has no campaign record');
  const actions = (action: string) => records.filter((r) => r.type === 'nemesis' && r.action === action).length;
  const end = records.find((r) => r.type === 'end');
  const proxy = end?.type === 'end' ? end.proxy : undefined;
  const violationCounts = Object.fromEntries(
    VIOLATION_KINDS.map((k) => [k, check.violations.filter((v) => v.kind === k).length]),
  ) as Record<ViolationKind, number>;
  const listed = VIOLATION_KINDS.flatMap((k) =>
    check.violations.filter((v) => v.kind === k).slice(0, VIOLATIONS_LISTED_PER_KIND),
  );
  return {
    seed: params.seed,
    durationS: Math.round(params.durationMs / 100) / 10,
    workers: params.workers,
    tenures: check.stats.tenures,
    faults: {
      kills: actions('kill'),
      pauses: actions('pause'),
      skewChanges: actions('skew'),
      droppedResponses: proxy?.droppedResponses ?? 0,
      errorsInjected: proxy?.errorsInjected ?? 0,
      latencySpikes: proxy?.latencySpikes ?? 0,
      connectionResets: proxy?.connectionResets ?? 0,
      networkFaultWindows: actions('network-on'),
    },
    sideEffectsAccepted: check.stats.sideEffectsAccepted,
    staleRejected: check.stats.staleRejected,
    violations: listed,
    mode: params.skewBeyond ? 'skew-beyond-bound' : 'skew-within-bound',
    ...(params.variant ? { variant: params.variant } : {}),
    leaseDurationMs: params.leaseDurationMs,
    maxClockSkewMs: params.maxClockSkewMs,
    safetyMarginMs: params.safetyMarginMs,
    takeovers: check.stats.takeovers,
    writesAttempted: check.stats.writesAttempted,
    tickDoneRejected: check.stats.tickDoneRejected,
    unknownOutcomes: check.stats.unknownOutcomes,
    lease: {
      finalToken: check.stats.finalLeaseToken,
      highestGranted: check.stats.highestTokenGranted,
      unresolvedAcquires: check.stats.unresolvedAcquires,
    },
    maxSkewSpreadMs: check.stats.maxSkewSpreadMs,
    violationCounts,
    unexplainedViolations: check.violations.filter((v) => v.explainedBy === undefined).length,
    checks: check.checks,
    elapsedS: Math.round(elapsedMs / 100) / 10,
  };
}

/** A few lines for the terminal. */
export function formatSummary(report: ChaosReport): string {
  const f = report.faults;
  const lines = [
    `seed ${report.seed}, ${report.durationS} s of faults, ${report.workers} workers, ${report.mode}${report.variant ? `, variant "${report.variant}"` : ''} (took ${report.elapsedS} s)`,
    `tenures ${report.tenures} (${report.takeovers} takeovers); lease token ${report.lease.finalToken}, ` +
      `highest granted ${report.lease.highestGranted}`,
    `faults: ${f.kills} kills, ${f.pauses} pauses, ${f.skewChanges} skew changes, ${f.droppedResponses} ` +
      `dropped responses, ${f.errorsInjected} errors, ${f.latencySpikes} latency spikes, ${f.connectionResets} ` +
      `resets (${f.networkFaultWindows} network fault windows)`,
    `side effects: ${report.writesAttempted} attempted, ${report.sideEffectsAccepted} accepted, ` +
      `${report.staleRejected} refused as stale, ${report.tickDoneRejected} refused as tick done, ` +
      `${report.unknownOutcomes} of unknown outcome`,
    `clocks: up to ${report.maxSkewSpreadMs} ms apart (bound ${report.maxClockSkewMs} ms)`,
  ];
  const found = VIOLATION_KINDS.filter((k) => report.violationCounts[k] > 0);
  if (found.length === 0) {
    lines.push('violations: none');
  } else {
    const explained = Object.values(report.violationCounts).reduce((a, b) => a + b, 0) - report.unexplainedViolations;
    lines.push(
      `violations: ${found.map((k) => `${report.violationCounts[k]} ${k}`).join(', ')}${explained > 0 ? ` (${explained} explained by clock skew beyond the bound)` : ''}`,
    );
    for (const v of report.violations.slice(0, 5))
      lines.push(`  - ${v.kind}: ${v.message}${v.explainedBy ? ` [${v.explainedBy}]` : ''}`);
  }
  return lines.join('\n');
}
