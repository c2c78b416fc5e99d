import { describe, expect, it } from 'vitest';
import { checkHistory, type ViolationKind } from '../../../chaos/checker.js';
import { HistoryBuilder, tickAt } from './history-builder.js';

function kinds(b: HistoryBuilder, overrides: { leaseToken?: number } = {}): ViolationKind[] {
  return checkHistory(b.history(), b.finalState(overrides)).violations.map((v) => v.kind);
}

/** w1 leads with token 1 and releases; w2 takes token 2: the shape every case below bends. */
function cleanHandover(): HistoryBuilder {
  return new HistoryBuilder()
    .start('w1', 0)
    .start('w2', 0)
    .acquire('w1', 'w1.0#a', 1, 10)
    .write('w1', 'w1.0#a', 1, 1, 260)
    .write('w1', 'w1.0#a', 1, 2, 510)
    .renew('w1', 'w1.0#a', 1, 600)
    .write('w1', 'w1.0#a', 1, 3, 760)
    .release('w1', 'w1.0#a', 1, 900)
    .acquire('w2', 'w2.0#b', 2, 950)
    .write('w2', 'w2.0#b', 2, 4, 1_010)
    .write('w2', 'w2.0#b', 2, 5, 1_260);
}

describe('checkHistory', () => {
  it('passes a clean history and counts what happened', () => {
    const b = cleanHandover();
    const result = checkHistory(b.history(), b.finalState());
    expect(result.violations).toEqual([]);
    expect(result.stats).toMatchObject({
      tenures: 2,
      writesAttempted: 5,
      sideEffectsAccepted: 5,
      highestTokenGranted: 2,
      finalLeaseToken: 2,
    });
    expect(result.tenures[0]).toMatchObject({
      token: 1,
      deadlineReal: result.tenures[0]!.sentReal + 590 + 1_750,
      validEnd: result.tenures[0]!.releaseSentReal,
    });
  });

  it('passes a takeover after a pause: the woken holder acts past its deadline and the fence refuses it', () => {
    const b = new HistoryBuilder()
      .start('w1', 0)
      .start('w2', 0)
      .acquire('w1', 'w1.0#a', 1, 0)
      .write('w1', 'w1.0#a', 1, 1, 250)
      // w1 is paused at 300 for 6 s; its deadline is 1750. w2's clock waits out expiry (2000) + S.
      .acquire('w2', 'w2.0#b', 2, 2_250)
      .write('w2', 'w2.0#b', 2, 10, 2_500)
      .write('w1', 'w1.0#a', 1, 2, 6_300, 'stale');
    const result = checkHistory(b.history(), b.finalState());
    expect(result.violations).toEqual([]);
    expect(result.stats.staleRejected).toBe(1);
  });

  it('passes a token gap explained by an acquisition whose caller was killed before the answer', () => {
    const b = cleanHandover().acquireUnanswered('w3', 'w3.0#c', 1_400).kill('w3', 1_401);
    const result = checkHistory(b.history(), b.finalState({ leaseToken: 3 }));
    expect(result.violations).toEqual([]);
    expect(result.stats.unresolvedAcquires).toBe(1);
  });

  it('reports tokens that do not strictly increase: one token accepted from two tenures', () => {
    const b = new HistoryBuilder()
      .start('w1', 0)
      .start('w2', 0)
      .acquire('w1', 'w1.0#a', 1, 0)
      .write('w1', 'w1.0#a', 1, 1, 250)
      .release('w1', 'w1.0#a', 1, 300)
      .acquire('w2', 'w2.0#b', 1, 400)
      .write('w2', 'w2.0#b', 1, 2, 500);
    const result = checkHistory(b.history(), b.finalState());
    expect(result.violations.map((v) => v.kind)).toEqual(['tokens-not-increasing', 'tokens-not-increasing']);
    expect(result.violations[0]!.message).toMatch(/token 1 from two tenures/);
    expect(result.violations[1]!.message).toMatch(/granted to 2 tenures/);
  });

  it('reports a write accepted with a token lower than one already accepted', () => {
    const b = new HistoryBuilder()
      .start('w1', 0)
      .start('w2', 0)
      .acquire('w1', 'w1.0#a', 1, 0)
      .acquire('w2', 'w2.0#b', 2, 2_300)
      .write('w2', 'w2.0#b', 2, 10, 2_500)
      // w1 woke from a pause, past its deadline: the resource should have refused it, but accepted it.
      .write('w1', 'w1.0#a', 1, 11, 6_000);
    const violations = checkHistory(b.history(), b.finalState()).violations;
    expect(violations.map((v) => v.kind)).toEqual(['stale-write-accepted']);
    expect(violations[0]).toMatchObject({ resource: 'resource-0', tokens: [1, 2], workers: ['w1'] });
  });

  it('reports side effects under overlapping valid tenures, within the skew bound: unexplained', () => {
    const b = new HistoryBuilder()
      .start('w1', 0, 50)
      .start('w2', 0, -50)
      .acquire('w1', 'w1.0#a', 1, 0)
      .write('w1', 'w1.0#a', 1, 1, 250)
      // w2 wins at 1000 while w1's deadline is 1750: an acquire without the expiry condition.
      .acquire('w2', 'w2.0#b', 2, 995, 1_000)
      .write('w2', 'w2.0#b', 2, 5, 1_250)
      .write('w1', 'w1.0#a', 1, 6, 1_500, 'stale');
    const violations = checkHistory(b.history(), b.finalState()).violations;
    expect(violations.map((v) => v.kind)).toEqual(['overlapping-tenures']);
    expect(violations[0]).toMatchObject({ workers: ['w1', 'w2'], tokens: [1, 2] });
    expect(violations[0]!.explainedBy).toBeUndefined();
  });

  it('marks overlapping tenures as explained when the two clocks were further apart than maxClockSkewMs', () => {
    const b = new HistoryBuilder()
      .start('w1', 0, -400)
      .start('w2', 0, 0)
      .skew('w2', 100, 900)
      .acquire('w1', 'w1.0#a', 1, 0)
      .write('w1', 'w1.0#a', 1, 1, 250)
      .acquire('w2', 'w2.0#b', 2, 995, 1_000)
      .write('w2', 'w2.0#b', 2, 5, 1_250)
      .write('w1', 'w1.0#a', 1, 6, 1_500, 'stale');
    const [violation] = checkHistory(b.history(), b.finalState()).violations;
    expect(violation).toMatchObject({ kind: 'overlapping-tenures', explainedBy: 'clock-skew-beyond-bound' });
    expect(violation!.message).toMatch(/1300 ms apart/);
  });

  it('diagnoses an overlap caused by a late request that moved the lease expiry backwards, and still reports it', () => {
    const b = new HistoryBuilder()
      .start('w1', 0)
      .start('w2', 0)
      .acquire('w1', 'w1.0#a', 1, 0)
      .renew('w1', 'w1.0#a', 1, 600)
      .renew('w1', 'w1.0#a', 1, 1_200)
      // w1 was told its expiry is 3200; the item w2 replaced said 2600 (the first renew's, written late).
      .acquire('w2', 'w2.0#b', 2, 2_810, 2_815, 0, { holder: 'w1.0#a', expiresAt: 2_600 })
      .write('w2', 'w2.0#b', 2, 12, 2_850)
      .write('w1', 'w1.0#a', 1, 13, 2_900, 'stale');
    const [violation, ...rest] = checkHistory(b.history(), b.finalState()).violations;
    expect(rest).toEqual([]);
    expect(violation).toMatchObject({ kind: 'overlapping-tenures', diagnosis: 'expiry-moved-backwards' });
    expect(violation!.explainedBy).toBeUndefined();
    expect(violation!.message).toMatch(/600 ms earlier than w1 had already been told it wrote/);
  });

  it('does not call tenures overlapping when the earlier holder acted only before its successor began', () => {
    const b = new HistoryBuilder()
      .start('w1', 0)
      .start('w2', 0)
      .acquire('w1', 'w1.0#a', 1, 0)
      .write('w1', 'w1.0#a', 1, 1, 250)
      .acquire('w2', 'w2.0#b', 2, 995, 1_000)
      .write('w2', 'w2.0#b', 2, 5, 1_250);
    expect(kinds(b)).toEqual([]);
  });

  it('reports a tick that ran twice', () => {
    const b = cleanHandover().write('w2', 'w2.0#b', 2, 5, 1_400, 'accepted', { resource: 'resource-1' });
    const violations = checkHistory(b.history(), b.finalState()).violations;
    expect(violations.map((v) => v.kind)).toEqual(['tick-ran-twice']);
    expect(violations[0]!.message).toContain(new Date(tickAt(5)).toISOString());
  });

  it('reports a lease token below the highest token granted', () => {
    expect(kinds(cleanHandover(), { leaseToken: 1 })).toEqual(['lease-token-mismatch', 'lease-token-mismatch']);
  });

  it('reports a lease token above the highest granted with no unresolved acquisition to explain it', () => {
    const violations = checkHistory(
      cleanHandover().history(),
      cleanHandover().finalState({ leaseToken: 4 }),
    ).violations;
    expect(violations.map((v) => v.kind)).toEqual(['lease-token-mismatch']);
    expect(violations[0]!.message).toMatch(/only 0 acquisitions/);
  });

  it('reports an acknowledged write that is not in the resource', () => {
    const b = cleanHandover().write('w2', 'w2.0#b', 2, 6, 1_510, 'accepted', { lands: false });
    expect(kinds(b)).toEqual(['acknowledged-write-lost']);
  });

  it('reports a write in the resource that its worker saw refused, or that nobody attempted', () => {
    const refused = cleanHandover().write('w2', 'w2.0#b', 2, 6, 1_510, 'tick-done', { lands: true });
    expect(kinds(refused)).toEqual(['phantom-write']);
    const unknown = cleanHandover().land('resource-0', { token: 2, tick: tickAt(9), wid: 'w9.0.1' });
    expect(kinds(unknown)).toEqual(['phantom-write']);
  });

  it('does not count a write of unknown outcome as lost or phantom, whether it landed or not', () => {
    const b = cleanHandover()
      .write('w2', 'w2.0#b', 2, 6, 1_510, 'unknown', { lands: true })
      .write('w2', 'w2.0#b', 2, 7, 1_760, 'unknown', { lands: false })
      .write('w2', 'w2.0#b', 2, 8, 2_010, 'none', { lands: true });
    const result = checkHistory(b.history(), b.finalState());
    expect(result.violations).toEqual([]);
    expect(result.stats.unknownOutcomes).toBe(3);
  });

  it('refuses a history without its campaign record', () => {
    expect(() => checkHistory([], { lease: undefined, resources: [] })).toThrow(/campaign record/);
  });
});
