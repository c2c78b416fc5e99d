import type { Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';

/**
 * Properties of a `LambdaScheduleTarget`.
 */
export interface LambdaScheduleTargetProps {
  /** The role EventBridge Scheduler assumes; it must already allow `lambda:InvokeFunction` on the function. */
  readonly role: iam.IRole;
  /** The event the function receives. */
  readonly input: scheduler.ScheduleTargetInput;
  /** How long Scheduler keeps retrying a failed delivery. */
  readonly maxEventAge: Duration;
  /**
   * How many times Scheduler retries a failed delivery.
   *
   * @default 185 (Scheduler's maximum; `maxEventAge` is the real bound)
   */
  readonly retryAttempts?: number;
  /**
   * Where Scheduler puts an event it could not deliver within `maxEventAge`;
   * `role` must be allowed `sqs:SendMessage` on it.
   *
   * @default - none: an undelivered event is dropped
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

/**
 * Invokes a Lambda function from EventBridge Scheduler with a role the caller
 * owns. `aws-scheduler-targets.LambdaInvoke` would grant itself
 * `function.grantInvoke(role)`, which adds `<function-arn>:*` (every version
 * and alias) to the policy; Scheduler invokes the unqualified ARN only, so the
 * caller's policy names exactly that ARN.
 */
export class LambdaScheduleTarget implements scheduler.IScheduleTarget {
  constructor(
    private readonly fn: lambda.IFunction,
    private readonly props: LambdaScheduleTargetProps,
  ) {}

  bind(_schedule: scheduler.ISchedule): scheduler.ScheduleTargetConfig {
    return {
      arn: this.fn.functionArn,
      role: this.props.role,
      input: this.props.input,
      deadLetterConfig: this.props.deadLetterQueue && { arn: this.props.deadLetterQueue.queueArn },
      retryPolicy: {
        maximumEventAgeInSeconds: this.props.maxEventAge.toSeconds(),
        maximumRetryAttempts: this.props.retryAttempts ?? 185,
      },
    };
  }
}
