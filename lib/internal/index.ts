// The lab's internal entry, "baton-lease/internal" (docs/decisions/workspaces.md):
// what the lab workspace needs from the package but the package does not publish.
// It is not in package.json's exports and is never built into the tarball, so
// nothing here is public API; only lab/ may import it.
export * from '../testing/fault-proxy.js';
export { locateDynamoDBLocal } from '../testing/dynamodb-local-jar.js';
export { dispatch, type Command } from '../../bin/dispatch.js';
export * from '../../bin/commands/args.js';
export { electWithWaitingRule } from '../runtime/elector-compare.js';
export { readWhileHeld, writeEveryPoll, type WaitingRule } from '../runtime/elector-wait.js';
export { itemBytes, leaseItemBytes, WRITE_UNIT_BYTES } from '../runtime/item-size.js';
// The simulation restarts the owner-id counter so a run is a function of its seed (docs/dst.md).
export { restartOwnerIdCount } from '../runtime/backoff.js';
