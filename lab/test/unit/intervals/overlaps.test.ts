import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { overlappingPairs, sharedSpans, totalLength } from '../../../intervals/overlaps.js';

interface Owned {
  readonly owner: string;
  readonly start: number;
  readonly end: number;
}

const owned = (owner: string, start: number, end: number): Owned => ({ owner, start, end });
const ownerOf = (i: Owned) => i.owner;
const names = (pairs: [Owned, Owned][]) => pairs.map(([a, b]) => `${a.owner}${b.owner}`);

/** Up to eight intervals that each hold at least one moment, on a small grid so that they touch and coincide often. */
const intervals = fc.array(
  fc
    .record({
      owner: fc.constantFrom('a', 'b', 'c'),
      start: fc.integer({ min: 0, max: 40 }),
      length: fc.integer({ min: 1, max: 20 }),
    })
    .map(({ owner, start, length }) => owned(owner, start, start + length)),
  { maxLength: 8 },
);

describe('overlappingPairs', () => {
  it('finds none for intervals that only touch: one ends as the other begins', () => {
    expect(overlappingPairs([owned('a', 0, 10), owned('b', 10, 20)], ownerOf)).toEqual([]);
  });

  it('pairs an interval with one nested inside it, earlier first', () => {
    expect(names(overlappingPairs([owned('b', 20, 30), owned('a', 0, 100)], ownerOf))).toEqual(['ab']);
  });

  it("never pairs one owner's intervals with each other", () => {
    expect(overlappingPairs([owned('a', 0, 10), owned('a', 5, 15), owned('a', 5, 8)], ownerOf)).toEqual([]);
  });

  it('pairs every two of several owners running at once, in order of start', () => {
    const found = overlappingPairs(
      [owned('c', 2, 10), owned('a', 0, 10), owned('b', 1, 10), owned('d', 10, 12)],
      ownerOf,
    );
    expect(names(found)).toEqual(['ab', 'ac', 'bc']);
  });

  it('keeps the given order for intervals that start together', () => {
    expect(names(overlappingPairs([owned('b', 0, 5), owned('a', 0, 5)], ownerOf))).toEqual(['ba']);
  });

  it('counts an empty interval that begins inside another, but not one that begins at its end', () => {
    expect(
      names(overlappingPairs([owned('a', 0, 10), owned('b', 4, 4), owned('c', 10, 10), owned('d', 6, 3)], ownerOf)),
    ).toEqual(['ab', 'ad']);
  });

  it('finds nothing in nothing', () => {
    expect(overlappingPairs([], ownerOf)).toEqual([]);
  });

  it('finds exactly the pairs of different owners that share a moment, as a pairwise check does', () => {
    fc.assert(
      fc.property(intervals, (list) => {
        const brute: string[] = [];
        list.forEach((a, i) =>
          list.forEach((b, j) => {
            if (i < j && a.owner !== b.owner && Math.max(a.start, b.start) < Math.min(a.end, b.end))
              brute.push(`${i}-${j}`);
          }),
        );
        const found = overlappingPairs(list, ownerOf);
        const key = ([a, b]: [Owned, Owned]) => [list.indexOf(a), list.indexOf(b)].sort((x, y) => x - y).join('-');
        expect(found.map(key).sort()).toEqual(brute.sort());
        for (const [a, b] of found) expect(a.start).toBeLessThanOrEqual(b.start);
      }),
    );
  });
});

describe('sharedSpans', () => {
  it('finds none for intervals that only touch', () => {
    expect(sharedSpans([owned('a', 0, 10), owned('b', 10, 20)], ownerOf)).toEqual([]);
  });

  it('gives the nested interval as the span', () => {
    expect(sharedSpans([owned('a', 0, 100), owned('b', 20, 30)], ownerOf)).toEqual([{ start: 20, end: 30 }]);
  });

  it("never counts one owner's intervals as two", () => {
    expect(sharedSpans([owned('a', 0, 10), owned('a', 5, 15)], ownerOf)).toEqual([]);
  });

  it('merges spans that touch, whichever owners share them, and keeps apart those that do not', () => {
    const spans = sharedSpans(
      [owned('a', 0, 10), owned('b', 5, 12), owned('c', 10, 20), owned('a', 30, 40), owned('c', 35, 50)],
      ownerOf,
    );
    expect(spans).toEqual([
      { start: 5, end: 12 },
      { start: 35, end: 40 },
    ]);
    expect(totalLength(spans)).toBe(12);
  });

  it('ignores empty and inverted intervals', () => {
    expect(sharedSpans([owned('a', 0, 10), owned('b', 5, 5), owned('c', 8, 2)], ownerOf)).toEqual([]);
  });

  it('finds nothing in nothing', () => {
    expect(sharedSpans([], ownerOf)).toEqual([]);
    expect(totalLength([])).toBe(0);
  });

  it('covers exactly the moments two owners share, as checking every moment does', () => {
    fc.assert(
      fc.property(intervals, (list) => {
        const spans = sharedSpans(list, ownerOf);
        // Endpoints are integers: the middle of each unit step stands for the whole step.
        for (let t = 0.5; t < 61; t++) {
          const owners = new Set(list.filter((i) => i.start <= t && t < i.end).map(ownerOf));
          expect(spans.some((s) => s.start <= t && t < s.end)).toBe(owners.size >= 2);
        }
        spans.forEach((s, k) => {
          expect(s.start).toBeLessThan(s.end);
          // Merged: the next span starts strictly after this one ends.
          if (k > 0) expect(spans[k - 1]!.end).toBeLessThan(s.start);
        });
      }),
    );
  });
});
