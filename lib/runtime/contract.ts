/**
 * The names the runtime, the Lambda handler and the CDK constructs must spell
 * identically: the table's keys and attributes, the metrics and their
 * dimensions, and the environment variables the construct sets for the
 * handler. Each is written here once and imported by every side, so a rename
 * cannot reach one and miss another (docs/architecture.md#the-contract-module).
 *
 * Plain data only: no AWS SDK, no CDK library, no Powertools, so every side
 * (including a Lambda bundle) can import it for free.
 */
import type { LeaseRecord } from './lease-record.js';

/** The lease table's key schema and the attributes Baton reads and writes. */
export const LeaseTableSchema = {
  /** Partition key (string): the lease name. */
  partitionKey: 'pk',
  /** Sort key (string): `LEASE` for the lease item, anything else for auxiliary items. */
  sortKey: 'sk',
  /** The lease item's sort key. */
  leaseSortKey: 'LEASE',
  /**
   * The TTL attribute (epoch seconds) of auxiliary items. The lease item never
   * carries it: deleting the lease item would reset the fencing token.
   */
  ttlAttribute: 'ttl',
} as const;

/** The lease item's attribute names, one per `LeaseRecord` field (the record's `name` is the partition key). */
export const LeaseAttribute = {
  /** Owner id of the current tenure; absent when the lease is free. */
  holder: 'holder',
  /** Fencing token of the latest tenure (number). */
  token: 'token',
  /** Epoch ms. */
  expiresAt: 'expiresAt',
  acquiredAt: 'acquiredAt',
  renewedAt: 'renewedAt',
  releasedAt: 'releasedAt',
  /** Who released the tenure: its owner id, or `operator:<name>` for a forced release. */
  releasedBy: 'releasedBy',
  /** Epoch ms of the last scheduled tick that completed. */
  lastTick: 'lastTick',
  /** Strings the holder supplied (map). */
  metadata: 'metadata',
  /** Write counter of the item (number): with `token`, the version a clock-free elector watches. */
  version: 'version',
  /** The holder's tenure length in ms (number), written by every acquire and renew. */
  durationMs: 'durationMs',
  /** The holder's election priority (number); electors only. */
  priority: 'priority',
  /** Who asked the holder to hand over (string). */
  handoffTo: 'handoffTo',
  /** That candidate's priority (number); the lease stays reserved for it after the release it asked for. */
  handoffPriority: 'handoffPriority',
} as const satisfies Record<Exclude<keyof LeaseRecord, 'name'>, string>;

/**
 * A tick's step journal (docs/protocol.md#steps): one item per recorded step,
 * in the lease's own partition, at sort key `STEP#<tick>#<step name>`, so the
 * `LeadingKeys` grant that confines a function to its lease covers its steps.
 */
export const StepItem = {
  /** Every step item's sort key starts with this; the tick and a `#` follow, then the step's name. */
  sortKeyPrefix: 'STEP#',
  /** The tick (number, epoch ms). */
  tick: 'tick',
  /** The step's name (string). */
  step: 'step',
  /** The fencing token of the tenure that recorded the step (number); a record only ever gives way to a higher one. */
  token: 'token',
  /** The owner id of that tenure (string). */
  holder: 'holder',
  /** Epoch ms when it was recorded (number). */
  recordedAt: 'recordedAt',
  /** The step's value as JSON text (string); absent when the step returned `undefined`. */
  value: 'value',
  /** Epoch seconds after which the record is gone (DynamoDB TTL; the journal read ignores it sooner). */
  ttl: LeaseTableSchema.ttlAttribute,
} as const;

/** How long step records are kept by default: 7 days, beyond any retry of a tick (EventBridge Scheduler retries for at most 24 hours). */
export const DEFAULT_STEP_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** The CloudWatch namespace of every metric the Lambda handler emits. */
export const METRICS_NAMESPACE = 'Baton';

/**
 * The dimensions of every Baton metric, as one set. Powertools Metrics adds
 * `service` (POWERTOOLS_SERVICE_NAME) to each metric it emits, and the
 * handler adds `LeaseName`. CloudWatch matches a metric on its complete
 * dimension set: an alarm that named only `LeaseName` would find no data,
 * ever. So the construct sets the service name itself and its alarms name both.
 */
export const MetricDimension = {
  /** The Powertools service name. */
  service: 'service',
  /** The lease name. */
  leaseName: 'LeaseName',
} as const;

/** The unit each metric is emitted with (CloudWatch's names, which Powertools' `MetricUnit` also uses). */
export type BatonMetricUnit = 'Count' | 'Milliseconds';

/** Metric names, exactly as the handler emits them. */
export const BatonMetric = {
  /** A contender won the tick's race (count). */
  LeaseAcquired: 'LeaseAcquired',
  /** A contender lost the race because another invocation holds the lease (count). */
  LeaseContended: 'LeaseContended',
  /** The lease was won from a holder whose tenure expired without a release (count). */
  LeaseTakeover: 'LeaseTakeover',
  /** A contender found the tick already completed (count). */
  TickDuplicateSkipped: 'TickDuplicateSkipped',
  /** A leader learned from a failed renew or release that it had lost the lease (count). */
  LeaseLost: 'LeaseLost',
  /** A fenced write was refused because a newer token had written first (count). */
  StaleWriteRejected: 'StaleWriteRejected',
  /** A leader ran the job for a tick (count; one per tick when healthy). */
  LeaderRun: 'LeaderRun',
  /** The job threw (count). */
  JobFailed: 'JobFailed',
  /** Time from sending the acquire request to its answer (milliseconds). */
  AcquireLatency: 'AcquireLatency',
} as const;

export type BatonMetricName = (typeof BatonMetric)[keyof typeof BatonMetric];

/** The unit of each metric. */
export const BATON_METRIC_UNITS: Readonly<Record<BatonMetricName, BatonMetricUnit>> = {
  LeaseAcquired: 'Count',
  LeaseContended: 'Count',
  LeaseTakeover: 'Count',
  TickDuplicateSkipped: 'Count',
  LeaseLost: 'Count',
  StaleWriteRejected: 'Count',
  LeaderRun: 'Count',
  JobFailed: 'Count',
  AcquireLatency: 'Milliseconds',
};

/** The environment variables `CronSingleton` sets on its function and the handler reads. */
export const BatonEnv = {
  /** The lease table's name. */
  tableName: 'BATON_TABLE_NAME',
  /** The lease that makes the job a singleton. */
  leaseName: 'BATON_LEASE_NAME',
  /** Powertools' service name: the `service` dimension of every metric. */
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  /** Powertools' metric namespace; the construct sets it to `METRICS_NAMESPACE`. */
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
} as const;

/**
 * The handler's margins around the function's timeout (`createSingletonHandler`
 * options of the same names). The construct checks the timeout against them at synth.
 */
export const SingletonHandlerMargins = {
  /** The lease lasts the function's remaining time plus this, so it cannot expire under a live invocation. */
  durationMarginMs: 1_000,
  /** The job's signal aborts this long before the function's timeout, leaving time to release. */
  abortMarginMs: 1_000,
} as const;

/** The service name when none is configured. */
export const DEFAULT_SERVICE_NAME = 'baton';

/**
 * Metric names a long-lived elector (`elect`) emits, in the handler's namespace
 * and with the same dimensions (`MetricDimension`: service and LeaseName, no
 * per-process dimension, so every elector of a lease writes to one series and
 * CloudWatch's statistics aggregate the fleet). The names differ from
 * `BatonMetric`'s, so an elector and a cron singleton never share a series.
 */
export const ElectorMetric = {
  /** 1 while this elector holds the lease, else 0 (gauge; the fleet's Maximum is 1 while any elector leads). */
  IsLeader: 'IsLeader',
  /** This elector became leader (count; across the fleet, one per change of hands). */
  LeadershipTransitions: 'LeadershipTransitions',
  /** A request to the lease store failed with an error, not a lost race (count). */
  ElectorRequestFailed: 'ElectorRequestFailed',
  /** Time from sending an acquire request to its answer (milliseconds). */
  ElectorAcquireLatency: 'ElectorAcquireLatency',
  /** How long this elector has seen no live holder (milliseconds; gauge, 0 while it sees one). */
  NoLeaderSeenMs: 'NoLeaderSeenMs',
} as const;

export type ElectorMetricName = (typeof ElectorMetric)[keyof typeof ElectorMetric];

/** The unit of each elector metric. */
export const ELECTOR_METRIC_UNITS: Readonly<Record<ElectorMetricName, BatonMetricUnit>> = {
  IsLeader: 'Count',
  LeadershipTransitions: 'Count',
  ElectorRequestFailed: 'Count',
  ElectorAcquireLatency: 'Milliseconds',
  NoLeaderSeenMs: 'Milliseconds',
};

/**
 * The longest an elector with metrics on goes without writing its gauges
 * (`IsLeader`, `NoLeaderSeenMs`). The alarms on them use one-minute periods, so
 * every running elector lands at least one datapoint in each, and a period
 * with none means no elector is running.
 */
export const ELECTOR_GAUGE_INTERVAL_MS = 30_000;

/**
 * What every client of a DynamoDB Local on this machine sends: a fixed region
 * and fixed fake credentials, so no client reads real AWS configuration just
 * to sign requests to a local database. DynamoDB Local keeps one database per
 * access key id and region (unless started with `-sharedDb`), so the test
 * kit's clients and the operator CLI's `--endpoint http://127.0.0.1:...` must
 * send the same ones to see the same tables. Letters and digits only:
 * DynamoDB Local 2.0+ rejects any other access key id.
 */
export const DynamoDBLocalIdentity = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'batonlocal', secretAccessKey: 'batonlocal' },
} as const;
