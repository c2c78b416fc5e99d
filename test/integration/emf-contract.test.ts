import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CronSingleton } from '../../lib/cdk/cron-singleton.js';
import { LeaseTable } from '../../lib/cdk/lease-table.js';
import {
  BatonEnv,
  BatonMetric,
  createLeaseTable,
  fencedUpdate,
  LeaseClient,
  StaleTokenError,
} from '../../lib/runtime/index.js';
import { FakeClock, lambdaContext, scheduledEvent } from '../../lib/testing/index.js';
import { createSingletonHandler, type SingletonHandlerOptions } from '../../lambda/cron-singleton.js';
import { testClient, uniqueTableName } from '../support/dynamodb.js';

/**
 * The metrics the construct's alarms and dashboard watch must be exactly the
 * ones the handler emits: same namespace, name and complete dimension set
 * (CloudWatch matches on all three; a mismatch is an alarm stuck at "no
 * data"). This test synthesizes a `CronSingleton`, runs the real handler with
 * the environment the construct gives its function, captures the EMF lines
 * Powertools prints on stdout, and compares.
 */

/** A CloudWatch metric identity: what an alarm or a graph must name to find data. */
interface MetricId {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

const key = (m: MetricId) =>
  JSON.stringify([m.namespace, m.name, Object.entries(m.dimensions).sort(([a], [b]) => a.localeCompare(b))]);

/** Metrics under AWS/… namespaces are AWS's own (Lambda, DynamoDB); every other one is the handler's to emit. */
const isBatons = (m: MetricId) => !m.namespace.startsWith('AWS/');

/** A template value as text, intrinsics replaced by a marker that never equals an emitted value. */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(flatten).join(join[0]);
  return '<token>';
}

interface CfnMetric {
  readonly Namespace: string;
  readonly MetricName: string;
  readonly Dimensions?: readonly { Name: string; Value: unknown }[];
}

const metricId = (m: CfnMetric): MetricId => ({
  namespace: m.Namespace,
  name: m.MetricName,
  dimensions: Object.fromEntries((m.Dimensions ?? []).map((d) => [d.Name, flatten(d.Value)])),
});

/** Every metric an alarm reads: its one metric, or each metric of its math expression. */
function alarmMetrics(template: Template): MetricId[] {
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as {
    Properties: CfnMetric & { Metrics?: { MetricStat?: { Metric: CfnMetric } }[] };
  }[];
  return alarms.flatMap(({ Properties: p }) =>
    p.Metrics ? p.Metrics.flatMap((q) => (q.MetricStat ? [metricId(q.MetricStat.Metric)] : [])) : [metricId(p)],
  );
}

/** Every metric of every graph of every dashboard, from the rendered body. */
function dashboardMetrics(template: Template): MetricId[] {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as {
    Properties: { DashboardBody: unknown };
  }[];
  return dashboards.flatMap(({ Properties }) => {
    const body = JSON.parse(flatten(Properties.DashboardBody)) as {
      widgets: { properties: { metrics?: unknown[][] } }[];
    };
    return body.widgets.flatMap((w) =>
      // A row that starts with an options object is a math expression; its inputs are rows of their own.
      (w.properties.metrics ?? [])
        .filter((row) => typeof row[0] === 'string')
        .map((row) => {
          const fields = row.filter((f): f is string => typeof f === 'string');
          if (fields.includes('.') || fields.includes('...'))
            throw new Error('dashboard metric shorthand: extend this test to expand it');
          const [namespace, name, ...dims] = fields as [string, string, ...string[]];
          const dimensions: Record<string, string> = {};
          for (let i = 0; i < dims.length; i += 2) dimensions[dims[i]!] = dims[i + 1]!;
          return { namespace, name, dimensions };
        }),
    );
  });
}

/** The metrics of the EMF lines among `lines` (others are log lines), each with every dimension set it is emitted under. */
function emittedMetrics(lines: readonly string[]): MetricId[] {
  const out: MetricId[] = [];
  for (const line of lines) {
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const aws = doc['_aws'] as
      { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] } | undefined;
    for (const directive of aws?.CloudWatchMetrics ?? []) {
      for (const set of directive.Dimensions) {
        const dimensions = Object.fromEntries(set.map((d) => [d, String(doc[d])]));
        for (const m of directive.Metrics) out.push({ namespace: directive.Namespace, name: m.Name, dimensions });
      }
    }
  }
  return out;
}

function missing(watched: readonly MetricId[], emitted: readonly MetricId[]): MetricId[] {
  const have = new Set(emitted.map(key));
  return watched.filter((m) => isBatons(m) && !have.has(key(m)));
}

// The singleton under test: alarms and dashboard on, a service name and a metric namespace of its own.
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = new Stack(app, 'EmfContract');
const singleton = new CronSingleton(stack, 'Job', {
  table: new LeaseTable(stack, 'Leases'),
  leaseName: 'reports/nightly',
  serviceName: 'nightly-reports',
  metricsNamespace: 'Acme/Nightly',
  schedule: scheduler.ScheduleExpression.rate(Duration.minutes(1)),
  entry: new URL('../cdk/fixtures/fixture-job.ts', import.meta.url).pathname,
  timeout: Duration.seconds(30),
  dashboard: true,
});
const template = Template.fromStack(stack);
const functionEnv = (
  template.findResources('AWS::Lambda::Function')[
    stack.getLogicalId(singleton.lambdaFunction.node.defaultChild as never)
  ] as {
    Properties: { Environment: { Variables: Record<string, unknown> } };
  }
).Properties.Environment.Variables;

const client = testClient();
const tableName = uniqueTableName('emf');
const TICK = Date.parse('2026-11-26T06:00:00Z');

/** stdout, line by line, while the handler runs: Powertools prints EMF there (and so does its logger). */
const stdout: string[] = [];

beforeAll(async () => {
  await createLeaseTable(client, tableName);
  // The function's environment as the construct wrote it; the table's name is a
  // CloudFormation reference there, so the local table stands in for it.
  for (const [name, value] of Object.entries(functionEnv))
    vi.stubEnv(name, typeof value === 'string' ? value : '<token>');
  vi.stubEnv(BatonEnv.tableName, tableName);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
  // The logger's warnings and errors (the failing job's, on purpose) are not this test's business.
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});

afterAll(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  client.destroy();
});

/** The handler as the function runs it: configured by its environment alone, default Powertools metrics and logger. */
function handler(job: SingletonHandlerOptions['job'], extra: Partial<SingletonHandlerOptions> = {}) {
  return createSingletonHandler({ client, job, ...extra });
}

describe('the metrics CronSingleton watches', () => {
  it('are all emitted by the handler, with the same namespace, name and dimensions', async () => {
    const leaseName = process.env[BatonEnv.leaseName]!;
    const ok = handler(async () => 'done');
    // A leader runs tick 1 (LeaseAcquired, AcquireLatency, LeaderRun); a redelivery finds it done.
    await expect(ok(scheduledEvent(TICK), lambdaContext())).resolves.toMatchObject({ status: 'ran' });
    await expect(ok(scheduledEvent(TICK), lambdaContext())).resolves.toMatchObject({
      status: 'skipped',
      reason: 'tick-done',
    });
    // Another holder has the lease: LeaseContended.
    const other = await new LeaseClient({ tableName, client, holderName: 'other' }).tryAcquire(leaseName, {
      durationMs: 30_000,
    });
    if (!other.acquired) throw new Error('setup must hold the lease');
    await expect(ok(scheduledEvent(TICK + 60_000), lambdaContext())).resolves.toMatchObject({
      status: 'skipped',
      reason: 'held',
    });
    await other.lease.release();
    // The job throws: JobFailed.
    await expect(
      handler(async () => Promise.reject(new Error('downstream unavailable')))(
        scheduledEvent(TICK + 60_000),
        lambdaContext(),
      ),
    ).rejects.toThrow();
    // A paused leader is taken over (LeaseTakeover); on resuming, its fenced write is
    // refused (StaleWriteRejected) and its release finds the lease gone (LeaseLost).
    const clock = new FakeClock(Date.now());
    let resume!: () => void;
    const paused = new Promise<void>((r) => (resume = r));
    let reachedPause!: () => void;
    const atPause = new Promise<void>((r) => (reachedPause = r));
    const write = (token: number) =>
      fencedUpdate(
        client,
        {
          TableName: tableName,
          Key: { pk: leaseName, sk: 'RESOURCE' },
          UpdateExpression: 'SET #by = :by',
          ExpressionAttributeNames: { '#by': 'by' },
          ExpressionAttributeValues: { ':by': token },
        },
        token,
      );
    const oldRun = handler(
      async (ctx) => {
        reachedPause();
        await paused;
        await write(ctx.token);
      },
      { clock },
    )(scheduledEvent(TICK + 120_000), lambdaContext({ timeoutMs: 5_000, clock }));
    await atPause;
    const late = handler(async (ctx) => write(ctx.token), { clock: clock.skewed(60_000) });
    await expect(late(scheduledEvent(TICK + 180_000), lambdaContext())).resolves.toMatchObject({
      status: 'ran',
      takeover: true,
    });
    resume();
    await expect(oldRun).rejects.toBeInstanceOf(StaleTokenError);

    const watched = [...alarmMetrics(template), ...dashboardMetrics(template)].filter(isBatons);
    // Not vacuous: the dashboard graphs every Baton metric, and the alarms watch some.
    expect(new Set(watched.map((m) => m.name))).toEqual(new Set(Object.values(BatonMetric)));
    expect(alarmMetrics(template).filter(isBatons).length).toBeGreaterThan(0);
    expect(missing(watched, emittedMetrics(stdout))).toEqual([]);
  });

  it('would catch an alarm that names only part of the dimension set', () => {
    const emitted = emittedMetrics(stdout);
    const leaseOnly: MetricId = {
      namespace: 'Acme/Nightly',
      name: BatonMetric.LeaderRun,
      dimensions: { LeaseName: 'reports/nightly' },
    };
    const right: MetricId = { ...leaseOnly, dimensions: { service: 'nightly-reports', LeaseName: 'reports/nightly' } };
    expect(missing([right], emitted)).toEqual([]);
    expect(missing([leaseOnly], emitted)).toEqual([leaseOnly]);
    expect(missing([{ ...right, namespace: 'Baton' }], emitted)).toHaveLength(1);
  });
});
