import { fileURLToPath } from 'node:url';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { CronSingleton, type CronSingletonProps } from '../../lib/cdk/cron-singleton.js';
import { type ILeaseTable, LeaseTable } from '../../lib/cdk/lease-table.js';

/** A stand-in job module: `NodejsFunction` needs an entry that exists even when bundling is skipped. */
export const FIXTURE_ENTRY = fileURLToPath(new URL('./fixtures/fixture-job.ts', import.meta.url));

/**
 * App context that skips asset bundling for every stack, so template tests
 * cost no esbuild run. Only the bundle tests bundle.
 */
export const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

export function testStack(): { app: App; stack: Stack } {
  const app = new App({ context: SKIP_BUNDLING });
  return { app, stack: new Stack(app, 'Test') };
}

/**
 * A singleton with the fixture entry and the given overrides, in a fresh
 * stack; pass a function to build overrides (a topic, say) in that stack.
 */
export function testSingleton(
  overrides: Partial<CronSingletonProps> | ((stack: Stack) => Partial<CronSingletonProps>) = {},
): { stack: Stack; table: ILeaseTable; singleton: CronSingleton } {
  const { stack } = testStack();
  const props = typeof overrides === 'function' ? overrides(stack) : overrides;
  const table = props.table ?? new LeaseTable(stack, 'Leases');
  const singleton = new CronSingleton(stack, 'Job', {
    leaseName: 'reports/nightly',
    schedule: scheduler.ScheduleExpression.rate(Duration.minutes(1)),
    entry: FIXTURE_ENTRY,
    ...props,
    table,
  });
  return { stack, table, singleton };
}

/** A template value as text: `Fn::Join` parts joined, other intrinsics shown as `{…}`. */
export function text(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(text).join(join[0]);
  return '{…}';
}

/** A CloudFormation resource as the assertions module returns it. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
}

/** The alarms of a template, keyed by logical id. */
export function alarms(template: import('aws-cdk-lib/assertions').Template): Record<string, CfnResource> {
  return template.findResources('AWS::CloudWatch::Alarm') as Record<string, CfnResource>;
}
