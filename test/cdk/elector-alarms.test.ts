import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { ElectorAlarms, type ElectorAlarmsProps } from '../../lib/cdk/elector-alarms.js';
import { ElectorMetric } from '../../lib/runtime/contract.js';
import { alarms, type CfnResource, testStack, text } from './cdk-test-app.js';
import { validationErrorOf as thrown } from '../support/errors.js';

function setup(props: Partial<ElectorAlarmsProps> | ((stack: Stack) => Partial<ElectorAlarmsProps>) = {}) {
  const { stack } = testStack();
  const overrides = typeof props === 'function' ? props(stack) : props;
  const electors = new ElectorAlarms(stack, 'Electors', {
    leaseName: 'search/indexer',
    serviceName: 'indexer',
    ...overrides,
  });
  const template = Template.fromStack(stack);
  const alarm = (a: cloudwatch.Alarm): CfnResource =>
    alarms(template)[stack.getLogicalId(a.node.defaultChild as never)]!;
  return { stack, electors, template, alarm };
}

const dims = (p: Record<string, unknown>) =>
  Object.fromEntries((p['Dimensions'] as { Name: string; Value: unknown }[]).map((d) => [d.Name, d.Value]));

describe('ElectorAlarms', () => {
  const { electors, template, alarm } = setup();

  it.each([
    ['noLeader', 'IsLeader', 'Maximum', 60, 'LessThanThreshold', 1, 3, 'breaching', 'elector-no-leader'],
    [
      'flapping',
      'LeadershipTransitions',
      'Sum',
      1800,
      'GreaterThanThreshold',
      5,
      1,
      'notBreaching',
      'elector-flapping',
    ],
    [
      'requestFailures',
      'ElectorRequestFailed',
      'Sum',
      300,
      'GreaterThanThreshold',
      0,
      3,
      'notBreaching',
      'elector-request-failures',
    ],
  ] as const)(
    '%s watches %s (%s over %i s, %s %i for %i periods, missing data %s)',
    (name, metric, statistic, period, comparison, threshold, evaluationPeriods, missing, anchor) => {
      const p = alarm(electors[name]).Properties;
      expect(p).toMatchObject({
        Namespace: 'Baton',
        MetricName: metric,
        Statistic: statistic,
        Period: period,
        ComparisonOperator: comparison,
        Threshold: threshold,
        EvaluationPeriods: evaluationPeriods,
        DatapointsToAlarm: evaluationPeriods,
        TreatMissingData: missing,
      });
      expect(dims(p)).toEqual({ service: 'indexer', LeaseName: 'search/indexer' });
      expect(text(p['AlarmDescription'])).toMatch(new RegExp(`What to do: .*docs/operations\\.md#${anchor}$`));
    },
  );

  it('links every alarm to a section of docs/operations.md that exists', () => {
    const doc = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');
    for (const a of electors.alarms) {
      const anchor = /#([a-z-]+)$/.exec(text(alarm(a).Properties['AlarmDescription']))![1]!;
      expect(doc, anchor).toContain(`<a id="${anchor}"></a>`);
    }
  });

  it('creates those three alarms and no dashboard by default', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  });

  it('has a metricXxx() for every elector metric of the contract, with its dimensions', () => {
    for (const name of Object.values(ElectorMetric)) {
      const method = (electors as unknown as Record<string, unknown>)[`metric${name}`];
      expect(method, `metric${name}`).toBeTypeOf('function');
      expect((method as () => cloudwatch.Metric).call(electors)).toMatchObject({
        namespace: 'Baton',
        metricName: name,
        dimensions: { service: 'indexer', LeaseName: 'search/indexer' },
      });
    }
  });

  it('follows metricsNamespace and defaults serviceName to baton', () => {
    const { electors: e, alarm: a } = setup({ metricsNamespace: 'Acme/Search', serviceName: undefined });
    expect(a(e.noLeader).Properties).toMatchObject({ Namespace: 'Acme/Search' });
    expect(dims(a(e.flapping).Properties)).toEqual({ service: 'baton', LeaseName: 'search/indexer' });
  });

  it('takes thresholds and periods per alarm', () => {
    const { electors: e, alarm: a } = setup({
      noLeader: { evaluationPeriods: 10 },
      flapping: { threshold: 2, period: undefined },
    });
    expect(a(e.noLeader).Properties).toMatchObject({ EvaluationPeriods: 10, DatapointsToAlarm: 10, Period: 60 });
    expect(a(e.flapping).Properties).toMatchObject({ Threshold: 2, Period: 1800 });
  });

  it('graphs every elector metric, and shows the alarms, on a dashboard when asked', () => {
    const { template: t } = setup({ dashboard: true, dashboardName: 'indexer-election' });
    t.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'indexer-election' });
    const body = text(Object.values(t.findResources('AWS::CloudWatch::Dashboard'))[0]!['Properties'].DashboardBody);
    for (const name of Object.values(ElectorMetric))
      expect(body).toContain(`"Baton","${name}","LeaseName","search/indexer","service","indexer"`);
    expect(body).toContain('"type":"alarm"');
  });

  it('notifies the topic on alarm and on recovery, and warns at synth without one', () => {
    let topic: sns.Topic | undefined;
    const { stack, template: t } = setup((s) => ({ alarmTopic: (topic = new sns.Topic(s, 'Pager')) }));
    const ref = { Ref: stack.getLogicalId(topic!.node.defaultChild as never) };
    t.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [ref], OKActions: [ref] });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('notify nobody'))).toEqual([]);

    const { stack: silent } = setup();
    expect(Annotations.fromStack(silent).findWarning('*', Match.stringLikeRegexp('notify nobody'))).toHaveLength(1);
  });

  it.each([
    ['leaseName', { leaseName: 'has space' }],
    ['serviceName', { serviceName: '' }],
    ['metricsNamespace', { metricsNamespace: 'AWS/ECS' }],
    ['noLeader.evaluationPeriods', { noLeader: { evaluationPeriods: 0 } }],
    ['runbookUrl', { runbookUrl: 'docs/operations.md' }],
  ])('refuses a bad %s, naming it and the construct', (field, props) => {
    expect(thrown(() => setup(props as Partial<ElectorAlarmsProps>))).toMatchObject({
      field,
      constructPath: 'Test/Electors',
    });
  });
});

describe('ElectorAlarms under cdk-nag', () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-elector-nag-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has no AwsSolutions findings and acknowledges none', () => {
    const app = new App({ outdir: dir });
    const stack = new Stack(app, 'Electors');
    new ElectorAlarms(stack, 'Electors', {
      leaseName: 'search/indexer',
      dashboard: true,
      alarmTopic: sns.Topic.fromTopicArn(stack, 'Pager', 'arn:aws:sns:eu-west-1:111122223333:pager'),
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    const assembly = app.synth();
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: { violations: unknown[] }[];
    };
    expect(report.pluginReports.flatMap((r) => r.violations)).toEqual([]);
    expect(
      stack.node
        .findAll()
        .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)),
    ).toEqual([]);
  });
});
