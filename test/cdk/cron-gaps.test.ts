import { describe, expect, it } from 'vitest';
import { longestCronGapMs } from '../../lib/cdk/cron-gaps.js';
import { validationErrorOf as thrown } from '../support/errors.js';

const HOUR = 3_600_000;
const gapHours = (expression: string, timeZone?: string) => longestCronGapMs('schedule', expression, timeZone) / HOUR;

describe('longestCronGapMs', () => {
  it.each([
    ['every minute', 'cron(* * * * ? *)', 1 / 60],
    ['every 15 minutes', 'cron(0/15 * * * ? *)', 0.25],
    ['hourly', 'cron(0 * * * ? *)', 1],
    ['every 6 hours from 01:00', 'cron(0 1/6 * * ? *)', 6],
    ['daily', 'cron(0 2 * * ? *)', 24],
    ['twice a day, uneven', 'cron(0 6,9 * * ? *)', 21],
    ['weekdays', 'cron(0 2 ? * MON-FRI *)', 72],
    ['weekdays by number', 'cron(0 2 ? * 2-6 *)', 72],
    ['a range that wraps the week', 'cron(0 9 ? * FRI-MON *)', 96],
    ['weekly', 'cron(0 2 ? * SUN *)', 168],
    ['monthly on the 1st', 'cron(0 2 1 * ? *)', 31 * 24],
    ['monthly on the last day', 'cron(0 2 L * ? *)', 31 * 24],
    ['the second Tuesday', 'cron(0 2 ? * 3#2 *)', 35 * 24],
    ['the last Friday', 'cron(0 2 ? * 6L *)', 35 * 24],
    ['quarterly by month name', 'cron(0 2 1 JAN,APR,JUL,OCT ? *)', 92 * 24],
  ])('%s in UTC: %s has its longest gap', (_name, expression, hours) => {
    expect(gapHours(expression)).toBeCloseTo(hours, 9);
  });

  it('counts a 25-hour day where clocks fall back', () => {
    expect(gapHours('cron(0 3 * * ? *)', 'Europe/Berlin')).toBe(25);
    expect(gapHours('cron(0 1 * * ? *)', 'America/New_York')).toBe(25);
  });

  it('skips a local time that clocks springing forward never reach, as Scheduler does: 02:30 in Berlin misses a day', () => {
    // 02:00-02:59 does not exist on the last Sunday of March in Europe/Berlin.
    expect(gapHours('cron(30 2 * * ? *)', 'Europe/Berlin')).toBe(47);
    expect(gapHours('cron(0 2 * * ? *)', 'Europe/Berlin')).toBe(47);
    expect(gapHours('cron(0 2 * * ? *)', 'UTC')).toBe(24);
  });

  it('adds the fall-back hour to a weekday gap that spans the change', () => {
    // US clocks change on a Sunday: Friday 02:00 EDT to Monday 02:00 EST.
    expect(gapHours('cron(0 2 ? * MON-FRI *)', 'America/New_York')).toBe(73);
  });

  it('takes the nearest weekday to a day of the month', () => {
    // Within a month the target moves at most two days: 15W fires between the 13th and the 17th.
    expect(gapHours('cron(0 2 15W * ? *)')).toBeGreaterThan(28 * 24);
    expect(gapHours('cron(0 2 15W * ? *)')).toBeLessThanOrEqual(33 * 24);
  });

  it('answers Infinity for an expression that fires less than twice in its window', () => {
    expect(gapHours('cron(0 0 29 2 ? *)')).toBe(Infinity);
  });

  it('measures a schedule that ends before the reference window over its own years', () => {
    expect(gapHours('cron(0/15 * * * ? 2026)')).toBe(0.25);
  });

  it.each([
    ['five fields', 'cron(0 2 * * ?)'],
    ['a minute out of range', 'cron(60 2 * * ? *)'],
    ['an unknown weekday', 'cron(0 2 ? * FUNDAY *)'],
    ['a zero step', 'cron(0/0 2 * * ? *)'],
    ['not a cron', 'rate(1 day)'],
  ])('refuses %s, naming the field', (_name, expression) => {
    expect(thrown(() => longestCronGapMs('schedule', expression))).toMatchObject({ field: 'schedule' });
  });

  it('refuses a time zone Node.js does not know', () => {
    expect(thrown(() => longestCronGapMs('schedule', 'cron(0 2 * * ? *)', 'Mars/Olympus_Mons'))).toMatchObject({
      field: 'schedule',
    });
  });
});
