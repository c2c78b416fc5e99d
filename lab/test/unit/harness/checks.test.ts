import { describe, expect, it } from 'vitest';
import {
  allHold,
  belowHighest,
  check,
  diedUnbidden,
  listed,
  logsComplete,
  ofType,
  reconcile,
  repeated,
  successorWroteFirst,
} from '../../../harness/checks.js';

describe('check', () => {
  it('holds with its own detail when nothing offends it', () => {
    expect(check('p', [], '6 entries')).toEqual({ name: 'p', ok: true, detail: '6 entries' });
  });

  it('fails naming the first offenders, then how many more', () => {
    const c = check('p', ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], 'fine');
    expect(c).toEqual({ name: 'p', ok: false, detail: 'a; b; c; d; e; f; and 2 more' });
  });
});

describe('allHold and logsComplete', () => {
  it('fails a run whose logs have unreadable lines, and adds nothing when they have none', () => {
    expect(logsComplete(0)).toEqual([]);
    expect(logsComplete(2)).toEqual([{ name: 'logs are complete', ok: false, detail: '2 log lines did not parse' }]);
    expect(allHold([check('p', [], 'fine'), ...logsComplete(0)])).toBe(true);
    expect(allHold([check('p', [], 'fine'), ...logsComplete(1)])).toBe(false);
  });
});

describe('listed', () => {
  it('keeps every value up to the limit', () => {
    expect(listed([1, 2, 3], 3)).toBe('1; 2; 3');
    expect(listed([1, 2, 3, 4], 3)).toBe('1; 2; 3; and 1 more');
  });
});

describe('ofType', () => {
  it('keeps the records of one type', () => {
    type R = { type: 'a'; n: number } | { type: 'b'; s: string };
    const records: R[] = [
      { type: 'a', n: 1 },
      { type: 'b', s: 'x' },
      { type: 'a', n: 2 },
    ];
    expect(ofType(records, 'a').map((r) => r.n)).toEqual([1, 2]);
  });
});

describe('repeated', () => {
  it('finds each key that occurs more than once, with all its items in order', () => {
    const entries = [
      { tick: 1, wid: 'a' },
      { tick: 2, wid: 'b' },
      { tick: 1, wid: 'c' },
      { tick: 1, wid: 'd' },
    ];
    expect(repeated(entries, (e) => e.tick)).toEqual([{ key: 1, items: [entries[0], entries[2], entries[3]] }]);
    expect(repeated(entries.slice(0, 2), (e) => e.tick)).toEqual([]);
  });
});

describe('belowHighest', () => {
  it('flags a token below the highest accepted before it, even when it rises above the one just before', () => {
    // 5, then 3 (stale), then 4: still below 5, so stale too, though it is above 3.
    const log = [5, 3, 4, 6, 6].map((token, i) => ({ token, wid: `w${i}` }));
    expect(belowHighest(log, (e) => e.token).map((b) => [b.index, b.item.token, b.highest.token])).toEqual([
      [1, 3, 5],
      [2, 4, 5],
    ]);
  });

  it('lets equal and rising tokens through', () => {
    expect(belowHighest([1, 1, 2, 3, 3], (t) => t)).toEqual([]);
  });
});

describe('reconcile', () => {
  it('finds entries no writer sent, acknowledged writes the resource lost, and refused writes it holds', () => {
    const found = reconcile(['a', 'b', 'x', 'r'], {
      sent: ['a', 'b', 'c', 'r'],
      acknowledged: ['a', 'b', 'c'],
      refused: ['r', 's'],
    });
    expect(found).toEqual({ notSent: ['x'], lost: ['c'], refusedYetHeld: ['r'] });
  });

  it('finds nothing where the two sides agree', () => {
    expect(reconcile(['a'], { sent: new Set(['a', 'b']), acknowledged: ['a'], refused: ['b'] })).toEqual({
      notSent: [],
      lost: [],
      refusedYetHeld: [],
    });
  });
});

describe('diedUnbidden', () => {
  it('keeps the exits that were neither clean nor the nemesis’s SIGKILL', () => {
    const exits = [
      { pid: 1, code: 0, signal: null },
      { pid: 2, code: null, signal: 'SIGKILL' },
      { pid: 3, code: null, signal: 'SIGKILL' },
      { pid: 4, code: 1, signal: null },
    ];
    expect(diedUnbidden(exits, [{ pid: 2 }]).map((e) => e.pid)).toEqual([3, 4]);
  });
});

describe('successorWroteFirst', () => {
  const landed = [
    { token: 2, at: 100 },
    { token: 4, at: 300 },
  ];

  it('sees a higher token that landed before the moment, and no lower or equal one', () => {
    expect(successorWroteFirst(landed, 3, 301)).toBe(true);
    expect(successorWroteFirst(landed, 4, 1_000)).toBe(false);
    expect(successorWroteFirst(landed, 1, 50)).toBe(false);
  });

  it('counts the same millisecond only when asked to', () => {
    expect(successorWroteFirst(landed, 3, 300)).toBe(false);
    expect(successorWroteFirst(landed, 3, 300, true)).toBe(true);
  });
});
