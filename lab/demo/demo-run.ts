import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportFiles } from '../harness/report/json.js';
import { readJsonl } from './jsonl.js';

// The report files are written by the report kit, as every pipeline's are.
export { writeReportFiles } from '../harness/report/json.js';

/**
 * What both demos (`baton demo` and `baton demo --elect`) do alike around
 * their own run: where they write, how they are interrupted, their log
 * folder, reading the logs back, and the two report files.
 */

/** Where a demo writes and how it is interrupted. */
export interface DemoIo {
  /** The report files go here; the logs under `.baton/<demo>/`. */
  readonly cwd: string;
  readonly out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Ctrl-C: stop, clean up, write no report. */
  readonly signal: AbortSignal;
}

/** What a finished run produced; a run that was interrupted produces nothing. */
export type DemoRun<R> = ReportFiles<R>;

/** `.baton/<name>/` under `cwd`, emptied of an earlier run's logs. */
export function freshLogDir(cwd: string, name: string): string {
  const logDir = join(cwd, '.baton', name);
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  return logDir;
}

/** Reads back the run's own log (`run.jsonl`) and every worker's (`w<n>.jsonl`), the workers' records in time order. */
export function readRunLogs<W extends { readonly at: number }, R>(logDir: string): { workerRecords: W[]; runRecords: R[]; unreadable: number } {
  const run = readJsonl<R>(join(logDir, 'run.jsonl'));
  let unreadable = run.unreadable;
  const workerRecords: W[] = [];
  for (const file of readdirSync(logDir).filter((f) => /^w\d+\.jsonl$/.test(f))) {
    const w = readJsonl<W>(join(logDir, file));
    workerRecords.push(...w.records);
    unreadable += w.unreadable;
  }
  workerRecords.sort((a, b) => a.at - b.at);
  return { workerRecords, runRecords: run.records, unreadable };
}

/** Waits for `work`, or for `signal` to abort, whichever comes first. */
export async function untilAborted(work: Promise<unknown>, signal: AbortSignal): Promise<void> {
  let onAbort = (): void => {};
  const aborted = new Promise<void>((resolve) => {
    onAbort = resolve;
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
