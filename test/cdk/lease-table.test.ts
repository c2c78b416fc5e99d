import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { LeaseTable } from '../../lib/cdk/lease-table.js';
import { LeaseValidationError } from '../../lib/runtime/errors.js';
import { alarms, testStack, text } from './cdk-test-app.js';

function policyStatements(template: Template): unknown[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy'));
  return policies.flatMap(
    (p) => (p as { Properties: { PolicyDocument: { Statement: unknown[] } } }).Properties.PolicyDocument.Statement,
  );
}

describe('LeaseTable', () => {
  it('is the lease table: on-demand, pk/sk strings, TTL on ttl, PITR and deletion protection on', () => {
    const { stack } = testStack();

    new LeaseTable(stack, 'Leases');

    Template.fromStack(stack).hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      Replicas: [
        Match.objectLike({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
        }),
      ],
    });
  });

  it('is retained when it leaves the stack, by default', () => {
    const { stack } = testStack();

    new LeaseTable(stack, 'Leases');

    Template.fromStack(stack).hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('takes another removal policy and deletion protection when asked', () => {
    const { stack } = testStack();

    new LeaseTable(stack, 'Leases', {
      removalPolicy: RemovalPolicy.DESTROY,
      deletionProtection: false,
      tableName: 'leases',
    });

    const template = Template.fromStack(stack);
    template.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Delete' });
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'leases',
      Replicas: [Match.objectLike({ DeletionProtectionEnabled: false })],
    });
  });
});

describe('LeaseTable.grantLeaseAccess', () => {
  it('grants exactly GetItem, UpdateItem and ConditionCheckItem on the table, restricted to the named leases by LeadingKeys', () => {
    const { stack } = testStack();
    const table = new LeaseTable(stack, 'Leases');
    const role = new iam.Role(stack, 'Worker', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    table.grantLeaseAccess(role, { leaseNames: ['reports/nightly', 'billing@eu-1'] });

    expect(policyStatements(Template.fromStack(stack))).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
        Resource: { 'Fn::GetAtt': [stack.getLogicalId(table.table.node.defaultChild as never), 'Arn'] },
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['reports/nightly', 'billing@eu-1'] } },
      },
    ]);
  });

  it('grants every lease of the table, with no condition, when no names are given', () => {
    const { stack } = testStack();
    const table = new LeaseTable(stack, 'Leases');
    const role = new iam.Role(stack, 'Worker', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    table.grantLeaseAccess(role);

    expect(policyStatements(Template.fromStack(stack))).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
        Resource: { 'Fn::GetAtt': [stack.getLogicalId(table.table.node.defaultChild as never), 'Arn'] },
      },
    ]);
  });

  it('never grants a wildcard, a delete, a scan, a query or a batch write without steps', () => {
    const { stack } = testStack();
    const table = new LeaseTable(stack, 'Leases');
    const role = new iam.Role(stack, 'Worker', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    table.grantLeaseAccess(role, { leaseNames: ['a'] });

    const actions = JSON.stringify(policyStatements(Template.fromStack(stack)));
    for (const forbidden of ['*', 'DeleteItem', 'Scan', 'Query', 'BatchWriteItem'])
      expect(actions).not.toContain(forbidden);
  });

  it('with steps, adds Query in a statement of its own that requires the leading key to be present and one of the names', () => {
    const { stack } = testStack();
    const table = new LeaseTable(stack, 'Leases');
    const role = new iam.Role(stack, 'Worker', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    table.grantLeaseAccess(role, { leaseNames: ['reports/nightly'], steps: true });

    const arn = { 'Fn::GetAtt': [stack.getLogicalId(table.table.node.defaultChild as never), 'Arn'] };
    expect(policyStatements(Template.fromStack(stack))).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
        Resource: arn,
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['reports/nightly'] } },
      },
      {
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: arn,
        Condition: {
          'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['reports/nightly'] },
          Null: { 'dynamodb:LeadingKeys': 'false' },
        },
      },
    ]);
  });

  it('refuses a steps option that is not a boolean', () => {
    const { stack } = testStack();
    const table = new LeaseTable(stack, 'Leases');
    const role = new iam.Role(stack, 'Worker', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    expect(() => table.grantLeaseAccess(role, { steps: 'yes' as never })).toThrow(/steps/);
  });

  it('refuses an empty list of lease names instead of granting nothing', () => {
    const { stack } = testStack();
    const table = new LeaseTable(stack, 'Leases');
    const role = new iam.Role(stack, 'Worker', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    expect(() => table.grantLeaseAccess(role, { leaseNames: [] })).toThrow(LeaseValidationError);
  });

  it('refuses an invalid lease name and names the field', () => {
    const { stack } = testStack();
    const table = new LeaseTable(stack, 'Leases');
    const role = new iam.Role(stack, 'Worker', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    expect(() => table.grantLeaseAccess(role, { leaseNames: ['ok', 'not ok*'] })).toThrow(/leaseNames\[1\]/);
  });
});

describe('LeaseTable.addAlarms', () => {
  it('alarms on ThrottledRequests and SystemErrors summed over GetItem, UpdateItem, TransactWriteItems and Query', () => {
    const { stack } = testStack();
    const table = new LeaseTable(stack, 'Leases');

    const { throttledRequests, systemErrors } = table.addAlarms();

    const template = Template.fromStack(stack);
    for (const [construct, metricName, anchor] of [
      [throttledRequests, 'ThrottledRequests', 'table-throttled-requests'],
      [systemErrors, 'SystemErrors', 'table-system-errors'],
    ] as const) {
      const alarm = alarms(template)[stack.getLogicalId(construct.node.defaultChild as never)]!;
      expect(alarm.Properties).toMatchObject({
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        TreatMissingData: 'notBreaching',
      });
      expect(text(alarm.Properties.AlarmDescription)).toContain(`docs/operations.md#${anchor}`);
      const metrics = alarm.Properties.Metrics as {
        Expression?: string;
        MetricStat?: {
          Metric: { MetricName: string; Dimensions: { Name: string; Value: unknown }[] };
          Stat: string;
          Period: number;
        };
      }[];
      expect(metrics[0]!.Expression).toMatch(/^SUM\(\[/);
      expect(
        metrics.slice(1).map((m) => m.MetricStat!.Metric.Dimensions.find((d) => d.Name === 'Operation')!.Value),
      ).toEqual(['GetItem', 'UpdateItem', 'TransactWriteItems', 'Query']);
      for (const m of metrics.slice(1))
        expect(m.MetricStat).toMatchObject({
          Metric: { Namespace: 'AWS/DynamoDB', MetricName: metricName },
          Stat: 'Sum',
          Period: 300,
        });
    }
  });

  it('creates the alarms once per table and adds each new topic once', () => {
    const { stack } = testStack();
    const table = new LeaseTable(stack, 'Leases');
    const topic = new sns.Topic(stack, 'Pager');

    const first = table.addAlarms({ alarmTopic: topic });
    const second = table.addAlarms({ alarmTopic: topic });

    expect(second).toBe(first);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [{ Ref: stack.getLogicalId(topic.node.defaultChild as never) }],
    });
  });
});
