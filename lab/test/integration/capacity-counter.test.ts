import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeaseTable } from 'baton-lease';
import { countCapacity } from '../../bench/capacity-counter.js';
import { testClient, uniqueTableName } from '../../../test/support/dynamodb.js';

const tableName = uniqueTableName('capacity');
const client = testClient();
const capacity = countCapacity(client);
const Key = { pk: { S: 'bench/capacity' }, sk: { S: 'lease' } };

beforeAll(() => createLeaseTable(client, tableName));
afterAll(() => client.destroy());

describe('the bench capacity counter (lab/bench/capacity-counter.ts)', () => {
  it('counts units and answers together: a refused conditional write is billed one unit, and a request in flight is in neither', async () => {
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key,
        UpdateExpression: 'SET n = :one',
        ExpressionAttributeValues: { ':one': { N: '1' } },
      }),
    );
    await expect(
      client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key,
          UpdateExpression: 'SET n = :one',
          ConditionExpression: 'attribute_not_exists(pk)',
          ExpressionAttributeValues: { ':one': { N: '1' } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    expect(capacity.total()).toEqual({ read: 0, write: 2 });
    expect(capacity.answers()).toBe(2);

    capacity.reset();
    const read = client.send(new GetItemCommand({ TableName: tableName, Key, ConsistentRead: true }));
    expect(capacity.answers()).toBe(0);
    expect(capacity.total()).toEqual({ read: 0, write: 0 });
    await read;
    expect(capacity.answers()).toBe(1);
    expect(capacity.total()).toEqual({ read: 1, write: 0 });
  });
});
