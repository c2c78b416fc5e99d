import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { HistoryRecord } from '../chaos/history.js';
import type { ElectRunRecord, ElectWorkerRecord } from '../demo/elect-records.js';
import type { RunRecord, WorkerRecord } from '../demo/records.js';

/**
 * The one evidence format of the lab's three pipelines: JSON lines, each
 * record tagged with the `kind` of log it belongs to. The tag is what lets
 * one reader refuse a line from another pipeline's log (a stale file left in
 * a log folder, a path mixed up) instead of handing the checks a record of
 * the wrong shape. The records themselves, discriminated by their own
 * `type`, are what the checks read; `kind` lives only on disk.
 */
export interface EvidenceKinds {
  /** A Lambda demo worker's own log (`<worker>.jsonl`). */
  readonly 'lambda-worker': WorkerRecord;
  /** The Lambda demo parent's run log (`run.jsonl`). */
  readonly 'lambda-run': RunRecord;
  /** An elector demo worker's own log. */
  readonly 'elector-worker': ElectWorkerRecord;
  /** The elector demo parent's run log. */
  readonly 'elector-run': ElectRunRecord;
  /** The chaos campaign's history, shared by every worker and the campaign. */
  readonly chaos: HistoryRecord;
}

export type EvidenceKind = keyof EvidenceKinds;
export const EVIDENCE_KINDS: readonly EvidenceKind[] = [
  'lambda-worker',
  'lambda-run',
  'elector-worker',
  'elector-run',
  'chaos',
];

/** One line of evidence as it is on disk. */
export type EvidenceLine = { [K in EvidenceKind]: { readonly kind: K } & EvidenceKinds[K] }[EvidenceKind];

/**
 * Appends records of one kind to a JSON-lines file with one synchronous
 * `write(2)` per record on a file opened with O_APPEND: lines from several
 * processes never interleave, and a record is in the file (the page cache)
 * the moment `append` returns, so a process SIGKILLed right after loses
 * nothing it logged.
 */
export class EvidenceWriter<K extends EvidenceKind> {
  #fd: number | undefined;

  constructor(
    readonly path: string,
    readonly kind: K,
  ) {
    this.#fd = openSync(path, 'a');
  }

  append(record: EvidenceKinds[K]): void {
    if (this.#fd === undefined) return;
    writeSync(this.#fd, `${JSON.stringify({ kind: this.kind, ...record })}\n`);
  }

  close(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
  }
}

/** What a log held of one kind, in file order, and how many lines were not that (torn, or another kind). */
export interface EvidenceRead<K extends EvidenceKind> {
  readonly records: EvidenceKinds[K][];
  readonly unreadable: number;
}

/**
 * Parses JSON lines of one kind. A line that does not parse (a torn last
 * line) or is of another kind is counted, not thrown: the caller decides
 * whether that matters.
 */
export function parseEvidence<K extends EvidenceKind>(text: string, kind: K): EvidenceRead<K> {
  const records: EvidenceKinds[K][] = [];
  let unreadable = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      unreadable++;
      continue;
    }
    if (typeof parsed !== 'object' || parsed === null || (parsed as Partial<EvidenceLine>).kind !== kind) {
      unreadable++;
      continue;
    }
    const { kind: _kind, ...record } = parsed as EvidenceLine;
    records.push(record as EvidenceKinds[K]);
  }
  return { records, unreadable };
}

/** Reads a JSON-lines file of one kind; see {@link parseEvidence}. */
export function readEvidence<K extends EvidenceKind>(path: string, kind: K): EvidenceRead<K> {
  return parseEvidence(readFileSync(path, 'utf8'), kind);
}
