import { LeaseValidationError } from '../runtime/errors.js';

/**
 * The longest gap between two fires of an EventBridge Scheduler `cron(...)`
 * expression, in its time zone, as Scheduler fires it: a local time that a
 * spring-forward change skips does not fire at all, and one that a fall-back
 * change repeats fires once, at its first occurrence. So a daily job at 02:30
 * in Europe/Berlin has one 48-hour gap a year, and 23- and 25-hour days shift
 * the rest (docs/decisions/cdk-alarms.md).
 *
 * Fires are enumerated over two fixed calendar years (one of them a leap year),
 * so the answer does not depend on the day `cdk synth` runs. An expression
 * that fires fewer than twice in that window answers `Infinity`.
 */
export function longestCronGapMs(field: string, expression: string, timeZone = 'UTC'): number {
  const cron = parseCron(field, expression);
  const zone = new ZoneOffsets(field, timeZone);
  const years = [...cron.years].sort((a, b) => a - b);
  // A schedule that ends before the window is measured over its own years.
  const firstYear = years.find((y) => y >= WINDOW_FIRST_YEAR) ?? years[0]!;
  let previous: number | undefined;
  let longest = 0;
  for (let year = firstYear; year < firstYear + WINDOW_YEARS; year++) {
    if (!cron.years.has(year)) continue;
    for (const month of cron.months) {
      const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
      for (let day = 1; day <= daysInMonth; day++) {
        if (!cron.day(year, month, day, daysInMonth)) continue;
        for (const fire of zone.fires(year, month, day, cron.hours, cron.minutes)) {
          if (previous !== undefined) longest = Math.max(longest, fire - previous);
          previous = fire;
        }
      }
    }
  }
  return longest === 0 ? Infinity : longest;
}

/** 2027 and 2028: a leap year, and a calendar that fixes the result for any synth date. */
const WINDOW_FIRST_YEAR = 2027;
const WINDOW_YEARS = 2;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

interface CronFields {
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly months: readonly number[];
  readonly years: ReadonlySet<number>;
  /** Whether the day-of-month and day-of-week fields both admit this date. */
  readonly day: (year: number, month: number, day: number, daysInMonth: number) => boolean;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** Parses Scheduler's six-field cron: minutes hours day-of-month month day-of-week year. */
function parseCron(field: string, expression: string): CronFields {
  const body = /^cron\((.*)\)$/.exec(expression.trim())?.[1];
  const parts = body?.trim().split(/\s+/);
  if (parts?.length !== 6)
    throw new LeaseValidationError(
      field,
      `must be a cron(minutes hours day-of-month month day-of-week year) expression, got ${expression}`,
    );
  const [minute, hour, dayOfMonth, month, dayOfWeek, year] = parts as [string, string, string, string, string, string];
  const bad = (what: string, text: string): LeaseValidationError =>
    new LeaseValidationError(field, `has a ${what} field Baton cannot read: ${JSON.stringify(text)} in ${expression}`);
  const list = (text: string, what: string, min: number, max: number, names: readonly string[] = []): number[] => {
    const values = new Set<number>();
    const value = (token: string): number => {
      const named = names.indexOf(token.toUpperCase());
      const n = named >= 0 ? named + min : /^\d+$/.test(token) ? Number(token) : NaN;
      if (!(n >= min && n <= max)) throw bad(what, text);
      return n;
    };
    for (const item of text.split(',')) {
      const [range, stepText] = item.split('/') as [string, string | undefined];
      const step = stepText === undefined ? 1 : Number(stepText);
      if (!Number.isInteger(step) || step < 1) throw bad(what, text);
      const [from, to] =
        range === '*'
          ? [min, max]
          : range.includes('-')
            ? (range.split('-').map(value) as [number, number])
            : [value(range), stepText === undefined ? value(range) : max];
      // A wrapping range (FRI-MON) runs through the end of the cycle.
      for (let n = from, count = 0; count <= max - min; n = n === max ? min : n + 1, count++) {
        if (count % step === 0) values.add(n);
        if (n === to) break;
      }
    }
    return [...values].sort((a, b) => a - b);
  };
  const weekday = (y: number, m: number, d: number): number => new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 1;
  return {
    minutes: list(minute, 'minutes', 0, 59),
    hours: list(hour, 'hours', 0, 23),
    months: list(month, 'month', 1, 12, MONTHS),
    years: new Set(list(year, 'year', 1970, 2199)),
    day: and(dayOfMonthMatcher(dayOfMonth, list, bad), dayOfWeekMatcher(dayOfWeek, list, bad, weekday)),
  };
}

type ListParser = (text: string, what: string, min: number, max: number, names?: readonly string[]) => number[];
type DayMatcher = (year: number, month: number, day: number, daysInMonth: number) => boolean;

function and(a: DayMatcher, b: DayMatcher): DayMatcher {
  return (y, m, d, n) => a(y, m, d, n) && b(y, m, d, n);
}

/** `?`, `*`, a list, `L` (the last day) or `nW` (the weekday nearest the nth, within the month). */
function dayOfMonthMatcher(text: string, list: ListParser, bad: (what: string, text: string) => Error): DayMatcher {
  if (text === '?' || text === '*') return () => true;
  if (text === 'L') return (_y, _m, d, n) => d === n;
  const nearest = /^(\d+)W$/.exec(text);
  if (nearest) {
    const target = Number(nearest[1]);
    if (target < 1 || target > 31) throw bad('day-of-month', text);
    return (y, m, d, n) => {
      let t = Math.min(target, n);
      const dow = new Date(Date.UTC(y, m - 1, t)).getUTCDay();
      if (dow === 6) t = t === 1 ? 3 : t - 1;
      else if (dow === 0) t = t === n ? t - 2 : t + 1;
      return d === t;
    };
  }
  const days = new Set(list(text, 'day-of-month', 1, 31));
  return (_y, _m, d) => days.has(d);
}

/** `?`, `*`, a list of 1–7 or SUN–SAT, `L` (Saturday), `nL` (the month's last such day) or `n#k` (its kth). */
function dayOfWeekMatcher(
  text: string,
  list: ListParser,
  bad: (what: string, text: string) => Error,
  weekday: (y: number, m: number, d: number) => number,
): DayMatcher {
  if (text === '?' || text === '*') return () => true;
  const one = (token: string): number => list(token, 'day-of-week', 1, 7, WEEKDAYS)[0]!;
  const last = /^(\w+)L$/.exec(text);
  if (last) {
    const dow = one(last[1]!);
    return (y, m, d, n) => weekday(y, m, d) === dow && d + 7 > n;
  }
  if (text === 'L') return (y, m, d) => weekday(y, m, d) === 7;
  const nth = /^(\w+)#([1-5])$/.exec(text);
  if (nth) {
    const dow = one(nth[1]!);
    const k = Number(nth[2]);
    return (y, m, d) => weekday(y, m, d) === dow && Math.ceil(d / 7) === k;
  }
  if (/[L#W]/i.test(text.replace(/[A-Z]{3}/gi, ''))) throw bad('day-of-week', text);
  const days = new Set(list(text, 'day-of-week', 1, 7, WEEKDAYS));
  return (y, m, d) => days.has(weekday(y, m, d));
}

/** Local wall-clock times of one IANA zone turned into instants, as Scheduler resolves them. */
class ZoneOffsets {
  private readonly format: Intl.DateTimeFormat;

  constructor(field: string, timeZone: string) {
    try {
      this.format = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new LeaseValidationError(field, `has a time zone this Node.js does not know: ${JSON.stringify(timeZone)}`);
    }
  }

  /** The instants (epoch ms) of a day's fires, in order, without the local times the zone skips. */
  fires(year: number, month: number, day: number, hours: readonly number[], minutes: readonly number[]): number[] {
    const midnight = Date.UTC(year, month - 1, day);
    // Offsets a day either side of this one: equal means no change of clocks
    // can touch the day (no zone changes twice in two days), so one offset serves.
    const before = this.offsetAt(midnight - DAY_MS);
    const after = this.offsetAt(midnight + 2 * DAY_MS);
    const out: number[] = [];
    for (const h of hours) {
      for (const m of minutes) {
        const wall = midnight + h * HOUR_MS + m * 60_000;
        if (before === after) {
          out.push(wall - before);
          continue;
        }
        // The first occurrence of a repeated time; none for a skipped one.
        const valid = [wall - before, wall - after].filter((utc) => utc + this.offsetAt(utc) === wall);
        if (valid.length > 0) out.push(Math.min(...valid));
      }
    }
    return out.sort((a, b) => a - b);
  }

  /** Local time minus UTC at `utc`, in ms. */
  private offsetAt(utc: number): number {
    const parts = Object.fromEntries(this.format.formatToParts(new Date(utc)).map((p) => [p.type, Number(p.value)]));
    const local = Date.UTC(
      parts['year']!,
      parts['month']! - 1,
      parts['day']!,
      parts['hour']!,
      parts['minute']!,
      parts['second']!,
    );
    return local - Math.floor(utc / 1000) * 1000;
  }
}
