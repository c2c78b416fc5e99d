import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LeaseClient } from 'baton-lease';
const leases = new LeaseClient({ tableName: 'baton-leases', client: new DynamoDBClient({}) });
const deployedAtEpochS = Math.floor(Date.now() / 1000);
let led = false;
// Leads once, then stops the elector as SIGTERM would: the block's `await done` then returns.
async function runScheduler({ token, signal }: { token: number; signal: AbortSignal }): Promise<void> {
  led = token > 0;
  stop.abort(); // the lease's signal aborts at once: the elector is stopping
  if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
}
// README BLOCK
if (!led) throw new Error('the elector never led');
