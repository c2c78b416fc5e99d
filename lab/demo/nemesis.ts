import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultRegistry, Nemesis, type Fault, type FaultStep } from '../harness/nemesis.js';
import type { PooledWorker } from '../harness/worker-pool.js';
import type { Prng } from '../sim/prng.js';
import type { RunRecord, WorkerRecord } from './records.js';
import type { WorkerMessage } from './worker-process.js';

type LambdaWorker = PooledWorker<WorkerMessage>;

/** Options of {@link DemoNemesis}. */
export interface NemesisOptions {
  /** Every worker ever started, by name. */
  readonly workers: () => readonly LambdaWorker[];
  /** Starts a worker in place of a killed one, as Lambda would start a new execution environment. */
  readonly spawn: (replaces: string) => void;
  readonly random: Prng;
  /** The lease protocol's maximum clock skew: a paused leader stays stopped at least until its lease could be taken over. */
  readonly maxClockSkewMs: number;
  readonly tickMs: number;
  /**
   * Epoch ms after which no strike is aimed, so that the last one's aftermath
   * (the lease running out, a successor's write, the paused leader's refused
   * write) fits in the run. @default no limit
   */
  readonly lastStrikeAt?: number;
  readonly onRunRecord: (record: RunRecord) => void;
}

/** When the nemesis strikes, and how long it waits between strikes (ms, uniformly at random). */
const TIMING = {
  firstAfter: { min: 1_500, max: 3_000 },
  gap: { min: 1_500, max: 4_000 },
  /** A paused leader is resumed this long after its lease could first be taken over, at the earliest. */
  resumeAfterExpiry: 100,
  /** How long to wait for the aftermath (a successor leading, the paused worker's outcome) before striking again. */
  recoveryCap: 15_000,
} as const;

/** The job a worker is running, as its own `job-start` told. */
interface Job {
  readonly token: number;
  readonly tick: number;
  readonly expiresAt: number;
  readonly durationMs: number;
}

/** A leader struck mid-job. */
interface Hit {
  readonly worker: LambdaWorker;
  readonly job: Job;
  readonly at: number;
}

type Step = FaultStep & { readonly kind: 'kill' | 'pause' };

/**
 * Strikes the leader while its job runs: SIGKILL (and a replacement worker
 * is spawned, as Lambda would start a new execution environment), or SIGSTOP
 * for longer than its lease, then SIGCONT once a successor has taken over and
 * written, so the old leader's late write meets the fence.
 *
 * It strikes at a random moment of the job (before its write, mostly; now and
 * then during or after it), one strike at a time: the next is drawn only once
 * the last one's aftermath is over. The first two strikes are one of each
 * kind, in random order; later ones are a coin toss. Every signal it sends is
 * in the run log, with what it was aimed at.
 */
export class DemoNemesis {
  readonly #jobs = new Map<string, Job>();
  readonly #waiters = new Set<(record: WorkerRecord) => void>();
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Aborted when no new strike may start; `#stopping`, when a strike in progress must end too. */
  readonly #finishing = new AbortController();
  readonly #stopping = new AbortController();
  /** The highest token whose ledger write a worker reported as successful. */
  #written = 0;
  #busy = false;
  /** Writes the pending pause record (after the process state was read). */
  #logPause: (() => void) | undefined;

  constructor(private readonly options: NemesisOptions) {}

  start(): void {
    const nemesis = new Nemesis(DEMO_FAULTS, this);
    void nemesis.run(this.#steps());
  }

  /** Feeds the nemesis every worker record, as it arrives. */
  observe(record: WorkerRecord): void {
    if (record.type === 'job-start')
      this.#jobs.set(record.worker, {
        token: record.token,
        tick: record.tick,
        expiresAt: record.expiresAt,
        durationMs: record.durationMs,
      });
    if (record.type === 'outcome') this.#jobs.delete(record.worker);
    if (record.type === 'write-end' && record.ok) this.#written = Math.max(this.#written, record.token);
    for (const waiter of [...this.#waiters]) waiter(record);
  }

  /** A strike's aftermath is still playing out (a leader paused, or no successor yet). */
  get busy(): boolean {
    return this.#busy;
  }

  /** Strikes no more, but lets a strike in progress play out (a pause runs until its successor has written). */
  finish(): void {
    this.#finishing.abort();
  }

  /** Stops striking; resumes a paused worker so it can be stopped and its outcome logged. */
  stop(): void {
    this.#finishing.abort();
    this.#stopping.abort();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#logPause?.();
  }

  async *#steps(): AsyncGenerator<Step> {
    const draw = DEMO_FAULTS.drawer(this.options.random);
    if (!(await this.#sleep(this.#uniform(TIMING.firstAfter), this.#finishing.signal))) return;
    while (!this.#finishing.signal.aborted) {
      yield { kind: draw() as Step['kind'] };
      if (!(await this.#sleep(this.#uniform(TIMING.gap), this.#finishing.signal))) return;
    }
  }

  /**
   * Waits for the next job to start and for a random moment of it (mostly
   * before the write; the tail of the range lands during or just after it),
   * then strikes with `strike`. A job that ended before the blow, or a blow
   * that did not land, waits for the next job.
   */
  async aim(
    kind: Step['kind'],
    strike: (worker: LambdaWorker, job: Job, at: number) => boolean,
  ): Promise<Hit | undefined> {
    const signal = this.#finishing.signal;
    for (;;) {
      const start = await this.#next((r) => (r.type === 'job-start' ? r : undefined), signal);
      if (start === undefined) return undefined;
      if (Date.now() > (this.options.lastStrikeAt ?? Infinity)) {
        this.#finishing.abort();
        return undefined;
      }
      const worker = this.options.workers().find((w) => w.name === start.worker);
      if (worker === undefined) continue;
      if (!(await this.#sleep(this.#uniform({ min: 0, max: start.workMs * (kind === 'pause' ? 1.15 : 1) }), signal)))
        return undefined;
      const job = this.#jobs.get(worker.name);
      if (job === undefined || job.token !== start.token || worker.state !== 'ready') continue;
      const at = Date.now();
      if (!strike(worker, job, at)) continue;
      this.#busy = true;
      return { worker, job, at };
    }
  }

  kill(worker: LambdaWorker, job: Job, at: number): boolean {
    if (!worker.kill()) return false;
    this.options.onRunRecord({
      type: 'kill',
      at,
      worker: worker.name,
      pid: worker.pid,
      token: job.token,
      tick: job.tick,
    });
    this.options.spawn(worker.name);
    return true;
  }

  pause(worker: LambdaWorker, job: Job, at: number): boolean {
    if (!worker.pause()) return false;
    // The kernel stops a process only once each of its threads next runs, which on a busy machine
    // takes a while: look until it shows stopped (or a second has passed), then log the pause.
    this.#logPause = () => {
      this.#logPause = undefined;
      const stopped = processStopped(worker.pid);
      this.options.onRunRecord({
        type: 'pause',
        at,
        worker: worker.name,
        pid: worker.pid,
        token: job.token,
        tick: job.tick,
        leaseExpiresAt: job.expiresAt,
        ...(stopped === undefined ? {} : { stopped }),
      });
    };
    const look = (tries: number) => {
      if (tries > 0 && processStopped(worker.pid) === false) this.#after(10, () => look(tries - 1));
      else this.#logPause?.();
    };
    this.#after(5, () => look(100));
    return true;
  }

  /** Waits until a successor leads (or the recovery cap passes). */
  async successor({ job }: Hit): Promise<void> {
    await this.#next(
      (r) => (r.type === 'job-start' && r.token > job.token ? r : undefined),
      this.#stopping.signal,
      TIMING.recoveryCap,
    );
    this.#busy = false;
  }

  /**
   * Resumes the paused leader once its lease could have been taken over and a
   * successor has written (or after the pause's cap), then waits for the
   * outcome of the invocation it was in.
   */
  async resume({ worker, job, at }: Hit): Promise<void> {
    const maxMs = job.durationMs + 4 * this.options.tickMs + 3_000;
    const resumeAt = job.expiresAt + this.options.maxClockSkewMs + TIMING.resumeAfterExpiry;
    while (!this.#stopping.signal.aborted) {
      const now = Date.now();
      if ((now >= resumeAt && this.#written > job.token) || now - at >= maxMs) break;
      await this.#sleep(25, this.#stopping.signal);
    }
    this.#logPause?.();
    if (worker.resume()) {
      this.options.onRunRecord({
        type: 'resume',
        at: Date.now(),
        worker: worker.name,
        pid: worker.pid,
        token: job.token,
        ...(this.#written > job.token ? { successorToken: this.#written } : {}),
      });
    }
    await this.#next(
      (r) => (r.type === 'outcome' && r.worker === worker.name ? r : undefined),
      this.#stopping.signal,
      TIMING.recoveryCap,
    );
    this.#busy = false;
  }

  /** The first record `pick` takes, from now on; undefined once `signal` aborts or after `timeoutMs`. */
  #next<T>(
    pick: (record: WorkerRecord) => T | undefined,
    signal: AbortSignal,
    timeoutMs = Infinity,
  ): Promise<T | undefined> {
    return new Promise((resolve) => {
      const done = (value: T | undefined) => {
        this.#waiters.delete(waiter);
        signal.removeEventListener('abort', onAbort);
        clearTimeout(timer);
        resolve(value);
      };
      const waiter = (record: WorkerRecord) => {
        const picked = pick(record);
        if (picked !== undefined) done(picked);
      };
      const onAbort = () => done(undefined);
      const timer = Number.isFinite(timeoutMs) ? setTimeout(onAbort, timeoutMs) : undefined;
      if (signal.aborted) return resolve(undefined);
      this.#waiters.add(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** True once `ms` passed, false if `signal` aborted first. */
  async #sleep(ms: number, signal: AbortSignal): Promise<boolean> {
    return sleep(ms, true, { signal }).catch(() => false);
  }

  #after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
  }

  #uniform({ min, max }: { min: number; max: number }): number {
    return Math.round(this.options.random.uniform(min, max));
  }
}

/** The demo's two faults, both aimed at the leader mid-job. */
const DEMO_FAULTS = new FaultRegistry<DemoNemesis, Step>([
  {
    name: 'kill',
    inject: (nemesis) => nemesis.aim('kill', (worker, job, at) => nemesis.kill(worker, job, at)),
    heal: (nemesis, hit) => nemesis.successor(hit),
  } satisfies Fault<DemoNemesis, Step, Hit>,
  {
    name: 'pause',
    inject: (nemesis) => nemesis.aim('pause', (worker, job, at) => nemesis.pause(worker, job, at)),
    heal: (nemesis, hit) => nemesis.resume(hit),
  } satisfies Fault<DemoNemesis, Step, Hit>,
]);

/** Linux: whether `/proc/<pid>/stat` shows the process stopped (`T`). Undefined where that cannot be read. */
function processStopped(pid: number): boolean | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T');
  } catch {
    return undefined;
  }
}
