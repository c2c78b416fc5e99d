import type { LockSystem } from './lock-system.js';
import type { Peers } from './peers.js';
import { batonSystem } from './systems/baton.js';
import { deliveryheroSystem, type DeliveryheroModule } from './systems/deliveryhero.js';
import { failClosedSystem, failOpenSystem, type DynamoDBLockClientModule } from './systems/dynamodb-lock-client.js';
import { rawSystem } from './systems/raw.js';

/**
 * One system the bench compares: Baton, the bare floor, or a peer library
 * through its adapter in systems/. Adding a system is one entry in
 * {@link SYSTEMS}, as adding an algorithm to the election lab is one entry
 * in lab/sim/algorithms.ts.
 */
export interface SystemEntry {
  /**
   * The npm package the adapter drives, for a peer library: installed in
   * lab/bench/peers, whose lock file pins the version the report records
   * (docs/decisions/bench-peers.md). Absent for Baton and the floor.
   */
  readonly peer?: string;
  /** The adapter on its own table, for leases of `leaseDurationMs`; `module` is the peer's `require()`, if it has one. */
  build(tableName: string, leaseDurationMs: number, module: unknown): LockSystem;
}

/** Every system, in report order. */
export const SYSTEMS = {
  raw: { build: (table, d) => rawSystem(table, d) },
  baton: { build: (table, d) => batonSystem(table, d) },
  'dynamodb-lock-client/fail-open': {
    peer: 'dynamodb-lock-client',
    build: (table, d, m) => failOpenSystem(lockClient(m), table, d),
  },
  // Fail-closed locks never expire, so they take no lease duration.
  'dynamodb-lock-client/fail-closed': {
    peer: 'dynamodb-lock-client',
    build: (table, _d, m) => failClosedSystem(lockClient(m), table),
  },
  deliveryhero: {
    peer: '@deliveryhero/dynamodb-lock',
    build: (table, d, m) =>
      deliveryheroSystem(
        withExports<DeliveryheroModule>(m, '@deliveryhero/dynamodb-lock', [
          'dynamoDBLockClientFactory',
          'LockNotGrantedError',
        ]),
        table,
        d,
      ),
  },
} as const satisfies Readonly<Record<string, SystemEntry>>;

export type SystemName = keyof typeof SYSTEMS;
export const SYSTEM_NAMES = Object.keys(SYSTEMS) as SystemName[];

/** The peer packages the systems drive, by the name they are installed under. */
export type PeerPackage = {
  [N in SystemName]: (typeof SYSTEMS)[N] extends { readonly peer: infer P } ? P : never;
}[SystemName];
export const PEER_PACKAGES: readonly PeerPackage[] = [
  ...new Set(
    SYSTEM_NAMES.flatMap((name) => {
      const peer = peerOf(name);
      return peer === undefined ? [] : [peer];
    }),
  ),
];

function peerOf(name: SystemName): PeerPackage | undefined {
  const entry: SystemEntry = SYSTEMS[name];
  return entry.peer as PeerPackage | undefined;
}

function lockClient(module: unknown): DynamoDBLockClientModule {
  return withExports<DynamoDBLockClientModule>(module, 'dynamodb-lock-client', ['FailOpen', 'FailClosed']);
}

/**
 * A peer's module, once it is seen to export the functions its adapter calls:
 * a peer of another version fails here, by name, not deep inside a figure.
 */
function withExports<M>(module: unknown, name: string, exports: readonly (keyof M & string)[]): M {
  const missing = exports.filter((e) => typeof (module as Record<string, unknown> | undefined)?.[e] !== 'function');
  if (missing.length > 0)
    throw new Error(`${name} does not export ${exports.join(' and ')}: not the version the bench was written for`);
  return module as M;
}

/** Systems that need the peer libraries installed. */
export function needsPeers(names: readonly SystemName[]): boolean {
  return names.some((name) => peerOf(name) !== undefined);
}

/** The adapters of `names`, each on its own table (`bench-<name>`), configured for leases of `leaseDurationMs`. */
export function buildSystems(
  names: readonly SystemName[],
  leaseDurationMs: number,
  peers: Peers | undefined,
): LockSystem[] {
  return names.map((name) => {
    const peer = peerOf(name);
    if (peer !== undefined && peers === undefined)
      throw new Error(`${name} drives ${peer}: load the peer libraries first (loadPeers)`);
    const entry: SystemEntry = SYSTEMS[name];
    return entry.build(
      `bench-${name.replace('/', '-')}`,
      leaseDurationMs,
      peer === undefined ? undefined : peers?.modules[peer],
    );
  });
}
