import { randomUUID } from 'node:crypto';
import type { Context, ScheduledEvent } from 'aws-lambda';
import type { Clock } from '../runtime/clock.js';
import { LeaseValidationError } from '../runtime/errors.js';
import { systemClock } from '../runtime/system-clock.js';
import { describeValue, validateMs, validateNonEmptyString, validateObject } from '../runtime/validate.js';

const MAX_ISO_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Options of {@link lambdaContext}. */
export interface LambdaContextOptions {
  /** The function's timeout; `getRemainingTimeInMillis()` counts down from it. @default 60000 */
  readonly timeoutMs?: number;
  /** @default 'baton-local' */
  readonly functionName?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** Whose time passes. @default the system clock */
  readonly clock?: Clock;
}

/**
 * A Lambda `Context` for invoking a handler locally: a fresh request id, and
 * `getRemainingTimeInMillis()` counting down on `clock` from `timeoutMs`.
 */
export function lambdaContext(options: LambdaContextOptions = {}): Context {
  validateObject('options', options);
  const clock = options.clock ?? systemClock;
  if (typeof clock?.monotonic !== 'function')
    throw new LeaseValidationError('clock', 'must be a Clock (with monotonic())');
  const timeoutMs = validateMs('timeoutMs', options.timeoutMs ?? 60_000, { min: 0, max: Number.MAX_SAFE_INTEGER });
  const functionName = validateNonEmptyString('functionName', options.functionName ?? 'baton-local');
  const region = validateNonEmptyString('region', options.region ?? 'us-east-1');
  const startedAt = clock.monotonic();
  const unsupported = () => {
    throw new Error('callback-style completion is not supported: return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${process.pid}`,
    getRemainingTimeInMillis: () => Math.max(0, Math.round(timeoutMs - (clock.monotonic() - startedAt))),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/** An EventBridge scheduled event for the tick at `time` (rounded to the second, as EventBridge sends it). */
export function scheduledEvent(
  time: Date | number,
  options: { region?: string; ruleArn?: string } = {},
): ScheduledEvent {
  const ms = time instanceof Date ? time.getTime() : time;
  // A tick is epoch ms (never negative), and EventBridge's time has a four-digit year.
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > MAX_ISO_MS) {
    throw new LeaseValidationError('time', `must be a Date or epoch ms from 1970 to 9999, got ${describeValue(time)}`);
  }
  validateObject('options', options);
  const region = validateNonEmptyString('region', options.region ?? 'us-east-1');
  const ruleArn = validateNonEmptyString(
    'ruleArn',
    options.ruleArn ?? 'arn:aws:events:us-east-1:000000000000:rule/baton-local',
  );
  const iso = new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: iso,
    region,
    resources: [ruleArn],
    detail: {},
  };
}
