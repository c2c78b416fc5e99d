import { describe, expect, it } from 'vitest';
import { buildTimeline } from '../../../demo/timeline.js';
import { cleanRun, tickAt } from './evidence-builder.js';

describe('buildTimeline', () => {
  const timeline = buildTimeline(cleanRun().build());
  const row = (worker: string) => timeline.rows.find((r) => r.worker === worker);

  it('has one row per spawned worker, in spawn order, replacements marked', () => {
    expect(timeline.rows.map((r) => [r.worker, r.replaces ?? null])).toEqual([
      ['w1', null],
      ['w2', null],
      ['w3', null],
      ['w4', 'w1'],
    ]);
    expect(timeline.ticks).toHaveLength(16);
  });

  it('says how each tenure ended', () => {
    expect(row('w1')?.tenures.map((t) => [t.token, t.result])).toEqual([
      [1, 'ran'],
      [2, 'ran'],
      [5, 'ran'],
      [6, 'killed'],
    ]);
    expect(row('w2')?.tenures.map((t) => [t.token, t.result])).toEqual([[3, 'refused']]);
    expect(row('w3')?.tenures.map((t) => [t.token, t.result, t.takeover])).toEqual([
      [4, 'ran', true],
      [7, 'ran', true],
    ]);
  });

  it('ends a killed tenure at the kill and marks the worker killed', () => {
    const w1 = row('w1');
    expect(w1?.tenures.at(-1)?.end).toBe(tickAt(9) + 70);
    expect(w1?.kills).toEqual([{ at: tickAt(9) + 70, token: 6 }]);
    expect(w1?.killed).toBe(true);
  });

  it('records pauses, refused writes and skipped duplicates where they happened', () => {
    expect(row('w2')?.pauses).toEqual([{ from: tickAt(2) + 60, to: tickAt(7) + 400, token: 3 }]);
    expect(row('w2')?.refusedWrites).toEqual([{ at: tickAt(7) + 420, token: 3, fence: 4 }]);
    expect(row('w3')?.skippedDuplicates).toEqual([{ at: tickAt(1) + 612, tick: tickAt(1) }]);
  });
});
