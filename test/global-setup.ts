import type { TestProject } from 'vitest/node';
import { startDynamoDBLocal } from '../lib/testing/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Endpoint of the DynamoDB Local shared by the whole run (see test/support/dynamodb.ts). */
    dynamodbEndpoint: string;
  }
}

/**
 * One DynamoDB Local for the whole run: a JVM start costs seconds, while
 * tests stay independent through unique table names.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // vitest applies `test.env` to the test workers only; the SDK client that
  // checks readiness runs here, and should see the same settings (e.g. the
  // switch that silences the SDK's Node version warning).
  for (const [name, value] of Object.entries(project.config.env ?? {})) {
    process.env[name] ??= String(value);
  }
  const startedAt = performance.now();
  const db = await startDynamoDBLocal({
    // Silent unless asked: Java's warnings are noise in a passing run.
    log: process.env['BATON_DYNAMODB_LOCAL_LOG'] ? (line) => console.error(`[dynamodb-local] ${line}`) : undefined,
  });
  // One line per run: what the shared JVM cost (docs/testing.md, "Start-up, measured").
  console.log(
    `DynamoDB Local started in ${((performance.now() - startedAt) / 1000).toFixed(1)} s for the ${project.name} project`,
  );
  project.provide('dynamodbEndpoint', db.endpoint);
  return () => db.stop();
}
