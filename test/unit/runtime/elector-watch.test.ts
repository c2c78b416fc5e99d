import { describe, expect, it } from 'vitest';
import {
  ElectorMetric,
  InMemoryLeaseStore,
  LeaseClient,
  LeaseValidationError,
  type ElectOptions,
} from '../../../lib/runtime/index.js';
import { FakeClock, faultyStore } from '../../../lib/testing/index.js';

interface Line {
  level: string;
  message: string;
  attributes: Record<string, unknown>;
}

/** One elector on an in-memory store behind a fault hook, logging into `lines`. */
function setup(options: Partial<ElectOptions> = {}) {
  const clock = new FakeClock();
  const store = faultyStore(new InMemoryLeaseStore(), { clock, random: () => 0.5 });
  const lines: Line[] = [];
  const at =
    (level: string) =>
    (message: string, attributes: Record<string, unknown> = {}) =>
      lines.push({ level, message, attributes });
  const emf: Record<string, unknown>[] = [];
  const stop = new AbortController();
  const done = new LeaseClient({ store, clock, random: () => 0.5, holderName: 'w1' }).elect('svc', {
    durationMs: 3_000,
    signal: stop.signal,
    logger: { info: at('info'), warn: at('warn'), error: at('error') },
    metrics: { write: (line) => emf.push(JSON.parse(line) as Record<string, unknown>), serviceName: 'svc-test' },
    onStartedLeading: (lease) =>
      new Promise<void>((resolve) => lease.signal.addEventListener('abort', () => resolve(), { once: true })),
    ...options,
  });
  return { clock, store, lines, emf, stop, done };
}

describe('elect: what it logs', () => {
  it('is quiet while all is well: one line when it starts leading, none for a minute of renewals', async () => {
    const { clock, lines, stop, done } = setup();
    await clock.advance(60_000);
    expect(lines.map((l) => l.message)).toEqual(['elect: started leading']);
    stop.abort();
    await done;
  });

  it('logs the first failed request with its cause at once, then at most one summary per 30 s, the loss, and the recovery', async () => {
    const { clock, store, lines, stop, done } = setup();
    await clock.advance(100);
    store.partition();
    await clock.advance(65_000);
    const failing = lines.filter((l) => l.level === 'warn');
    expect(failing[0]).toMatchObject({
      message: 'elect: renew failed (ECONNRESET); retrying',
      attributes: { lease: 'svc', operation: 'renew', cause: 'ECONNRESET' },
    });
    expect(
      failing.some(
        (l) =>
          l.message === 'elect: stopped leading: the lease was lost' &&
          l.attributes['cause'] === 'ECONNRESET' &&
          l.attributes['reason'] === 'deadline',
      ),
    ).toBe(true);
    // 65 s of failing requests (dozens of them) make at most three summaries.
    const summaries = failing.filter((l) => l.message.startsWith('elect: requests still failing'));
    expect(summaries.length).toBeGreaterThanOrEqual(1);
    expect(summaries.length).toBeLessThanOrEqual(3);
    expect(Number(summaries.at(-1)!.attributes['failedRequests'])).toBeGreaterThan(10);
    store.heal();
    await clock.advance(5_000);
    expect(lines.at(-2)).toMatchObject({ level: 'info', message: 'elect: requests succeed again' });
    expect(lines.at(-1)).toMatchObject({ level: 'info', message: 'elect: started leading', attributes: { token: 2 } });
    stop.abort();
    await done;
  });

  it('logs nothing with logger: false, and refuses a logger without warn()', async () => {
    const { clock, store, lines, stop, done } = setup({ logger: false });
    store.partition();
    await clock.advance(10_000);
    expect(lines).toEqual([]);
    stop.abort();
    await done;
    const leases = new LeaseClient({ store: new InMemoryLeaseStore() });
    const bad = () =>
      leases.elect('svc', {
        durationMs: 3_000,
        signal: stop.signal,
        onStartedLeading: () => undefined,
        logger: { info() {}, error() {} } as never,
      });
    expect(bad).toThrow(LeaseValidationError);
    expect(bad).toThrow(/logger must be false, or have info\(\), warn\(\) and error\(\).*no warn\(\)/);
  });
});

describe('elect: its EMF metrics', () => {
  it('writes the contract names every 30 s and when it stops: the leader gauge, transitions, failures, latency, time without a leader', async () => {
    const { clock, store, emf, stop, done } = setup();
    await clock.advance(30_000);
    expect(emf).toHaveLength(1);
    const first = emf[0]!;
    expect(first).toMatchObject({
      service: 'svc-test',
      LeaseName: 'svc',
      [ElectorMetric.IsLeader]: 1,
      [ElectorMetric.LeadershipTransitions]: 1,
      [ElectorMetric.ElectorRequestFailed]: 0,
      [ElectorMetric.NoLeaderSeenMs]: 0,
    });
    expect(first['_aws']).toMatchObject({
      CloudWatchMetrics: [{ Namespace: 'Baton', Dimensions: [['service', 'LeaseName']] }],
    });
    expect(first[ElectorMetric.ElectorAcquireLatency]).toBe(0);
    store.partition();
    await clock.advance(30_000);
    expect(emf[1]).toMatchObject({ [ElectorMetric.IsLeader]: 0, [ElectorMetric.LeadershipTransitions]: 0 });
    expect(Number(emf[1]![ElectorMetric.ElectorRequestFailed])).toBeGreaterThan(5);
    // The lease was lost at its deadline (about 3 s in); no leader has been seen since.
    expect(Number(emf[1]![ElectorMetric.NoLeaderSeenMs])).toBeGreaterThan(20_000);
    stop.abort();
    await done;
    expect(emf).toHaveLength(3);
    expect(clock.pendingTimers).toBe(0);
  });
});
