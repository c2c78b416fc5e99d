/**
 * The elector demo's checks and figures, computed from evidence only: each
 * worker's own log, the run log (what the nemesis did, and when), and the
 * fenced resource's own log of accepted writes read after the run. Nothing
 * here trusts what the parent believed about who led. Pure: no I/O, no clock.
 * The rules are explained in docs/decisions/elect-demo.md.
 */
import {
  belowHighest,
  check,
  diedUnbidden,
  listed,
  ofType,
  reconcile,
  successorWroteFirst,
  type Check,
} from '../harness/checks.js';
import { overlappingPairs } from '../intervals/overlaps.js';
import { distribution, type Distribution } from './measurements.js';
import type { ActingStopReason, ElectEvidence, ElectWorkerRecordOf } from './elect-records.js';

/** The protocol constants of the run, which the bounds are derived from. */
export interface ElectTimingInfo {
  /** `D`, the lease duration. */
  readonly durationMs: number;
  /** `R`, the renewal period, also the longest wait between a waiter's polls. */
  readonly renewEveryMs: number;
  /** `S`. */
  readonly maxClockSkewMs: number;
  /** `M`. */
  readonly safetyMarginMs: number;
  /** `J`: a waiter's polls and takeovers come up to this much later. */
  readonly raceJitterMs: number;
  /** `P`: the longest a leader prepares a write; its wind-down is one such write. */
  readonly prepareMaxMs: number;
  /** `A`: what the formula leaves out (a loaded machine's scheduling delays, round trips). */
  readonly allowanceMs: number;
}

/**
 * One tenure's acting window, from its holder's own log: from `acting-start`
 * to the earlier of its `acting-stop` and the lease's own deadline (the
 * latest one it logged). A holder that was killed logged no stop: its window
 * runs to its deadline. A write sent after the window's end is *late*: only
 * the fence stands between it and the resource.
 */
export interface ActingWindow {
  readonly worker: string;
  readonly token: number;
  readonly start: number;
  readonly end: number;
  readonly deadlineAt: number;
  /** When it logged that it stopped acting, if it did. */
  readonly stopAt?: number;
  /** Why it stopped, as it logged it; `killed` when it logged no stop. */
  readonly endedBy: ActingStopReason | 'killed';
  readonly priority: number;
  readonly clockFree: boolean;
  readonly takeover: boolean;
}

/** What a handover measures, and from which evidence it starts. */
export const HANDOVER_KINDS = [
  'failover',
  'failover-after-pause',
  'graceful-stop',
  'handoff',
  'clock-free-failover',
] as const;
export type HandoverKind = (typeof HANDOVER_KINDS)[number];

/** Leadership passing on, measured from the event that started it to the successor's own `acting-start`. */
export interface ElectHandover {
  readonly kind: HandoverKind;
  readonly from: { readonly worker: string; readonly token: number };
  readonly to?: { readonly worker: string; readonly token: number };
  /**
   * When it started: the nemesis's SIGKILL or SIGSTOP; the leader's own
   * `stop-requested`; the requester's own `handoff-requested` (it ends when
   * the next leader starts, the requester or a higher priority that asked since).
   */
  readonly startAt: number;
  readonly ms?: number;
  /**
   * Failovers only: from when the old leader sent its last write that landed
   * (its acquire or last renewal, read off the deadline its own log shows) to
   * the successor's start. Unlike `ms`, it does not depend on where in a
   * renewal period the blow landed.
   */
  readonly sinceRenewalMs?: number;
  readonly boundMs: number;
  readonly ok: boolean;
}

/** Each kind's bound and the formula it comes from. */
export function handoverBounds(
  t: ElectTimingInfo,
): Record<HandoverKind, { readonly boundMs: number; readonly formula: string }> {
  const { durationMs: D, renewEveryMs: R, maxClockSkewMs: S, raceJitterMs: J, prepareMaxMs: P, allowanceMs: A } = t;
  return {
    // The lease the dead or paused holder last wrote ends at most D after the strike; a waiter may take it S later.
    failover: { boundMs: D + S + J + A, formula: `D + S + J + A = ${D} + ${S} + ${J} + ${A}` },
    'failover-after-pause': { boundMs: D + S + J + A, formula: `D + S + J + A = ${D} + ${S} + ${J} + ${A}` },
    // A waiter first sees the last version within one poll of its write (before the kill), then watches it for D.
    'clock-free-failover': { boundMs: D + R + J + A, formula: `D + R + J + A = ${D} + ${R} + ${J} + ${A}` },
    // The leader finishes the write in hand and releases; a waiter polls within R.
    'graceful-stop': { boundMs: P + R + J + A, formula: `P + R + J + A = ${P} + ${R} + ${J} + ${A}` },
    // The holder learns at its next renewal (R), finishes the write in hand (P) and releases; the requester polls within R.
    handoff: { boundMs: 2 * R + P + J + A, formula: `2R + P + J + A = 2 × ${R} + ${P} + ${J} + ${A}` },
  };
}

/** Every tenure's acting window, in order of start. */
export function actingWindows(evidence: Pick<ElectEvidence, 'workerRecords'>): ActingWindow[] {
  const records = evidence.workerRecords;
  const stops = ofType(records, 'acting-stop');
  const deadlines = ofType(records, 'deadline');
  return ofType(records, 'acting-start')
    .map((s): ActingWindow => {
      const mine = (r: { worker: string; token: number }) => r.worker === s.worker && r.token === s.token;
      const stop = stops.find(mine);
      const deadlineAt = Math.max(s.deadlineAt, ...deadlines.filter(mine).map((d) => d.deadlineAt));
      return {
        worker: s.worker,
        token: s.token,
        start: s.at,
        end: Math.min(stop?.at ?? Infinity, deadlineAt),
        deadlineAt,
        ...(stop ? { stopAt: stop.at } : {}),
        endedBy: stop?.reason ?? 'killed',
        priority: s.priority,
        clockFree: s.clockFree,
        takeover: s.takeover,
      };
    })
    .sort((a, b) => a.start - b.start);
}

/** Pairs of windows that share a moment: every window is a tenure of its own. */
export function overlappingWindows(windows: readonly ActingWindow[]): [ActingWindow, ActingWindow][] {
  return overlappingPairs(windows, (w) => w);
}

/**
 * Writes the resource accepted after it had accepted a higher token: its own
 * log is its acceptance order, so no clock is involved.
 */
export function staleAccepted(
  resourceLog: ElectEvidence['resourceLog'],
): { index: number; token: number; after: number }[] {
  return belowHighest(resourceLog, (e) => e.token).map(({ index, item, highest }) => ({
    index,
    token: item.token,
    after: highest.token,
  }));
}

/** Where the resource and the writers' logs disagree. */
export function resourceMismatches(evidence: ElectEvidence): string[] {
  const done = ofType(evidence.workerRecords, 'write-done');
  const { notSent, lost, refusedYetHeld } = reconcile(
    evidence.resourceLog.map((e) => e.wid),
    {
      sent: ofType(evidence.workerRecords, 'write-sent').map((w) => w.wid),
      acknowledged: done.filter((d) => d.outcome === 'accepted').map((d) => d.wid),
      refused: done.filter((d) => d.outcome === 'stale').map((d) => d.wid),
    },
  );
  return [
    ...notSent.map((wid) => `${wid} is in the resource but no worker logged sending it`),
    ...lost.map((wid) => `${wid} was acknowledged but is not in the resource`),
    ...refusedYetHeld.map((wid) => `${wid} was refused yet is in the resource`),
  ];
}

/** Each pause and what the paused leader did once resumed, from its own log. */
export interface PauseOutcome {
  readonly worker: string;
  readonly token: number;
  readonly pausedAt: number;
  readonly resumedAt?: number;
  /** Its first write after the resume, and how it ended (absent: it sent none). */
  readonly lateWrite?: { readonly wid: string; readonly outcome?: string };
  /** When it logged that it stopped acting, after the resume. */
  readonly stoppedAt?: number;
  readonly stopReason?: ActingStopReason;
  /** A successor wrote before the resume (its own log): the late write had to meet the fence. */
  readonly successorWroteFirst: boolean;
  /** Fenced or past its deadline, and stopped: what a correct leader does. */
  readonly ok: boolean;
}

export function pauseOutcomes(evidence: ElectEvidence): PauseOutcome[] {
  const { workerRecords, runRecords } = evidence;
  const accepted = ofType(workerRecords, 'write-done').filter((d) => d.outcome === 'accepted');
  return ofType(runRecords, 'pause').map((pause): PauseOutcome => {
    const resume = ofType(runRecords, 'resume').find((r) => r.worker === pause.worker && r.at >= pause.at);
    const after = (r: { at: number }) => resume !== undefined && r.at >= resume.at;
    const mine = workerRecords.filter(
      (r) => r.worker === pause.worker && 'token' in r && r.token === pause.token && after(r),
    );
    const sent = mine.find((r): r is ElectWorkerRecordOf<'write-sent'> => r.type === 'write-sent');
    const done =
      sent && mine.find((r): r is ElectWorkerRecordOf<'write-done'> => r.type === 'write-done' && r.wid === sent.wid);
    const stop = mine.find((r): r is ElectWorkerRecordOf<'acting-stop'> => r.type === 'acting-stop');
    // At or before: the nemesis resumes on seeing the successor's record, sometimes within the same millisecond.
    const successor = resume !== undefined && successorWroteFirst(accepted, pause.token, resume.at, true);
    const lateWriteOk = sent === undefined || done?.outcome === 'stale' || !successor;
    return {
      worker: pause.worker,
      token: pause.token,
      pausedAt: pause.at,
      ...(resume ? { resumedAt: resume.at } : {}),
      ...(sent ? { lateWrite: { wid: sent.wid, ...(done ? { outcome: done.outcome } : {}) } } : {}),
      ...(stop ? { stoppedAt: stop.at, stopReason: stop.reason } : {}),
      successorWroteFirst: successor,
      ok: resume !== undefined && stop !== undefined && lateWriteOk,
    };
  });
}

/** Every failover, graceful stop and handoff of the run, measured from the logs. */
export function measureHandovers(evidence: ElectEvidence, timing: ElectTimingInfo): ElectHandover[] {
  const { workerRecords, runRecords } = evidence;
  const bounds = handoverBounds(timing);
  const starts = ofType(workerRecords, 'acting-start').sort((a, b) => a.at - b.at);
  const successor = (token: number, after: number) => starts.find((s) => s.token > token && s.at >= after);
  const renewals = [...starts, ...ofType(workerRecords, 'deadline')];
  // A deadline is `t0 + D - M`, `t0` when the write behind it was sent: the send time, free of its latency.
  const lastRenewal = (worker: string, token: number, before: number) =>
    Math.max(
      -Infinity,
      ...renewals.filter((r) => r.worker === worker && r.token === token && r.at <= before).map((r) => r.deadlineAt),
    ) -
    (timing.durationMs - timing.safetyMarginMs);
  const handover = (
    kind: HandoverKind,
    from: { worker: string; token: number },
    startAt: number,
    next: ElectWorkerRecordOf<'acting-start'> | undefined,
  ): ElectHandover => {
    const ms = next === undefined ? undefined : next.at - startAt;
    const boundMs = bounds[kind].boundMs;
    const renewedAt =
      kind === 'graceful-stop' || kind === 'handoff' ? -Infinity : lastRenewal(from.worker, from.token, startAt);
    return {
      kind,
      from: { worker: from.worker, token: from.token },
      ...(next ? { to: { worker: next.worker, token: next.token } } : {}),
      startAt,
      ...(ms === undefined ? {} : { ms }),
      ...(next && Number.isFinite(renewedAt) ? { sinceRenewalMs: next.at - renewedAt } : {}),
      boundMs,
      ok: ms !== undefined && ms <= boundMs,
    };
  };
  const list: ElectHandover[] = [];
  for (const kill of ofType(runRecords, 'kill')) {
    list.push(
      handover(
        kill.phase === 'clock-free-kill' ? 'clock-free-failover' : 'failover',
        kill,
        kill.at,
        successor(kill.token, kill.at),
      ),
    );
  }
  for (const pause of ofType(runRecords, 'pause'))
    list.push(handover('failover-after-pause', pause, pause.at, successor(pause.token, pause.at)));
  const stopRequests = ofType(workerRecords, 'stop-requested');
  for (const stop of ofType(runRecords, 'stop')) {
    if (stop.token === undefined) continue;
    const token = stop.token;
    // The leader's own record of being asked to stop; the parent's record only if the worker logged none.
    const asked = stopRequests.find((r) => r.worker === stop.worker && r.at >= stop.at)?.at ?? stop.at;
    list.push(handover('graceful-stop', { worker: stop.worker, token }, asked, successor(token, asked)));
  }
  for (const request of ofType(workerRecords, 'handoff-requested').filter((r) => r.applied)) {
    const holder = starts.find((s) => s.token === request.token);
    // To the next leader, whoever it is: a higher priority that asked meanwhile outranks this requester.
    list.push(
      handover(
        'handoff',
        { worker: holder?.worker ?? '?', token: request.token },
        request.at,
        successor(request.token, request.at),
      ),
    );
  }
  return list.sort((a, b) => a.startAt - b.startAt);
}

/** The figures the report leads with: one distribution per kind of handover. */
export type ElectFigures = Record<HandoverKind, Distribution>;

export function figures(handovers: readonly ElectHandover[]): ElectFigures {
  const of = (kind: HandoverKind) =>
    distribution(handovers.filter((h) => h.kind === kind && h.ms !== undefined).map((h) => h.ms as number));
  return Object.fromEntries(HANDOVER_KINDS.map((k) => [k, of(k)])) as ElectFigures;
}

/** Counts behind the checks. */
export interface ElectCounts {
  readonly tenures: number;
  readonly takeovers: number;
  readonly writesAccepted: number;
  /** Writes the fence refused (their writers' logs), whose entry is indeed absent. */
  readonly staleWritesRejected: number;
  /** Must be 0. */
  readonly staleWritesAccepted: number;
  /** Must be 0. */
  readonly overlappingWindows: number;
  readonly kills: number;
  readonly pauses: number;
  readonly gracefulStops: number;
  readonly handoffs: number;
  /** Tenures begun by takeover while the clocks were skewed, before the clock-free leader was killed. Must be 0. */
  readonly takeoversUnderSkew: number;
}

/** Everything the report says about the run. */
export interface ElectFindings {
  readonly counts: ElectCounts;
  readonly checks: Check[];
  readonly windows: ActingWindow[];
  readonly handovers: ElectHandover[];
  readonly pauses: PauseOutcome[];
  readonly figures: ElectFigures;
}

export function computeElectChecks(evidence: ElectEvidence, timing: ElectTimingInfo): ElectFindings {
  const { workerRecords, runRecords, resourceLog } = evidence;
  const windows = actingWindows(evidence);
  const overlaps = overlappingWindows(windows);
  const stale = staleAccepted(resourceLog);
  const mismatches = resourceMismatches(evidence);
  const pauses = pauseOutcomes(evidence);
  const handovers = measureHandovers(evidence, timing);
  const bounds = handoverBounds(timing);
  const done = ofType(workerRecords, 'write-done');
  const inLog = new Set(resourceLog.map((e) => e.wid));
  const refused = done.filter((d) => d.outcome === 'stale' && !inLog.has(d.wid));

  const phases = ofType(runRecords, 'phase');
  const skewFrom = ofType(runRecords, 'skew')[0]?.at;
  const skewTo =
    ofType(runRecords, 'kill').find((k) => k.phase === 'clock-free-kill')?.at ??
    phases.find((p) => p.phase === 'end')?.at ??
    Infinity;
  // A takeover: the tenure began on a lease its holder never released. A leader that stopped on its own
  // (its deadline, with --skew-leader-back) and released was not taken over.
  const underSkew =
    skewFrom === undefined ? [] : windows.filter((w) => w.takeover && w.start > skewFrom && w.start < skewTo);
  const gaveUp = ofType(runRecords, 'gave-up');
  const crashed = diedUnbidden(ofType(runRecords, 'exit'), ofType(runRecords, 'kill'));
  const failedElectors = ofType(workerRecords, 'done').filter((d) => d.error !== undefined);
  const kinds = (kind: HandoverKind) => handovers.filter((h) => h.kind === kind);

  const counts: ElectCounts = {
    tenures: windows.length,
    takeovers: windows.filter((w) => w.takeover).length,
    writesAccepted: resourceLog.length,
    staleWritesRejected: refused.length,
    staleWritesAccepted: stale.length,
    overlappingWindows: overlaps.length,
    kills: ofType(runRecords, 'kill').length,
    pauses: pauses.length,
    gracefulStops: kinds('graceful-stop').length,
    handoffs: kinds('handoff').length,
    takeoversUnderSkew: underSkew.length,
  };

  const name = (w: ActingWindow) => `${w.worker} token ${w.token}`;
  const late = handovers.filter((h) => !h.ok);
  const pauseStory = (p: PauseOutcome) =>
    `${p.worker} token ${p.token}: ${p.lateWrite ? `its late write was ${p.lateWrite.outcome === 'stale' ? 'refused by the fence' : (p.lateWrite.outcome ?? 'never answered')}` : 'sent no write after the resume'}` +
    `${p.successorWroteFirst ? ' (a successor had written)' : ' (no successor had written yet)'}, ${p.stoppedAt === undefined ? 'never stopped acting' : `then stopped acting (${p.stopReason})`}`;
  const checks: Check[] = [
    check(
      'no two acting windows overlap',
      overlaps.map(
        ([a, b]) =>
          `${name(b)} started ${b.start - a.start} ms into ${name(a)}, which acted until ${a.end - b.start} ms later`,
      ),
      `${windows.length} tenures, each from its holder's acting-start to its acting-stop or its lease's ` +
        `deadline, whichever came first`,
    ),
    check(
      'no stale write was accepted',
      stale.map((s) => `entry ${s.index + 1} has token ${s.token} after token ${s.after}`),
      `${resourceLog.length} writes accepted, tokens never going down; ${refused.length} stale ${refused.length === 1 ? 'write' : 'writes'} ` +
        `refused by the fence`,
    ),
    check(
      'the resource matches the workers’ logs',
      mismatches,
      'every entry was sent by a logged write, every acknowledged write is there, no refused one is',
    ),
    // Fails with no pause too: the nemesis's pause step is what this demo exists to show.
    {
      name: 'the paused leader was fenced and stopped acting',
      ok: pauses.length > 0 && pauses.every((p) => p.ok),
      detail: pauses.length === 0 ? 'no pause in this run' : listed(pauses.map(pauseStory)),
    },
    {
      name: 'every failover and handoff came within its bound',
      ok: handovers.length > 0 && late.length === 0,
      detail:
        late.length === 0
          ? HANDOVER_KINDS.filter((k) => kinds(k).length > 0)
              .map(
                (k) =>
                  `${k} ${kinds(k)
                    .map((h) => `${h.ms} ms`)
                    .join(', ')} (bound ${bounds[k].boundMs} ms)`,
              )
              .join('; ')
          : listed(
              late.map(
                (h) =>
                  `${h.kind} from ${h.from.worker} token ${h.from.token}: ${h.ms === undefined ? 'no successor ever led' : `${h.ms} ms > ${h.boundMs} ms`}`,
              ),
            ),
    },
    {
      name: 'under skew, no waiter took the lease from a live leader',
      ok: skewFrom !== undefined && underSkew.length === 0,
      detail:
        skewFrom === undefined
          ? 'no skew in this run'
          : underSkew.length === 0
            ? `clocks set up to ${spread(ofType(runRecords, 'skew'))} ms apart, far beyond maxClockSkewMs ` +
              `${timing.maxClockSkewMs}: no waiter took over an unreleased lease until the leader was killed`
            : `taken over while its holder had not released it: ${listed(underSkew.map(name))}`,
    },
    {
      name: 'the nemesis played every step',
      ok: gaveUp.length === 0 && phases.some((p) => p.phase === 'end'),
      detail:
        gaveUp.length === 0
          ? phases.map((p) => p.phase).join(', ')
          : listed(gaveUp.map((g) => `${g.phase}: gave up waiting for ${g.waitingFor}`)),
    },
    check(
      'nothing else went wrong',
      [
        ...crashed.map((e) => `${e.worker} died unbidden (${e.signal ?? `code ${e.code}`})`),
        ...failedElectors.map((d) => `elector ${d.worker} failed: ${d.error}`),
      ],
      'every worker exited cleanly or by the nemesis’s SIGKILL; no elector failed',
    ),
    {
      name: 'leaders wrote',
      ok: resourceLog.length > 0,
      detail: `${resourceLog.length} writes accepted by the resource`,
    },
  ];
  return { counts, checks, windows, handovers, pauses, figures: figures(handovers) };
}

/** The widest disagreement the skews set between two workers' clocks (the host's own clock counts as one, offset 0). */
function spread(skews: readonly { offsetMs: number }[]): number {
  const offsets = [0, ...skews.map((s) => s.offsetMs)];
  return Math.max(...offsets) - Math.min(...offsets);
}
