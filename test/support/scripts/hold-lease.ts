/**
 * A script that wins a lease and never releases it, then has nothing left to
 * do: Node must exit at once. Argv: <endpoint> <table> <lease name> <durationMs>.
 */
import { LeaseClient } from '../../../lib/runtime/index.js';
import { localDynamoDBClient } from '../../../lib/testing/index.js';

const [endpoint, tableName, name, durationMs] = process.argv.slice(2);
const leases = new LeaseClient({ tableName: tableName!, client: localDynamoDBClient(endpoint!) });
const r = await leases.tryAcquire(name!, { durationMs: Number(durationMs) });
process.stdout.write(r.acquired ? `acquired ${r.lease.token}\n` : 'not acquired\n');
