/**
 * The elector demo's nemesis: one scripted sequence of blows against the
 * leader (docs/decisions/elect-demo.md), each a fault of the lab's nemesis
 * (lab/harness/nemesis.ts) played in the order of `ELECT_PHASES`. It learns who leads, and what the
 * leader is doing, only from the records the workers send as they log them;
 * what it does goes to the run log before it does it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultRegistry, Nemesis, type Fault } from '../harness/nemesis.js';
import type { PooledWorker } from '../harness/worker-pool.js';
import type { Prng } from '../sim/prng.js';
import type { ElectDemoOptions } from './elect-options.js';
import { ELECT_PHASES, type ElectPhase, type ElectRunRecord, type ElectWorkerRecord } from './elect-records.js';
import type { ElectWorkerMessage } from './elect-worker.js';

type Elector = PooledWorker<ElectWorkerMessage>;

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
  readonly live: () => readonly Elector[];
  readonly spawn: (config: ElectWorkerConfig, replaces?: string) => Elector;
  readonly record: (r: ElectRunRecord) => void;
  readonly say: (line: string) => void;
  readonly signal: AbortSignal;
}

const STOP_GRACE_MS = 3_000;
const READY_TIMEOUT_MS = 30_000;
const WALL_CLOCK: ElectWorkerConfig = { priority: 0, clockFree: false, offsetMs: 0 };

/** The leader a step strikes, and its tenure. */
interface Struck {
  readonly worker: Elector;
  readonly token: number;
}

/** What the steps share: the context, and how they wait. */
class Play {
  constructor(readonly ctx: ElectNemesisContext) {}

  get D(): number {
    return this.ctx.options.leaseMs;
  }

  byName(name: string): Elector | undefined {
    return this.ctx.live().find((w) => w.name === name);
  }

  skew(w: Elector, offsetMs: number): void {
    this.ctx.record({ type: 'skew', at: Date.now(), worker: w.name, offsetMs });
    w.send({ type: 'skew', offsetMs });
  }

  /** Polls `done` until it holds; false (and a `gave-up` record) after `ms`, false at once when aborted. */
  async waitFor(phase: ElectPhase, what: string, done: () => boolean, ms: number): Promise<boolean> {
    const end = Date.now() + ms;
    while (!this.ctx.signal.aborted) {
      if (done()) return true;
      if (Date.now() >= end) {
        this.ctx.record({ type: 'gave-up', at: Date.now(), phase, waitingFor: what });
        this.ctx.say(`  gave up waiting for ${what} after ${ms} ms`);
        return false;
      }
      await sleep(20);
    }
    return false;
  }

  /** The current leader, once one leads and has written at least once in its tenure. */
  async settledLeader(phase: ElectPhase): Promise<Struck | undefined> {
    let found: Struck | undefined;
    await this.waitFor(
      phase,
      'a leader that has written',
      () => {
        const l = this.ctx.watch.leader();
        const w = l && this.byName(l.worker);
        found = l && w ? { worker: w, token: l.token } : undefined;
        return found !== undefined && this.ctx.watch.wrote(found.token);
      },
      5 * this.D,
    );
    return found;
  }

  /** Waits until a tenure after `token` has started. */
  async successor(phase: ElectPhase, { token }: Struck): Promise<void> {
    await this.waitFor(
      phase,
      `a successor of token ${token}`,
      () => this.ctx.watch.startedAfter(token) !== undefined,
      5 * this.D,
    );
  }

  phase(name: ElectPhase, line: string): void {
    this.ctx.record({ type: 'phase', at: Date.now(), phase: name });
    this.ctx.say(`\n${line}`);
  }

  /** SIGKILLs the settled leader, and starts `replacement` in its place. */
  async kill(name: ElectPhase, replacement: ElectWorkerConfig | undefined): Promise<Struck | undefined> {
    const leader = await this.settledLeader(name);
    if (!leader) return undefined;
    this.ctx.record({
      type: 'kill',
      at: Date.now(),
      worker: leader.worker.name,
      pid: leader.worker.pid,
      token: leader.token,
      phase: name,
    });
    leader.worker.kill();
    if (replacement) this.ctx.spawn(replacement, leader.worker.name);
    return leader;
  }
}

/** A paused leader, and when it was paused. */
interface Paused extends Struck {
  readonly pausedAt: number;
}

/** A leader asked to stop gracefully, and its exit. */
interface Stopping extends Struck {
  readonly stopped: Promise<void>;
}

type Step = { readonly kind: ElectPhase };

/** The six steps; each injects when the one before has healed. */
const ELECT_FAULTS = new FaultRegistry<Play, Step>([
  {
    // 1. SIGKILL: the lease runs out, a waiter takes over.
    name: 'kill',
    inject(play) {
      play.phase('kill', `1/6 SIGKILL of the leader: a waiter takes over once the lease runs out (+ maxClockSkewMs)`);
      return play.kill('kill', WALL_CLOCK);
    },
    heal: (play, leader) => play.successor('kill', leader),
  } satisfies Fault<Play, Step, Struck>,
  {
    // 2. SIGSTOP in the middle of preparing a write, past the lease; SIGCONT once a successor has written.
    name: 'pause',
    async inject(play) {
      play.phase('pause', `2/6 SIGSTOP of the leader mid-write, past its lease; SIGCONT after a successor has written`);
      const paused = await play.settledLeader('pause');
      if (!paused) return undefined;
      const since = Date.now();
      let prepare: { at: number; prepareMs: number } | undefined;
      await play.waitFor(
        'pause',
        `${paused.worker.name} preparing a write`,
        () => (prepare = play.ctx.watch.prepareSince(paused.worker.name, paused.token, since)) !== undefined,
        play.D,
      );
      if (!prepare) return undefined;
      // Somewhere in the middle of the preparation, so the write is still to be sent.
      const strikeAt = prepare.at + prepare.prepareMs * play.ctx.random.uniform(0.25, 0.6);
      await sleep(Math.max(0, strikeAt - Date.now()));
      play.ctx.record({
        type: 'pause',
        at: Date.now(),
        worker: paused.worker.name,
        pid: paused.worker.pid,
        token: paused.token,
      });
      paused.worker.pause();
      return { ...paused, pausedAt: Date.now() };
    },
    async heal(play, { worker, token, pausedAt }) {
      await play.waitFor(
        'pause',
        `a successor of token ${token} to write`,
        () => play.ctx.watch.wroteSince(token + 1, pausedAt),
        5 * play.D,
      );
      play.ctx.record({ type: 'resume', at: Date.now(), worker: worker.name, pid: worker.pid, token });
      worker.resume();
      await play.waitFor(
        'pause',
        `${worker.name} to stop acting as token ${token}`,
        () => play.ctx.watch.stopped(worker.name, token),
        2 * play.D,
      );
    },
  } satisfies Fault<Play, Step, Paused>,
  {
    // 3. Graceful stop: the leader's signal aborts, it releases, a waiter takes over within a poll.
    name: 'graceful-stop',
    async inject(play) {
      play.phase(
        'graceful-stop',
        `3/6 graceful stop of the leader: it releases, a waiter takes the lease within one poll`,
      );
      const leader = await play.settledLeader('graceful-stop');
      if (!leader) return undefined;
      play.ctx.record({
        type: 'stop',
        at: Date.now(),
        worker: leader.worker.name,
        pid: leader.worker.pid,
        token: leader.token,
        phase: 'graceful-stop',
      });
      const stopped = leader.worker.stop(STOP_GRACE_MS);
      play.ctx.spawn(WALL_CLOCK, leader.worker.name);
      return { ...leader, stopped };
    },
    async heal(play, stopping) {
      await play.successor('graceful-stop', stopping);
      await stopping.stopped;
    },
  } satisfies Fault<Play, Step, Stopping>,
  {
    // 4. Rolling restart: each new worker has a higher priority than all before it, and is clock-free.
    name: 'rolling-restart',
    async inject(play) {
      const { ctx } = play;
      const clockFree = !ctx.options.wallClockUnderSkew;
      play.phase(
        'rolling-restart',
        `4/6 rolling restart: each new worker (${clockFree ? 'clock-free' : 'wall-clock, broken on purpose'}) ` +
          `has a higher priority and takes over by handoff`,
      );
      const old = [...ctx.live()];
      for (const [i, previous] of old.entries()) {
        const fresh = ctx.spawn({ priority: i + 1, clockFree, offsetMs: 0 }, previous.name);
        const ready = await Promise.race([
          fresh.ready.then(() => true),
          sleep(READY_TIMEOUT_MS).then(() => false),
        ]).catch(() => false);
        if (!ready)
          ctx.record({
            type: 'gave-up',
            at: Date.now(),
            phase: 'rolling-restart',
            waitingFor: `${fresh.name} to start`,
          });
        else
          await play.waitFor(
            'rolling-restart',
            `${fresh.name} (priority ${i + 1}) to lead`,
            () => ctx.watch.leader()?.worker === fresh.name,
            5 * play.D,
          );
        // A worker still starting could miss the stop message; let it come up first.
        await previous.ready.catch(() => undefined);
        ctx.record({
          type: 'stop',
          at: Date.now(),
          worker: previous.name,
          pid: previous.pid,
          phase: 'rolling-restart',
        });
        await previous.stop(STOP_GRACE_MS);
        if (ctx.signal.aborted) return undefined;
      }
      return undefined;
    },
    heal: () => undefined,
  } satisfies Fault<Play, Step>,
  {
    // 5. Skew: every clock far from the others; a clock-free leader keeps its lease.
    name: 'skew',
    async inject(play) {
      const { ctx, D } = play;
      play.phase('skew', `5/6 clocks skewed far beyond maxClockSkewMs; a clock-free leader keeps its lease`);
      const leader = await play.settledLeader('skew');
      // Waiters ahead (the direction in which the wall-clock rule takes over a live leader) and behind.
      // The leader's own clock is stepped back only on request: see docs/decisions/elect-demo.md.
      const offsets = [3 * D, -3 * D, 4 * D, -4 * D];
      ctx
        .live()
        .filter((w) => w.name !== leader?.worker.name)
        .forEach((w, i) => play.skew(w, offsets[i % offsets.length] as number));
      if (leader && ctx.options.skewLeaderBack) play.skew(leader.worker, -3 * D);
      return true as const;
    },
    // The clocks stay skewed: the next step is judged under them. This one only watches.
    async heal(play) {
      play.ctx.say(`  watching for ${(3 * play.D) / 1000} s`);
      await sleep(3 * play.D, undefined, { signal: play.ctx.signal }).catch(() => undefined);
    },
  } satisfies Fault<Play, Step, true>,
  {
    // 6. SIGKILL of the clock-free leader: a waiter takes over after watching its version for a whole lease.
    name: 'clock-free-kill',
    inject(play) {
      play.phase(
        'clock-free-kill',
        `6/6 SIGKILL of the clock-free leader: a waiter takes over after watching the lease unchanged for ${play.D} ms`,
      );
      return play.kill('clock-free-kill', undefined);
    },
    heal: (play, leader) => play.successor('clock-free-kill', leader),
  } satisfies Fault<Play, Step, Struck>,
]);

/**
 * Plays every step in order: SIGKILL the leader; SIGSTOP it past its lease
 * and SIGCONT it once a successor has written; stop it gracefully; restart
 * every worker with rising priorities (clock-free from then on); skew the
 * clocks far beyond `maxClockSkewMs` and watch the leader keep its lease;
 * SIGKILL it. A step that does not see what it waits for in time records
 * `gave-up` and the next one goes on.
 */
export async function playElectNemesis(ctx: ElectNemesisContext): Promise<void> {
  await new Nemesis(ELECT_FAULTS, new Play(ctx)).run(
    ELECT_PHASES.map((kind) => ({ kind })),
    ctx.signal,
  );
  if (ctx.signal.aborted) return;
  await sleep(ctx.options.leaseMs, undefined, { signal: ctx.signal }).catch(() => undefined);
  ctx.record({ type: 'phase', at: Date.now(), phase: 'end' });
}
