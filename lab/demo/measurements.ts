/**
 * What the demo measures, from the same evidence as the checks: what a
 * follower invocation costs, and how long leadership takes to change hands
 * after a kill, a pause and a graceful release. Pure.
 */
import { ofType } from '../harness/checks.js';
import type { DemoEvidence, WorkerRecord } from './records.js';

/** Summary of a sample of numbers (undefined fields when it is empty). */
export interface Distribution {
  readonly count: number;
  readonly min?: number;
  readonly p50?: number;
  readonly p95?: number;
  readonly max?: number;
  readonly mean?: number;
}

/** Leadership passing from one tenure to the next. */
export interface Handover {
  readonly from: { readonly worker: string; readonly token: number };
  readonly to: { readonly worker: string; readonly token: number };
  /** When the old tenure ended: the signal, or the release. */
  readonly at: number;
  /** From `at` to the next leader's job start. */
  readonly ms: number;
  /** The old tenure's lease duration. */
  readonly leaseDurationMs: number;
  /** How much of the old lease was left at `at`. */
  readonly leaseLeftMs: number;
}

export interface Measurements {
  /** Invocations that did not lead: one conditional write each, answered with who holds the lease. */
  readonly follower: {
    readonly requests: Distribution;
    readonly ms: Distribution;
    readonly held: Distribution;
    readonly tickDone: Distribution;
  };
  /** Invocations that led and completed: acquire, ledger write, release. */
  readonly leader: { readonly requests: Distribution; readonly ms: Distribution };
  /** A leader's invoke-to-job-start time: one conditional write. */
  readonly acquireMs: Distribution;
  /** Median lease duration the handler derived from the Lambda context. */
  readonly leaseDurationMs?: number;
  /** SIGKILL of a leader mid-job -> the next leader's job start. */
  readonly afterKill: { readonly handovers: readonly Handover[]; readonly ms: Distribution };
  /** SIGSTOP of a leader mid-job -> the next leader's job start. */
  readonly afterPause: { readonly handovers: readonly Handover[]; readonly ms: Distribution };
  /** A leader's release (its invocation's end) -> the next leader's job start; bounded below by the wait for the next tick. */
  readonly afterRelease: { readonly ms: Distribution };
}

export function distribution(values: readonly number[]): Distribution {
  if (values.length === 0) return { count: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    count: sorted.length,
    min: round(sorted[0] as number),
    p50: round(at(0.5)),
    p95: round(at(0.95)),
    max: round(sorted[sorted.length - 1] as number),
    mean: round(sorted.reduce((s, x) => s + x, 0) / sorted.length),
  };
}

export function measure(evidence: DemoEvidence): Measurements {
  const { workerRecords, runRecords } = evidence;
  const outcomes = ofType(workerRecords, 'outcome');
  const jobStarts = ofType(workerRecords, 'job-start').sort((a, b) => a.at - b.at);
  const invokes = ofType(workerRecords, 'invoke');
  const skipped = outcomes.filter((o) => o.status === 'skipped');
  const ran = outcomes.filter((o) => o.status === 'ran');

  const acquireMs = jobStarts.flatMap((j) => {
    const invoke = invokes.find((i) => i.worker === j.worker && i.eventId === j.eventId && i.at <= j.at);
    return invoke ? [j.at - invoke.at] : [];
  });
  const nextLeader = (after: number, token: number) => jobStarts.find((j) => j.token > token && j.at >= after);
  const tenure = (token: number) => jobStarts.find((j) => j.token === token);
  const endedBefore = (worker: string, token: number, at: number) =>
    outcomes.some((o) => o.worker === worker && o.token === token && o.status !== 'skipped' && o.at <= at);

  const strikes = (records: readonly { at: number; worker: string; token: number }[]): Handover[] =>
    records.flatMap((s) => {
      const own = tenure(s.token);
      const next = nextLeader(s.at, s.token);
      // A blow that landed after the job had ended hands nothing over.
      if (!own || !next || endedBefore(s.worker, s.token, s.at)) return [];
      return [handover(own, next, s.at)];
    });
  const exits = ofType(runRecords, 'exit');
  const kills = ofType(runRecords, 'kill').filter((k) => exits.some((e) => e.pid === k.pid && e.signal === 'SIGKILL'));
  const afterKill = strikes(kills);
  const afterPause = strikes(ofType(runRecords, 'pause'));
  const afterRelease = ran.flatMap((o) => {
    const own = o.token === undefined || !o.released ? undefined : tenure(o.token);
    const next = own ? nextLeader(o.at, own.token) : undefined;
    return own && next ? [next.at - o.at] : [];
  });
  const durations = distribution(jobStarts.map((j) => j.durationMs));

  return {
    follower: {
      requests: distribution(skipped.map((o) => o.requests)),
      ms: distribution(skipped.map((o) => o.ms)),
      held: distribution(skipped.filter((o) => o.reason === 'held').map((o) => o.ms)),
      tickDone: distribution(skipped.filter((o) => o.reason === 'tick-done').map((o) => o.ms)),
    },
    leader: { requests: distribution(ran.map((o) => o.requests)), ms: distribution(ran.map((o) => o.ms)) },
    acquireMs: distribution(acquireMs),
    ...(durations.p50 === undefined ? {} : { leaseDurationMs: durations.p50 }),
    afterKill: { handovers: afterKill, ms: distribution(afterKill.map((h) => h.ms)) },
    afterPause: { handovers: afterPause, ms: distribution(afterPause.map((h) => h.ms)) },
    afterRelease: { ms: distribution(afterRelease) },
  };
}

type JobStart = Extract<WorkerRecord, { type: 'job-start' }>;

function handover(own: JobStart, next: JobStart, at: number): Handover {
  return {
    from: { worker: own.worker, token: own.token },
    to: { worker: next.worker, token: next.token },
    at,
    ms: next.at - at,
    leaseDurationMs: own.durationMs,
    leaseLeftMs: own.expiresAt - at,
  };
}
