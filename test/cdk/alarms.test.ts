import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import type { CronSingletonProps } from '../../lib/cdk/cron-singleton.js';
import { alarms, type CfnResource, testSingleton, text } from './cdk-test-app.js';

interface Expected {
  readonly alarm: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, unknown>;
  readonly statistic: string;
  readonly period: number;
  readonly comparison: string;
  readonly threshold: number;
  readonly evaluationPeriods: number;
  readonly missing: string;
  readonly anchor: string;
}

function setup(props: Partial<CronSingletonProps> = {}) {
  const { stack, singleton } = testSingleton({ timeout: Duration.seconds(30), ...props });
  const template = Template.fromStack(stack);
  const byId = alarms(template);
  const alarm = (construct: { node: { defaultChild?: unknown } }): CfnResource => byId[stack.getLogicalId(construct.node.defaultChild as never)]!;
  const functionRef = { Ref: stack.getLogicalId(singleton.lambdaFunction.node.defaultChild as never) };
  return { stack, singleton, template, alarm, functionRef };
}

describe('CronSingleton alarms', () => {
  const { singleton, alarm, functionRef, template } = setup();
  const a = singleton.alarms!;
  const baton = { service: 'baton', LeaseName: 'reports/nightly' };
  const lambdaDims = { FunctionName: functionRef };
  const expected: [CfnResource, Expected][] = [
    [alarm(a.noLeaderRun), { alarm: 'NoLeaderRun', namespace: 'Baton', metricName: 'LeaderRun', dimensions: baton, statistic: 'Sum', period: 300, comparison: 'LessThanThreshold', threshold: 1, evaluationPeriods: 3, missing: 'breaching', anchor: 'no-leader-run' }],
    [alarm(a.jobFailed), { alarm: 'JobFailed', namespace: 'Baton', metricName: 'JobFailed', dimensions: baton, statistic: 'Sum', period: 300, comparison: 'GreaterThanThreshold', threshold: 0, evaluationPeriods: 1, missing: 'notBreaching', anchor: 'job-failed' }],
    [alarm(a.staleWriteRejected), { alarm: 'StaleWriteRejected', namespace: 'Baton', metricName: 'StaleWriteRejected', dimensions: baton, statistic: 'Sum', period: 300, comparison: 'GreaterThanThreshold', threshold: 0, evaluationPeriods: 1, missing: 'notBreaching', anchor: 'stale-write-rejected' }],
    [alarm(a.leaseTakeover), { alarm: 'LeaseTakeover', namespace: 'Baton', metricName: 'LeaseTakeover', dimensions: baton, statistic: 'Sum', period: 3600, comparison: 'GreaterThanThreshold', threshold: 1, evaluationPeriods: 1, missing: 'notBreaching', anchor: 'lease-takeover' }],
    [alarm(a.lambdaErrors), { alarm: 'LambdaErrors', namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: lambdaDims, statistic: 'Sum', period: 300, comparison: 'GreaterThanThreshold', threshold: 0, evaluationPeriods: 1, missing: 'notBreaching', anchor: 'lambda-errors' }],
    [alarm(a.lambdaThrottles), { alarm: 'LambdaThrottles', namespace: 'AWS/Lambda', metricName: 'Throttles', dimensions: lambdaDims, statistic: 'Sum', period: 300, comparison: 'GreaterThanThreshold', threshold: 0, evaluationPeriods: 1, missing: 'notBreaching', anchor: 'lambda-throttles' }],
    // 80% of the 30 s timeout.
    [alarm(a.lambdaDuration), { alarm: 'LambdaDuration', namespace: 'AWS/Lambda', metricName: 'Duration', dimensions: lambdaDims, statistic: 'p99', period: 300, comparison: 'GreaterThanThreshold', threshold: 24_000, evaluationPeriods: 1, missing: 'notBreaching', anchor: 'lambda-duration' }],
  ];

  it.each(expected.map(([resource, e]) => [e.alarm, resource, e] as const))('%s: metric, statistic, threshold and missing-data treatment', (_name, resource, e) => {
    const p = resource.Properties;
    expect(p.Namespace).toBe(e.namespace);
    expect(p.MetricName).toBe(e.metricName);
    expect(Object.fromEntries((p.Dimensions as { Name: string; Value: unknown }[]).map((d) => [d.Name, d.Value]))).toEqual(e.dimensions);
    expect(e.statistic.startsWith('p') ? p.ExtendedStatistic : p.Statistic).toBe(e.statistic);
    expect(p.Period).toBe(e.period);
    expect(p.ComparisonOperator).toBe(e.comparison);
    expect(p.Threshold).toBe(e.threshold);
    expect(p.EvaluationPeriods).toBe(e.evaluationPeriods);
    expect(p.DatapointsToAlarm).toBe(e.evaluationPeriods);
    expect(p.TreatMissingData).toBe(e.missing);
  });

  it.each(expected.map(([resource, e]) => [e.alarm, resource, e] as const))('%s: its description says what to do and links the runbook', (_name, resource, e) => {
    const description = text(resource.Properties.AlarmDescription);
    expect(description).toContain('What to do: ');
    expect(description).toContain(`docs/operations.md#${e.anchor}`);
    expect(description.length).toBeLessThanOrEqual(1024);
  });

  it('adds the table alarms once, so the singleton and its table have nine alarms in all', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 9);
  });
});

describe('CronSingleton alarm options', () => {
  it('derives the no-leader-run period from a slow rate() schedule', () => {
    const { singleton, alarm } = setup({ schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)) });

    expect(alarm(singleton.alarms!.noLeaderRun).Properties).toMatchObject({ Period: 3600, EvaluationPeriods: 3 });
  });

  it('refuses a no-leader-run period shorter than the rate, naming the option', () => {
    expect(() =>
      testSingleton({ schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)), alarms: { noLeaderRun: { period: Duration.minutes(5) } } }),
    ).toThrow(/alarms\.noLeaderRun\.period/);
  });

  it('takes thresholds, periods and evaluation periods per alarm', () => {
    const { singleton, alarm } = setup({
      alarms: {
        leaseTakeover: { threshold: 5, period: Duration.hours(6), evaluationPeriods: 2, datapointsToAlarm: 1 },
        lambdaDuration: { threshold: 50 },
      },
    });

    expect(alarm(singleton.alarms!.leaseTakeover).Properties).toMatchObject({ Threshold: 5, Period: 21_600, EvaluationPeriods: 2, DatapointsToAlarm: 1 });
    expect(alarm(singleton.alarms!.lambdaDuration).Properties).toMatchObject({ Threshold: 15_000 });
  });

  it('refuses a duration threshold that is not a percent of the timeout', () => {
    expect(() => testSingleton({ alarms: { lambdaDuration: { threshold: 150 } } })).toThrow(/alarms\.lambdaDuration\.threshold/);
  });

  it('refuses an evaluation window CloudWatch would refuse', () => {
    expect(() => testSingleton({ alarms: { jobFailed: { period: Duration.minutes(30), evaluationPeriods: 49 } } })).toThrow(/alarms\.jobFailed\.evaluationPeriods/);
  });

  it("notifies the topic on alarm and on recovery, for every alarm including the table's", () => {
    let topic: sns.Topic | undefined;
    const { stack } = testSingleton((s) => ({ alarmTopic: (topic = new sns.Topic(s, 'Pager')) }));

    const topicRef = { Ref: stack.getLogicalId(topic!.node.defaultChild as never) };
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 9);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [topicRef], OKActions: [topicRef] });
  });

  it('creates no alarm when createAlarms is false', () => {
    const { template } = setup({ createAlarms: false });

    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });
});
