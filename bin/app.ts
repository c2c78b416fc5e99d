#!/usr/bin/env -S npx tsx
/**
 * The CDK app `cdk.json` runs (`npx cdk synth`): the README's "Deploying with
 * CDK" example in a stack, with bin/nightly-report.ts as its job. The lab's
 * demo stack is lab/jobs/demo-app.ts (`npm run synth -w baton-lab`).
 */
import { App, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import { LeaseTable, CronSingleton } from 'baton-lease/cdk';

class NightlyReportStack extends Stack {
  constructor(scope: App, id: string) {
    super(scope, id);
    const table = new LeaseTable(this, 'Leases'); // pk/sk, on-demand, PITR, TTL on `ttl`, RETAIN
    const alarmTopic = new sns.Topic(this, 'Alarms'); // subscribe your pager or email to it
    new CronSingleton(this, 'NightlyReport', {
      table,
      leaseName: 'reports/nightly',
      schedule: scheduler.ScheduleExpression.cron({ hour: '3', minute: '0', timeZone: TimeZone.EUROPE_BERLIN }),
      entry: 'bin/nightly-report.ts', // exports `handler = createSingletonHandler({ job })`
      contenders: 2, // invocations racing per tick; one runs the job
      timeout: Duration.minutes(2),
      alarmTopic, // without it the alarms notify nobody (synth warns)
      dashboard: true,
    });
  }
}

new NightlyReportStack(new App(), 'NightlyReport');
