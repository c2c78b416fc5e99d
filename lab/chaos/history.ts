import type { FaultProxyStats, InjectedFault } from 'baton-lease/internal';
import { EvidenceWriter, parseEvidence, readEvidence } from '../harness/evidence.js';

/**
 * The history log of a chaos campaign: one JSON object per line (the lab's
 * evidence format, lab/harness/evidence.ts), appended by
 * every worker process and by the campaign itself to one shared file. It is,
 * with a final consistent scan of the tables, all the checker sees.
 *
 * Every record carries `real`, the host's wall clock (`Date.now()`) when it was
 * written. All processes run on one host, so `real` is a common time base: the
 * "real time" `T` of docs/protocol.md. A worker's own, deliberately skewed
 * reading is recorded separately as `local`.
 *
 * Operations are logged Jepsen-style: an `invoke` record before the request is
 * sent and a completion after it, so a worker killed mid-request leaves an
 * invocation without completion: an operation whose outcome is unknown.
 */
export type HistoryRecord =
  | CampaignRecord
  | WorkerStartRecord
  | ClockRecord
  | LeaseOpRecord
  | TenureRecord
  | WriteInvokeRecord
  | WriteCompleteRecord
  | WorkerErrorRecord
  | NemesisRecord
  | ProxyFaultRecord
  | EndRecord;

/** The parameters of the run that the checker's clock model needs; the first record of every history. */
export interface CampaignParameters {
  readonly seed: number;
  readonly leaseName: string;
  readonly workers: number;
  /** Length of the nemesis phase, in ms. */
  readonly durationMs: number;
  /** `D`: the lease duration every worker uses. */
  readonly leaseDurationMs: number;
  /** `M`: how early a holder stops acting before its tenure could end. */
  readonly safetyMarginMs: number;
  /** `S`: the skew bound the workers are configured with. */
  readonly maxClockSkewMs: number;
  /** Scheduled ticks fall every `tickMs` of a worker's wall clock. */
  readonly tickMs: number;
  /** Skews go beyond `S` on purpose (the `--skew-beyond` mode). */
  readonly skewBeyond: boolean;
  /** A protocol variant broken on purpose, by name (tests only). */
  readonly variant?: string;
}

export interface CampaignRecord extends CampaignParameters {
  readonly type: 'campaign';
  readonly real: number;
}

interface WorkerRecordBase {
  readonly real: number;
  /** Stable worker id (`w1`...): a respawned worker keeps its id. */
  readonly worker: string;
  /** Incarnation of the worker id: 0 for the first process, +1 per respawn. */
  readonly inc: number;
}

export interface WorkerStartRecord extends WorkerRecordBase {
  readonly type: 'worker-start';
  readonly pid: number;
  /** The worker's wall-clock offset from real time at start, in ms. */
  readonly offsetMs: number;
}

/** A worker applied a new wall-clock offset (the nemesis skewed it). */
export interface ClockRecord extends WorkerRecordBase {
  readonly type: 'clock';
  readonly offsetMs: number;
}

export type LeaseOperation = 'acquire' | 'renew' | 'release' | 'read' | 'guardedWrite';

/**
 * One call through the `LeaseStore` port, as sent and as answered. `ok` means
 * the store answered (applied or not); `info` means it threw: the outcome is
 * unknown until the runtime resolves it.
 */
export type LeaseOpRecord = WorkerRecordBase & {
  readonly type: 'lease-op';
  readonly op: LeaseOperation;
  readonly id: number;
} & (
    | { readonly phase: 'invoke'; readonly owner?: string; readonly token?: number; readonly local?: number }
    | {
        readonly phase: 'ok';
        readonly applied: boolean;
        readonly token?: number;
        /** The holder the failed write found. */
        readonly holder?: string;
        /** For an applied acquire: the tenure it replaced and the expiry that tenure had in the item. */
        readonly replacedHolder?: string;
        readonly replacedExpiresAt?: number;
      }
    | { readonly phase: 'info'; readonly error: string }
  );

/**
 * What the holder itself believes, from the runtime's `onEvent` hook. `sentReal`
 * is real time when the request that established the fact was sent (event
 * time less the request's latency): the `t0` of docs/protocol.md.
 */
export interface TenureRecord extends WorkerRecordBase {
  readonly type: 'tenure';
  readonly event: 'acquired' | 'renewed' | 'released' | 'lost';
  readonly owner: string;
  readonly token: number;
  readonly sentReal?: number;
  readonly takeover?: boolean;
  readonly reason?: string;
}

/** A side effect about to be attempted on the fenced resource. */
export interface WriteInvokeRecord extends WorkerRecordBase {
  readonly type: 'write';
  readonly phase: 'invoke';
  /** Unique id of this attempt, stored with the write in the resource. */
  readonly wid: string;
  readonly owner: string;
  readonly token: number;
  readonly tick: number;
  readonly resource: string;
  /** The worker's own (skewed) wall clock at invocation. */
  readonly local: number;
  /** What `lease.remainingMs()` said just before: the holder's own belief. */
  readonly remainingMs: number;
}

/**
 * - `accepted`: the resource acknowledged the write;
 * - `stale`: refused by the fence (a newer token has written);
 * - `tick-done`: refused because the resource already ran this tick (or a later one);
 * - `unknown`: no answer (timeout, reset, 5xx): it may or may not have landed.
 */
export type WriteOutcomeKind = 'accepted' | 'stale' | 'tick-done' | 'unknown';

export interface WriteCompleteRecord extends WorkerRecordBase {
  readonly type: 'write';
  readonly phase: 'complete';
  readonly wid: string;
  readonly outcome: WriteOutcomeKind;
  /** The resource's fence, when a refusal revealed it. */
  readonly fence?: number;
  readonly error?: string;
}

/** An unexpected error in a worker's loop (it carries on). */
export interface WorkerErrorRecord extends WorkerRecordBase {
  readonly type: 'worker-error';
  readonly message: string;
}

export type NemesisAction = 'kill' | 'respawn' | 'pause' | 'resume' | 'skew' | 'network-on' | 'network-off' | 'heal';

export interface NemesisRecord {
  readonly type: 'nemesis';
  readonly real: number;
  readonly action: NemesisAction;
  readonly worker?: string;
  readonly inc?: number;
  readonly offsetMs?: number;
  /** Pause length, or how long a network fault stays on. */
  readonly durationMs?: number;
  /** The network fault switched, for network-on/off. */
  readonly fault?: string;
}

/** A fault the proxy injected into one request (plain latency is not logged). */
export interface ProxyFaultRecord {
  readonly type: 'proxy-fault';
  readonly real: number;
  readonly fault: InjectedFault;
}

/** The last record: the proxy's counters over the whole run. */
export interface EndRecord {
  readonly type: 'end';
  readonly real: number;
  readonly proxy: FaultProxyStats;
}

/** Removes the distributive `real` so callers can pass a record without a timestamp. */
type WithoutReal<T> = T extends unknown ? Omit<T, 'real'> : never;
export type UnstampedRecord = WithoutReal<HistoryRecord>;

/**
 * Appends records to a history file (lab/harness/evidence.ts), stamping each
 * with real time unless it has one: every process of the campaign shares the
 * file, and the stamp is their common time base.
 */
export class HistoryWriter {
  readonly #out: EvidenceWriter<'chaos'>;

  constructor(
    readonly path: string,
    private readonly now: () => number = Date.now,
  ) {
    this.#out = new EvidenceWriter(path, 'chaos');
  }

  append(record: UnstampedRecord & { real?: number }): void {
    this.#out.append({ real: record.real ?? this.now(), ...record } as HistoryRecord);
  }

  close(): void {
    this.#out.close();
  }
}

/** Reads a history file, in real-time order; see {@link parseHistory}. */
export function readHistory(path: string): { records: HistoryRecord[]; unreadable: number } {
  return inRealTimeOrder(readEvidence(path, 'chaos'));
}

/** Parses a history; a line that is torn (a process died inside a write) or not chaos evidence is skipped and counted. */
export function parseHistory(text: string): { records: HistoryRecord[]; unreadable: number } {
  return inRealTimeOrder(parseEvidence(text, 'chaos'));
}

/** Appends from different processes race by microseconds; real time orders them. */
function inRealTimeOrder({ records, unreadable }: { records: HistoryRecord[]; unreadable: number }): {
  records: HistoryRecord[];
  unreadable: number;
} {
  records.sort((a, b) => a.real - b.real);
  return { records, unreadable };
}
