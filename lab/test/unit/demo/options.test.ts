import { describe, expect, it } from 'vitest';
import { electTiming, parseElectDemoArgs } from '../../../demo/elect-options.js';
import { DEMO_DEFAULTS, parseDemoArgs, resolveDemoOptions } from '../../../demo/options.js';

describe('parseDemoArgs', () => {
  it('applies the defaults, with a random seed', () => {
    const o = parseDemoArgs([]);
    expect(o).toMatchObject({ durationS: 30, workers: 4, tickS: 1, duplicateRate: 0.1, functionTimeoutMs: 3_000 });
    expect(o === 'help' ? -1 : o.seed).toBeGreaterThanOrEqual(0);
  });

  it('reads --duration, --workers, --seed and --tick', () => {
    expect(parseDemoArgs(['--duration', '8', '--workers', '3', '--seed', '42', '--tick', '2'])).toMatchObject({
      durationS: 8,
      workers: 3,
      seed: 42,
      tickS: 2,
    });
  });

  it('answers --help', () => {
    expect(parseDemoArgs(['--help'])).toBe('help');
  });

  it.each([
    [['--duration', '0'], '--duration must be an integer from 1 to 3600, got 0'],
    [['--workers', '1'], '--workers must be an integer from 2 to 16, got 1'],
    [['--workers', 'many'], '--workers must be an integer from 2 to 16, got NaN'],
    [['--seed', '1.5'], '--seed must be an integer'],
    [['--tick', '0.5'], '--tick must be an integer from 1 to 60, got 0.5'],
  ])('rejects %j naming the option', (argv, message) => {
    expect(() => parseDemoArgs(argv)).toThrow(message);
  });

  it('rejects an unknown option', () => {
    expect(() => parseDemoArgs(['--wrokers', '3'])).toThrow(/wrokers/);
  });
});

describe('resolveDemoOptions', () => {
  it('keeps the job’s work inside the function timeout', () => {
    expect(() => resolveDemoOptions({ workMaxMs: DEMO_DEFAULTS.functionTimeoutMs + 1 })).toThrow('workMaxMs');
  });
});

describe('parseElectDemoArgs', () => {
  it('applies the defaults, with a random seed', () => {
    const o = parseElectDemoArgs(['--elect']);
    expect(o).toMatchObject({
      workers: 3,
      leaseMs: 2_000,
      prepareMinMs: 100,
      prepareMaxMs: 300,
      allowanceMs: 1_000,
      wallClockUnderSkew: false,
      skewLeaderBack: false,
    });
    expect(o === 'help' ? -1 : o.seed).toBeGreaterThanOrEqual(0);
  });

  it('reads --workers, --lease, --seed and the broken-on-purpose switches', () => {
    expect(
      parseElectDemoArgs([
        '--elect',
        '--workers',
        '4',
        '--lease',
        '3000',
        '--seed',
        '7',
        '--wall-clock-under-skew',
        '--skew-leader-back',
      ]),
    ).toMatchObject({
      workers: 4,
      leaseMs: 3_000,
      seed: 7,
      wallClockUnderSkew: true,
      skewLeaderBack: true,
    });
  });

  it('shortens the write preparation to a quarter of a short lease', () => {
    expect(parseElectDemoArgs(['--elect', '--lease', '1000'])).toMatchObject({
      leaseMs: 1_000,
      prepareMinMs: 100,
      prepareMaxMs: 250,
    });
  });

  it('derives the protocol timing from the lease', () => {
    expect(electTiming({ leaseMs: 3_000 })).toMatchObject({
      durationMs: 3_000,
      renewEveryMs: 1_000,
      maxClockSkewMs: 200,
      safetyMarginMs: 250,
    });
  });

  it.each([
    [['--workers', '1'], '--workers must be an integer from 2 to 8, got 1'],
    [['--lease', '500'], '--lease must be an integer from 1000 to 10000, got 500'],
    [['--seed', '2.5'], '--seed must be an integer'],
  ])('rejects %j naming the option', (argv, message) => {
    expect(() => parseElectDemoArgs(['--elect', ...argv])).toThrow(message);
  });

  it('rejects an option of the Lambda demo', () => {
    expect(() => parseElectDemoArgs(['--elect', '--tick', '2'])).toThrow(/tick/);
  });
});
