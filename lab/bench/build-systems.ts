import type { LockSystem, SystemName } from './lock-system.js';
import type { Peers } from './peers.js';
import { batonSystem } from './systems/baton.js';
import { deliveryheroSystem, type DeliveryheroModule } from './systems/deliveryhero.js';
import { failClosedSystem, failOpenSystem, type DynamoDBLockClientModule } from './systems/dynamodb-lock-client.js';
import { rawSystem } from './systems/raw.js';

/** Systems that need the peer libraries installed. */
export function needsPeers(names: readonly SystemName[]): boolean {
  return names.some((name) => name !== 'raw' && name !== 'baton');
}

/** The adapters of `names`, each on its own table, configured for leases of `leaseDurationMs`. */
export function buildSystems(names: readonly SystemName[], leaseDurationMs: number, peers: Peers | undefined): LockSystem[] {
  return names.map((name): LockSystem => {
    switch (name) {
      case 'raw':
        return rawSystem('bench-raw', leaseDurationMs);
      case 'baton':
        return batonSystem('bench-baton', leaseDurationMs);
      case 'dynamodb-lock-client/fail-open':
        return failOpenSystem(lockClientModule(peers), 'bench-dynamodb-lock-client-fail-open', leaseDurationMs);
      case 'dynamodb-lock-client/fail-closed':
        return failClosedSystem(lockClientModule(peers), 'bench-dynamodb-lock-client-fail-closed');
      case 'deliveryhero':
        return deliveryheroSystem(deliveryheroModule(peers), 'bench-deliveryhero', leaseDurationMs);
    }
  });
}

function lockClientModule(peers: Peers | undefined): DynamoDBLockClientModule {
  const module = peers?.modules['dynamodb-lock-client'] as Partial<DynamoDBLockClientModule> | undefined;
  if (typeof module?.FailOpen !== 'function' || typeof module.FailClosed !== 'function') {
    throw new Error('dynamodb-lock-client does not export FailOpen and FailClosed: not the version the bench was written for');
  }
  return module as DynamoDBLockClientModule;
}

function deliveryheroModule(peers: Peers | undefined): DeliveryheroModule {
  const module = peers?.modules['@deliveryhero/dynamodb-lock'] as Partial<DeliveryheroModule> | undefined;
  if (typeof module?.dynamoDBLockClientFactory !== 'function' || typeof module.LockNotGrantedError !== 'function') {
    throw new Error('@deliveryhero/dynamodb-lock does not export dynamoDBLockClientFactory and LockNotGrantedError: not the version the bench was written for');
  }
  return module as DeliveryheroModule;
}
