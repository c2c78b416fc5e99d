/**
 * `elect-report.json`: the checks, the handover figures with their bounds,
 * the counts, and the timeline the HTML report draws, all computed from the
 * evidence (elect-checks.ts). Pure.
 */
import { allHold, logsComplete, ofType, type Check } from '../harness/checks.js';
import {
  computeElectChecks,
  handoverBounds,
  HANDOVER_KINDS,
  type ActingWindow,
  type ElectCounts,
  type ElectFigures,
  type ElectHandover,
  type ElectTimingInfo,
  type HandoverKind,
  type PauseOutcome,
} from './elect-checks.js';
import type { ElectEvidence } from './elect-records.js';
import type { Distribution } from './measurements.js';
import { checkLines, plural } from '../harness/report/index.js';

/** How the run was set up; goes into the report as given. */
export interface ElectRunInfo extends ElectTimingInfo {
  readonly seed: number;
  readonly workers: number;
  readonly prepareMinMs: number;
  readonly wallClockUnderSkew: boolean;
  readonly skewLeaderBack: boolean;
  readonly tableName: string;
  readonly leaseName: string;
  /** Where the workers' logs and the run log are. */
  readonly logDir: string;
  readonly startedAt: number;
  readonly endedAt: number;
}

/** One worker process, as the timeline draws it. */
export interface ElectTimelineRow {
  readonly worker: string;
  readonly pid: number;
  readonly spawnedAt: number;
  readonly exitedAt?: number;
  readonly replaces?: string;
  readonly priority?: number;
  readonly clockFree?: boolean;
  readonly windows: readonly ActingWindow[];
  readonly writes: readonly { readonly at: number; readonly token: number; readonly outcome?: string }[];
  readonly pauses: readonly { readonly from: number; readonly to?: number }[];
  readonly kills: readonly number[];
  readonly stops: readonly number[];
  readonly skews: readonly { readonly at: number; readonly offsetMs: number }[];
}

export interface ElectTimeline {
  readonly start: number;
  readonly end: number;
  readonly phases: readonly { readonly phase: string; readonly at: number }[];
  readonly rows: readonly ElectTimelineRow[];
}

export interface ElectReport {
  /** Every check passed. */
  readonly ok: boolean;
  readonly checks: readonly Check[];
  /** Handover times by kind, in ms, from the workers' logs: what the run measured. */
  readonly figures: ElectFigures;
  /** Each kind's bound, from the lease duration and the run's settings. */
  readonly bounds: Record<HandoverKind, { readonly boundMs: number; readonly formula: string }>;
  readonly counts: ElectCounts & { readonly unreadableLogLines: number };
  readonly handovers: readonly ElectHandover[];
  readonly pausesInDetail: readonly PauseOutcome[];
  readonly run: ElectRunInfo;
  readonly timeline: ElectTimeline;
}

export function buildElectReport(evidence: ElectEvidence, run: ElectRunInfo, unreadableLogLines = 0): ElectReport {
  const findings = computeElectChecks(evidence, run);
  const checks = [...findings.checks, ...logsComplete(unreadableLogLines)];
  return {
    ok: allHold(checks),
    checks,
    figures: findings.figures,
    bounds: handoverBounds(run),
    counts: { ...findings.counts, unreadableLogLines },
    handovers: findings.handovers,
    pausesInDetail: findings.pauses,
    run,
    timeline: buildElectTimeline(evidence, findings.windows),
  };
}

export function buildElectTimeline(evidence: ElectEvidence, windows: readonly ActingWindow[]): ElectTimeline {
  const { workerRecords, runRecords } = evidence;
  const times = [...workerRecords, ...runRecords].map((r) => r.at);
  const start = times.length ? Math.min(...times) : 0;
  const end = times.length ? Math.max(...times) : 0;
  const exits = ofType(runRecords, 'exit');
  const resumes = ofType(runRecords, 'resume');
  const rows = ofType(runRecords, 'spawn').map((spawn): ElectTimelineRow => {
    const mine = workerRecords.filter((r) => r.worker === spawn.worker);
    const ready = mine.find((r) => r.type === 'ready');
    const exit = exits.find((e) => e.worker === spawn.worker);
    const sent = mine.filter((r) => r.type === 'write-sent');
    const done = mine.filter((r) => r.type === 'write-done');
    const skews = ofType(runRecords, 'skew').filter((s) => s.worker === spawn.worker);
    return {
      worker: spawn.worker,
      pid: spawn.pid,
      spawnedAt: spawn.at,
      ...(exit ? { exitedAt: exit.at } : {}),
      ...(spawn.replaces ? { replaces: spawn.replaces } : {}),
      ...(ready ? { priority: ready.priority, clockFree: ready.clockFree } : {}),
      windows: windows.filter((w) => w.worker === spawn.worker),
      writes: sent.map((s) => {
        const outcome = done.find((d) => d.wid === s.wid)?.outcome;
        return { at: s.at, token: s.token, ...(outcome ? { outcome } : {}) };
      }),
      pauses: ofType(runRecords, 'pause')
        .filter((p) => p.worker === spawn.worker)
        .map((p) => {
          const to = resumes.find((r) => r.worker === p.worker && r.at >= p.at)?.at;
          return { from: p.at, ...(to === undefined ? {} : { to }) };
        }),
      kills: ofType(runRecords, 'kill')
        .filter((k) => k.worker === spawn.worker)
        .map((k) => k.at),
      stops: ofType(runRecords, 'stop')
        .filter((s) => s.worker === spawn.worker)
        .map((s) => s.at),
      skews: skews.map((s) => ({ at: s.at, offsetMs: s.offsetMs })),
    };
  });
  return { start, end, phases: ofType(runRecords, 'phase').map((p) => ({ phase: p.phase, at: p.at })), rows };
}

/** What each kind of handover is called in the summary and the HTML. */
export const HANDOVER_LABELS: Record<HandoverKind, string> = {
  failover: 'failover after SIGKILL (wall clock)',
  'failover-after-pause': 'failover after SIGSTOP (wall clock)',
  'graceful-stop': 'graceful stop → new leader',
  handoff: 'priority handoff (request → new leader)',
  'clock-free-failover': 'failover after SIGKILL (clock-free, clocks skewed)',
};

/** The end-of-run summary for the terminal. Pure. */
export function formatElectSummary(report: ElectReport): string {
  const c = report.counts;
  const ms = (d: Distribution) =>
    d.count === 0
      ? 'none in this run'
      : d.count === 1
        ? `${d.p50} ms`
        : `p50 ${d.p50} ms, max ${d.max} ms (n=${d.count})`;
  return [
    '',
    `Summary: ${plural(c.tenures, 'tenure')} (${c.takeovers} by takeover), ${plural(c.writesAccepted, 'fenced write')} ` +
      `accepted, ${plural(c.staleWritesRejected, 'stale write')} refused.`,
    `         ${plural(c.kills, 'kill')}, ${plural(c.pauses, 'pause')}, ${plural(c.gracefulStops, 'graceful stop')}, ` +
      `${plural(c.handoffs, 'handoff')}.`,
    `Lease ${report.run.durationMs} ms (renewal every ${report.run.renewEveryMs} ms). Handover ` +
      `times, from the workers' logs (bound):`,
    ...HANDOVER_KINDS.map(
      (k) => `  ${HANDOVER_LABELS[k].padEnd(52)} ${ms(report.figures[k])} (≤ ${report.bounds[k].boundMs} ms)`,
    ),
    ...checkLines(report.checks, report.ok),
  ].join('\n');
}
