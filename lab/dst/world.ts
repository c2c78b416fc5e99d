/**
 * One seed of the deterministic simulation (docs/dst.md): the real runtime's
 * `elect`, `runAsLeader` and `createSingletonHandler` on many simulated
 * machines, one seeded scheduler (the election lab's `Simulator`), simulated
 * clocks (`NodeClock`), and a faulty network in front of one
 * `InMemoryLeaseStore`. Every await of the runtime on the store or the clock is
 * an event of the scheduler, so pauses and crashes land at any of them. The run
 * records a history, checks the invariants on it, and digests it: one seed, one
 * history, byte for byte.
 */
import { createHash } from 'node:crypto';
import type { Clock, Lease, LeaseEvent, LeaseRecord, LeaseStore, WriteOutcome } from 'baton-lease';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { NodeClock, SIM_EPOCH_MS } from '../sim/node-clock.js';
import { Prng } from '../sim/prng.js';
import { Simulator } from '../sim/simulator.js';
import type { Runtime } from './runtime.js';

export const FAULT_KINDS = [
  'clock-offset',
  'clock-step',
  'clock-drift',
  'request-lost',
  'answer-lost',
  'delayed',
  'sdk-retry',
  'crash',
  'pause',
  'force-release',
  'handoff',
  'mixed-config',
  'user-release',
  'user-renew',
  'duplicate-tick',
  'late-tick',
  'item-deleted',
  'rejecting-hook',
  'internal-arguments',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const INVARIANTS = [
  'single-actor',
  'tokens-monotonic',
  'no-stale-write',
  'released-implies-recorded',
  'tick-once',
  'truthful-loss',
  'liveness',
  'no-unhandled-rejection',
  'no-timer-after-stop',
  'step-not-replaced',
  'step-replay-exact',
  'step-visible',
  'handoff-reserved',
] as const;
export type Invariant = (typeof INVARIANTS)[number];

export const SCENARIOS = ['elect-clock-free', 'elect-wall', 'run-as-leader', 'cron'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface Violation {
  readonly seed: number;
  readonly invariant: Invariant;
  readonly atMs: number;
  readonly workers: readonly string[];
  readonly detail: string;
}

export interface RunResult {
  readonly seed: number;
  readonly scenario: Scenario;
  readonly events: number;
  /** Scheduler events up to the first violation (all events when none). */
  readonly eventsToViolation: number;
  readonly faults: Record<FaultKind, number>;
  readonly violations: readonly Violation[];
  readonly digest: string;
  readonly history: readonly string[];
}

export interface RunOptions {
  readonly seed: number;
  readonly runtime: Runtime;
  /** Fault kinds switched on. @default all */
  readonly faults?: ReadonlySet<FaultKind>;
  /** Forces one scenario instead of the seed's. */
  readonly scenario?: Scenario;
}

const LEASE = 'dst';
/** Every store request without an answer after this long fails as a timeout, like an SDK request timeout. */
const TIMEOUT_MS = 300;
/** How long a delayed message may be held in the network. */
const MAX_DELAY_MS = 3_000;
const RETRY_CAP_MS = 1_000;
/** Faults are injected during this much virtual time; then the quiet phase begins. */
const FAULT_PHASE_MS = 20_000;
const TICK_EVERY_MS = 4_000;
const LAMBDA_TIMEOUT_MS = 3_000;
/**
 * Clock drift (at most 20 ppm over a run of about a minute) moves a reservation's end on the acquirer's
 * clock by about a millisecond; a reservation cut short by a whole skew bound is what the invariant is for.
 */
const RESERVATION_SLACK_MS = 5;

interface Config {
  readonly durationMs: number;
  readonly safetyMarginMs: number;
  readonly renewEveryMs: number | undefined;
  readonly priority: number;
}

interface Machine {
  readonly id: number;
  readonly name: string;
  readonly clock: NodeClock;
  readonly config: Config;
  status: 'up' | 'paused' | 'crashed';
  incarnation: number;
  deferred: (() => void)[];
  /** Timers of the running incarnation not yet fired nor cancelled. */
  timers: Set<{ cancelled: boolean }>;
  /** Stops the running incarnation's process gracefully. */
  stop: (() => Promise<void>) | undefined;
  /** Set when the process of the running incarnation settled after stop. */
  settled: boolean;
  /** The next request this machine sends is lost. */
  loseNext: boolean;
  /** The step records (`tick#step`) its last journal read found. */
  journal: Set<string>;
}

interface Interval {
  readonly machine: Machine;
  readonly incarnation: number;
  readonly lease: Lease;
  readonly start: number;
  deadline: number;
  closed: number | undefined;
}

/** A lab's own view of DynamoDB's `DeleteItem`: the in-memory store has none, its item map is private. */
type StoreItems = { readonly items: Map<string, LeaseRecord> };
/** The in-memory store's step journals, read to check each record against the one it replaces. */
type StoreSteps = { readonly steps: Map<string, Map<string, { token: number; value?: string }>> };

export async function runSeed(options: RunOptions): Promise<RunResult> {
  const { seed, runtime } = options;
  const { baton, lambda } = runtime;
  const enabled = options.faults ?? new Set(FAULT_KINDS);
  const on = (kind: FaultKind) => enabled.has(kind);
  const root = new Prng(`dst/${seed}`);
  const plan = root.fork('plan');
  const net = root.fork('network');
  const sim = new Simulator();
  const store = new baton.InMemoryLeaseStore();
  runtime.restartOwnerIdCount();
  const history: string[] = [];
  const violations: Violation[] = [];
  const faults = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  let eventsToViolation: number | undefined;
  const log = (line: string) => history.push(`${sim.now.toFixed(3)} ${line}`);
  const violate = (invariant: Invariant, atMs: number, workers: readonly string[], detail: string) => {
    eventsToViolation ??= sim.eventsProcessed;
    violations.push({ seed, invariant, atMs: Math.round(atMs * 1000) / 1000, workers, detail });
    log(`VIOLATION ${invariant} ${detail}`);
  };

  const scenario: Scenario = options.scenario ?? plan.pick(SCENARIOS);
  const clockFree = scenario === 'elect-clock-free';
  const skewMs = plan.pick([100, 200, 500]);
  const machineCount = plan.int(3, 5);
  const machines: Machine[] = [];
  const configFor = (): Config => {
    const durationMs = scenario === 'cron' ? 0 : on('mixed-config') ? plan.pick([1_500, 3_000, 6_000]) : 3_000;
    let safetyMarginMs = 250;
    if (on('mixed-config')) {
      const roll = plan.next();
      // A margin under the skew bound, and one over two thirds of the lease: both are allowed, both stress a rule.
      if (roll < 0.25) safetyMarginMs = 50;
      else if (roll < 0.5 && durationMs > 0) safetyMarginMs = Math.floor(plan.uniform(0.67, 0.75) * durationMs);
    }
    if (durationMs > 0 && safetyMarginMs + skewMs >= durationMs)
      safetyMarginMs = Math.max(0, durationMs - skewMs - 100);
    const acting = durationMs - safetyMarginMs;
    const renewEveryMs =
      on('mixed-config') && durationMs > 0 && plan.chance(0.3)
        ? Math.floor(plan.uniform(acting / 6, acting / 2.2))
        : undefined;
    const priority = on('handoff') ? plan.int(0, 3) : 0;
    return { durationMs, safetyMarginMs, renewEveryMs, priority };
  };
  const halfSkew = skewMs / 2 - 5;
  for (let id = 1; id <= machineCount + 1; id++) {
    // The last machine is the operator's (force releases) or the opportunist's: never paused, never crashed.
    let offsetMs = 0;
    if (on('clock-offset')) offsetMs = clockFree ? plan.uniform(-5_000, 5_000) : plan.uniform(-halfSkew, halfSkew);
    if (offsetMs !== 0) faults['clock-offset']++;
    const driftPpm = on('clock-drift') ? plan.uniform(-20, 20) : 0;
    if (driftPpm !== 0) faults['clock-drift']++;
    machines.push({
      id,
      name: id <= machineCount ? `w${id}` : 'op',
      clock: new NodeClock(sim, { offsetMs, driftPpm }),
      config: configFor(),
      status: 'up',
      incarnation: 0,
      deferred: [],
      timers: new Set(),
      stop: undefined,
      settled: true,
      loseNext: false,
      journal: new Set(),
    });
  }
  const workers = machines.slice(0, machineCount);
  const operator = machines[machineCount]!;
  if (on('mixed-config') && new Set(workers.map((m) => JSON.stringify(m.config))).size > 1) faults['mixed-config']++;
  const maxDurationMs = Math.max(...workers.map((m) => m.config.durationMs), LAMBDA_TIMEOUT_MS + 1_000);
  const maxPollMs = Math.max(
    ...workers.map((m) => m.config.renewEveryMs ?? Math.floor((m.config.durationMs - m.config.safetyMarginMs) / 3)),
    1,
  );
  // docs/dst.md#liveness: the last tenure's expiry, the skew bound, one poll, one backoff, two timeouts, a late message; clock-free waiters watch a whole lease more.
  const livenessBoundMs = 2 * maxDurationMs + skewMs + maxPollMs + RETRY_CAP_MS + 2 * TIMEOUT_MS + MAX_DELAY_MS;
  const quietAt = FAULT_PHASE_MS;
  const stopAt = quietAt + livenessBoundMs + 2 * maxDurationMs;
  const faultsOn = () => sim.now < quietAt;

  // ---- machines: timers that stop while paused and die with a crash ----
  const dispatch = (m: Machine, incarnation: number, run: () => void): void => {
    if (m.incarnation !== incarnation || m.status === 'crashed') return;
    if (m.status === 'paused') {
      m.deferred.push(() => dispatch(m, incarnation, run));
      return;
    }
    run();
  };
  const setTimer = (m: Machine, localMs: number, fire: () => void) => {
    const timer = { cancelled: false };
    const incarnation = m.incarnation;
    m.timers.add(timer);
    sim.schedule(m.clock.toTrueDuration(localMs), () => {
      if (m.incarnation !== incarnation) return;
      dispatch(m, incarnation, () => {
        m.timers.delete(timer);
        if (!timer.cancelled) fire();
      });
    });
    return {
      cancel: () => {
        timer.cancelled = true;
        m.timers.delete(timer);
      },
    };
  };
  const clockOf = (m: Machine): Clock => ({
    now: () => m.clock.wall(),
    monotonic: () => m.clock.monotonic(),
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const onAbort = () => {
          timer.cancel();
          reject(signal?.reason);
        };
        const timer = setTimer(m, ms, () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
  });
  const latency = () =>
    1 +
    net.exponential(2) +
    (faultsOn() && on('delayed') && net.chance(0.04) ? (faults.delayed++, net.uniform(TIMEOUT_MS, MAX_DELAY_MS)) : 0);

  // ---- the table: the store, the lease's history, the resource ----
  const tenures: { owner: string; token: number; at: number }[] = [];
  const beganAt = new Map<string, number>();
  let maxToken = 0;
  let lastReleaseBy: string | undefined;
  /** Tenures an operator freed, and when: their holders may still act (fencing is what protects the resource then). */
  const forcedAt = new Map<string, number>();
  /** When each request was first sent, in true time: a release's reservation runs from the clock reading it carries. */
  const sentAt = new WeakMap<object, number>();
  /**
   * The reservation a holder's release left for a pending handoff request: the item version it wrote, the
   * requested priority, and until when, in true time, no strictly lower priority may take the lease (one
   * lease of the released tenure from the moment the release was sent; docs/protocol.md#priority-handoff).
   */
  let reservation: { version: number; priority: number; until: number; detail: string } | undefined;
  const resource = { fence: undefined as number | undefined, acceptedIndex: -1 };
  const applyAtTable = (op: string, arg: unknown, from: Machine): Promise<unknown> => {
    if (op === 'deleteItem') {
      const allowed = runtime.grantedActions.includes('dynamodb:DeleteItem');
      log(`${from.name} deleteItem ${allowed ? 'applied' : 'denied'}`);
      if (!allowed)
        return Promise.reject(
          Object.assign(new Error('not authorized to perform dynamodb:DeleteItem'), {
            name: 'AccessDeniedException',
            $metadata: { httpStatusCode: 400 },
          }),
        );
      const items = (store as unknown as StoreItems).items;
      if (!(items instanceof Map))
        throw new Error('InMemoryLeaseStore has no items map: the item-deleted variant cannot delete the lease item');
      items.delete(LEASE);
      return Promise.resolve(undefined);
    }
    if (op === 'fencedUpdate') return Promise.resolve(writeResource(arg as ResourceWrite, from));
    const steps = (store as unknown as StoreSteps).steps;
    if (!(steps instanceof Map))
      throw new Error('InMemoryLeaseStore has no steps map: the step invariants cannot be checked');
    if (op === 'readSteps') from.journal = new Set([...(steps.get(LEASE)?.keys() ?? [])]);
    if (op === 'recordStep') {
      const c = arg as { tick: number; step: string; token: number; holder: string; value?: string };
      const key = `${c.tick}#${c.step}`;
      const prior = steps.get(LEASE)?.get(key);
      return call(store, op, arg).then((value) => {
        const outcome = value as { applied: boolean };
        log(`${from.name} recordStep ${c.holder} ${c.token} ${key} ${outcome.applied}`);
        if (outcome.applied) {
          if (prior !== undefined && prior.token > c.token)
            violate(
              'step-not-replaced',
              sim.now,
              [from.name],
              `token ${c.token} replaced the record of step ${key} by the newer token ${prior.token}`,
            );
          recorded.set(key, [...(recorded.get(key) ?? []), c.value]);
        }
        return value;
      });
    }
    return call(store, op, arg).then((value) => {
      afterApply(op, arg, value as WriteOutcome, from);
      return value;
    });
  };
  /** Every value recorded for each `tick#step`, in order. */
  const recorded = new Map<string, (string | undefined)[]>();
  const call = (target: unknown, op: string, arg: unknown): Promise<unknown> => {
    const method = (target as Record<string, (a: unknown) => Promise<unknown>>)[op]!;
    return method.call(target, arg);
  };
  const afterApply = (op: string, arg: unknown, value: WriteOutcome | LeaseRecord | undefined, from: Machine) => {
    const c = arg as { owner?: string; token?: number; releasedBy?: string; tick?: number };
    const outcome = value as WriteOutcome;
    log(
      `${from.name} ${op} ${c.owner ?? ''} ${c.token ?? ''} ${op === 'read' ? JSON.stringify(value ?? null) : outcome.applied}`,
    );
    if (op === 'acquire' && outcome.applied) {
      const token = (outcome.before?.token ?? 0) + 1;
      if (token <= maxToken)
        violate(
          'tokens-monotonic',
          sim.now,
          [from.name],
          `acquire by ${c.owner} got token ${token} after token ${maxToken} was issued`,
        );
      maxToken = Math.max(maxToken, token);
      beganAt.set(c.owner!, tenures.length);
      tenures.push({ owner: c.owner!, token, at: sim.now });
      const before = outcome.before;
      const priority = (arg as { priority?: number }).priority;
      const reserved =
        reservation !== undefined && before?.holder === undefined && before?.version === reservation.version;
      if (
        reserved &&
        (priority ?? -Infinity) < reservation!.priority &&
        sim.now < reservation!.until - RESERVATION_SLACK_MS
      ) {
        violate(
          'handoff-reserved',
          sim.now,
          [from.name],
          `${c.owner} (priority ${priority}) took the lease ${(reservation!.until - sim.now).toFixed(1)} ` +
            `ms before the reservation ${reservation!.detail} ended`,
        );
      }
      reservation = undefined;
    }
    if (op === 'release' && outcome.applied) {
      lastReleaseBy = c.releasedBy ?? c.owner;
      if (c.releasedBy?.startsWith('operator:')) forcedAt.set(c.owner!, sim.now);
      const before = outcome.before;
      reservation =
        before?.handoffPriority === undefined || c.releasedBy?.startsWith('operator:')
          ? undefined
          : {
              version: (before.version ?? 0) + 1,
              priority: before.handoffPriority,
              until: (sentAt.get(arg as object) ?? sim.now) + (before.durationMs ?? 0),
              detail: `for priority ${before.handoffPriority} left by ${c.owner}'s release`,
            };
    }
    if (op === 'guardedWrite' && outcome.applied && beganAt.get(c.owner!) !== tenures.length - 1) {
      violate(
        'no-stale-write',
        sim.now,
        [from.name],
        `guardedWrite of ${c.owner} committed after a later tenure began (${tenures.at(-1)?.owner})`,
      );
    }
  };
  interface ResourceWrite {
    readonly input: {
      ConditionExpression?: string;
      ExpressionAttributeNames?: Record<string, string>;
      ExpressionAttributeValues?: Record<string, unknown>;
    };
    readonly owner: string;
  }
  /** The fence clause of `withFence`, evaluated as DynamoDB would; nothing else may be in the condition. */
  const writeResource = ({ input, owner }: ResourceWrite, from: Machine) => {
    const fence = /^\(attribute_not_exists\((#\w+)\) OR \1 <= (:\w+)\)$/.exec(input.ConditionExpression ?? '');
    if (fence === null)
      throw new Error(`withFence wrote a condition this table cannot evaluate: ${input.ConditionExpression}`);
    const token = input.ExpressionAttributeValues?.[fence[2]!] as number;
    const accepted = resource.fence === undefined || resource.fence <= token;
    log(`${from.name} fencedUpdate ${owner} ${token} ${accepted}`);
    if (!accepted) return { accepted, item: { fence: resource.fence } };
    const index = beganAt.get(owner) ?? -1;
    if (index < resource.acceptedIndex)
      violate(
        'no-stale-write',
        sim.now,
        [from.name],
        `the fence accepted token ${token} of ${owner} after a write of a later tenure`,
      );
    resource.fence = token;
    resource.acceptedIndex = Math.max(resource.acceptedIndex, index);
    return { accepted, item: { fence: resource.fence } };
  };

  /** A machine's store: each call one request across the network, with SDK-style retries after a timeout. */
  const netStore = (
    m: Machine,
  ): LeaseStore & { call(op: string, arg: unknown, signal?: AbortSignal): Promise<unknown> } => {
    const incarnation = m.incarnation;
    const call = (op: string, arg: unknown, signal?: AbortSignal): Promise<unknown> =>
      new Promise((resolve, reject) => {
        if (typeof arg === 'object' && arg !== null && !sentAt.has(arg)) sentAt.set(arg, sim.now);
        let done = false;
        const finish = (ok: boolean, value: unknown) => {
          if (done) return;
          done = true;
          timer?.cancel();
          signal?.removeEventListener('abort', onAbort);
          if (ok) resolve(value);
          else reject(value);
        };
        const onAbort = () => finish(false, Object.assign(new Error(`${op} aborted`), { name: 'AbortError' }));
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        let timer: { cancel(): void } | undefined;
        const attempt = (n: number) => {
          const answered = (ok: boolean, value: unknown) => {
            if (faultsOn() && on('answer-lost') && net.chance(0.05)) {
              faults['answer-lost']++;
              return;
            }
            sim.schedule(latency(), () => dispatch(m, incarnation, () => finish(ok, structuredClone(value))));
          };
          const targeted = m.loseNext && op === 'renew' && faultsOn();
          if (targeted || (faultsOn() && on('request-lost') && net.chance(0.05))) {
            if (targeted) m.loseNext = false;
            faults['request-lost']++;
          } else
            sim.schedule(latency(), () =>
              applyAtTable(op, arg, m).then(
                (value) => answered(true, value),
                (error: unknown) => answered(false, error),
              ),
            );
          timer = setTimer(m, TIMEOUT_MS, () => {
            if (n < 2 && faultsOn() && on('sdk-retry') && net.chance(0.5)) {
              faults['sdk-retry']++;
              attempt(n + 1);
            } else
              finish(
                false,
                Object.assign(new Error(`${op} timed out after ${TIMEOUT_MS} ms`), { name: 'TimeoutError' }),
              );
          });
        };
        attempt(0);
      });
    return {
      call,
      acquire: (c, o) => call('acquire', c, o?.signal) as Promise<WriteOutcome>,
      renew: (c, o) => call('renew', c, o?.signal) as Promise<WriteOutcome>,
      release: (c, o) => call('release', c, o?.signal) as Promise<WriteOutcome>,
      requestHandoff: (c) => call('requestHandoff', c) as Promise<WriteOutcome>,
      read: (name, o) => call('read', name, o?.signal) as Promise<LeaseRecord | undefined>,
      guardedWrite: (c) => call('guardedWrite', c) as Promise<WriteOutcome>,
      readSteps: (q, o) => call('readSteps', q, o?.signal) as never,
      recordStep: (c, o) => call('recordStep', c, o?.signal) as never,
    };
  };

  // ---- acting ----
  const intervals: Interval[] = [];
  const open = new Set<Interval>();
  const close = (iv: Interval) => {
    if (iv.closed !== undefined) return;
    iv.closed = sim.now;
    open.delete(iv);
    log(`${iv.machine.name} stops acting ${iv.lease.token} ${Math.min(iv.closed, iv.deadline).toFixed(3)}`);
  };
  const sample = (iv: Interval) => {
    const remaining = iv.lease.remainingMs();
    if (remaining > 0) iv.deadline = Math.max(iv.deadline, sim.now + iv.machine.clock.toTrueDuration(remaining));
  };
  const startActing = (m: Machine, lease: Lease): Interval => {
    const iv: Interval = {
      machine: m,
      incarnation: m.incarnation,
      lease,
      start: sim.now,
      deadline: sim.now,
      closed: undefined,
    };
    sample(iv);
    intervals.push(iv);
    open.add(iv);
    log(`${m.name} acts ${lease.token} ${lease.holder}`);
    if (lease.signal.aborted) close(iv);
    else lease.signal.addEventListener('abort', () => close(iv), { once: true });
    return iv;
  };

  /** The leader's work: fenced writes, guarded writes, and the user code's faults, until the signal aborts or `forMs` passed. */
  const work = async (
    m: Machine,
    lease: Lease,
    store: ReturnType<typeof netStore>,
    forMs: number | undefined,
    rng: Prng,
    acting?: Interval,
  ): Promise<void> => {
    const iv = acting ?? startActing(m, lease);
    const clock = clockOf(m);
    const started = clock.monotonic();
    try {
      while (!lease.signal.aborted && (forMs === undefined || clock.monotonic() - started < forMs)) {
        try {
          await clock.sleep(rng.uniform(20, 250), lease.signal);
        } catch {
          break;
        }
        const roll = rng.next();
        if (roll < 0.5) {
          const input = baton.withFence(
            {
              TableName: 'resources',
              Key: { id: 'r' },
              UpdateExpression: 'SET #v = :v',
              ExpressionAttributeNames: { '#v': 'value' },
              ExpressionAttributeValues: { ':v': roll },
            },
            lease.token,
          );
          await store.call('fencedUpdate', { input, owner: lease.holder }).catch(() => undefined);
        } else if (roll < 0.6) {
          await lease
            .guardedWrite([{ Put: { TableName: 'resources', Item: { id: 'g', by: lease.holder } } }])
            .catch(() => undefined);
        } else if (roll < 0.62 && faultsOn() && on('user-renew')) {
          faults['user-renew']++;
          await lease.renew().catch(() => undefined);
        } else if (roll < 0.63 && faultsOn() && on('user-release')) {
          faults['user-release']++;
          close(iv);
          await lease.release().catch(() => undefined);
          break;
        } else if (roll < 0.635 && faultsOn() && on('item-deleted')) {
          faults['item-deleted']++;
          await store.call('deleteItem', LEASE).catch(() => undefined);
        }
      }
    } finally {
      if (acting === undefined) close(iv);
    }
  };

  // ---- processes ----
  const onEventFor = (m: Machine, rng: Prng) => {
    const tokens = new Map<number, string>();
    const rejecting = on('rejecting-hook') && rng.chance(0.5);
    return (event: LeaseEvent): unknown => {
      if (event.type === 'acquired') tokens.set(event.token, event.holder);
      if (event.type === 'handoff-requested') faults.handoff++;
      if (event.type === 'outcome-resolved' || event.type === 'lost' || event.type === 'handoff')
        log(`${m.name} ${event.type} ${JSON.stringify({ ...event, current: undefined, name: undefined })}`);
      if (event.type === 'lost' && event.reason === 'superseded') claimLoss(m, tokens.get(event.token));
      if (rejecting && faultsOn() && (event.type === 'renewed' || event.type === 'contended')) {
        faults['rejecting-hook']++;
        return Promise.reject(new Error('an onEvent hook failed'));
      }
      return undefined;
    };
  };
  const claimLoss = (m: Machine, owner: string | undefined) => {
    log(`${m.name} claims loss ${owner}`);
    if (owner !== undefined && lastReleaseBy === owner)
      violate(
        'truthful-loss',
        sim.now,
        [m.name],
        `${owner} reported its tenure lost, but the last release that landed was its own`,
      );
  };
  const clientOptions = (m: Machine, store: LeaseStore, rng: Prng) => ({
    store,
    clock: clockOf(m),
    random: () => rng.next(),
    holderName: m.name,
    maxClockSkewMs: skewMs,
    safetyMarginMs: m.config.safetyMarginMs,
    retryCapMs: RETRY_CAP_MS,
  });
  /** A process that settled leaves no timer of its own behind (the runtime's promise: nothing outlives the call). */
  const assertNoTimers = (m: Machine, what: string) => {
    if (m.timers.size > 0)
      violate(
        'no-timer-after-stop',
        sim.now,
        [m.name],
        `${m.timers.size} timer(s) still pending after ${what} settled`,
      );
  };
  const track = (m: Machine, done: Promise<unknown>) => {
    const incarnation = m.incarnation;
    m.settled = false;
    done.then(
      () => {
        if (m.incarnation !== incarnation) return;
        m.settled = true;
        assertNoTimers(m, scenario);
      },
      (error: unknown) => {
        if (m.incarnation === incarnation) m.settled = true;
        violate('no-unhandled-rejection', sim.now, [m.name], `the process rejected: ${String(error)}`);
      },
    );
  };

  const bootElector = (m: Machine) => {
    const rng = root.fork(`${m.name}/${m.incarnation}`);
    const store = netStore(m);
    const client = new baton.LeaseClient({ ...clientOptions(m, store, rng), onEvent: onEventFor(m, rng) });
    const stop = new AbortController();
    const done = client.elect(LEASE, {
      durationMs: m.config.durationMs,
      ...(m.config.renewEveryMs === undefined ? {} : { renewEveryMs: m.config.renewEveryMs }),
      priority: m.config.priority,
      clockFree,
      signal: stop.signal,
      // The elector's own log lines are the lab's noise here; its protocol is what runs.
      logger: false,
      // With priorities, half the tenures end on their own after a while, often between a handoff request
      // and the renew that would report it: the window a release's reservation must cover.
      onStartedLeading: (lease) =>
        work(m, lease, store, on('handoff') && rng.chance(0.5) ? rng.uniform(50, m.config.durationMs) : undefined, rng),
    });
    track(m, done);
    m.stop = () => (stop.abort(), done.catch(() => undefined));
  };

  const bootLooper = (m: Machine) => {
    const rng = root.fork(`${m.name}/${m.incarnation}`);
    const store = netStore(m);
    const client = new baton.LeaseClient({ ...clientOptions(m, store, rng), onEvent: onEventFor(m, rng) });
    const stop = new AbortController();
    const loop = async () => {
      while (!stop.signal.aborted) {
        try {
          await client.runAsLeader(
            LEASE,
            (lease) => work(m, lease, store, rng.uniform(100, 2 * m.config.durationMs), rng),
            {
              durationMs: m.config.durationMs,
              ...(m.config.renewEveryMs === undefined ? {} : { renewEveryMs: m.config.renewEveryMs }),
              waitMs: Infinity,
              signal: stop.signal,
            },
          );
        } catch {
          // The wait was stopped, or the store kept failing: contend again shortly.
        }
        await clockOf(m)
          .sleep(rng.uniform(0, 200), stop.signal)
          .catch(() => undefined);
      }
    };
    const done = loop();
    track(m, done);
    m.stop = () => (stop.abort(), done.catch(() => undefined));
  };

  // Cron: one warm Lambda container per machine, one invocation at a time.
  const ticks = new Map<number, { recordedAt: number | undefined; by: string | undefined }>();
  const containers = new Map<
    Machine,
    {
      handler: (e: ScheduledEvent, c: Context) => Promise<unknown>;
      busy: boolean;
      rng: Prng;
      store: ReturnType<typeof netStore>;
      holder: string | undefined;
    }
  >();
  let invocations = 0;
  const bootContainer = (m: Machine) => {
    const rng = root.fork(`${m.name}/${m.incarnation}`);
    const store = netStore(m);
    const box = {
      busy: false,
      rng,
      store,
      holder: undefined as string | undefined,
      handler: undefined as unknown as (e: ScheduledEvent, c: Context) => Promise<unknown>,
    };
    const noop = () => undefined;
    const metrics = {
      setDefaultDimensions: noop,
      publishStoredMetrics: noop,
      addMetric: (name: string) => {
        if (name === 'LeaseLost') claimLoss(m, box.holder);
      },
    };
    const logger = {
      addContext: noop,
      appendKeys: noop,
      resetKeys: noop,
      info: noop,
      warn: noop,
      error: noop,
      createChild: () => logger,
    };
    box.handler = lambda.createSingletonHandler({
      leaseName: LEASE,
      store,
      holderName: m.name,
      clock: clockOf(m),
      random: () => rng.next(),
      maxClockSkewMs: skewMs,
      safetyMarginMs: m.config.safetyMarginMs,
      logger: logger as never,
      metrics: metrics as never,
      job: async ({ lease, tick, step }) => {
        box.holder = lease.holder;
        const seen = ticks.get(tick) ?? { recordedAt: undefined, by: undefined };
        ticks.set(tick, seen);
        log(`${m.name} runs tick ${tick}`);
        if (seen.recordedAt !== undefined)
          violate(
            'tick-once',
            sim.now,
            [m.name, seen.by!],
            `tick ${tick} ran again after ${seen.by} reported it recorded`,
          );
        const acting = startActing(m, lease);
        // Two durable steps around the work: each effect takes time, so a pause can fall between it and its record.
        for (const name of ['first', 'second']) {
          const key = `${tick}#${name}`;
          let ran = false;
          const value = await step(name, async () => {
            ran = true;
            if (m.journal.has(key))
              violate(
                'step-visible',
                sim.now,
                [m.name],
                `${lease.holder} ran step ${key}, which its journal read showed recorded`,
              );
            log(`${m.name} runs step ${key} ${lease.token}`);
            await clockOf(m).sleep(rng.uniform(5, 200));
            // Stopped between the effect and its record: the window the step journal's fence is for.
            if (faultsOn() && on('pause') && rng.chance(0.15)) {
              pause(m, rng.uniform(LAMBDA_TIMEOUT_MS, 3 * LAMBDA_TIMEOUT_MS));
              await clockOf(m).sleep(1);
            }
            return `${lease.holder}/${name}`;
          }).catch(() => undefined);
          if (!ran && value !== undefined && !(recorded.get(key) ?? []).includes(JSON.stringify(value))) {
            violate(
              'step-replay-exact',
              sim.now,
              [m.name],
              `step ${key} replayed ${JSON.stringify(value)}, which no tenure recorded`,
            );
          }
          if (name === 'first')
            await work(
              m,
              lease,
              store,
              rng.chance(0.1) ? rng.uniform(1_500, 2_900) : rng.uniform(20, 1_200),
              rng,
              acting,
            );
        }
        close(acting);
        return tick;
      },
    });
    containers.set(m, box as never);
    m.settled = true;
    m.stop = async () => undefined;
  };
  const invoke = (tick: number, late: boolean) => {
    const free = workers.filter((m) => m.status === 'up' && containers.get(m)?.busy === false);
    if (free.length === 0) return;
    const m = net.pick(free);
    const box = containers.get(m)!;
    const incarnation = m.incarnation;
    box.busy = true;
    m.settled = false;
    const clock = clockOf(m);
    const startedAt = clock.monotonic();
    const n = ++invocations;
    const context = {
      functionName: 'dst',
      awsRequestId: `request-${n}`,
      getRemainingTimeInMillis: () => Math.max(0, Math.round(LAMBDA_TIMEOUT_MS - (clock.monotonic() - startedAt))),
    } as unknown as Context;
    const event = { time: new Date(tick).toISOString().replace('.000Z', 'Z') } as ScheduledEvent;
    log(`${m.name} invoked for tick ${tick}${late ? ' (late)' : ''}`);
    box
      .handler(event, context)
      .then(
        (result) => {
          const r = result as { status: string; released?: boolean };
          log(`${m.name} tick ${tick} ${JSON.stringify(result)}`);
          if (r.status === 'ran' && r.released) {
            const item = (store as unknown as StoreItems).items.get(LEASE);
            if ((item?.lastTick ?? -Infinity) < tick)
              violate(
                'released-implies-recorded',
                sim.now,
                [m.name],
                `released: true for tick ${tick}, but lastTick is ${item?.lastTick}`,
              );
            const seen = ticks.get(tick)!;
            seen.recordedAt ??= sim.now;
            seen.by ??= m.name;
          }
        },
        () => undefined,
      )
      .finally(() => {
        if (m.incarnation !== incarnation) return;
        box.busy = false;
        box.holder = undefined;
        m.settled = true;
        assertNoTimers(m, `the handler for tick ${tick}`);
      });
  };

  // Opportunist: a caller that hands tryAcquire the elector's internal attempt, with the live item's version.
  const bootOpportunist = (m: Machine) => {
    const rng = root.fork(`${m.name}/${m.incarnation}`);
    const store = netStore(m);
    const client = new baton.LeaseClient({ ...clientOptions(m, store, rng), safetyMarginMs: 250 });
    const stop = new AbortController();
    const tryAcquire = client.tryAcquire.bind(client) as unknown as (
      n: string,
      o: { durationMs: number },
      e: unknown,
    ) => ReturnType<typeof client.tryAcquire>;
    const loop = async () => {
      while (!stop.signal.aborted) {
        await clockOf(m)
          .sleep(rng.uniform(300, 1_500), stop.signal)
          .catch(() => undefined);
        if (stop.signal.aborted || !faultsOn()) continue;
        const current = (await store.read(LEASE).catch(() => undefined)) as LeaseRecord | undefined;
        if (current?.holder === undefined) continue;
        faults['internal-arguments']++;
        const result = await tryAcquire(
          LEASE,
          { durationMs: 3_000 },
          { clockFree: { observed: { token: current.token, version: current.version ?? 0 } } },
        ).catch(() => undefined);
        if (result?.acquired) {
          await work(m, result.lease, store, rng.uniform(100, 1_000), rng);
          await result.lease.release().catch(() => undefined);
        }
      }
    };
    const done = loop();
    track(m, done);
    m.stop = () => (stop.abort(), done.catch(() => undefined));
  };

  const boot = (m: Machine) => {
    m.incarnation++;
    m.status = 'up';
    m.deferred = [];
    m.timers = new Set();
    log(`${m.name} boots`);
    if (scenario === 'cron') bootContainer(m);
    else if (scenario === 'run-as-leader') bootLooper(m);
    else bootElector(m);
  };
  const crash = (m: Machine) => {
    if (m.status === 'crashed') return;
    faults.crash++;
    log(`${m.name} crashes`);
    for (const iv of [...open]) if (iv.machine === m) close(iv);
    m.incarnation++;
    m.status = 'crashed';
    m.deferred = [];
    m.timers = new Set();
    m.settled = true;
    m.stop = undefined;
    containers.delete(m);
  };
  const pause = (m: Machine, forMs: number) => {
    if (m.status !== 'up') return;
    faults.pause++;
    m.status = 'paused';
    log(`${m.name} paused for ${forMs.toFixed(0)} ms`);
    sim.schedule(forMs, () => resume(m));
  };
  const resume = (m: Machine) => {
    if (m.status !== 'paused') return;
    m.status = 'up';
    log(`${m.name} resumes`);
    const queued = m.deferred;
    m.deferred = [];
    for (const run of queued) sim.schedule(0, run);
  };

  // ---- the fault plan, drawn up front from the seed ----
  for (const m of workers) boot(m);
  operator.incarnation = 1;
  if (scenario === 'elect-wall' && on('internal-arguments')) bootOpportunist(operator);
  const at = () => plan.uniform(500, quietAt - 500);
  // Half of the clock faults strike whoever acts at that moment: the holder is where they matter.
  const victim = (planned: Machine, atHolder: boolean): Machine =>
    atHolder ? ([...open].find((iv) => iv.machine.status === 'up')?.machine ?? planned) : planned;
  if (on('clock-step')) {
    for (let i = plan.int(0, clockFree ? 6 : 4); i > 0; i--) {
      const planned = plan.pick(workers);
      const atHolder = plan.chance(0.5);
      const target = plan.uniform(-halfSkew, halfSkew);
      const jumpMs = plan.uniform(500, 8_000) * (plan.chance(0.5) ? 1 : -1);
      sim.at(at(), () => {
        const m = victim(planned, atHolder);
        faults['clock-step']++;
        const step = clockFree ? jumpMs : target - m.clock.offsetMs();
        m.clock.step(step);
        // Two faults at once, as the worst histories have them: the holder's next renew is lost too.
        if (atHolder && on('request-lost') && plan.chance(0.5)) m.loseNext = true;
        log(`${m.name} clock steps ${step.toFixed(3)}`);
      });
    }
  }
  if (on('pause'))
    for (let i = plan.int(0, 5); i > 0; i--) {
      const planned = plan.pick(workers);
      const atHolder = plan.chance(0.5);
      const forMs = plan.uniform(50, 2.5 * maxDurationMs);
      sim.at(at(), () => pause(victim(planned, atHolder), Math.min(forMs, Math.max(0, quietAt - sim.now))));
    }
  if (on('crash'))
    for (let i = plan.int(0, 2); i > 0; i--) {
      const m = plan.pick(workers);
      const downMs = plan.uniform(200, 5_000);
      sim.at(at(), () => {
        crash(m);
        sim.schedule(Math.min(downMs, Math.max(0, quietAt - sim.now)), () => {
          if (m.status === 'crashed') boot(m);
        });
      });
    }
  if (on('force-release') && !(scenario === 'elect-wall' && on('internal-arguments'))) {
    const opStore = netStore(operator);
    const admin = new baton.LeaseClient({
      store: opStore,
      clock: clockOf(operator),
      random: () => 0,
      holderName: 'operator',
      maxClockSkewMs: skewMs,
    });
    for (let i = plan.int(0, 3); i > 0; i--) {
      sim.at(at(), () => {
        faults['force-release']++;
        const current = (store as unknown as StoreItems).items.get(LEASE);
        if (current?.holder !== undefined) admin.forceRelease(LEASE, { token: current.token }).catch(() => undefined);
      });
    }
  }
  if (scenario === 'cron') {
    for (let t = 1_000; t < stopAt - LAMBDA_TIMEOUT_MS; t += TICK_EVERY_MS) {
      const tick = SIM_EPOCH_MS + Math.floor(t / 1_000) * 1_000;
      sim.at(t + plan.uniform(0, 50), () => invoke(tick, false));
      if (t < quietAt && on('duplicate-tick'))
        for (let i = plan.chance(0.5) ? plan.int(1, 2) : 0; i > 0; i--)
          sim.at(t + plan.uniform(0, 300), () => (faults['duplicate-tick']++, invoke(tick, false)));
      if (t < quietAt && on('late-tick') && plan.chance(0.5))
        sim.at(t + plan.uniform(2_000, 12_000), () => (faults['late-tick']++, invoke(tick, true)));
    }
  }
  sim.at(quietAt, () => {
    log('faults stop');
    for (const m of workers) {
      m.loseNext = false;
      resume(m);
      if (m.status === 'crashed') boot(m);
    }
  });

  // ---- run ----
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  const afterEvent = () => {
    for (const iv of open) sample(iv);
    if (unhandled.length > 0) {
      for (const reason of unhandled.splice(0))
        violate('no-unhandled-rejection', sim.now, [], `unhandled rejection: ${String(reason)}`);
    }
  };
  try {
    await sim.runUntilAsync(stopAt, afterEvent);
    log('stop');
    const stopping = workers.map((m) => m.stop?.() ?? Promise.resolve());
    if (operator.stop) stopping.push(operator.stop());
    await sim.runUntilAsync(stopAt + 4 * maxDurationMs + 10_000, afterEvent);
    await Promise.race([Promise.all(stopping), Promise.resolve()]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  const endAt = sim.now;
  for (const iv of [...open]) close(iv);

  // ---- invariants over the history ----
  for (const m of [...workers, operator]) {
    if (m.status === 'crashed') continue;
    if (!m.settled) violate('no-timer-after-stop', endAt, [m.name], `${scenario} process did not settle after stop`);
  }
  const acting = intervals
    .map((iv) => ({ iv, from: iv.start, to: Math.min(iv.closed ?? endAt, iv.deadline) }))
    .filter((a) => a.to > a.from);
  acting.sort((a, b) => a.from - b.from);
  for (let i = 0; i < acting.length; i++) {
    for (let j = i + 1; j < acting.length && acting[j]!.from < acting[i]!.to; j++) {
      const a = acting[i]!;
      const b = acting[j]!;
      if (a.iv.lease.holder === b.iv.lease.holder) continue;
      // An operator's forced release voids its holder's exclusivity from then on; fencing guards the resource instead.
      const end = Math.min(a.to, b.to);
      if ((forcedAt.get(a.iv.lease.holder) ?? Infinity) < end || (forcedAt.get(b.iv.lease.holder) ?? Infinity) < end)
        continue;
      const overlap = Math.min(a.to, b.to) - b.from;
      violate(
        'single-actor',
        b.from,
        [a.iv.machine.name, b.iv.machine.name],
        `${a.iv.lease.holder} (token ${a.iv.lease.token}) and ${b.iv.lease.holder} (token ${b.iv.lease.token}) ` +
          `acted at once for ${overlap.toFixed(1)} ms`,
      );
    }
  }
  if (scenario !== 'cron') {
    const boundAt = quietAt + livenessBoundMs;
    if (!acting.some((a) => a.from <= boundAt && a.to > quietAt))
      violate('liveness', boundAt, [], `no worker acted between the end of faults and ${livenessBoundMs} ms later`);
    const settledAt = quietAt + MAX_DELAY_MS + 2 * TIMEOUT_MS;
    for (const a of acting) {
      const endedByDeadline = a.iv.deadline <= (a.iv.closed ?? Infinity);
      if (a.from >= settledAt && endedByDeadline && a.to < stopAt) {
        violate(
          'liveness',
          a.to,
          [a.iv.machine.name],
          `${a.iv.lease.holder} (token ${a.iv.lease.token}), leading without faults, reached its local deadline`,
        );
      }
    }
  }
  violations.sort((a, b) => a.atMs - b.atMs);
  const digest = createHash('sha256').update(history.join('\n')).digest('hex');
  return {
    seed,
    scenario,
    events: sim.eventsProcessed,
    eventsToViolation: eventsToViolation ?? sim.eventsProcessed,
    faults,
    violations,
    digest,
    history,
  };
}
