import { ArnFormat, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { CronSingleton, LeaseTable } from 'baton-lease/cdk';

/** The example job the demo stack deploys: it exists in this repository only, never in the package. */
const EXAMPLE_JOB_ENTRY = fileURLToPath(new URL('./example-job.ts', import.meta.url));

/**
 * Properties of `BatonDemoStack`.
 */
export interface BatonDemoStackProps extends StackProps {
  /**
   * The job module.
   *
   * @default - the example job, `lab/jobs/example-job.ts`
   */
  readonly entry?: string;

  /**
   * An address subscribed to the alarm topic (it must confirm by email).
   *
   * @default - no subscription
   */
  readonly alarmEmail?: string;
}

/**
 * The demo deployment: a lease table, the example job as a cron singleton
 * ticking every minute with three contenders, its alarms on an SNS topic and
 * a dashboard.
 */
export class BatonDemoStack extends Stack {
  readonly table: LeaseTable;
  readonly alarmTopic: sns.Topic;
  readonly singleton: CronSingleton;

  constructor(scope: Construct, id: string, props: BatonDemoStackProps = {}) {
    super(scope, id, {
      description: 'Baton demo: a DynamoDB lease table and a cron singleton with three contenders',
      ...props,
    });

    // The defaults on purpose (RETAIN, deletion protection), as in
    // production: `cdk destroy` leaves the table and its fencing tokens
    // behind; docs/operations.md says how to remove it.
    this.table = new LeaseTable(this, 'Leases');

    // SSE is left at SNS's default (none): CloudWatch alarms can only publish
    // to an encrypted topic through a customer-managed KMS key ($1/month),
    // and alarm notifications carry no secrets.
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', { displayName: 'Baton demo alarms', enforceSSL: true });
    // Publishing to a topic with a policy needs an explicit grant; scope it
    // to this account's alarms (confused-deputy protection).
    this.alarmTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: {
            'aws:SourceArn': this.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    if (props.alarmEmail) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    this.singleton = new CronSingleton(this, 'ExampleJob', {
      table: this.table,
      leaseName: 'baton-demo/example-job',
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(1)),
      contenders: 3,
      entry: props.entry ?? EXAMPLE_JOB_ENTRY,
      timeout: Duration.seconds(30),
      alarmTopic: this.alarmTopic,
      dashboard: true,
    });

    // What docs/operations.md's commands need.
    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'The lease table' });
    new CfnOutput(this, 'LeaseName', {
      value: this.singleton.leaseName,
      description: "The example job's lease (pk of its lease item)",
    });
    new CfnOutput(this, 'FunctionName', {
      value: this.singleton.lambdaFunction.functionName,
      description: 'The cron singleton function',
    });
    new CfnOutput(this, 'ScheduleGroupName', {
      value: this.singleton.scheduleGroup.scheduleGroupName,
      description: "The contenders' schedules",
    });
    new CfnOutput(this, 'LogGroupName', {
      value: this.singleton.logGroup.logGroupName,
      description: "The function's logs",
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarmTopic.topicArn,
      description: 'Subscribe here to receive alarms',
    });
    if (this.singleton.dashboard) {
      new CfnOutput(this, 'DashboardName', {
        value: this.singleton.dashboard.dashboard.dashboardName,
        description: 'The CloudWatch dashboard',
      });
    }
  }
}
