import type { Simulator } from './simulator.js';

/** Wall-clock epoch of virtual time 0: 2025-01-01T00:00:00Z. Fixed, so reports never carry the real date. */
export const SIM_EPOCH_MS = Date.UTC(2025, 0, 1);

export interface ClockSettings {
  /** How far this node's wall clock is ahead of true time, in ms (negative = behind). */
  readonly offsetMs: number;
  /** Rate error in parts per million: +1000 means the clock gains 1 ms per second. */
  readonly driftPpm: number;
}

/**
 * One machine's clocks over virtual time. The wall clock has an offset and a
 * drift and can be stepped (an NTP correction); the monotonic clock shares the
 * drift (it is the same oscillator) but never steps. Both are piecewise linear
 * in true time, re-anchored whenever the settings change.
 *
 * The clock belongs to the machine, not the process: it keeps running while the
 * process is paused or crashed, as CLOCK_REALTIME and CLOCK_MONOTONIC do.
 */
export class NodeClock {
  private anchorTrue: number;
  private anchorWall: number;
  private anchorMono: number;
  private rate: number;

  constructor(
    private readonly sim: Simulator,
    settings: ClockSettings,
  ) {
    this.anchorTrue = sim.now;
    this.anchorWall = SIM_EPOCH_MS + sim.now + settings.offsetMs;
    this.anchorMono = sim.now;
    this.rate = 1 + settings.driftPpm / 1e6;
  }

  /** Local wall time, epoch ms. */
  wall(): number {
    return this.anchorWall + (this.sim.now - this.anchorTrue) * this.rate;
  }

  monotonic(): number {
    return this.anchorMono + (this.sim.now - this.anchorTrue) * this.rate;
  }

  /** How far the wall clock is from true time right now, in ms. */
  offsetMs(): number {
    return this.wall() - (SIM_EPOCH_MS + this.sim.now);
  }

  /** True time that passes while this clock advances `localMs`. */
  toTrueDuration(localMs: number): number {
    return Math.max(0, localMs) / this.rate;
  }

  /** Steps the wall clock by `deltaMs` (monotonic unaffected). */
  step(deltaMs: number): void {
    this.reanchor();
    this.anchorWall += deltaMs;
  }

  setDrift(driftPpm: number): void {
    this.reanchor();
    this.rate = 1 + driftPpm / 1e6;
  }

  private reanchor(): void {
    this.anchorWall = this.wall();
    this.anchorMono = this.monotonic();
    this.anchorTrue = this.sim.now;
  }
}
