/**
 * The discrete-event core: a virtual clock and a queue of events ordered by
 * (time, insertion order). Nothing in the lab reads a real clock; time only
 * moves when the next event is taken off the queue, so a run is a pure function
 * of its seed.
 */
export interface TimerHandle {
  cancel(): void;
  readonly cancelled: boolean;
}

interface QueuedEvent extends TimerHandle {
  readonly time: number;
  readonly seq: number;
  readonly fire: () => void;
}

export class Simulator {
  private readonly heap: QueuedEvent[] = [];
  private seq = 0;
  private time = 0;
  private processed = 0;
  private halted = false;

  /** Virtual time in milliseconds since the start of the run. */
  get now(): number {
    return this.time;
  }

  get eventsProcessed(): number {
    return this.processed;
  }

  /**
   * Ends the run early: `runUntil` returns after the current event, leaving
   * the clock where it is. For measurements that know their answer before the
   * run's planned end.
   */
  halt(): void {
    this.halted = true;
  }

  /** Runs `fire` after `delayMs` of virtual time (clamped at zero). Same-time events run in scheduling order. */
  schedule(delayMs: number, fire: () => void): TimerHandle {
    return this.at(this.time + Math.max(0, delayMs), fire);
  }

  /** Runs `fire` at virtual time `time` (never in the past). */
  at(time: number, fire: () => void): TimerHandle {
    if (!Number.isFinite(time)) throw new RangeError(`event time must be finite, got ${time}`);
    const event: QueuedEvent = {
      time: Math.max(time, this.time),
      seq: this.seq++,
      fire,
      cancelled: false,
      cancel() {
        (this as { cancelled: boolean }).cancelled = true;
      },
    };
    this.push(event);
    return event;
  }

  /** Processes events up to and including `endMs`, then sets the clock to `endMs`. For nodes whose handlers are synchronous. */
  runUntil(endMs: number): void {
    for (let event = this.takeDue(endMs); event !== undefined; event = this.takeDue(endMs)) {
      event.fire();
    }
    if (!this.halted) this.time = Math.max(this.time, endMs);
  }

  /**
   * Like `runUntil`, but lets every promise continuation that an event started
   * run to completion before the next event. This is what lets real async code
   * (the lease runtime) live on virtual time: a resolved sleep or store reply
   * resumes its `await` at the virtual instant it was resolved, and the order of
   * those continuations is fixed by the event order, so the run stays
   * deterministic. `afterEvent` runs once each event's continuations have
   * settled (the deterministic simulation samples the holders' deadlines there).
   */
  async runUntilAsync(endMs: number, afterEvent?: () => void): Promise<void> {
    await drainMicrotasks();
    for (let event = this.takeDue(endMs); event !== undefined; event = this.takeDue(endMs)) {
      event.fire();
      await drainMicrotasks();
      afterEvent?.();
    }
    if (!this.halted) this.time = Math.max(this.time, endMs);
  }

  private takeDue(endMs: number): QueuedEvent | undefined {
    for (;;) {
      if (this.halted) return undefined;
      const head = this.heap[0];
      if (head === undefined || head.time > endMs) return undefined;
      this.pop();
      if (head.cancelled) continue;
      this.time = head.time;
      this.processed++;
      return head;
    }
  }

  private push(event: QueuedEvent): void {
    const heap = this.heap;
    heap.push(event);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as QueuedEvent, heap[parent] as QueuedEvent)) break;
      [heap[i], heap[parent]] = [heap[parent] as QueuedEvent, heap[i] as QueuedEvent];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[l] as QueuedEvent, heap[m] as QueuedEvent)) m = l;
      if (r < heap.length && before(heap[r] as QueuedEvent, heap[m] as QueuedEvent)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m] as QueuedEvent, heap[i] as QueuedEvent];
      i = m;
    }
  }
}

function before(a: QueuedEvent, b: QueuedEvent): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

/**
 * Resolves after every microtask queued so far, and every microtask those
 * queue, has run: `setImmediate` callbacks run only once the microtask queue is
 * empty. No real I/O happens in a run, so nothing else can interleave.
 */
function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
