import { App, Stack } from 'aws-cdk-lib';
class ReadmeStack extends Stack {
  constructor() {
    super(new App(), 'Readme');
// README BLOCK
  }
}
new ReadmeStack();
