import type { FinalState } from '../../../chaos/final-state.js';
import type { CampaignParameters, HistoryRecord, WriteOutcomeKind } from '../../../chaos/history.js';
import type { ResourceEntry } from '../../../chaos/resource.js';

/** D, M, S of the hand-made histories: the holder's deadline is `sent + 1750`. */
export const PARAMS: CampaignParameters = {
  seed: 1,
  leaseName: 'chaos/leader',
  workers: 3,
  durationMs: 60_000,
  leaseDurationMs: 2_000,
  safetyMarginMs: 250,
  maxClockSkewMs: 200,
  tickMs: 250,
  skewBeyond: false,
};

/** Real time 0 of a hand-made history. */
export const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
export const tickAt = (n: number) => T0 + n * PARAMS.tickMs;

/**
 * Writes histories by hand, in real-time order, as the workers and the
 * campaign would have logged them; and the final state that goes with them.
 * Times are ms after `T0`.
 */
export class HistoryBuilder {
  readonly records: HistoryRecord[] = [{ type: 'campaign', real: T0, ...PARAMS }];
  readonly resources = new Map<string, ResourceEntry[]>();
  leaseToken: number | undefined;
  #ops = 0;
  #wids = 0;

  start(worker: string, at: number, offsetMs = 0, inc = 0): this {
    this.records.push({ type: 'worker-start', real: T0 + at, worker, inc, pid: 1000 + this.records.length, offsetMs });
    return this;
  }

  skew(worker: string, at: number, offsetMs: number, inc = 0): this {
    this.records.push({ type: 'clock', real: T0 + at, worker, inc, offsetMs });
    return this;
  }

  /**
   * An acquire sent at `sent`, learned at `ack`, granting `token`; logged by
   * the store and by the runtime. `replaced`: the tenure the item showed, and
   * its expiry (ms after T0).
   */
  acquire(
    worker: string,
    owner: string,
    token: number,
    sent: number,
    ack = sent + 5,
    inc = 0,
    replaced?: { holder: string; expiresAt: number },
  ): this {
    const id = ++this.#ops;
    this.records.push({
      type: 'lease-op',
      op: 'acquire',
      id,
      phase: 'invoke',
      owner,
      local: T0 + sent,
      real: T0 + sent,
      worker,
      inc,
    });
    this.records.push({
      type: 'lease-op',
      op: 'acquire',
      id,
      phase: 'ok',
      applied: true,
      token,
      ...(replaced ? { replacedHolder: replaced.holder, replacedExpiresAt: T0 + replaced.expiresAt } : {}),
      real: T0 + ack,
      worker,
      inc,
    });
    this.records.push({
      type: 'tenure',
      event: 'acquired',
      owner,
      token,
      sentReal: T0 + sent,
      takeover: false,
      real: T0 + ack,
      worker,
      inc,
    });
    this.leaseToken = Math.max(this.leaseToken ?? 0, token);
    return this;
  }

  /** An acquire whose worker never heard back (killed mid-request). */
  acquireUnanswered(worker: string, owner: string, sent: number, inc = 0): this {
    this.records.push({
      type: 'lease-op',
      op: 'acquire',
      id: ++this.#ops,
      phase: 'invoke',
      owner,
      local: T0 + sent,
      real: T0 + sent,
      worker,
      inc,
    });
    return this;
  }

  /** A renew sent at `sent` that succeeded: the store's records and the runtime's. */
  renew(worker: string, owner: string, token: number, sent: number, inc = 0): this {
    const id = ++this.#ops;
    this.records.push({
      type: 'lease-op',
      op: 'renew',
      id,
      phase: 'invoke',
      owner,
      token,
      local: T0 + sent,
      real: T0 + sent,
      worker,
      inc,
    });
    this.records.push({
      type: 'lease-op',
      op: 'renew',
      id,
      phase: 'ok',
      applied: true,
      real: T0 + sent + 5,
      worker,
      inc,
    });
    this.records.push({
      type: 'tenure',
      event: 'renewed',
      owner,
      token,
      sentReal: T0 + sent,
      real: T0 + sent + 5,
      worker,
      inc,
    });
    return this;
  }

  release(worker: string, owner: string, token: number, sent: number, inc = 0): this {
    this.records.push({
      type: 'tenure',
      event: 'released',
      owner,
      token,
      sentReal: T0 + sent,
      real: T0 + sent + 5,
      worker,
      inc,
    });
    return this;
  }

  kill(worker: string, at: number, inc = 0): this {
    this.records.push({ type: 'nemesis', action: 'kill', worker, inc, real: T0 + at });
    return this;
  }

  /**
   * One side effect for tick `tickIndex`, invoked at `at`. With `lands`, the
   * resource's log gets it (in call order); by default only accepted writes land.
   * `'none'`: the worker never logged a completion (it was killed mid-request).
   */
  write(
    worker: string,
    owner: string,
    token: number,
    tickIndex: number,
    at: number,
    outcome: WriteOutcomeKind | 'none' = 'accepted',
    options: { lands?: boolean; resource?: string; inc?: number } = {},
  ): this {
    const wid = `${worker}.${options.inc ?? 0}.${++this.#wids}`;
    const resource = options.resource ?? 'resource-0';
    const tick = tickAt(tickIndex);
    const inc = options.inc ?? 0;
    this.records.push({
      type: 'write',
      phase: 'invoke',
      wid,
      owner,
      token,
      tick,
      resource,
      local: T0 + at,
      remainingMs: 1_000,
      real: T0 + at,
      worker,
      inc,
    });
    if (outcome !== 'none')
      this.records.push({ type: 'write', phase: 'complete', wid, outcome, real: T0 + at + 10, worker, inc });
    if (options.lands ?? outcome === 'accepted') this.land(resource, { token, tick, wid });
    return this;
  }

  /** Appends an entry to a resource's log directly (what the final scan will show). */
  land(resource: string, entry: ResourceEntry): this {
    this.resources.set(resource, [...(this.resources.get(resource) ?? []), entry]);
    return this;
  }

  finalState(overrides: { leaseToken?: number } = {}): FinalState {
    const token = overrides.leaseToken ?? this.leaseToken;
    return {
      lease: token === undefined ? undefined : { token, expiresAt: T0 + 60_000 },
      resources: [...this.resources].map(([id, log]) => ({ id, log, fence: Math.max(0, ...log.map((e) => e.token)) })),
    };
  }

  history(): HistoryRecord[] {
    return [...this.records].sort((a, b) => a.real - b.real);
  }
}
