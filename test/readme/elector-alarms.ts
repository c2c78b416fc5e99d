import { App, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
class ReadmeStack extends Stack {
  constructor() {
    super(new App(), 'Readme');
    const alarmTopic = new sns.Topic(this, 'Alarms'); // the topic of the CDK example above
// README BLOCK
  }
}
new ReadmeStack();
