import { resolve } from 'node:path';
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BatonDemoStack } from './demo-stack.js';

/**
 * Options of `createDemoApp`.
 */
export interface DemoAppOptions extends AppProps {
  /**
   * The job module.
   *
   * @default - the example job, `lab/jobs/example-job.ts`
   */
  readonly entry?: string;
}

/**
 * The lab's CDK app: the demo stack, checked by cdk-nag's
 * AwsSolutions pack during synthesis. Shared with the tests, so what they
 * check is what `npx cdk synth` builds.
 *
 * The stack is environment-agnostic (no account or region): it needs no
 * lookups, so it synthesizes offline with no credentials, and `cdk deploy`
 * deploys it to whatever account and region the caller's credentials name.
 * Context `alarmEmail` subscribes an address to the alarm topic; context
 * `entry` deploys another job module instead of the example job.
 */
export function createDemoApp(options: DemoAppOptions = {}): { app: App; stack: BatonDemoStack } {
  const { entry, ...appProps } = options;
  const app = new App(appProps);
  const alarmEmail: unknown = app.node.tryGetContext('alarmEmail');
  const entryContext: unknown = app.node.tryGetContext('entry');
  const stack = new BatonDemoStack(app, 'BatonDemo', {
    entry: entry ?? (typeof entryContext === 'string' && entryContext !== '' ? resolve(entryContext) : undefined),
    alarmEmail: typeof alarmEmail === 'string' && alarmEmail !== '' ? alarmEmail : undefined,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}
