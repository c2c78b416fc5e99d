import { App, Duration, Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { CronSingleton, ElectorAlarms, LeaseTable } from 'baton-lease/cdk';
declare const myFunction: lambda.IFunction;
declare const pager: sns.ITopic;
export class ExampleStack extends Stack {
  constructor() {
    super(new App(), 'Example');
// DOC EXAMPLE
  }
}
