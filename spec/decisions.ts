import type { Clock, Lease, LeaseEvent, LeaseRecord, LeaseStore, SleepOptions, WriteOutcome } from 'baton-lease';
import type { Runtime } from '../lab/dst/runtime.js';
import { type ModelEvent, type ModelWrite, type Trace, OPERATOR, UNIT_MS, ms, owner, send } from './conformance.js';

/**
 * Decision conformance (docs/protocol.md#the-model): a model trace replayed
 * through the real `elect` loop, `Lease` and waiting rule, loaded like the
 * deterministic simulation's runtime (lab/dst/runtime.ts, real or mutated).
 *
 * Each worker of the trace runs one real elector (in the runs with ticks, one
 * `runAsLeader` invocation per invocation of the model) on a clock of the
 * replay's own. The model drives it: a sleep of the code (a poll's pause, the
 * renew loop's period, a backoff) ends at that worker's next step in the
 * trace, with the clock set to the model's time and the worker's wall-clock
 * offset then; only the timers that serve a tenure run by their own length
 * (docs/decisions/decision-replay.md). Every request the code sends waits
 * until the trace's step for it, must match the model's write
 * (owner, token, times, durations, reservation, observed version), and is
 * answered as the trace's network did: delivered, applied with its answer lost,
 * lost, or held and landed later. The store is the runtime's own
 * `InMemoryLeaseStore`, fed the model's writes. After each step the code's
 * decision, read off its events, its next request and its lease, must be the
 * model's verdict; a tenure's local deadline must be the model's `sent + D - M`.
 */

/** The bounds of one traced run that the replay needs, from its `-D` flags (spec/baton.pml's defaults otherwise). */
export interface ModelConfig {
  readonly clockFree: boolean;
  readonly ticks: boolean;
  readonly durations: readonly [number, number];
  readonly periods: readonly [number, number];
  readonly priorities: readonly [number, number];
  readonly margin: number;
  readonly skew: number;
}

export function modelConfig(defines: readonly string[]): ModelConfig {
  const flags = new Map<string, number>();
  for (const d of defines) {
    const m = /^-D(\w+)(?:=(-?\d+))?$/.exec(d);
    if (m) flags.set(m[1]!, m[2] === undefined ? 1 : Number(m[2]));
  }
  const flag = (name: string, fallback: number) => flags.get(name) ?? fallback;
  const margin = flag('M', 1);
  const d0 = flag('D0', 5);
  const d1 = flag('D1', d0);
  const period = (d: number) => Math.max(1, Math.floor((d - margin) / 3));
  return {
    clockFree: flag('CLOCKFREE', 0) === 1,
    ticks: flag('TICKS', 0) === 1,
    durations: [d0, d1],
    periods: [flag('P0', period(d0)), flag('P1', period(d1))],
    priorities: [flag('PR0', 0), flag('PR1', 0)],
    margin,
    skew: flag('S', 1),
  };
}

export interface DecisionMismatch {
  readonly trace: string;
  /** Model time of the step. */
  readonly t: number;
  readonly worker: number;
  readonly verdict: string;
  readonly what: string;
  readonly expected: unknown;
  readonly actual: unknown;
}

export interface DecisionReplay {
  /** Decisions compared, by the model's verdict. */
  readonly decisions: Record<string, number>;
  readonly mismatches: readonly DecisionMismatch[];
}

// ---- the trace, grouped into the model's atomic steps ----

type Step =
  | { readonly kind: 'time'; readonly t: number }
  /** A write no client step printed: a request landing late, or a release whose tick clause failed (a second one follows). */
  | { readonly kind: 'orphan'; readonly write: ModelWrite }
  | { readonly kind: 'force'; readonly write: ModelWrite }
  | {
      readonly kind: 'action';
      readonly worker: number;
      readonly verdict: string;
      readonly off: number;
      readonly net: number;
      readonly extra: readonly number[];
      readonly write?: ModelWrite;
      readonly handoff?: ModelWrite;
    };

const ACQUIRE = new Set(['won', 'lost', 'retry']);
const RENEW = new Set(['renewed', 'renew-unknown', 'handover', 'kept', 'superseded']);
const RELEASE = new Set(['released', 'release-lost', 'release-failed']);
const READ = new Set(['read-write', 'read-wait', 'read-failed']);
/** The model's network fates: delivered (0), request lost (1), answer lost after the write applied (2), request landing late (3). */
const NET_OK = 0;
const NET_ANSWER_LOST = 2;
const NET_LATE = 3;

export function groupSteps(events: readonly ModelEvent[]): Step[] {
  const steps: Step[] = [];
  let pending: ModelWrite[] = [];
  const flush = () => {
    for (const write of pending) steps.push({ kind: 'orphan', write });
    pending = [];
  };
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.kind === 'time') {
      flush();
      steps.push(e);
    } else if (e.kind === 'write') pending.push(e.write);
    else if (e.kind === 'read') {
      flush();
      let handoff: ModelWrite | undefined;
      let j = i + 1;
      for (; j < events.length && events[j]!.kind === 'write'; j++)
        handoff = (events[j] as { write: ModelWrite }).write;
      const d = events[j];
      if (d?.kind !== 'decide' || !READ.has(d.verdict)) throw new Error('a read without its verdict');
      steps.push({
        kind: 'action',
        worker: d.worker,
        verdict: d.verdict,
        off: d.args[0]!,
        net: d.args[1]!,
        extra: d.args.slice(2),
        ...(handoff ? { handoff } : {}),
      });
      i = j;
    } else if (e.verdict === 'force-release') {
      flush();
      const next = events[++i];
      if (next?.kind !== 'write') throw new Error("an operator's release without its write");
      steps.push({ kind: 'force', write: next.write });
    } else {
      const writes = ACQUIRE.has(e.verdict) || RENEW.has(e.verdict) || RELEASE.has(e.verdict);
      const net = e.args[1]!;
      const write = writes && (net === NET_OK || net === NET_ANSWER_LOST) ? pending.pop() : undefined;
      flush();
      let handoff: ModelWrite | undefined;
      const next = events[i + 1];
      if (e.verdict === 'lost' && next?.kind === 'write' && next.write.op === 'handoff') {
        handoff = next.write;
        i++;
      }
      steps.push({
        kind: 'action',
        worker: e.worker,
        verdict: e.verdict,
        off: e.args[0]!,
        net,
        extra: e.args.slice(2),
        ...(write ? { write } : {}),
        ...(handoff ? { handoff } : {}),
      });
    }
  }
  flush();
  return steps;
}

// ---- the replay's clock and store ----

interface Sleeper {
  readonly at: number;
  wake(): void;
}

/**
 * A worker's clock, set by the replay. A sleep with `keepAlive: false` (the lease's deadline timer)
 * ends when the monotonic clock reaches its end; every other sleep ends at the worker's next step.
 */
class ReplayClock implements Clock {
  t = 0;
  off = 0;
  readonly timed = new Set<Sleeper>();
  readonly loops = new Set<Sleeper>();

  now(): number {
    return ms(this.t + this.off);
  }

  monotonic(): number {
    return this.t * UNIT_MS;
  }

  sleep(sleepMs: number, signal?: AbortSignal, options?: SleepOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const set = options?.keepAlive === false ? this.timed : this.loops;
      const onAbort = () => {
        set.delete(sleeper);
        reject(signal!.reason as Error);
      };
      const sleeper: Sleeper = {
        at: this.monotonic() + sleepMs,
        wake: () => {
          set.delete(sleeper);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      set.add(sleeper);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  advance(t: number, off: number): void {
    this.t = t;
    this.off = off;
    for (const s of [...this.timed].sort((a, b) => a.at - b.at)) if (s.at <= this.monotonic()) s.wake();
  }

  wakeLoops(): void {
    for (const s of [...this.loops]) s.wake();
  }
}

type Op = 'acquire' | 'renew' | 'release' | 'read' | 'requestHandoff';

interface Request {
  readonly op: Op;
  readonly command: Record<string, unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Worker {
  readonly w: number;
  readonly clock: ReplayClock;
  readonly queue: Request[];
  events: LeaseEvent[];
  lease: Lease | undefined;
  endWork: (() => void) | undefined;
  /** A process of this worker runs: its elector, or (with ticks) one runAsLeader invocation. */
  started: boolean;
  /** The model's local deadline of the current tenure. */
  deadline: number;
  /** How the last runAsLeader invocation ended. */
  result: { released?: boolean } | undefined;
}

const timeout = (op: string) => Object.assign(new Error(`${op} timed out`), { name: 'TimeoutError' });
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

class Diverged extends Error {}

/** Replays `trace` through the runtime's elector, or with ticks through one runAsLeader invocation per model invocation. */
export async function replayDecisions(runtime: Runtime, trace: Trace, config: ModelConfig): Promise<DecisionReplay> {
  const decisions: Record<string, number> = {};
  const mismatches: DecisionMismatch[] = [];
  const id = `${trace.run}/${trace.seed}`;
  const { baton } = runtime;
  const name = `decide-${trace.run}-${trace.seed}`;
  const store = new baton.InMemoryLeaseStore();
  let T = 0;
  let step: Step | undefined;

  // Owner ids: the code's are random, the model's small numbers; the store holds the model's.
  const toModel = new Map<string, number>();
  const toReal = new Map<string, string>();
  const real = (record: LeaseRecord | undefined): LeaseRecord | undefined => {
    if (record === undefined) return undefined;
    const map = (o: string | undefined) => (o === undefined ? undefined : (toReal.get(o) ?? o));
    return {
      ...record,
      ...(record.holder ? { holder: map(record.holder)! } : {}),
      ...(record.releasedBy ? { releasedBy: map(record.releasedBy)! } : {}),
    };
  };
  const realOutcome = (outcome: WriteOutcome): WriteOutcome =>
    outcome.applied
      ? { applied: true, before: real(outcome.before) }
      : { applied: false, current: real(outcome.current) };

  const fail = (worker: number, what: string, expected: unknown, actual: unknown): never => {
    const verdict = step?.kind === 'action' ? step.verdict : (step?.kind ?? 'end');
    mismatches.push({ trace: id, t: T, worker, verdict, what, expected, actual });
    throw new Diverged(what);
  };
  const count = (kind: string) => (decisions[kind] = (decisions[kind] ?? 0) + 1);

  /** The code's request against the model's write: same operation, owner, token and arguments. */
  const matches = (w: number, request: Request, write: ModelWrite) => {
    const c = request.command;
    const a = write.args;
    const expected: Record<string, unknown> = { op: write.op };
    const actual: Record<string, unknown> = { op: request.op === 'requestHandoff' ? 'handoff' : request.op };
    const ownerOf = (o: number) => {
      const id = c.owner as string;
      // A fresh acquire's owner id is the code's own: the replay learns which model number it stands for.
      if (write.op === 'acquire' && !toModel.has(id)) {
        toModel.set(id, o);
        toReal.set(owner(o), id);
      }
      expected.owner = o;
      actual.owner = toModel.get(id);
    };
    switch (write.op) {
      case 'acquire': {
        const [o, n, d, s, tick, pr, cf, obs, oTok, oVer] = a as number[];
        ownerOf(o!);
        Object.assign(expected, {
          now: ms(n!),
          durationMs: d! * UNIT_MS,
          skewMs: s! * UNIT_MS,
          tick: tick ? ms(tick) : undefined,
          priority: pr || 0,
          observed: cf ? (obs ? `${oTok}/${oVer}` : 'none') : undefined,
        });
        const observed = (c.clockFree as { observed?: { token: number; version: number } } | undefined)?.observed;
        Object.assign(actual, {
          now: c.now,
          durationMs: c.durationMs,
          skewMs: c.skewMs,
          tick: c.tick,
          priority: c.priority ?? 0,
          observed: c.clockFree === undefined ? undefined : observed ? `${observed.token}/${observed.version}` : 'none',
        });
        break;
      }
      case 'renew': {
        const [o, t, n, d] = a as number[];
        ownerOf(o!);
        Object.assign(expected, { token: t, now: ms(n!), durationMs: d! * UNIT_MS });
        Object.assign(actual, { token: c.token, now: c.now, durationMs: c.durationMs });
        break;
      }
      case 'release': {
        const [o, t, n, tick, , reserve] = a as number[];
        ownerOf(o!);
        Object.assign(expected, {
          token: t,
          now: ms(n!),
          tick: tick ? ms(tick) : undefined,
          reserveMs: reserve ? reserve * UNIT_MS : undefined,
        });
        Object.assign(actual, { token: c.token, now: c.now, tick: c.tick, reserveMs: c.reserveMs });
        break;
      }
      case 'handoff': {
        const [t, requester, pr] = a as number[];
        Object.assign(expected, { token: t, requester: `w${requester! - 1}`, priority: pr });
        Object.assign(actual, { token: c.token, requester: c.requester, priority: c.priority });
        break;
      }
    }
    if (JSON.stringify(expected) !== JSON.stringify(actual)) fail(w, 'request', expected, actual);
  };

  /** Applies the model's write to the store; the store must agree with the model on whether it applied. */
  const apply = async (w: number, write: ModelWrite): Promise<WriteOutcome> => {
    const outcome = await send(store, name, write);
    if (outcome.applied !== write.ok) fail(w, 'store', write.ok, outcome.applied);
    return outcome;
  };

  const workers: Worker[] = [0, 1].map((w) => ({
    w,
    clock: new ReplayClock(),
    queue: [],
    events: [],
    lease: undefined,
    endWork: undefined,
    started: false,
    deadline: 0,
    result: undefined,
  }));
  /** Requests whose answer was lost and that land later (the model's late requests), by worker; a crash does not stop them. */
  const late: { op: Op; command: Record<string, unknown> }[][] = [[], []];

  /** Starts a process of `wk` on the model's time: an elector, or (with ticks) one runAsLeader invocation for `tick`. */
  const start = (wk: Worker, tick: number) => {
    wk.started = true;
    const alive = { on: true };
    wk.queue.length = 0;
    wk.lease = undefined;
    wk.endWork = undefined;
    wk.result = undefined;
    // A crash (or the end of the trace) silences this process: its requests are never answered.
    const stopped = () => !alive.on;
    const request = (op: Op) => (command: unknown) =>
      new Promise((resolve, reject) => {
        if (!stopped())
          wk.queue.push({
            op,
            command: (op === 'read' ? { name: command } : command) as Record<string, unknown>,
            resolve,
            reject,
          });
      });
    const unsupported = () => Promise.reject(new Error('not used by the replay'));
    const replayStore = {
      acquire: request('acquire'),
      renew: request('renew'),
      release: request('release'),
      requestHandoff: request('requestHandoff'),
      read: request('read'),
      guardedWrite: unsupported,
      readSteps: unsupported,
      recordStep: unsupported,
    } as unknown as LeaseStore;
    const client = new baton.LeaseClient({
      store: replayStore,
      clock: wk.clock,
      // No jitter. An invocation's backoff is then positive, so with `waitMs: 0` it gives up, as the model's does.
      random: () => (config.ticks ? 0.5 : 0),
      holderName: `w${wk.w}`,
      maxClockSkewMs: config.skew * UNIT_MS,
      safetyMarginMs: config.margin * UNIT_MS,
      raceJitterMs: 0,
      onEvent: (event) => {
        if (!stopped()) wk.events.push(event);
      },
    });
    const durationMs = config.durations[wk.w]! * UNIT_MS;
    const renewEveryMs = config.periods[wk.w]! * UNIT_MS;
    // The leader's work: until the model's worker says it is done, or the lease ends (it is then cut short, and fails).
    const work = (lease: Lease) =>
      new Promise<void>((resolve, reject) => {
        wk.lease = lease;
        wk.endWork = resolve;
        lease.signal.addEventListener('abort', () => (config.ticks ? reject(new Error('stopped')) : resolve()), {
          once: true,
        });
      });
    if (config.ticks) {
      void client.runAsLeader(name, work, { durationMs, renewEveryMs, tick: ms(tick), waitMs: 0 }).then(
        (result) => {
          if (stopped()) return;
          wk.result = result.led ? { released: result.released } : {};
          wk.started = false;
        },
        () => {
          if (stopped()) return;
          wk.result = {};
          wk.started = false;
        },
      );
    } else {
      const priority = config.priorities[wk.w]!;
      void client
        .elect(name, {
          durationMs,
          renewEveryMs,
          ...(priority ? { priority } : {}),
          clockFree: config.clockFree,
          signal: new AbortController().signal,
          logger: false,
          onStartedLeading: work,
        })
        .catch(() => undefined);
    }
    return () => (alive.on = false);
  };
  const kills: (() => void)[] = [() => undefined, () => undefined];

  /** The code's next request, which must be `op`. */
  const next = async (wk: Worker, op: Op): Promise<Request> => {
    await flush();
    const r = wk.queue.shift();
    if (r === undefined) fail(wk.w, 'request', op, 'none');
    if (r!.op !== op) fail(wk.w, 'request', op, r!.op);
    return r!;
  };

  /** Sends `r` through the model's network: the store applies `write` unless the request was lost or held. */
  const answer = async (wk: Worker, r: Request, net: number, write: ModelWrite | undefined) => {
    if (net === NET_OK || net === NET_ANSWER_LOST) {
      if (write === undefined) fail(wk.w, 'request', 'a write in the trace', 'none');
      matches(wk.w, r, write!);
      const outcome = await apply(wk.w, write!);
      if (net === NET_OK) r.resolve(realOutcome(outcome));
      else r.reject(timeout(r.op));
    } else {
      if (net === NET_LATE) late[wk.w]!.push({ op: r.op, command: r.command });
      r.reject(timeout(r.op));
    }
    // A lost answer is settled by one consistent read, which the model's step makes at once.
    await flush();
    while (wk.queue[0]?.op === 'read') {
      wk.queue.shift()!.resolve(real(await store.read(name)));
      await flush();
    }
  };

  /** A poll's answer may make the waiter ask for a handoff: the model's request, or none (lost, or not asked). */
  const handoff = async (wk: Worker, write: ModelWrite | undefined) => {
    await flush();
    const r = wk.queue[0]?.op === 'requestHandoff' ? wk.queue.shift() : undefined;
    if (write === undefined) {
      r?.reject(timeout('requestHandoff'));
    } else {
      if (r === undefined) fail(wk.w, 'ask', 'a handoff request', 'none');
      matches(wk.w, r!, write);
      r!.resolve(realOutcome(await apply(wk.w, write)));
      count('ask');
    }
    await flush();
  };

  const seen = (wk: Worker, type: LeaseEvent['type'], reason?: string) =>
    wk.events.some((e) => e.type === type && (reason === undefined || (e as { reason?: string }).reason === reason));
  const remaining = (wk: Worker) => (wk.lease === undefined ? undefined : wk.lease.remainingMs() / UNIT_MS);

  /** What the code decided in the step just replayed, named as the model names it. */
  const decided = (wk: Worker, kind: 'acquire' | 'read' | 'renew' | 'release'): string => {
    const e = (type: LeaseEvent['type'], reason?: string) => seen(wk, type, reason);
    switch (kind) {
      case 'acquire':
        return e('acquired') ? 'won' : e('contended') ? 'lost' : e('backoff') ? 'retry' : 'none';
      case 'read':
        return e('backoff')
          ? 'read-failed'
          : wk.queue[0]?.op === 'acquire'
            ? 'read-write'
            : wk.clock.loops.size > 0
              ? 'read-wait'
              : 'none';
      case 'renew':
        return e('renewed')
          ? 'renewed'
          : e('handoff')
            ? 'handover'
            : e('lost', 'superseded')
              ? 'superseded'
              : e('outcome-resolved')
                ? 'renew-unknown'
                : 'kept';
      case 'release':
        return e('released')
          ? 'released'
          : e('lost')
            ? 'release-lost'
            : e('outcome-resolved')
              ? 'release-failed'
              : 'none';
    }
  };

  /** One write of a step: the code's request (a sleeping worker wakes for it; a release follows its decision at once), its answer, the decision. */
  const exchange = async (wk: Worker, s: Extract<Step, { kind: 'action' }>, op: 'acquire' | 'renew' | 'release') => {
    if (op !== 'release') wk.clock.wakeLoops();
    await answer(wk, await next(wk, op), s.net, s.write);
    const got = decided(wk, op);
    if (got !== s.verdict) fail(wk.w, op, s.verdict, got);
  };

  const act = async (s: Extract<Step, { kind: 'action' }>) => {
    const wk = workers[s.worker]!;
    if (s.verdict === 'crash') {
      kills[s.worker]!();
      wk.started = false;
      wk.clock.timed.clear();
      wk.clock.loops.clear();
      count('crash');
      return;
    }
    wk.events = [];
    wk.clock.advance(T, s.off);
    if (!wk.started) {
      // The model picks an invocation's tick when the one before ends; its acquire step names it.
      if (config.ticks && !ACQUIRE.has(s.verdict)) fail(wk.w, 'invocation', 'a running invocation', 'none');
      kills[s.worker] = start(wk, s.extra.at(-1) ?? 0);
    }
    const verdict = s.verdict;
    if (verdict === 'deadline') {
      await flush();
      if (!seen(wk, 'lost', 'deadline'))
        fail(wk.w, 'deadline', `the local deadline passed at t=${T}`, `still acting, ${remaining(wk)} units left`);
    } else if (verdict === 'done') {
      if (!(wk.lease?.held ?? false)) fail(wk.w, 'acting', 'still acting when its work ends', 'not acting');
      wk.endWork?.();
      await flush();
    } else if (ACQUIRE.has(verdict)) {
      await exchange(wk, s, 'acquire');
      if (verdict === 'won') {
        const [token, deadline] = s.extra as [number, number];
        wk.deadline = deadline;
        await flush();
        const actual = { token: wk.lease?.token, deadline: T + (remaining(wk) ?? NaN) };
        if (actual.token !== token || actual.deadline !== deadline) fail(wk.w, 'won', { token, deadline }, actual);
      }
      if (verdict === 'lost') await handoff(wk, s.handoff);
    } else if (READ.has(verdict)) {
      wk.clock.wakeLoops();
      const r = await next(wk, 'read');
      if (verdict === 'read-failed') r.reject(timeout('read'));
      else {
        r.resolve(real(await store.read(name)));
        await handoff(wk, s.handoff);
      }
      await flush();
      const got = decided(wk, 'read');
      if (got !== verdict) fail(wk.w, 'poll', verdict, got);
    } else if (RENEW.has(verdict)) {
      await exchange(wk, s, 'renew');
      if (verdict === 'renewed') wk.deadline = s.extra[0]!;
      if (verdict === 'renewed' || verdict === 'kept' || verdict === 'renew-unknown') {
        const deadline = T + (remaining(wk) ?? NaN);
        if (deadline !== wk.deadline) fail(wk.w, 'deadline', wk.deadline, deadline);
      }
    } else if (RELEASE.has(verdict)) {
      await exchange(wk, s, 'release');
      // With ticks: a release that records the tick reports `released: true`; one that lost its tenure reports false.
      if (config.ticks && (verdict === 'release-lost' || (verdict === 'released' && s.extra[0]))) {
        await flush();
        const released = verdict === 'released';
        if (wk.result?.released !== released) fail(wk.w, 'released', released, wk.result?.released);
      }
    } else throw new Error(`unknown verdict ${verdict}`);
    count(verdict);
  };

  try {
    for (step of groupSteps(trace.events)) {
      if (step.kind === 'time') T = step.t;
      else if (step.kind === 'force') {
        await apply(9, step.write);
        count('force-release');
      } else if (step.kind === 'orphan') {
        const write = step.write;
        if (write.op === 'handoff' || (write.op === 'release' && write.args[4] === OPERATOR))
          throw new Error(`a ${write.op} outside its step`);
        const o = write.args[0]!;
        const w = Math.floor((o - 1) / 4);
        const heldAt =
          late[w]?.findIndex(
            (r) => r.op === write.op && (write.op === 'acquire' || toModel.get(r.command.owner as string) === o),
          ) ?? -1;
        if (heldAt >= 0) {
          // A request of the code's that lands late: its answer was already lost.
          const [held] = late[w]!.splice(heldAt, 1);
          matches(w, { ...held!, resolve: () => undefined, reject: () => undefined }, write);
          await apply(w, write);
        } else {
          // The release whose tick clause failed: its answer goes back, and a second release follows.
          const wk = workers[w];
          if (wk === undefined) fail(w, 'orphan', 'a request of the code', write.op);
          const r = await next(wk!, 'release');
          await answer(wk!, r, NET_OK, write);
        }
      } else await act(step);
    }
    // Every verdict the model printed was compared (a handoff request is no verdict of its own).
    const compared = Object.entries(decisions).reduce((n, [kind, k]) => (kind === 'ask' ? n : n + k), 0);
    step = undefined;
    if (compared !== trace.decisions.length) fail(-1, 'coverage', trace.decisions.length, compared);
  } catch (error) {
    if (!(error instanceof Diverged)) {
      mismatches.push({
        trace: id,
        t: T,
        worker: -1,
        verdict: step?.kind ?? 'end',
        what: 'replay',
        expected: 'no error',
        actual: String(error),
      });
    }
  } finally {
    for (const kill of kills) kill();
  }
  return { decisions, mismatches };
}

export interface DecisionConformance {
  readonly traces: number;
  /** Decisions compared, in all. */
  readonly decisions: number;
  readonly byKind: Record<string, number>;
  /** Traces whose replay found a decision of the code other than the model's (the replay of a trace stops at its first). */
  readonly mismatches: number;
  readonly first: readonly DecisionMismatch[];
}

/** Replays every trace through `runtime`, with the bounds of the traced run it came from. */
export async function conformDecisions(
  runtime: Runtime,
  traces: readonly Trace[],
  runs: readonly { name: string; defines: readonly string[] }[],
): Promise<DecisionConformance> {
  const configs = new Map(runs.map((r) => [r.name, modelConfig(r.defines)]));
  const byKind: Record<string, number> = {};
  const first: DecisionMismatch[] = [];
  let mismatches = 0;
  for (const trace of traces) {
    const config = configs.get(trace.run);
    if (config === undefined) throw new Error(`trace ${trace.run}/${trace.seed}: no traced run of that name`);
    const result = await replayDecisions(runtime, trace, config);
    for (const [kind, n] of Object.entries(result.decisions)) byKind[kind] = (byKind[kind] ?? 0) + n;
    if (result.mismatches.length > 0) {
      mismatches++;
      if (first.length < 5) first.push(result.mismatches[0]!);
    }
  }
  const decisions = Object.values(byKind).reduce((a, b) => a + b, 0);
  return { traces: traces.length, decisions, byKind, mismatches, first };
}
