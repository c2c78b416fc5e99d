import { describe, expect, it } from 'vitest';
import {
  actingWindows,
  computeElectChecks,
  handoverBounds,
  measureHandovers,
  overlappingWindows,
  pauseOutcomes,
  staleAccepted,
  type ElectTimingInfo,
} from '../../../demo/elect-checks.js';
import type {
  ActingStopReason,
  ElectEvidence,
  ElectRunRecord,
  ElectWorkerRecord,
  ResourceLogEntry,
} from '../../../demo/elect-records.js';
import { buildElectReport } from '../../../demo/elect-report.js';
import { renderElectReportHtml } from '../../../demo/elect-report-html.js';

const TIMING: ElectTimingInfo = {
  durationMs: 2_000,
  renewEveryMs: 666,
  maxClockSkewMs: 200,
  safetyMarginMs: 250,
  raceJitterMs: 100,
  prepareMaxMs: 300,
  allowanceMs: 1_000,
};
/** A lease's deadline after a write sent at `at`: D - M later. */
const deadlineAfter = (at: number) => at + TIMING.durationMs - TIMING.safetyMarginMs;

/**
 * Builds elector demo evidence by hand, one event at a time, so each test
 * states exactly the story it checks. An accepted write goes into the
 * resource's log in the order the test writes it; nothing else is inferred.
 */
class Story {
  readonly workerRecords: ElectWorkerRecord[] = [];
  readonly runRecords: ElectRunRecord[] = [];
  readonly resourceLog: ResourceLogEntry[] = [];

  run(record: ElectRunRecord): this {
    this.runRecords.push(record);
    return this;
  }

  ready(worker: string, at: number, priority = 0, clockFree = false): this {
    this.workerRecords.push({
      type: 'ready',
      worker,
      at,
      pid: 100 + Number(worker.slice(1)),
      priority,
      clockFree,
      offsetMs: 0,
    });
    return this;
  }

  start(
    worker: string,
    token: number,
    at: number,
    o: { takeover?: boolean; priority?: number; clockFree?: boolean } = {},
  ): this {
    this.workerRecords.push({
      type: 'acting-start',
      worker,
      at,
      token,
      holder: `${worker}#${token}`,
      priority: o.priority ?? 0,
      clockFree: o.clockFree ?? false,
      takeover: o.takeover ?? false,
      deadlineAt: deadlineAfter(at),
    });
    return this;
  }

  renewed(worker: string, token: number, at: number): this {
    this.workerRecords.push({ type: 'deadline', worker, at, token, deadlineAt: deadlineAfter(at) });
    return this;
  }

  stop(worker: string, token: number, at: number, reason: ActingStopReason): this {
    this.workerRecords.push({ type: 'acting-stop', worker, at, token, reason });
    return this;
  }

  write(
    worker: string,
    token: number,
    n: number,
    sentAt: number,
    outcome: 'accepted' | 'stale',
    o: { fence?: number; intoResource?: boolean } = {},
  ): this {
    const wid = `${worker}.${token}.${n}`;
    this.workerRecords.push({ type: 'write-sent', worker, at: sentAt, token, wid, remainingMs: 1_000 });
    this.workerRecords.push({
      type: 'write-done',
      worker,
      at: sentAt + 20,
      token,
      wid,
      outcome,
      ...(o.fence === undefined ? {} : { fence: o.fence }),
    });
    if (o.intoResource ?? outcome === 'accepted') this.resourceLog.push({ token, wid });
    return this;
  }

  worker(record: ElectWorkerRecord): this {
    this.workerRecords.push(record);
    return this;
  }

  build(): ElectEvidence {
    return {
      workerRecords: [...this.workerRecords].sort((a, b) => a.at - b.at),
      runRecords: [...this.runRecords],
      resourceLog: [...this.resourceLog],
    };
  }
}

/**
 * Every step of the nemesis, played correctly. Times in ms from 0.
 * - kill: w1 (token 1) killed at 1000; w2 takes over at 3200 (2200 ms).
 * - pause: w2 stopped at 3650 mid-preparation; w3 leads at 5300 and writes; w2 resumed at 5600, refused, stops.
 * - graceful stop: w3 asked at 5805, stops at 6000; w4 leads at 6300 (495 ms).
 * - rolling restart: w5 (priority 1, clock-free) asks at 7100; w4 hands over at 7500; w5 leads at 7800 (700 ms).
 * - skew from 8100; w5 keeps its lease; killed at 14000; w6 (clock-free) leads at 16500 (2500 ms).
 */
function cleanRun(): Story {
  return new Story()
    .run({ type: 'spawn', at: -500, worker: 'w1', pid: 101 })
    .run({ type: 'spawn', at: -500, worker: 'w2', pid: 102 })
    .run({ type: 'phase', at: 0, phase: 'kill' })
    .start('w1', 1, 100)
    .write('w1', 1, 1, 300, 'accepted')
    .renewed('w1', 1, 700)
    .run({ type: 'kill', at: 1_000, worker: 'w1', pid: 101, token: 1, phase: 'kill' })
    .run({ type: 'exit', at: 1_010, worker: 'w1', pid: 101, code: null, signal: 'SIGKILL' })
    .start('w2', 2, 3_200, { takeover: true })
    .write('w2', 2, 1, 3_380, 'accepted')
    .run({ type: 'phase', at: 3_500, phase: 'pause' })
    .worker({ type: 'prepare', worker: 'w2', at: 3_600, token: 2, prepareMs: 200 })
    .run({ type: 'pause', at: 3_650, worker: 'w2', pid: 102, token: 2 })
    .start('w3', 3, 5_300, { takeover: true })
    .write('w3', 3, 1, 5_450, 'accepted')
    .run({ type: 'resume', at: 5_600, worker: 'w2', pid: 102, token: 2 })
    .write('w2', 2, 2, 5_610, 'stale', { fence: 3 })
    .stop('w2', 2, 5_640, 'fenced')
    .run({ type: 'phase', at: 5_700, phase: 'graceful-stop' })
    .run({ type: 'stop', at: 5_800, worker: 'w3', pid: 103, token: 3, phase: 'graceful-stop' })
    .worker({ type: 'stop-requested', worker: 'w3', at: 5_805 })
    .stop('w3', 3, 6_000, 'stopped')
    .run({ type: 'exit', at: 6_100, worker: 'w3', pid: 103, code: 0, signal: null })
    .start('w4', 4, 6_300)
    .write('w4', 4, 1, 6_400, 'accepted')
    .run({ type: 'phase', at: 6_400, phase: 'rolling-restart' })
    .ready('w5', 7_000, 1, true)
    .worker({ type: 'handoff-requested', worker: 'w5', at: 7_100, token: 4, priority: 1, applied: true })
    .stop('w4', 4, 7_500, 'handoff')
    .start('w5', 5, 7_800, { priority: 1, clockFree: true })
    .write('w5', 5, 1, 7_900, 'accepted')
    .run({ type: 'phase', at: 8_000, phase: 'skew' })
    .run({ type: 'skew', at: 8_100, worker: 'w6', offsetMs: 6_000 })
    .renewed('w5', 5, 13_500)
    .run({ type: 'phase', at: 14_000, phase: 'clock-free-kill' })
    .run({ type: 'kill', at: 14_000, worker: 'w5', pid: 105, token: 5, phase: 'clock-free-kill' })
    .run({ type: 'exit', at: 14_010, worker: 'w5', pid: 105, code: null, signal: 'SIGKILL' })
    .start('w6', 6, 16_500, { takeover: true, priority: 1, clockFree: true })
    .write('w6', 6, 1, 16_600, 'accepted')
    .run({ type: 'phase', at: 17_000, phase: 'end' });
}

const failedChecks = (evidence: ElectEvidence) =>
  computeElectChecks(evidence, TIMING)
    .checks.filter((c) => !c.ok)
    .map((c) => c.name);

describe('computeElectChecks on a clean run', () => {
  it('passes every check', () => {
    expect(computeElectChecks(cleanRun().build(), TIMING).checks.filter((c) => !c.ok)).toEqual([]);
  });

  it('counts from the workers’ logs, the run log and the resource', () => {
    expect(computeElectChecks(cleanRun().build(), TIMING).counts).toEqual({
      tenures: 6,
      takeovers: 3,
      writesAccepted: 6,
      staleWritesRejected: 1,
      staleWritesAccepted: 0,
      overlappingWindows: 0,
      kills: 2,
      pauses: 1,
      gracefulStops: 1,
      handoffs: 1,
      takeoversUnderSkew: 0,
    });
  });

  it('measures each handover from its own evidence to the successor’s acting-start', () => {
    const handovers = measureHandovers(cleanRun().build(), TIMING);
    expect(handovers.map((h) => [h.kind, h.from.worker, h.to?.worker, h.ms])).toEqual([
      ['failover', 'w1', 'w2', 2_200],
      ['failover-after-pause', 'w2', 'w3', 1_650],
      ['graceful-stop', 'w3', 'w4', 495],
      ['handoff', 'w4', 'w5', 700],
      ['clock-free-failover', 'w5', 'w6', 2_500],
    ]);
  });

  it('measures a failover also from the old leader’s last renewal, as its own log shows it', () => {
    const handovers = measureHandovers(cleanRun().build(), TIMING);
    expect(handovers.map((h) => h.sinceRenewalMs)).toEqual([
      3_200 - 700,
      5_300 - 3_200,
      undefined,
      undefined,
      16_500 - 13_500,
    ]);
  });

  it('derives each bound from the lease', () => {
    const bounds = handoverBounds(TIMING);
    expect(bounds.failover.boundMs).toBe(2_000 + 200 + 100 + 1_000);
    expect(bounds['clock-free-failover'].boundMs).toBe(2_000 + 666 + 100 + 1_000);
    expect(bounds['graceful-stop'].boundMs).toBe(300 + 666 + 100 + 1_000);
    expect(bounds.handoff.boundMs).toBe(2 * 666 + 300 + 100 + 1_000);
  });

  it('renders a report whose HTML shows every worker process and the verdict', () => {
    const report = buildElectReport(cleanRun().build(), {
      ...TIMING,
      seed: 1,
      workers: 2,
      prepareMinMs: 100,
      wallClockUnderSkew: false,
      skewLeaderBack: false,
      tableName: 't',
      leaseName: 'l',
      logDir: '.baton/demo-elect',
      startedAt: 0,
      endedAt: 17_000,
    });
    expect(report.ok).toBe(true);
    expect(report.figures.handoff).toMatchObject({ count: 1, p50: 700 });
    const html = renderElectReportHtml(report);
    expect(html).toContain('All checks passed');
    for (const pid of [101, 102]) expect(html).toContain(`pid ${pid}`);
    expect(html).toContain('<svg');
  });
});

describe('acting windows', () => {
  it('end at the holder’s acting-stop, or at its lease’s last deadline when that came first (a pause) or it logged no stop (a kill)', () => {
    const windows = actingWindows(cleanRun().build());
    const of = (worker: string) => windows.find((w) => w.worker === worker);
    expect(of('w3')).toMatchObject({ start: 5_300, end: 6_000, endedBy: 'stopped' });
    // Paused: it logged its stop at 5640, long after its deadline; it could not act in between.
    expect(of('w2')).toMatchObject({ start: 3_200, end: deadlineAfter(3_200), stopAt: 5_640, endedBy: 'fenced' });
    // Killed: no stop; the last renewal's deadline bounds it.
    expect(of('w5')).toMatchObject({ end: deadlineAfter(13_500), endedBy: 'killed' });
  });

  it('overlap when a successor starts before its predecessor stopped acting', () => {
    const story = cleanRun().start('w7', 7, 16_550);
    expect(overlappingWindows(actingWindows(story.build())).map(([a, b]) => [a.token, b.token])).toEqual([[6, 7]]);
    expect(failedChecks(story.build())).toContain('no two acting windows overlap');
  });

  it('overlap when a holder renewed past its successor’s start (its deadline moved on)', () => {
    // w5 keeps renewing after it was "killed": a holder that believed it still led while w6 took over.
    const story = cleanRun().renewed('w5', 5, 15_500);
    expect(failedChecks(story.build())).toEqual(['no two acting windows overlap']);
  });
});

describe('the stale-write checks', () => {
  it('find a write the resource accepted after a higher token', () => {
    expect(
      staleAccepted([
        { token: 1, wid: 'a' },
        { token: 3, wid: 'b' },
        { token: 2, wid: 'c' },
        { token: 3, wid: 'd' },
      ]),
    ).toEqual([{ index: 2, token: 2, after: 3 }]);
  });

  it('fail a run whose resource took the paused leader’s late write', () => {
    const story = cleanRun();
    story.resourceLog.splice(3, 0, { token: 2, wid: 'w2.2.2' }); // after token 3's entry
    const failed = failedChecks(story.build());
    expect(failed).toContain('no stale write was accepted');
    expect(failed).toContain('the resource matches the workers’ logs'); // its writer was told it was refused
  });

  it('fail when the paused leader’s late write was accepted after its successor wrote', () => {
    const story = new Story();
    story.workerRecords.push(...cleanRun().workerRecords.filter((r) => !(r.worker === 'w2' && r.at >= 5_600)));
    story.runRecords.push(...cleanRun().runRecords);
    story.resourceLog.push(...cleanRun().resourceLog);
    story.write('w2', 2, 2, 5_610, 'accepted').stop('w2', 2, 5_640, 'deadline');
    const evidence = story.build();
    expect(pauseOutcomes(evidence)).toMatchObject([
      { worker: 'w2', successorWroteFirst: true, lateWrite: { outcome: 'accepted' }, ok: false },
    ]);
    expect(failedChecks(evidence)).toEqual([
      'no stale write was accepted',
      'the paused leader was fenced and stopped acting',
    ]);
  });

  it('fail when an acknowledged write is missing from the resource', () => {
    const story = cleanRun();
    story.resourceLog.pop();
    expect(failedChecks(story.build())).toEqual(['the resource matches the workers’ logs']);
  });
});

describe('the pause check', () => {
  it('counts a successor’s write logged in the very millisecond of the resume as written first', () => {
    const story = new Story();
    story.workerRecords.push(...cleanRun().workerRecords);
    story.runRecords.push(...cleanRun().runRecords.map((r) => (r.type === 'resume' ? { ...r, at: 5_470 } : r)));
    story.resourceLog.push(...cleanRun().resourceLog);
    expect(pauseOutcomes(story.build())).toMatchObject([{ worker: 'w2', successorWroteFirst: true, ok: true }]);
  });
});

describe('the handover check', () => {
  it('ends a handoff at the next leader’s start, also when a higher priority outranked the requester', () => {
    const story = new Story();
    story.workerRecords.push(
      ...cleanRun().workerRecords.filter((r) => !(r.worker === 'w5' && r.type === 'acting-start')),
    );
    story.runRecords.push(...cleanRun().runRecords);
    story.resourceLog.push(...cleanRun().resourceLog);
    story
      .start('w7', 5, 7_800, { priority: 2, clockFree: true })
      .start('w5', 7, 20_000, { priority: 1, clockFree: true });
    expect(measureHandovers(story.build(), TIMING).find((h) => h.kind === 'handoff')).toMatchObject({
      to: { worker: 'w7', token: 5 },
      ms: 700,
      ok: true,
    });
  });

  it('fails a failover slower than its bound', () => {
    const story = new Story();
    story.workerRecords.push(...cleanRun().workerRecords.filter((r) => r.worker !== 'w6'));
    story.runRecords.push(...cleanRun().runRecords);
    story.resourceLog.push(...cleanRun().resourceLog.filter((e) => !e.wid.startsWith('w6')));
    story.start('w6', 6, 14_000 + 3_767, { takeover: true, clockFree: true }).write('w6', 6, 1, 17_900, 'accepted');
    const report = computeElectChecks(story.build(), TIMING);
    expect(report.handovers.find((h) => h.kind === 'clock-free-failover')).toMatchObject({ ms: 3_767, ok: false });
    expect(report.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual([
      'every failover and handoff came within its bound',
    ]);
  });

  it('fails a strike no successor followed', () => {
    const story = cleanRun().run({
      type: 'kill',
      at: 16_900,
      worker: 'w6',
      pid: 106,
      token: 6,
      phase: 'clock-free-kill',
    });
    expect(failedChecks(story.build())).toEqual(['every failover and handoff came within its bound']);
  });
});

describe('the other checks', () => {
  it('fail a takeover while the clocks were skewed and the leader alive', () => {
    const story = cleanRun().stop('w5', 5, 9_000, 'lost').start('w6', 7, 9_100, { takeover: true, clockFree: true });
    expect(failedChecks(story.build())).toContain('under skew, no waiter took the lease from a live leader');
  });

  it('pass a leader that stopped at its own deadline under skew and released, and a waiter that then took the free lease', () => {
    const story = cleanRun().stop('w5', 5, 9_000, 'deadline').start('w6', 7, 9_100, { clockFree: true });
    expect(failedChecks(story.build())).not.toContain('under skew, no waiter took the lease from a live leader');
  });

  it('fail a run in which the nemesis gave up on a step', () => {
    const story = cleanRun().run({ type: 'gave-up', at: 4_000, phase: 'pause', waitingFor: 'a successor to write' });
    expect(failedChecks(story.build())).toEqual(['the nemesis played every step']);
  });

  it('fail a worker that died unbidden or an elector that failed', () => {
    const story = cleanRun()
      .run({ type: 'exit', at: 9_000, worker: 'w4', pid: 104, code: 1, signal: null })
      .worker({ type: 'done', worker: 'w4', at: 8_999, error: 'LeaseError: table not found' });
    expect(failedChecks(story.build())).toEqual(['nothing else went wrong']);
  });
});
