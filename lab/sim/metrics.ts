import { SERVICE } from './network.js';
import type { NodeStatus, Timeline } from './timeline.js';

/**
 * What one run measured. Times are virtual milliseconds, rounded.
 *
 * - `timeToFirstLeaderMs`: from boot until some node first believes it leads.
 * - `failoverMs`: for each disruption aimed at the leader, the time until a
 *   *usable* leader exists again (one that believes it leads, is running, not
 *   paused, and on the service's side of any partition), averaged over the
 *   disruptions; `null` when the scenario has none. A disruption never
 *   followed by a usable leader counts until the end of the run.
 * - `messages`: messages nodes sent for the election (peer messages, or
 *   requests to the coordination service); the leaders' writes are excluded.
 * - `noLeaderMs`: after the first leader, total time in which no node believes it leads.
 * - `splitBrainMs`: total time in which two or more nodes believe they lead.
 * - `staleWritesAccepted`: writes the fenced resource accepted although a newer
 *   tenure had already begun when they arrived.
 * - `staleWritesAcceptedUnfenced`: the same writes, counted at a resource that
 *   checks nothing (every stale write that arrived).
 * - `tenures`: how many leadership tenures began.
 */
export interface Metrics {
  readonly timeToFirstLeaderMs: number | null;
  readonly failoverMs: number | null;
  readonly messages: number;
  readonly noLeaderMs: number;
  readonly splitBrainMs: number;
  readonly staleWritesAccepted: number;
  readonly staleWritesAcceptedUnfenced: number;
  readonly tenures: number;
}

export const METRIC_NAMES = [
  'timeToFirstLeaderMs',
  'failoverMs',
  'messages',
  'noLeaderMs',
  'splitBrainMs',
  'staleWritesAccepted',
  'staleWritesAcceptedUnfenced',
  'tenures',
] as const satisfies readonly (keyof Metrics)[];

interface ChangePoint {
  readonly time: number;
  readonly apply: (state: State) => void;
}

interface State {
  readonly leaders: Set<number>;
  readonly status: Map<number, NodeStatus>;
  groups: Readonly<Record<string, number>>;
}

export function computeMetrics(timeline: Timeline, electionMessages: number, endMs: number): Metrics {
  const points: ChangePoint[] = [];
  for (const t of timeline.tenures) {
    points.push({ time: t.start, apply: (s) => s.leaders.add(t.node) });
    points.push({ time: t.end ?? endMs, apply: (s) => s.leaders.delete(t.node) });
  }
  for (const c of timeline.statuses) points.push({ time: c.time, apply: (s) => s.status.set(c.node, c.status) });
  for (const p of timeline.partitions) points.push({ time: p.time, apply: (s) => (s.groups = p.groups) });
  // Stable sort keeps recording order within one instant; the state is read only between instants.
  points.sort((a, b) => a.time - b.time);

  const state: State = { leaders: new Set(), status: new Map(), groups: {} };
  const usable = (): boolean => {
    const serviceGroup = state.groups[String(SERVICE)] ?? 0;
    return [...state.leaders].some(
      (id) => state.status.get(id) === 'up' && (state.groups[String(id)] ?? 0) === serviceGroup,
    );
  };

  const firstLeader = timeline.tenures.length === 0 ? undefined : Math.min(...timeline.tenures.map((t) => t.start));
  const pendingDisruptions = [...timeline.disruptions].sort((a, b) => a.time - b.time);
  const failovers: number[] = [];
  let awaiting: number[] = []; // disruption times still waiting for a usable leader
  let noLeaderMs = 0;
  let splitBrainMs = 0;

  let i = 0;
  let now = 0;
  while (i < points.length || pendingDisruptions.length > 0) {
    const nextPoint = points[i]?.time ?? Infinity;
    const nextDisruption = pendingDisruptions[0]?.time ?? Infinity;
    const next = Math.min(nextPoint, nextDisruption, endMs);
    // Constant state over [now, next).
    const span = next - now;
    if (span > 0) {
      if (state.leaders.size >= 2) splitBrainMs += span;
      if (state.leaders.size === 0 && firstLeader !== undefined && now >= firstLeader) noLeaderMs += span;
    }
    now = next;
    if (now >= endMs) break;
    while (i < points.length && (points[i] as ChangePoint).time === now) (points[i++] as ChangePoint).apply(state);
    while (pendingDisruptions.length > 0 && (pendingDisruptions[0] as { time: number }).time === now) {
      awaiting.push(now);
      pendingDisruptions.shift();
    }
    // A disruption lands in the same instant as its effect (the crash, the cut), so judge after both.
    if (awaiting.length > 0 && usable()) {
      for (const t of awaiting) failovers.push(now - t);
      awaiting = [];
    }
  }
  for (const t of awaiting) failovers.push(endMs - t);
  if (now < endMs) {
    if (state.leaders.size >= 2) splitBrainMs += endMs - now;
    if (state.leaders.size === 0 && firstLeader !== undefined) noLeaderMs += endMs - Math.max(now, firstLeader);
  }

  const stale = timeline.writes.filter((w) => w.stale);
  return {
    timeToFirstLeaderMs: firstLeader === undefined ? null : Math.round(firstLeader),
    failoverMs: failovers.length === 0 ? null : Math.round(failovers.reduce((a, b) => a + b, 0) / failovers.length),
    messages: electionMessages,
    noLeaderMs: Math.round(noLeaderMs),
    splitBrainMs: Math.round(splitBrainMs),
    staleWritesAccepted: stale.filter((w) => w.fencedAccepted).length,
    staleWritesAcceptedUnfenced: stale.length,
    tenures: timeline.tenures.length,
  };
}
