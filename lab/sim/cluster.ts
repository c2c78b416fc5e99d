import type { ElectionNode, NodeContext, NodeFactory, NodeTimer } from './election-node.js';
import { Network, RESOURCE, SERVICE, type Address } from './network.js';
import { NodeClock, type ClockSettings } from './node-clock.js';
import { Prng } from './prng.js';
import { FencedResource } from './resource.js';
import type { Simulator } from './simulator.js';
import { Timeline, type NodeStatus } from './timeline.js';

/** The workload every leader runs, identical for all algorithms. */
export interface WorkloadOptions {
  /** A leader writes to the resource this often (first write as soon as it leads). */
  readonly writeIntervalMs: number;
  /**
   * Local work between checking leadership and sending the write. A pause that
   * lands here is the classic stale-leader hazard: the check passed, the write
   * goes out after the pause.
   */
  readonly writeProcessingMs: number;
}

export const DEFAULT_WORKLOAD: WorkloadOptions = { writeIntervalMs: 100, writeProcessingMs: 2 };

/** The coordination service's side of the network (the lease store, the ZooKeeper ensemble). */
export interface Service {
  onMessage(from: number, message: unknown): void;
}

interface Slot {
  readonly id: number;
  readonly clock: NodeClock;
  readonly storage: Map<string, unknown>;
  status: NodeStatus;
  incarnation: number;
  /** How many times this node has booted (incarnation also counts crashes). */
  boots: number;
  deferred: (() => void)[];
  instance: ElectionNode | undefined;
  leading: { epoch: number; token: number | undefined } | undefined;
  writeLoop: number;
  pauseAtNextWrite: number | undefined;
}

class Timer implements NodeTimer {
  cancelled = false;
  cancel(): void {
    this.cancelled = true;
  }
}

export interface ClusterOptions {
  readonly seed: string;
  readonly nodeIds: readonly number[];
  readonly factory: NodeFactory;
  readonly clocks: ReadonlyMap<number, ClockSettings>;
  readonly workload: WorkloadOptions;
  /** Debugging aid: sees every message a node sends and every delivery. */
  readonly trace?: (event: TraceEvent) => void;
}

export interface TraceEvent {
  readonly time: number;
  readonly kind: 'send' | 'deliver';
  readonly from: Address;
  readonly to: Address;
  readonly message: unknown;
}

/**
 * The machines: runs one `ElectionNode` per id, gives each a context bound to
 * its current incarnation, and applies crash, restart and pause. Paused nodes
 * keep their state and their clocks keep running, but nothing is delivered to
 * them: timers and messages queue up and run, in order, on resume, as they do
 * for a process under SIGSTOP or a long GC pause. Crashed nodes lose everything
 * but `storage`.
 *
 * It also runs the common workload: while a node believes it leads, it writes
 * to the resource every `writeIntervalMs`, carrying its token.
 */
export class Cluster {
  readonly timeline = new Timeline();
  readonly resource = new FencedResource();
  private readonly slots = new Map<number, Slot>();
  private service: Service | undefined;

  constructor(
    readonly sim: Simulator,
    readonly network: Network,
    private readonly options: ClusterOptions,
  ) {
    for (const id of options.nodeIds) {
      const clock = new NodeClock(sim, options.clocks.get(id) ?? { offsetMs: 0, driftPpm: 0 });
      this.slots.set(id, {
        id,
        clock,
        storage: new Map(),
        status: 'crashed',
        incarnation: 0,
        boots: 0,
        deferred: [],
        instance: undefined,
        leading: undefined,
        writeLoop: 0,
        pauseAtNextWrite: undefined,
      });
    }
    network.onPartitionChange((groups) => this.timeline.partition(sim.now, groups));
  }

  get nodeIds(): readonly number[] {
    return this.options.nodeIds;
  }

  setService(service: Service): void {
    this.service = service;
  }

  /** Sends from the service to a node. */
  sendFromService(to: number, message: unknown): void {
    this.network.send(SERVICE, to, () => this.deliver(to, SERVICE, message));
  }

  clock(id: number): NodeClock {
    return this.slot(id).clock;
  }

  statusOf(id: number): NodeStatus {
    return this.slot(id).status;
  }

  /** Nodes that believe they lead right now (paused ones included: they have not stopped believing). */
  leaders(): number[] {
    return this.timeline.leaders();
  }

  /** The leader that scenarios aim at: a believing node that is up, else any believing node. */
  currentLeader(): number | undefined {
    const leaders = this.leaders();
    return leaders.find((id) => this.slot(id).status === 'up') ?? leaders[0];
  }

  /** The node instance, for tests that inspect algorithm state. */
  instance(id: number): ElectionNode | undefined {
    return this.slot(id).instance;
  }

  startAll(): void {
    for (const id of this.options.nodeIds) this.boot(this.slot(id));
  }

  crash(id: number): void {
    const slot = this.slot(id);
    if (slot.status === 'crashed') return;
    this.stopLeading(slot);
    slot.incarnation++;
    slot.status = 'crashed';
    slot.instance = undefined;
    slot.deferred = [];
    this.timeline.status(this.sim.now, id, 'crashed');
  }

  restart(id: number): void {
    const slot = this.slot(id);
    if (slot.status !== 'crashed') return;
    this.boot(slot);
  }

  /**
   * Stops `id` gracefully: its `shutdown` (if any) runs to completion on the
   * node's own clock and network, an elector releasing its lease, and then
   * the process exits (shown as down, like a crash). Resolves once it exited.
   */
  async shutdown(id: number): Promise<void> {
    const slot = this.slot(id);
    if (slot.status !== 'up') return;
    const incarnation = slot.incarnation;
    await slot.instance?.shutdown?.();
    if (slot.incarnation === incarnation) this.crash(id);
  }

  pause(id: number): void {
    const slot = this.slot(id);
    if (slot.status !== 'up') return;
    slot.status = 'paused';
    this.timeline.status(this.sim.now, id, 'paused');
  }

  resume(id: number): void {
    const slot = this.slot(id);
    if (slot.status !== 'paused') return;
    slot.status = 'up';
    this.timeline.status(this.sim.now, id, 'up');
    const queued = slot.deferred;
    slot.deferred = [];
    // Each queued delivery becomes its own event, so async node code gets its
    // continuations run between them, as it would have without the pause.
    for (const run of queued) this.sim.schedule(0, run);
  }

  /**
   * Pauses `id` for `durationMs` right after its next leadership check for a
   * write, before the write is sent: the worst moment, and the one fencing
   * exists for.
   */
  pauseAtNextWrite(id: number, durationMs: number): void {
    this.slot(id).pauseAtNextWrite = durationMs;
  }

  private slot(id: number): Slot {
    const slot = this.slots.get(id);
    if (slot === undefined) throw new RangeError(`no node ${id}`);
    return slot;
  }

  private boot(slot: Slot): void {
    slot.incarnation++;
    slot.boots++;
    slot.status = 'up';
    slot.deferred = [];
    this.timeline.status(this.sim.now, slot.id, 'up');
    const ctx = this.context(slot, slot.incarnation);
    slot.instance = this.options.factory(ctx);
  }

  private context(slot: Slot, incarnation: number): NodeContext {
    const alive = (): boolean => slot.incarnation === incarnation && slot.status !== 'crashed';
    return {
      id: slot.id,
      nodeIds: this.options.nodeIds,
      incarnation: slot.boots,
      now: () => slot.clock.wall(),
      monotonic: () => slot.clock.monotonic(),
      setTimer: (localMs, fire) => this.timer(slot, incarnation, slot.clock.toTrueDuration(localMs), fire),
      send: (to, message) => {
        if (!alive()) return;
        this.options.trace?.({ time: this.sim.now, kind: 'send', from: slot.id, to, message });
        this.network.send(slot.id, to, () => this.deliver(to, slot.id, message));
      },
      random: new Prng(`${this.options.seed}/node-${slot.id}/incarnation-${incarnation}`),
      storage: slot.storage,
      lead: (epoch, token) => {
        if (alive()) this.startLeading(slot, epoch, token);
      },
      unlead: () => {
        if (alive()) this.stopLeading(slot);
      },
      alive,
    };
  }

  // Timers are scheduled in true time computed from the drift at the moment they
  // are set; a drift change while a timer is pending does not stretch it. The
  // scenarios change drift rarely enough for that to be immaterial.
  private timer(slot: Slot, incarnation: number, trueDelayMs: number, fire: () => void): NodeTimer {
    const timer = new Timer();
    if (slot.incarnation !== incarnation || slot.status === 'crashed') {
      timer.cancel();
      return timer;
    }
    this.sim.schedule(trueDelayMs, () => this.dispatch(slot, incarnation, () => timer.cancelled || fire()));
    return timer;
  }

  /** Runs `run` for the node if that incarnation is still up; queues it while paused. */
  private dispatch(slot: Slot, incarnation: number, run: () => void): void {
    if (slot.incarnation !== incarnation || slot.status === 'crashed') return;
    if (slot.status === 'paused') {
      slot.deferred.push(() => this.dispatch(slot, incarnation, run));
      return;
    }
    run();
  }

  private deliver(to: Address, from: Address, message: unknown): void {
    this.options.trace?.({ time: this.sim.now, kind: 'deliver', from, to, message });
    if (to === SERVICE) {
      this.service?.onMessage(from, message);
      return;
    }
    const slot = this.slots.get(to);
    if (slot === undefined) return;
    // Messages reach whichever incarnation is running when they arrive.
    const incarnation = slot.incarnation;
    this.dispatch(slot, incarnation, () => slot.instance?.onMessage(from, message));
  }

  private startLeading(slot: Slot, epoch: number | undefined, token: number | undefined): void {
    if (slot.leading !== undefined) {
      // Re-asserting leadership. Without epochs (Bully, Ring), a re-election won after another
      // node's tenure began is a new tenure; otherwise nothing changed.
      const superseded = epoch === undefined && slot.leading.epoch < this.timeline.maxEpoch;
      if (!superseded && (epoch === undefined || epoch === slot.leading.epoch)) return;
    }
    const assigned = this.timeline.lead(this.sim.now, slot.id, epoch, token);
    slot.leading = { epoch: assigned, token };
    const loop = ++slot.writeLoop;
    const incarnation = slot.incarnation;
    const tick = (): void => {
      if (slot.writeLoop !== loop || slot.leading === undefined) return;
      this.decideWrite(slot, incarnation);
      this.timer(slot, incarnation, slot.clock.toTrueDuration(this.options.workload.writeIntervalMs), tick);
    };
    tick();
  }

  private stopLeading(slot: Slot): void {
    if (slot.leading === undefined) return;
    slot.leading = undefined;
    slot.writeLoop++;
    this.timeline.unlead(this.sim.now, slot.id);
  }

  private decideWrite(slot: Slot, incarnation: number): void {
    const leading = slot.leading;
    if (leading === undefined) return;
    const decidedAt = this.sim.now;
    const { epoch, token } = leading;
    const send = (): void =>
      this.network.send(slot.id, RESOURCE, () => {
        const stale = epoch < this.timeline.maxEpoch;
        const fencedAccepted = this.resource.write(token);
        this.timeline.write({ time: this.sim.now, decidedAt, node: slot.id, epoch, token, stale, fencedAccepted });
      });
    this.timer(slot, incarnation, slot.clock.toTrueDuration(this.options.workload.writeProcessingMs), send);
    const pauseMs = slot.pauseAtNextWrite;
    if (pauseMs !== undefined) {
      slot.pauseAtNextWrite = undefined;
      this.pause(slot.id);
      this.timeline.disruption(this.sim.now, slot.id, `pause ${pauseMs} ms`);
      this.sim.schedule(pauseMs, () => this.resume(slot.id));
    }
  }
}
