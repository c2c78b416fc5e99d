import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { LEDGER_HEAD } from '../jobs/ledger-job.js';
import type { LedgerEntry, LedgerHead, LedgerSnapshot } from './records.js';

/** The ledger head (`sk = LEDGER`), strongly consistent; undefined before the first write. */
export async function readLedgerHead(
  client: DynamoDBClient,
  tableName: string,
  leaseName: string,
): Promise<LedgerHead | undefined> {
  const doc = DynamoDBDocumentClient.from(client);
  const { Item } = await doc.send(
    new GetCommand({ TableName: tableName, Key: { pk: leaseName, sk: LEDGER_HEAD }, ConsistentRead: true }),
  );
  if (Item === undefined) return undefined;
  return {
    ...numberField(Item, 'fence'),
    ...numberField(Item, 'runs'),
    ...numberField(Item, 'lastToken'),
    ...numberField(Item, 'lastTick'),
  };
}

/** Every ledger entry (`sk` beginning `LEDGER#`) and the head, strongly consistent. */
export async function readLedger(
  client: DynamoDBClient,
  tableName: string,
  leaseName: string,
): Promise<LedgerSnapshot> {
  const doc = DynamoDBDocumentClient.from(client);
  const entries: LedgerEntry[] = [];
  let startKey: QueryCommandOutput['LastEvaluatedKey'];
  do {
    const page: QueryCommandOutput = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': leaseName, ':prefix': `${LEDGER_HEAD}#` },
        ConsistentRead: true,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      entries.push({
        tick: Number(item['tick']),
        token: Number(item['token']),
        ...(typeof item['holder'] === 'string' ? { holder: item['holder'] } : {}),
      });
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  const head = await readLedgerHead(client, tableName, leaseName);
  return { entries, ...(head ? { head } : {}) };
}

function numberField(item: Record<string, unknown>, name: keyof LedgerHead): Partial<LedgerHead> {
  const value = item[name];
  return typeof value === 'number' ? { [name]: value } : {};
}
