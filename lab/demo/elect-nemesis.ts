/**
 * The elector demo's nemesis: one scripted sequence of blows against the
 * leader (docs/decisions/elect-demo.md). It learns who leads, and what the
 * leader is doing, only from the records the workers send as they log them;
 * what it does goes to the run log before it does it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Prng } from '../sim/prng.js';
import type { ElectDemoOptions } from './elect-options.js';
import type { ElectPhase, ElectRunRecord, ElectWorkerRecord } from './elect-records.js';
import type { ElectWorkerMessage } from './elect-worker.js';
import type { DemoWorker } from './worker-pool.js';

/** How an elector worker is started: its priority, its mode, its clock's offset. */
export interface ElectWorkerConfig {
  readonly priority: number;
  readonly clockFree: boolean;
  readonly offsetMs: number;
}

/** Who leads and what each worker is doing, as their own records tell. */
export class ElectWatch {
  readonly #leading = new Map<string, number>();
  readonly #prepares: { worker: string; token: number; at: number; prepareMs: number }[] = [];
  readonly #starts: { worker: string; token: number; at: number }[] = [];
  readonly #stops: { worker: string; token: number; at: number }[] = [];
  readonly #accepted: { worker: string; token: number; at: number }[] = [];

  observe(r: ElectWorkerRecord): void {
    switch (r.type) {
      case 'acting-start':
        this.#leading.set(r.worker, r.token);
        this.#starts.push(r);
        return;
      case 'acting-stop':
        if (this.#leading.get(r.worker) === r.token) this.#leading.delete(r.worker);
        this.#stops.push(r);
        return;
      case 'prepare':
        this.#prepares.push(r);
        return;
      case 'write-done':
        if (r.outcome === 'accepted') this.#accepted.push(r);
        return;
      default:
        return;
    }
  }

  /** The process is gone: it leads nothing any more. */
  exited(worker: string): void {
    this.#leading.delete(worker);
  }

  /** The worker acting as leader with the highest token, if any. */
  leader(): { worker: string; token: number } | undefined {
    let best: { worker: string; token: number } | undefined;
    for (const [worker, token] of this.#leading) if (best === undefined || token > best.token) best = { worker, token };
    return best;
  }

  startedAfter(token: number): { worker: string; token: number } | undefined {
    return this.#starts.find((s) => s.token > token);
  }

  stopped(worker: string, token: number): boolean {
    return this.#stops.some((s) => s.worker === worker && s.token === token);
  }

  /** A write with `token` or higher was accepted after `since`. */
  wroteSince(token: number, since: number): boolean {
    return this.#accepted.some((w) => w.token >= token && w.at >= since);
  }

  /** Tenure `token` had a write accepted. */
  wrote(token: number): boolean {
    return this.#accepted.some((w) => w.token === token);
  }

  /** The first `prepare` of `worker`'s tenure `token` logged at or after `since`. */
  prepareSince(worker: string, token: number, since: number): { at: number; prepareMs: number } | undefined {
    return this.#prepares.find((p) => p.worker === worker && p.token === token && p.at >= since);
  }
}

/** What the nemesis acts on. */
export interface ElectNemesisContext {
  readonly options: ElectDemoOptions;
  readonly watch: ElectWatch;
  readonly random: Prng;
  readonly live: () => readonly DemoWorker[];
  readonly spawn: (config: ElectWorkerConfig, replaces?: string) => DemoWorker;
  readonly record: (r: ElectRunRecord) => void;
  readonly say: (line: string) => void;
  readonly signal: AbortSignal;
}

const STOP_GRACE_MS = 3_000;
const READY_TIMEOUT_MS = 30_000;

/**
 * Plays every step in order: SIGKILL the leader; SIGSTOP it past its lease
 * and SIGCONT it once a successor has written; stop it gracefully; restart
 * every worker with rising priorities (clock-free from then on); skew the
 * clocks far beyond `maxClockSkewMs` and watch the leader keep its lease;
 * SIGKILL it. A step that does not see what it waits for in time records
 * `gave-up` and the next one goes on.
 */
export async function playElectNemesis(ctx: ElectNemesisContext): Promise<void> {
  const { options, watch, record, say, signal } = ctx;
  const D = options.leaseMs;
  const wallClock: ElectWorkerConfig = { priority: 0, clockFree: false, offsetMs: 0 };
  const byName = (name: string) => ctx.live().find((w) => w.name === name);

  function skew(w: DemoWorker, offsetMs: number): void {
    record({ type: 'skew', at: Date.now(), worker: w.name, offsetMs });
    w.post<ElectWorkerMessage>({ type: 'skew', offsetMs });
  }

  /** Polls `done` until it holds; false (and a `gave-up` record) after `ms`, false at once when aborted. */
  async function waitFor(phase: ElectPhase, what: string, done: () => boolean, ms: number): Promise<boolean> {
    const end = Date.now() + ms;
    while (!signal.aborted) {
      if (done()) return true;
      if (Date.now() >= end) {
        record({ type: 'gave-up', at: Date.now(), phase, waitingFor: what });
        say(`  gave up waiting for ${what} after ${ms} ms`);
        return false;
      }
      await sleep(20);
    }
    return false;
  }

  /** The current leader, once one leads and has written at least once in its tenure. */
  async function settledLeader(phase: ElectPhase): Promise<{ worker: DemoWorker; token: number } | undefined> {
    let found: { worker: DemoWorker; token: number } | undefined;
    await waitFor(
      phase,
      'a leader that has written',
      () => {
        const l = watch.leader();
        const w = l && byName(l.worker);
        found = l && w ? { worker: w, token: l.token } : undefined;
        return found !== undefined && watch.wrote(found.token);
      },
      5 * D,
    );
    return found;
  }

  function phase(name: ElectPhase, line: string): void {
    record({ type: 'phase', at: Date.now(), phase: name });
    say(`\n${line}`);
  }

  async function kill(name: ElectPhase, replacement: ElectWorkerConfig | undefined): Promise<void> {
    const leader = await settledLeader(name);
    if (!leader) return;
    record({ type: 'kill', at: Date.now(), worker: leader.worker.name, pid: leader.worker.pid, token: leader.token, phase: name });
    leader.worker.signal('SIGKILL');
    if (replacement) ctx.spawn(replacement, leader.worker.name);
    await waitFor(name, `a successor of token ${leader.token}`, () => watch.startedAfter(leader.token) !== undefined, 5 * D);
  }

  // 1. SIGKILL: the lease runs out, a waiter takes over.
  phase('kill', `1/6 SIGKILL of the leader: a waiter takes over once the lease runs out (+ maxClockSkewMs)`);
  await kill('kill', wallClock);
  if (signal.aborted) return;

  // 2. SIGSTOP in the middle of preparing a write, past the lease; SIGCONT once a successor has written.
  phase('pause', `2/6 SIGSTOP of the leader mid-write, past its lease; SIGCONT after a successor has written`);
  const paused = await settledLeader('pause');
  if (paused) {
    const since = Date.now();
    let prepare: { at: number; prepareMs: number } | undefined;
    await waitFor('pause', `${paused.worker.name} preparing a write`, () => (prepare = watch.prepareSince(paused.worker.name, paused.token, since)) !== undefined, D);
    if (prepare) {
      // Somewhere in the middle of the preparation, so the write is still to be sent.
      const strikeAt = prepare.at + prepare.prepareMs * ctx.random.uniform(0.25, 0.6);
      await sleep(Math.max(0, strikeAt - Date.now()));
      record({ type: 'pause', at: Date.now(), worker: paused.worker.name, pid: paused.worker.pid, token: paused.token });
      paused.worker.signal('SIGSTOP');
      const pausedAt = Date.now();
      await waitFor('pause', `a successor of token ${paused.token} to write`, () => watch.wroteSince(paused.token + 1, pausedAt), 5 * D);
      record({ type: 'resume', at: Date.now(), worker: paused.worker.name, pid: paused.worker.pid, token: paused.token });
      paused.worker.signal('SIGCONT');
      await waitFor('pause', `${paused.worker.name} to stop acting as token ${paused.token}`, () => watch.stopped(paused.worker.name, paused.token), 2 * D);
    }
  }
  if (signal.aborted) return;

  // 3. Graceful stop: the leader's signal aborts, it releases, a waiter takes over within a poll.
  phase('graceful-stop', `3/6 graceful stop of the leader: it releases, a waiter takes the lease within one poll`);
  const stopping = await settledLeader('graceful-stop');
  if (stopping) {
    record({ type: 'stop', at: Date.now(), worker: stopping.worker.name, pid: stopping.worker.pid, token: stopping.token, phase: 'graceful-stop' });
    const stopped = stopping.worker.stop(STOP_GRACE_MS);
    ctx.spawn(wallClock, stopping.worker.name);
    await waitFor('graceful-stop', `a successor of token ${stopping.token}`, () => watch.startedAfter(stopping.token) !== undefined, 5 * D);
    await stopped;
  }
  if (signal.aborted) return;

  // 4. Rolling restart: each new worker has a higher priority than all before it, and is clock-free.
  const clockFree = !options.wallClockUnderSkew;
  phase('rolling-restart', `4/6 rolling restart: each new worker (${clockFree ? 'clock-free' : 'wall-clock, broken on purpose'}) has a higher priority and takes over by handoff`);
  const old = [...ctx.live()];
  for (const [i, previous] of old.entries()) {
    const fresh = ctx.spawn({ priority: i + 1, clockFree, offsetMs: 0 }, previous.name);
    const ready = await Promise.race([fresh.ready.then(() => true), sleep(READY_TIMEOUT_MS).then(() => false)]).catch(() => false);
    if (!ready) record({ type: 'gave-up', at: Date.now(), phase: 'rolling-restart', waitingFor: `${fresh.name} to start` });
    else await waitFor('rolling-restart', `${fresh.name} (priority ${i + 1}) to lead`, () => watch.leader()?.worker === fresh.name, 5 * D);
    // A worker still starting could miss the stop message; let it come up first.
    await previous.ready.catch(() => undefined);
    record({ type: 'stop', at: Date.now(), worker: previous.name, pid: previous.pid, phase: 'rolling-restart' });
    await previous.stop(STOP_GRACE_MS);
    if (signal.aborted) return;
  }

  // 5. Skew: every clock far from the others; a clock-free leader keeps its lease.
  phase('skew', `5/6 clocks skewed far beyond maxClockSkewMs; a clock-free leader keeps its lease`);
  const leader = await settledLeader('skew');
  // Waiters ahead (the direction in which the wall-clock rule takes over a live leader) and behind.
  // The leader's own clock is stepped back only on request: see docs/decisions/elect-demo.md.
  const offsets = [3 * D, -3 * D, 4 * D, -4 * D];
  ctx.live()
    .filter((w) => w.name !== leader?.worker.name)
    .forEach((w, i) => skew(w, offsets[i % offsets.length] as number));
  if (leader && options.skewLeaderBack) skew(leader.worker, -3 * D);
  say(`  watching for ${(3 * D) / 1000} s`);
  await sleep(3 * D, undefined, { signal }).catch(() => undefined);
  if (signal.aborted) return;

  // 6. SIGKILL of the clock-free leader: a waiter takes over after watching its version for a whole lease.
  phase('clock-free-kill', `6/6 SIGKILL of the clock-free leader: a waiter takes over after watching the lease unchanged for ${D} ms`);
  await kill('clock-free-kill', undefined);
  await sleep(D, undefined, { signal }).catch(() => undefined);
  record({ type: 'phase', at: Date.now(), phase: 'end' });
}
