import { describe, expect, it } from 'vitest';
import { FaultRegistry, Nemesis, type Fault, type FaultStep } from '../../../harness/nemesis.js';
import { Prng } from '../../../sim/prng.js';

type Step = FaultStep & { readonly target: string; readonly forMs?: number };

/** Faults that only say what they do, into `log`. */
function faults(log: string[]) {
  const inline: Fault<string[], Step, string> = {
    name: 'inline',
    inject: (_, step) => (log.push(`inject inline ${step.target}`), step.target),
    heal: (_, hit) => void log.push(`heal inline ${hit}`),
  };
  const timed: Fault<string[], Step, string> = {
    name: 'timed',
    inject: (_, step) => (log.push(`inject timed ${step.target}`), step.target),
    heal: (_, hit) => void log.push(`heal timed ${hit}`),
    healAfterMs: (step) => step.forMs,
  };
  const missing: Fault<string[], Step> = {
    name: 'missing',
    inject: () => (log.push('inject missing'), undefined),
    heal: () => void log.push('heal missing'),
  };
  return new FaultRegistry<string[], Step>([inline, timed, missing]);
}

describe('FaultRegistry', () => {
  it('refuses an unknown fault name, naming the known ones', () => {
    const registry = faults([]);
    expect(() => registry.get('partition')).toThrow(RangeError);
    expect(() => registry.get('partition')).toThrow('unknown fault "partition"; known: inline, timed, missing');
    expect(() => registry.drawer(new Prng(1), ['inline', 'partition'])).toThrow('unknown fault "partition"');
  });

  it('refuses a name registered twice, and a draw among nothing', () => {
    const heal = () => undefined;
    expect(
      () =>
        new FaultRegistry([
          { name: 'kill', inject: () => undefined, heal },
          { name: 'kill', inject: () => undefined, heal },
        ]),
    ).toThrow('fault kill is registered twice');
    expect(() => faults([]).drawer(new Prng(1), [])).toThrow('no fault to draw from');
  });

  it('draws the same kinds from the same seed: each once in a seeded order first, then picks', () => {
    const draws = (seed: number, n: number, names?: readonly string[]) => {
      const draw = faults([]).drawer(new Prng(seed), names);
      return Array.from({ length: n }, () => draw());
    };
    const a = draws(42, 30);
    expect(draws(42, 30)).toEqual(a);
    expect(new Set(a.slice(0, 3))).toEqual(new Set(['inline', 'timed', 'missing']));
    // Another seed, another order somewhere in the sequence.
    expect([7, 8, 9, 10].some((seed) => draws(seed, 30).join() !== a.join())).toBe(true);
    expect(new Set(draws(42, 30, ['timed']))).toEqual(new Set(['timed']));
  });
});

describe('Nemesis', () => {
  it('injects in order, heals an inline fault before the next step and a timed one after its time, and skips the heal of a strike that hit nothing', async () => {
    const log: string[] = [];
    await new Nemesis(faults(log), log).run([
      { kind: 'timed', target: 'a', forMs: 40 },
      { kind: 'inline', target: 'b' },
      { kind: 'missing', target: 'c' },
      { kind: 'inline', target: 'd', atMs: 5 },
    ]);
    expect(log).toEqual([
      'inject timed a',
      'inject inline b',
      'heal inline b',
      'inject missing',
      'inject inline d',
      'heal inline d',
      'heal timed a',
    ]);
  });

  it('refuses a step of an unknown kind', async () => {
    await expect(new Nemesis(faults([]), []).run([{ kind: 'partition', target: 'a' }])).rejects.toThrow(
      'unknown fault "partition"',
    );
  });

  it('heal() heals now what was scheduled for later, and injects nothing more', async () => {
    const log: string[] = [];
    const nemesis = new Nemesis(faults(log), log);
    const abort = new AbortController();
    const running = nemesis.run(
      [
        { kind: 'timed', target: 'a', forMs: 60_000 },
        { kind: 'timed', target: 'b', forMs: 60_000, atMs: 100 },
      ],
      abort.signal,
    );
    await expect.poll(() => log).toEqual(['inject timed a']);
    await nemesis.heal();
    expect(log).toEqual(['inject timed a', 'heal timed a']);
    await running;
    expect(log).toEqual(['inject timed a', 'heal timed a']);
  });

  it('stops at an abort, and reports a fault that throws without stopping', async () => {
    const log: string[] = [];
    const errors: string[] = [];
    const throwing = new FaultRegistry<string[], Step>([
      { name: 'boom', inject: () => Promise.reject(new Error('no such worker')), heal: () => undefined },
      ...['inline'].map((name) => faults(log).get(name)),
    ]);
    const abort = new AbortController();
    const nemesis = new Nemesis(throwing, log, { onError: (error) => errors.push((error as Error).message) });
    const running = nemesis.run(
      [
        { kind: 'boom', target: 'x' },
        { kind: 'inline', target: 'y' },
        { kind: 'inline', target: 'z', atMs: 60_000 },
      ],
      abort.signal,
    );
    await expect.poll(() => log).toEqual(['inject inline y', 'heal inline y']);
    abort.abort();
    await running;
    expect(errors).toEqual(['no such worker']);
    expect(log).toEqual(['inject inline y', 'heal inline y']);
  });
});
