import type { Clock, RandomSource } from '../runtime/clock.js';
import { interceptStore, type StoreOperation } from '../runtime/intercept-store.js';
import type { LeaseStore } from '../runtime/lease-store.js';
import { systemClock, systemRandom } from '../runtime/system-clock.js';
import {
  drawFate,
  ERRORS,
  NO_FAULTS,
  resolveProfile,
  type FaultProfile,
  type ForcedFault,
  type InjectedFault,
} from './fault-proxy.js';

/** Options of {@link faultyStore}. */
export interface FaultyStoreOptions {
  /**
   * Faults drawn for every request, the same profile `npm run chaos` gives its
   * network proxy: `resetProbability` loses the request before the store sees
   * it, `dropProbability` applies it and loses the answer, `errorProbability`
   * answers with a DynamoDB error (a 500 applied half of the time), and
   * `latencyMs`, `jitterMs` and spikes delay it. @default no faults
   */
  readonly faults?: Partial<FaultProfile>;
  /** Drives every draw; give a seeded one so a failing run can be replayed. @default Math.random */
  readonly random?: RandomSource;
  /** Delays sleep on it: a `FakeClock` keeps a unit test in virtual time. @default the system clock */
  readonly clock?: Clock;
  /** Called for each fault injected. */
  readonly onFault?: (fault: InjectedFault) => void;
}

/** A store between the protocol and another store, losing, failing and delaying requests on demand. */
export interface FaultyStore extends LeaseStore {
  /** Replaces the profile: fields not given are off. `setFaults({})` heals. */
  setFaults(faults: Partial<FaultProfile>): void;
  /** The next `times` requests (of `operation` only, when given) get `fault`, whatever the profile says. */
  forceNext(fault: ForcedFault, times?: number, operation?: StoreOperation): void;
  /** Until `heal()`, every request is lost before it reaches the store: a partition from the store. */
  partition(): void;
  heal(): void;
  /** Faults injected so far, by kind. */
  readonly injected: Readonly<Record<InjectedFault['kind'], number>>;
}

/**
 * Wraps a `LeaseStore` (an `InMemoryLeaseStore` in a unit test) with the
 * faults a network brings: lost requests, lost answers, error answers and
 * delays. The errors are shaped like the AWS SDK's, so the protocol treats
 * them exactly as it treats DynamoDB's: a lost answer is settled by one
 * consistent read, a throttle is backed off from.
 *
 * @example
 * ```ts
 * const memory = new InMemoryLeaseStore();
 * const store = faultyStore(memory, { clock, random: seeded(7) });
 * const leases = new LeaseClient({ store, clock });
 * store.forceNext('drop', 1, 'acquire'); // applied, answer lost: tryAcquire still wins, after one read
 * ```
 */
export function faultyStore(inner: LeaseStore, options: FaultyStoreOptions = {}): FaultyStore {
  const random = options.random ?? systemRandom;
  const clock = options.clock ?? systemClock;
  let profile = resolveProfile(options.faults ?? NO_FAULTS);
  let partitioned = false;
  const forced: { fault: ForcedFault; operation: StoreOperation | undefined }[] = [];
  const injected: Record<InjectedFault['kind'], number> = {
    'latency-spike': 0,
    reset: 0,
    error: 0,
    'dropped-response': 0,
  };
  const report = (fault: InjectedFault) => {
    injected[fault.kind]++;
    options.onFault?.(fault);
  };
  const takeForced = (operation: StoreOperation): ForcedFault | undefined => {
    if (partitioned) return 'reset';
    const index = forced.findIndex((f) => f.operation === undefined || f.operation === operation);
    return index === -1 ? undefined : forced.splice(index, 1)[0]!.fault;
  };

  const store = interceptStore(inner, async (operation, send) => {
    const { fault, spike, delayMs } = drawFate(profile, takeForced(operation), random);
    if (spike) report({ kind: 'latency-spike', delayMs: Math.round(delayMs), operation });
    if (delayMs > 0) await clock.sleep(delayMs);
    if (fault === 'reset') {
      report({ kind: 'reset', operation });
      throw Object.assign(new Error(`${operation}: connection reset (injected); the request was lost`), {
        code: 'ECONNRESET',
      });
    }
    if (fault === 'drop') {
      await send();
      report({ kind: 'dropped-response', operation });
      throw Object.assign(new Error(`${operation}: no answer in time (injected); the request applied`), {
        name: 'TimeoutError',
        $metadata: {},
      });
    }
    if (fault !== undefined) {
      const spec = ERRORS[fault];
      const forwarded = fault === 'InternalServerError' && random() < 0.5;
      if (forwarded) await send();
      report({ kind: 'error', error: fault, status: spec.status, forwarded, operation });
      throw Object.assign(new Error(`${spec.message} (injected)`), {
        name: fault,
        $fault: spec.status >= 500 ? 'server' : 'client',
        $metadata: { httpStatusCode: spec.status },
      });
    }
    return send();
  });
  return Object.assign(store, {
    setFaults: (faults: Partial<FaultProfile>) => void (profile = resolveProfile(faults)),
    forceNext: (fault: ForcedFault, times = 1, operation?: StoreOperation) => {
      for (let i = 0; i < times; i++) forced.push({ fault, operation });
    },
    partition: () => void (partitioned = true),
    heal: () => void (partitioned = false),
    injected,
  });
}
