import fc from 'fast-check';
import { expect } from 'vitest';
import { LeaseClient, type Lease, type LeaseStore } from '../../lib/runtime/index.js';
import { FakeClock } from '../../lib/testing/fake-clock.js';

export const MODEL_D = 5_000;
export const MODEL_S = 200;

/** One step of a random history: an operation launched by a client, or time passing. */
export type Step =
  | { kind: 'acquire'; client: number }
  | { kind: 'renew'; client: number }
  | { kind: 'release'; client: number }
  | { kind: 'advance'; ms: number };

export const stepArbitrary = (clients: number): fc.Arbitrary<{ step: Step; deliver: number }> =>
  fc.record({
    step: fc.oneof(
      fc.record({ kind: fc.constant('acquire' as const), client: fc.nat(clients - 1) }),
      fc.record({ kind: fc.constant('renew' as const), client: fc.nat(clients - 1) }),
      fc.record({ kind: fc.constant('release' as const), client: fc.nat(clients - 1) }),
      // Time passing, often to just around an expiry, where the skew bound and safety margin matter.
      fc.record({
        kind: fc.constant('advance' as const),
        ms: fc.oneof(
          fc.integer({ min: 1, max: 2 * MODEL_D }),
          fc.integer({ min: MODEL_D - 2 * MODEL_S, max: MODEL_D + MODEL_S }),
          fc.integer({ min: 1, max: 150 }),
        ),
      }),
    ),
    // How many pending request deliveries the scheduler performs after the step.
    deliver: fc.nat(3),
  });

/** Puts fast-check's scheduler between the protocol and the store: the store applies and answers in any order. */
export function scheduled(inner: LeaseStore, s: fc.Scheduler): LeaseStore {
  const via =
    <A, R>(label: string, call: (a: A) => Promise<R>) =>
    async (a: A): Promise<R> => {
      await s.schedule(Promise.resolve(), `${label} sent`);
      const result = await call(a);
      await s.schedule(Promise.resolve(), `${label} answered`);
      return result;
    };
  return {
    acquire: via('acquire', (c) => inner.acquire(c)),
    renew: via('renew', (c) => inner.renew(c)),
    release: via('release', (c) => inner.release(c)),
    read: via('read', (n) => inner.read(n)),
    guardedWrite: via('guardedWrite', (c) => inner.guardedWrite(c)),
    requestHandoff: via('requestHandoff', (c) => inner.requestHandoff(c)),
  };
}

/** Lets continuations run first: a request's next hop is scheduled a few microtasks after the last one is delivered. */
export async function pendingDeliveries(s: fc.Scheduler): Promise<number> {
  await new Promise((resolve) => setImmediate(resolve));
  return s.count();
}

interface Tenure {
  readonly client: number;
  readonly token: number;
  readonly start: number;
  end: number;
  releasing?: boolean;
}

/**
 * Runs one random history of acquire/renew/release/expiry by several clients
 * whose wall clocks differ by less than the skew bound, then checks the two
 * safety properties: tokens never repeat, and no two tenures' acting windows
 * (from the win being known to the local deadline or the release call) overlap.
 */
export async function runLeaseHistory(
  s: fc.Scheduler,
  store: LeaseStore,
  leaseName: string,
  skews: readonly number[],
  steps: readonly { step: Step; deliver: number }[],
): Promise<{ tenures: number }> {
  const clock = new FakeClock();
  const tenures: Tenure[] = [];
  const held = new Map<number, { lease: Lease; tenure: Tenure }>();
  const clients = skews.map(
    (skew, i) =>
      new LeaseClient({
        store: scheduled(store, s),
        clock: clock.skewed(skew),
        random: () => 0.5,
        holderName: `c${i}`,
        maxClockSkewMs: MODEL_S,
        safetyMarginMs: 100,
      }),
  );
  const pending: Promise<unknown>[] = [];
  const deadlineOf = (lease: Lease) => clock.monotonic() + lease.remainingMs();

  for (const { step, deliver } of steps) {
    if (step.kind === 'advance') {
      await clock.advance(step.ms);
    } else if (step.kind === 'acquire' && !held.has(step.client)) {
      const i = step.client;
      pending.push(
        clients[i]!.tryAcquire(leaseName, { durationMs: MODEL_D }).then(
          (r) => {
            if (!r.acquired) return;
            const tenure: Tenure = {
              client: i,
              token: r.lease.token,
              start: clock.monotonic(),
              end: deadlineOf(r.lease),
            };
            tenures.push(tenure);
            held.set(i, { lease: r.lease, tenure });
          },
          () => undefined,
        ),
      );
    } else if (step.kind === 'renew' && held.get(step.client)?.lease.held) {
      const { lease, tenure } = held.get(step.client)!;
      pending.push(
        lease.renew().then(
          () => {
            // A renew that lands after the deadline cannot revive the tenure; only a live one extends.
            if (lease.held && !tenure.releasing) tenure.end = Math.max(tenure.end, deadlineOf(lease));
          },
          () => undefined,
        ),
      );
    } else if (step.kind === 'release' && held.has(step.client)) {
      const { lease, tenure } = held.get(step.client)!;
      held.delete(step.client);
      // The holder stops acting when it decides to release, whatever the write's fate.
      tenure.end = Math.min(tenure.end, clock.monotonic());
      tenure.releasing = true;
      pending.push(lease.release().catch(() => undefined));
    }
    for (let k = 0; k < deliver && (await pendingDeliveries(s)) > 0; k++) await s.waitOne();
  }
  const settled = Promise.all(pending).then(() =>
    Promise.all([...held.values()].map(({ lease }) => lease.release().catch(() => undefined))),
  );
  let done = false;
  void settled.then(() => (done = true));
  while (!done) {
    if ((await pendingDeliveries(s)) > 0) await s.waitOne();
  }

  const tokens = tenures.map((t) => t.token);
  expect(new Set(tokens).size, `tokens repeat: ${tokens}`).toBe(tokens.length);
  const live = tenures.filter((t) => t.end > t.start).sort((a, b) => a.token - b.token);
  for (let i = 1; i < live.length; i++) {
    const [earlier, later] = [live[i - 1]!, live[i]!];
    expect(
      earlier.end,
      `token ${earlier.token} (client ${earlier.client}) acts until ${earlier.end}, token ${later.token} from ${later.start}`,
    ).toBeLessThanOrEqual(later.start);
  }
  return { tenures: tenures.length };
}
