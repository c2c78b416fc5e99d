import type { LeaseRecord } from './lease-record.js';

/** What a waiting elector knows besides the item it last saw, read when it is about to poll. */
export interface WaitView {
  readonly clockFree: boolean;
  readonly priority: number;
  readonly maxClockSkewMs: number;
  /** This elector's wall clock. */
  readonly now: number;
  /** This elector's monotonic clock. */
  readonly monotonic: number;
  /** Clock-free: since when (monotonic) the item's current version was watched, and for how long it must stay unchanged. */
  readonly sighting: { readonly firstSeenAt: number; readonly watchMs: number } | undefined;
}

/**
 * How a waiting elector polls, given the item its last poll saw: `'write'` is
 * one conditional acquire, `'read'` one strongly consistent read.
 */
export type WaitingRule = (seen: LeaseRecord | undefined, view: WaitView) => 'read' | 'write';

/**
 * Write only when a write could win now, read otherwise (docs/protocol.md#how-a-waiter-polls): a
 * failed acquire behind a live tenure tells the waiter nothing a read would not, at five times the
 * price. A write could win when the item is missing, free and not reserved for a higher priority,
 * or past its takeover point: in clock-free mode, once this elector watched the same version for
 * its whole watch (its own sighting and the holder's recorded duration, never `expiresAt`);
 * otherwise once its wall clock passed `expiresAt + maxClockSkewMs`.
 */
export const readWhileHeld: WaitingRule = (seen, view) => (mayWin(seen, view) ? 'write' : 'read');

/** Every poll a conditional write: how waiters polled before reads, kept for the bench's comparison. */
export const writeEveryPoll: WaitingRule = () => 'write';

function mayWin(seen: LeaseRecord | undefined, view: WaitView): boolean {
  if (seen === undefined) return true;
  const reservedForOther = seen.handoffPriority !== undefined && seen.handoffPriority > view.priority;
  if (seen.holder === undefined && !reservedForOther) return true;
  if (view.clockFree)
    return view.sighting !== undefined && view.monotonic - view.sighting.firstSeenAt >= view.sighting.watchMs;
  return view.now > seen.expiresAt + view.maxClockSkewMs;
}
