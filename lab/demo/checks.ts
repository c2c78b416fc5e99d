/**
 * The demo's safety checks, computed from evidence only: the ledger as read
 * after the run, the workers' own logs, and the run log (ticks sent, signals
 * sent, samples of the ledger head taken during the run). Nothing here trusts
 * a counter kept by the code under test. Pure: no I/O, no clock.
 */
import {
  belowHighest,
  check,
  diedUnbidden,
  ofType,
  reconcile,
  repeated,
  successorWroteFirst,
  type Check,
} from '../harness/checks.js';
import type { DemoEvidence, LedgerEntry, RunRecord, WorkerRecord } from './records.js';

/** The counts the report leads with. */
export interface DemoCounts {
  /** Ticks the schedule sent. */
  readonly ticks: number;
  /** Distinct ticks with a ledger entry. */
  readonly ticksRun: number;
  /** Ledger entries beyond the first for the same tick. Must be 0. */
  readonly duplicateTicksRun: number;
  /** Invocations of an event a worker had already been invoked with (workers' logs). */
  readonly duplicateDeliveries: number;
  /** Invocations skipped because their tick was already done (workers' logs). */
  readonly duplicatesSkipped: number;
  /**
   * Of `duplicatesSkipped`, those that were a redelivery. The rest were first
   * deliveries that reached their worker after the tick's leader had finished:
   * every contender gets every tick, and a slow one finds it done.
   */
  readonly redeliveriesSkipped: number;
  /** Tenures that began on a lease whose holder never released it (workers' logs). */
  readonly takeovers: number;
  /** SIGKILLs whose process was then seen to exit by SIGKILL. */
  readonly kills: number;
  /** SIGSTOPs followed by a SIGCONT (and, where the OS shows it, seen stopped). */
  readonly pauses: number;
  /** Ledger writes refused with StaleTokenError (workers' logs), whose entry is indeed absent. */
  readonly staleWritesRejected: number;
  /** Ledger entries a stale tenure got in. Must be 0. */
  readonly staleWritesAccepted: number;
  /** Times the fenced resource's fence went down. Must be 0. */
  readonly tokenRegressions: number;
  /** Ledger entries no worker logged writing. Must be 0. */
  readonly unattributedEntries: number;
  /** Writes a worker logged as committed that the ledger does not hold. Must be 0. */
  readonly missingEntries: number;
  /** Paused leaders resumed after a successor wrote whose late write was not refused by the fence. Must be 0. */
  readonly pausedLeadersNotFenced: number;
  /** Invocations that threw anything but the fence's StaleTokenError. Must be 0. */
  readonly unexpectedErrors: number;
  /** Workers that exited other than cleanly at the end or by the nemesis's SIGKILL. Must be 0. */
  readonly crashedWorkers: number;
}

/** Where in its job a paused leader was stopped. */
export type PausePhase = 'before-write' | 'during-write' | 'after-write' | 'after-job';

/** A pause, set against the paused worker's own log. */
export interface PauseFinding {
  readonly worker: string;
  readonly token: number;
  readonly at: number;
  readonly resumedAt?: number;
  readonly phase: PausePhase;
  /** Whether a tenure with a higher token had written before the SIGCONT (workers' logs). */
  readonly successorWroteFirst: boolean;
  /** What became of the paused tenure's write: refused by the fence, committed, another error, or never attempted. */
  readonly write: 'refused' | 'committed' | 'failed' | 'none';
}

export type WorkerRecordOf<T extends WorkerRecord['type']> = Extract<WorkerRecord, { type: T }>;
export type RunRecordOf<T extends RunRecord['type']> = Extract<RunRecord, { type: T }>;

/** Ledger entries beyond the first, per tick: the tick ran more than once. */
export function duplicateTickRuns(entries: readonly LedgerEntry[]): { count: number; ticks: number[] } {
  const twice = repeated(entries, (e) => e.tick);
  return { count: twice.reduce((sum, t) => sum + t.items.length - 1, 0), ticks: twice.map((t) => t.key) };
}

/**
 * Ledger entries written by a tenure that was already stale at the resource:
 * - its writer logged the write as failed, yet the entry is there; or
 * - before its writer sent the write, a write with a higher token had already
 *   committed, as its writer's log shows, or as a sample of the head showed.
 * The fence exists to make this impossible.
 */
export function staleWritesAccepted(evidence: DemoEvidence): { count: number; tokens: number[] } {
  const { workerRecords, runRecords, ledger } = evidence;
  const starts = firstByToken(ofType(workerRecords, 'write-start'));
  const ends = ofType(workerRecords, 'write-end');
  const committed = ends.filter((r) => r.ok);
  const refused = new Set(ends.filter((r) => !r.ok).map((r) => r.token));
  const samples = ofType(runRecords, 'sample');
  const tokens: number[] = [];
  for (const entry of ledger.entries) {
    const sentAt = starts.get(entry.token)?.at;
    const refusedButThere = refused.has(entry.token) && !committed.some((r) => r.token === entry.token);
    const laterTokenFirst =
      sentAt !== undefined &&
      (committed.some((r) => r.token > entry.token && r.at < sentAt) ||
        samples.some((s) => (s.head?.fence ?? 0) > entry.token && s.at < sentAt));
    if (refusedButThere || laterTokenFirst) tokens.push(entry.token);
  }
  return { count: tokens.length, tokens };
}

/**
 * Times the resource's fence went down, as the resource itself shows it: a
 * sample of the ledger head with a lower fence than the sample before it, and
 * a final head whose fence is below a token that wrote an entry.
 */
export function tokenRegressions(evidence: DemoEvidence): { count: number; detail: string[] } {
  const samples = ofType(evidence.runRecords, 'sample').flatMap((s) =>
    s.head?.fence === undefined ? [] : [{ at: s.at, fence: s.head.fence }],
  );
  const below = belowHighest(samples, (s) => s.fence);
  // A fence that stays down is one regression: count the samples where it went down, not each low one after.
  const detail = below
    .filter((b, i) => i === 0 || below[i - 1]!.index !== b.index - 1)
    .map(({ item, highest }) => `head sampled at ${item.at}: fence ${item.fence} after ${highest.fence}`);
  const maxEntryToken = Math.max(0, ...evidence.ledger.entries.map((e) => e.token));
  const finalFence = evidence.ledger.head?.fence ?? 0;
  if (finalFence < maxEntryToken) detail.push(`final head fence ${finalFence} below entry token ${maxEntryToken}`);
  return { count: detail.length, detail };
}

/** Each pause, set against the paused worker's log and the successors' writes. */
export function classifyPauses(evidence: DemoEvidence): PauseFinding[] {
  const { workerRecords, runRecords } = evidence;
  const resumes = ofType(runRecords, 'resume');
  const committed = ofType(workerRecords, 'write-end').filter((r) => r.ok);
  return ofType(runRecords, 'pause').map((pause) => {
    const mine = workerRecords.filter((r) => r.worker === pause.worker && 'token' in r && r.token === pause.token);
    const writeStart = mine.find((r) => r.type === 'write-start');
    const writeEnd = mine.find((r): r is WorkerRecordOf<'write-end'> => r.type === 'write-end');
    const outcome = mine.find((r) => r.type === 'outcome');
    const resume = resumes.find((r) => r.worker === pause.worker && r.token === pause.token && r.at >= pause.at);
    const phase: PausePhase =
      outcome !== undefined && outcome.at <= pause.at
        ? 'after-job'
        : writeEnd !== undefined && writeEnd.at <= pause.at
          ? 'after-write'
          : writeStart !== undefined && writeStart.at <= pause.at
            ? 'during-write'
            : 'before-write';
    const resumedAt = resume?.at;
    const successor = resumedAt !== undefined && successorWroteFirst(committed, pause.token, resumedAt);
    const write =
      writeEnd === undefined
        ? 'none'
        : writeEnd.ok
          ? 'committed'
          : writeEnd.error === 'StaleTokenError'
            ? 'refused'
            : 'failed';
    return {
      worker: pause.worker,
      token: pause.token,
      at: pause.at,
      ...(resumedAt === undefined ? {} : { resumedAt }),
      phase,
      successorWroteFirst: successor,
      write,
    };
  });
}

/** Computes every count and check of the report. */
export function computeChecks(evidence: DemoEvidence): { counts: DemoCounts; checks: Check[]; pauses: PauseFinding[] } {
  const { workerRecords, runRecords, ledger } = evidence;
  const invocations = ofType(workerRecords, 'invoke');
  const outcomes = ofType(workerRecords, 'outcome');
  const ends = ofType(workerRecords, 'write-end');
  const entryKey = (w: { tick: number; token: number }) => `${w.tick}#${w.token}`;
  const entries = new Set(ledger.entries.map(entryKey));

  const exits = ofType(runRecords, 'exit');
  const kills = ofType(runRecords, 'kill').filter((k) => exits.some((e) => e.pid === k.pid && e.signal === 'SIGKILL'));
  const resumes = ofType(runRecords, 'resume');
  const pausesDone = ofType(runRecords, 'pause').filter(
    (p) => p.stopped !== false && resumes.some((r) => r.pid === p.pid && r.at >= p.at),
  );

  const duplicates = duplicateTickRuns(ledger.entries);
  const stale = staleWritesAccepted(evidence);
  const regressions = tokenRegressions(evidence);
  const pauses = classifyPauses(evidence);
  const notFenced = pauses.filter((p) => p.phase === 'before-write' && p.successorWroteFirst && p.write !== 'refused');
  const refused = ends.filter((r) => !r.ok && r.error === 'StaleTokenError' && !entries.has(entryKey(r)));
  const { notSent: unattributed, lost: missing } = reconcile(ledger.entries.map(entryKey), {
    sent: ofType(workerRecords, 'write-start').map(entryKey),
    acknowledged: ends.filter((r) => r.ok).map(entryKey),
    refused: [],
  });
  const runsMismatch = ledger.head !== undefined && (ledger.head.runs ?? 0) !== ledger.entries.length;
  const unexpected = outcomes.filter((o) => o.status === 'error' && o.error !== 'StaleTokenError');
  const crashed = diedUnbidden(exits, ofType(runRecords, 'kill'));

  const counts: DemoCounts = {
    ticks: ofType(runRecords, 'tick').length,
    ticksRun: new Set(ledger.entries.map((e) => e.tick)).size,
    duplicateTicksRun: duplicates.count,
    duplicateDeliveries: invocations.length - new Set(invocations.map((r) => r.eventId)).size,
    duplicatesSkipped: outcomes.filter((o) => o.status === 'skipped' && o.reason === 'tick-done').length,
    redeliveriesSkipped: redeliveryOutcomes(invocations, outcomes).filter(
      (o) => o.status === 'skipped' && o.reason === 'tick-done',
    ).length,
    takeovers: ofType(workerRecords, 'job-start').filter((r) => r.takeover).length,
    kills: kills.length,
    pauses: pausesDone.length,
    staleWritesRejected: refused.length,
    staleWritesAccepted: stale.count,
    tokenRegressions: regressions.count,
    unattributedEntries: unattributed.length,
    missingEntries: missing.length,
    pausedLeadersNotFenced: notFenced.length,
    unexpectedErrors: unexpected.length,
    crashedWorkers: crashed.length,
  };

  const checks: Check[] = [
    check(
      'every tick ran at most once',
      duplicates.ticks.map((t) => `tick ${iso(t)} has more than one entry`),
      `${counts.ticksRun} ticks in the ledger, one entry each`,
    ),
    check(
      'no stale write was accepted',
      stale.tokens.map((t) => `entry from stale token ${t}`),
      `${counts.staleWritesRejected} stale ${counts.staleWritesRejected === 1 ? 'write' : 'writes'} ` +
        `refused, none in the ledger`,
    ),
    check(
      'the fence never went backwards',
      regressions.detail,
      `final fence ${ledger.head?.fence ?? 0}, never seen lower than before`,
    ),
    check(
      'the ledger matches the workers’ logs',
      [
        ...unattributed.map((k) => `entry ${k} (tick#token) no worker logged writing`),
        ...missing.map((k) => `write ${k} (tick#token) logged as committed but absent`),
        ...(runsMismatch
          ? [`head counts ${ledger.head?.runs ?? 0} runs, ledger holds ${ledger.entries.length} entries`]
          : []),
      ],
      `${ledger.entries.length} entries, each logged by its writer; head counts ${ledger.head?.runs ?? 0} runs`,
    ),
    check(
      'paused leaders were fenced',
      notFenced.map((p) => `${p.worker} token ${p.token} not refused (${p.write})`),
      `${pauses.filter((p) => p.phase === 'before-write' && p.successorWroteFirst).length} paused ` +
        `before their write and resumed after a successor wrote: all refused`,
    ),
    check(
      'nothing else went wrong',
      [
        ...unexpected.map((o) => `${o.worker} threw ${o.error}: ${o.message ?? ''}`),
        ...crashed.map((e) => `${e.worker} died unbidden (${e.signal ?? `code ${e.code}`})`),
      ],
      'no invocation threw anything but StaleTokenError; every worker exited cleanly or by the nemesis',
    ),
    {
      name: 'ticks ran',
      ok: counts.ticksRun > 0,
      detail: `${counts.ticksRun} of ${counts.ticks} ticks have a ledger entry`,
    },
  ];
  return { counts, checks, pauses };
}

/**
 * The outcomes of redelivered events. A worker runs its invocations one at a
 * time, so its k-th outcome for an event answers its k-th invocation of it; an
 * invocation is a redelivery when the event had reached some worker before.
 */
export function redeliveryOutcomes(
  invocations: readonly WorkerRecordOf<'invoke'>[],
  outcomes: readonly WorkerRecordOf<'outcome'>[],
): WorkerRecordOf<'outcome'>[] {
  const firstAt = new Map<string, number>();
  for (const i of invocations) firstAt.set(i.eventId, Math.min(firstAt.get(i.eventId) ?? Infinity, i.at));
  const seen = new Map<string, number>();
  return outcomes.filter((o) => {
    const key = `${o.worker}\n${o.eventId}`;
    const k = seen.get(key) ?? 0;
    seen.set(key, k + 1);
    const invoke = invocations.filter((i) => i.worker === o.worker && i.eventId === o.eventId)[k];
    return invoke !== undefined && invoke.at > (firstAt.get(o.eventId) ?? Infinity);
  });
}

function firstByToken<R extends { token: number }>(records: readonly R[]): Map<number, R> {
  const map = new Map<number, R>();
  for (const r of records) if (!map.has(r.token)) map.set(r.token, r);
  return map;
}

function iso(tick: number): string {
  return new Date(tick).toISOString();
}
