import {
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { LeaseTableSchema } from './contract.js';
import { LeaseError } from './errors.js';
import { validateTableName } from './validate.js';

/**
 * Creates the lease table of docs/architecture.md#the-table (pk/sk strings, on-demand, TTL on
 * `ttl`) if it does not exist, and waits until it is active. Idempotent. For
 * local use and tests; in AWS the `LeaseTable` construct does this.
 *
 * @example
 * ```ts
 * await createLeaseTable(new DynamoDBClient({ endpoint }), 'baton-leases');
 * ```
 */
export async function createLeaseTable(
  client: DynamoDBClient,
  tableName: string,
  options: { maxWaitS?: number } = {},
): Promise<void> {
  validateTableName('tableName', tableName);
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: LeaseTableSchema.partitionKey, AttributeType: 'S' },
          { AttributeName: LeaseTableSchema.sortKey, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: LeaseTableSchema.partitionKey, KeyType: 'HASH' },
          { AttributeName: LeaseTableSchema.sortKey, KeyType: 'RANGE' },
        ],
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ResourceInUseException')
      throw new LeaseError(`createLeaseTable ${tableName} failed: ${(error as Error).message}`, { cause: error });
  }
  try {
    await waitUntilTableExists({ client, maxWaitTime: options.maxWaitS ?? 60 }, { TableName: tableName });
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
    if (status !== 'ENABLED' && status !== 'ENABLING') {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: LeaseTableSchema.ttlAttribute, Enabled: true },
        }),
      );
    }
  } catch (error) {
    throw new LeaseError(`createLeaseTable ${tableName} failed: ${(error as Error).message}`, { cause: error });
  }
}
