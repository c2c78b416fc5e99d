export type { Clock, RandomSource, SleepOptions } from './clock.js';
export {
  LeaseTableSchema,
  LeaseAttribute,
  METRICS_NAMESPACE,
  MetricDimension,
  BatonMetric,
  BATON_METRIC_UNITS,
  BatonEnv,
  DEFAULT_SERVICE_NAME,
  SingletonHandlerMargins,
  StepItem,
  DEFAULT_STEP_RETENTION_MS,
  type BatonMetricName,
  type BatonMetricUnit,
} from './contract.js';
export { systemClock, systemRandom } from './system-clock.js';
export {
  LeaseError,
  LeaseValidationError,
  LeaseUnavailableError,
  LeaseLostError,
  StaleTokenError,
  LeaseHandoffError,
} from './errors.js';
export type { LeaseEvent, LeaseEventHandler } from './events.js';
export type { LeaderCallbackName } from './callbacks.js';
export type { LeaseRecord } from './lease-record.js';
export type {
  LeaseStore,
  AcquireCommand,
  RenewCommand,
  ReleaseCommand,
  GuardedWriteCommand,
  TenureRef,
  WriteOutcome,
  HandoffCommand,
  TenureVersion,
  StoreRequestOptions,
  StepJournalQuery,
  StepRecord,
  RecordStepCommand,
  StepWriteOutcome,
} from './lease-store.js';
export { DynamoDBLeaseStore, type AnyDynamoDBClient } from './dynamodb-lease-store.js';
export { InMemoryLeaseStore } from './in-memory-lease-store.js';
export {
  DEFAULTS,
  MAX_DURATION_MS,
  type LeaseClientOptions,
  type LeaseClientTableOptions,
  type LeaseClientStoreOptions,
  type LeaseClientSettings,
} from './options.js';
export { LeaseClient, type TryAcquireOptions, type AcquireOptions, type TryAcquireResult } from './lease-client.js';
export { Lease, MAX_GUARDED_ITEMS } from './lease.js';
export { fencedUpdate, withFence, fenceOf, type FencedUpdateOptions } from './fenced-update.js';
export { createLeaseTable } from './create-lease-table.js';
export type { RunAsLeaderOptions, RunAsLeaderResult } from './run-as-leader.js';
export { ELECT_DEFAULTS, type ElectOptions } from './elect-options.js';
export type { ElectLogger, ElectorMetricsOptions } from './elector-watch.js';
export { ElectorMetric, ELECTOR_METRIC_UNITS, ELECTOR_GAUGE_INTERVAL_MS, type ElectorMetricName } from './contract.js';
export {
  stepIdempotencyKey,
  MAX_STEP_ITEM_BYTES,
  type StepFunction,
  type StepContext,
  type LeaderContext,
} from './steps.js';
