import { Annotations, type Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct, IConstruct } from 'constructs';
import { LeaseValidationError } from '../runtime/errors.js';

/**
 * Overrides for one alarm. Each alarm documents its own defaults.
 */
export interface AlarmOptions {
  /**
   * The threshold the statistic is compared with. Each alarm says which way.
   *
   * @default - per alarm
   */
  readonly threshold?: number;

  /**
   * The period over which the metric is aggregated.
   *
   * @default - per alarm
   */
  readonly period?: Duration;

  /**
   * How many consecutive periods are evaluated.
   *
   * @default - per alarm
   */
  readonly evaluationPeriods?: number;

  /**
   * How many of the evaluated periods must breach to alarm.
   *
   * @default - `evaluationPeriods` (every evaluated period must breach)
   */
  readonly datapointsToAlarm?: number;
}

/** Where baton-lease's sources and docs live (package.json's `repository`). */
export const REPOSITORY_URL = 'https://github.com/baton-lease/baton';

/**
 * Where alarm descriptions point operators by default: the operations guide
 * of baton-lease, as an absolute URL, since an alarm email has no repository
 * to resolve a relative link against. Set your own runbook if you keep one.
 */
export const DEFAULT_RUNBOOK_URL = `${REPOSITORY_URL}/blob/main/docs/operations.md`;

/** `url` if it is an absolute https URL without a fragment (each alarm adds its own), else a validation error. */
export function validateRunbookUrl(field: string, url: string | undefined): string {
  if (url === undefined) return DEFAULT_RUNBOOK_URL;
  if (Token.isUnresolved(url)) return url;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed?.protocol !== 'https:' || parsed.hash !== '') {
    throw new LeaseValidationError(
      field,
      `must be an absolute https:// URL without a #fragment (alarm emails cannot resolve relative ` +
        `links), got ${JSON.stringify(url)}`,
    );
  }
  return url;
}

/**
 * The text operators read when an alarm fires: what happened, what to do, and
 * where the runbook section is. CloudWatch caps descriptions at 1024 characters.
 */
export function alarmDescription(parts: {
  readonly what: string;
  readonly todo: string;
  readonly runbookUrl: string;
  readonly anchor: string;
}): string {
  const text = `${parts.what} What to do: ${parts.todo} Runbook: ${parts.runbookUrl}#${parts.anchor}`;
  if (text.length > 1024)
    throw new LeaseValidationError(
      'alarmDescription',
      `for #${parts.anchor} is ${text.length} characters; CloudWatch allows 1024`,
    );
  return text;
}

/** Resolved options for one alarm: the per-alarm defaults with the caller's overrides on top. */
export interface ResolvedAlarmOptions {
  readonly threshold: number;
  readonly period: Duration;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
}

export function resolveAlarmOptions(
  field: string,
  defaults: { readonly threshold: number; readonly period: Duration; readonly evaluationPeriods: number },
  overrides: AlarmOptions | undefined,
): ResolvedAlarmOptions {
  const threshold = overrides?.threshold ?? defaults.threshold;
  const period = overrides?.period ?? defaults.period;
  const evaluationPeriods = overrides?.evaluationPeriods ?? defaults.evaluationPeriods;
  const datapointsToAlarm = overrides?.datapointsToAlarm ?? evaluationPeriods;
  if (!Number.isFinite(threshold) || threshold < 0)
    throw new LeaseValidationError(`${field}.threshold`, `must be a non-negative number, got ${threshold}`);
  if (!Number.isInteger(evaluationPeriods) || evaluationPeriods < 1) {
    throw new LeaseValidationError(
      `${field}.evaluationPeriods`,
      `must be a positive integer, got ${evaluationPeriods}`,
    );
  }
  if (!Number.isInteger(datapointsToAlarm) || datapointsToAlarm < 1 || datapointsToAlarm > evaluationPeriods) {
    throw new LeaseValidationError(
      `${field}.datapointsToAlarm`,
      `must be an integer from 1 to evaluationPeriods (${evaluationPeriods}), got ${datapointsToAlarm}`,
    );
  }
  const windowSeconds = period.toSeconds() * evaluationPeriods;
  const maxWindowSeconds = maxEvaluationWindowSeconds(period);
  if (windowSeconds > maxWindowSeconds) {
    throw new LeaseValidationError(
      `${field}.evaluationPeriods`,
      `× period must be at most ${maxWindowSeconds} seconds (a CloudWatch limit), got ${windowSeconds}`,
    );
  }
  return { threshold, period, evaluationPeriods, datapointsToAlarm };
}

/**
 * CloudWatch evaluates at most one day of data for alarms whose period is
 * under an hour, and seven days otherwise (PutMetricAlarm).
 */
export function maxEvaluationWindowSeconds(period: Duration): number {
  return period.toSeconds() < 3_600 ? 86_400 : 604_800;
}

/**
 * A synth warning (`baton-lease:<construct>.noAlarmTopic`) when alarms have no
 * topic: they would change state in the console and tell nobody.
 */
export function warnWithoutAlarmTopic(
  scope: IConstruct,
  topic: sns.ITopic | undefined,
  construct: string,
  whose: string,
  when: string,
): void {
  if (topic) return;
  Annotations.of(scope).addWarningV2(
    `baton-lease:${construct}.noAlarmTopic`,
    `${whose} notify nobody: pass alarmTopic (an SNS topic) to be told when ${when}.`,
  );
}

/** Notify `topic` when the alarm fires and when it recovers. */
export function notify(alarm: cloudwatch.Alarm, topic: sns.ITopic | undefined): void {
  if (!topic) return;
  const action = new actions.SnsAction(topic);
  alarm.addAlarmAction(action);
  alarm.addOkAction(action);
}

/** How an alarm compares, treats missing data, explains itself and notifies. */
export interface AlarmBehaviour {
  readonly comparisonOperator: cloudwatch.ComparisonOperator;
  readonly treatMissingData: cloudwatch.TreatMissingData;
  readonly alarmDescription: string;
  readonly topic: sns.ITopic | undefined;
}

/** `metric.createAlarm` with resolved options, notifying `behaviour.topic`. */
export function createAlarm(
  scope: Construct,
  id: string,
  metric: cloudwatch.Metric | cloudwatch.MathExpression,
  options: ResolvedAlarmOptions,
  behaviour: AlarmBehaviour,
): cloudwatch.Alarm {
  const alarm = metric.createAlarm(scope, id, {
    alarmDescription: behaviour.alarmDescription,
    threshold: options.threshold,
    evaluationPeriods: options.evaluationPeriods,
    datapointsToAlarm: options.datapointsToAlarm,
    comparisonOperator: behaviour.comparisonOperator,
    treatMissingData: behaviour.treatMissingData,
  });
  notify(alarm, behaviour.topic);
  return alarm;
}

/**
 * An alarm on a count of bad events: fires when the count exceeds the
 * threshold in a period; a period with no data had no such event.
 */
export function createCountAlarm(
  scope: Construct,
  id: string,
  spec: {
    /** The option's path, for error messages (`alarms.jobFailed`). */
    readonly field: string;
    readonly defaults: { readonly threshold: number; readonly period: Duration; readonly evaluationPeriods: number };
    readonly overrides: AlarmOptions | undefined;
    readonly metric: (period: Duration) => cloudwatch.Metric | cloudwatch.MathExpression;
    /** The alarm's description, or a function of the resolved options that writes it. */
    readonly description: string | ((options: ResolvedAlarmOptions) => string);
    readonly topic: sns.ITopic | undefined;
  },
): cloudwatch.Alarm {
  const options = resolveAlarmOptions(spec.field, spec.defaults, spec.overrides);
  return createAlarm(scope, id, spec.metric(options.period), options, {
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: typeof spec.description === 'string' ? spec.description : spec.description(options),
    topic: spec.topic,
  });
}
