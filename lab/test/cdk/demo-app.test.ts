import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { CronSingleton } from 'baton-lease/cdk';
import { createDemoApp } from '../../jobs/demo-app.js';
import { LeaseTable } from 'baton-lease/cdk';
import { FIXTURE_ENTRY, SKIP_BUNDLING } from '../../../test/cdk/cdk-test-app.js';

interface ValidationReport {
  readonly pluginReports: {
    readonly pluginName: string;
    readonly violations: { readonly ruleName: string; readonly severity: string }[];
  }[];
}

const outdirs: string[] = [];
function outdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-cdk-'));
  outdirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

/** Synthesizes `app` and returns every finding the validation plugins left unacknowledged. */
function findings(app: App): string[] {
  // An in-memory app throws when a plugin reports an error; warnings only reach the report.
  const assembly = app.synth();
  const report = JSON.parse(
    readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'),
  ) as ValidationReport;
  return report.pluginReports.flatMap((r) => r.violations.map((v) => `${r.pluginName} ${v.severity} ${v.ruleName}`));
}

describe('the demo app (lab/jobs/demo-app.ts)', () => {
  // Exactly what the demo app builds (the example job as the entry), minus the
  // esbuild run: bundle.test.ts bundles it.
  const { app, stack } = createDemoApp({ outdir: outdir(), context: SKIP_BUNDLING });

  it('passes cdk-nag AwsSolutions with zero unacknowledged findings', () => {
    expect(findings(app)).toEqual([]);
  });

  it('deploys a table, a cron singleton with 3 contenders, its alarms on a topic and a dashboard', () => {
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('AWS::Scheduler::Schedule', 3);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 10);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.allResourcesProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(1 minute)' });
  });

  it('runs the checks for real: a wildcard added to a fresh demo app fails its synth', () => {
    const control = createDemoApp({ outdir: outdir(), context: SKIP_BUNDLING });
    control.stack.singleton.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:*'], resources: ['*'] }),
    );

    expect(() => control.app.synth()).toThrow(/AwsSolutions-IAM5\[Action::dynamodb:\*\]/);
  });

  it('is environment-agnostic, so it synthesizes with no credentials', () => {
    expect(stack.resolve(stack.account)).toEqual({ Ref: 'AWS::AccountId' });
    expect(stack.resolve(stack.region)).toEqual({ Ref: 'AWS::Region' });
  });
});

describe('cdk-nag acknowledgements', () => {
  it('acknowledges the X-Ray wildcard, which AWS requires, when tracing is on, and the dead-letter queue having none of its own, and nothing else', () => {
    const app = new App({ outdir: outdir(), context: SKIP_BUNDLING });
    const stack = new Stack(app, 'Traced');
    new CronSingleton(stack, 'Job', {
      table: new LeaseTable(stack, 'Leases'),
      leaseName: 'traced',
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(1)),
      entry: FIXTURE_ENTRY,
      tracing: lambda.Tracing.ACTIVE,
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    expect(findings(app)).toEqual([]);
    const acknowledged = stack.node
      .findAll()
      .flatMap((c) =>
        c.node.metadata
          .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .map((m) => m.data as Record<string, string>),
      );
    expect(acknowledged).toEqual([
      { 'Annotation::AwsSolutions-SQS3': expect.stringMatching(/itself the dead-letter queue/) },
      { 'Annotation::AwsSolutions-IAM5[Resource::*]': expect.stringMatching(/X-Ray.*resource-level/) },
    ]);
  });
});
