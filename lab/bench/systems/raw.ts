import { UpdateItemCommand, type DynamoDBClient, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { createLeaseTable } from 'baton-lease';
import type { Contender, Held, LockSystem } from '../lock-system.js';

/**
 * The floor: the cheapest conditional UpdateItem a lease operation could be.
 * Plain AttributeValues (no document-client marshalling), no `ReturnValues`,
 * the shortest conditions that still make acquire, renew and release safe.
 * It is not a usable lease (a loser learns nothing, nobody waits), so it has
 * no failover figure; it is what every library's requests are measured against.
 */
export function rawSystem(tableName: string, leaseDurationMs: number): LockSystem {
  return {
    name: 'raw',
    renewal: 'explicit',
    settings: { request: 'UpdateItem with a condition, AttributeValues, no ReturnValues', leaseDurationMs },
    unsupported: {
      failover: 'a bare UpdateItem has no waiting and no expiry protocol; it is the floor for single requests',
    },
    createTable: (client) => createLeaseTable(client, tableName),
    contender: (client) => rawContender(client, tableName, leaseDurationMs),
  };
}

function rawContender(client: DynamoDBClient, tableName: string, leaseDurationMs: number): Contender {
  const send = async (input: Omit<UpdateItemCommandInput, 'TableName' | 'Key'>, lease: string): Promise<boolean> => {
    try {
      await client.send(
        new UpdateItemCommand({ TableName: tableName, Key: { pk: { S: lease }, sk: { S: 'LEASE' } }, ...input }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  };
  const tryAcquire = async (lease: string, options: { durationMs?: number } = {}): Promise<Held | undefined> => {
    const me = randomUUID();
    const durationMs = options.durationMs ?? leaseDurationMs;
    const now = Date.now();
    const won = await send(
      {
        UpdateExpression: 'SET #h = :me, #e = :e',
        ConditionExpression: 'attribute_not_exists(#h) OR #e < :now',
        ExpressionAttributeNames: { '#h': 'holder', '#e': 'expiresAt' },
        ExpressionAttributeValues: {
          ':me': { S: me },
          ':e': { N: String(now + durationMs) },
          ':now': { N: String(now) },
        },
      },
      lease,
    );
    if (!won) return undefined;
    const mine = { ConditionExpression: '#h = :me', ExpressionAttributeNames: { '#h': 'holder', '#e': 'expiresAt' } };
    return {
      renew: async () => {
        const ok = await send(
          {
            ...mine,
            UpdateExpression: 'SET #e = :e',
            ExpressionAttributeValues: { ':me': { S: me }, ':e': { N: String(Date.now() + durationMs) } },
          },
          lease,
        );
        if (!ok) throw new Error(`raw: lease ${lease} was lost`);
      },
      release: async () => {
        const ok = await send(
          {
            ...mine,
            UpdateExpression: 'REMOVE #h SET #e = :now',
            ExpressionAttributeValues: { ':me': { S: me }, ':now': { N: String(Date.now()) } },
          },
          lease,
        );
        if (!ok) throw new Error(`raw: lease ${lease} was lost before release`);
      },
      crash: () => {},
      abandon: async () => {},
    };
  };
  return { tryAcquire, contend: tryAcquire, lead: tryAcquire };
}
