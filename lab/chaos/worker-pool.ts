import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TSX_ENV, TSX_LOADER } from '../tsx-loader.js';
import type { FromWorker, ToWorker, WorkerConfig } from './worker-messages.js';

/** `up`: running; `paused`: SIGSTOPped; `down`: killed or exited, until respawned; `stopped`: the pool is done. */
export type WorkerState = 'starting' | 'up' | 'paused' | 'down' | 'stopped';

/** A worker id and the process currently behind it. */
export interface PooledWorker {
  readonly id: string;
  readonly inc: number;
  readonly pid: number | undefined;
  readonly state: WorkerState;
  /** The wall-clock offset the worker has (or gets when respawned). */
  readonly offsetMs: number;
  /** The token of the tenure it reported leading, if any. */
  readonly leadingToken: number | undefined;
}

/** Options of {@link WorkerPool}. */
export interface WorkerPoolOptions {
  readonly count: number;
  /** Everything but the per-process fields. */
  readonly config: Omit<WorkerConfig, 'worker' | 'inc' | 'offsetMs' | 'seed'>;
  /** Initial wall-clock offset of each worker, by index. */
  readonly offsetsMs: readonly number[];
  /** Seed of a worker incarnation's `random()`. */
  readonly seedFor: (id: string, inc: number) => number;
  /** How long a worker may take to start (tsx compiles on a cold cache). @default 60000 */
  readonly startTimeoutMs?: number;
  /** Receives the workers' stderr lines, prefixed with their id. @default discard */
  readonly log?: (line: string) => void;
}

interface Slot {
  id: string;
  inc: number;
  child: ChildProcess | undefined;
  state: WorkerState;
  offsetMs: number;
  leadingToken: number | undefined;
}

/**
 * The chaos workers as operating-system processes: spawns them (with an IPC
 * channel), and SIGKILLs, respawns, SIGSTOPs and SIGCONTs them by PID for the
 * nemesis. Nothing it starts outlives it: `stopAll` ends every process, and a
 * process `exit` hook SIGKILLs any left (SIGKILL also ends a stopped process).
 */
export class WorkerPool {
  readonly #options: WorkerPoolOptions;
  readonly #slots: Slot[];
  readonly #entry: string;
  readonly #execArgv: string[];
  readonly #onExit = () => this.killAllNow();

  constructor(options: WorkerPoolOptions) {
    if (!Number.isInteger(options.count) || options.count < 1) throw new RangeError(`count must be a positive integer, got ${options.count}`);
    this.#options = options;
    this.#slots = Array.from({ length: options.count }, (_, i) => ({
      id: `w${i + 1}`,
      inc: -1,
      child: undefined,
      state: 'down' as WorkerState,
      offsetMs: options.offsetsMs[i] ?? 0,
      leadingToken: undefined,
    }));
    ({ entry: this.#entry, execArgv: this.#execArgv } = workerEntry());
  }

  /** Spawns every worker and waits until each is ready. */
  async start(): Promise<void> {
    process.on('exit', this.#onExit);
    await Promise.all(this.#slots.map((slot) => this.#spawn(slot)));
  }

  list(): readonly PooledWorker[] {
    return this.#slots.map((s) => ({ id: s.id, inc: s.inc, pid: s.child?.pid, state: s.state, offsetMs: s.offsetMs, leadingToken: s.leadingToken }));
  }

  get(id: string): PooledWorker {
    const found = this.list().find((w) => w.id === id);
    if (!found) throw new RangeError(`no worker ${id}`);
    return found;
  }

  /** The worker that last reported leading and is still alive, if any. */
  leader(): string | undefined {
    return this.#slots.find((s) => s.leadingToken !== undefined && (s.state === 'up' || s.state === 'paused'))?.id;
  }

  /** SIGKILL. Returns false if the worker was not alive. */
  kill(id: string): boolean {
    const slot = this.#slot(id);
    if ((slot.state !== 'up' && slot.state !== 'paused') || !slot.child?.pid) return false;
    slot.child.kill('SIGKILL');
    slot.state = 'down';
    slot.leadingToken = undefined;
    return true;
  }

  /** Starts a new incarnation of a worker that is down. */
  async respawn(id: string): Promise<boolean> {
    const slot = this.#slot(id);
    if (slot.state !== 'down') return false;
    await this.#spawn(slot);
    return true;
  }

  /** SIGSTOP: the process freezes mid-whatever, timers and sockets included. */
  pause(id: string): boolean {
    const slot = this.#slot(id);
    if (slot.state !== 'up' || !slot.child?.pid) return false;
    process.kill(slot.child.pid, 'SIGSTOP');
    slot.state = 'paused';
    return true;
  }

  /** SIGCONT. */
  resume(id: string): boolean {
    const slot = this.#slot(id);
    if (slot.state !== 'paused' || !slot.child?.pid) return false;
    process.kill(slot.child.pid, 'SIGCONT');
    slot.state = 'up';
    return true;
  }

  /** Sets a worker's wall-clock offset: now if it runs (a paused one applies it when resumed), at respawn otherwise. */
  setSkew(id: string, offsetMs: number): void {
    const slot = this.#slot(id);
    slot.offsetMs = offsetMs;
    if (slot.state === 'up' || slot.state === 'paused') this.#send(slot, { type: 'skew', offsetMs });
  }

  /**
   * Resumes the paused, asks every worker to stop (it releases its lease and
   * exits), and SIGKILLs whatever is still there after `graceMs`.
   */
  async stopAll(graceMs: number): Promise<void> {
    const exits = this.#slots.map((slot) => {
      const child = slot.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise<void>((resolve) => child.once('exit', () => resolve()));
    });
    for (const slot of this.#slots) {
      if (slot.state === 'paused') this.resume(slot.id);
      if (slot.state === 'up') this.#send(slot, { type: 'stop' });
    }
    const grace = setTimeout(() => this.killAllNow(), graceMs);
    await Promise.all(exits);
    clearTimeout(grace);
    for (const slot of this.#slots) slot.state = 'stopped';
    process.off('exit', this.#onExit);
  }

  /** Synchronous last resort (exit hooks, errors): SIGKILL every live process. */
  killAllNow(): void {
    for (const slot of this.#slots) {
      const child = slot.child;
      if (child?.pid && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }

  #slot(id: string): Slot {
    const slot = this.#slots.find((s) => s.id === id);
    if (!slot) throw new RangeError(`no worker ${id}`);
    return slot;
  }

  #send(slot: Slot, message: ToWorker): void {
    // A worker that has just died cannot take it; the nemesis carries on.
    if (slot.child?.connected) slot.child.send(message, () => undefined);
  }

  #spawn(slot: Slot): Promise<void> {
    slot.inc += 1;
    slot.state = 'starting';
    slot.leadingToken = undefined;
    const inc = slot.inc;
    const config: WorkerConfig = { ...this.#options.config, worker: slot.id, inc, offsetMs: slot.offsetMs, seed: this.#options.seedFor(slot.id, inc) };
    const child = fork(this.#entry, [JSON.stringify(config)], {
      execArgv: this.#execArgv,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, ...TSX_ENV, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    slot.child = child;
    const log = this.#options.log;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      for (const line of text.split('\n')) if (line.trim() !== '') log?.(`[${slot.id}.${inc}] ${line}`);
    });
    child.on('error', (error) => log?.(`[${slot.id}.${inc}] process error: ${error.message}`));
    child.on('message', (message: FromWorker) => {
      if (slot.child !== child) return;
      if (message.type === 'leading') slot.leadingToken = message.token;
      else if (message.type === 'not-leading') slot.leadingToken = undefined;
    });
    child.on('exit', () => {
      if (slot.child !== child) return;
      if (slot.state !== 'stopped') slot.state = 'down';
      slot.leadingToken = undefined;
    });
    return new Promise<void>((resolve, reject) => {
      const timeout = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`worker ${slot.id}.${inc} did not start within ${this.#options.startTimeoutMs ?? 60_000} ms`));
      }, this.#options.startTimeoutMs ?? 60_000);
      const onMessage = (message: FromWorker) => {
        if (message.type !== 'ready') return;
        cleanup();
        if (slot.state === 'starting') slot.state = 'up';
        resolve();
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        cleanup();
        reject(new Error(`worker ${slot.id}.${inc} exited before it was ready (${signal ?? `code ${code}`})`));
      };
      const cleanup = () => {
        clearTimeout(timeout);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.on('exit', onExit);
    });
  }
}

/**
 * The worker's entry module and how to run it: from source, through tsx's
 * loader (resolved from this package, so the campaign works from any cwd);
 * compiled, as plain JavaScript.
 */
function workerEntry(): { entry: string; execArgv: string[] } {
  const ts = fileURLToPath(new URL('./worker-main.ts', import.meta.url));
  if (existsSync(ts)) {
    return { entry: ts, execArgv: ['--import', TSX_LOADER] };
  }
  return { entry: fileURLToPath(new URL('./worker-main.js', import.meta.url)), execArgv: [] };
}
