import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { LEASE_SORT_KEY, toRecord } from '../runtime/dynamodb-lease-store.js';
import type { LeaseRecord } from '../runtime/lease-record.js';
import { scanResources, type ResourceState } from './resource.js';

/** The tables as one consistent scan sees them after every worker has stopped. */
export interface FinalState {
  /** The campaign's lease item, if it was ever written. */
  readonly lease: Pick<LeaseRecord, 'token' | 'holder' | 'expiresAt'> | undefined;
  readonly resources: readonly ResourceState[];
}

/**
 * Scans both tables with `ConsistentRead`, straight to DynamoDB (never through
 * the fault proxy), once the workers are gone: what is there now is what the
 * run left behind.
 */
export async function readFinalState(
  client: DynamoDBClient,
  tables: { readonly leaseTable: string; readonly resourceTable: string; readonly leaseName: string },
): Promise<FinalState> {
  const doc = DynamoDBDocumentClient.from(client);
  let lease: FinalState['lease'];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: tables.leaseTable, ConsistentRead: true, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) {
      if (item.pk !== tables.leaseName || item.sk !== LEASE_SORT_KEY) continue;
      const record = toRecord(tables.leaseName, item);
      lease = { token: record.token, expiresAt: record.expiresAt, ...(record.holder ? { holder: record.holder } : {}) };
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { lease, resources: await scanResources(doc, tables.resourceTable) };
}
