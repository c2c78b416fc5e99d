import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readEvidence, type EvidenceKind, type EvidenceKinds } from '../harness/evidence.js';
import { writeReportFiles, type ReportFiles } from '../harness/report/json.js';
import type { WorkerSpec } from '../harness/worker-pool.js';

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
export function readRunLogs<W extends 'lambda-worker' | 'elector-worker', R extends EvidenceKind>(
  logDir: string,
  kinds: { readonly worker: W; readonly run: R },
): { workerRecords: EvidenceKinds[W][]; runRecords: EvidenceKinds[R][]; unreadable: number } {
  const run = readEvidence(join(logDir, 'run.jsonl'), kinds.run);
  let unreadable = run.unreadable;
  const workerRecords: EvidenceKinds[W][] = [];
  for (const file of readdirSync(logDir).filter((f) => /^w\d+\.jsonl$/.test(f))) {
    const w = readEvidence(join(logDir, file), kinds.worker);
    workerRecords.push(...w.records);
    unreadable += w.unreadable;
  }
  workerRecords.sort((a, b) => a.at - b.at);
  return { workerRecords, runRecords: run.records, unreadable };
}

/** The next demo worker (`w<n>`, numbered over the whole run), with its own log `<name>.jsonl` in `logDir`. */
export function demoWorker(
  spawned: number,
  logDir: string,
  replaces?: string,
  env: Readonly<Record<string, string>> = {},
): WorkerSpec {
  const name = `w${spawned + 1}`;
  return {
    name,
    ...(replaces ? { replaces } : {}),
    env: { ...env, BATON_DEMO_WORKER: name, BATON_DEMO_LOG: join(logDir, `${name}.jsonl`) },
  };
}

/** Where a run's logs are (relative to `cwd` when inside it) and when it ran, as both reports give them. */
export function runSpan(
  cwd: string,
  logDir: string,
  startedAt: number,
): { logDir: string; startedAt: number; endedAt: number } {
  return { logDir: relative(cwd, logDir) || logDir, startedAt, endedAt: Date.now() };
}

/** Writes `<stem>.json` and `<stem>.html` into `cwd` with the report kit, then says the summary and where the files went. */
export function writeDemoReport<R>(
  cwd: string,
  stem: string,
  report: R,
  page: { html: string; summary: string; say: (line: string) => void },
): DemoRun<R> {
  const files = writeReportFiles(cwd, stem, report, page.html);
  page.say(page.summary);
  page.say(`Wrote ${files.jsonPath} and ${files.htmlPath}`);
  return files;
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
