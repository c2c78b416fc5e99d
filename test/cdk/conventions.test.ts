import { readFileSync } from 'node:fs';
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RUNBOOK_URL, REPOSITORY_URL } from '../../lib/cdk/alarm-options.js';
import { CronSingleton } from '../../lib/cdk/cron-singleton.js';
import { LeaseTable } from '../../lib/cdk/lease-table.js';
import { BatonMetric } from '../../lib/runtime/contract.js';
import { alarms, testSingleton, testStack, text } from './cdk-test-app.js';
import { validationErrorOf as thrown } from '../support/errors.js';

function statements(template: Template): { Action: unknown; Resource: unknown }[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (p) =>
      (p as { Properties: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } } }).Properties
        .PolicyDocument.Statement,
  );
}

describe('LeaseTable.fromTableName / fromTableArn', () => {
  it('lets a singleton in another app use a shared table, granted by name and restricted to its lease', () => {
    const { stack } = testStack();
    const shared = LeaseTable.fromTableName(stack, 'Shared', 'baton-leases');
    const { singleton } = testSingleton({ table: shared });
    const template = Template.fromStack(Stack.of(singleton));

    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
    expect(shared.tableName).toBe('baton-leases');
    const lease = statements(template).find((s) => JSON.stringify(s.Action).includes('dynamodb:UpdateItem'));
    expect(text(lease?.Resource)).toMatch(/:table\/baton-leases$/);
  });

  it('imports by ARN with the name taken from it, and creates alarms on the imported table once', () => {
    const { stack } = testStack();
    const shared = LeaseTable.fromTableArn(
      stack,
      'Shared',
      'arn:aws:dynamodb:eu-west-1:111122223333:table/team-leases',
    );
    expect(shared.tableName).toBe('team-leases');
    expect(shared.addAlarms()).toBe(shared.addAlarms());
    const throttled = Object.values(alarms(Template.fromStack(stack))).map((a) => JSON.stringify(a.Properties));
    expect(throttled).toHaveLength(2);
    expect(throttled.join()).toContain('team-leases');
  });
});

describe('LeaseTable metrics', () => {
  it('sums throttled requests and system errors per operation under the …ForOperations names, over the given operations', () => {
    const { stack } = testStack();
    const table = new LeaseTable(stack, 'Leases');
    const all = table.metricThrottledRequestsForOperations();
    const some = table.metricSystemErrorsForOperations({
      operations: [dynamodb.Operation.GET_ITEM],
      period: Duration.minutes(1),
    });
    expect(all.expression).toBe('SUM([t0, t1, t2, t3])');
    expect(Object.values(all.usingMetrics).map((m) => (m as cloudwatch.Metric).dimensions?.['Operation'])).toEqual([
      'GetItem',
      'UpdateItem',
      'TransactWriteItems',
      'Query',
    ]);
    expect(some.expression).toBe('SUM([s0])');
    expect(some.period.toMinutes()).toBe(1);
  });
});

describe('CronSingleton as a grantee', () => {
  it('is an IGrantable: bucket.grantRead(singleton) grants its function role', () => {
    const { stack, singleton } = testSingleton();
    const bucket = new s3.Bucket(stack, 'Reports');
    bucket.grantRead(singleton);

    expect(singleton.grantPrincipal).toBe(singleton.role);
    expect(singleton.lambdaFunction.role).toBe(singleton.role);
    const reads = statements(Template.fromStack(stack)).filter((s) =>
      JSON.stringify(s.Action).includes('s3:GetObject'),
    );
    expect(reads).toHaveLength(1);
    expect(JSON.stringify(reads[0]!.Resource)).toContain(stack.getLogicalId(bucket.node.defaultChild as never));
  });
});

describe('CronSingleton metrics', () => {
  it('has a metricXxx() for every Baton metric, in namespace Baton with the service and lease dimensions', () => {
    const { singleton } = testSingleton({ serviceName: 'reports' });
    for (const name of Object.values(BatonMetric)) {
      const method = (singleton as unknown as Record<string, unknown>)[`metric${name}`];
      expect(method, `metric${name}`).toBeTypeOf('function');
      const metric = (method as () => cloudwatch.Metric).call(singleton);
      expect(metric).toMatchObject({
        namespace: 'Baton',
        metricName: name,
        dimensions: { service: 'reports', LeaseName: 'reports/nightly' },
      });
    }
  });
});

describe('CronSingleton metricsNamespace', () => {
  it("sets the handler's POWERTOOLS_METRICS_NAMESPACE and moves every Baton metric of the alarms and the dashboard there", () => {
    const { stack, singleton } = testSingleton({ metricsNamespace: 'Acme/Reports', dashboard: true });
    const template = Template.fromStack(stack);

    expect(singleton.metricLeaderRun().namespace).toBe('Acme/Reports');
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0] as {
      Properties: { Environment: { Variables: Record<string, string> } };
    };
    expect(fn.Properties.Environment.Variables['POWERTOOLS_METRICS_NAMESPACE']).toBe('Acme/Reports');
    // The table's alarms are math expressions over AWS/DynamoDB: no Namespace of their own.
    const namespaces = new Set(
      Object.values(alarms(template)).flatMap((a) =>
        a.Properties['Namespace'] === undefined ? [] : [String(a.Properties['Namespace'])],
      ),
    );
    expect([...namespaces].filter((n) => !n.startsWith('AWS/'))).toEqual(['Acme/Reports']);
    const body = text(
      Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]!['Properties'].DashboardBody,
    );
    expect(body).toContain('"Acme/Reports","LeaderRun"');
    expect(body).not.toContain('"Baton",');
  });

  it('defaults to Baton', () => {
    expect(testSingleton().singleton.metricsNamespace).toBe('Baton');
  });

  it.each(['', 'AWS/Lambda', 'emoji ✓', 'x'.repeat(256)])('refuses %j, naming the field', (namespace) => {
    expect(thrown(() => testSingleton({ metricsNamespace: namespace }))).toMatchObject({
      field: 'metricsNamespace',
      constructPath: 'Test/Job',
    });
  });
});

describe('CronSingleton validation', () => {
  it('names the construct path in its validation errors', () => {
    const error = thrown(() => testSingleton({ contenders: 0 }));
    expect(error.field).toBe('contenders');
    expect(error.constructPath).toBe('Test/Job');
    expect(error.message).toContain('Test/Job');
  });

  it('names the alarms construct for a bad alarm option', () => {
    const error = thrown(() => testSingleton({ alarms: { jobFailed: { evaluationPeriods: 0 } } }));
    expect(error).toMatchObject({ field: 'alarms.jobFailed.evaluationPeriods', constructPath: 'Test/Job/Alarms' });
  });

  it('requires an entry instead of deploying the example job', () => {
    const { stack } = testStack();
    const table = new LeaseTable(stack, 'Leases');
    const props = { table, leaseName: 'x', schedule: scheduler.ScheduleExpression.rate(Duration.minutes(1)) };
    // A JavaScript caller (or a cast) can still leave it out.
    expect(thrown(() => new CronSingleton(stack, 'Job', props as never))).toMatchObject({
      field: 'entry',
      constructPath: 'Test/Job',
    });
  });

  it('refuses a timeout that leaves the job no time after the handler margins', () => {
    expect(thrown(() => testSingleton({ timeout: Duration.seconds(1) }))).toMatchObject({ field: 'timeout' });
    expect(thrown(() => testSingleton({ timeout: Duration.millis(2_999) }))).toMatchObject({ field: 'timeout' });
    expect(testSingleton({ timeout: CronSingleton.MIN_TIMEOUT }).singleton.timeout.toSeconds()).toBe(3);
  });
});

describe('CronSingleton runbook links', () => {
  it('points every alarm, the table’s included, at an absolute URL by default', () => {
    const { stack } = testSingleton();
    const descriptions = Object.values(alarms(Template.fromStack(stack))).map((a) =>
      text(a.Properties['AlarmDescription']),
    );
    expect(descriptions).toHaveLength(10);
    for (const description of descriptions)
      expect(description).toMatch(new RegExp(`Runbook: ${DEFAULT_RUNBOOK_URL.replaceAll('.', '\\.')}#[a-z-]+$`));
    expect(DEFAULT_RUNBOOK_URL).toMatch(/^https:\/\//);
  });

  it('refuses a relative runbook URL, naming the field', () => {
    expect(thrown(() => testSingleton({ runbookUrl: 'docs/operations.md' }))).toMatchObject({ field: 'runbookUrl' });
    expect(thrown(() => testSingleton({ runbookUrl: 'https://wiki.example.com/baton#top' }))).toMatchObject({
      field: 'runbookUrl',
    });
    const { stack } = testSingleton({ runbookUrl: 'https://wiki.example.com/baton' });
    const descriptions = Object.values(alarms(Template.fromStack(stack))).map((a) =>
      text(a.Properties['AlarmDescription']),
    );
    expect(descriptions.every((d) => d.includes('Runbook: https://wiki.example.com/baton#'))).toBe(true);
  });

  it('links to the repository package.json names', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      repository: { url: string };
      homepage: string;
      bugs: { url: string };
    };
    expect(pkg.repository.url).toBe(`git+${REPOSITORY_URL}.git`);
    expect(pkg.homepage).toBe(`${REPOSITORY_URL}#readme`);
    expect(pkg.bugs.url).toBe(`${REPOSITORY_URL}/issues`);
    expect(DEFAULT_RUNBOOK_URL.startsWith(`${REPOSITORY_URL}/`)).toBe(true);
  });
});
