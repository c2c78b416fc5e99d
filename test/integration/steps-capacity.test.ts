import type { ConsumedCapacity, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeaseTable, DynamoDBLeaseStore, LeaseClient, StepItem } from '../../lib/runtime/index.js';
import { stepSortKey } from '../../lib/runtime/dynamodb-lease-store.js';
import { createStepJournal } from '../../lib/runtime/steps.js';
import { FakeClock } from '../../lib/testing/index.js';
import { testClient, uniqueTableName } from '../support/dynamodb.js';

/**
 * What the two step fences of docs/protocol.md#steps cost, as DynamoDB Local
 * reports it: every request of the real code paths asks for
 * `ReturnConsumedCapacity: TOTAL` (added by a middleware), and the answers are
 * collected per operation. The figures go to docs/benchmarks.md#steps, with
 * DynamoDB's published billing beside them where Local differs.
 */
const tableName = uniqueTableName('steps-cost');
const client = testClient();
const TICK = Date.parse('2026-11-26T06:00:00Z');
const store = new DynamoDBLeaseStore(client, tableName);

interface Sent {
  readonly operation: string;
  readonly units: number | undefined;
}

/** Asks every request for its consumed capacity and keeps the answers. */
function meter(c: DynamoDBClient): { sent: Sent[] } {
  const sent: Sent[] = [];
  c.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
      const operation = context.commandName?.replace(/Command$/, '') ?? '?';
      try {
        const out = await next(args);
        const consumed = (out.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity;
        const units = [consumed ?? []].flat().reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
        sent.push({ operation, units });
        return out;
      } catch (error) {
        sent.push({ operation, units: undefined });
        throw error;
      }
    },
    { step: 'initialize', name: 'stepCapacityMeter' },
  );
  return { sent };
}

const metered = meter(client);

beforeAll(() => createLeaseTable(client, tableName));
afterAll(() => client.destroy());

async function tenure(leaseName: string, clock: FakeClock, offsetMs = 0) {
  const r = await new LeaseClient({
    tableName,
    client,
    clock: offsetMs ? (clock.skewed(offsetMs) as FakeClock) : clock,
  }).tryAcquire(leaseName, { durationMs: 5_000, tick: TICK });
  if (!r.acquired) throw new Error('must acquire');
  return r.lease;
}

/** The requests and units sent while `work` ran. */
async function measure(work: () => Promise<unknown>): Promise<Sent[]> {
  const from = metered.sent.length;
  await work().catch(() => undefined);
  return metered.sent.slice(from);
}

describe('the cost of steps on DynamoDB Local', () => {
  const figures: Record<string, Sent[]> = {};
  afterAll(() => console.log(`steps capacity on DynamoDB Local:\n${JSON.stringify(figures, null, 1)}`));

  it('(b) token-ordered record: one UpdateItem per step, 1 unit per KB; the journal is one Query per tenure', async () => {
    const clock = new FakeClock(Date.now());
    const lease = await tenure('cost/b', clock);
    const step = createStepJournal({ store, clock, lease, tick: TICK, retentionMs: 60_000 });
    figures['b: first step (journal Query + record)'] = await measure(() => step('small', async () => ({ rows: 3 })));
    figures['b: second step (record only)'] = await measure(() => step('ten-kb', async () => 'x'.repeat(10_000)));
    figures['b: third step, 100 KB'] = await measure(() => step('hundred-kb', async () => 'x'.repeat(100_000)));
    expect(figures['b: first step (journal Query + record)']!.map((s) => s.operation)).toEqual(['Query', 'UpdateItem']);
    expect(figures['b: second step (record only)']!.map((s) => s.operation)).toEqual(['UpdateItem']);
    expect(figures['b: first step (journal Query + record)']![1]!.units).toBe(1);
    expect(figures['b: second step (record only)']![0]!.units).toBe(10);
    expect(figures['b: third step, 100 KB']![0]!.units).toBe(98);

    // A later tenure reads all three in one consistent Query and replays them.
    const next = createStepJournal({
      store,
      clock,
      lease: await tenure('cost/b', clock, 10_000),
      tick: TICK,
      retentionMs: 60_000,
    });
    figures['b: later tenure, replaying 3 steps (110 KB)'] = await measure(async () => {
      await next('small', async () => 0);
      await next('ten-kb', async () => 0);
      await next('hundred-kb', async () => 0);
    });
    expect(figures['b: later tenure, replaying 3 steps (110 KB)']).toEqual([{ operation: 'Query', units: 27 }]);

    // A stale tenure's refused record: one request; DynamoDB bills it (1 unit per KB), Local reports nothing.
    const stale = createStepJournal({ store, clock, lease, tick: TICK, retentionMs: 60_000 });
    await stale('read-the-journal', async () => 0);
    await next('fresh', async () => 'new');
    figures['b: refused late record'] = await measure(() => stale('fresh', async () => 'old'));
    expect(figures['b: refused late record']).toEqual([{ operation: 'UpdateItem', units: undefined }]);
  });

  it('(a) record inside a transaction with the lease condition: one TransactWriteItems per step', async () => {
    const clock = new FakeClock(Date.now());
    const lease = await tenure('cost/a', clock);
    const item = (step: string, value: string) => ({
      Put: {
        TableName: tableName,
        Item: {
          pk: 'cost/a',
          sk: stepSortKey(TICK, step),
          [StepItem.tick]: TICK,
          [StepItem.step]: step,
          [StepItem.token]: lease.token,
          [StepItem.holder]: lease.holder,
          [StepItem.recordedAt]: clock.now(),
          [StepItem.ttl]: Math.ceil(clock.now() / 1000) + 60,
          [StepItem.value]: value,
        },
      },
    });
    figures['a: record, small'] = await measure(() => lease.guardedWrite([item('small', '{"rows":3}')]));
    figures['a: record, 10 KB'] = await measure(() =>
      lease.guardedWrite([item('ten-kb', JSON.stringify('x'.repeat(10_000)))]),
    );
    expect(figures['a: record, small']!.map((s) => s.operation)).toEqual(['TransactWriteItems']);
    expect(figures['a: record, small']![0]!.units).toBe(2);
    expect(figures['a: record, 10 KB']![0]!.units).toBe(22);
  });
});
