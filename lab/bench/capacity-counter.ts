import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { itemBytes, WRITE_UNIT_BYTES } from 'baton-lease/internal';

/** Read and write units. */
export interface Units {
  readonly read: number;
  readonly write: number;
}

/** What one client consumed, from {@link countCapacity}. */
export interface CapacityCounter {
  total(): Units;
  /** The answers counted into {@link total}: a request still in flight when it is read is in neither. */
  answers(): number;
  reset(): void;
}

const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

/**
 * Counts the capacity `client`'s requests consume: each request asks for
 * `ReturnConsumedCapacity: 'TOTAL'` and its answer's units are added up, as
 * the request counter counts requests. Two cases follow DynamoDB's published
 * rules instead of DynamoDB Local's answer (docs/decisions/bench-cost.md):
 * - a failed conditional write returns no consumed capacity, yet is billed
 *   one write unit per started KB of the item it was checked against (at least one);
 * - a transaction is billed two units per item (per KB); Local reports 2 in all.
 */
export function countCapacity(client: DynamoDBClient): CapacityCounter {
  let read = 0;
  let write = 0;
  let answers = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = context.commandName?.replace(/Command$/, '') ?? '';
      if (!READS.has(operation) && !WRITES.has(operation)) return next(args);
      const input = args.input as Record<string, unknown>;
      try {
        const answer = await next({ ...args, input: { ...input, ReturnConsumedCapacity: 'TOTAL' } });
        const consumed = (
          answer.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }
        ).ConsumedCapacity;
        if (operation === 'TransactWriteItems')
          write += 2 * ((input.TransactItems as unknown[] | undefined)?.length ?? 0);
        else {
          const units = [consumed ?? []].flat().reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
          if (READS.has(operation)) read += units;
          else write += units;
        }
        answers++;
        return answer;
      } catch (error) {
        if ((error as { name?: string }).name === 'ConditionalCheckFailedException') {
          const item = (error as { Item?: Record<string, AttributeValue> }).Item;
          write += Math.max(1, Math.ceil((item ? itemBytes(item) : 0) / WRITE_UNIT_BYTES));
          answers++;
        }
        throw error;
      }
    },
    { step: 'initialize', name: 'benchCapacityCounter' },
  );
  return {
    total: () => ({ read, write }),
    answers: () => answers,
    reset: () => {
      read = 0;
      write = 0;
      answers = 0;
    },
  };
}

/** `a - b`, unit by unit. */
export function minus(a: Units, b: Units): Units {
  return { read: a.read - b.read, write: a.write - b.write };
}
