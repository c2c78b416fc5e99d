import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LeaseValidationError } from '../runtime/errors.js';

/** Counts of the HTTP requests one client sent, from {@link countRequests}. */
export interface RequestCounter {
  /** Every request sent since the last `reset()`, retries included. */
  total(): number;
  /** Requests per operation name (`UpdateItem`, `GetItem`, ...), retries included. */
  byOperation(): Record<string, number>;
  /** Forgets what was counted so far (requests in flight are still awaited by `nextBurst`). */
  reset(): void;
  /**
   * Resolves once the client has sent at least one request after this call,
   * has none in flight, and has started none for `quietMs`: one "burst", such
   * as a background heartbeat. Rejects after `timeoutMs` without one.
   */
  nextBurst(options: { quietMs: number; timeoutMs: number }): Promise<void>;
}

const COUNTER_NAME = 'batonRequestCounter';

/**
 * Counts what `client` actually sends, per attempt. The middleware sits in
 * the finalizeRequest step with low priority, after the SDK's retry
 * middleware (high priority in the same step), so every retry is counted: a
 * figure of "requests per operation" is measured, never assumed. Document
 * clients built on `client` share its middleware stack and are counted too.
 */
export function countRequests(client: DynamoDBClient): RequestCounter {
  if (
    typeof (client as { middlewareStack?: { add?: unknown } } | null | undefined)?.middlewareStack?.add !== 'function'
  ) {
    throw new LeaseValidationError(
      'client',
      'must be a DynamoDBClient (or a document client), whose middleware stack counts the requests',
    );
  }
  let counts = new Map<string, number>();
  let inFlight = 0;
  let lastActivity = 0;
  const watchers = new Set<() => void>();
  const notify = () => {
    lastActivity = performance.now();
    for (const watcher of [...watchers]) watcher();
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = context.commandName?.replace(/Command$/, '') ?? 'unknown';
      counts.set(operation, (counts.get(operation) ?? 0) + 1);
      inFlight++;
      notify();
      try {
        return await next(args);
      } finally {
        inFlight--;
        notify();
      }
    },
    { step: 'finalizeRequest', priority: 'low', name: COUNTER_NAME },
  );
  return {
    total: () => [...counts.values()].reduce((sum, n) => sum + n, 0),
    byOperation: () => Object.fromEntries(counts),
    reset: () => {
      counts = new Map();
    },
    nextBurst: ({ quietMs, timeoutMs }) =>
      new Promise<void>((resolve, reject) => {
        let seen = false;
        let quietTimer: NodeJS.Timeout | undefined;
        const finish = (error?: Error) => {
          watchers.delete(watch);
          clearTimeout(quietTimer);
          clearTimeout(deadline);
          if (error) reject(error);
          else resolve();
        };
        const watch = () => {
          if (inFlight > 0) seen = true;
          clearTimeout(quietTimer);
          if (!seen || inFlight > 0) return;
          const left = quietMs - (performance.now() - lastActivity);
          if (left <= 0) finish();
          else quietTimer = setTimeout(watch, left);
        };
        const deadline = setTimeout(() => finish(new Error(`no burst of requests within ${timeoutMs} ms`)), timeoutMs);
        watchers.add(watch);
      }),
  };
}
