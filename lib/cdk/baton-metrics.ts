/**
 * The CloudWatch metrics the Baton Lambda layer emits (docs/operations.md#alarms), as the
 * CDK side must name them to alarm on them.
 *
 * The Lambda side writes them with Powertools Metrics (EMF). Powertools always
 * adds a `service` dimension (POWERTOOLS_SERVICE_NAME) to its default
 * dimensions, so every Baton metric lands under the dimension set
 * `{ service, LeaseName }`. CloudWatch matches a metric on its *complete*
 * dimension set: a query on `LeaseName` alone would find nothing, and an alarm
 * on it would sit at "no data" forever. That is why `CronSingleton` sets
 * POWERTOOLS_SERVICE_NAME itself and queries with both dimensions.
 */
export const BATON_METRICS_NAMESPACE = 'Baton';

/** The dimension that names the lease (its value is the lease name). */
export const LEASE_NAME_DIMENSION = 'LeaseName';

/** The dimension Powertools Metrics adds to every metric it emits. */
export const POWERTOOLS_SERVICE_DIMENSION = 'service';

/** Metric names, exactly as the Lambda layer emits them. */
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
