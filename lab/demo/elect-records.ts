/**
 * The evidence an elector demo run (`npm run demo -- --elect`) leaves behind,
 * one JSON object per line, as in the Lambda demo (lab/demo/records.ts).
 *
 * Each worker process appends to its own log (`<worker>.jsonl`) what it did
 * and saw, with one `write(2)` per record before it tells the parent anything:
 * when it started and stopped acting as leader (with its token), the deadline
 * its lease gave it after each renewal, every fenced write it sent and how it
 * ended. The parent writes the run log (`run.jsonl`): the processes it started
 * and saw exit, and every action of the nemesis.
 *
 * `at` is always the host's wall clock (`Date.now()`): every process runs on
 * one machine, so it is a common time base. The clock the protocol reads in a
 * worker may be skewed on purpose; that one is never used for evidence.
 */
import type { WriteOutcomeKind } from '../chaos/history.js';
import type { PoolRecord, StrikeRecord } from '../harness/worker-pool.js';

interface Stamp {
  /** The worker's name (`w1`, `w2`, ...): one per process, never reused. */
  readonly worker: string;
  /** Host wall clock, epoch ms. */
  readonly at: number;
}

/** What one elector worker writes about itself. */
export type ElectWorkerRecord =
  | (Stamp & {
      readonly type: 'ready';
      readonly pid: number;
      readonly priority: number;
      readonly clockFree: boolean;
      /** The offset of the protocol's wall clock from the host's, in ms. */
      readonly offsetMs: number;
    })
  | (Stamp & {
      readonly type: 'acting-start';
      readonly token: number;
      readonly holder: string;
      readonly priority: number;
      readonly clockFree: boolean;
      /** The tenure began on a lease whose holder never released it. */
      readonly takeover: boolean;
      /** When the lease's own deadline falls (`t0 + D - M`, on the host clock), as the lease says. */
      readonly deadlineAt: number;
    })
  /** After each renewal: the deadline it moved to. */
  | (Stamp & { readonly type: 'deadline'; readonly token: number; readonly deadlineAt: number })
  /** The leader begins preparing a write: a step that does not look at the lease (see elect-worker.ts). */
  | (Stamp & { readonly type: 'prepare'; readonly token: number; readonly prepareMs: number })
  | (Stamp & {
      readonly type: 'write-sent';
      readonly token: number;
      readonly wid: string;
      readonly remainingMs: number;
    })
  | (Stamp & {
      readonly type: 'write-done';
      readonly token: number;
      readonly wid: string;
      readonly outcome: WriteOutcomeKind;
      /** The resource's fence, when a refusal revealed it. */
      readonly fence?: number;
      readonly error?: string;
    })
  | (Stamp & {
      readonly type: 'acting-stop';
      readonly token: number;
      /** Why: `handoff`, `stopped`, `lost`, `deadline` (the lease's signal), or `fenced` (its write was refused). */
      readonly reason: ActingStopReason;
      readonly message?: string;
    })
  /** This worker asked the holder (of `token`) to hand over, with its own priority. */
  | (Stamp & {
      readonly type: 'handoff-requested';
      readonly token: number;
      readonly priority: number;
      readonly applied: boolean;
    })
  | (Stamp & { readonly type: 'released'; readonly token: number })
  | (Stamp & { readonly type: 'skewed'; readonly offsetMs: number })
  /** The parent asked it to stop; it aborts its elector's signal now. */
  | (Stamp & { readonly type: 'stop-requested' })
  /** `elect` resolved (or rejected, with `error`): contending is over. */
  | (Stamp & { readonly type: 'done'; readonly error?: string });

export type ActingStopReason = 'handoff' | 'stopped' | 'lost' | 'deadline' | 'fenced';

/** The scripted steps of the nemesis, in order. */
export const ELECT_PHASES = ['kill', 'pause', 'graceful-stop', 'rolling-restart', 'skew', 'clock-free-kill'] as const;
export type ElectPhase = (typeof ELECT_PHASES)[number];

/** What the parent writes: the pool's spawns and exits, and the nemesis's actions. */
export type ElectRunRecord =
  | PoolRecord
  | { readonly type: 'phase'; readonly at: number; readonly phase: ElectPhase | 'end' }
  /** `token` is the tenure the target was leading, as its own records told the parent. */
  | StrikeRecord<'kill', { readonly phase: ElectPhase }>
  | StrikeRecord<'pause'>
  | StrikeRecord<'resume'>
  /** A graceful stop; `token` when the worker was leading. */
  | {
      readonly type: 'stop';
      readonly at: number;
      readonly worker: string;
      readonly pid: number;
      readonly token?: number;
      readonly phase: ElectPhase;
    }
  | { readonly type: 'skew'; readonly at: number; readonly worker: string; readonly offsetMs: number }
  /** A step did not see what it waited for in time and moved on: the report fails. */
  | { readonly type: 'gave-up'; readonly at: number; readonly phase: ElectPhase; readonly waitingFor: string };

/** Every record type of both logs, narrowed by `type`. */
export type ElectWorkerRecordOf<T extends ElectWorkerRecord['type']> = Extract<ElectWorkerRecord, { type: T }>;
export type ElectRunRecordOf<T extends ElectRunRecord['type']> = Extract<ElectRunRecord, { type: T }>;

/** One accepted write, in the order the resource accepted it (its own log). */
export interface ResourceLogEntry {
  readonly token: number;
  readonly wid: string;
}

/** Everything the elector demo's report is computed from. */
export interface ElectEvidence {
  readonly workerRecords: readonly ElectWorkerRecord[];
  readonly runRecords: readonly ElectRunRecord[];
  /** The fenced resource's log, read after the run with a strongly consistent read. */
  readonly resourceLog: readonly ResourceLogEntry[];
}
