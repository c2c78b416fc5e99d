import { Duration, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { LeaseValidationError } from '../../lib/runtime/errors.js';
import { type CfnResource, testSingleton, text } from './cdk-test-app.js';
import type { LeaseTable } from '../../lib/cdk/lease-table.js';
import { validationErrorOf as thrown } from '../support/errors.js';

function logicalId(
  construct: { node: { defaultChild?: unknown }; stack?: unknown },
  stack: import('aws-cdk-lib').Stack,
): string {
  return stack.getLogicalId(construct.node.defaultChild as never);
}

/** What `queue.grantSendMessages` grants, as aws-cdk-lib's own targets and destinations do. */
const SEND_TO_QUEUE = ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'];

describe('CronSingleton schedule', () => {
  it('creates one EventBridge Scheduler schedule per contender, all on the same expression with no flexible window', () => {
    const { stack, singleton } = testSingleton({
      contenders: 3,
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(5)),
    });

    const template = Template.fromStack(stack);
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')) as (CfnResource & {
      DependsOn: string[];
    })[];

    expect(schedules).toHaveLength(3);
    const functionId = logicalId(singleton.lambdaFunction, stack);
    const groupName = stack.resolve(singleton.scheduleGroup.scheduleGroupName);
    template.hasResource('AWS::Scheduler::ScheduleGroup', { DeletionPolicy: 'Delete' });
    schedules.forEach((schedule, i) => {
      expect(schedule.DependsOn).toContain(logicalId(singleton.scheduleGroup, stack));
      expect(schedule.Properties).toMatchObject({
        ScheduleExpression: 'rate(5 minutes)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: 'ENABLED',
        GroupName: groupName,
        Target: {
          Arn: { 'Fn::GetAtt': [functionId, 'Arn'] },
          RoleArn: { 'Fn::GetAtt': [logicalId(singleton.schedulerRole, stack), 'Arn'] },
          RetryPolicy: { MaximumEventAgeInSeconds: 3600 },
        },
      });
      // Every contender sees the tick's nominal time as event.time: that is what dedupes them.
      const input = JSON.parse(text((schedule.Properties.Target as { Input: unknown }).Input).replaceAll('{…}', 'X'));
      expect(input).toMatchObject({
        'detail-type': 'Scheduled Event',
        time: '<aws.scheduler.scheduled-time>',
        detail: { contender: i + 1 },
      });
    });
  });

  it('has one contender by default', () => {
    const { stack } = testSingleton();

    Template.fromStack(stack).resourceCountIs('AWS::Scheduler::Schedule', 1);
  });

  it('lets only its own schedule group assume the scheduler role, which may invoke exactly the function and write to the dead-letter queue', () => {
    const { stack, singleton } = testSingleton({ contenders: 2 });

    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: {
              StringEquals: {
                'aws:SourceAccount': { Ref: 'AWS::AccountId' },
                'aws:SourceArn': { 'Fn::GetAtt': [logicalId(singleton.scheduleGroup, stack), 'Arn'] },
              },
            },
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(singleton.schedulerRole, stack) }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'lambda:InvokeFunction',
            Resource: { 'Fn::GetAtt': [logicalId(singleton.lambdaFunction, stack), 'Arn'] },
          },
          {
            Effect: 'Allow',
            Action: SEND_TO_QUEUE,
            Resource: { 'Fn::GetAtt': [logicalId(singleton.deadLetterQueue!, stack), 'Arn'] },
          },
        ],
      },
    });
  });

  it('refuses a contender count outside 1..10', () => {
    expect(() => testSingleton({ contenders: 0 })).toThrow(LeaseValidationError);
    expect(() => testSingleton({ contenders: 11 })).toThrow(/contenders/);
    expect(() => testSingleton({ contenders: 1.5 })).toThrow(/contenders/);
  });

  it('refuses a one-time at() schedule', () => {
    expect(() =>
      testSingleton({ schedule: scheduler.ScheduleExpression.at(new Date('2030-01-01T00:00:00Z')) }),
    ).toThrow(/schedule/);
  });
});

describe('CronSingleton function', () => {
  it('runs Node.js 24 on arm64 with the Baton environment, JSON logs and its own log group', () => {
    const { stack, table, singleton } = testSingleton({ serviceName: 'reports', environment: { EXTRA: '1' } });

    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 256,
      Timeout: 60,
      Environment: {
        Variables: {
          EXTRA: '1',
          BATON_TABLE_NAME: { Ref: logicalId((table as LeaseTable).table, stack) },
          BATON_LEASE_NAME: 'reports/nightly',
          POWERTOOLS_SERVICE_NAME: 'reports',
          POWERTOOLS_METRICS_NAMESPACE: 'Baton',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
      LoggingConfig: {
        LogFormat: 'JSON',
        ApplicationLogLevel: 'INFO',
        LogGroup: { Ref: logicalId(singleton.logGroup, stack) },
      },
      TracingConfig: Match.absent(),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
    });
  });

  it('takes timeout, memory, architecture and tracing', () => {
    const { stack } = testSingleton({
      timeout: Duration.minutes(5),
      memorySize: 1024,
      architecture: lambda.Architecture.X86_64,
      tracing: lambda.Tracing.ACTIVE,
    });

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 300,
      MemorySize: 1024,
      Architectures: ['x86_64'],
      TracingConfig: { Mode: 'Active' },
    });
  });

  it('has a role with no managed policy: log writes to its own group, lease access restricted to its lease, failed events to the dead-letter queue', () => {
    const { stack, table, singleton } = testSingleton();

    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] },
      ManagedPolicyArns: Match.absent(),
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(singleton.role, stack) }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: { 'Fn::GetAtt': [logicalId(singleton.logGroup, stack), 'Arn'] },
          },
          {
            Effect: 'Allow',
            Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
            Resource: { 'Fn::GetAtt': [logicalId((table as LeaseTable).table, stack), 'Arn'] },
            Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['reports/nightly'] } },
          },
          {
            Effect: 'Allow',
            Action: 'dynamodb:Query',
            Resource: { 'Fn::GetAtt': [logicalId((table as LeaseTable).table, stack), 'Arn'] },
            Condition: {
              'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['reports/nightly'] },
              Null: { 'dynamodb:LeadingKeys': 'false' },
            },
          },
          {
            Effect: 'Allow',
            Action: SEND_TO_QUEUE,
            Resource: { 'Fn::GetAtt': [logicalId(singleton.deadLetterQueue!, stack), 'Arn'] },
          },
        ],
      },
    });
  });

  it('refuses an invalid lease name and names the field', () => {
    expect(() => testSingleton({ leaseName: 'has space' })).toThrow(/leaseName/);
  });

  it('creates a dashboard only when asked', () => {
    expect(Template.fromStack(testSingleton().stack).findResources('AWS::CloudWatch::Dashboard')).toEqual({});
    Template.fromStack(testSingleton({ dashboard: true }).stack).resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});

describe('CronSingleton dead-letter queue', () => {
  const queueArn = (stack: Stack, queue: { node: { defaultChild?: unknown } }) => ({
    'Fn::GetAtt': [logicalId(queue, stack), 'Arn'],
  });

  it('by default keeps undeliverable ticks and failed invocations in one encrypted, TLS-only queue for 14 days', () => {
    const { stack, singleton } = testSingleton({ contenders: 2 });
    const template = Template.fromStack(stack);
    const queue = singleton.deadLetterQueue as sqs.Queue;

    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 86_400,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })],
      },
    });
    template.allResourcesProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({ DeadLetterConfig: { Arn: queueArn(stack, queue) } }),
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(singleton.lambdaFunction, stack) },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: queueArn(stack, queue) } },
    });
  });

  it('uses a queue of your own', () => {
    const { stack, singleton } = testSingleton((s) => ({ deadLetterQueue: new sqs.Queue(s, 'Mine') }));
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::SQS::Queue', 1);
    expect(singleton.deadLetterQueue!.node.path).toBe('Test/Mine');
    template.allResourcesProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({ DeadLetterConfig: { Arn: queueArn(stack, singleton.deadLetterQueue!) } }),
    });
  });

  it('has none, and no alarm on one, when deadLetterQueueEnabled is false', () => {
    const { stack, singleton } = testSingleton({ deadLetterQueueEnabled: false });
    const template = Template.fromStack(stack);

    expect(singleton.deadLetterQueue).toBeUndefined();
    expect(singleton.alarms!.deadLetters).toBeUndefined();
    template.resourceCountIs('AWS::SQS::Queue', 0);
    template.allResourcesProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({ DeadLetterConfig: Match.absent() }),
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { DestinationConfig: Match.absent() });
  });

  it('refuses a queue together with deadLetterQueueEnabled false, naming the field', () => {
    expect(
      thrown(() =>
        testSingleton((s) => ({ deadLetterQueueEnabled: false, deadLetterQueue: new sqs.Queue(s, 'Mine') })),
      ),
    ).toMatchObject({ field: 'deadLetterQueue' });
  });
});
