import type { FaultProfile } from 'baton-lease/internal';
import { FaultRegistry, Nemesis, type Fault } from '../harness/nemesis.js';
import { Prng } from '../sim/prng.js';
import type { HistoryWriter } from './history.js';

/** Every kind of fault the nemesis injects. The last four are network faults, injected by the proxy. */
export const FAULT_KINDS = ['kill', 'pause', 'skew', 'latency', 'reset', 'error', 'drop'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type NetworkFault = Extract<FaultKind, 'latency' | 'reset' | 'error' | 'drop'>;
const NETWORK_FAULTS: readonly NetworkFault[] = ['latency', 'reset', 'error', 'drop'];

/** Whom an action hits: the current leader (the interesting victim, three times in four), or a worker by index. */
export type Target =
  { readonly leader: true; readonly fallback: number } | { readonly leader: false; readonly index: number };

/** One planned action, `atMs` after the nemesis starts. */
export type NemesisStep =
  | { readonly atMs: number; readonly kind: 'kill'; readonly target: Target; readonly respawnAfterMs: number }
  | { readonly atMs: number; readonly kind: 'pause'; readonly target: Target; readonly durationMs: number }
  /**
   * Sets the target's wall-clock offset to `offsetMs`; with `adversarial`
   * (beyond the bound), leaves the leader's clock alone and sets every other
   * worker's to `2 |offsetMs|` ahead of it.
   */
  | {
      readonly atMs: number;
      readonly kind: 'skew';
      readonly target: Target;
      readonly offsetMs: number;
      readonly adversarial: boolean;
    }
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
      return {
        latencyMs: 20,
        jitterMs: 80,
        spikeProbability: 0.12,
        spikeMinMs: Math.round(leaseDurationMs / 2),
        spikeMaxMs: Math.round(1.5 * leaseDurationMs),
      };
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
export function drawOffset(
  prng: Prng,
  options: Pick<NemesisPlanOptions, 'maxClockSkewMs' | 'safetyMarginMs' | 'leaseDurationMs' | 'skewBeyond'>,
): number {
  const s = options.maxClockSkewMs;
  if (!options.skewBeyond) return Math.round(prng.uniform(-0.45 * s, 0.45 * s));
  const magnitude = prng.uniform(
    (s + options.leaseDurationMs) / 2 + options.safetyMarginMs,
    s + options.safetyMarginMs + options.leaseDurationMs,
  );
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
  const draw = CHAOS_FAULTS.drawer(prng, kinds);
  const steps: NemesisStep[] = [];
  // Leave the end quiet: every fault has healed before the campaign stops its workers.
  const endMs = options.durationMs - 1.5 * d;
  for (
    let atMs = prng.exponential(options.meanIntervalMs) + 500;
    atMs < endMs;
    atMs += prng.exponential(options.meanIntervalMs)
  ) {
    const kind = draw() as FaultKind;
    const target = (): Target =>
      prng.chance(0.75)
        ? { leader: true, fallback: prng.int(0, options.workers - 1) }
        : { leader: false, index: prng.int(0, options.workers - 1) };
    const room = Math.max(0, endMs - atMs);
    switch (kind) {
      case 'kill':
        steps.push({
          atMs,
          kind,
          target: target(),
          respawnAfterMs: Math.round(Math.min(room, prng.uniform(300, 2_000))),
        });
        break;
      case 'pause':
        // Up to 3 D: long enough for a successor to take over and write before the victim wakes.
        steps.push({
          atMs,
          kind,
          target: target(),
          durationMs: Math.round(Math.min(room, prng.uniform(0.2 * d, 3 * d))),
        });
        break;
      case 'skew':
        // Beyond the bound, all the others' clocks go ahead of the leader's: the direction that breaks exclusion.
        steps.push({
          atMs,
          kind,
          target: prng.chance(0.5)
            ? { leader: true, fallback: prng.int(0, options.workers - 1) }
            : { leader: false, index: prng.int(0, options.workers - 1) },
          offsetMs: drawOffset(prng, options),
          adversarial: options.skewBeyond,
        });
        break;
      default:
        steps.push({ atMs, kind, durationMs: Math.round(Math.min(room, prng.uniform(d / 2, 2 * d))) });
    }
  }
  return steps;
}

/** What the nemesis acts on: the worker pool and the proxy, behind a narrow face so tests can stand in. */
export interface NemesisTarget {
  workers(): readonly {
    readonly id: string;
    readonly inc: number;
    readonly state: string;
    readonly offsetMs?: number;
  }[];
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

/** What the chaos faults act on. */
interface ChaosContext {
  readonly target: NemesisTarget;
  readonly history: HistoryWriter;
  readonly leaseDurationMs: number;
  readonly maxDown: number;
  readonly log?: (line: string) => void;
  /** Each network fault in force, with when (performance.now()) its last window ends. */
  readonly network: Map<NetworkFault, number>;
}

type Step<K extends FaultKind> = Extract<NemesisStep, { kind: K }>;

/** The leader if the step wants it and it is up; else the step's worker; never beyond `maxDown`. */
function victim(ctx: ChaosContext, target: Target): string | undefined {
  const workers = ctx.target.workers();
  const down = workers.filter((w) => w.state !== 'up').length;
  if (down >= ctx.maxDown) return undefined;
  const up = (id: string | undefined) => workers.find((w) => w.id === id && w.state === 'up')?.id;
  if (target.leader) return up(ctx.target.leader()) ?? up(workers[target.fallback]?.id);
  return up(workers[target.index]?.id);
}

function incOf(ctx: ChaosContext, id: string): number {
  return ctx.target.workers().find((w) => w.id === id)?.inc ?? 0;
}

async function respawn(ctx: ChaosContext, id: string): Promise<void> {
  try {
    if (await ctx.target.respawn(id))
      ctx.history.append({ type: 'nemesis', action: 'respawn', worker: id, inc: incOf(ctx, id) });
  } catch (error) {
    ctx.log?.(`respawn of ${id} failed: ${(error as Error).message}`);
  }
}

function applyNetwork(ctx: ChaosContext): void {
  const profile: Partial<FaultProfile> = {};
  for (const fault of NETWORK_FAULTS)
    if (ctx.network.has(fault)) Object.assign(profile, networkProfile(fault, ctx.leaseDurationMs));
  ctx.target.setNetwork(profile);
}

/** Takes the step's victim down with `act` (SIGKILL or SIGSTOP), and logs it; the victim, or undefined if none was hit. */
function strike(
  ctx: ChaosContext,
  step: Step<'kill' | 'pause'>,
  act: (id: string) => boolean,
): { id: string; inc: number } | undefined {
  const id = victim(ctx, step.target);
  if (!id) return undefined;
  const inc = incOf(ctx, id);
  if (!act(id)) return undefined;
  ctx.history.append({
    type: 'nemesis',
    action: step.kind,
    worker: id,
    inc,
    ...(step.kind === 'pause' ? { durationMs: step.durationMs } : {}),
  });
  return { id, inc };
}

const kill: Fault<ChaosContext, NemesisStep, { id: string }> = {
  name: 'kill',
  inject: (ctx, step) => strike(ctx, step as Step<'kill'>, (id) => ctx.target.kill(id)),
  heal: (ctx, { id }) => respawn(ctx, id),
  healAfterMs: (step) => (step as Step<'kill'>).respawnAfterMs,
};

const pause: Fault<ChaosContext, NemesisStep, { id: string; inc: number }> = {
  name: 'pause',
  inject: (ctx, step) => strike(ctx, step as Step<'pause'>, (id) => ctx.target.pause(id)),
  heal(ctx, { id, inc }) {
    if (ctx.target.resume(id)) ctx.history.append({ type: 'nemesis', action: 'resume', worker: id, inc });
  },
  healAfterMs: (step) => (step as Step<'pause'>).durationMs,
};

/** A clock step is not undone: a later skew step, or the end of the run, moves it again. */
const skew: Fault<ChaosContext, NemesisStep> = {
  name: 'skew',
  inject(ctx, s) {
    const step = s as Step<'skew'>;
    const workers = ctx.target.workers();
    if (step.adversarial) {
      // Every contender goes 2 |offset| ahead of the leader, whose clock stays put: stepping a holder's clock
      // back only freezes its expiry (a renew never shortens it), so it stops at its deadline before anyone takes over.
      const leader = workers.find((w) => w.id === ctx.target.leader());
      if (!leader) return undefined;
      const offsetMs = (leader.offsetMs ?? 0) + 2 * Math.abs(step.offsetMs);
      for (const worker of workers) {
        if (worker === leader) continue;
        ctx.target.setSkew(worker.id, offsetMs);
        ctx.history.append({ type: 'nemesis', action: 'skew', worker: worker.id, inc: worker.inc, offsetMs });
      }
      return undefined;
    }
    const leader = step.target.leader ? ctx.target.leader() : undefined;
    const worker =
      workers.find((w) => w.id === leader) ?? workers[step.target.leader ? step.target.fallback : step.target.index];
    if (!worker) return undefined;
    ctx.target.setSkew(worker.id, step.offsetMs);
    ctx.history.append({
      type: 'nemesis',
      action: 'skew',
      worker: worker.id,
      inc: worker.inc,
      offsetMs: step.offsetMs,
    });
    return undefined;
  },
  heal: () => undefined,
};

/** A network fault the proxy injects for a while; overlapping windows of one kind extend it, and the last one ends it. */
function networkFault(fault: NetworkFault): Fault<ChaosContext, NemesisStep, true> {
  return {
    name: fault,
    inject(ctx, step) {
      const { durationMs } = step as Step<NetworkFault>;
      ctx.network.set(fault, Math.max(performance.now() + durationMs, ctx.network.get(fault) ?? 0));
      applyNetwork(ctx);
      ctx.target.forceNetworkFault(fault);
      ctx.history.append({ type: 'nemesis', action: 'network-on', fault, durationMs });
      return true;
    },
    heal(ctx) {
      const end = ctx.network.get(fault);
      // A later window of the same fault extended it: that window turns it off.
      if (end === undefined || end > performance.now() + 1) return;
      ctx.network.delete(fault);
      applyNetwork(ctx);
      ctx.history.append({ type: 'nemesis', action: 'network-off', fault });
    },
    healAfterMs: (step) => (step as Step<NetworkFault>).durationMs,
  };
}

/** The chaos campaign's faults, one per {@link FAULT_KINDS} entry. */
export const CHAOS_FAULTS = new FaultRegistry<ChaosContext, NemesisStep>([
  kill,
  pause,
  skew,
  ...NETWORK_FAULTS.map(networkFault),
]);

/**
 * Runs a planned schedule against real processes and the proxy, logging each
 * action to the history as it happens. Never takes down more than `maxDown`
 * workers at once (killed or paused), so someone can always make progress.
 * Every pause is followed by its resume, every kill by a respawn and every
 * network fault by its end, within the schedule; `heal()` undoes whatever is
 * still in force when the run is cut short.
 */
export class ChaosNemesis {
  readonly #context: ChaosContext;
  readonly #nemesis: Nemesis<ChaosContext, NemesisStep>;

  constructor(
    target: NemesisTarget,
    history: HistoryWriter,
    options: { readonly leaseDurationMs: number; readonly maxDown: number; readonly log?: (line: string) => void },
  ) {
    this.#context = { target, history, ...options, network: new Map() };
    this.#nemesis = new Nemesis(CHAOS_FAULTS, this.#context);
  }

  /** Executes `steps` on their schedule; resolves when the last step has been taken and its effects undone. */
  run(steps: readonly NemesisStep[], signal?: AbortSignal): Promise<void> {
    return this.#nemesis.run(steps, signal);
  }

  /** Cancels what is scheduled and undoes what is in force: resumes the paused, respawns the dead, heals the network. */
  async heal(): Promise<void> {
    const ctx = this.#context;
    await this.#nemesis.heal();
    ctx.network.clear();
    ctx.target.setNetwork({});
    // Whatever went down or stayed stopped outside the schedule (a worker that crashed by itself) comes back too.
    const respawns: Promise<unknown>[] = [];
    for (const worker of ctx.target.workers()) {
      if (worker.state === 'paused' && ctx.target.resume(worker.id))
        ctx.history.append({ type: 'nemesis', action: 'resume', worker: worker.id, inc: worker.inc });
      if (worker.state === 'down') respawns.push(respawn(ctx, worker.id));
    }
    await Promise.allSettled(respawns);
    ctx.history.append({ type: 'nemesis', action: 'heal' });
  }
}
