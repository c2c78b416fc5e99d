import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DEFAULTS, LeaseClient, LeaseUnavailableError, createLeaseTable, type Lease } from 'baton-lease';
import type { Contender, Held, LockSystem } from '../lock-system.js';
import { PausableClock } from '../pausable-clock.js';

/** Baton itself, through the real `LeaseClient` with its default options. */
export function batonSystem(tableName: string, leaseDurationMs: number): LockSystem {
  return {
    name: 'baton',
    renewal: 'explicit',
    settings: {
      durationMs: leaseDurationMs,
      maxClockSkewMs: DEFAULTS.maxClockSkewMs,
      safetyMarginMs: DEFAULTS.safetyMarginMs,
      raceJitterMs: DEFAULTS.raceJitterMs,
      leader: 'runAsLeader with its defaults (renews every durationMs / 3, jittered)',
      contention: 'acquire({ waitMs: 0 })',
      waiting: 'acquire({ waitMs })',
    },
    unsupported: {},
    createTable: (client) => createLeaseTable(client, tableName),
    contender: (client) => batonContender(client, tableName, leaseDurationMs),
  };
}

function batonContender(client: DynamoDBClient, tableName: string, durationMs: number): Contender {
  const clock = new PausableClock();
  const leases = new LeaseClient({ tableName, client, holderName: 'baton-bench', clock });
  return {
    async tryAcquire(lease, options = {}) {
      const r = await leases.tryAcquire(lease, { durationMs: options.durationMs ?? durationMs });
      return r.acquired ? heldLease(r.lease) : undefined;
    },
    async contend(lease) {
      try {
        return heldLease(await leases.acquire(lease, { durationMs, waitMs: 0 }));
      } catch (error) {
        if (error instanceof LeaseUnavailableError) return undefined;
        throw error;
      }
    },
    lead: (lease) => lead(leases, clock, lease, durationMs),
    async acquireWaiting(lease, signal) {
      return heldLease(await leases.acquire(lease, { durationMs, waitMs: Infinity, signal }));
    },
  };
}

function heldLease(lease: Lease): Held {
  return {
    renew: () => lease.renew(),
    release: () => lease.release(),
    // Nothing renews a lease from tryAcquire but its caller: a crash is to stop calling.
    crash: () => {},
    abandon: async () => {},
  };
}

/**
 * A leader as Baton users write one: `runAsLeader` with its default renewal.
 * Its `crash()` pauses the client's clock, so the renewal loop never wakes
 * again, exactly like a frozen process; `abandon()` then aborts the call,
 * whose release finds the successor and writes nothing.
 */
async function lead(
  leases: LeaseClient,
  clock: PausableClock,
  name: string,
  durationMs: number,
): Promise<Held | undefined> {
  const stop = new AbortController();
  let leading!: (lease: Lease) => void;
  const started = new Promise<Lease>((resolve) => (leading = resolve));
  const running = leases.runAsLeader(
    name,
    (lease) => {
      leading(lease);
      return new Promise<void>((resolve) => lease.signal.addEventListener('abort', () => resolve(), { once: true }));
    },
    { durationMs, signal: stop.signal },
  );
  // runAsLeader ends before leading only when another holder has the lease.
  const isLeading = await Promise.race([started.then(() => true), running.then(() => false)]);
  if (!isLeading) return undefined;
  const end = async () => {
    stop.abort();
    await running;
  };
  return { release: end, crash: () => clock.pause(), abandon: end };
}
