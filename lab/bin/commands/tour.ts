/**
 * `baton tour`: a short, real walk through the lease protocol against a
 * DynamoDB Local started for the purpose, printing each step.
 */
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { LeaseClient, LeaseLostError, StaleTokenError, createLeaseTable, fencedUpdate } from 'baton-lease';
import { localDynamoDBClient, startDynamoDBLocal } from 'baton-lease/testing';
import { parseCommand } from 'baton-lease/internal';

const TABLE = 'baton-tour';
const LEASE = 'tour/nightly-report';
const DURATION_MS = 1_500;

const USAGE = `usage: baton tour

Walks through the lease protocol on a DynamoDB Local it starts on 127.0.0.1:
acquire, a lost race, renew, a frozen holder's expiry and the takeover, the old
holder's late write refused by the fence, release. Prints each step; takes a
few seconds. No options.`;

export async function run(argv: string[]): Promise<number> {
  const values = parseCommand(argv, { help: { type: 'boolean', short: 'h' } }, USAGE);
  if (typeof values === 'number') return values;
  const step = (n: number, text: string) => console.log(`\n${n}. ${text}`);
  const say = (text: string) => console.log(`   ${text}`);
  console.log('Starting DynamoDB Local on 127.0.0.1 ...');
  const db = await startDynamoDBLocal();
  const client = localDynamoDBClient(db.endpoint);
  try {
    await createLeaseTable(client, TABLE);
    say(`DynamoDB Local at ${db.endpoint}, table ${TABLE}`);
    const a = new LeaseClient({ tableName: TABLE, client, holderName: 'worker-a' });
    const b = new LeaseClient({ tableName: TABLE, client, holderName: 'worker-b' });
    const writeReport = (token: number, text: string) =>
      fencedUpdate(
        client,
        {
          TableName: TABLE,
          Key: { pk: LEASE, sk: 'REPORT' },
          UpdateExpression: 'SET #text = :text',
          ExpressionAttributeNames: { '#text': 'text' },
          ExpressionAttributeValues: { ':text': text },
        },
        token,
      );

    step(1, `worker-a acquires "${LEASE}" for ${DURATION_MS} ms (one conditional UpdateItem)`);
    const first = await a.tryAcquire(LEASE, { durationMs: DURATION_MS });
    if (!first.acquired) throw new Error('worker-a should have won an unheld lease');
    const leaseA = first.lease;
    say(`acquired: token ${leaseA.token}, holder ${leaseA.holder}`);
    await writeReport(leaseA.token, 'written by worker-a');
    say(`worker-a writes the report, fenced with token ${leaseA.token}`);

    step(2, 'worker-b tries the same lease and loses; the failed write itself says who holds it');
    const lost = await b.tryAcquire(LEASE, { durationMs: DURATION_MS });
    if (lost.acquired) throw new Error('worker-b should have lost');
    say(
      `not acquired (${lost.reason}): held by ${lost.current?.holder}, token ${lost.current?.token}, ` +
        `until ${new Date(lost.current?.expiresAt ?? 0).toISOString()}`,
    );

    step(3, 'worker-a renews (one conditional UpdateItem)');
    await leaseA.renew();
    say(
      `renewed: expires ${new Date(leaseA.expiresAt).toISOString()}, ${Math.round(leaseA.remainingMs())} ` +
        `ms left on its local deadline`,
    );

    step(4, 'worker-a freezes and stops renewing; worker-b waits for expiry + max clock skew and takes over');
    const started = Date.now();
    const leaseB = await b.acquire(LEASE, { durationMs: DURATION_MS, waitMs: 10_000 });
    say(`worker-b acquired after ${Date.now() - started} ms: token ${leaseB.token} (a takeover)`);
    say(
      `worker-a's own signal had already aborted: ${leaseA.signal.aborted} (${(leaseA.signal.reason as Error).message})`,
    );
    await writeReport(leaseB.token, 'written by worker-b');

    step(5, 'worker-a wakes up and tries to act on its old tenure');
    try {
      await writeReport(leaseA.token, 'late write by worker-a');
    } catch (error) {
      if (!(error instanceof StaleTokenError)) throw error;
      say(`fenced write refused: StaleTokenError (token ${error.token} < fence ${error.fence})`);
    }
    try {
      await leaseA.release();
    } catch (error) {
      if (!(error instanceof LeaseLostError)) throw error;
      say(`release refused, nothing written: LeaseLostError, now held by ${error.holder} at token ${error.token}`);
    }
    const doc = DynamoDBDocumentClient.from(client);
    const report = await doc.send(
      new GetCommand({ TableName: TABLE, Key: { pk: LEASE, sk: 'REPORT' }, ConsistentRead: true }),
    );
    say(`the report still says "${report.Item?.text}" (fence ${report.Item?.fence})`);

    step(6, 'worker-b releases; the token stays on the item so the next tenure gets 3');
    await leaseB.release();
    const item = await b.describe(LEASE);
    say(`lease item: holder ${item?.holder ?? '(none)'}, token ${item?.token}`);
    const next = await a.tryAcquire(LEASE, { durationMs: DURATION_MS });
    if (next.acquired) {
      say(`worker-a acquires again at once: token ${next.lease.token}`);
      await next.lease.release();
    }
    console.log('\nDone.');
    return 0;
  } finally {
    client.destroy();
    await db.stop();
  }
}
