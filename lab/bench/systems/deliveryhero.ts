import { DynamoDBDocument } from '@aws-sdk/lib-dynamodb';
import { createPeerTable } from '../create-peer-table.js';
import { PEER_WAIT_RETRIES, type Contender, type Held, type LockSystem } from '../lock-system.js';

// The slice of @deliveryhero/dynamodb-lock 2.x the bench uses. Its own
// typings live in the isolated peers folder, which type checking never sees.
interface LockOptions {
  readonly leaseDurationInMs?: number;
  readonly prolongEveryMs?: number;
  readonly maxRetryCount?: number;
  readonly trustLocalTime?: boolean;
}
interface Lock {
  /** Public: marks the lock released locally and clears its prolong timer, without writing. */
  released(): void;
}
interface LockClient {
  lock(lockGroup: string, lockId: string, options?: LockOptions): Promise<Lock>;
  releaseLock(lock: Lock): Promise<void>;
}
/** The module's exports. */
export interface DeliveryheroModule {
  dynamoDBLockClientFactory(
    documentClient: DynamoDBDocument,
    tableConfig?: { tableName?: string; ttlKey?: string },
  ): LockClient;
  LockNotGrantedError: new (...args: never[]) => Error;
}

/** Every bench lease lives in one lock group (the sort key). */
const LOCK_GROUP = 'baton-bench';

/**
 * @deliveryhero/dynamodb-lock: a lease with a record version number rotated
 * by a prolong timer. Settings follow its documentation for a lease of
 * `leaseDurationMs`: prolong every `leaseDurationInMs / 4` ("recommendation is
 * leaseDurationInMs/4"), `trustLocalTime` off (its default), a TTL attribute
 * ("recommended"). One attempt is `maxRetryCount: 0`.
 */
export function deliveryheroSystem(module: DeliveryheroModule, tableName: string, leaseDurationMs: number): LockSystem {
  const options = {
    leaseDurationInMs: leaseDurationMs,
    prolongEveryMs: Math.floor(leaseDurationMs / 4),
    trustLocalTime: false,
  };
  const tableConfig = { tableName, ttlKey: 'ttl' };
  return {
    name: 'deliveryhero',
    renewal: 'background',
    settings: {
      ...options,
      ttlKey: tableConfig.ttlKey,
      oneAttempt: { maxRetryCount: 0 },
      waiting: { maxRetryCount: PEER_WAIT_RETRIES },
    },
    unsupported: {
      throughput:
        'renewal is an internal prolong timer (prolongEveryMs); there is no renew call for 8 workers to drive',
    },
    // The library's default key schema.
    createTable: (client) => createPeerTable(client, tableName, { partitionKey: 'lockId', sortKey: 'lockGroup' }),
    contender: (client): Contender => {
      const locks = module.dynamoDBLockClientFactory(DynamoDBDocument.from(client), tableConfig);
      const held = (lock: Lock): Held => ({
        release: () => locks.releaseLock(lock),
        crash: () => lock.released(),
        abandon: async () => {},
      });
      const tryAcquire = async (lease: string): Promise<Held | undefined> => {
        try {
          return held(await locks.lock(LOCK_GROUP, lease, { ...options, maxRetryCount: 0 }));
        } catch (error) {
          if (error instanceof module.LockNotGrantedError) return undefined;
          throw error;
        }
      };
      return {
        tryAcquire,
        contend: tryAcquire,
        lead: tryAcquire,
        acquireWaiting: async (lease, signal) => {
          // The library cannot be cancelled; PEER_WAIT_RETRIES bounds the wait instead.
          signal.throwIfAborted();
          return held(await locks.lock(LOCK_GROUP, lease, { ...options, maxRetryCount: PEER_WAIT_RETRIES }));
        },
      };
    },
  };
}
