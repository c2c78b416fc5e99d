import { readFileSync } from 'node:fs';
import type { Prng } from '../sim/prng.js';
import type { RunRecord, WorkerRecord } from './records.js';
import type { DemoWorker, WorkerPool } from './worker-pool.js';

/** Options of {@link Nemesis}. */
export interface NemesisOptions {
  readonly pool: WorkerPool;
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

type Kind = 'kill' | 'pause';
type State =
  | { readonly name: 'waiting' }
  | { readonly name: 'armed'; readonly kind: Kind }
  | { readonly name: 'aiming'; readonly kind: Kind; readonly worker: DemoWorker; readonly token: number }
  | { readonly name: 'paused'; readonly worker: DemoWorker; readonly token: number; readonly at: number; readonly expiresAt: number; readonly maxMs: number }
  | { readonly name: 'recovering'; readonly worker: DemoWorker; readonly token: number; readonly after: Kind; readonly since: number }
  | { readonly name: 'stopped' };

/**
 * Strikes the leader while its job runs: SIGKILL (and a replacement worker
 * is spawned, as Lambda would start a new execution environment), or SIGSTOP
 * for longer than its lease, then SIGCONT once a successor has taken over and
 * written, so the old leader's late write meets the fence.
 *
 * It strikes at a random moment of the job (before its write, mostly; now and
 * then during or after it), one strike at a time: the next is armed only once
 * the last one's aftermath is over. The first two strikes are one of each
 * kind, in random order; later ones are a coin toss. Every signal it sends is
 * in the run log, with what it was aimed at.
 */
export class Nemesis {
  #state: State = { name: 'waiting' };
  #kinds: Kind[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  #poll: NodeJS.Timeout | undefined;
  /** The highest token whose ledger write a worker reported as successful. */
  #written = 0;
  /** Writes the pending pause record (after the process state was read). */
  #logPause: (() => void) | undefined;
  #finishing = false;

  constructor(private readonly options: NemesisOptions) {
    const first: Kind = options.random.chance(0.5) ? 'kill' : 'pause';
    this.#kinds = [first, first === 'kill' ? 'pause' : 'kill'];
  }

  start(): void {
    this.#after(this.#uniform(TIMING.firstAfter), () => this.#arm());
  }

  /** Feeds the nemesis every worker record, as it arrives. */
  observe(record: WorkerRecord): void {
    if (record.type === 'write-end' && record.ok) this.#written = Math.max(this.#written, record.token);
    const state = this.#state;
    if (record.type === 'job-start' && state.name === 'armed') {
      if (Date.now() > (this.options.lastStrikeAt ?? Infinity)) {
        this.#state = { name: 'stopped' };
        return;
      }
      const worker = this.options.pool.all.find((w) => w.name === record.worker);
      if (worker === undefined) return;
      // Mostly before the write; the tail of the range lands during or just after it.
      const delay = this.#uniform({ min: 0, max: record.workMs * (state.kind === 'pause' ? 1.15 : 1) });
      this.#state = { name: 'aiming', kind: state.kind, worker, token: record.token };
      this.#after(delay, () => this.#strike());
      return;
    }
    if (state.name === 'recovering') {
      const over =
        state.after === 'kill'
          ? record.type === 'job-start' && record.token > state.token // a successor leads
          : record.type === 'outcome' && record.worker === state.worker.name; // the resumed leader finished its invocation
      if (over) this.#rest();
    }
  }

  /** A strike's aftermath is still playing out (a leader paused, or no successor yet). */
  get busy(): boolean {
    return this.#state.name === 'paused' || this.#state.name === 'recovering';
  }

  /** Strikes no more, but lets a strike in progress play out (a pause runs until its successor has written). */
  finish(): void {
    this.#finishing = true;
    const name = this.#state.name;
    if (name === 'waiting' || name === 'armed' || name === 'aiming') this.#state = { name: 'stopped' };
  }

  /** Stops striking; resumes a paused worker so it can be stopped and its outcome logged. */
  stop(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    if (this.#poll) clearInterval(this.#poll);
    this.#logPause?.();
    if (this.#state.name === 'paused') this.#resume(this.#state);
    this.#state = { name: 'stopped' };
  }

  #arm(): void {
    if (this.#state.name === 'stopped' || this.#finishing) return;
    const kind = this.#kinds.shift() ?? (this.options.random.chance(0.5) ? 'kill' : 'pause');
    this.#state = { name: 'armed', kind };
  }

  #strike(): void {
    const state = this.#state;
    if (state.name !== 'aiming') return;
    const { worker, token, kind } = state;
    const job = worker.job;
    // The job ended before the blow: wait for the next leader.
    if (job === undefined || job.token !== token || worker.state !== 'ready') {
      this.#state = { name: 'armed', kind };
      return;
    }
    const at = Date.now();
    if (kind === 'kill') {
      if (!worker.signal('SIGKILL')) {
        this.#state = { name: 'armed', kind };
        return;
      }
      this.options.onRunRecord({ type: 'kill', at, worker: worker.name, pid: worker.pid, token, tick: job.tick });
      this.options.pool.spawn(worker.name);
      this.#recover({ name: 'recovering', worker, token, after: 'kill', since: at });
      return;
    }
    if (!worker.signal('SIGSTOP')) {
      this.#state = { name: 'armed', kind };
      return;
    }
    const maxMs = job.durationMs + 4 * this.options.tickMs + 3_000;
    this.#state = { name: 'paused', worker, token, at, expiresAt: job.expiresAt, maxMs };
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
        token,
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
    this.#poll = setInterval(() => {
      const s = this.#state;
      if (s.name !== 'paused') return;
      const now = Date.now();
      const expired = now >= s.expiresAt + this.options.maxClockSkewMs + TIMING.resumeAfterExpiry;
      if ((expired && this.#written > s.token) || now - s.at >= s.maxMs) this.#resume(s);
    }, 25);
  }

  #resume(state: Extract<State, { name: 'paused' }>): void {
    if (this.#poll) clearInterval(this.#poll);
    this.#poll = undefined;
    this.#logPause?.();
    const { worker, token } = state;
    if (worker.signal('SIGCONT')) {
      this.options.onRunRecord({
        type: 'resume',
        at: Date.now(),
        worker: worker.name,
        pid: worker.pid,
        token,
        ...(this.#written > token ? { successorToken: this.#written } : {}),
      });
    }
    this.#recover({ name: 'recovering', worker, token, after: 'pause', since: Date.now() });
  }

  #recover(state: Extract<State, { name: 'recovering' }>): void {
    this.#state = state;
    this.#after(TIMING.recoveryCap, () => {
      if (this.#state === state) this.#rest();
    });
  }

  /** The aftermath is over: arm again after a random gap. */
  #rest(): void {
    if (this.#state.name !== 'recovering') return;
    this.#state = this.#finishing ? { name: 'stopped' } : { name: 'waiting' };
    this.#after(this.#uniform(TIMING.gap), () => this.#arm());
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

/** Linux: whether `/proc/<pid>/stat` shows the process stopped (`T`). Undefined where that cannot be read. */
function processStopped(pid: number): boolean | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T');
  } catch {
    return undefined;
  }
}
