import { Annotations, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { atConstructPath } from './construct-validation.js';
import { LeaseValidationError } from '../runtime/errors.js';
import {
  type AlarmOptions,
  alarmDescription,
  createAlarm,
  createCountAlarm,
  maxEvaluationWindowSeconds,
  type ResolvedAlarmOptions,
  resolveAlarmOptions,
  validateRunbookUrl,
} from './alarm-options.js';
import type { CronSingleton } from './cron-singleton.js';

/**
 * Overrides for the no-leader-run alarm, which can also be turned off alone.
 */
export interface NoLeaderRunAlarmOptions extends AlarmOptions {
  /**
   * Whether to create the alarm. Turn it off for a schedule whose ticks lie
   * further apart than CloudWatch can watch (7 days); the job's failures are
   * still caught by `JobFailed`, `LambdaErrors` and the dead-letter queue.
   *
   * @default true
   */
  readonly enabled?: boolean;
}

/**
 * Thresholds and evaluation periods of a `CronSingleton`'s alarms. Every
 * alarm compares with `>` except `noLeaderRun`, which compares with `<`.
 */
export interface CronSingletonAlarmOptions {
  /**
   * Alarm when fewer than `threshold` ticks ran (Sum of `LeaderRun`) in each
   * of `evaluationPeriods` consecutive periods. Missing data is breaching: a
   * singleton that stopped running emits nothing at all.
   *
   * The evaluated window must cover the longest gap between two ticks. For a
   * `rate()` schedule the period defaults to the rate (at least 5 minutes)
   * and shorter periods are refused. For a `cron()` schedule the window is
   * derived from the expression in its time zone: the longest gap between two
   * fires (a day a change of clocks skips or lengthens included), plus the
   * function's timeout, plus 5 minutes. Periods are 5 minutes while that
   * fits in a day and 1 hour beyond; a gap CloudWatch cannot watch (over 7
   * days, as a weekly or monthly cron has) is refused unless `enabled` is false.
   *
   * @default - threshold 1; rate(): period max(rate, 5 minutes), 3 evaluation periods (fewer if CloudWatch's evaluation window requires); cron(): the derived window above
   */
  readonly noLeaderRun?: NoLeaderRunAlarmOptions;

  /**
   * Alarm when the dead-letter queue holds more than `threshold` messages
   * (Maximum of `ApproximateNumberOfMessagesVisible`): ticks that Scheduler
   * could not deliver or that failed every invocation attempt.
   *
   * @default - threshold 0, period 5 minutes, 1 evaluation period
   */
  readonly deadLetters?: AlarmOptions;

  /**
   * Alarm when `JobFailed` exceeds `threshold`.
   *
   * @default - threshold 0, period 5 minutes, 1 evaluation period
   */
  readonly jobFailed?: AlarmOptions;

  /**
   * Alarm when `StaleWriteRejected` exceeds `threshold`: fencing refused a
   * write from a leader that had already been superseded.
   *
   * @default - threshold 0, period 5 minutes, 1 evaluation period
   */
  readonly staleWriteRejected?: AlarmOptions;

  /**
   * Alarm when `LeaseTakeover` exceeds `threshold`: leaders keep ending
   * without releasing (crashes, timeouts).
   *
   * @default - threshold 1, period 1 hour, 1 evaluation period
   */
  readonly leaseTakeover?: AlarmOptions;

  /**
   * Alarm when the function's `Errors` exceed `threshold`.
   *
   * @default - threshold 0, period 5 minutes, 1 evaluation period
   */
  readonly lambdaErrors?: AlarmOptions;

  /**
   * Alarm when the function's `Throttles` exceed `threshold`.
   *
   * @default - threshold 0, period 5 minutes, 1 evaluation period
   */
  readonly lambdaThrottles?: AlarmOptions;

  /**
   * Alarm when the function's p99 `Duration` exceeds `threshold` **percent of
   * the timeout**.
   *
   * @default - threshold 80 (%), period 5 minutes, 1 evaluation period
   */
  readonly lambdaDuration?: AlarmOptions;

  /**
   * The table's throttled-requests alarm; see `LeaseTableAlarmsOptions`. Used
   * only by the first singleton that creates the table's alarms.
   *
   * @default - threshold 0, period 5 minutes, 1 evaluation period
   */
  readonly tableThrottledRequests?: AlarmOptions;

  /**
   * The table's system-errors alarm; see `LeaseTableAlarmsOptions`. Used only
   * by the first singleton that creates the table's alarms.
   *
   * @default - threshold 0, period 5 minutes, 1 evaluation period
   */
  readonly tableSystemErrors?: AlarmOptions;
}

/**
 * Properties of `CronSingletonAlarms`.
 */
export interface CronSingletonAlarmsProps extends CronSingletonAlarmOptions {
  /** The singleton to watch. */
  readonly singleton: CronSingleton;

  /**
   * Topic notified when an alarm fires and when it recovers.
   *
   * @default - no notification
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Where alarm descriptions send operators: an absolute `https://` URL.
   *
   * @default DEFAULT_RUNBOOK_URL, baton-lease's docs/operations.md
   */
  readonly runbookUrl?: string;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * The alarms of one `CronSingleton`: its lease (no leader run, job failures,
 * stale writes, takeovers) and its function (errors, throttles, duration near
 * the timeout). The table's alarms live on the `LeaseTable`.
 */
export class CronSingletonAlarms extends Construct {
  /** Absent when `noLeaderRun.enabled` is false. */
  readonly noLeaderRun: cloudwatch.Alarm | undefined;
  /** Absent when the singleton has no dead-letter queue. */
  readonly deadLetters: cloudwatch.Alarm | undefined;
  readonly jobFailed: cloudwatch.Alarm;
  readonly staleWriteRejected: cloudwatch.Alarm;
  readonly leaseTakeover: cloudwatch.Alarm;
  readonly lambdaErrors: cloudwatch.Alarm;
  readonly lambdaThrottles: cloudwatch.Alarm;
  readonly lambdaDuration: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: CronSingletonAlarmsProps) {
    super(scope, id);
    try {
      const s = props.singleton;
      const lease = s.leaseName;
      const fn = s.lambdaFunction;
      const topic = props.alarmTopic;
      const runbookUrl = validateRunbookUrl('runbookUrl', props.runbookUrl);
      const describe = (anchor: string, what: string, todo: string) =>
        alarmDescription({ what, todo, runbookUrl, anchor });
      const everyFiveMinutes = { threshold: 0, period: FIVE_MINUTES, evaluationPeriods: 1 };

      const noRun = noLeaderRunOptions(s, props.noLeaderRun);
      this.noLeaderRun =
        noRun &&
        createAlarm(this, 'NoLeaderRun', s.metricLeaderRun({ period: noRun.period }), noRun, {
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          // A singleton that stopped running emits nothing at all.
          treatMissingData: cloudwatch.TreatMissingData.BREACHING,
          alarmDescription: describe(
            'no-leader-run',
            `No leader ran the job of lease ${lease} for ${noRun.evaluationPeriods} period(s) of ${noRun.period.toHumanString()}: ` +
              `ticks are being missed.`,
            'Check that the schedules are enabled and the function is invoked (Invocations, Errors, Throttles, ' +
              'the dead-letter queue); inspect the lease item for a holder whose expiresAt lies far ahead ' +
              'and, if it is stuck, force-release it.',
          ),
          topic,
        });

      const queue = s.deadLetterQueue;
      this.deadLetters =
        queue &&
        createCountAlarm(this, 'DeadLetters', {
          field: 'alarms.deadLetters',
          defaults: everyFiveMinutes,
          overrides: props.deadLetters,
          metric: (period) =>
            queue.metricApproximateNumberOfMessagesVisible({ period, statistic: cloudwatch.Stats.MAXIMUM }),
          description: describe(
            'dead-letters',
            `Ticks of lease ${lease} landed in the dead-letter queue: EventBridge Scheduler could not deliver ` +
              `them, or the function failed them after its retries. Those ticks did not run.`,
            'Read the messages (their attributes and, for failed invocations, the error); fix the cause ' +
              '(permissions, throttling, the job), then run the job by hand if a missed tick matters, and ' +
              'purge the queue.',
          ),
          topic,
        });

      this.jobFailed = createCountAlarm(this, 'JobFailed', {
        field: 'alarms.jobFailed',
        defaults: everyFiveMinutes,
        overrides: props.jobFailed,
        metric: (period) => s.metricJobFailed({ period }),
        description: describe(
          'job-failed',
          `The job of lease ${lease} threw. The leader released the lease without marking the tick done, ` +
            `so Lambda's async retry may run the tick again.`,
          "Read the function's logs for the error (filter on level ERROR and the lease name); fix the " +
            'job or its dependency. Nothing needs releasing.',
        ),
        topic,
      });

      this.staleWriteRejected = createCountAlarm(this, 'StaleWriteRejected', {
        field: 'alarms.staleWriteRejected',
        defaults: everyFiveMinutes,
        overrides: props.staleWriteRejected,
        metric: (period) => s.metricStaleWriteRejected({ period }),
        description: describe(
          'stale-write-rejected',
          `A former leader of lease ${lease} tried to write after a successor took over, and fencing ` +
            `refused it. Safety held; a leader was paused or outlived its lease.`,
          "Look for long pauses or jobs running past their lease: compare the job's duration with the " +
            'timeout, check for LeaseLost and LeaseTakeover at the same time, and make the job stop when ' +
            'lease.signal aborts.',
        ),
        topic,
      });

      this.leaseTakeover = createCountAlarm(this, 'LeaseTakeover', {
        field: 'alarms.leaseTakeover',
        defaults: { threshold: 1, period: Duration.hours(1), evaluationPeriods: 1 },
        overrides: props.leaseTakeover,
        metric: (period) => s.metricLeaseTakeover({ period }),
        description: (o) =>
          describe(
            'lease-takeover',
            `Lease ${lease} was taken over from holders that never released it more than ${o.threshold} ` +
              `time(s) in ${o.period.toHumanString()}: leaders are crashing or timing out mid-job.`,
            "Check the function's Errors and Duration near the timeout and its logs for Task timed out " +
              'or out-of-memory; raise the timeout or memory, or shorten the job.',
          ),
        topic,
      });

      this.lambdaErrors = createCountAlarm(this, 'LambdaErrors', {
        field: 'alarms.lambdaErrors',
        defaults: everyFiveMinutes,
        overrides: props.lambdaErrors,
        metric: (period) => fn.metricErrors({ period, statistic: cloudwatch.Stats.SUM }),
        description: describe(
          'lambda-errors',
          `Invocations of the cron singleton for lease ${lease} failed: the job threw, the function timed ` +
            `out or ran out of memory, or it could not reach DynamoDB.`,
          "Read the function's logs for the failed request ids; if JobFailed fired too it is the job, " +
            'otherwise look for timeouts, init errors and AccessDenied on the lease table.',
        ),
        topic,
      });

      this.lambdaThrottles = createCountAlarm(this, 'LambdaThrottles', {
        field: 'alarms.lambdaThrottles',
        defaults: everyFiveMinutes,
        overrides: props.lambdaThrottles,
        metric: (period) => fn.metricThrottles({ period, statistic: cloudwatch.Stats.SUM }),
        description: describe(
          'lambda-throttles',
          `Lambda throttled invocations of the cron singleton for lease ${lease}: the account or function ` +
            `is out of concurrency, so contenders start late or not at all.`,
          "Check the account's ConcurrentExecutions against its quota and any reserved concurrency on " +
            'other functions; each tick needs one concurrent execution per contender.',
        ),
        topic,
      });

      // The threshold option is a percent of the timeout; the alarm's is milliseconds.
      const duration = resolveAlarmOptions(
        'alarms.lambdaDuration',
        { ...everyFiveMinutes, threshold: 80 },
        props.lambdaDuration,
      );
      if (duration.threshold <= 0 || duration.threshold > 100) {
        throw new LeaseValidationError(
          'alarms.lambdaDuration.threshold',
          `is a percent of the timeout, from 0 (exclusive) to 100, got ${duration.threshold}`,
        );
      }
      const durationMs = Math.round((s.timeout.toMilliseconds() * duration.threshold) / 100);
      this.lambdaDuration = createAlarm(
        this,
        'LambdaDuration',
        fn.metricDuration({ period: duration.period, statistic: cloudwatch.Stats.p(99) }),
        { ...duration, threshold: durationMs },
        {
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          alarmDescription: describe(
            'lambda-duration',
            `The p99 duration of the cron singleton for lease ${lease} exceeded ${duration.threshold}% ` +
              `of its ${s.timeout.toHumanString()} timeout (${durationMs} ms): the job is about to be cut ` +
              `off, and a leader cut off mid-job leaves the lease to expire instead of being released.`,
            'Find out why the job got slower (logs, downstream latency); raise the timeout or make the ' +
              'job do less per tick.',
          ),
          topic,
        },
      );
    } catch (error) {
      throw atConstructPath(this, error);
    }
  }

  /** Every alarm of the singleton (not the table's). */
  get alarms(): readonly cloudwatch.Alarm[] {
    return [
      this.noLeaderRun,
      this.deadLetters,
      this.jobFailed,
      this.staleWriteRejected,
      this.leaseTakeover,
      this.lambdaErrors,
      this.lambdaThrottles,
      this.lambdaDuration,
    ].filter((alarm): alarm is cloudwatch.Alarm => alarm !== undefined);
  }
}

/** What a healthy cron tick may add to the gap: late delivery, a cold start, CloudWatch's ingestion. */
const NO_LEADER_RUN_MARGIN = Duration.minutes(5);
const ONE_DAY_MS = 86_400_000;

/**
 * The no-leader-run alarm's options: the caller's overrides on defaults that
 * fit the schedule, or `undefined` when the alarm is turned off.
 */
function noLeaderRunOptions(
  s: CronSingleton,
  overrides: NoLeaderRunAlarmOptions | undefined,
): ResolvedAlarmOptions | undefined {
  const field = 'alarms.noLeaderRun';
  if (overrides?.enabled === false) return undefined;
  const interval = s.scheduleInterval;
  const gapMs = interval ? undefined : s.longestTickGapMs;
  if (!interval && gapMs === undefined && overrides?.period === undefined) {
    Annotations.of(s).addWarningV2(
      'baton-lease:CronSingleton.noLeaderRunWindowUnknown',
      'The schedule is a token, so the NoLeaderRun alarm cannot fit its window to the gaps between ' +
        'ticks and watches 3 periods of 5 minutes: set alarms.noLeaderRun.period and evaluationPeriods ' +
        'to cover the longest gap.',
    );
  }
  if (gapMs === undefined || gapMs <= FIVE_MINUTES.toMilliseconds()) {
    const options = resolveAlarmOptions(field, rateDefaults(interval), overrides);
    if (interval && options.period.toSeconds() < interval.toSeconds()) {
      throw new LeaseValidationError(
        `${field}.period`,
        `must be at least the schedule's interval (${interval.toHumanString()}), or periods without ` +
          `a tick would alarm; got ${options.period.toHumanString()}`,
      );
    }
    return options;
  }
  const windowMs = gapMs + s.timeout.toMilliseconds() + NO_LEADER_RUN_MARGIN.toMilliseconds();
  const period = windowMs <= ONE_DAY_MS ? FIVE_MINUTES : Duration.hours(1);
  const defaults = { threshold: 1, period, evaluationPeriods: Math.ceil(windowMs / period.toMilliseconds()) };
  const defaultWindowSeconds = period.toSeconds() * defaults.evaluationPeriods;
  if (
    overrides?.period === undefined &&
    overrides?.evaluationPeriods === undefined &&
    defaultWindowSeconds > maxEvaluationWindowSeconds(period)
  ) {
    throw new LeaseValidationError(
      `${field}.enabled`,
      `must be false for this schedule: its ticks can lie ${gap(gapMs)} apart, so the alarm would ` +
        `have to watch ${gap(windowMs)} (that gap, the ${s.timeout.toHumanString()} timeout and a margin ` +
        `of ${NO_LEADER_RUN_MARGIN.toHumanString()}), and CloudWatch evaluates at most 7 days. Schedule ` +
        `the job more often, or set alarms.noLeaderRun.enabled to false and rely on JobFailed, LambdaErrors ` +
        `and the dead-letter queue's alarm`,
    );
  }
  const options = resolveAlarmOptions(field, defaults, overrides);
  // Healthy ticks leave at least floor(window / gap) periods with a run; the
  // rest breach, and they must stay fewer than datapointsToAlarm.
  const watchedMs = options.period.toMilliseconds() * options.evaluationPeriods;
  if (options.evaluationPeriods - Math.floor(watchedMs / gapMs) >= options.datapointsToAlarm) {
    throw new LeaseValidationError(
      `${field}.period`,
      `× evaluationPeriods must cover the longest gap between the schedule's ticks (${gap(gapMs)}), ` +
        `or healthy gaps would alarm; got ${options.evaluationPeriods} × ${options.period.toHumanString()} ` +
        `with datapointsToAlarm ${options.datapointsToAlarm}`,
    );
  }
  return options;
}

function gap(ms: number): string {
  return Number.isFinite(ms) ? Duration.minutes(Math.ceil(ms / 60_000)).toHumanString() : 'more than a year';
}

/**
 * A period that always holds a tick when the singleton is healthy: the rate,
 * but never less than 5 minutes (one late tick is not an outage); three of
 * them, or as many as CloudWatch's evaluation window allows.
 */
function rateDefaults(interval: Duration | undefined): {
  threshold: number;
  period: Duration;
  evaluationPeriods: number;
} {
  const period = interval && interval.toSeconds() > FIVE_MINUTES.toSeconds() ? interval : FIVE_MINUTES;
  const evaluationPeriods = Math.max(
    1,
    Math.min(3, Math.floor(maxEvaluationWindowSeconds(period) / period.toSeconds())),
  );
  return { threshold: 1, period, evaluationPeriods };
}
