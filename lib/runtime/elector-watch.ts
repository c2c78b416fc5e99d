import {
  BatonEnv,
  DEFAULT_SERVICE_NAME,
  ELECTOR_GAUGE_INTERVAL_MS,
  ELECTOR_METRIC_UNITS,
  ElectorMetric,
  METRICS_NAMESPACE,
  MetricDimension,
  type ElectorMetricName,
} from './contract.js';
import type { ResolvedElectOptions } from './elect-options.js';
import { emfDocument } from './emf.js';
import { errorCause, errorDetail } from './error-cause.js';
import { LeaseError, LeaseLostError, LeaseValidationError } from './errors.js';
import { reportCallbackError } from './callbacks.js';
import { emit, type LeaseEvent } from './events.js';
import { interceptStore, type StoreOperation } from './intercept-store.js';
import type { Lease } from './lease.js';
import { LeaseClient } from './lease-client.js';
import type { LeaseRecord } from './lease-record.js';
import { validateNonEmptyString, validateObject } from './validate.js';

/**
 * Where `elect` logs: a Powertools `Logger`, `console`, or anything with
 * these three methods. Each line is a message and one object of attributes.
 */
export interface ElectLogger {
  /** Changes of leadership, and requests succeeding again after failures. */
  info(message: string, attributes?: Record<string, unknown>): void;
  /** Failed requests with their cause (rate-limited), and a lost lease. */
  warn(message: string, attributes?: Record<string, unknown>): void;
  /** A leadership callback that threw. */
  error(message: string, attributes?: Record<string, unknown>): void;
}

/** `elect`'s EMF metrics (docs/decisions/elector-observability.md). */
export interface ElectorMetricsOptions {
  /** The CloudWatch namespace. @default 'Baton' */
  readonly namespace?: string;
  /** The `service` dimension. @default process.env.POWERTOOLS_SERVICE_NAME, else 'baton' */
  readonly serviceName?: string;
  /** Receives each EMF document, one line of JSON. @default a line on stdout, as Powertools Metrics writes outside Lambda */
  readonly write?: (line: string) => void;
}

/** `ElectorMetricsOptions` with defaults applied. */
export interface ResolvedElectorMetrics {
  readonly namespace: string;
  readonly serviceName: string;
  readonly write: (line: string) => void;
}

/** While requests keep failing, one summary line at most this often (the first failure is logged at once). */
export const FAILURE_LOG_INTERVAL_MS = 30_000;

/** Checks `elect`'s `logger` option: the default JSON logger, off (`false`), or the caller's. */
export function resolveElectLogger(value: unknown, now: () => number): ElectLogger | undefined {
  if (value === false) return undefined;
  if (value === undefined) return jsonLinesLogger(now);
  for (const method of ['info', 'warn', 'error'] as const) {
    if (typeof (value as Record<string, unknown> | null)?.[method] !== 'function') {
      throw new LeaseValidationError(
        'logger',
        `must be false, or have info(), warn() and error() (a Powertools Logger, console), but it has no ${method}()`,
      );
    }
  }
  return value as ElectLogger;
}

/** Checks `elect`'s `metrics` option: off (the default, `false`), on with defaults (`true`), or options. */
export function resolveElectorMetrics(value: unknown): ResolvedElectorMetrics | undefined {
  if (value === undefined || value === false) return undefined;
  if (value !== true) validateObject('metrics', value);
  const options: ElectorMetricsOptions = value === true ? {} : (value as ElectorMetricsOptions);
  if (options.write !== undefined && typeof options.write !== 'function')
    throw new LeaseValidationError('metrics.write', 'must be a function');
  return {
    namespace: validateNonEmptyString('metrics.namespace', options.namespace ?? METRICS_NAMESPACE),
    serviceName: validateNonEmptyString(
      'metrics.serviceName',
      options.serviceName ?? (process.env[BatonEnv.serviceName] || DEFAULT_SERVICE_NAME),
    ),
    write: options.write ?? ((line) => process.stdout.write(`${line}\n`)),
  };
}

/** The default logger: one JSON object a line on stderr, keys as Powertools writes them, so log tools read both alike. */
function jsonLinesLogger(now: () => number): ElectLogger {
  const line =
    (level: string) =>
    (message: string, attributes: Record<string, unknown> = {}) =>
      void process.stderr.write(
        `${JSON.stringify({ level, message, timestamp: new Date(now()).toISOString(), ...attributes })}\n`,
      );
  return { info: line('INFO'), warn: line('WARN'), error: line('ERROR') };
}

/**
 * What one `elect` call reports: failed requests with their cause, rate
 * limited and quiet while all is well, and changes of leadership, to its
 * logger; and its EMF metrics. It sees every request through a store wrapper
 * and every protocol event through its own client's `onEvent` (which passes
 * each event on to the caller's), so the protocol code carries no logging.
 */
export class ElectorWatch {
  /** The client the elector contends through: the caller's settings and store, observed. */
  readonly leases: LeaseClient;
  readonly #o: ResolvedElectOptions;
  readonly #log: ElectLogger | undefined;
  readonly #metrics: ResolvedElectorMetrics | undefined;
  readonly #monotonic: () => number;
  readonly #base: Record<string, unknown>;
  // The current run of failed requests.
  #failed = 0;
  #failedSince = 0;
  #reportedAt = 0;
  #lastCause = '';
  // What the gauges need.
  #leading = false;
  #liveHolderNow = false;
  #liveHolderSeenAt: number;
  #counts: Record<ElectorMetricName, number[]> = emptyCounts();

  constructor(base: LeaseClient, o: ResolvedElectOptions) {
    this.#o = o;
    this.#log = o.logger;
    this.#metrics = o.metrics;
    const options = base.options;
    this.#monotonic = () => options.clock.monotonic();
    this.#liveHolderSeenAt = this.#monotonic();
    this.#base = { lease: o.name, holderName: options.holderName };
    const { store, onEvent, ...settings } = options;
    this.leases = new LeaseClient({
      ...settings,
      store: interceptStore(store, (operation, send) => this.#observe(operation, send)),
      onEvent: (event) => {
        this.#onEvent(event);
        // The callback policy's fallback, a process warning, stays for a caller without onEvent or a logger.
        if (onEvent === undefined && this.#log === undefined && event.type === 'callback-failed')
          reportCallbackError(undefined, event.name, event.callback, event.error);
        else emit(onEvent, event);
      },
    });
  }

  /** Whether `elect` needs a watch at all: logging and metrics both off means none. */
  static wanted(o: ResolvedElectOptions): boolean {
    return o.logger !== undefined || o.metrics !== undefined;
  }

  startedLeading(lease: Lease): void {
    this.#leading = true;
    this.#add(ElectorMetric.LeadershipTransitions, 1);
    this.#log?.info('elect: started leading', { ...this.#base, token: lease.token, takeover: lease.takeover });
  }

  stoppedLeading(lease: Lease): void {
    this.#leading = false;
    this.#liveHolderNow = false;
    // This elector was the live holder until now.
    this.#liveHolderSeenAt = this.#monotonic();
    const reason: unknown = lease.signal.reason;
    const why = reason instanceof Error ? reason.message : 'released';
    if (reason instanceof LeaseLostError)
      this.#log?.warn('elect: stopped leading: the lease was lost', {
        ...this.#base,
        token: lease.token,
        reason: reason.reason,
        why,
        ...this.#failureContext(),
      });
    else this.#log?.info('elect: stopped leading', { ...this.#base, token: lease.token, why });
  }

  newLeader(holder: string, current: LeaseRecord): void {
    this.#log?.info('elect: new leader observed', { ...this.#base, leader: holder, token: current.token });
  }

  /** Writes the gauges every `ELECTOR_GAUGE_INTERVAL_MS` until `stop` aborts. Nothing if metrics are off. */
  async publishUntilStopped(stop: AbortSignal): Promise<void> {
    if (this.#metrics === undefined) return;
    const { clock } = this.leases.options;
    while (!stop.aborted) {
      try {
        await clock.sleep(ELECTOR_GAUGE_INTERVAL_MS, stop);
      } catch {
        break;
      }
      this.publish();
    }
  }

  /** Writes one EMF document: the gauges as they stand, and the counts and latencies since the last one. */
  publish(): void {
    const metrics = this.#metrics;
    if (metrics === undefined) return;
    const sawNoLeaderFor = this.#leading || this.#liveHolderNow ? 0 : this.#monotonic() - this.#liveHolderSeenAt;
    const counts = this.#counts;
    this.#counts = emptyCounts();
    const values: Record<ElectorMetricName, readonly number[]> = {
      ...counts,
      [ElectorMetric.IsLeader]: [this.#leading ? 1 : 0],
      [ElectorMetric.NoLeaderSeenMs]: [Math.round(sawNoLeaderFor)],
      [ElectorMetric.LeadershipTransitions]: [sum(counts.LeadershipTransitions)],
      [ElectorMetric.ElectorRequestFailed]: [sum(counts.ElectorRequestFailed)],
    };
    const dimensions = { [MetricDimension.service]: metrics.serviceName, [MetricDimension.leaseName]: this.#o.name };
    const document = emfDocument(
      metrics.namespace,
      dimensions,
      this.leases.options.clock.now(),
      (Object.keys(ELECTOR_METRIC_UNITS) as ElectorMetricName[]).map((name) => ({
        name,
        unit: ELECTOR_METRIC_UNITS[name],
        values: values[name],
      })),
    );
    try {
      metrics.write(document);
    } catch {
      // Metrics must never change what the elector does.
    }
  }

  async #observe<T>(operation: StoreOperation, send: () => Promise<T>): Promise<T> {
    let answer: T;
    try {
      answer = await send();
    } catch (error) {
      this.#requestFailed(operation, error);
      throw error;
    }
    this.#requestSucceeded();
    return answer;
  }

  #requestFailed(operation: StoreOperation, error: unknown): void {
    this.#add(ElectorMetric.ElectorRequestFailed, 1);
    if (operation === 'acquire' || operation === 'read') this.#liveHolderNow = false;
    const now = this.#monotonic();
    this.#lastCause = errorCause(error);
    if (this.#failed++ === 0) {
      this.#failedSince = now;
      this.#reportedAt = now;
      this.#log?.warn(`elect: ${operation} failed (${this.#lastCause}); retrying`, {
        ...this.#base,
        operation,
        cause: this.#lastCause,
        detail: errorDetail(error),
      });
      return;
    }
    if (now - this.#reportedAt < FAILURE_LOG_INTERVAL_MS) return;
    this.#log?.warn(`elect: requests still failing (${this.#lastCause})`, {
      ...this.#base,
      operation,
      detail: errorDetail(error),
      ...this.#failureContext(),
    });
    this.#reportedAt = now;
  }

  #requestSucceeded(): void {
    if (this.#failed === 0) return;
    this.#log?.info('elect: requests succeed again', { ...this.#base, ...this.#failureContext() });
    this.#failed = 0;
  }

  /** The current run of failures, for a line about it; nothing while requests succeed. */
  #failureContext(): Record<string, unknown> {
    if (this.#failed === 0) return {};
    return {
      cause: this.#lastCause,
      failedRequests: this.#failed,
      failingForMs: Math.round(this.#monotonic() - this.#failedSince),
    };
  }

  #onEvent(event: LeaseEvent): void {
    switch (event.type) {
      case 'acquired':
        this.#add(ElectorMetric.ElectorAcquireLatency, Math.round(event.latencyMs));
        return;
      case 'contended': {
        this.#add(ElectorMetric.ElectorAcquireLatency, Math.round(event.latencyMs));
        const live = event.current?.holder !== undefined && event.current.expiresAt >= this.leases.options.clock.now();
        this.#liveHolderNow = live;
        if (live) this.#liveHolderSeenAt = this.#monotonic();
        return;
      }
      case 'renewed':
        this.#liveHolderSeenAt = this.#monotonic();
        return;
      case 'handoff':
        this.#log?.info('elect: handing over to a higher-priority candidate', {
          ...this.#base,
          token: event.token,
          to: event.requester,
          priority: event.priority,
        });
        return;
      case 'callback-failed':
        this.#log?.error(`elect: ${event.callback} threw; the elector went on`, {
          ...this.#base,
          error: event.error instanceof LeaseError ? event.error.message : errorDetail(event.error),
        });
        return;
      default:
        return;
    }
  }

  #add(name: ElectorMetricName, value: number): void {
    if (this.#metrics !== undefined) this.#counts[name].push(value);
  }
}

function emptyCounts(): Record<ElectorMetricName, number[]> {
  return {
    IsLeader: [],
    LeadershipTransitions: [],
    ElectorRequestFailed: [],
    ElectorAcquireLatency: [],
    NoLeaderSeenMs: [],
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
