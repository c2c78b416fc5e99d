import { setTimeout as sleep } from 'node:timers/promises';
import type { ScheduledEvent } from 'aws-lambda';
import type { Prng } from '../sim/prng.js';
import { scheduledEvent } from 'baton-lease/testing';
import type { PooledWorker } from '../harness/worker-pool.js';
import type { RunRecord, WorkerRecord } from './records.js';
import type { WorkerMessage } from './worker-process.js';

type LambdaWorker = PooledWorker<WorkerMessage>;

/** Options of {@link TickDriver}. */
export interface TickDriverOptions {
  /** The schedule's period, a whole number of seconds in ms (event times have second resolution). */
  readonly tickMs: number;
  /** Share of deliveries that are delivered again, to a random worker, a little later. */
  readonly duplicateRate: number;
  readonly random: Prng;
  /** The workers that get each tick: every worker that is up (a stopped one queues it, like a frozen host). */
  readonly targets: () => readonly LambdaWorker[];
  readonly onRunRecord: (record: RunRecord) => void;
}

/** A redelivery comes this long (uniformly, ms) after the original: sometimes while the tick still runs, sometimes after. */
const REDELIVERY_DELAY_MS = { min: 30, max: 800 } as const;

/**
 * The schedule: at each tick, one EventBridge-shaped event per worker (as
 * `CronSingleton` with one contender per worker would send), and, with
 * `duplicateRate`, the same event delivered again, as EventBridge's
 * at-least-once delivery sometimes does.
 */
export class TickDriver {
  readonly #redeliveries = new Set<NodeJS.Timeout>();
  /** Deliveries sent to each worker that have no outcome yet. */
  readonly #inFlight = new Map<string, number>();

  constructor(private readonly options: TickDriverOptions) {}

  /**
   * Sends `count` ticks, the first at `first` (a period boundary, see
   * {@link TickDriver.nextTick}), then more while `extendWhile()` holds, up to
   * `maxExtra`, calling `onExtend` before each such tick. Resolves after the
   * last, or when `signal` aborts.
   */
  async run(
    count: number,
    signal: AbortSignal,
    extend: { first?: number; extendWhile?: () => boolean; maxExtra?: number; onExtend?: (tick: number) => void } = {},
  ): Promise<void> {
    const { extendWhile = () => false, maxExtra = 0, onExtend = () => {} } = extend;
    const { tickMs } = this.options;
    const first = extend.first ?? this.nextTick();
    for (let i = 0; (i < count || (i < count + maxExtra && extendWhile())) && !signal.aborted; i++) {
      const tick = first + i * tickMs;
      if (i >= count) onExtend(tick);
      try {
        // A few ms past the boundary, so the event's time is unambiguously this second.
        await sleep(Math.max(0, tick + 5 - Date.now()), undefined, { signal });
      } catch {
        return;
      }
      this.#emit(tick);
    }
  }

  /** The next period boundary at least 50 ms away: when {@link TickDriver.run} sends its first tick by default. */
  nextTick(): number {
    const { tickMs } = this.options;
    return Math.ceil((Date.now() + 50) / tickMs) * tickMs;
  }

  /** Feeds the driver every worker record: an outcome settles one delivery. */
  observe(record: WorkerRecord): void {
    if (record.type === 'outcome')
      this.#inFlight.set(record.worker, Math.max(0, (this.#inFlight.get(record.worker) ?? 0) - 1));
  }

  /** Deliveries sent to `worker` that have no outcome yet. */
  pending(worker: string): number {
    return this.#inFlight.get(worker) ?? 0;
  }

  /** Cancels redeliveries not yet sent. */
  stop(): void {
    for (const timer of this.#redeliveries) clearTimeout(timer);
    this.#redeliveries.clear();
  }

  #emit(tick: number): void {
    const { random, onRunRecord, duplicateRate } = this.options;
    onRunRecord({ type: 'tick', at: Date.now(), tick });
    for (const worker of this.options.targets()) {
      const event = scheduledEvent(tick, {
        ruleArn: `arn:aws:scheduler:us-east-1:000000000000:schedule/baton-demo/contender-${worker.name}`,
      });
      this.#deliver(worker, event, false);
      if (random.chance(duplicateRate)) {
        const delay = random.int(REDELIVERY_DELAY_MS.min, REDELIVERY_DELAY_MS.max);
        const timer = setTimeout(() => {
          this.#redeliveries.delete(timer);
          const targets = this.options.targets();
          if (targets.length > 0) this.#deliver(random.pick(targets), event, true);
        }, delay);
        this.#redeliveries.add(timer);
      }
    }
  }

  #deliver(worker: LambdaWorker, event: ScheduledEvent, duplicate: boolean): void {
    if (worker.state === 'starting' || !worker.send({ type: 'invoke', event })) return;
    this.#inFlight.set(worker.name, this.pending(worker.name) + 1);
    this.options.onRunRecord({
      type: 'delivery',
      at: Date.now(),
      tick: Date.parse(event.time),
      eventId: event.id,
      worker: worker.name,
      duplicate,
    });
  }
}
