import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from 'baton-lease/testing';
import { TSX_ENV, TSX_LOADER } from '../tsx-loader.js';
import { Reaper } from './reaper.js';

/**
 * The base of a worker's environment, built from scratch: region, endpoint
 * and the fixed local credentials through the standard AWS SDK variables.
 * Nothing is inherited from this shell but PATH (and HOME/TMPDIR, for Node
 * itself), so no profile or real credential leaks in.
 */
export function localWorkerEnvironment(endpoint: string): Record<string, string> {
  const passThrough = Object.fromEntries(
    ['PATH', 'HOME', 'TMPDIR'].flatMap((k) => (process.env[k] ? [[k, process.env[k] as string]] : [])),
  );
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

/** Every worker program speaks this much of the protocol: it sends `ready` once it can work, and ends when sent `stop`. */
export type ReadyMessage = { readonly type: 'ready' };
export type StopMessage = { readonly type: 'stop' };

/**
 * A nemesis's action on one worker process, as a run log records it: which
 * process, and the tenure it held as its own records told the parent. Each
 * pipeline adds its own fields in `Extra`.
 */
export type StrikeRecord<T extends string, Extra = unknown> = {
  readonly type: T;
  readonly at: number;
  readonly worker: string;
  readonly pid: number;
  readonly token: number;
} & Extra;

/** What the pool reports for the run log: a process started, and seen to exit. */
export type PoolRecord =
  | {
      readonly type: 'spawn';
      readonly at: number;
      readonly worker: string;
      readonly pid: number;
      readonly replaces?: string;
    }
  | {
      readonly type: 'exit';
      readonly at: number;
      readonly worker: string;
      readonly pid: number;
      readonly code: number | null;
      readonly signal: string | null;
    };

/** Options of {@link WorkerPool}; `In` is what the parent sends, `Out` what the workers send. */
export interface WorkerPoolOptions<In extends { readonly type: string }, Out> {
  /** The worker program: a TypeScript module, run through tsx (or its compiled `.js` sibling when the sources are not there). */
  readonly script: string;
  /** The environment of every worker; nothing else is inherited. */
  readonly env: Readonly<Record<string, string>>;
  /**
   * Where a worker's output goes: `dir`, a `<name>.log` file per worker for
   * its stdout and stderr; or `onLine`, its stderr line by line, prefixed
   * with `[<name>] ` (stdout is dropped).
   */
  readonly output: { readonly dir: string } | { readonly onLine: (line: string) => void };
  /** Every message a worker sends, as it arrives. */
  readonly onMessage?: (message: Out, worker: PooledWorker<In>) => void;
  /** Spawns and exits, for the run log. */
  readonly onRecord?: (record: PoolRecord) => void;
  /** How long a new worker may take to send `ready` (tsx compiles on a cold cache); it is SIGKILLed then. @default 60000 */
  readonly readyTimeoutMs?: number;
}

/** What one worker is started with. */
export interface WorkerSpec {
  /** Unique in the pool: it names the log file and prefixes the output. */
  readonly name: string;
  readonly args?: readonly string[];
  /** Added to the pool's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** The worker this one stands in for, for the spawn record. */
  readonly replaces?: string;
}

/**
 * `exited` from the moment the pool SIGKILLs a worker (it cannot survive
 * that), or once it is seen to exit otherwise.
 */
export type WorkerState = 'starting' | 'ready' | 'paused' | 'exited';

/** The parent's handle on one worker process. */
export class PooledWorker<In extends { readonly type: string }> {
  state: WorkerState = 'starting';
  /** Resolves once the worker sent `ready`; rejects if it exits or times out first. */
  readonly ready: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readyTimeoutMs: number,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.kill();
        reject(new Error(`worker ${name} did not start within ${readyTimeoutMs} ms`));
      }, readyTimeoutMs);
      const onMessage = (message: { readonly type: string }) => {
        if (message.type !== 'ready') return;
        clearTimeout(timer);
        child.off('message', onMessage);
        if (this.state === 'starting') this.state = 'ready';
        resolve();
      };
      child.on('message', onMessage);
      void this.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        reject(new Error(`worker ${name} exited (${signal ?? `code ${code}`}) before it was ready`));
      });
    });
    // Keeps an unobserved rejection (a worker killed before ready, then never awaited) from crashing the parent.
    this.ready.catch(() => {});
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Sends a message; false if the worker is gone. A worker dying meanwhile is not an error: its exit says what happened. */
  send(message: In | StopMessage): boolean {
    if (this.state === 'exited' || !this.child.connected) return false;
    this.child.send(message, () => undefined);
    return true;
  }

  /** SIGKILL; false if the worker was already gone. */
  kill(): boolean {
    if (this.state === 'exited' || !this.child.kill('SIGKILL')) return false;
    this.state = 'exited';
    return true;
  }

  /** SIGSTOP: the process freezes mid-whatever, timers and sockets included. False unless it was ready. */
  pause(): boolean {
    if (this.state !== 'ready' || !this.child.kill('SIGSTOP')) return false;
    this.state = 'paused';
    return true;
  }

  /** SIGCONT; false unless it was paused. */
  resume(): boolean {
    if (this.state !== 'paused' || !this.child.kill('SIGCONT')) return false;
    this.state = 'ready';
    return true;
  }

  /** Resumes it if paused, asks it to `stop`, and SIGKILLs it after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    if (this.state === 'exited') return;
    this.resume();
    this.send({ type: 'stop' });
    const timer = setTimeout(() => this.kill(), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** @internal The pool saw the process exit. */
  markExited(): void {
    this.state = 'exited';
  }
}

/**
 * Worker processes for the lab's pipelines: spawns them (`node --import tsx`,
 * with an IPC channel), signals them by PID for a nemesis, and stops every
 * one of them, always: `stopAll` on the way out; a process `exit` hook
 * (`killAllNow`) if the parent exits abruptly; and, if the parent is
 * SIGKILLed, the workers see their IPC channel close and exit, while the
 * {@link Reaper} SIGKILLs any a nemesis had left stopped. SIGKILL ends a
 * stopped process too.
 */
export class WorkerPool<In extends { readonly type: string }, Out extends { readonly type: string }> {
  readonly #workers: PooledWorker<In>[] = [];
  readonly #reaper = new Reaper();
  readonly #entry: { readonly script: string; readonly execArgv: readonly string[] };
  readonly #onExit = () => this.killAllNow();
  #hooked = false;

  constructor(private readonly options: WorkerPoolOptions<In, Out>) {
    this.#entry = workerEntry(options.script);
  }

  /** Every worker ever spawned, in order. */
  get all(): readonly PooledWorker<In>[] {
    return this.#workers;
  }

  /** Workers that have not exited. */
  get live(): PooledWorker<In>[] {
    return this.#workers.filter((w) => w.state !== 'exited');
  }

  spawn(spec: WorkerSpec): PooledWorker<In> {
    if (this.#workers.some((w) => w.name === spec.name))
      throw new RangeError(`a worker named ${spec.name} already exists`);
    if (!this.#hooked) process.on('exit', this.#onExit);
    this.#hooked = true;
    const { output } = this.options;
    const file = 'dir' in output ? openSync(join(output.dir, `${spec.name}.log`), 'a') : undefined;
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [...this.#entry.execArgv, this.#entry.script, ...(spec.args ?? [])], {
        env: { ...this.options.env, ...TSX_ENV, ...spec.env },
        stdio: file === undefined ? ['ignore', 'ignore', 'pipe', 'ipc'] : ['ignore', file, file, 'ipc'],
      });
    } finally {
      if (file !== undefined) closeSync(file); // the child has its own copy
    }
    const worker = new PooledWorker<In>(spec.name, child, this.options.readyTimeoutMs ?? 60_000);
    this.#workers.push(worker);
    if (child.pid !== undefined) this.#reaper.watch(child.pid);
    if ('onLine' in output) {
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (text: string) => {
        for (const line of text.split('\n')) if (line.trim() !== '') output.onLine(`[${spec.name}] ${line}`);
      });
    }
    child.on('message', (message: Out) => this.options.onMessage?.(message, worker));
    // A failed spawn or a send to a worker that just died: the exit record says what happened.
    child.on('error', () => {});
    child.once('exit', (code, signal) => {
      worker.markExited();
      if (child.pid !== undefined) this.#reaper.forget(child.pid);
      this.options.onRecord?.({ type: 'exit', at: Date.now(), worker: spec.name, pid: worker.pid, code, signal });
    });
    this.options.onRecord?.({
      type: 'spawn',
      at: Date.now(),
      worker: spec.name,
      pid: worker.pid,
      ...(spec.replaces ? { replaces: spec.replaces } : {}),
    });
    return worker;
  }

  /** Stops every live worker in parallel (see {@link PooledWorker.stop}), then the reaper. The pool spawns no more after this. */
  async stopAll(graceMs: number): Promise<void> {
    await Promise.all(this.live.map((w) => w.stop(graceMs)));
    await this.#reaper.close();
    process.off('exit', this.#onExit);
  }

  /** Synchronous last resort (exit hooks, watchdogs): SIGKILLs every live worker. */
  killAllNow(): void {
    for (const w of this.#workers) w.kill();
  }
}

/** How to run `script`: from source through tsx's loader, or compiled as plain JavaScript. */
function workerEntry(script: string): { script: string; execArgv: readonly string[] } {
  if (existsSync(script) || !script.endsWith('.ts')) return { script, execArgv: ['--import', TSX_LOADER] };
  return { script: script.replace(/\.ts$/, '.js'), execArgv: [] };
}
