import { Duration, Token } from 'aws-cdk-lib';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { DEFAULT_SERVICE_NAME, SingletonHandlerMargins } from '../runtime/contract.js';
import { LeaseValidationError } from '../runtime/errors.js';
import { describeValue, validateLeaseName, validateNonEmptyString, validateObject } from '../runtime/validate.js';
import { validateRunbookUrl } from './alarm-options.js';
import { longestCronGapMs } from './cron-gaps.js';
import type { CronSingletonProps } from './cron-singleton.js';
import { validateMetricsNamespace } from './lease-metrics.js';
import type { ILeaseTable } from './lease-table.js';
import { esbuildAvailable } from './package-paths.js';
import { scheduleInterval } from './schedule-interval.js';

/**
 * More contenders than this add cost (one write per contender per tick) and
 * no availability: they run in the same region, on the same schedule, and
 * share every failure that matters.
 */
const MAX_CONTENDERS = 10;

/** The shortest function timeout: the abort margin, plus room for a cold start and the acquire request. */
export const MIN_TIMEOUT = Duration.millis(SingletonHandlerMargins.abortMarginMs + 2_000);

/** `CronSingletonProps` checked, with every default the constructor needs filled in. */
export interface ResolvedCronSingletonProps {
  readonly leaseName: string;
  readonly serviceName: string;
  readonly metricsNamespace: string;
  readonly contenders: number;
  readonly timeout: Duration;
  readonly runbookUrl: string;
  readonly retryAttempts: number;
  readonly maxEventAge: Duration;
  readonly scheduleInterval: Duration | undefined;
  readonly longestTickGapMs: number | undefined;
}

/**
 * Checks every prop a `CronSingleton` takes, before it creates anything: a
 * `LeaseValidationError` naming the first bad field (the constructor adds its
 * construct path). The checks run in the order the fields are documented.
 */
export function validateCronSingletonProps(props: CronSingletonProps): ResolvedCronSingletonProps {
  validateObject('props', props);
  if (typeof (props.table as Partial<ILeaseTable> | undefined)?.grantLeaseAccess !== 'function')
    throw new LeaseValidationError('table', 'must be a LeaseTable (or one from LeaseTable.fromTableName)');
  const leaseName = Token.isUnresolved(props.leaseName)
    ? props.leaseName
    : validateLeaseName('leaseName', props.leaseName);
  const serviceName = props.serviceName ?? DEFAULT_SERVICE_NAME;
  const metricsNamespace = validateMetricsNamespace(props.metricsNamespace);
  const contenders = props.contenders ?? 1;
  if (!Number.isInteger(contenders) || contenders < 1 || contenders > MAX_CONTENDERS) {
    throw new LeaseValidationError(
      'contenders',
      `must be an integer from 1 to ${MAX_CONTENDERS}, got ${describeValue(props.contenders)}`,
    );
  }
  const timeout = props.timeout ?? Duration.minutes(1);
  if (!timeout.isUnresolved() && timeout.toMilliseconds() < MIN_TIMEOUT.toMilliseconds()) {
    throw new LeaseValidationError(
      'timeout',
      `must be at least ${MIN_TIMEOUT.toHumanString()}: the handler aborts the job ${SingletonHandlerMargins.abortMarginMs} ` +
        `ms before the timeout, and the acquire request and a cold start need the rest; got ${timeout.toHumanString()}`,
    );
  }
  for (const field of ['serviceName', 'handler', 'depsLockFilePath', 'projectRoot'] as const) {
    if (props[field] !== undefined) validateNonEmptyString(field, props[field]);
  }
  const memorySize: unknown = props.memorySize;
  if (
    memorySize !== undefined &&
    !Token.isUnresolved(memorySize) &&
    (typeof memorySize !== 'number' || !Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10_240)
  ) {
    throw new LeaseValidationError(
      'memorySize',
      `must be an integer number of MB from 128 to 10240, got ${describeValue(memorySize)}`,
    );
  }
  const environment: unknown = props.environment;
  if (
    environment !== undefined &&
    (environment === null ||
      typeof environment !== 'object' ||
      Array.isArray(environment) ||
      Object.values(environment).some((v) => typeof v !== 'string'))
  ) {
    throw new LeaseValidationError('environment', 'must be an object of strings');
  }
  if (typeof props.entry !== 'string' || props.entry === '') {
    throw new LeaseValidationError(
      'entry',
      'must name the job module (a file whose `handler` export comes from createSingletonHandler)',
    );
  }
  if (!esbuildAvailable()) {
    throw new LeaseValidationError(
      'entry',
      "cannot be bundled: CronSingleton bundles with your project's esbuild, as NodejsFunction does, " +
        'and none was found (npm install --save-dev esbuild)',
    );
  }
  const runbookUrl = validateRunbookUrl('runbookUrl', props.runbookUrl);
  const retryAttempts = props.retryAttempts ?? 2;
  if (!Number.isInteger(retryAttempts) || retryAttempts < 0 || retryAttempts > 2) {
    throw new LeaseValidationError('retryAttempts', `must be 0, 1 or 2, got ${describeValue(props.retryAttempts)}`);
  }
  const maxEventAge = props.maxEventAge ?? Duration.hours(1);
  if (maxEventAge.toSeconds() < 60 || maxEventAge.toSeconds() > 21_600) {
    throw new LeaseValidationError(
      'maxEventAge',
      `must be from 1 minute to 6 hours, got ${maxEventAge.toHumanString()}`,
    );
  }
  const interval = scheduleInterval('schedule', props.schedule);
  const longestTickGapMs = interval?.toMilliseconds() ?? cronGapMs(props.schedule);
  if (props.deadLetterQueueEnabled === false && props.deadLetterQueue !== undefined) {
    throw new LeaseValidationError('deadLetterQueue', 'cannot be given when deadLetterQueueEnabled is false');
  }
  return {
    leaseName,
    serviceName,
    metricsNamespace,
    contenders,
    timeout,
    runbookUrl,
    retryAttempts,
    maxEventAge,
    scheduleInterval: interval,
    longestTickGapMs,
  };
}

/** The longest gap between a cron schedule's fires, or `undefined` when its expression is a token. */
function cronGapMs(schedule: scheduler.ScheduleExpression): number | undefined {
  const expression = schedule.expressionString;
  const timeZone = schedule.timeZone?.timezoneName;
  if (Token.isUnresolved(expression) || (timeZone !== undefined && Token.isUnresolved(timeZone))) return undefined;
  return longestCronGapMs('schedule', expression, timeZone);
}
