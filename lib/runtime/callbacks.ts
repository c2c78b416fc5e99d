import { emit, isThenable, type LeaseEventHandler } from './events.js';

/** The caller's leadership callbacks, by the option name that carries them. */
export type LeaderCallbackName = 'onStartedLeading' | 'onStoppedLeading' | 'onNewLeader';

/**
 * Runs one of the caller's leadership callbacks under Baton's callback policy
 * (docs/decisions/runtime.md, "Callbacks"): callbacks are notifications, so a
 * callback that throws, or returns a promise that rejects, never changes what
 * the protocol does or reports, and never becomes an unhandled rejection. Its
 * error goes to `onEvent` as a `callback-failed` event, or, when the client has
 * no `onEvent`, to a process warning, so it is never silently lost. A returned
 * promise is not awaited: the protocol does not wait on a notification.
 */
export function invokeCallback<A extends unknown[]>(
  onEvent: LeaseEventHandler | undefined,
  name: string,
  callback: LeaderCallbackName,
  fn: ((...args: A) => unknown) | undefined,
  ...args: A
): void {
  if (fn === undefined) return;
  const report = (error: unknown) => reportCallbackError(onEvent, name, callback, error);
  try {
    const returned: unknown = fn(...args);
    if (isThenable(returned)) returned.then(undefined, report);
  } catch (error) {
    report(error);
  }
}

/** Reports a callback's failure to `onEvent`, or, without one, as a process warning. */
export function reportCallbackError(
  onEvent: LeaseEventHandler | undefined,
  name: string,
  callback: LeaderCallbackName,
  error: unknown,
): void {
  if (onEvent !== undefined) {
    emit(onEvent, { type: 'callback-failed', name, callback, error });
    return;
  }
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  process.emitWarning(`lease "${name}": ${callback} threw, and the error was ignored: ${detail}`, {
    type: 'BatonCallbackWarning',
  });
}
