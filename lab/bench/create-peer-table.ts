import { CreateTableCommand, waitUntilTableExists, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Creates an on-demand table with string keys, the schema a peer library
 * documents, and waits until it is active. `sortKey` is optional.
 */
export async function createPeerTable(
  client: DynamoDBClient,
  tableName: string,
  keys: { partitionKey: string; sortKey?: string },
): Promise<void> {
  const names = keys.sortKey === undefined ? [keys.partitionKey] : [keys.partitionKey, keys.sortKey];
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: names.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: names.map((name, i) => ({ AttributeName: name, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: tableName });
}
