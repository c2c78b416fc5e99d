// baton-lease/testing: DynamoDB Local and helpers for Baton's tests and users' tests.
// Named exports only: what is not listed here (the fault proxy, the Java
// runtime checks) is internal to this repository and may change at any time.
export { startDynamoDBLocal, DYNAMODB_LOCAL_DEFAULTS, type StartDynamoDBLocalOptions, type DynamoDBLocal } from './dynamodb-local.js';
export { JavaRuntimeError, type JavaRuntimeProblem } from './java-runtime.js';
export { localDynamoDBClient, LOCAL_REGION, LOCAL_CREDENTIALS } from './local-client.js';
export { FakeClock } from './fake-clock.js';
export { lambdaContext, scheduledEvent, type LambdaContextOptions } from './lambda-context.js';
export { countRequests, type RequestCounter } from './request-counter.js';
