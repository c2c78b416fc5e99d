import { dirname } from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BatonEnv, BatonMetric } from '../runtime/contract.js';
import { CronSingletonAlarms, type CronSingletonAlarmOptions } from './cron-singleton-alarms.js';
import { CronSingletonDashboard } from './cron-singleton-dashboard.js';
import { LambdaScheduleTarget } from './lambda-schedule-target.js';
import { warnWithoutAlarmTopic } from './alarm-options.js';
import { leaseMetric } from './lease-metrics.js';
import { atConstructPath } from './construct-validation.js';
import type { ILeaseTable } from './lease-table.js';
import { findLockFile } from './package-paths.js';
import { MIN_TIMEOUT, validateCronSingletonProps } from './cron-singleton-props.js';

/**
 * Properties of a `CronSingleton`.
 */
export interface CronSingletonProps {
  /**
   * The lease table: a `LeaseTable`, or one shared from another stack or app
   * (`LeaseTable.fromTableName`). Several singletons may share one, each with
   * its own lease.
   */
  readonly table: ILeaseTable;

  /**
   * The lease that makes the job a singleton: 1–200 characters of
   * `[A-Za-z0-9._:/@-]`. The function may only touch items in this lease's
   * partition of the table.
   */
  readonly leaseName: string;

  /**
   * When the job runs, as an EventBridge Scheduler expression, e.g.
   * `ScheduleExpression.rate(Duration.minutes(1))` or
   * `ScheduleExpression.cron({ minute: '0', hour: '3', timeZone: TimeZone.EUROPE_BERLIN })`.
   * Each tick's scheduled time reaches the handler as `event.time`, the tick
   * that dedupes retries and extra contenders.
   */
  readonly schedule: scheduler.ScheduleExpression;

  /**
   * How many invocations race for the lease on each tick: `contenders`
   * schedules with the same expression, each invoking the function once per
   * tick. One wins and runs the job; the rest cost one conditional write each
   * and return. More than one covers a lost or failed invocation within the
   * tick (an async invoke that never starts, a container that crashes before
   * acquiring).
   *
   * @default 1
   */
  readonly contenders?: number;

  /**
   * The job module: a TypeScript (or JavaScript) file whose `handler` export is
   * built with `createSingletonHandler` from `baton-lease/lambda`. Required:
   * a singleton without its own job would deploy somebody else's.
   */
  readonly entry: string;

  /**
   * The exported handler of `entry`.
   *
   * @default 'handler'
   */
  readonly handler?: string;

  /**
   * The lock file that pins the bundle's dependencies.
   *
   * @default - the nearest lock file at or above `entry`
   */
  readonly depsLockFilePath?: string;

  /**
   * The directory esbuild bundles from.
   *
   * @default - the directory of `depsLockFilePath`
   */
  readonly projectRoot?: string;

  /**
   * The function's timeout, which also bounds the leader's tenure: the
   * handler asks for a lease of the remaining time plus a margin, and aborts
   * the job's signal `abortMarginMs` (1 s by default) before it. At least
   * `MIN_TIMEOUT` (3 s), so the job has a window at all.
   *
   * @default Duration.minutes(1)
   */
  readonly timeout?: Duration;

  /**
   * Memory of the function, in MiB (CPU grows with it).
   *
   * @default 256
   */
  readonly memorySize?: number;

  /**
   * The function's instruction set. Arm64 (Graviton) costs about 20% less per
   * GB-second than x86_64 and runs Node.js at least as fast; the bundle is
   * pure JavaScript, so nothing is built per architecture.
   *
   * @default lambda.Architecture.ARM_64
   */
  readonly architecture?: lambda.Architecture;

  /**
   * X-Ray tracing. Anything but `DISABLED` adds `xray:PutTraceSegments` and
   * `xray:PutTelemetryRecords` on `*` to the role (X-Ray has no resource-level
   * permissions).
   *
   * @default lambda.Tracing.DISABLED
   */
  readonly tracing?: lambda.Tracing;

  /**
   * How long the function's logs are kept.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * The lowest application log level Lambda keeps (JSON log format).
   *
   * @default lambda.ApplicationLogLevel.INFO
   */
  readonly logLevel?: lambda.ApplicationLogLevel;

  /**
   * Powertools' service name: `POWERTOOLS_SERVICE_NAME`, and the `service`
   * dimension of every Baton metric the function emits.
   *
   * @default 'baton'
   */
  readonly serviceName?: string;

  /**
   * The CloudWatch namespace of the function's metrics:
   * `POWERTOOLS_METRICS_NAMESPACE`, which the handler reads, and the
   * namespace the alarms and the dashboard watch. 1–255 characters of
   * letters, digits and `. - _ / # :` and spaces, not starting with `AWS/`.
   *
   * @default 'Baton'
   */
  readonly metricsNamespace?: string;

  /**
   * Extra environment variables for the job. `BATON_TABLE_NAME`,
   * `BATON_LEASE_NAME`, `POWERTOOLS_SERVICE_NAME` and
   * `POWERTOOLS_METRICS_NAMESPACE` are the construct's and cannot be
   * replaced; `NODE_OPTIONS` (`--enable-source-maps`) can.
   *
   * @default - none
   */
  readonly environment?: Record<string, string>;

  /**
   * How old a tick may get while EventBridge Scheduler retries delivering it
   * and Lambda retries running it. A late tick is harmless: its lease is
   * deduped against the last completed tick.
   *
   * @default Duration.hours(1)
   */
  readonly maxEventAge?: Duration;

  /**
   * How many times Lambda retries an invocation whose job failed (the handler
   * released the lease without marking the tick done, so a retry may run it).
   * 0–2.
   *
   * @default 2
   */
  readonly retryAttempts?: number;

  /**
   * Whether ticks that fail for good are kept in a dead-letter queue: those
   * EventBridge Scheduler could not deliver within `maxEventAge` (the
   * schedules' dead-letter queue) and those whose invocation failed after
   * `retryAttempts` (the function's on-failure destination, which records the
   * error with the event). The alarms then include one on the queue's depth.
   *
   * @default true
   */
  readonly deadLetterQueueEnabled?: boolean;

  /**
   * The queue for those ticks, if you keep your own (in the stack's account
   * and region).
   *
   * @default - a new queue (SQS-managed encryption, TLS only, 14 days' retention) when `deadLetterQueueEnabled`
   */
  readonly deadLetterQueue?: sqs.IQueue;

  /**
   * Whether to create the alarms (this singleton's, and the table's once).
   *
   * @default true
   */
  readonly createAlarms?: boolean;

  /**
   * Thresholds and evaluation periods of the alarms.
   *
   * @default - each alarm's documented defaults
   */
  readonly alarms?: CronSingletonAlarmOptions;

  /**
   * Topic notified when an alarm fires and when it recovers. Without it the
   * alarms only change state in the console, and synth warns
   * (`baton-lease:CronSingleton.noAlarmTopic`).
   *
   * @default - no notification
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Where alarm descriptions send operators: an absolute `https://` URL (an
   * alarm email has no repository to resolve a relative link against). Each
   * alarm appends its section's anchor, e.g. `#no-leader-run`.
   *
   * @default DEFAULT_RUNBOOK_URL, baton-lease's docs/operations.md
   */
  readonly runbookUrl?: string;

  /**
   * Whether to create a CloudWatch dashboard for this singleton.
   *
   * @default false
   */
  readonly dashboard?: boolean;
}

/**
 * A scheduled job that runs at most once per tick, however many invocations
 * race for it: a Node.js Lambda function (bundled locally by esbuild, with
 * source maps), `contenders` EventBridge Scheduler schedules that invoke it,
 * the lease grant restricted to its lease, alarms and an optional dashboard.
 *
 * @example
 * ```ts
 * const table = new LeaseTable(this, 'Leases');
 * new CronSingleton(this, 'NightlyReport', {
 *   table,
 *   leaseName: 'nightly-report',
 *   schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '3' }),
 *   entry: 'src/nightly-report.ts',
 *   timeout: Duration.minutes(5),
 *   contenders: 2,
 *   alarmTopic: pager,
 * });
 * ```
 */
export class CronSingleton extends Construct implements iam.IGrantable {
  /**
   * The least timeout that leaves the job any time: the handler's
   * `abortMarginMs` (1 s) before the timeout, plus 2 s for a cold start, the
   * acquire request and the job itself.
   */
  static readonly MIN_TIMEOUT = MIN_TIMEOUT;

  readonly table: ILeaseTable;
  readonly leaseName: string;
  readonly serviceName: string;
  /** The CloudWatch namespace of the function's metrics. */
  readonly metricsNamespace: string;
  readonly contenders: number;
  readonly timeout: Duration;
  /** The gap between ticks when `schedule` is a `rate()`; `undefined` for cron. */
  readonly scheduleInterval: Duration | undefined;
  /**
   * The longest gap between two ticks, in milliseconds: the rate, or for a
   * cron expression the longest gap between fires in its time zone
   * (`Infinity` if it fires less than twice in two years); `undefined` when
   * the expression is a token.
   */
  readonly longestTickGapMs: number | undefined;
  /** The function that runs the job. */
  readonly lambdaFunction: nodejs.NodejsFunction;
  /** The function's role. */
  readonly role: iam.Role;
  /**
   * The function's role, so a singleton can be granted access like a
   * function: `bucket.grantRead(singleton)`.
   */
  readonly grantPrincipal: iam.IPrincipal;
  readonly logGroup: logs.LogGroup;
  readonly scheduleGroup: scheduler.ScheduleGroup;
  /** The role EventBridge Scheduler assumes to invoke the function. */
  readonly schedulerRole: iam.Role;
  /** One schedule per contender. */
  readonly schedules: readonly scheduler.Schedule[];
  /** Where failed ticks go; `undefined` when `deadLetterQueueEnabled` is false. */
  readonly deadLetterQueue: sqs.IQueue | undefined;
  readonly alarms: CronSingletonAlarms | undefined;
  readonly dashboard: CronSingletonDashboard | undefined;

  constructor(scope: Construct, id: string, props: CronSingletonProps) {
    super(scope, id);
    try {
      const valid = validateCronSingletonProps(props);
      const { runbookUrl, retryAttempts, maxEventAge } = valid;
      const stack = Stack.of(this);
      this.table = props.table;
      this.leaseName = valid.leaseName;
      this.serviceName = valid.serviceName;
      this.metricsNamespace = valid.metricsNamespace;
      this.contenders = valid.contenders;
      this.timeout = valid.timeout;
      this.scheduleInterval = valid.scheduleInterval;
      this.longestTickGapMs = valid.longestTickGapMs;
      this.deadLetterQueue =
        props.deadLetterQueueEnabled === false ? undefined : (props.deadLetterQueue ?? newDeadLetterQueue(this));

      // Our own log group, so retention is a plain property (the function's
      // `logRetention` would deploy a custom-resource Lambda) and the role can
      // be granted exactly this group instead of AWSLambdaBasicExecutionRole.
      this.logGroup = new logs.LogGroup(this, 'LogGroup', {
        retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      });

      this.role = new iam.Role(this, 'ServiceRole', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Baton cron singleton for lease ${this.leaseName}`,
      });
      this.grantPrincipal = this.role;
      this.logGroup.grantWrite(this.role);
      props.table.grantLeaseAccess(this.role, { leaseNames: [this.leaseName], steps: true });

      const entry = props.entry;
      const depsLockFilePath = props.depsLockFilePath ?? findLockFile(dirname(entry));
      const tracing = props.tracing ?? lambda.Tracing.DISABLED;
      this.lambdaFunction = new nodejs.NodejsFunction(this, 'Function', {
        description: `Baton cron singleton: lease ${this.leaseName}, ${this.contenders} contender(s) per tick`,
        entry,
        handler: props.handler ?? 'handler',
        depsLockFilePath,
        projectRoot: props.projectRoot ?? (depsLockFilePath ? dirname(depsLockFilePath) : undefined),
        runtime: lambda.Runtime.NODEJS_24_X,
        architecture: props.architecture ?? lambda.Architecture.ARM_64,
        memorySize: props.memorySize ?? 256,
        timeout: this.timeout,
        role: this.role,
        logGroup: this.logGroup,
        loggingFormat: lambda.LoggingFormat.JSON,
        applicationLogLevelV2: props.logLevel ?? lambda.ApplicationLogLevel.INFO,
        systemLogLevelV2: lambda.SystemLogLevel.INFO,
        tracing,
        retryAttempts,
        maxEventAge,
        onFailure: this.deadLetterQueue && new destinations.SqsDestination(this.deadLetterQueue),
        environment: {
          // Stack traces point into the TypeScript sources through the bundle's
          // source map. The caller's environment may replace it.
          NODE_OPTIONS: '--enable-source-maps',
          ...props.environment,
          // Not overridable: the alarms' metric dimensions depend on them.
          [BatonEnv.tableName]: props.table.tableName,
          [BatonEnv.leaseName]: this.leaseName,
          [BatonEnv.serviceName]: this.serviceName,
          [BatonEnv.metricsNamespace]: this.metricsNamespace,
        },
        bundling: {
          // NodejsFunction bundles with the project's esbuild (checked above),
          // locally: no Docker.
          format: nodejs.OutputFormat.ESM,
          // Prefer packages' ESM builds; CommonJS dependencies still call
          // `require`, which an ES module lacks, hence the banner.
          mainFields: ['module', 'main'],
          banner:
            "import { createRequire as __batonCreateRequire } from 'node:module'; const require = __batonCreateRequire(import.meta.url);",
          minify: true,
          // Readable stack traces; Baton's errors carry literal names either way.
          keepNames: true,
          sourceMap: true,
          sourceMapMode: nodejs.SourceMapMode.DEFAULT,
          sourcesContent: false,
          // Pin the AWS SDK to the version the tests ran against instead of
          // whatever the runtime ships this month.
          bundleAwsSDK: true,
        },
      });
      if (tracing !== lambda.Tracing.DISABLED) {
        Validations.of(this.role).acknowledge({
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason:
            'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level ' +
            'permissions, so AWS requires Resource "*".',
        });
      }

      // One group per singleton: the scheduler role's trust policy names it, so
      // no other schedule in the account can borrow the role. DESTROY: its
      // generated name is deterministic, so a retained group would block
      // redeploying the stack after a delete, and it holds only our schedules.
      this.scheduleGroup = new scheduler.ScheduleGroup(this, 'ScheduleGroup', { removalPolicy: RemovalPolicy.DESTROY });
      this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
        description: `EventBridge Scheduler invoking the Baton cron singleton for lease ${this.leaseName}`,
        assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
          conditions: {
            StringEquals: {
              'aws:SourceAccount': stack.account,
              'aws:SourceArn': this.scheduleGroup.scheduleGroupArn,
            },
          },
        }),
      });
      this.schedulerRole.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.lambdaFunction.functionArn] }),
      );
      // Scheduler writes undeliverable ticks to the dead-letter queue as this role.
      this.deadLetterQueue?.grantSendMessages(this.schedulerRole);

      const schedules: scheduler.Schedule[] = [];
      for (let contender = 1; contender <= this.contenders; contender++) {
        const schedule = new scheduler.Schedule(this, `Contender${contender}`, {
          schedule: props.schedule,
          scheduleGroup: this.scheduleGroup,
          description: `Baton contender ${contender} of ${this.contenders} for lease ${this.leaseName}`,
          // Every contender fires at the tick itself: they race, they do not take turns.
          timeWindow: scheduler.TimeWindow.off(),
          target: new LambdaScheduleTarget(this.lambdaFunction, {
            role: this.schedulerRole,
            maxEventAge,
            input: scheduledEvent(stack, contender),
            deadLetterQueue: this.deadLetterQueue,
          }),
        });
        // The schedule names its group by a plain string, so CloudFormation
        // would not otherwise know to create the group first.
        schedule.node.addDependency(this.scheduleGroup);
        schedules.push(schedule);
      }
      this.schedules = schedules;

      if (props.createAlarms ?? true) {
        this.alarms = new CronSingletonAlarms(this, 'Alarms', {
          singleton: this,
          ...props.alarms,
          alarmTopic: props.alarmTopic,
          runbookUrl,
        });
        warnWithoutAlarmTopic(
          this,
          props.alarmTopic,
          'CronSingleton',
          'The alarms of this CronSingleton and of its table',
          'ticks are missed or jobs fail',
        );
        props.table.addAlarms({
          throttledRequests: props.alarms?.tableThrottledRequests,
          systemErrors: props.alarms?.tableSystemErrors,
          alarmTopic: props.alarmTopic,
          runbookUrl,
        });
      }
      if (props.dashboard ?? false) {
        this.dashboard = new CronSingletonDashboard(this, 'Dashboard', { singleton: this });
      }
    } catch (error) {
      throw atConstructPath(this, error);
    }
  }

  /**
   * A Baton metric of this singleton: namespace `metricsNamespace` (`Baton` by default), dimensions
   * `service` (the Powertools service name) and `LeaseName`.
   *
   * Default: Sum over 5 minutes.
   */
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return leaseMetric(this, metricName, props);
  }

  /** Ticks on which a leader ran the job. Default: Sum over 5 minutes. */
  metricLeaderRun(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(BatonMetric.LeaderRun, props);
  }

  /** Races won. Default: Sum over 5 minutes. */
  metricLeaseAcquired(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(BatonMetric.LeaseAcquired, props);
  }

  /** Races lost to a current holder. Default: Sum over 5 minutes. */
  metricLeaseContended(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(BatonMetric.LeaseContended, props);
  }

  /** Leases taken from a holder whose tenure expired unreleased. Default: Sum over 5 minutes. */
  metricLeaseTakeover(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(BatonMetric.LeaseTakeover, props);
  }

  /** Invocations that found their tick already done. Default: Sum over 5 minutes. */
  metricTickDuplicateSkipped(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(BatonMetric.TickDuplicateSkipped, props);
  }

  /** Leaders that learned they had lost the lease. Default: Sum over 5 minutes. */
  metricLeaseLost(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(BatonMetric.LeaseLost, props);
  }

  /** Fenced writes refused for a stale token. Default: Sum over 5 minutes. */
  metricStaleWriteRejected(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(BatonMetric.StaleWriteRejected, props);
  }

  /** Jobs that threw. Default: Sum over 5 minutes. */
  metricJobFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(BatonMetric.JobFailed, props);
  }

  /** Latency of the acquire request, in milliseconds. Default: p99 over 5 minutes. */
  metricAcquireLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(BatonMetric.AcquireLatency, { statistic: cloudwatch.Stats.p(99), ...props });
  }
}

/**
 * The event each contender receives: shaped like an EventBridge scheduled
 * event, whose `time` is the tick. `<aws.scheduler.scheduled-time>` is the
 * tick's nominal time, identical for every contender and every retry, which
 * is what lets the lease dedupe them.
 */
function scheduledEvent(stack: Stack, contender: number): scheduler.ScheduleTargetInput {
  return scheduler.ScheduleTargetInput.fromObject({
    version: '0',
    id: scheduler.ContextAttribute.executionId,
    'detail-type': 'Scheduled Event',
    source: 'aws.scheduler',
    account: stack.account,
    time: scheduler.ContextAttribute.scheduledTime,
    region: stack.region,
    resources: [scheduler.ContextAttribute.scheduleArn],
    detail: { contender, attempt: scheduler.ContextAttribute.attemptNumber },
  });
}

/**
 * The queue for ticks that failed for good. SQS-managed encryption: Scheduler
 * and Lambda's destinations can write to it with no key policy to keep. The
 * longest retention SQS allows, so a failure over a long weekend is still there.
 */
function newDeadLetterQueue(scope: Construct): sqs.Queue {
  const queue = new sqs.Queue(scope, 'DeadLetterQueue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      'This queue is itself the dead-letter queue of the schedules and the function; a dead-letter ' +
      'queue of a dead-letter queue would only move the same messages.',
  });
  return queue;
}
