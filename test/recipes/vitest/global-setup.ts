// test/global-setup.ts: one DynamoDB Local (one JVM) for the whole vitest run
import type { TestProject } from 'vitest/node';
import { startDynamoDBLocal } from 'baton-lease/testing';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}

export default async function setup(project: TestProject) {
  const db = await startDynamoDBLocal(); // 127.0.0.1, in memory, a free port
  project.provide('dynamodbEndpoint', db.endpoint);
  return () => db.stop();
}
