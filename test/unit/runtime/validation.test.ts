import { describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  LeaseClient,
  LeaseValidationError,
  fencedUpdate,
  type LeaseClientSettings,
} from '../../../lib/runtime/index.js';
import { FakeClock } from '../../../lib/testing/fake-clock.js';
import { unreachableStore } from '../../support/stores.js';

const store = unreachableStore();
const client = (options: LeaseClientSettings = {}) => new LeaseClient({ store, clock: new FakeClock(), ...options });

function expectField(run: () => unknown, field: string) {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(LeaseValidationError);
  expect((caught as LeaseValidationError).field).toBe(field);
  expect((caught as Error).message).toContain(field);
}

async function expectFieldAsync(run: () => Promise<unknown>, field: string) {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LeaseValidationError);
  expect((error as LeaseValidationError).field).toBe(field);
}

describe('LeaseClient options', () => {
  it('requires a non-empty table name and a client unless a store is given', () => {
    const dynamo = new DynamoDBClient({ region: 'us-east-1' });
    expectField(() => new LeaseClient({ tableName: '', client: dynamo }), 'tableName');
    expectField(() => new LeaseClient({ tableName: 'bad name!', client: dynamo }), 'tableName');
    expectField(() => new LeaseClient({ tableName: 'leases' } as never), 'client');
  });

  it.each([
    ['maxClockSkewMs', -1],
    ['maxClockSkewMs', 1.5],
    ['safetyMarginMs', Number.NaN],
    ['retryBaseMs', 0],
    ['holderName', 'has space'],
    ['holderName', 'a#b'],
    ['random', 42],
  ])('names %s when it is %s', (field, value) => {
    expectField(() => client({ [field]: value }), field);
  });

  it('rejects a backoff cap below its base', () => {
    expectField(() => client({ retryBaseMs: 500, retryCapMs: 100 }), 'retryCapMs');
  });
});

describe('LeaseClient.tryAcquire input', () => {
  it.each([0, -5, Number.NaN, 1.5, 86_400_001, Infinity, '1000'])(
    'rejects durationMs %s before any request',
    async (durationMs) => {
      await expectFieldAsync(() => client().tryAcquire('job', { durationMs: durationMs as number }), 'durationMs');
    },
  );

  it('rejects a duration that leaves no room for the safety margin and skew', async () => {
    const c = client({ safetyMarginMs: 300, maxClockSkewMs: 200 });
    await expectFieldAsync(() => c.tryAcquire('job', { durationMs: 500 }), 'durationMs');
    await expect(c.tryAcquire('job', { durationMs: 500 })).rejects.toThrow(/safetyMarginMs \+ maxClockSkewMs \(500\)/);
  });

  it.each(['', 'has space', 'bad*char', 'x'.repeat(201), 'tab\t', 'ünïcode'])(
    'rejects the lease name %j',
    async (name) => {
      await expectFieldAsync(() => client().tryAcquire(name, { durationMs: 10_000 }), 'name');
    },
  );

  it('accepts every allowed character and a 200-character name', async () => {
    const ok = 'Az09._:/@-';
    // The unreachable store throws a plain Error: validation passed and a request was attempted.
    await expect(client().tryAcquire(ok, { durationMs: 10_000 })).rejects.toThrow(/unexpected acquire request/);
    await expect(client().tryAcquire('x'.repeat(200), { durationMs: 10_000 })).rejects.toThrow(
      /unexpected acquire request/,
    );
  });

  it('names bad metadata and ticks', async () => {
    await expectFieldAsync(
      () => client().tryAcquire('job', { durationMs: 10_000, metadata: { fn: 3 as unknown as string } }),
      'metadata.fn',
    );
    await expectFieldAsync(() => client().tryAcquire('job', { durationMs: 10_000, tick: -1 }), 'tick');
  });
});

describe('LeaseClient.acquire input', () => {
  it.each([-1, 1.5, Number.NaN])('rejects waitMs %s', async (waitMs) => {
    await expectFieldAsync(() => client().acquire('job', { durationMs: 10_000, waitMs }), 'waitMs');
  });

  it('rejects a signal that is not an AbortSignal', async () => {
    await expectFieldAsync(() => client().acquire('job', { durationMs: 10_000, signal: {} as AbortSignal }), 'signal');
  });
});

describe('fencedUpdate input', () => {
  const dynamo = new DynamoDBClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
  const input = { TableName: 'resources', Key: { id: 'x' }, UpdateExpression: 'SET #v = :v' };

  it.each([0, -1, 1.5])('rejects token %s', async (token) => {
    await expectFieldAsync(() => fencedUpdate(dynamo, input, token), 'token');
  });

  it('rejects a missing table, key or update expression', async () => {
    await expectFieldAsync(() => fencedUpdate(dynamo, { ...input, TableName: '' }, 1), 'input.TableName');
    await expectFieldAsync(() => fencedUpdate(dynamo, { ...input, Key: undefined }, 1), 'input.Key');
    await expectFieldAsync(
      () => fencedUpdate(dynamo, { ...input, UpdateExpression: undefined }, 1),
      'input.UpdateExpression',
    );
    await expectFieldAsync(() => fencedUpdate(dynamo, input, 1, { fenceAttribute: 'bad name' }), 'fenceAttribute');
  });
});
