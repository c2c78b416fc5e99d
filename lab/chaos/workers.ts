import { fileURLToPath } from 'node:url';
import { localWorkerEnvironment, WorkerPool, type PooledWorker } from '../harness/worker-pool.js';
import type { FromWorker, ToWorker, WorkerConfig } from './worker-messages.js';

/** The worker program, resolved from here so the campaign works from any cwd. */
const WORKER_SCRIPT = fileURLToPath(new URL('./worker-main.ts', import.meta.url));

/** `up`: running; `paused`: SIGSTOPped; `down`: killed or exited, until respawned; `stopped`: the campaign is done. */
export type ChaosWorkerState = 'starting' | 'up' | 'paused' | 'down' | 'stopped';

/** A worker id and the process currently behind it. */
export interface ChaosWorker {
  readonly id: string;
  readonly inc: number;
  readonly pid: number | undefined;
  readonly state: ChaosWorkerState;
  /** The wall-clock offset the worker has (or gets when respawned). */
  readonly offsetMs: number;
  /** The token of the tenure it reported leading, if any. */
  readonly leadingToken: number | undefined;
}

/** Options of {@link ChaosWorkers}. */
export interface ChaosWorkersOptions {
  readonly count: number;
  /** The fault proxy's endpoint: every request of every worker goes through it. */
  readonly endpoint: string;
  /** Everything but the per-process fields. */
  readonly config: Omit<WorkerConfig, 'worker' | 'inc' | 'offsetMs' | 'seed' | 'endpoint'>;
  /** Initial wall-clock offset of each worker, by index. */
  readonly offsetsMs: readonly number[];
  /** Seed of a worker incarnation's `random()`. */
  readonly seedFor: (id: string, inc: number) => number;
  /** How long a worker may take to start (tsx compiles on a cold cache). @default 60000 */
  readonly startTimeoutMs?: number;
  /** Receives the workers' stderr lines, prefixed with `[<id>.<inc>]`. @default discard */
  readonly log?: (line: string) => void;
}

interface Slot {
  readonly id: string;
  inc: number;
  process: PooledWorker<ToWorker> | undefined;
  offsetMs: number;
  leadingToken: number | undefined;
  stopped: boolean;
}

/**
 * The campaign's workers as stable ids (`w1`...), each with the process
 * currently behind it (`w1.0`, then `w1.1` once respawned, ...), on the lab's
 * worker pool: what the nemesis kills, respawns, pauses, resumes and skews.
 */
export class ChaosWorkers {
  readonly #slots: Slot[];
  readonly #pool: WorkerPool<ToWorker, FromWorker>;

  constructor(private readonly options: ChaosWorkersOptions) {
    if (!Number.isInteger(options.count) || options.count < 1)
      throw new RangeError(`count must be a positive integer, got ${options.count}`);
    this.#slots = Array.from({ length: options.count }, (_, i) => ({
      id: `w${i + 1}`,
      inc: -1,
      process: undefined,
      offsetMs: options.offsetsMs[i] ?? 0,
      leadingToken: undefined,
      stopped: false,
    }));
    this.#pool = new WorkerPool<ToWorker, FromWorker>({
      script: WORKER_SCRIPT,
      env: localWorkerEnvironment(options.endpoint),
      output: { onLine: (line) => options.log?.(line) },
      readyTimeoutMs: options.startTimeoutMs ?? 60_000,
      onMessage: (message, process) => {
        const slot = this.#slots.find((s) => s.process === process);
        if (slot === undefined) return;
        if (message.type === 'leading') slot.leadingToken = message.token;
        else if (message.type === 'not-leading') slot.leadingToken = undefined;
      },
      onRecord: (record) => {
        const slot = this.#slots.find((s) => s.process?.name === record.worker);
        if (record.type === 'exit' && slot) slot.leadingToken = undefined;
      },
    });
  }

  /** Spawns every worker and waits until each is ready. */
  async start(): Promise<void> {
    await Promise.all(this.#slots.map((slot) => this.#spawn(slot)));
  }

  list(): readonly ChaosWorker[] {
    return this.#slots.map((s) => ({
      id: s.id,
      inc: s.inc,
      pid: s.process?.pid,
      state: stateOf(s),
      offsetMs: s.offsetMs,
      leadingToken: s.leadingToken,
    }));
  }

  /** The worker that last reported leading and is still alive, if any. */
  leader(): string | undefined {
    return this.#slots.find((s) => s.leadingToken !== undefined && (stateOf(s) === 'up' || stateOf(s) === 'paused'))
      ?.id;
  }

  /** SIGKILL. Returns false if the worker was not alive. */
  kill(id: string): boolean {
    const slot = this.#slot(id);
    if (!slot.process?.kill()) return false;
    slot.leadingToken = undefined;
    return true;
  }

  /** Starts a new incarnation of a worker that is down. */
  async respawn(id: string): Promise<boolean> {
    const slot = this.#slot(id);
    if (stateOf(slot) !== 'down') return false;
    await this.#spawn(slot);
    return true;
  }

  /** SIGSTOP: the process freezes mid-whatever, timers and sockets included. */
  pause(id: string): boolean {
    return this.#slot(id).process?.pause() ?? false;
  }

  /** SIGCONT. */
  resume(id: string): boolean {
    return this.#slot(id).process?.resume() ?? false;
  }

  /** Sets a worker's wall-clock offset: now if it runs (a paused one applies it when resumed), at respawn otherwise. */
  setSkew(id: string, offsetMs: number): void {
    const slot = this.#slot(id);
    slot.offsetMs = offsetMs;
    slot.process?.send({ type: 'skew', offsetMs });
  }

  /** Resumes the paused, asks every worker to stop (it releases its lease and exits), and SIGKILLs whatever is still there after `graceMs`. */
  async stopAll(graceMs: number): Promise<void> {
    for (const slot of this.#slots) slot.stopped = true;
    await this.#pool.stopAll(graceMs);
  }

  /** Synchronous last resort (watchdog, errors): SIGKILL every live process. */
  killAllNow(): void {
    this.#pool.killAllNow();
  }

  #slot(id: string): Slot {
    const slot = this.#slots.find((s) => s.id === id);
    if (!slot) throw new RangeError(`no worker ${id}`);
    return slot;
  }

  async #spawn(slot: Slot): Promise<void> {
    slot.inc += 1;
    slot.leadingToken = undefined;
    const config: WorkerConfig = {
      ...this.options.config,
      endpoint: this.options.endpoint,
      worker: slot.id,
      inc: slot.inc,
      offsetMs: slot.offsetMs,
      seed: this.options.seedFor(slot.id, slot.inc),
    };
    slot.process = this.#pool.spawn({ name: `${slot.id}.${slot.inc}`, args: [JSON.stringify(config)] });
    await slot.process.ready;
  }
}

function stateOf(slot: Slot): ChaosWorkerState {
  if (slot.stopped) return 'stopped';
  switch (slot.process?.state) {
    case 'starting':
      return 'starting';
    case 'ready':
      return 'up';
    case 'paused':
      return 'paused';
    default:
      return 'down';
  }
}
