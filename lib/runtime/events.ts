import type { LeaderCallbackName } from './callbacks.js';
import type { LeaseRecord } from './lease-record.js';

/**
 * What the protocol reports through `onEvent`. The Lambda layer maps these to
 * Powertools metrics; the runtime itself depends on no logging library.
 * `latencyMs` is measured on the monotonic clock around the one request.
 */
export type LeaseEvent =
  | { type: 'acquired'; name: string; token: number; holder: string; takeover: boolean; latencyMs: number }
  | {
      type: 'contended';
      name: string;
      reason: 'held' | 'tick-done';
      current: LeaseRecord | undefined;
      latencyMs: number;
    }
  | { type: 'renewed'; name: string; token: number; latencyMs: number }
  | { type: 'released'; name: string; token: number; tick?: number; latencyMs: number }
  | { type: 'lost'; name: string; token: number; reason: 'superseded' | 'deadline'; current?: LeaseRecord }
  | { type: 'handoff'; name: string; token: number; requester: string | undefined; priority: number }
  | { type: 'handoff-requested'; name: string; token: number; priority: number; applied: boolean; latencyMs: number }
  | { type: 'outcome-resolved'; name: string; operation: 'acquire' | 'renew' | 'release'; applied: boolean }
  | { type: 'backoff'; name: string; attempt: number; delayMs: number; error: unknown }
  /** A leadership callback threw or rejected; the protocol went on as if it had returned (docs/decisions/runtime.md, "Callbacks"). */
  | { type: 'callback-failed'; name: string; callback: LeaderCallbackName; error: unknown };

export type LeaseEventHandler = (event: LeaseEvent) => void;

/**
 * Observability must never change the protocol's outcome: a throwing hook is
 * ignored, and so is a promise it returns that rejects, which would otherwise
 * be an unhandled rejection and, under Node's default, end the process of a
 * leader mid-tenure. A thenable whose `then` throws is ignored too.
 */
export function emit(handler: LeaseEventHandler | undefined, event: LeaseEvent): void {
  if (handler === undefined) return;
  try {
    const returned: unknown = handler(event);
    if (isThenable(returned)) returned.then(undefined, ignore);
  } catch {
    // Deliberately ignored; see above.
  }
}

function ignore(): void {}

/** A native promise or another library's: anything with a callable `then`. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
