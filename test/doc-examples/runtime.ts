import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as baton from 'baton-lease';
import type { Lease, LeaseClient } from 'baton-lease';
declare const leases: LeaseClient;
declare const client: DynamoDBClient;
declare const lease: Lease;
declare const endpoint: string;
declare const log: { info(message: string): void };
declare function work(token: number, signal: AbortSignal): Promise<void>;
declare function compact(options: { token: number; signal: AbortSignal }): Promise<void>;
declare function schedule(options: { token: number; signal: AbortSignal }): Promise<void>;
export async function example(): Promise<void> {
  const { LeaseClient, createLeaseTable, fencedUpdate } = baton;
// DOC EXAMPLE
}
