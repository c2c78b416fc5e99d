import type { Prng } from '../sim/prng.js';

/** A planned action of a nemesis: which fault, and when. Each pipeline adds the fields its faults read. */
export interface FaultStep {
  /** The fault's name in the registry. */
  readonly kind: string;
  /** When to inject, in ms after the nemesis starts; absent: as soon as the step before is done. */
  readonly atMs?: number;
}

/**
 * One kind of fault: how it strikes and how it is undone. `C` is what it acts
 * on (a pipeline's workers, its proxy, its logs), `S` the pipeline's steps,
 * `H` what a strike hit, which its heal needs.
 */
export interface Fault<C, S extends FaultStep, H = unknown> {
  readonly name: string;
  /** Strikes; resolves to what was hit, or `undefined` when there was nothing to strike (then there is nothing to heal). */
  inject(context: C, step: S): H | undefined | Promise<H | undefined>;
  /** Undoes what `inject` did, or waits out its aftermath. */
  heal(context: C, hit: H, step: S): void | Promise<void>;
  /**
   * Heal this long after the injection, while the nemesis goes on with the
   * next steps. Absent, or `undefined` for a step: the nemesis heals at once
   * and waits for the heal before the next step.
   */
  healAfterMs?(step: S): number | undefined;
}

/**
 * A pipeline's faults by name (the pattern of lab/sim/algorithms.ts: each
 * pipeline registers its own kinds, and a step names one). Unknown names are
 * refused when asked for, never skipped.
 */
export class FaultRegistry<C, S extends FaultStep> {
  readonly #faults = new Map<string, Fault<C, S>>();

  constructor(faults: readonly Fault<C, S>[]) {
    for (const fault of faults) {
      if (this.#faults.has(fault.name)) throw new RangeError(`fault ${fault.name} is registered twice`);
      this.#faults.set(fault.name, fault);
    }
  }

  /** Every registered name, in registration order. */
  get names(): readonly string[] {
    return [...this.#faults.keys()];
  }

  /** The fault registered as `name`; a `RangeError` naming the known ones otherwise. */
  get(name: string): Fault<C, S> {
    const fault = this.#faults.get(name);
    if (!fault) throw new RangeError(`unknown fault ${JSON.stringify(name)}; known: ${this.names.join(', ')}`);
    return fault;
  }

  /**
   * A seeded draw among `names` (all by default): first each once, in a
   * shuffled order, so that even a short run injects every kind; then picks
   * with replacement. The shuffle draws from `random` now, each pick when
   * called, so the same seed and the same calls give the same kinds.
   */
  drawer(random: Prng, names: readonly string[] = this.names): () => string {
    for (const name of names) this.get(name);
    if (names.length === 0) throw new RangeError('no fault to draw from');
    const first = [...names];
    for (let i = first.length - 1; i > 0; i--) {
      const j = random.int(0, i);
      [first[i], first[j]] = [first[j] as string, first[i] as string];
    }
    return () => first.shift() ?? random.pick(names);
  }
}

/**
 * Plays steps against a pipeline through its fault registry: waits for each
 * step's time, injects its fault, and heals it (at once, or after the
 * fault's `healAfterMs` while the next steps go on). `heal()` stops it and
 * heals at once whatever is still waiting to be healed, so a run cut short
 * leaves nothing broken behind.
 */
export class Nemesis<C, S extends FaultStep> {
  /** Scheduled heals, each with what runs it now instead. */
  readonly #scheduled = new Map<NodeJS.Timeout, () => void>();
  readonly #pending = new Set<Promise<void>>();
  #stopped = false;

  constructor(
    private readonly faults: FaultRegistry<C, S>,
    private readonly context: C,
    private readonly options: { readonly onError?: (error: unknown, step: S) => void } = {},
  ) {}

  /** Plays `steps` in order; resolves once the last has been injected and every heal has run. */
  async run(steps: Iterable<S> | AsyncIterable<S>, signal?: AbortSignal): Promise<void> {
    const started = performance.now();
    for await (const step of steps) {
      if (step.atMs !== undefined) await this.#sleep(step.atMs - (performance.now() - started), signal);
      if (this.#stopped || signal?.aborted) break;
      const fault = this.faults.get(step.kind);
      let hit: unknown;
      try {
        hit = await fault.inject(this.context, step);
      } catch (error) {
        this.options.onError?.(error, step);
        continue;
      }
      if (hit === undefined) continue;
      const heal = () => this.#heal(fault, hit, step);
      const after = fault.healAfterMs?.(step);
      if (after === undefined) await heal();
      else this.#later(after, heal);
    }
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /** Injects no more, and heals now what was scheduled to heal later. */
  async heal(): Promise<void> {
    this.#stopped = true;
    for (const [timer, now] of this.#scheduled) {
      clearTimeout(timer);
      now();
    }
    this.#scheduled.clear();
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  async #heal(fault: Fault<C, S>, hit: unknown, step: S): Promise<void> {
    try {
      await fault.heal(this.context, hit, step);
    } catch (error) {
      this.options.onError?.(error, step);
    }
  }

  #later(ms: number, heal: () => Promise<void>): void {
    let run = (): void => {};
    const done = new Promise<void>((resolve) => {
      run = () => void heal().finally(() => (this.#pending.delete(done), resolve()));
    });
    this.#pending.add(done);
    const timer = setTimeout(() => {
      this.#scheduled.delete(timer);
      run();
    }, ms);
    this.#scheduled.set(timer, run);
  }

  #sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(finish, ms);
      function finish() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', finish);
        resolve();
      }
      signal?.addEventListener('abort', finish, { once: true });
    });
  }
}
