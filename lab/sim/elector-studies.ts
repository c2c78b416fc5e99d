import type { LeaseEvent } from 'baton-lease';
import { ELECT_DEFAULTS } from 'baton-lease';
import { DEFAULTS as CLIENT_DEFAULTS } from 'baton-lease';
import { ALGORITHMS } from './algorithms.js';
import { batonElector, BATON_ELECTOR_DEFAULTS, type BatonElectorOptions } from './baton-elector.js';
import { bully } from './bully.js';
import type { Cluster } from './cluster.js';
import { simulate, type Simulation } from './lab.js';
import { DEFAULT_LATENCY, maxLatencyMs } from './latency.js';
import { computeMetrics } from './metrics.js';
import { totalLength } from '../intervals/overlaps.js';
import { runningOverlaps } from './overlaps.js';
import { Prng } from './prng.js';
import { DEFAULT_FAULT_TIMING, RUN_MS, SCENARIOS, ntpClocks } from './scenarios.js';
import type { Tenure } from './timeline.js';

/**
 * The elector studies: Baton's `elect` (lab/sim/baton-elector.ts, the real
 * runtime) through the three situations it was built for, each beside a
 * variant it is measured against, with checks that fail when the claim does
 * not hold. `npm run sim -- --elector` runs them; docs/election-lab.md quotes
 * them.
 *
 * - `partition-heal`: the stock partition (leader and one other node cut off
 *   from 10 s to 20 s) with priority = node id, side by side with Bully,
 *   whose order is the node id too.
 * - `rolling-deploy`: from 10 s the current leader, then every other node,
 *   is stopped gracefully and restarted 500 ms later as a new version whose
 *   priority is above every earlier one; wall-clock and clock-free electors.
 * - `skew-beyond-bound`: at 10 s a follower's wall clock jumps 5 s ahead (25
 *   times `maxClockSkewMs`); at 12 s the leader is cut off until 20 s.
 *   Clock-free electors against wall-clock ones.
 *
 * The network is the stock one without loss, so that every bound below is
 * exact: a one-way message takes at most `MAX_ONE_WAY_MS`. (A lost message
 * costs a request timeout and a retry; the runtime's own specs cover those.)
 */
export const ELECTOR_STUDY_NAMES = ['partition-heal', 'rolling-deploy', 'skew-beyond-bound'] as const;
export type ElectorStudyName = (typeof ELECTOR_STUDY_NAMES)[number];

/** What each study does, for reports. */
export const STUDY_DESCRIPTIONS: Readonly<Record<ElectorStudyName, string>> = {
  'partition-heal':
    'The leader and one other node are cut off from the others and from the store from 10 s to ' +
    '20 s. Electors have priority = node id, the order Bully uses; after the heal the highest live ' +
    'priority should lead alone.',
  'rolling-deploy':
    'From 10 s the leader, then every other node every 2 s, is stopped gracefully (the elector ' +
    'releases) and restarted 500 ms later as a new version with a priority above every earlier ' +
    'one: one graceful stop of a leader, then a handoff to each new version.',
  'skew-beyond-bound':
    "At 10 s one follower's wall clock jumps 5 s ahead (25 times maxClockSkewMs); at 12 s the leader " +
    'is cut off from everyone until 20 s. Clock-free electors against wall-clock ones, facing the ' +
    'same faults.',
};

export const STUDY_NODES = 5;
const NETWORK = { lossRate: 0 } as const;
/** The longest one-way trip of the stock latency model (its cap). */
export const MAX_ONE_WAY_MS = maxLatencyMs(DEFAULT_LATENCY);
const ROUND_TRIP_MS = 2 * MAX_ONE_WAY_MS;
/** Nodes' clocks run up to 50 ppm fast or slow: 1 ms covers that over any bound here. */
const DRIFT_MS = 1;

/** The elector settings of every study: the lab's Baton settings (renew and poll every 500 ms). */
const ELECTOR = BATON_ELECTOR_DEFAULTS;
const D = ELECTOR.durationMs;
const RENEW_EVERY_MS = ELECTOR.renewEveryMs ?? Math.floor(D * ELECT_DEFAULTS.renewEveryFraction);

/**
 * The bounds the checks hold the elector to, from the runtime's rules
 * (lib/runtime/elector.ts: `nextPollMs`, `shouldAsk`/`ask`, `endTenure`;
 * the renew that fails on a request and the reserving release are
 * lib/runtime/lease.ts's):
 * - a waiter polls at most every `renewEveryMs`, and a release (graceful
 *   stop, or after a handoff) is taken by the first poll that lands after it:
 *   from the old leader's stop to the new leader, at most one poll period and
 *   two round trips (the release reaching the store, the poll and its answer);
 * - a handoff request is seen by the holder's next renew (at most
 *   `renewEveryMs` later), then the same release-and-poll as above: from the
 *   request being sent to the requester leading, one renew period, one poll
 *   period and four round trips (request, renew, release, poll);
 * - clock-free, a waiter takes over `durationMs` after it first saw the last
 *   version, which it sees within a poll of its write, plus the race jitter:
 *   from a cut to a new leader, `durationMs` + one poll + jitter + two round trips.
 */
export const BOUNDS = {
  gapMs: RENEW_EVERY_MS + 2 * ROUND_TRIP_MS + DRIFT_MS,
  handoffMs: 2 * RENEW_EVERY_MS + 4 * ROUND_TRIP_MS + DRIFT_MS,
  clockFreeFailoverMs: D + RENEW_EVERY_MS + CLIENT_DEFAULTS.raceJitterMs + 2 * ROUND_TRIP_MS + DRIFT_MS,
  /**
   * After a heal, the node that was cut off retries within its longest
   * backoff (`retryCapMs`), after at most two request timeouts of the attempt
   * in flight (the write and the read that resolves it), then asks for a handoff.
   */
  healMs: CLIENT_DEFAULTS.retryCapMs + 2 * ELECTOR.requestTimeoutMs + 2 * RENEW_EVERY_MS + 4 * ROUND_TRIP_MS + DRIFT_MS,
} as const;

/** A claim about one run; `holds: false` is a finding. */
export interface StudyCheck {
  readonly claim: string;
  readonly holds: boolean;
  readonly detail: string;
}

/** One variant of one study, as reported. Times in virtual ms, rounded. */
export interface StudyResult {
  readonly study: ElectorStudyName;
  readonly variant: string;
  readonly seed: number;
  readonly figures: Readonly<Record<string, number | null>>;
  readonly checks: readonly StudyCheck[];
}

/** A result with the finished run behind it, for specs. */
export interface StudyRun extends StudyResult {
  readonly simulation: Simulation;
}

interface Recorded {
  readonly time: number;
  readonly node: number;
  readonly event: LeaseEvent;
}

/** One run of the lab's cluster with the studies' network, recording every lease event and every send. */
async function run(
  seed: string,
  variant: { readonly async: boolean; readonly electors?: Partial<BatonElectorOptions> },
  setup: (cluster: Cluster) => void,
): Promise<{ simulation: Simulation; events: Recorded[]; sends: number[] }> {
  const nodeIds = Array.from({ length: STUDY_NODES }, (_, i) => i + 1);
  const events: Recorded[] = [];
  const sends: number[] = [];
  let cluster: Cluster | undefined;
  const electors = variant.electors;
  const simulation = await simulate({
    seed,
    nodeIds,
    factory:
      electors === undefined
        ? bully()
        : batonElector({
            ...electors,
            onEvent: (node, event) => events.push({ time: cluster?.sim.now ?? 0, node, event }),
          }),
    ...(electors === undefined ? {} : { service: (c: Cluster) => ALGORITHMS.baton.service!(c, {}) }),
    async: variant.async,
    clocks: ntpClocks(nodeIds, new Prng(`${seed}/clocks`)),
    durationMs: RUN_MS,
    setup,
    network: NETWORK,
    trace: (e) => {
      if (e.kind === 'send') sends.push(e.time);
    },
    instrument: (c) => (cluster = c),
  });
  return { simulation, events, sends };
}

/** The claim every elector variant must meet: never two running nodes believing they lead. */
export function noOverlapCheck(simulation: Simulation): StudyCheck {
  const spans = runningOverlaps(simulation.cluster.timeline, RUN_MS);
  const ms = Math.round(totalLength(spans));
  return {
    claim: 'never two running leaders at once',
    holds: spans.length === 0,
    detail:
      spans.length === 0
        ? 'no overlap'
        : `${count(spans.length, 'overlap')}, ${ms} ms in all, the first at ${Math.round(spans[0]!.start)} ms`,
  };
}

function sorted(tenures: readonly Tenure[]): Tenure[] {
  return [...tenures].sort((a, b) => a.start - b.start);
}

/** The node leading alone at the end, and since when it has (its last tenure began and every other one had ended). */
function settledLeader(simulation: Simulation): { node: number; since: number } | undefined {
  if (simulation.finalLeaders.length !== 1) return undefined;
  const node = simulation.finalLeaders[0] as number;
  const tenures = simulation.cluster.timeline.tenures;
  const own = tenures.filter((t) => t.node === node).at(-1);
  if (own === undefined) return undefined;
  const othersEnd = Math.max(0, ...tenures.filter((t) => t.node !== node).map((t) => t.end ?? RUN_MS));
  return { node, since: Math.max(own.start, othersEnd) };
}

/** The figures every study reports: cost, overlap, stale writes, tenures. */
function commonFigures(simulation: Simulation): Record<string, number> {
  const metrics = computeMetrics(simulation.cluster.timeline, simulation.electionMessages, RUN_MS);
  return {
    messages: simulation.electionMessages,
    overlapMs: Math.round(totalLength(runningOverlaps(simulation.cluster.timeline, RUN_MS))),
    staleWritesAccepted: metrics.staleWritesAccepted,
    staleWritesAcceptedUnfenced: metrics.staleWritesAcceptedUnfenced,
    tenures: metrics.tenures,
  };
}

const round = (ms: number | null | undefined): number | null =>
  ms === null || ms === undefined ? null : Math.round(ms);

/** `partition-heal`: Bully and the elector (priority = id) through the stock partition. */
async function partitionHeal(seed: number, overrides: ElectorOverrides): Promise<StudyRun[]> {
  const healAt = DEFAULT_FAULT_TIMING.recoverAtMs as number;
  const variants = [
    { variant: 'bully', async: false },
    { variant: 'elector', async: true, electors: { priority: (ctx: { id: number }) => ctx.id, ...overrides } },
  ] as const;
  const results: StudyRun[] = [];
  for (const v of variants) {
    const key = `${seed}/partition-heal`;
    const { simulation, sends } = await run(key, v, (cluster) =>
      SCENARIOS.partition.setup(cluster, new Prng(`${key}/scenario`), DEFAULT_FAULT_TIMING),
    );
    const { cluster } = simulation;
    const top = Math.max(...cluster.nodeIds.filter((id) => cluster.statusOf(id) === 'up'));
    const settled = settledLeader(simulation);
    const healToTop = settled?.node === top ? Math.max(0, settled.since - healAt) : null;
    const overlap = noOverlapCheck(simulation);
    const checks: StudyCheck[] = [
      {
        claim: 'the highest-priority live node leads alone at the end',
        holds: healToTop !== null,
        detail:
          settled === undefined
            ? `leaders at the end: ${JSON.stringify(simulation.finalLeaders)}`
            : `node ${settled.node} since ${Math.round(settled.since)} ms (highest live: ${top})`,
      },
    ];
    if (v.variant === 'bully') {
      checks.push({
        claim: 'two leaders during the partition, since each side elects from what it can reach',
        holds: !overlap.holds,
        detail: overlap.detail,
      });
    } else {
      checks.push(overlap, {
        claim: `back to the highest priority within ${BOUNDS.healMs} ms of the heal`,
        holds: healToTop !== null && healToTop <= BOUNDS.healMs,
        detail: healToTop === null ? 'never' : `${Math.round(healToTop)} ms`,
      });
    }
    results.push({
      study: 'partition-heal',
      variant: v.variant,
      seed,
      figures: {
        healToTopLeaderMs: round(healToTop),
        messagesHealToTop: settled === undefined ? null : sends.filter((t) => t >= healAt && t <= settled.since).length,
        ...commonFigures(simulation),
      },
      checks,
      simulation,
    });
  }
  return results;
}

/** One change of leader: the tenure that ended, the one that began, and what caused it. */
export interface LeaderChange {
  readonly from: number;
  readonly to: number;
  readonly endedAt: number;
  readonly startedAt: number;
  readonly cause: 'handoff' | 'release';
  /** When the handoff request was sent, or the old leader was told to stop. */
  readonly triggeredAt: number;
}

/** `rolling-deploy`: graceful stops and rising priorities, wall-clock and clock-free. */
async function rollingDeploy(seed: number, overrides: ElectorOverrides): Promise<StudyRun[]> {
  const deployAt = DEFAULT_FAULT_TIMING.atMs;
  const everyMs = 2_000;
  const restartAfterMs = 500;
  const results: StudyRun[] = [];
  for (const clockFree of [false, true]) {
    const key = `${seed}/rolling-deploy`;
    const stops = new Map<number, number[]>();
    let generation = 0;
    let lastRestarted: number | undefined;
    const electors = {
      clockFree,
      priority: (ctx: { incarnation: number }) => (ctx.incarnation === 1 ? 0 : ++generation),
      ...overrides,
    };
    const { simulation, events } = await run(key, { async: true, electors }, (cluster) => {
      cluster.sim.at(deployAt, () => {
        const leader = cluster.currentLeader();
        const order = [...(leader === undefined ? [] : [leader]), ...cluster.nodeIds.filter((id) => id !== leader)];
        order.forEach((id, i) =>
          cluster.sim.at(deployAt + i * everyMs, () => {
            stops.set(id, [...(stops.get(id) ?? []), cluster.sim.now]);
            cluster.timeline.disruption(
              cluster.sim.now,
              cluster.leaders().includes(id) ? id : undefined,
              `graceful stop of node ${id}`,
            );
            void cluster.shutdown(id).then(() =>
              cluster.sim.schedule(restartAfterMs, () => {
                lastRestarted = id;
                cluster.timeline.note(cluster.sim.now, `node ${id} restarts as a new version`);
                cluster.restart(id);
              }),
            );
          }),
        );
      });
    });
    const { cluster } = simulation;
    const changes = leaderChanges(sorted(cluster.timeline.tenures), events, stops).filter(
      (c) => c.startedAt >= deployAt,
    );
    const handoffs = changes.filter((c) => c.cause === 'handoff');
    const releases = changes.filter((c) => c.cause === 'release');
    const handoffMs = handoffs.map((c) => c.startedAt - c.triggeredAt);
    const gaps = changes.map((c) => c.startedAt - c.endedAt);
    const settled = settledLeader(simulation);
    const worst = (xs: readonly number[]): number | null => (xs.length === 0 ? null : Math.max(...xs));
    results.push({
      study: 'rolling-deploy',
      variant: clockFree ? 'elector, clock-free' : 'elector',
      seed,
      figures: {
        leaderChanges: changes.length,
        handoffs: handoffs.length,
        stopToLeaderMs: round(worst(releases.map((c) => c.startedAt - c.triggeredAt))),
        handoffMedianMs: round(median(handoffMs)),
        handoffMaxMs: round(worst(handoffMs)),
        gapMaxMs: round(worst(gaps)),
        ...commonFigures(simulation),
      },
      checks: [
        {
          claim: `every new version took the lease by a handoff (${STUDY_NODES})`,
          holds: handoffs.length === STUDY_NODES,
          detail: `${count(handoffs.length, 'handoff')}, ${count(releases.length, 'release')}`,
        },
        {
          claim: `no gap over ${BOUNDS.gapMs} ms (one poll, two round trips)`,
          holds: gaps.length > 0 && Math.max(...gaps) <= BOUNDS.gapMs,
          detail: gaps.length === 0 ? 'no change of leader' : `longest ${Math.round(Math.max(...gaps))} ms`,
        },
        {
          claim: `each handoff within ${BOUNDS.handoffMs} ms of its request (a renew, a poll, four round trips)`,
          holds: handoffMs.length > 0 && Math.max(...handoffMs) <= BOUNDS.handoffMs,
          detail: handoffMs.length === 0 ? 'no handoff' : `longest ${Math.round(Math.max(...handoffMs))} ms`,
        },
        noOverlapCheck(simulation),
        {
          claim: 'the last version deployed leads at the end',
          holds: settled !== undefined && settled.node === lastRestarted,
          detail:
            settled === undefined
              ? `leaders at the end: ${JSON.stringify(simulation.finalLeaders)}`
              : `node ${settled.node} (last restarted: ${lastRestarted})`,
        },
      ],
      simulation,
    });
  }
  return results;
}

/**
 * Each change of leader, judged from the timeline and the lease events: a
 * handoff if the new leader's request was applied during the old tenure, else
 * a release (the old leader was stopped).
 */
export function leaderChanges(
  tenures: readonly Tenure[],
  events: readonly Recorded[],
  stops: ReadonlyMap<number, readonly number[]>,
): LeaderChange[] {
  const changes: LeaderChange[] = [];
  for (let i = 1; i < tenures.length; i++) {
    const prev = tenures[i - 1] as Tenure;
    const next = tenures[i] as Tenure;
    const endedAt = prev.end ?? RUN_MS;
    const request = events.find(
      (e) =>
        e.node === next.node &&
        e.event.type === 'handoff-requested' &&
        e.event.applied &&
        e.event.token === prev.token &&
        e.time <= next.start,
    );
    const stop = (stops.get(prev.node) ?? []).filter((t) => t <= endedAt).at(-1);
    if (request?.event.type === 'handoff-requested') {
      changes.push({
        from: prev.node,
        to: next.node,
        endedAt,
        startedAt: next.start,
        cause: 'handoff',
        triggeredAt: request.time - request.event.latencyMs,
      });
    } else {
      changes.push({
        from: prev.node,
        to: next.node,
        endedAt,
        startedAt: next.start,
        cause: 'release',
        triggeredAt: stop ?? endedAt,
      });
    }
  }
  return changes;
}

/** `skew-beyond-bound`: one clock 5 s ahead, then the leader cut off; clock-free against wall clock. */
async function skewBeyondBound(seed: number, overrides: ElectorOverrides): Promise<StudyRun[]> {
  const stepAt = DEFAULT_FAULT_TIMING.atMs;
  const cutAt = stepAt + 2_000;
  const healAt = DEFAULT_FAULT_TIMING.recoverAtMs as number;
  const aheadMs = 5_000;
  const results: StudyRun[] = [];
  for (const clockFree of [true, false]) {
    const key = `${seed}/skew-beyond-bound`;
    const { simulation } = await run(key, { async: true, electors: { clockFree, ...overrides } }, (cluster) => {
      const prng = new Prng(`${key}/scenario`);
      cluster.sim.at(stepAt, () => {
        const leader = cluster.currentLeader();
        const follower = prng.pick(cluster.nodeIds.filter((id) => id !== leader));
        cluster.timeline.note(cluster.sim.now, `node ${follower}: wall clock +${aheadMs} ms`);
        cluster.clock(follower).step(aheadMs);
      });
      cluster.sim.at(cutAt, () => {
        const leader = cluster.currentLeader() ?? Math.max(...cluster.nodeIds);
        cluster.timeline.disruption(cluster.sim.now, leader, 'isolate');
        cluster.network.partition([leader]);
      });
      cluster.sim.at(healAt, () => cluster.network.heal());
    });
    const { cluster } = simulation;
    const metrics = computeMetrics(cluster.timeline, simulation.electionMessages, RUN_MS);
    const spans = runningOverlaps(cluster.timeline, RUN_MS);
    const overlap = noOverlapCheck(simulation);
    const checks: StudyCheck[] = clockFree
      ? [
          overlap,
          {
            claim:
              `a leader again within ${BOUNDS.clockFreeFailoverMs} ms of the cut (a lease, a poll, jitter, ` +
              `two round trips)`,
            holds: metrics.failoverMs !== null && metrics.failoverMs <= BOUNDS.clockFreeFailoverMs,
            detail: `${metrics.failoverMs} ms`,
          },
        ]
      : [
          {
            claim:
              'two running leaders at once, since the wall-clock rule trusts clocks the skew bound no longer covers',
            holds: !overlap.holds,
            detail: overlap.detail,
          },
        ];
    results.push({
      study: 'skew-beyond-bound',
      variant: clockFree ? 'elector, clock-free' : 'elector, wall clock',
      seed,
      figures: {
        overlaps: spans.length,
        failoverMs: metrics.failoverMs,
        ...commonFigures(simulation),
      },
      checks,
      simulation,
    });
  }
  return results;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** The median, halfway between the two middle values of an even count; null for no values. */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return ((s[(s.length - 1) >> 1] as number) + (s[s.length >> 1] as number)) / 2;
}

/**
 * Elector settings forced on every elector variant of a study, over the
 * study's own: how a spec breaks a variant (equal priorities, the wall-clock
 * rule) to show that the study's checks then fail.
 */
export type ElectorOverrides = Partial<Pick<BatonElectorOptions, 'clockFree' | 'priority'>>;

const STUDIES: Readonly<Record<ElectorStudyName, (seed: number, overrides: ElectorOverrides) => Promise<StudyRun[]>>> =
  {
    'partition-heal': partitionHeal,
    'rolling-deploy': rollingDeploy,
    'skew-beyond-bound': skewBeyondBound,
  };

/** Runs one study (every variant) for one seed. Same seed, same result. */
export function runElectorStudy(
  study: ElectorStudyName,
  seed: number,
  overrides: ElectorOverrides = {},
): Promise<StudyRun[]> {
  return STUDIES[study](seed, overrides);
}

/** Every study for one seed, in table order. */
export async function runElectorStudies(
  seed: number,
  studies: readonly ElectorStudyName[] = ELECTOR_STUDY_NAMES,
): Promise<StudyRun[]> {
  const out: StudyRun[] = [];
  for (const study of studies) out.push(...(await runElectorStudy(study, seed)));
  return out;
}

/** What `elector-report.json` holds: the results without their simulations. */
export function studyReport(
  seed: number,
  runs: readonly StudyRun[],
): { seed: number; bounds: typeof BOUNDS; results: StudyResult[] } {
  return { seed, bounds: BOUNDS, results: runs.map(({ simulation: _s, ...result }) => result) };
}
