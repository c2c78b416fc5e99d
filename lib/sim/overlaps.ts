import type { Timeline } from './timeline.js';

/** An interval of virtual time, in ms. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/**
 * The intervals in which two or more *running* nodes (up, not paused)
 * believed they led. Paused nodes are left out on purpose: a frozen process
 * cannot be told anything, which is the case fencing exists for; a running
 * node that believes it leads acts on it.
 */
export function runningOverlaps(timeline: Pick<Timeline, 'tenures' | 'statuses'>, endMs: number): Span[] {
  const times = new Set<number>([0, endMs]);
  for (const t of timeline.tenures) times.add(t.start).add(t.end ?? endMs);
  for (const s of timeline.statuses) times.add(s.time);
  const sorted = [...times].filter((t) => t <= endMs).sort((a, b) => a - b);
  const spans: Span[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const start = sorted[i] as number;
    const end = sorted[i + 1] as number;
    const mid = (start + end) / 2;
    const running = timeline.tenures.filter((t) => t.start <= mid && mid < (t.end ?? endMs) && statusAt(timeline, t.node, mid) === 'up');
    if (new Set(running.map((t) => t.node)).size < 2) continue;
    const last = spans.at(-1);
    if (last !== undefined && last.end === start) spans[spans.length - 1] = { start: last.start, end };
    else spans.push({ start, end });
  }
  return spans;
}

export function totalMs(spans: readonly Span[]): number {
  return spans.reduce((sum, s) => sum + (s.end - s.start), 0);
}

function statusAt(timeline: Pick<Timeline, 'statuses'>, node: number, time: number): string {
  let status = 'crashed';
  for (const s of timeline.statuses) if (s.node === node && s.time <= time) status = s.status;
  return status;
}
