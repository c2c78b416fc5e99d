// baton-lease/testing: DynamoDB Local and helpers for Baton's tests and users' tests.
// Named exports only: what is not listed here (the network fault proxy, the Java
// runtime checks) is internal to this repository and may change at any time.
export {
  startDynamoDBLocal,
  DYNAMODB_LOCAL_DEFAULTS,
  type StartDynamoDBLocalOptions,
  type DynamoDBLocal,
} from './dynamodb-local.js';
export { JavaRuntimeError, type JavaRuntimeProblem } from './java-runtime.js';
export { localDynamoDBClient, localDynamoDBEnv, LOCAL_REGION, LOCAL_CREDENTIALS } from './local-client.js';
export { FakeClock } from './fake-clock.js';
export { lambdaContext, scheduledEvent, type LambdaContextOptions } from './lambda-context.js';
export { countRequests, type RequestCounter } from './request-counter.js';
export { faultyStore, type FaultyStore, type FaultyStoreOptions } from './faulty-store.js';
export {
  NO_FAULTS,
  type FaultProfile,
  type ForcedFault,
  type InjectedFault,
  type InjectedError,
} from './fault-proxy.js';
export { InMemoryFencedResource, type FencedWrite } from './in-memory-fenced-resource.js';
