import { Duration } from 'aws-cdk-lib';
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
  resolveAlarmOptions,
  validateRunbookUrl,
} from './alarm-options.js';
import type { CronSingleton } from './cron-singleton.js';

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
   * The period must cover at least one tick. For a `rate()` schedule it
   * defaults to the rate (at least 5 minutes) and shorter periods are refused;
   * for a `cron()` schedule whose ticks are more than 5 minutes apart, set it.
   *
   * @default - threshold 1, period max(rate, 5 minutes), 3 evaluation periods (fewer if CloudWatch's evaluation window requires)
   */
  readonly noLeaderRun?: AlarmOptions;

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
  readonly noLeaderRun: cloudwatch.Alarm;
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
      const describe = (anchor: string, what: string, todo: string) => alarmDescription({ what, todo, runbookUrl, anchor });
      const everyFiveMinutes = { threshold: 0, period: FIVE_MINUTES, evaluationPeriods: 1 };

      const noRun = resolveAlarmOptions('alarms.noLeaderRun', noLeaderRunDefaults(s.scheduleInterval), props.noLeaderRun);
      if (s.scheduleInterval && noRun.period.toSeconds() < s.scheduleInterval.toSeconds()) {
        throw new LeaseValidationError(
          'alarms.noLeaderRun.period',
          `must be at least the schedule's interval (${s.scheduleInterval.toHumanString()}), or periods without a tick would alarm; got ${noRun.period.toHumanString()}`,
        );
      }
      this.noLeaderRun = createAlarm(this, 'NoLeaderRun', s.metricLeaderRun({ period: noRun.period }), noRun, {
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        // A singleton that stopped running emits nothing at all.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        alarmDescription: describe(
          'no-leader-run',
          `No leader ran the job of lease ${lease} for ${noRun.evaluationPeriods} period(s) of ${noRun.period.toHumanString()}: ticks are being missed.`,
          'Check that the schedules are enabled and the function is invoked (Invocations, Errors, Throttles); inspect the lease item for a holder whose expiresAt lies far ahead and, if it is stuck, force-release it.',
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
          `The job of lease ${lease} threw. The leader released the lease without marking the tick done, so Lambda's async retry may run the tick again.`,
          "Read the function's logs for the error (filter on level ERROR and the lease name); fix the job or its dependency. Nothing needs releasing.",
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
          `A former leader of lease ${lease} tried to write after a successor took over, and fencing refused it. Safety held; a leader was paused or outlived its lease.`,
          "Look for long pauses or jobs running past their lease: compare the job's duration with the timeout, check for LeaseLost and LeaseTakeover at the same time, and make the job stop when lease.signal aborts.",
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
            `Lease ${lease} was taken over from holders that never released it more than ${o.threshold} time(s) in ${o.period.toHumanString()}: leaders are crashing or timing out mid-job.`,
            "Check the function's Errors and Duration near the timeout and its logs for Task timed out or out-of-memory; raise the timeout or memory, or shorten the job.",
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
          `Invocations of the cron singleton for lease ${lease} failed: the job threw, the function timed out or ran out of memory, or it could not reach DynamoDB.`,
          "Read the function's logs for the failed request ids; if JobFailed fired too it is the job, otherwise look for timeouts, init errors and AccessDenied on the lease table.",
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
          `Lambda throttled invocations of the cron singleton for lease ${lease}: the account or function is out of concurrency, so contenders start late or not at all.`,
          "Check the account's ConcurrentExecutions against its quota and any reserved concurrency on other functions; each tick needs one concurrent execution per contender.",
        ),
        topic,
      });

      // The threshold option is a percent of the timeout; the alarm's is milliseconds.
      const duration = resolveAlarmOptions('alarms.lambdaDuration', { ...everyFiveMinutes, threshold: 80 }, props.lambdaDuration);
      if (duration.threshold <= 0 || duration.threshold > 100) {
        throw new LeaseValidationError('alarms.lambdaDuration.threshold', `is a percent of the timeout, from 0 (exclusive) to 100, got ${duration.threshold}`);
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
            `The p99 duration of the cron singleton for lease ${lease} exceeded ${duration.threshold}% of its ${s.timeout.toHumanString()} timeout (${durationMs} ms): the job is about to be cut off, and a leader cut off mid-job leaves the lease to expire instead of being released.`,
            'Find out why the job got slower (logs, downstream latency); raise the timeout or make the job do less per tick.',
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
    return [this.noLeaderRun, this.jobFailed, this.staleWriteRejected, this.leaseTakeover, this.lambdaErrors, this.lambdaThrottles, this.lambdaDuration];
  }
}

/**
 * A period that always holds a tick when the singleton is healthy: the rate,
 * but never less than 5 minutes (one late tick is not an outage); three of
 * them, or as many as CloudWatch's evaluation window allows.
 */
function noLeaderRunDefaults(interval: Duration | undefined): { threshold: number; period: Duration; evaluationPeriods: number } {
  const period = interval && interval.toSeconds() > FIVE_MINUTES.toSeconds() ? interval : FIVE_MINUTES;
  const evaluationPeriods = Math.max(1, Math.min(3, Math.floor(maxEvaluationWindowSeconds(period) / period.toSeconds())));
  return { threshold: 1, period, evaluationPeriods };
}
