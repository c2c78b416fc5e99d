import { Duration, Errors, type Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CronSingleton, LeaseTable } from '../../lib/cdk/index.js';
import { describeError, isPromisedRefusal, outcome, withoutField, withWeirdField, weird } from '../support/fuzz.js';
import { FIXTURE_ENTRY, testStack } from './cdk-test-app.js';

// The constructs' props and methods under fc.anything() and near misses of
// valid ones (docs/decisions/runtime.md, "Bad input"). A construct refuses
// bad props with a LeaseValidationError naming the prop and the construct's
// path, or with aws-cdk-lib's own validation error for what aws-cdk-lib checks
// itself; never with a TypeError from deep inside. Bundling is skipped.

const RUNS = 200;

async function typed(call: () => unknown): Promise<void> {
  const result = await outcome(call);
  if (!result.threw) return;
  const error = result.error;
  if (isPromisedRefusal(error, (e) => Errors.isConstructError(e))) return;
  throw new Error(`threw something other than a LeaseError or a construct error: ${describeError(error)}`);
}

/**
 * Valid props, or a near miss in Baton's own props (`own`: names, numbers,
 * strings, flags). Props typed by aws-cdk-lib (Duration, IGrantable,
 * MetricOptions, ScheduleExpression) stay valid: aws-cdk-lib does not check
 * their types at run time either, and Baton hands them on as they are.
 */
function ownNearMiss(valid: () => Record<string, unknown>, own: readonly string[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(0).map(valid) },
    { weight: 1, arbitrary: weird },
    { weight: 6, arbitrary: withWeirdField(valid, own) },
    { weight: 1, arbitrary: withoutField(valid, own) },
  );
}

const role = (stack: Stack) =>
  new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
const metricOptions = { period: Duration.minutes(1), statistic: 'Sum' };

describe('the CDK constructs under arbitrary props: only LeaseErrors or aws-cdk-lib construct errors', () => {
  it('new LeaseTable(scope, id, props), grantLeaseAccess, metric, fromTableName and fromTableArn', async () => {
    const props = ownNearMiss(
      () => ({ tableName: 'leases', deletionProtection: false }),
      ['tableName', 'deletionProtection'],
    );
    const grant = ownNearMiss(() => ({ leaseNames: ['reports/nightly', 'a'] }), ['leaseNames']);
    const text = fc.oneof(fc.string(), weird);
    await fc.assert(
      fc.asyncProperty(props, grant, text, text, text, async (p, g, name, byName, byArn) => {
        const { stack } = testStack();
        let table: LeaseTable | undefined;
        await typed(() => (table = new LeaseTable(stack, 'Leases', p as never)));
        if (table === undefined) return;
        const t = table;
        await typed(() => t.grantLeaseAccess(role(stack), g as never));
        await typed(() => t.metric(name as never, metricOptions));
        await typed(() => LeaseTable.fromTableName(stack, 'ByName', byName as never));
        await typed(() => LeaseTable.fromTableArn(stack, 'ByArn', byArn as never));
      }),
      { numRuns: RUNS },
    );
  });

  it('new CronSingleton(scope, id, props)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), async (seed) => {
        const { stack } = testStack();
        const table = new LeaseTable(stack, 'Leases');
        const [props] = fc.sample(
          ownNearMiss(
            () => ({
              table,
              leaseName: 'reports/nightly',
              schedule: scheduler.ScheduleExpression.rate(Duration.minutes(1)),
              entry: FIXTURE_ENTRY,
              handler: 'handler',
              contenders: 2,
              timeout: Duration.seconds(30),
              memorySize: 256,
              serviceName: 'reports',
              environment: { A: 'b' },
            }),
            ['leaseName', 'entry', 'handler', 'contenders', 'memorySize', 'serviceName', 'environment'],
          ),
          { numRuns: 1, seed },
        );
        await typed(() => new CronSingleton(stack, 'Job', props as never));
      }),
      { numRuns: RUNS },
    );
  });

  // Counterexamples the properties above found: each threw a TypeError from inside aws-cdk-lib before.
  it('refuses, naming the prop and the construct, what the properties found', () => {
    const refused = (call: () => unknown, field: string) =>
      expect(call).toThrow(expect.objectContaining({ name: 'LeaseValidationError', field }));
    const { stack } = testStack();
    const table = new LeaseTable(stack, 'Leases');
    const grantee = role(stack);
    refused(() => table.grantLeaseAccess(grantee, { leaseNames: new Date(NaN) as never }), 'leaseNames');
    refused(() => table.grantLeaseAccess(grantee, null as never), 'options');
    refused(() => LeaseTable.fromTableArn(stack, 'ByArn', 5 as never), 'tableArn');
    refused(() => LeaseTable.fromTableName(stack, 'ByName', { toString: 1 } as never), 'tableName');
    refused(() => new LeaseTable(stack, 'Other', { deletionProtection: 'no' as never }), 'deletionProtection');
    refused(() => new CronSingleton(stack, 'NoProps', undefined as never), 'props');
    const base = {
      table,
      leaseName: 'job',
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(1)),
      entry: FIXTURE_ENTRY,
    };
    refused(() => new CronSingleton(stack, 'Handler', { ...base, handler: 5 as never }), 'handler');
    refused(() => new CronSingleton(stack, 'Env', { ...base, environment: { A: 1 } as never }), 'environment');
    refused(() => new CronSingleton(stack, 'Memory', { ...base, memorySize: '256' as never }), 'memorySize');
  });
});
