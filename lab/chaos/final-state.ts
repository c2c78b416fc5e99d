import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDBLeaseStore } from 'baton-lease';
import type { LeaseRecord } from 'baton-lease';
import { scanResources, type ResourceState } from './resource.js';

/** The tables as one consistent scan sees them after every worker has stopped. */
export interface FinalState {
  /** The campaign's lease item, if it was ever written. */
  readonly lease: Pick<LeaseRecord, 'token' | 'holder' | 'expiresAt'> | undefined;
  readonly resources: readonly ResourceState[];
}

/**
 * Reads the lease item and scans the resource table, both strongly consistent,
 * straight from DynamoDB (never through the fault proxy), once the workers are
 * gone: what is there now is what the run left behind.
 */
export async function readFinalState(
  client: DynamoDBClient,
  tables: { readonly leaseTable: string; readonly resourceTable: string; readonly leaseName: string },
): Promise<FinalState> {
  const record = await new DynamoDBLeaseStore(client, tables.leaseTable).read(tables.leaseName);
  const lease = record && {
    token: record.token,
    expiresAt: record.expiresAt,
    ...(record.holder ? { holder: record.holder } : {}),
  };
  return { lease, resources: await scanResources(DynamoDBDocumentClient.from(client), tables.resourceTable) };
}
