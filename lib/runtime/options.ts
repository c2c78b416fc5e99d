import { hostname } from 'node:os';
import type { Clock, RandomSource } from './clock.js';
import { LeaseValidationError } from './errors.js';
import type { LeaseEventHandler } from './events.js';
import { type AnyDynamoDBClient, DynamoDBLeaseStore } from './dynamodb-lease-store.js';
import type { LeaseStore } from './lease-store.js';
import { systemClock, systemRandom } from './system-clock.js';
import { validateFunction, validateMs, validateObject, validateTableName } from './validate.js';

/** The longest lease Baton accepts: a day. Longer leases only make failover slower. */
export const MAX_DURATION_MS = 86_400_000;

/** Every default of the client, in one place. */
export const DEFAULTS = {
  /** Lambda hosts are NTP-disciplined (Amazon Time Sync); 200 ms is generous for them. See docs/protocol.md. */
  maxClockSkewMs: 200,
  /** The holder stops this long before its tenure could possibly be taken over. */
  safetyMarginMs: 250,
  /** Full-jitter backoff for throttling and 5xx: base and cap of the window. */
  retryBaseMs: 50,
  retryCapMs: 5_000,
  /** After a lost race, waiters spread their retry over this much extra time. */
  raceJitterMs: 100,
} as const;

/**
 * Options of `new LeaseClient(...)`: the DynamoDB table (`tableName` and
 * `client`) or another `store`, plus the settings every client shares.
 */
export type LeaseClientOptions = LeaseClientTableOptions | LeaseClientStoreOptions;

/** A client on a DynamoDB lease table. */
export interface LeaseClientTableOptions extends LeaseClientSettings {
  /** The lease table (docs/architecture.md#the-table). */
  readonly tableName: string;
  /** A DynamoDBClient or DynamoDBDocumentClient. */
  readonly client: AnyDynamoDBClient;
  readonly store?: never;
}

/** A client on another `LeaseStore` (in-memory for tests, the simulator's). */
export interface LeaseClientStoreOptions extends LeaseClientSettings {
  /** The store every lease operation goes to, in place of a DynamoDB table. */
  readonly store: LeaseStore;
  readonly tableName?: never;
  readonly client?: never;
}

/** What every `LeaseClient` may set, whatever its store. */
export interface LeaseClientSettings {
  /** Human-readable prefix of owner ids. @default `<hostname>:<pid>` */
  readonly holderName?: string;
  /** Upper bound on wall-clock disagreement between any two workers. @default 200 */
  readonly maxClockSkewMs?: number;
  /** How long before the earliest possible takeover the holder stops acting. @default 250 */
  readonly safetyMarginMs?: number;
  /** @default the system clock */
  readonly clock?: Clock;
  /** @default Math.random */
  readonly random?: RandomSource;
  /** Receives protocol events (acquired, contended, renewed, ...). Must not throw; if it does, the error is ignored. */
  readonly onEvent?: LeaseEventHandler;
  /** Base of the full-jitter backoff window for throttling and 5xx. @default 50 */
  readonly retryBaseMs?: number;
  /** Cap of the full-jitter backoff window. @default 5000 */
  readonly retryCapMs?: number;
  /** Extra random wait after a lost race, so waiters do not retry in lockstep. @default 100 */
  readonly raceJitterMs?: number;
}

export interface ResolvedClientOptions {
  /** The caller's store, or the DynamoDB adapter built once on its table: every request of the client goes to it. */
  readonly store: LeaseStore;
  readonly holderName: string;
  readonly maxClockSkewMs: number;
  readonly safetyMarginMs: number;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly onEvent: LeaseEventHandler | undefined;
  readonly retryBaseMs: number;
  readonly retryCapMs: number;
  readonly raceJitterMs: number;
}

const HOLDER_NAME = /^[^\s#]{1,128}$/;

/** Applies `DEFAULTS` and validates every option, naming the one at fault. */
export function resolveClientOptions(options: LeaseClientOptions): ResolvedClientOptions {
  validateObject('options', options);
  let tableName: string | undefined;
  if (options.store === undefined) {
    tableName = validateTableName('tableName', options.tableName);
    if (options.client === undefined || typeof (options.client as { send?: unknown }).send !== 'function') {
      throw new LeaseValidationError('client', 'must be a DynamoDBClient or DynamoDBDocumentClient');
    }
  }
  const holderName = options.holderName ?? `${hostname()}:${process.pid}`;
  if (typeof holderName !== 'string' || !HOLDER_NAME.test(holderName)) {
    throw new LeaseValidationError('holderName', 'must be 1-128 characters without whitespace or "#"');
  }
  const clock = options.clock ?? systemClock;
  for (const method of ['now', 'monotonic', 'sleep'] as const) {
    if (typeof clock[method] !== 'function') throw new LeaseValidationError(`clock.${method}`, 'must be a function');
  }
  const retryBaseMs = validateMs('retryBaseMs', options.retryBaseMs ?? DEFAULTS.retryBaseMs, { max: 60_000 });
  const retryCapMs = validateMs('retryCapMs', options.retryCapMs ?? DEFAULTS.retryCapMs, { max: 600_000 });
  if (retryCapMs < retryBaseMs)
    throw new LeaseValidationError('retryCapMs', `must be at least retryBaseMs (${retryBaseMs})`);
  return {
    store: options.store ?? new DynamoDBLeaseStore(options.client!, tableName!),
    holderName,
    maxClockSkewMs: validateMs('maxClockSkewMs', options.maxClockSkewMs ?? DEFAULTS.maxClockSkewMs, {
      min: 0,
      max: 60_000,
    }),
    safetyMarginMs: validateMs('safetyMarginMs', options.safetyMarginMs ?? DEFAULTS.safetyMarginMs, {
      min: 0,
      max: MAX_DURATION_MS,
    }),
    clock,
    random: validateFunction('random', options.random) ?? systemRandom,
    onEvent: validateFunction('onEvent', options.onEvent),
    retryBaseMs,
    retryCapMs,
    raceJitterMs: validateMs('raceJitterMs', options.raceJitterMs ?? DEFAULTS.raceJitterMs, { min: 0, max: 60_000 }),
  };
}

/**
 * A lease duration must leave the holder time to act: it stops
 * `safetyMarginMs` before its tenure ends, and others wait `maxClockSkewMs`
 * beyond it (docs/protocol.md#the-holders-deadline).
 */
export function validateDuration(field: string, value: unknown, client: ResolvedClientOptions): number {
  const durationMs = validateMs(field, value, { max: MAX_DURATION_MS });
  const floor = client.safetyMarginMs + client.maxClockSkewMs;
  if (durationMs <= floor) {
    throw new LeaseValidationError(
      field,
      `must be greater than safetyMarginMs + maxClockSkewMs (${floor}), got ${durationMs}`,
    );
  }
  return durationMs;
}

/**
 * The renewal period of `runAsLeader` and `elect`, one rule for both: the
 * holder stops acting at `durationMs - safetyMarginMs` on its own clock, so
 * two renewals must fit in that acting window, not in `durationMs`
 * (docs/protocol.md#renew). The default leaves room for three.
 */
export function validateRenewEvery(value: unknown, durationMs: number, client: ResolvedClientOptions): number {
  const actingMs = durationMs - client.safetyMarginMs;
  const renewEveryMs = validateMs('renewEveryMs', value ?? Math.max(1, Math.floor(actingMs / 3)), { max: durationMs });
  if (actingMs <= renewEveryMs * 2) {
    throw new LeaseValidationError(
      'renewEveryMs',
      `must be less than (durationMs - safetyMarginMs) / 2 (${actingMs / 2}), so two renewals fit ` +
        `before the holder's deadline, got ${renewEveryMs}`,
    );
  }
  return renewEveryMs;
}
