import { Duration, Token } from 'aws-cdk-lib';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { LeaseValidationError } from '../runtime/errors.js';

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;

/**
 * The interval between two ticks of a `rate(...)` schedule, or `undefined` for
 * a cron expression, whose gaps vary. A one-time `at(...)` schedule is refused:
 * a singleton that runs once has no "missed tick" to alarm on.
 */
export function scheduleInterval(field: string, schedule: scheduler.ScheduleExpression): Duration | undefined {
  const expression = schedule.expressionString;
  if (Token.isUnresolved(expression)) return undefined;
  if (expression.startsWith('at('))
    throw new LeaseValidationError(field, `must be a recurring rate() or cron() expression, got ${expression}`);
  const match = RATE.exec(expression);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = match[2]!;
  if (unit.startsWith('minute')) return Duration.minutes(amount);
  if (unit.startsWith('hour')) return Duration.hours(amount);
  return Duration.days(amount);
}
