/**
 * The evidence a demo run leaves behind, one JSON object per line in the
 * lab's evidence format (lab/harness/evidence.ts).
 *
 * Each worker process writes its own log (`<worker>.jsonl`) as things happen
 * to it: what it was invoked with, when its job started and wrote, and what
 * the handler returned or threw. The parent writes the run log (`run.jsonl`):
 * ticks and deliveries it sent, processes it spawned and saw exit, the signals
 * the nemesis sent, and samples of the lease item and the ledger head.
 *
 * The report is computed from these logs and from the ledger read after the
 * run, never from counters kept by the code under test. All times are wall
 * clock epoch ms on one machine.
 */
import type { PoolRecord, StrikeRecord } from '../harness/worker-pool.js';

/** Records a worker writes about itself. `worker` is its name (`w1`, `w2`, ...). */
export type WorkerRecord =
  | { readonly type: 'ready'; readonly worker: string; readonly pid: number; readonly at: number }
  | {
      readonly type: 'invoke';
      readonly worker: string;
      readonly at: number;
      readonly eventId: string;
      readonly tick: number;
      readonly requestId: string;
    }
  | {
      readonly type: 'job-start';
      readonly worker: string;
      readonly at: number;
      readonly eventId: string;
      readonly tick: number;
      readonly token: number;
      readonly holder: string;
      readonly takeover: boolean;
      /** The lease's wall-clock expiry as written by the acquire. */
      readonly expiresAt: number;
      readonly durationMs: number;
      /** How long the job will work before it writes. */
      readonly workMs: number;
    }
  | {
      readonly type: 'write-start';
      readonly worker: string;
      readonly at: number;
      readonly tick: number;
      readonly token: number;
    }
  | {
      readonly type: 'write-end';
      readonly worker: string;
      readonly at: number;
      readonly tick: number;
      readonly token: number;
      readonly ok: boolean;
      /** The error's name when not ok (`StaleTokenError`, `AbortError`, ...). */
      readonly error?: string;
      /** The resource's fence, when a `StaleTokenError` reported it. */
      readonly fence?: number;
    }
  | WorkerOutcome;

/** What one invocation of the handler came to, as the worker saw it. */
export interface WorkerOutcome {
  readonly type: 'outcome';
  readonly worker: string;
  readonly at: number;
  readonly eventId: string;
  readonly tick: number;
  /** `ran` and `skipped` are the handler's results; `error` is a thrown error. */
  readonly status: 'ran' | 'skipped' | 'error';
  readonly reason?: 'held' | 'tick-done';
  /** The tenure's token when this invocation led; the lease's current token when it was skipped. */
  readonly token?: number;
  readonly holder?: string;
  readonly takeover?: boolean;
  readonly released?: boolean;
  readonly error?: string;
  readonly message?: string;
  readonly fence?: number;
  /** Handler duration. */
  readonly ms: number;
  /** DynamoDB requests the invocation sent, retries included. */
  readonly requests: number;
  /** The job's durable steps: how many it ran, and how many it replayed from an earlier tenure's record. */
  readonly steps?: StepCounts;
}

/** Steps run (the step's function was called) and replayed (its recorded value returned instead). */
export interface StepCounts {
  readonly run: number;
  readonly replayed: number;
}

/** One read of the lease item and the ledger head by the parent. */
export interface ResourceSample {
  readonly type: 'sample';
  readonly at: number;
  readonly lease?: {
    readonly holder?: string;
    readonly token: number;
    readonly expiresAt: number;
    readonly lastTick?: number;
  };
  readonly head?: LedgerHead;
}

/** Records the parent writes: the tick driver, the worker pool, the nemesis, the resource monitor. */
export type RunRecord =
  | { readonly type: 'tick'; readonly at: number; readonly tick: number }
  | {
      readonly type: 'delivery';
      readonly at: number;
      readonly tick: number;
      readonly eventId: string;
      readonly worker: string;
      readonly duplicate: boolean;
    }
  | PoolRecord
  | StrikeRecord<'kill', { readonly tick: number }>
  | StrikeRecord<
      'pause',
      {
        readonly tick: number;
        readonly leaseExpiresAt: number;
        /** Whether the process was seen stopped (Linux `/proc`); absent where that cannot be read. */
        readonly stopped?: boolean;
      }
    >
  /** `successorToken`: the successor's token whose write the nemesis saw before resuming, if any. */
  | StrikeRecord<'resume', { readonly successorToken?: number }>
  | ResourceSample;

/** The ledger's head item (`sk = LEDGER`), as `appendLedgerEntry` maintains it. */
export interface LedgerHead {
  readonly fence?: number;
  readonly runs?: number;
  readonly lastToken?: number;
  readonly lastTick?: number;
}

/** One ledger entry item (`sk = LEDGER#<tick>#<token>`). */
export interface LedgerEntry {
  readonly tick: number;
  readonly token: number;
  readonly holder?: string;
}

/** The ledger as read after the run. */
export interface LedgerSnapshot {
  readonly head?: LedgerHead;
  readonly entries: readonly LedgerEntry[];
}

/** Everything the report is computed from. */
export interface DemoEvidence {
  readonly workerRecords: readonly WorkerRecord[];
  readonly runRecords: readonly RunRecord[];
  readonly ledger: LedgerSnapshot;
}
