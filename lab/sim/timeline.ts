/**
 * What happened in one run, recorded as it happens: who believed it led and
 * when, node status, partitions, every write at the resource, and the
 * scenario's disruptions. Metrics and the HTML timeline are both computed from
 * this record and nothing else.
 */
export interface Tenure {
  readonly node: number;
  readonly epoch: number;
  readonly token: number | undefined;
  readonly start: number;
  end: number | undefined;
}

export type NodeStatus = 'up' | 'crashed' | 'paused';

export interface StatusChange {
  readonly time: number;
  readonly node: number;
  readonly status: NodeStatus;
}

export interface PartitionChange {
  readonly time: number;
  /** Group per address; addresses not listed are in group 0 with the service. */
  readonly groups: Readonly<Record<string, number>>;
}

export interface WriteRecord {
  /** Arrival time at the resource. */
  readonly time: number;
  readonly decidedAt: number;
  readonly node: number;
  readonly epoch: number;
  readonly token: number | undefined;
  /** A newer tenure (higher epoch) had begun before this write arrived. */
  readonly stale: boolean;
  /** Whether the fenced resource accepted it. The unfenced resource accepts every write. */
  readonly fencedAccepted: boolean;
}

export interface Disruption {
  readonly time: number;
  /** The leader the disruption was aimed at, if there was one. */
  readonly node: number | undefined;
  readonly kind: string;
}

export interface Note {
  readonly time: number;
  readonly text: string;
}

export class Timeline {
  readonly tenures: Tenure[] = [];
  readonly statuses: StatusChange[] = [];
  readonly partitions: PartitionChange[] = [];
  readonly writes: WriteRecord[] = [];
  readonly disruptions: Disruption[] = [];
  readonly notes: Note[] = [];
  private highestEpoch = 0;
  private readonly open = new Map<number, Tenure>();

  /** The highest epoch any tenure has begun with so far. */
  get maxEpoch(): number {
    return this.highestEpoch;
  }

  /** Opens a tenure; returns its epoch (assigned in order when the algorithm has none). */
  lead(time: number, node: number, epoch: number | undefined, token: number | undefined): number {
    this.unlead(time, node);
    const e = epoch ?? this.highestEpoch + 1;
    this.highestEpoch = Math.max(this.highestEpoch, e);
    const tenure: Tenure = { node, epoch: e, token, start: time, end: undefined };
    this.tenures.push(tenure);
    this.open.set(node, tenure);
    return e;
  }

  unlead(time: number, node: number): void {
    const tenure = this.open.get(node);
    if (tenure === undefined) return;
    tenure.end = time;
    this.open.delete(node);
  }

  /** Nodes believing they lead right now. */
  leaders(): number[] {
    return [...this.open.keys()].sort((a, b) => a - b);
  }

  status(time: number, node: number, status: NodeStatus): void {
    this.statuses.push({ time, node, status });
  }

  partition(time: number, groups: ReadonlyMap<number, number>): void {
    const record: Record<string, number> = {};
    for (const [address, group] of [...groups].sort((a, b) => a[0] - b[0])) record[String(address)] = group;
    this.partitions.push({ time, groups: record });
  }

  write(record: WriteRecord): void {
    this.writes.push(record);
  }

  disruption(time: number, node: number | undefined, kind: string): void {
    this.disruptions.push({ time, node, kind });
  }

  note(time: number, text: string): void {
    this.notes.push({ time, text });
  }

  /** Closes every open tenure at the end of the run. */
  close(time: number): void {
    for (const node of [...this.open.keys()]) this.unlead(time, node);
  }
}
