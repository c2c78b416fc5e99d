import { readFileSync } from 'node:fs';
import { Duration, Lazy, type Stack, TimeZone } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import type { CronSingletonProps } from '../../lib/cdk/cron-singleton.js';
import { alarms, type CfnResource, testSingleton, text } from './cdk-test-app.js';
import { validationErrorOf as thrown } from '../support/errors.js';

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
  const alarm = (construct: { node: { defaultChild?: unknown } } | undefined): CfnResource =>
    byId[stack.getLogicalId(construct!.node.defaultChild as never)]!;
  const functionRef = { Ref: stack.getLogicalId(singleton.lambdaFunction.node.defaultChild as never) };
  return { stack, singleton, template, alarm, functionRef };
}

describe('CronSingleton alarms', () => {
  const { stack, singleton, alarm, functionRef, template } = setup();
  const a = singleton.alarms!;
  const baton = { service: 'baton', LeaseName: 'reports/nightly' };
  const lambdaDims = { FunctionName: functionRef };
  const expected: [CfnResource, Expected][] = [
    [
      alarm(a.noLeaderRun),
      {
        alarm: 'NoLeaderRun',
        namespace: 'Baton',
        metricName: 'LeaderRun',
        dimensions: baton,
        statistic: 'Sum',
        period: 300,
        comparison: 'LessThanThreshold',
        threshold: 1,
        evaluationPeriods: 3,
        missing: 'breaching',
        anchor: 'no-leader-run',
      },
    ],
    [
      alarm(a.deadLetters),
      {
        alarm: 'DeadLetters',
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: {
          QueueName: {
            'Fn::GetAtt': [stack.getLogicalId(singleton.deadLetterQueue!.node.defaultChild as never), 'QueueName'],
          },
        },
        statistic: 'Maximum',
        period: 300,
        comparison: 'GreaterThanThreshold',
        threshold: 0,
        evaluationPeriods: 1,
        missing: 'notBreaching',
        anchor: 'dead-letters',
      },
    ],
    [
      alarm(a.jobFailed),
      {
        alarm: 'JobFailed',
        namespace: 'Baton',
        metricName: 'JobFailed',
        dimensions: baton,
        statistic: 'Sum',
        period: 300,
        comparison: 'GreaterThanThreshold',
        threshold: 0,
        evaluationPeriods: 1,
        missing: 'notBreaching',
        anchor: 'job-failed',
      },
    ],
    [
      alarm(a.staleWriteRejected),
      {
        alarm: 'StaleWriteRejected',
        namespace: 'Baton',
        metricName: 'StaleWriteRejected',
        dimensions: baton,
        statistic: 'Sum',
        period: 300,
        comparison: 'GreaterThanThreshold',
        threshold: 0,
        evaluationPeriods: 1,
        missing: 'notBreaching',
        anchor: 'stale-write-rejected',
      },
    ],
    [
      alarm(a.leaseTakeover),
      {
        alarm: 'LeaseTakeover',
        namespace: 'Baton',
        metricName: 'LeaseTakeover',
        dimensions: baton,
        statistic: 'Sum',
        period: 3600,
        comparison: 'GreaterThanThreshold',
        threshold: 1,
        evaluationPeriods: 1,
        missing: 'notBreaching',
        anchor: 'lease-takeover',
      },
    ],
    [
      alarm(a.lambdaErrors),
      {
        alarm: 'LambdaErrors',
        namespace: 'AWS/Lambda',
        metricName: 'Errors',
        dimensions: lambdaDims,
        statistic: 'Sum',
        period: 300,
        comparison: 'GreaterThanThreshold',
        threshold: 0,
        evaluationPeriods: 1,
        missing: 'notBreaching',
        anchor: 'lambda-errors',
      },
    ],
    [
      alarm(a.lambdaThrottles),
      {
        alarm: 'LambdaThrottles',
        namespace: 'AWS/Lambda',
        metricName: 'Throttles',
        dimensions: lambdaDims,
        statistic: 'Sum',
        period: 300,
        comparison: 'GreaterThanThreshold',
        threshold: 0,
        evaluationPeriods: 1,
        missing: 'notBreaching',
        anchor: 'lambda-throttles',
      },
    ],
    // 80% of the 30 s timeout.
    [
      alarm(a.lambdaDuration),
      {
        alarm: 'LambdaDuration',
        namespace: 'AWS/Lambda',
        metricName: 'Duration',
        dimensions: lambdaDims,
        statistic: 'p99',
        period: 300,
        comparison: 'GreaterThanThreshold',
        threshold: 24_000,
        evaluationPeriods: 1,
        missing: 'notBreaching',
        anchor: 'lambda-duration',
      },
    ],
  ];

  it.each(expected.map(([resource, e]) => [e.alarm, resource, e] as const))(
    '%s: metric, statistic, threshold and missing-data treatment',
    (_name, resource, e) => {
      const p = resource.Properties;
      expect(p.Namespace).toBe(e.namespace);
      expect(p.MetricName).toBe(e.metricName);
      expect(
        Object.fromEntries((p.Dimensions as { Name: string; Value: unknown }[]).map((d) => [d.Name, d.Value])),
      ).toEqual(e.dimensions);
      expect(e.statistic.startsWith('p') ? p.ExtendedStatistic : p.Statistic).toBe(e.statistic);
      expect(p.Period).toBe(e.period);
      expect(p.ComparisonOperator).toBe(e.comparison);
      expect(p.Threshold).toBe(e.threshold);
      expect(p.EvaluationPeriods).toBe(e.evaluationPeriods);
      expect(p.DatapointsToAlarm).toBe(e.evaluationPeriods);
      expect(p.TreatMissingData).toBe(e.missing);
    },
  );

  it.each(expected.map(([resource, e]) => [e.alarm, resource, e] as const))(
    '%s: its description says what to do and links the runbook',
    (_name, resource, e) => {
      const description = text(resource.Properties.AlarmDescription);
      expect(description).toContain('What to do: ');
      expect(description).toContain(`docs/operations.md#${e.anchor}`);
      expect(description.length).toBeLessThanOrEqual(1024);
    },
  );

  it("links every alarm, the table's included, to a section of docs/operations.md that exists", () => {
    const doc = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');
    const anchors = Object.values(alarms(template)).map(
      (a) => /#([a-z-]+)$/.exec(text(a.Properties['AlarmDescription']))![1]!,
    );
    expect(anchors).toHaveLength(10);
    for (const anchor of anchors) expect(doc, anchor).toContain(`<a id="${anchor}"></a>`);
  });

  it('adds the table alarms once, so the singleton and its table have ten alarms in all', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 10);
  });
});

describe('CronSingleton alarm options', () => {
  it('derives the no-leader-run period from a slow rate() schedule', () => {
    const { singleton, alarm } = setup({ schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)) });

    expect(alarm(singleton.alarms!.noLeaderRun).Properties).toMatchObject({ Period: 3600, EvaluationPeriods: 3 });
  });

  it('refuses a no-leader-run period shorter than the rate, naming the option', () => {
    expect(() =>
      testSingleton({
        schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)),
        alarms: { noLeaderRun: { period: Duration.minutes(5) } },
      }),
    ).toThrow(/alarms\.noLeaderRun\.period/);
  });

  it('takes thresholds, periods and evaluation periods per alarm', () => {
    const { singleton, alarm } = setup({
      alarms: {
        leaseTakeover: { threshold: 5, period: Duration.hours(6), evaluationPeriods: 2, datapointsToAlarm: 1 },
        lambdaDuration: { threshold: 50 },
      },
    });

    expect(alarm(singleton.alarms!.leaseTakeover).Properties).toMatchObject({
      Threshold: 5,
      Period: 21_600,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 1,
    });
    expect(alarm(singleton.alarms!.lambdaDuration).Properties).toMatchObject({ Threshold: 15_000 });
  });

  it('refuses a duration threshold that is not a percent of the timeout', () => {
    expect(() => testSingleton({ alarms: { lambdaDuration: { threshold: 150 } } })).toThrow(
      /alarms\.lambdaDuration\.threshold/,
    );
  });

  it('refuses an evaluation window CloudWatch would refuse', () => {
    expect(() =>
      testSingleton({ alarms: { jobFailed: { period: Duration.minutes(30), evaluationPeriods: 49 } } }),
    ).toThrow(/alarms\.jobFailed\.evaluationPeriods/);
  });

  it("notifies the topic on alarm and on recovery, for every alarm including the table's", () => {
    let topic: sns.Topic | undefined;
    const { stack } = testSingleton((s) => ({ alarmTopic: (topic = new sns.Topic(s, 'Pager')) }));

    const topicRef = { Ref: stack.getLogicalId(topic!.node.defaultChild as never) };
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 10);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [topicRef], OKActions: [topicRef] });
  });

  it('creates no alarm when createAlarms is false', () => {
    const { template } = setup({ createAlarms: false });

    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });
});

describe('NoLeaderRun on a cron() schedule', () => {
  // The window is the longest gap between fires + the 30 s timeout + 5 minutes.
  const noLeaderRun = (schedule: scheduler.ScheduleExpression, props: Partial<CronSingletonProps> = {}) => {
    const { singleton, alarm } = setup({ schedule, ...props });
    return alarm(singleton.alarms!.noLeaderRun).Properties;
  };
  const settings = (p: Record<string, unknown>) => ({
    period: p['Period'],
    evaluationPeriods: p['EvaluationPeriods'],
    datapointsToAlarm: p['DatapointsToAlarm'],
    missing: p['TreatMissingData'],
    comparison: p['ComparisonOperator'],
    threshold: p['Threshold'],
  });
  const alarming = { missing: 'breaching', comparison: 'LessThanThreshold', threshold: 1 };

  it('hourly: twelve 5-minute periods plus the margin, all breaching (65.5 minutes)', () => {
    expect(settings(noLeaderRun(scheduler.ScheduleExpression.cron({ minute: '0' })))).toEqual({
      period: 300,
      evaluationPeriods: 14,
      datapointsToAlarm: 14,
      ...alarming,
    });
  });

  it('daily at 02:00 UTC: 1-hour periods covering 24 hours 5.5 minutes, so the alarm stays OK between runs', () => {
    expect(settings(noLeaderRun(scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' })))).toEqual({
      period: 3600,
      evaluationPeriods: 25,
      datapointsToAlarm: 25,
      ...alarming,
    });
  });

  it('daily in a zone with summer time: the 25-hour day is covered', () => {
    const schedule = scheduler.ScheduleExpression.cron({ hour: '3', minute: '0', timeZone: TimeZone.EUROPE_BERLIN });
    expect(settings(noLeaderRun(schedule))).toMatchObject({ period: 3600, evaluationPeriods: 26 });
  });

  it('weekdays only: the weekend gap of 72 hours is covered', () => {
    const schedule = scheduler.ScheduleExpression.cron({ hour: '2', minute: '0', weekDay: 'MON-FRI' });
    expect(settings(noLeaderRun(schedule))).toEqual({
      period: 3600,
      evaluationPeriods: 73,
      datapointsToAlarm: 73,
      ...alarming,
    });
  });

  it('a minutely cron keeps the rate defaults: one late tick is not an outage', () => {
    expect(settings(noLeaderRun(scheduler.ScheduleExpression.cron({})))).toMatchObject({
      period: 300,
      evaluationPeriods: 3,
    });
  });

  it.each([
    ['weekly', scheduler.ScheduleExpression.cron({ hour: '2', minute: '0', weekDay: 'SUN' }), '7 days apart'],
    ['monthly', scheduler.ScheduleExpression.cron({ day: '1', hour: '2', minute: '0' }), '31 days apart'],
  ])(
    '%s: refuses, since CloudWatch watches at most 7 days, and names the option that turns the alarm off',
    (_name, schedule, gap) => {
      const error = thrown(() => testSingleton({ schedule }));
      expect(error.field).toBe('alarms.noLeaderRun.enabled');
      expect(error.message).toContain(gap);
      expect(error.message).toContain('alarms.noLeaderRun.enabled to false');
      expect(error.constructPath).toBe('Test/Job/Alarms');
    },
  );

  it('weekly with alarms.noLeaderRun.enabled false: no NoLeaderRun alarm, the others stay', () => {
    const { singleton, template } = setup({
      schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0', weekDay: 'SUN' }),
      alarms: { noLeaderRun: { enabled: false } },
    });
    expect(singleton.alarms!.noLeaderRun).toBeUndefined();
    expect(singleton.alarms!.alarms).toHaveLength(7);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 9);
  });

  it('refuses a period and evaluation count that do not cover the longest gap, naming the option', () => {
    const daily = scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' });
    expect(
      thrown(() =>
        testSingleton({
          schedule: daily,
          alarms: { noLeaderRun: { period: Duration.hours(1), evaluationPeriods: 12 } },
        }),
      ),
    ).toMatchObject({
      field: 'alarms.noLeaderRun.period',
    });
    // Six of thirty hours: a healthy day leaves 23 empty hours in a row, which would alarm.
    expect(
      thrown(() =>
        testSingleton({
          schedule: daily,
          alarms: { noLeaderRun: { period: Duration.hours(1), evaluationPeriods: 30, datapointsToAlarm: 6 } },
        }),
      ),
    ).toMatchObject({
      field: 'alarms.noLeaderRun.period',
    });
    const { singleton, alarm } = setup({
      schedule: daily,
      alarms: { noLeaderRun: { period: Duration.days(1), evaluationPeriods: 2 } },
    });
    expect(alarm(singleton.alarms!.noLeaderRun).Properties).toMatchObject({
      Period: 86_400,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
    });
  });

  it('warns when the expression is a token and no period is given, since no window can be derived', () => {
    const { stack } = testSingleton({
      schedule: scheduler.ScheduleExpression.expression(Lazy.string({ produce: () => 'cron(0 2 * * ? *)' })),
    });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cannot fit its window'))).toHaveLength(
      1,
    );
    const { stack: daily } = testSingleton({ schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }) });
    expect(Annotations.fromStack(daily).findWarning('*', Match.stringLikeRegexp('cannot fit its window'))).toEqual([]);
  });

  it('grows the window with the timeout', () => {
    const daily = scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' });
    expect(noLeaderRun(daily, { timeout: Duration.minutes(15) })).toMatchObject({
      Period: 3600,
      EvaluationPeriods: 25,
    });
    expect(noLeaderRun(daily, { timeout: Duration.minutes(56) })).toMatchObject({
      Period: 3600,
      EvaluationPeriods: 26,
    });
    expect(
      noLeaderRun(scheduler.ScheduleExpression.cron({ minute: '0' }), { timeout: Duration.minutes(15) }),
    ).toMatchObject({ Period: 300, EvaluationPeriods: 16 });
  });
});

describe('alarm notifications', () => {
  const warnings = (stack: Stack) =>
    Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('notify nobody'));

  it('warns at synth that the alarms notify nobody when alarmTopic is not given', () => {
    const { stack } = testSingleton();
    expect(warnings(stack)).toHaveLength(1);
    expect(JSON.stringify(warnings(stack)[0]!.entry.data)).toContain('pass alarmTopic');
  });

  it('does not warn when a topic is given, or when there are no alarms', () => {
    expect(warnings(testSingleton((s) => ({ alarmTopic: new sns.Topic(s, 'Pager') })).stack)).toEqual([]);
    expect(warnings(testSingleton({ createAlarms: false }).stack)).toEqual([]);
  });
});
