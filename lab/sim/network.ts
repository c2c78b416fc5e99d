import type { Prng } from './prng.js';
import type { Simulator } from './simulator.js';
import { DEFAULT_LATENCY, sampleLatency, type LatencyModel } from './latency.js';

/** Node addresses are 1..N. */
export type Address = number;
/** The coordination service (the lease store, or the ZooKeeper ensemble), always on the majority side. */
export const SERVICE: Address = 0;
/** The resource leaders write to. Reachable from every node: see `Network.send`. */
export const RESOURCE: Address = -1;

export interface NetworkOptions {
  readonly latency: LatencyModel;
  /** Probability that any one message is silently dropped. */
  readonly lossRate: number;
}

export const DEFAULT_NETWORK: NetworkOptions = { latency: DEFAULT_LATENCY, lossRate: 0.002 };

export interface NetworkStats {
  /** Messages sent by nodes for the election itself (to peers or to the service); resource writes excluded. */
  electionMessages: number;
  delivered: number;
  droppedByLoss: number;
  droppedByPartition: number;
}

export type PartitionListener = (groups: ReadonlyMap<Address, number>) => void;

/**
 * An asynchronous network: independent latency per message (so messages can be
 * reordered), random loss, and partitions that can heal. A message is dropped
 * when its endpoints are in different partition groups either when it is sent
 * or when it would arrive: a link cut while a message is in flight loses it.
 *
 * Links to `RESOURCE` ignore partitions and loss. The lab studies what a leader
 * cut off from its peers (or from the lease store) does to a resource it can
 * still reach, which is exactly the split-brain hazard: the database the leader
 * writes to is rarely behind the same partition as the election.
 */
export class Network {
  private options: NetworkOptions;
  private groups = new Map<Address, number>();
  private readonly listeners: PartitionListener[] = [];
  readonly stats: NetworkStats = { electionMessages: 0, delivered: 0, droppedByLoss: 0, droppedByPartition: 0 };

  constructor(
    private readonly sim: Simulator,
    private readonly prng: Prng,
    options: Partial<NetworkOptions> = {},
  ) {
    this.options = { ...DEFAULT_NETWORK, ...options };
  }

  configure(options: Partial<NetworkOptions>): void {
    this.options = { ...this.options, ...options };
  }

  onPartitionChange(listener: PartitionListener): void {
    this.listeners.push(listener);
  }

  /**
   * Splits the network: every listed group becomes its own island; every
   * address not listed (including `SERVICE`, unless listed) stays in the main
   * group. Replaces any earlier partition.
   */
  partition(...islands: readonly (readonly Address[])[]): void {
    const groups = new Map<Address, number>();
    islands.forEach((island, i) => island.forEach((address) => groups.set(address, i + 1)));
    this.groups = groups;
    this.notify();
  }

  heal(): void {
    this.groups = new Map();
    this.notify();
  }

  canReach(from: Address, to: Address): boolean {
    if (from === RESOURCE || to === RESOURCE) return true;
    return (this.groups.get(from) ?? 0) === (this.groups.get(to) ?? 0);
  }

  /** Sends one message; `deliver` runs at the receiver's arrival time unless the message is lost. */
  send(from: Address, to: Address, deliver: () => void): void {
    const toResource = to === RESOURCE;
    if (from > 0 && !toResource) this.stats.electionMessages++;
    if (!this.canReach(from, to)) {
      this.stats.droppedByPartition++;
      return;
    }
    if (!toResource && this.prng.chance(this.options.lossRate)) {
      this.stats.droppedByLoss++;
      return;
    }
    this.sim.schedule(sampleLatency(this.options.latency, this.prng), () => {
      if (!this.canReach(from, to)) {
        this.stats.droppedByPartition++;
        return;
      }
      this.stats.delivered++;
      deliver();
    });
  }

  private notify(): void {
    for (const listener of this.listeners) listener(this.groups);
  }
}
