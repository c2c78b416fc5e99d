import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, ScheduledEvent } from 'aws-lambda';
import {
  BATON_METRIC_UNITS,
  BatonEnv,
  BatonMetric,
  DEFAULT_SERVICE_NAME,
  LeaseClient,
  METRICS_NAMESPACE,
  MetricDimension,
  SingletonHandlerMargins,
  type BatonMetricName,
  LeaseError,
  LeaseValidationError,
  StaleTokenError,
  type AnyDynamoDBClient,
  type Clock,
  type Lease,
  type LeaseEvent,
  type LeaseStore,
  type LeaseClientSettings,
  type RandomSource,
  type StepFunction,
} from '../lib/runtime/index.js';
import { resolveClientOptions } from '../lib/runtime/options.js';
import {
  describeValue,
  validateLeaseName,
  validateMs,
  validateObject,
  validateTableName,
} from '../lib/runtime/validate.js';
import { validateStepRetention } from '../lib/runtime/steps.js';

/** What a job receives for one scheduled tick it leads. */
export interface SingletonJobContext {
  readonly lease: Lease;
  /** The fencing token: pass it to every write (`fencedUpdate`, `withFence`). */
  readonly token: number;
  /** Aborts before the function would time out, or when the lease is lost: stop then. */
  readonly signal: AbortSignal;
  /** The tick, `event.time` in epoch ms. */
  readonly tick: number;
  /** This invocation's own child of the handler's logger: its request id, `leaseName` and `tick` (epoch ms) on every line. */
  readonly logger: Logger;
  readonly metrics: Metrics;
  /**
   * Durable, fenced steps of this tick: a step recorded by an earlier
   * invocation of the tick is replayed, not run again (docs/protocol.md#steps).
   */
  readonly step: StepFunction;
}

/**
 * Options of `createSingletonHandler`. Everything else comes from the standard
 * environment. `T` is what the job returns; it reaches the result as `value`.
 */
export interface SingletonHandlerOptions<T = unknown> {
  /** The job to run at most once per tick. */
  readonly job: (context: SingletonJobContext) => Promise<T>;
  /** @default process.env.BATON_LEASE_NAME, read at the first invocation (so a test may set it after importing the handler) */
  readonly leaseName?: string;
  /** The lease table. Not used with `store`. @default process.env.BATON_TABLE_NAME, read at the first invocation */
  readonly tableName?: string;
  /**
   * Another `LeaseStore` in place of the DynamoDB table, e.g. an
   * `InMemoryLeaseStore` to test a job without DynamoDB. Excludes
   * `tableName` and `client`.
   *
   * @default - the DynamoDB table `tableName`, through `client`
   */
  readonly store?: LeaseStore;
  /** Prefix of the owner ids this handler writes. @default `<hostname>:<pid>` */
  readonly holderName?: string;
  /** The lease lasts the function's remaining time plus this, so it cannot expire under a live invocation. @default 1000 */
  readonly durationMarginMs?: number;
  /**
   * The job's signal aborts this long before the function's timeout, leaving
   * time to release. Half of it later, the handler stops waiting for DynamoDB
   * whatever the network does: a release still unanswered is aborted and
   * reported as `released: false`. @default 1000
   */
  readonly abortMarginMs?: number;
  /**
   * Not used with `store`. A client of your own should have a request timeout
   * (`requestHandler: { requestTimeout, throwOnRequestTimeout: true }`); the
   * handler settles in time without one, but a hung request then holds its
   * socket until the environment is recycled.
   * @default a DynamoDBClient from the standard environment (AWS_REGION,
   * AWS_ENDPOINT_URL_DYNAMODB) whose connection and request timeouts are
   * `abortMarginMs / 2`, kept between 100 ms and 2 s
   */
  readonly client?: AnyDynamoDBClient;
  /** Each invocation logs through its own `logger.createChild()`. @default a Powertools Logger */
  readonly logger?: Logger;
  /** @default Powertools Metrics, namespace `POWERTOOLS_METRICS_NAMESPACE` or `Baton` */
  readonly metrics?: Metrics;
  /**
   * How long step records stay in the table, in ms (at least a minute): keep
   * it beyond every retry of a tick. @default 604800000 (7 days)
   */
  readonly stepRetentionMs?: number;
  /** Passed to `LeaseClient`. */
  readonly maxClockSkewMs?: number;
  readonly safetyMarginMs?: number;
  readonly clock?: Clock;
  readonly random?: RandomSource;
}

/** What one invocation did. Also logged. `value` is what the job returned. */
export type SingletonResult<T = unknown> =
  | {
      readonly status: 'ran';
      readonly tick: number;
      readonly token: number;
      readonly takeover: boolean;
      readonly released: boolean;
      readonly value: T;
    }
  | {
      readonly status: 'skipped';
      readonly tick: number;
      readonly reason: 'held' | 'tick-done';
      readonly holder?: string;
      readonly expiresAt?: number;
      readonly token?: number;
    };

const DEFAULTS = SingletonHandlerMargins;

/**
 * A Lambda handler for EventBridge scheduled events that runs `job` at most
 * once at a time and at most once per tick (`event.time`), however many
 * invocations a tick gets. A follower costs one request and returns at once.
 * On success the lease is released with `lastTick`; on failure without it,
 * and the error is rethrown so Lambda counts it and a retry may run the tick.
 *
 * @example
 * ```ts
 * export const handler = createSingletonHandler({
 *   job: async ({ token, signal }) => { await rebuildIndex({ token, signal }); },
 * });
 * ```
 */
export function createSingletonHandler<T = unknown>(
  options: SingletonHandlerOptions<T>,
): (event: ScheduledEvent, context: Context) => Promise<SingletonResult<T>> {
  validateObject('options', options);
  if (typeof options.job !== 'function') throw new LeaseValidationError('job', 'must be a function');
  const durationMarginMs = validateMs('durationMarginMs', options.durationMarginMs ?? DEFAULTS.durationMarginMs, {
    min: 0,
    max: 60_000,
  });
  const abortMarginMs = validateMs('abortMarginMs', options.abortMarginMs ?? DEFAULTS.abortMarginMs, {
    min: 1,
    max: 60_000,
  });
  const stepRetentionMs = validateStepRetention(options.stepRetentionMs);
  for (const [field, value, methods] of [
    ['logger', options.logger, ['addContext', 'appendKeys', 'createChild', 'info', 'warn', 'error']],
    ['metrics', options.metrics, ['setDefaultDimensions', 'addMetric', 'publishStoredMetrics']],
  ] as const) {
    const missing =
      value === undefined
        ? undefined
        : methods.find((method) => typeof (value as unknown as Record<string, unknown>)?.[method] !== 'function');
    if (missing !== undefined)
      throw new LeaseValidationError(
        field,
        `must be a Powertools ${field === 'logger' ? 'Logger' : 'Metrics'} (it has no ${missing}())`,
      );
  }
  if (options.store !== undefined) {
    for (const field of ['tableName', 'client'] as const) {
      if (options[field] !== undefined)
        throw new LeaseValidationError(field, 'must not be given with store: the store replaces the table');
    }
  }
  // Options given in code are checked now; what the environment supplies, at the first invocation.
  if (options.leaseName !== undefined) validateLeaseName('leaseName', options.leaseName);
  if (options.tableName !== undefined) validateTableName('tableName', options.tableName);
  resolveClientOptions({ ...clientSettings(options), store: options.store ?? NO_STORE_YET });
  // Past this point before the function's timeout the handler stops waiting for
  // DynamoDB; the other half of the margin is left for the job to wind down.
  const settleMarginMs = Math.ceil(abortMarginMs / 2);
  // What the environment configures is read when the first invocation arrives, not at
  // import: a test imports the handler first and sets the environment once its table exists.
  let configured: Configured | undefined;
  const configure = (): Configured => (configured ??= configureFromEnvironment(options, abortMarginMs));

  return async (event, context) => {
    const time: unknown = event?.time;
    const tick = typeof time === 'string' ? Date.parse(time) : NaN;
    if (!Number.isFinite(tick))
      throw new LeaseValidationError('event.time', `must be an ISO-8601 time, got ${describeValue(time)}`);
    const remainingMs = remainingTime(context);
    const { leaseName, leases, metrics, logger: handlerLogger } = configure();
    const { clock } = leases.options;
    // One child per invocation: concurrent invocations in one process must not share request ids or keys.
    const logger = handlerLogger.createChild();
    logger.addContext(context);
    // The tick as the job receives it and the lease records it (`lastTick`): epoch ms (docs/decisions/handler-testing.md).
    logger.appendKeys({ leaseName, tick });
    const giveUp = new AbortController();
    const finished = new AbortController();
    try {
      const deadlineMs = remainingMs - abortMarginMs;
      if (deadlineMs <= 0)
        throw new LeaseValidationError(
          'context',
          `leaves ${remainingMs} ms, less than abortMarginMs (${abortMarginMs})`,
        );
      // Not keeping the process alive: it serves this invocation only while something else still runs.
      clock.sleep(remainingMs - settleMarginMs, finished.signal, { keepAlive: false }).then(
        () =>
          giveUp.abort(new LeaseError(`no answer from DynamoDB ${settleMarginMs} ms before the function's timeout`)),
        () => undefined,
      );
      const durationMs = remainingMs + durationMarginMs;
      let takeover = false;
      const result = await leases.runAsLeader(
        leaseName,
        async (lease, { step }) => {
          takeover = lease.takeover;
          logger.info('leading', { token: lease.token, holder: lease.holder, takeover });
          try {
            return await options.job({ lease, token: lease.token, signal: lease.signal, tick, logger, metrics, step });
          } catch (error) {
            if (error instanceof StaleTokenError) {
              count(metrics, BatonMetric.StaleWriteRejected);
              logger.warn('a write was refused: a newer leader has written', {
                token: error.token,
                fence: error.fence,
              });
            } else {
              count(metrics, BatonMetric.JobFailed);
              logger.error('job failed', { error: error as Error });
            }
            throw error;
          }
        },
        {
          durationMs,
          // The lease outlives the invocation already; a renew mid-run only detects loss early.
          renewEveryMs: Math.max(1, Math.floor((durationMs - leases.options.safetyMarginMs - 1) / 2)),
          deadlineMs,
          requestSignal: giveUp.signal,
          tick,
          stepRetentionMs,
          metadata: {
            function: context.functionName,
            requestId: context.awsRequestId,
            ...(process.env['AWS_REGION'] ? { region: process.env['AWS_REGION'] } : {}),
          },
        },
      );
      if (!result.led) {
        const { current, reason } = result;
        if (reason === 'tick-done') logger.info('tick already done; skipping', { lastTick: current?.lastTick });
        else
          logger.info('lease held by another invocation; skipping', {
            holder: current?.holder,
            expiresAt: current?.expiresAt,
            token: current?.token,
          });
        return {
          status: 'skipped',
          tick,
          reason,
          ...(current?.holder ? { holder: current.holder } : {}),
          ...(current ? { expiresAt: current.expiresAt, token: current.token } : {}),
        };
      }
      count(metrics, BatonMetric.LeaderRun);
      if (!result.released)
        logger.warn('lease not released; it expires by itself', { error: result.releaseError as Error });
      logger.info('tick done', { token: result.token, released: result.released });
      return { status: 'ran', tick, token: result.token, takeover, released: result.released, value: result.value };
    } finally {
      finished.abort();
      metrics.publishStoredMetrics();
    }
  };
}

/** What the handler builds from its options and the environment, once, at the first invocation. */
interface Configured {
  readonly leaseName: string;
  readonly leases: LeaseClient;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** Reads BATON_LEASE_NAME, BATON_TABLE_NAME and the service name, and builds the client, logger and metrics. */
function configureFromEnvironment(options: SingletonHandlerOptions<unknown>, abortMarginMs: number): Configured {
  const leaseName = validateLeaseName(
    options.leaseName === undefined ? BatonEnv.leaseName : 'leaseName',
    options.leaseName ?? orMissing(process.env[BatonEnv.leaseName], 'leaseName', BatonEnv.leaseName),
  );
  const target = storeOrTable(options, abortMarginMs);
  const serviceName = process.env[BatonEnv.serviceName] ?? DEFAULT_SERVICE_NAME;
  const logger = options.logger ?? new Logger({ serviceName });
  // The construct sets the namespace its alarms watch (its metricsNamespace prop).
  const metrics =
    options.metrics ??
    new Metrics({ namespace: process.env[BatonEnv.metricsNamespace] || METRICS_NAMESPACE, serviceName });
  metrics.setDefaultDimensions({ [MetricDimension.leaseName]: leaseName });
  const leases = new LeaseClient({
    ...target,
    ...clientSettings(options),
    onEvent: (event) => recordEvent(metrics, event),
  });
  return { leaseName, leases, logger, metrics };
}

/** The `LeaseClient` settings among the handler's options. */
function clientSettings(options: SingletonHandlerOptions<unknown>): LeaseClientSettings {
  return {
    ...(options.holderName === undefined ? {} : { holderName: options.holderName }),
    ...(options.maxClockSkewMs === undefined ? {} : { maxClockSkewMs: options.maxClockSkewMs }),
    ...(options.safetyMarginMs === undefined ? {} : { safetyMarginMs: options.safetyMarginMs }),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.random ? { random: options.random } : {}),
  };
}

/** Stands in for the table while the settings are checked at creation; never sent a request. */
const NO_STORE_YET = {} as LeaseStore;

/** The invocation's remaining time in whole ms, from a context checked to be a Lambda context. */
function remainingTime(context: Context): number {
  if (context === null || typeof context !== 'object' || typeof context.getRemainingTimeInMillis !== 'function') {
    throw new LeaseValidationError('context', 'must be a Lambda context (with getRemainingTimeInMillis())');
  }
  const remainingMs: unknown = context.getRemainingTimeInMillis();
  if (typeof remainingMs !== 'number' || !Number.isFinite(remainingMs)) {
    throw new LeaseValidationError(
      'context',
      `getRemainingTimeInMillis() must return a number of milliseconds, got ${describeValue(remainingMs)}`,
    );
  }
  return Math.floor(remainingMs);
}

function orMissing(value: string | undefined, field: string, env: string): string {
  if (value === undefined || value === '') throw new LeaseValidationError(field, `must be given, or ${env} set`);
  return value;
}

/** The lease store: `store`, or the DynamoDB table by name through `client` (made once per execution environment). */
function storeOrTable(
  options: SingletonHandlerOptions<unknown>,
  abortMarginMs: number,
): { readonly store: LeaseStore } | { readonly tableName: string; readonly client: AnyDynamoDBClient } {
  if (options.store !== undefined) return { store: options.store };
  const tableName = options.tableName ?? orMissing(process.env[BatonEnv.tableName], 'tableName', BatonEnv.tableName);
  // Created once per execution environment, so warm invocations reuse its connections.
  return { tableName, client: options.client ?? defaultClient(abortMarginMs) };
}

/**
 * Each attempt of the default client gives up after this long (connecting,
 * then waiting for the answer): half of `abortMarginMs`, so one attempt of the
 * release fits between the job's abort and the handler's own cut-off, but at
 * least 100 ms (a cold TLS connection) and at most 2 s (a DynamoDB request
 * unanswered for that long is lost; the SDK's retry does better than waiting).
 */
function defaultRequestTimeoutMs(abortMarginMs: number): number {
  return Math.min(2_000, Math.max(100, Math.ceil(abortMarginMs / 2)));
}

/** The handler's own client: the standard environment, with request timeouts that end as errors. */
function defaultClient(abortMarginMs: number): DynamoDBClient {
  const timeoutMs = defaultRequestTimeoutMs(abortMarginMs);
  // Without throwOnRequestTimeout the SDK's HTTP handler only logs a warning when requestTimeout passes.
  return new DynamoDBClient({
    requestHandler: { requestTimeout: timeoutMs, connectionTimeout: timeoutMs, throwOnRequestTimeout: true },
  });
}

/** Adds one data point of a Baton metric, in the unit the contract gives it. */
function record(metrics: Metrics, name: BatonMetricName, value: number): void {
  metrics.addMetric(name, BATON_METRIC_UNITS[name], value);
}

function count(metrics: Metrics, name: BatonMetricName): void {
  record(metrics, name, 1);
}

/** Maps the runtime's protocol events to the metrics the alarms watch. */
function recordEvent(metrics: Metrics, event: LeaseEvent): void {
  switch (event.type) {
    case 'acquired':
      count(metrics, BatonMetric.LeaseAcquired);
      record(metrics, BatonMetric.AcquireLatency, event.latencyMs);
      if (event.takeover) count(metrics, BatonMetric.LeaseTakeover);
      return;
    case 'contended':
      count(metrics, event.reason === 'tick-done' ? BatonMetric.TickDuplicateSkipped : BatonMetric.LeaseContended);
      record(metrics, BatonMetric.AcquireLatency, event.latencyMs);
      return;
    case 'lost':
      count(metrics, BatonMetric.LeaseLost);
      return;
    default:
      return;
  }
}
