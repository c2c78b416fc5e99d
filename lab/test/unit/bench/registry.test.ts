import { describe, expect, it } from 'vitest';
import type { Peers } from '../../../bench/peers.js';
import { buildSystems, needsPeers, PEER_PACKAGES, SYSTEM_NAMES, SYSTEMS } from '../../../bench/registry.js';

// Stand-ins with the exports the adapters check for; building a system constructs nothing of the library's yet.
const PEERS: Peers = {
  modules: {
    'dynamodb-lock-client': { FailOpen: class {}, FailClosed: class {} },
    '@deliveryhero/dynamodb-lock': {
      dynamoDBLockClientFactory: () => ({}),
      LockNotGrantedError: class extends Error {},
    },
  },
  versions: { 'dynamodb-lock-client': '0.7.3', '@deliveryhero/dynamodb-lock': '2.0.0' },
};

describe('the bench registry', () => {
  it('lists every system once, in report order', () => {
    expect(SYSTEM_NAMES).toEqual([
      'raw',
      'baton',
      'dynamodb-lock-client/fail-open',
      'dynamodb-lock-client/fail-closed',
      'deliveryhero',
    ]);
    expect(Object.keys(SYSTEMS)).toEqual(SYSTEM_NAMES);
  });

  it('derives the peer packages to install from the entries, each once', () => {
    expect(PEER_PACKAGES).toEqual(['dynamodb-lock-client', '@deliveryhero/dynamodb-lock']);
    expect(needsPeers(['raw', 'baton'])).toBe(false);
    expect(needsPeers(['baton', 'deliveryhero'])).toBe(true);
  });

  it('builds each system under its own name', () => {
    expect(buildSystems(SYSTEM_NAMES, 2_000, PEERS).map((s) => s.name)).toEqual(SYSTEM_NAMES);
    expect(buildSystems(['raw', 'baton'], 2_000, undefined).map((s) => s.name)).toEqual(['raw', 'baton']);
  });

  it('refuses a peer system when the peers are not loaded, or not the version the adapter knows', () => {
    expect(() => buildSystems(['deliveryhero'], 2_000, undefined)).toThrow(
      /deliveryhero drives @deliveryhero\/dynamodb-lock: load the peer libraries first/,
    );
    const wrong = { ...PEERS, modules: { ...PEERS.modules, 'dynamodb-lock-client': { FailOpen: class {} } } };
    expect(() => buildSystems(['dynamodb-lock-client/fail-closed'], 2_000, wrong)).toThrow(
      /does not export FailOpen and FailClosed/,
    );
  });
});
