import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { atConstructPath } from './construct-validation.js';
import { type AlarmOptions, alarmDescription, validateRunbookUrl, createCountAlarm, notify } from './alarm-options.js';
import type { ILeaseTable } from './lease-table.js';

/**
 * Thresholds and actions of a lease table's alarms.
 */
export interface LeaseTableAlarmsOptions {
  /**
   * Alarm when throttled requests (summed over Baton's operations) exceed
   * `threshold` in a period.
   *
   * @default - threshold 0, period 5 minutes, 1 evaluation period
   */
  readonly throttledRequests?: AlarmOptions;

  /**
   * Alarm when DynamoDB system errors (HTTP 500, summed over Baton's
   * operations) exceed `threshold` in a period.
   *
   * @default - threshold 0, period 5 minutes, 1 evaluation period
   */
  readonly systemErrors?: AlarmOptions;

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

/**
 * Properties of `LeaseTableAlarms`.
 */
export interface LeaseTableAlarmsProps extends LeaseTableAlarmsOptions {
  /** The table to watch. */
  readonly table: ILeaseTable;
}

/**
 * Alarms on a lease table: throttled requests and system errors. Prefer
 * `LeaseTable.addAlarms()`, which creates them once per table.
 */
export class LeaseTableAlarms extends Construct {
  readonly throttledRequests: cloudwatch.Alarm;
  readonly systemErrors: cloudwatch.Alarm;
  private readonly topics = new Set<sns.ITopic>();

  constructor(scope: Construct, id: string, props: LeaseTableAlarmsProps) {
    super(scope, id);
    try {
      const runbookUrl = validateRunbookUrl('runbookUrl', props.runbookUrl);
      const table = props.table;
      const everyFiveMinutes = { threshold: 0, period: Duration.minutes(5), evaluationPeriods: 1 };

      // The topic is added below, through notify(), which remembers it.
      this.throttledRequests = createCountAlarm(this, 'ThrottledRequests', {
        field: 'alarms.tableThrottledRequests',
        defaults: everyFiveMinutes,
        overrides: props.throttledRequests,
        metric: (period) => table.metricThrottledRequestsForOperations({ period }),
        description: alarmDescription({
          what:
            `DynamoDB throttled requests to lease table ${table.tableName}. Contenders then acquire late ` +
            `or not at all, and leaders may fail to renew in time.`,
          todo:
            "Check the table's ThrottledRequests by operation and the account's table-level and on-demand " +
            'maximum throughput; look for a hot partition (one lease written far more than once per tick).',
          runbookUrl,
          anchor: 'table-throttled-requests',
        }),
        topic: undefined,
      });

      this.systemErrors = createCountAlarm(this, 'SystemErrors', {
        field: 'alarms.tableSystemErrors',
        defaults: everyFiveMinutes,
        overrides: props.systemErrors,
        metric: (period) => table.metricSystemErrorsForOperations({ period }),
        description: alarmDescription({
          what:
            `DynamoDB answered requests to lease table ${table.tableName} with HTTP 500 (an AWS-side fault). ` +
            `The SDK retries them; an attempt whose fate stays unknown is resolved with one consistent ` +
            `read.`,
          todo:
            'Check the AWS Health Dashboard for DynamoDB in this region. If errors persist, expect missed ' +
            'ticks (the NoLeaderRun alarm) until DynamoDB recovers; nothing needs releasing by hand.',
          runbookUrl,
          anchor: 'table-system-errors',
        }),
        topic: undefined,
      });

      this.notify(props.alarmTopic);
    } catch (error) {
      throw atConstructPath(this, error);
    }
  }

  /** Every alarm of the table. */
  get alarms(): readonly cloudwatch.Alarm[] {
    return [this.throttledRequests, this.systemErrors];
  }

  /** Adds `topic` to every alarm's alarm and OK actions, once. */
  notify(topic: sns.ITopic | undefined): void {
    if (!topic || this.topics.has(topic)) return;
    this.topics.add(topic);
    for (const alarm of this.alarms) notify(alarm, topic);
  }
}
