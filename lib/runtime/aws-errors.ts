/**
 * How the protocol reads a failed request, judged by the error's shape so that
 * DynamoDB, the in-memory store and the simulator's store can all throw plain
 * errors:
 * - `throttled`: refused for capacity; certainly not applied; back off.
 * - `conflict`: an UpdateItem met an item inside a running transaction (a
 *   holder's `guardedWrite` checks the lease item); certainly not applied; back off.
 * - `ambiguous`: no answer, or a 5xx: the write may or may not have landed.
 *   Resolve with one consistent read (docs/protocol.md#faults-that-lose-an-answer).
 * - `fatal`: any other client error (validation, missing table, access denied).
 */
export type ErrorKind = 'throttled' | 'conflict' | 'ambiguous' | 'fatal';

const THROTTLING = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'Throttling',
]);

/** Failures below HTTP: the request may have reached DynamoDB, its answer did not reach us. */
const TRANSPORT = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNREFUSED',
]);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

export function classifyError(error: unknown): ErrorKind {
  if (error === null || typeof error !== 'object') return 'fatal';
  const e = error as SdkErrorShape;
  if ((typeof e.name === 'string' && THROTTLING.has(e.name)) || e.$retryable?.throttling === true) return 'throttled';
  if (e.name === 'TransactionConflictException') return 'conflict';
  if (typeof e.name === 'string' && e.name === 'AbortError') return 'fatal';
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 ? 'ambiguous' : 'fatal';
  // An SDK error without an HTTP status: the response never arrived.
  if (e.$metadata !== undefined) return 'ambiguous';
  if ((typeof e.name === 'string' && TRANSPORT.has(e.name)) || (typeof e.code === 'string' && TRANSPORT.has(e.code)))
    return 'ambiguous';
  return 'fatal';
}

/** Throttled, conflicting and 5xx failures are worth another attempt after a backoff. */
export function isRetryable(error: unknown): boolean {
  return classifyError(error) !== 'fatal';
}
