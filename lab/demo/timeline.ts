/**
 * The run as a timeline per worker: its tenures (token, start, end, how each
 * ended), the kills and pauses it suffered, the duplicate ticks it skipped and
 * the stale writes the fence refused it. Pure; the HTML report draws it.
 */
import { ofType } from '../harness/checks.js';
import type { DemoEvidence } from './records.js';

export interface Tenure {
  readonly token: number;
  readonly tick: number;
  readonly start: number;
  readonly end: number;
  /** `ran`: wrote and finished; `refused`: its write met the fence; `killed`: died leading; `failed`: another error; `open`: no end in the logs. */
  readonly result: 'ran' | 'refused' | 'killed' | 'failed' | 'open';
  readonly takeover: boolean;
  /** When it sent its ledger write, if it did. */
  readonly writeAt?: number;
}

export interface TimelineRow {
  readonly worker: string;
  readonly pid: number;
  readonly spawnedAt: number;
  readonly exitedAt?: number;
  readonly killed: boolean;
  readonly replaces?: string;
  readonly tenures: readonly Tenure[];
  readonly kills: readonly { readonly at: number; readonly token: number }[];
  readonly pauses: readonly { readonly from: number; readonly to?: number; readonly token: number }[];
  readonly skippedDuplicates: readonly { readonly at: number; readonly tick: number }[];
  readonly refusedWrites: readonly { readonly at: number; readonly token: number; readonly fence?: number }[];
}

export interface Timeline {
  /** The run's time zero, its first tick: the live view's `t+` and the report's axis both count from here. */
  readonly zero: number;
  readonly start: number;
  readonly end: number;
  readonly ticks: readonly number[];
  readonly rows: readonly TimelineRow[];
}

export function buildTimeline(evidence: DemoEvidence): Timeline {
  const { workerRecords, runRecords } = evidence;
  let start = Infinity;
  let end = -Infinity;
  for (const r of [...workerRecords, ...runRecords]) {
    start = Math.min(start, r.at);
    end = Math.max(end, r.at);
  }
  if (start > end) start = end = 0;
  const exits = ofType(runRecords, 'exit');
  const kills = ofType(runRecords, 'kill');
  const pauses = ofType(runRecords, 'pause');
  const resumes = ofType(runRecords, 'resume');
  const rows = ofType(runRecords, 'spawn').map((spawn): TimelineRow => {
    const mine = workerRecords.filter((r) => r.worker === spawn.worker);
    const exit = exits.find((e) => e.worker === spawn.worker);
    const myKills = kills.filter((k) => k.worker === spawn.worker);
    const outcomes = ofType(mine, 'outcome');
    const writes = ofType(mine, 'write-start');
    const tenures = ofType(mine, 'job-start').map((job): Tenure => {
      const outcome = outcomes.find((o) => o.token === job.token && o.status !== 'skipped' && o.at >= job.at);
      const kill = myKills.find((k) => k.token === job.token);
      const writeAt = writes.find((w) => w.token === job.token)?.at;
      const result: Tenure['result'] = outcome
        ? outcome.status === 'ran'
          ? 'ran'
          : outcome.error === 'StaleTokenError'
            ? 'refused'
            : 'failed'
        : kill
          ? 'killed'
          : 'open';
      return {
        token: job.token,
        tick: job.tick,
        start: job.at,
        end: outcome?.at ?? kill?.at ?? exit?.at ?? end,
        result,
        takeover: job.takeover,
        ...(writeAt === undefined ? {} : { writeAt }),
      };
    });
    return {
      worker: spawn.worker,
      pid: spawn.pid,
      spawnedAt: spawn.at,
      ...(exit ? { exitedAt: exit.at } : {}),
      killed: exit?.signal === 'SIGKILL',
      ...(spawn.replaces ? { replaces: spawn.replaces } : {}),
      tenures,
      kills: myKills.map((k) => ({ at: k.at, token: k.token })),
      pauses: pauses
        .filter((p) => p.worker === spawn.worker)
        .map((p) => {
          const to = resumes.find((r) => r.worker === p.worker && r.token === p.token && r.at >= p.at)?.at;
          return { from: p.at, token: p.token, ...(to === undefined ? {} : { to }) };
        }),
      skippedDuplicates: outcomes
        .filter((o) => o.status === 'skipped' && o.reason === 'tick-done')
        .map((o) => ({ at: o.at, tick: o.tick })),
      refusedWrites: ofType(mine, 'write-end')
        .filter((w) => !w.ok && w.error === 'StaleTokenError')
        .map((w) => ({ at: w.at, token: w.token, ...(w.fence === undefined ? {} : { fence: w.fence }) })),
    };
  });
  const ticks = ofType(runRecords, 'tick').map((t) => t.tick);
  return { zero: ticks[0] ?? start, start, end, ticks, rows };
}
