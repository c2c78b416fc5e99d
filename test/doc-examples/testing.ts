import { expect } from 'vitest';
import * as baton from 'baton-lease';
import type { Lease } from 'baton-lease';
import * as internal from 'baton-lease/internal';
import * as testing from 'baton-lease/testing';
import type { FakeClock } from 'baton-lease/testing';
declare const db: testing.DynamoDBLocal;
declare const endpoint: string;
declare const table: string;
declare const clock: FakeClock;
declare const newLeader: Lease;
declare const oldLeader: Lease;
declare function seeded(seed: number): () => number;
export async function example(): Promise<void> {
  // Bound inside the function, so an example's own import of one of them does not clash.
  const { startDynamoDBLocal, localDynamoDBClient, localDynamoDBEnv, FakeClock, faultyStore, InMemoryFencedResource } = testing;
  const { LeaseClient, InMemoryLeaseStore, StaleTokenError } = baton;
  const { startFaultProxy } = internal;
// DOC EXAMPLE
}
