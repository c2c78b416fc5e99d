import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScheduledEvent } from 'aws-lambda';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from 'baton-lease/testing';
import { TSX_ENV, TSX_LOADER } from '../tsx-loader.js';
import { Reaper } from './reaper.js';
import type { RunRecord, WorkerRecord } from './records.js';
import type { WorkerMessage } from './worker-process.js';

/** The worker's entry, resolved from here so any cwd works. */
const WORKER_SCRIPT = fileURLToPath(new URL('./worker-process.ts', import.meta.url));

/**
 * The base of a worker's environment, built from scratch: region, endpoint
 * and the fixed local credentials through the standard AWS SDK variables.
 * Nothing is inherited from this shell but PATH (and HOME/TMPDIR, for Node
 * itself), so no profile or real credential leaks in.
 */
export function localWorkerEnvironment(endpoint: string): Record<string, string> {
  const passThrough = Object.fromEntries(['PATH', 'HOME', 'TMPDIR'].flatMap((k) => (process.env[k] ? [[k, process.env[k] as string]] : [])));
  return {
    ...passThrough,
    TZ: 'UTC',
    AWS_REGION: LOCAL_REGION,
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/** The tenure a worker is leading right now, as its own records tell. */
export interface CurrentJob {
  readonly token: number;
  readonly tick: number;
  readonly startedAt: number;
  readonly expiresAt: number;
  readonly durationMs: number;
  readonly workMs: number;
  phase: 'working' | 'writing' | 'written';
}

/** The records a pool writes itself: processes spawned and seen to exit. */
export type PoolRunRecord = Extract<RunRecord, { type: 'spawn' | 'exit' }>;

/** Options of {@link WorkerPool}; `R` is what its workers send (each sends `{ type: 'ready' }` once it can work). */
export interface WorkerPoolOptions<R extends { readonly type: string } = WorkerRecord> {
  /** Where each worker's `<name>.jsonl` (its records) and `<name>.log` (its stdout and stderr) go. */
  readonly logDir: string;
  /** The environment of every worker: the Lambda-like configuration, nothing inherited. */
  readonly env: Readonly<Record<string, string>>;
  /** Every record a worker sends, as it arrives. */
  readonly onRecord: (record: R) => void;
  /** Spawns and exits, for the run log. */
  readonly onRunRecord: (record: PoolRunRecord) => void;
  /** How long a new worker may take to report ready. @default 30000 */
  readonly readyTimeoutMs?: number;
  /** The worker program, a TypeScript module run through tsx. @default the Lambda-like worker, worker-process.ts */
  readonly script?: string;
}

/** The parent's handle on one worker process. */
export class DemoWorker {
  state: 'starting' | 'ready' | 'paused' | 'exited' = 'starting';
  /** Deliveries sent that have no outcome yet. */
  pending = 0;
  job: CurrentJob | undefined;
  readonly ready: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readyTimeoutMs: number,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker ${name} did not start within ${readyTimeoutMs} ms; see its log`)), readyTimeoutMs);
      const onMessage = (record: { readonly type: string }) => {
        if (record.type !== 'ready') return;
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve();
      };
      child.on('message', onMessage);
      void this.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`worker ${name} exited (${signal ?? `code ${code}`}) before it was ready; see its log`));
      });
    });
    // Keeps an unobserved rejection (a worker killed before ready, then never awaited) from crashing the parent.
    this.ready.catch(() => {});
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** Delivers one event. False if the worker is gone. */
  deliver(event: ScheduledEvent): boolean {
    if (this.state === 'exited' || this.state === 'starting' || !this.child.connected) return false;
    this.pending++;
    this.child.send({ type: 'invoke', event } satisfies WorkerMessage);
    return true;
  }

  /** Sends a message of the worker program's own; false if the worker is gone. */
  post<M extends { readonly type: string }>(message: M): boolean {
    if (this.state === 'exited' || !this.child.connected) return false;
    this.child.send(message);
    return true;
  }

  /** Sends a signal; true if it was delivered to a live process. */
  signal(signal: 'SIGKILL' | 'SIGSTOP' | 'SIGCONT'): boolean {
    if (this.state === 'exited') return false;
    const sent = this.child.kill(signal);
    if (sent && signal === 'SIGSTOP') this.state = 'paused';
    if (sent && signal === 'SIGCONT' && this.state === 'paused') this.state = 'ready';
    return sent;
  }

  /** Asks the worker to finish its current invocation and exit; SIGKILLs it after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    if (this.state === 'exited') return;
    if (this.state === 'paused') this.signal('SIGCONT');
    if (this.child.connected) this.child.send({ type: 'stop' } satisfies WorkerMessage);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Synchronous last resort, for the process `exit` hook. SIGKILL works on stopped processes too. */
  killNow(): void {
    if (this.state !== 'exited') this.child.kill('SIGKILL');
  }

  /** @internal Tracks the worker's state from its records, and its current tenure from the Lambda-like worker's. */
  observe(message: { readonly type: string }): void {
    // Other worker programs send their own records; only `ready` means the same to all of them.
    const record = message as WorkerRecord;
    switch (record.type) {
      case 'ready':
        if (this.state === 'starting') this.state = 'ready';
        return;
      case 'job-start':
        this.job = {
          token: record.token,
          tick: record.tick,
          startedAt: record.at,
          expiresAt: record.expiresAt,
          durationMs: record.durationMs,
          workMs: record.workMs,
          phase: 'working',
        };
        return;
      case 'write-start':
        if (this.job?.token === record.token) this.job.phase = 'writing';
        return;
      case 'write-end':
        if (this.job?.token === record.token) this.job.phase = 'written';
        return;
      case 'outcome':
        this.pending = Math.max(0, this.pending - 1);
        this.job = undefined;
        return;
      default:
        return;
    }
  }
}

/**
 * The worker processes of a demo run: spawns them (`node --import tsx`, with
 * an IPC channel, stdout and stderr into a log file), replaces killed ones,
 * and stops all of them, always: `stopAll` on the way out, an `exit` hook
 * (`killAllNow`) if the parent exits abruptly, and, if the parent is killed,
 * the workers see their IPC channel close and exit, while the {@link Reaper}
 * SIGKILLs any the nemesis had left stopped.
 */
export class WorkerPool<R extends { readonly type: string } = WorkerRecord> {
  readonly #workers: DemoWorker[] = [];
  #next = 1;
  readonly #readyTimeoutMs: number;
  readonly #reaper = new Reaper();

  constructor(private readonly options: WorkerPoolOptions<R>) {
    this.#readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  }

  /** Every worker ever spawned, in order. */
  get all(): readonly DemoWorker[] {
    return this.#workers;
  }

  /** Workers that have not exited. */
  get live(): DemoWorker[] {
    return this.#workers.filter((w) => w.state !== 'exited');
  }

  /** Starts the next worker (`w1`, `w2`, ...), with `env` added to the pool's environment. */
  spawn(replaces?: string, env: Readonly<Record<string, string>> = {}): DemoWorker {
    const name = `w${this.#next++}`;
    const out = openSync(join(this.options.logDir, `${name}.log`), 'a');
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, ['--import', TSX_LOADER, this.options.script ?? WORKER_SCRIPT], {
        env: { ...this.options.env, ...TSX_ENV, ...env, BATON_DEMO_WORKER: name, BATON_DEMO_LOG: join(this.options.logDir, `${name}.jsonl`) },
        stdio: ['ignore', out, out, 'ipc'],
      });
    } finally {
      closeSync(out); // the child has its own copy
    }
    const worker = new DemoWorker(name, child, this.#readyTimeoutMs);
    this.#workers.push(worker);
    if (child.pid !== undefined) this.#reaper.watch(child.pid);
    child.on('message', (record: R) => {
      worker.observe(record);
      this.options.onRecord(record);
    });
    // A failed spawn or a send to a worker that just died: the exit record says what happened.
    child.on('error', () => {});
    child.once('exit', (code, signal) => {
      worker.state = 'exited';
      if (child.pid !== undefined) this.#reaper.forget(child.pid);
      this.options.onRunRecord({ type: 'exit', at: Date.now(), worker: name, pid: child.pid ?? -1, code, signal });
    });
    this.options.onRunRecord({ type: 'spawn', at: Date.now(), worker: name, pid: child.pid ?? -1, ...(replaces ? { replaces } : {}) });
    return worker;
  }

  /** Stops every live worker, in parallel, then the reaper. The pool spawns no more after this. */
  async stopAll(graceMs: number): Promise<void> {
    await Promise.all(this.live.map((w) => w.stop(graceMs)));
    await this.#reaper.close();
  }

  /** Synchronous: SIGKILLs every live worker (for `process.on('exit')`). */
  killAllNow(): void {
    for (const w of this.#workers) w.killNow();
  }
}
