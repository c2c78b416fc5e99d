import { sharedSpans, type Interval } from '../intervals/overlaps.js';
import type { StatusChange, Timeline } from './timeline.js';

/**
 * The intervals in which two or more *running* nodes (up, not paused)
 * believed they led. Paused nodes are left out on purpose: a frozen process
 * cannot be told anything, which is the case fencing exists for; a running
 * node that believes it leads acts on it. A tenure still open counts until
 * `endMs`; nothing after `endMs` counts.
 */
export function runningOverlaps(timeline: Pick<Timeline, 'tenures' | 'statuses'>, endMs: number): Interval[] {
  const running = timeline.tenures.flatMap((t) =>
    upPeriods(timeline.statuses, t.node).map((up) => ({
      node: t.node,
      start: Math.max(t.start, up.start),
      end: Math.min(t.end ?? endMs, up.end, endMs),
    })),
  );
  return sharedSpans(running, (r) => r.node);
}

/** When the node was up: from each `up` to its next status change. Before its first change it counts as crashed. */
function upPeriods(statuses: readonly StatusChange[], node: number): Interval[] {
  // Recorded in time order, as the simulator's clock advances; a later change at the same time overrides.
  const changes = statuses.filter((s) => s.node === node);
  return changes.flatMap((c, i) =>
    c.status === 'up' ? [{ start: c.time, end: changes[i + 1]?.time ?? Infinity }] : [],
  );
}
