import { afterAll, describe, expect, it } from 'vitest';
import { createLeaseTable, LeaseClient } from '../../lib/runtime/index.js';
import { localDynamoDBClient, startDynamoDBLocal, type DynamoDBLocal } from '../../lib/testing/index.js';

describe('elect against a DynamoDB Local that stops', () => {
  // Its own DynamoDB Local, since this test stops it; the run's shared one stays up for the others.
  let db: DynamoDBLocal | undefined;
  afterAll(() => db?.stop());

  it(
    'logs the failed renew with its cause (ECONNREFUSED) and the loss, and nothing before',
    { timeout: 90_000 },
    async () => {
      db = await startDynamoDBLocal();
      const client = localDynamoDBClient(db.endpoint, { maxAttempts: 1 });
      await createLeaseTable(client, 'leases');
      const lines: { level: string; message: string; attributes: Record<string, unknown> }[] = [];
      const at =
        (level: string) =>
        (message: string, attributes: Record<string, unknown> = {}) =>
          lines.push({ level, message, attributes });
      const stop = new AbortController();
      let leading!: () => void;
      const led = new Promise<void>((resolve) => (leading = resolve));
      let lost!: () => void;
      const ended = new Promise<void>((resolve) => (lost = resolve));
      const done = new LeaseClient({ tableName: 'leases', client, holderName: 'worker-1' }).elect('scheduler', {
        // Long enough that a loaded machine's slow answers do not end the tenure before DynamoDB stops.
        durationMs: 10_000,
        signal: stop.signal,
        logger: { info: at('info'), warn: at('warn'), error: at('error') },
        onStartedLeading: async (lease) => {
          leading();
          await new Promise((resolve) => lease.signal.addEventListener('abort', resolve, { once: true }));
          lost();
        },
      });
      await led;
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // a renewal or so, while all is well
      expect(lines.map((l) => l.message)).toEqual(['elect: started leading']);
      await db.stop();
      await ended;
      stop.abort();
      await done;
      client.destroy();
      expect(lines[1]).toMatchObject({
        level: 'warn',
        message: 'elect: renew failed (ECONNREFUSED); retrying',
        attributes: { cause: 'ECONNREFUSED', operation: 'renew' },
      });
      expect(lines.find((l) => l.message === 'elect: stopped leading: the lease was lost')).toMatchObject({
        level: 'warn',
        attributes: { reason: 'deadline', cause: 'ECONNREFUSED' },
      });
    },
  );
});
