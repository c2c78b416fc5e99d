import { InMemoryLeaseStore } from 'baton-lease';
import { baton, type BatonOptions } from './baton.js';
import { bully, type BullyOptions } from './bully.js';
import type { Cluster, Service } from './cluster.js';
import type { NodeFactory } from './election-node.js';
import { LeaseStoreService } from './lease-store-service.js';
import { paxos, type PaxosOptions } from './paxos.js';
import { raft, type RaftOptions } from './raft.js';
import { ring, type RingOptions } from './ring.js';
import { zookeeper, ZOOKEEPER_DEFAULTS, type ZooKeeperOptions } from './zookeeper.js';
import { ZooKeeperService } from './zookeeper-service.js';

export const ALGORITHM_NAMES = ['bully', 'ring', 'raft', 'paxos', 'zookeeper', 'baton'] as const;
export type AlgorithmName = (typeof ALGORITHM_NAMES)[number];

/** Per-algorithm overrides, for tests and experiments. */
export interface AlgorithmOptions {
  readonly bully?: Partial<BullyOptions>;
  readonly ring?: Partial<RingOptions>;
  readonly raft?: Partial<RaftOptions>;
  readonly paxos?: Partial<PaxosOptions>;
  readonly zookeeper?: Partial<ZooKeeperOptions>;
  readonly baton?: Partial<BatonOptions>;
}

export interface Algorithm {
  readonly name: AlgorithmName;
  /** Whether nodes talk to a coordination service rather than to each other. */
  readonly storeBased: boolean;
  /** Whether node code awaits promises (the real lease runtime), so the simulator must drain them per event. */
  readonly async: boolean;
  factory(options: AlgorithmOptions): NodeFactory;
  /** The coordination service, for store-based algorithms. */
  service?(cluster: Cluster, options: AlgorithmOptions): Service;
}

export const ALGORITHMS: Readonly<Record<AlgorithmName, Algorithm>> = {
  bully: { name: 'bully', storeBased: false, async: false, factory: (o) => bully(o.bully) },
  ring: { name: 'ring', storeBased: false, async: false, factory: (o) => ring(o.ring) },
  raft: { name: 'raft', storeBased: false, async: false, factory: (o) => raft(o.raft) },
  paxos: { name: 'paxos', storeBased: false, async: false, factory: (o) => paxos(o.paxos) },
  zookeeper: {
    name: 'zookeeper',
    storeBased: true,
    async: false,
    factory: (o) => zookeeper(o.zookeeper),
    service: (cluster, o) =>
      new ZooKeeperService(
        cluster.sim,
        (to, response) => cluster.sendFromService(to, response),
        o.zookeeper?.sessionTimeoutMs ?? ZOOKEEPER_DEFAULTS.sessionTimeoutMs,
      ),
  },
  baton: {
    name: 'baton',
    storeBased: true,
    async: true,
    factory: (o) => baton(o.baton),
    service: (cluster) =>
      new LeaseStoreService(new InMemoryLeaseStore(), (to, response) => cluster.sendFromService(to, response)),
  },
};
