// baton-lease/testing: DynamoDB Local and helpers for Baton's tests and users' tests.
export * from './dynamodb-local.js';
export * from './java-runtime.js';
export * from './local-client.js';
export * from './fake-clock.js';
export * from './lambda-context.js';
export * from './fault-proxy.js';
export * from './request-counter.js';
