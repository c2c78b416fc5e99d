import type { EventEmitter } from 'node:events';
import { createPeerTable } from '../create-peer-table.js';
import { PEER_WAIT_RETRIES, type Contender, type Held, type LockSystem } from '../lock-system.js';
import { v2DocumentClient, type V2DocumentClient } from '../v2-document-client.js';

// The slice of dynamodb-lock-client 0.7 the bench uses (it ships no types).
interface LockClientConfig {
  readonly dynamodb: V2DocumentClient;
  readonly lockTable: string;
  readonly partitionKey: string;
  readonly retryCount?: number;
  readonly leaseDurationMs?: number;
  readonly heartbeatPeriodMs?: number;
  readonly trustLocalTime?: boolean;
  readonly acquirePeriodMs?: number;
}
interface V2Lock extends EventEmitter {
  release(callback: (error?: Error) => void): void;
  // Internal fields that Lock.release() itself uses to stop heartbeats; see crash().
  _released?: boolean;
  heartbeatTimeout?: NodeJS.Timeout;
}
interface LockClient {
  acquireLock(id: string, callback: (error: (Error & { code?: string }) | undefined, lock?: V2Lock) => void): void;
}
/** The module's exports. */
export interface DynamoDBLockClientModule {
  FailOpen: new (config: LockClientConfig) => LockClient;
  FailClosed: new (config: LockClientConfig) => LockClient;
}

/** The table of the library's README: one string partition key `id`, no sort key. */
const PARTITION_KEY = 'id';

/**
 * dynamodb-lock-client's "fail open" locks: a lease of `leaseDurationMs`
 * renewed by a heartbeat. Settings for a lease of `leaseDurationMs` follow the
 * README's example (heartbeat at 3/10 of the lease, `trustLocalTime` off, its
 * default). One attempt is `retryCount: 0`; a waiter retries `PEER_WAIT_RETRIES` times.
 */
export function failOpenSystem(
  module: DynamoDBLockClientModule,
  tableName: string,
  leaseDurationMs: number,
): LockSystem {
  const heartbeatPeriodMs = Math.floor((leaseDurationMs * 3) / 10);
  const config = {
    lockTable: tableName,
    partitionKey: PARTITION_KEY,
    leaseDurationMs,
    heartbeatPeriodMs,
    trustLocalTime: false,
  };
  return {
    name: 'dynamodb-lock-client/fail-open',
    renewal: 'background',
    settings: {
      leaseDurationMs,
      heartbeatPeriodMs,
      trustLocalTime: false,
      oneAttempt: { retryCount: 0 },
      waiting: { retryCount: PEER_WAIT_RETRIES },
    },
    unsupported: {
      throughput:
        'renewal is an internal heartbeat timer (heartbeatPeriodMs); there is no renew call for 8 workers to drive',
    },
    createTable: (client) => createPeerTable(client, tableName, { partitionKey: PARTITION_KEY }),
    contender: (client) => {
      const dynamodb = v2DocumentClient(client);
      const once = new module.FailOpen({ ...config, dynamodb, retryCount: 0 });
      const waiting = new module.FailOpen({ ...config, dynamodb, retryCount: PEER_WAIT_RETRIES });
      return contender(once, waiting);
    },
  };
}

/**
 * dynamodb-lock-client's "fail closed" locks: no lease at all. A lock stays
 * until released; if its holder dies, a human must delete it (its README).
 */
export function failClosedSystem(module: DynamoDBLockClientModule, tableName: string): LockSystem {
  // acquirePeriodMs is required; with retryCount 0 it is never waited for.
  const config = { lockTable: tableName, partitionKey: PARTITION_KEY, acquirePeriodMs: 2_000, retryCount: 0 };
  return {
    name: 'dynamodb-lock-client/fail-closed',
    renewal: 'none',
    settings: { acquirePeriodMs: config.acquirePeriodMs, oneAttempt: { retryCount: 0 } },
    unsupported: {
      failover:
        'a fail-closed lock never expires: when its holder dies it stays locked until someone deletes it by hand',
      throughput: 'fail-closed locks have no lease, so there is nothing to renew',
    },
    createTable: (client) => createPeerTable(client, tableName, { partitionKey: PARTITION_KEY }),
    contender: (client) => {
      return contender(new module.FailClosed({ ...config, dynamodb: v2DocumentClient(client) }), undefined);
    },
  };
}

function contender(once: LockClient, waiting: LockClient | undefined): Contender {
  const tryAcquire = async (lease: string): Promise<Held | undefined> => {
    try {
      return held(await acquire(once, lease));
    } catch (error) {
      if ((error as { code?: string }).code === 'FailedToAcquireLock') return undefined;
      throw error;
    }
  };
  return {
    tryAcquire,
    contend: tryAcquire,
    lead: tryAcquire,
    ...(waiting
      ? {
          acquireWaiting: async (lease: string, signal: AbortSignal) => {
            // The library cannot be cancelled; PEER_WAIT_RETRIES bounds the wait instead.
            signal.throwIfAborted();
            return held(await acquire(waiting, lease));
          },
        }
      : {}),
  };
}

function acquire(client: LockClient, id: string): Promise<V2Lock> {
  return new Promise<V2Lock>((resolve, reject) =>
    client.acquireLock(id, (error, lock) =>
      error || !lock ? reject(error ?? new Error('no lock and no error')) : resolve(lock),
    ),
  );
}

function held(lock: V2Lock): Held {
  // Without a listener a failed heartbeat would be thrown by the EventEmitter.
  lock.on('error', () => {});
  return {
    release: () => new Promise<void>((resolve, reject) => lock.release((error) => (error ? reject(error) : resolve()))),
    crash: () => {
      // No public call stops the heartbeat without writing; these are the two
      // fields release() itself sets before it writes.
      lock._released = true;
      clearTimeout(lock.heartbeatTimeout);
    },
    abandon: async () => {},
  };
}
