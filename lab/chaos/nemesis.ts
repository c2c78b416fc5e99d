import type { FaultProfile } from 'baton-lease/internal';
import { Prng } from '../sim/prng.js';
import type { HistoryWriter } from './history.js';

/** Every kind of fault the nemesis injects. The last four are network faults, injected by the proxy. */
export const FAULT_KINDS = ['kill', 'pause', 'skew', 'latency', 'reset', 'error', 'drop'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type NetworkFault = Extract<FaultKind, 'latency' | 'reset' | 'error' | 'drop'>;
const NETWORK_FAULTS: readonly NetworkFault[] = ['latency', 'reset', 'error', 'drop'];

/** Whom an action hits: the current leader (the interesting victim, three times in four), or a worker by index. */
export type Target = { readonly leader: true; readonly fallback: number } | { readonly leader: false; readonly index: number };

/** One planned action, `atMs` after the nemesis starts. */
export type NemesisStep =
  | { readonly atMs: number; readonly kind: 'kill'; readonly target: Target; readonly respawnAfterMs: number }
  | { readonly atMs: number; readonly kind: 'pause'; readonly target: Target; readonly durationMs: number }
  /**
   * Sets the target's wall-clock offset to `offsetMs`; with `adversarial`
   * (beyond the bound), leaves the leader's clock alone and sets every other
   * worker's to `2 |offsetMs|` ahead of it.
   */
  | { readonly atMs: number; readonly kind: 'skew'; readonly target: Target; readonly offsetMs: number; readonly adversarial: boolean }
  | { readonly atMs: number; readonly kind: NetworkFault; readonly durationMs: number };

/** What the schedule is drawn from. */
export interface NemesisPlanOptions {
  readonly seed: number;
  readonly workers: number;
  /** How long the nemesis acts; every fault it starts has ended by then. */
  readonly durationMs: number;
  /** Mean time between actions (exponentially distributed). */
  readonly meanIntervalMs: number;
  /** `D`: pauses last up to 3 D; latency spikes reach 1.5 D. */
  readonly leaseDurationMs: number;
  /** `S`. */
  readonly maxClockSkewMs: number;
  /** `M`. */
  readonly safetyMarginMs: number;
  /** Skews go beyond `S` (the `--skew-beyond` mode). */
  readonly skewBeyond: boolean;
  /** The kinds to draw from. @default FAULT_KINDS */
  readonly kinds?: readonly FaultKind[];
}

/** The fault profile the proxy uses for each network fault, scaled to the lease duration. */
export function networkProfile(fault: NetworkFault, leaseDurationMs: number): Partial<FaultProfile> {
  switch (fault) {
    case 'latency':
      // Mostly tens of ms; one request in eight is held for 0.5-1.5 D, long enough to land after its tenure.
      return { latencyMs: 20, jitterMs: 80, spikeProbability: 0.12, spikeMinMs: Math.round(leaseDurationMs / 2), spikeMaxMs: Math.round(1.5 * leaseDurationMs) };
    case 'reset':
      return { resetProbability: 0.2 };
    case 'error':
      return { errorProbability: 0.25 };
    case 'drop':
      return { dropProbability: 0.2 };
  }
}

/**
 * A worker's wall-clock offset, drawn so that the skew assumption holds or, in
 * the flagged mode, breaks. Within the bound each offset is in `±0.45 S`, so
 * any two workers differ by less than `S`. Beyond it, offsets are
 * `±[(S + D) / 2 + M, S + M + D]`, and an adversarial skew step puts the
 * contenders `2 |offset|` ahead of the leader: more than `S + D + M`, so a
 * contender takes over as soon as it next reads the item, even from a holder
 * renewing on time (whose expiry leads real time by at most `D` on its own
 * clock). Random-signed start offsets still differ by anything from 0 up.
 */
export function drawOffset(prng: Prng, options: Pick<NemesisPlanOptions, 'maxClockSkewMs' | 'safetyMarginMs' | 'leaseDurationMs' | 'skewBeyond'>): number {
  const s = options.maxClockSkewMs;
  if (!options.skewBeyond) return Math.round(prng.uniform(-0.45 * s, 0.45 * s));
  const magnitude = prng.uniform((s + options.leaseDurationMs) / 2 + options.safetyMarginMs, s + options.safetyMarginMs + options.leaseDurationMs);
  return Math.round(prng.chance(0.5) ? magnitude : -magnitude);
}

/**
 * Plans the whole schedule from the seed, before anything runs: the same seed
 * gives the same actions at the same offsets. (What they hit depends on real
 * timing: which worker leads when a "kill the leader" step comes up.) The first
 * steps are every kind once, in a seeded order, so even a short run injects
 * faults of every kind.
 */
export function planSchedule(options: NemesisPlanOptions): NemesisStep[] {
  const prng = new Prng(options.seed).fork('nemesis');
  const kinds = options.kinds ?? FAULT_KINDS;
  if (kinds.length === 0) return [];
  const d = options.leaseDurationMs;
  const first = shuffle([...kinds], prng);
  const steps: NemesisStep[] = [];
  // Leave the end quiet: every fault has healed before the campaign stops its workers.
  const endMs = options.durationMs - 1.5 * d;
  for (let atMs = prng.exponential(options.meanIntervalMs) + 500; atMs < endMs; atMs += prng.exponential(options.meanIntervalMs)) {
    const kind = first.shift() ?? prng.pick(kinds);
    const target = (): Target => (prng.chance(0.75) ? { leader: true, fallback: prng.int(0, options.workers - 1) } : { leader: false, index: prng.int(0, options.workers - 1) });
    const room = Math.max(0, endMs - atMs);
    switch (kind) {
      case 'kill':
        steps.push({ atMs, kind, target: target(), respawnAfterMs: Math.round(Math.min(room, prng.uniform(300, 2_000))) });
        break;
      case 'pause':
        // Up to 3 D: long enough for a successor to take over and write before the victim wakes.
        steps.push({ atMs, kind, target: target(), durationMs: Math.round(Math.min(room, prng.uniform(0.2 * d, 3 * d))) });
        break;
      case 'skew':
        // Beyond the bound, all the others' clocks go ahead of the leader's: the direction that breaks exclusion.
        steps.push({ atMs, kind, target: prng.chance(0.5) ? { leader: true, fallback: prng.int(0, options.workers - 1) } : { leader: false, index: prng.int(0, options.workers - 1) }, offsetMs: drawOffset(prng, options), adversarial: options.skewBeyond });
        break;
      default:
        steps.push({ atMs, kind, durationMs: Math.round(Math.min(room, prng.uniform(d / 2, 2 * d))) });
    }
  }
  return steps;
}

function shuffle<T>(items: T[], prng: Prng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = prng.int(0, i);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** What the nemesis acts on: the worker pool and the proxy, behind a narrow face so tests can stand in. */
export interface NemesisTarget {
  workers(): readonly { readonly id: string; readonly inc: number; readonly state: string; readonly offsetMs?: number }[];
  leader(): string | undefined;
  kill(id: string): boolean;
  respawn(id: string): Promise<boolean>;
  pause(id: string): boolean;
  resume(id: string): boolean;
  setSkew(id: string, offsetMs: number): void;
  setNetwork(profile: Partial<FaultProfile>): void;
  /** Makes the very next request suffer `fault`, so that every window injects at least one. */
  forceNetworkFault(fault: NetworkFault): void;
}

/**
 * Runs a planned schedule against real processes and the proxy, logging each
 * action to the history as it happens. Never takes down more than `maxDown`
 * workers at once (killed or paused), so someone can always make progress.
 * Every pause is followed by its resume, every kill by a respawn and every
 * network fault by its end, within the schedule; `heal()` undoes whatever is
 * still in force when the run is cut short.
 */
export class Nemesis {
  /** Scheduled undo actions (resume, respawn, network off), with what settles each early when healed. */
  readonly #timers = new Map<NodeJS.Timeout, () => void>();
  readonly #pending = new Set<Promise<unknown>>();
  readonly #network = new Map<NetworkFault, number>();
  #stopped = false;

  constructor(
    private readonly target: NemesisTarget,
    private readonly history: HistoryWriter,
    private readonly options: { readonly leaseDurationMs: number; readonly maxDown: number; readonly log?: (line: string) => void },
  ) {}

  /** Executes `steps` on their schedule; resolves when the last step has been taken and its effects undone. */
  async run(steps: readonly NemesisStep[], signal?: AbortSignal): Promise<void> {
    const started = performance.now();
    for (const step of steps) {
      const wait = step.atMs - (performance.now() - started);
      if (wait > 0) await this.#sleep(wait, signal);
      if (this.#stopped || signal?.aborted) break;
      this.#take(step);
    }
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /** Cancels what is scheduled and undoes what is in force: resumes the paused, respawns the dead, heals the network. */
  async heal(): Promise<void> {
    this.#stopped = true;
    for (const [timer, settle] of this.#timers) {
      clearTimeout(timer);
      settle();
    }
    this.#timers.clear();
    this.#network.clear();
    this.target.setNetwork({});
    const respawns: Promise<unknown>[] = [];
    for (const worker of this.target.workers()) {
      if (worker.state === 'paused' && this.target.resume(worker.id)) this.history.append({ type: 'nemesis', action: 'resume', worker: worker.id, inc: worker.inc });
      if (worker.state === 'down') respawns.push(this.#respawn(worker.id));
    }
    await Promise.allSettled([...respawns, ...this.#pending]);
    this.history.append({ type: 'nemesis', action: 'heal' });
  }

  #take(step: NemesisStep): void {
    switch (step.kind) {
      case 'kill': {
        const victim = this.#victim(step.target);
        if (!victim) return;
        const inc = this.#inc(victim);
        if (!this.target.kill(victim)) return;
        this.history.append({ type: 'nemesis', action: 'kill', worker: victim, inc });
        this.#later(step.respawnAfterMs, () => this.#respawn(victim));
        return;
      }
      case 'pause': {
        const victim = this.#victim(step.target);
        if (!victim) return;
        const inc = this.#inc(victim);
        if (!this.target.pause(victim)) return;
        this.history.append({ type: 'nemesis', action: 'pause', worker: victim, inc, durationMs: step.durationMs });
        this.#later(step.durationMs, () => {
          if (this.target.resume(victim)) this.history.append({ type: 'nemesis', action: 'resume', worker: victim, inc });
        });
        return;
      }
      case 'skew': {
        const workers = this.target.workers();
        if (step.adversarial) {
          // Every contender goes 2 |offset| ahead of the leader, whose clock stays put: stepping a holder's clock
          // back only freezes its expiry (a renew never shortens it), so it stops at its deadline before anyone takes over.
          const leader = workers.find((w) => w.id === this.target.leader());
          if (!leader) return;
          const offsetMs = (leader.offsetMs ?? 0) + 2 * Math.abs(step.offsetMs);
          for (const worker of workers) {
            if (worker === leader) continue;
            this.target.setSkew(worker.id, offsetMs);
            this.history.append({ type: 'nemesis', action: 'skew', worker: worker.id, inc: worker.inc, offsetMs });
          }
          return;
        }
        const leader = step.target.leader ? this.target.leader() : undefined;
        const worker = workers.find((w) => w.id === leader) ?? workers[step.target.leader ? step.target.fallback : step.target.index];
        if (!worker) return;
        this.target.setSkew(worker.id, step.offsetMs);
        this.history.append({ type: 'nemesis', action: 'skew', worker: worker.id, inc: worker.inc, offsetMs: step.offsetMs });
        return;
      }
      default: {
        const fault = step.kind;
        const until = performance.now() + step.durationMs;
        this.#network.set(fault, Math.max(until, this.#network.get(fault) ?? 0));
        this.#applyNetwork();
        this.target.forceNetworkFault(fault);
        this.history.append({ type: 'nemesis', action: 'network-on', fault, durationMs: step.durationMs });
        this.#later(step.durationMs, () => {
          const end = this.#network.get(fault);
          // A later window of the same fault extended it: that window turns it off.
          if (end === undefined || end > performance.now() + 1) return;
          this.#network.delete(fault);
          this.#applyNetwork();
          this.history.append({ type: 'nemesis', action: 'network-off', fault });
        });
      }
    }
  }

  /** The leader if the step wants it and it is up; else the step's worker; never beyond `maxDown`. */
  #victim(target: Target): string | undefined {
    const workers = this.target.workers();
    const down = workers.filter((w) => w.state !== 'up').length;
    if (down >= this.options.maxDown) return undefined;
    const up = (id: string | undefined) => workers.find((w) => w.id === id && w.state === 'up')?.id;
    if (target.leader) return up(this.target.leader()) ?? up(workers[target.fallback]?.id);
    return up(workers[target.index]?.id);
  }

  #inc(id: string): number {
    return this.target.workers().find((w) => w.id === id)?.inc ?? 0;
  }

  async #respawn(id: string): Promise<void> {
    try {
      if (await this.target.respawn(id)) this.history.append({ type: 'nemesis', action: 'respawn', worker: id, inc: this.#inc(id) });
    } catch (error) {
      this.options.log?.(`respawn of ${id} failed: ${(error as Error).message}`);
    }
  }

  #applyNetwork(): void {
    const profile: Partial<FaultProfile> = {};
    for (const fault of NETWORK_FAULTS) if (this.#network.has(fault)) Object.assign(profile, networkProfile(fault, this.options.leaseDurationMs));
    this.target.setNetwork(profile);
  }

  #later(ms: number, action: () => unknown): void {
    const done = new Promise<void>((resolve) => {
      const settle = () => {
        this.#pending.delete(done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        Promise.resolve().then(action).catch(() => undefined).finally(settle);
      }, ms);
      this.#timers.set(timer, settle);
    });
    this.#pending.add(done);
  }

  #sleep(ms: number, signal?: AbortSignal): Promise<void> {
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
