import { createHash } from 'node:crypto';
import type { Clock } from './clock.js';
import { DEFAULT_STEP_RETENTION_MS, LeaseTableSchema, StepItem } from './contract.js';
import { LeaseError, LeaseValidationError, StaleTokenError } from './errors.js';
import type { Lease } from './lease.js';
import { wrap } from './lease.js';
import type { LeaseStore, RecordStepCommand, StepRecord } from './lease-store.js';
import { stepSortKey } from './dynamodb-lease-store.js';
import { describeValue, validateMs } from './validate.js';

/** What a step's function receives. */
export interface StepContext {
  /**
   * The same for `(lease, tick, step name)` in every tenure and every retry:
   * hand it to an external API that deduplicates by key, so an effect that ran
   * but was not recorded (the leader died in between) is not done twice.
   * A UUID-shaped string (36 characters), which fits the usual limits.
   */
  readonly idempotencyKey: string;
  /** The fencing token of the tenure running the step. */
  readonly token: number;
  /** The lease's signal: aborts when this tenure must stop acting. */
  readonly signal: AbortSignal;
}

/**
 * Runs one durable step of a tick (docs/protocol.md#steps). If the tick's
 * journal holds a record of `name`, resolves with the recorded value and does
 * not call `fn`; otherwise calls `fn`, records its value (fenced by the
 * tenure's token) and resolves with it.
 *
 * The value goes through JSON, and the step resolves with it as JSON reads it
 * back, on the first run exactly as on a replay (a `Date` comes back as its
 * ISO string, `undefined` as `undefined`). A step that throws is not recorded
 * and may be called again; a name already used in this run is refused.
 *
 * @throws LeaseValidationError naming the step: a bad or repeated name, a
 *   value that is not JSON or too large for an item (before anything is written).
 * @throws StaleTokenError when a newer tenure has recorded this step already:
 *   this tenure is superseded, its lease signal aborts, and the newer record stands.
 */
export type StepFunction = <T>(name: string, fn: (context: StepContext) => Promise<T>) => Promise<T>;

/** What a leader's function receives besides its lease. */
export interface LeaderContext {
  /** Durable, fenced steps of the tick (`runAsLeader({ tick })`); without a tick, `step` refuses to run. */
  readonly step: StepFunction;
}

/** DynamoDB's item limit: attribute names and values together. */
export const MAX_STEP_ITEM_BYTES = 400 * 1024;
/** What a number attribute may take at most in an item. */
const NUMBER_BYTES = 21;
const STEP_NAME = /^[A-Za-z0-9._:/@-]{1,200}$/;
const MIN_RETENTION_MS = 60_000;
const MAX_RETENTION_MS = 366 * 24 * 60 * 60 * 1000;

/** `stepRetentionMs`, checked: how long a step record lives. */
export function validateStepRetention(value: unknown): number {
  return value === undefined
    ? DEFAULT_STEP_RETENTION_MS
    : validateMs('stepRetentionMs', value, { min: MIN_RETENTION_MS, max: MAX_RETENTION_MS });
}

/**
 * The idempotency key of a step: a name-based UUID (version 8, SHA-256) of
 * lease, tick and step name, so every tenure and every retry computes the same.
 */
export function stepIdempotencyKey(leaseName: string, tick: number, step: string): string {
  const hex = createHash('sha256').update(`baton-step\u0000${leaseName}\u0000${tick}\u0000${step}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** What one tenure's journal needs. */
export interface StepJournalOptions {
  readonly store: LeaseStore;
  readonly clock: Clock;
  readonly lease: Lease;
  /** The tick; without one, `step` refuses. */
  readonly tick: number | undefined;
  readonly retentionMs: number;
}

/**
 * The `step` of one tenure. The tick's journal is read once, on the first
 * step, with one request; every step after that is answered from it.
 */
export function createStepJournal(o: StepJournalOptions): StepFunction {
  const { store, clock, lease, tick, retentionMs } = o;
  const used = new Set<string>();
  let journal: Promise<Map<string, StepRecord>> | undefined;

  const read = (t: number): Promise<Map<string, StepRecord>> => {
    journal ??= store.readSteps!({ name: lease.name, tick: t }).then(
      (records) => {
        // DynamoDB deletes expired items late (within days): an expired record is gone for the journal now.
        const nowSec = clock.now() / 1000;
        return new Map(records.filter((r) => r.ttl > nowSec).map((r) => [r.step, r]));
      },
      (error: unknown) => {
        journal = undefined; // a later step may try again
        throw wrap('read the step journal of', lease.name, error);
      },
    );
    return journal;
  };

  const step = async <T>(name: string, fn: (context: StepContext) => Promise<T>): Promise<T> => {
    if (typeof name !== 'string' || !STEP_NAME.test(name)) {
      throw new LeaseValidationError(
        'step name',
        `must be 1-200 characters of A-Z a-z 0-9 . _ : / @ -, got ${describeValue(name)}`,
      );
    }
    const field = `step "${name}"`;
    if (typeof fn !== 'function') throw new LeaseValidationError(field, 'needs a function to run');
    if (tick === undefined)
      throw new LeaseValidationError('tick', `must be given to runAsLeader for ${field}: a step is recorded per tick`);
    if (typeof store.readSteps !== 'function' || typeof store.recordStep !== 'function') {
      throw new LeaseValidationError('store', `cannot keep ${field}: it has no readSteps and recordStep`);
    }
    if (used.has(name))
      throw new LeaseValidationError(field, 'was already used in this run: each step of a tick needs its own name');
    used.add(name);
    try {
      const recorded = (await read(tick)).get(name);
      if (recorded !== undefined) return fromJson(recorded.value);
      // A tenure that has ended starts no new effect; replaying a record above is still harmless.
      if (!lease.held) throw lease.signal.reason;
      const value = await fn({
        idempotencyKey: stepIdempotencyKey(lease.name, tick, name),
        token: lease.token,
        signal: lease.signal,
      });
      const text = toJson(field, value);
      const now = clock.now();
      const command: RecordStepCommand = {
        name: lease.name,
        tick,
        step: name,
        token: lease.token,
        holder: lease.holder,
        recordedAt: now,
        ttl: Math.ceil((now + retentionMs) / 1000),
        ...(text === undefined ? {} : { value: text }),
      };
      checkSize(field, command);
      let outcome;
      try {
        outcome = await store.recordStep(command);
      } catch (error) {
        throw wrap(`record ${field} of`, lease.name, error);
      }
      if (outcome.applied) return fromJson(text);
      // An equal token is this tenure's own earlier record, whose answer was lost:
      // the journal holds that one, so that is the value, as every replay will see it.
      if (outcome.current?.token === lease.token) return fromJson(outcome.current.value);
      if (outcome.current === undefined)
        throw new LeaseError(`record ${field} of "${lease.name}" was refused, and the store did not say by whom`);
      // A newer tenure recorded this step: this tenure is superseded and must stop.
      const stale = new StaleTokenError(lease.token, outcome.current.token);
      lease.stopActing(stale);
      throw stale;
    } catch (error) {
      // Only a recorded step keeps its name; one that failed may run again.
      used.delete(name);
      throw error;
    }
  };
  return step;
}

function toJson(field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new LeaseValidationError(`${field} value`, `must be JSON-serializable: ${(error as Error).message}`);
  }
  if (text === undefined)
    throw new LeaseValidationError(`${field} value`, `must be JSON-serializable, got a ${typeof value}`);
  return text;
}

function fromJson<T>(text: string | undefined): T {
  return (text === undefined ? undefined : JSON.parse(text)) as T;
}

/**
 * Refuses a record DynamoDB would refuse, before the request: the item's
 * attribute names and values, with numbers at their largest, against the 400 KB limit.
 */
function checkSize(field: string, c: RecordStepCommand): void {
  const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
  const strings: [string, string][] = [
    [LeaseTableSchema.partitionKey, c.name],
    [LeaseTableSchema.sortKey, stepSortKey(c.tick, c.step)],
    [StepItem.step, c.step],
    [StepItem.holder, c.holder],
    [StepItem.value, ''],
  ];
  const numbers = [StepItem.tick, StepItem.token, StepItem.recordedAt, StepItem.ttl];
  const overhead =
    strings.reduce((sum, [k, v]) => sum + bytes(k) + bytes(v), 0) +
    numbers.reduce((sum, k) => sum + bytes(k) + NUMBER_BYTES, 0);
  const valueBytes = bytes(c.value ?? '');
  if (overhead + valueBytes > MAX_STEP_ITEM_BYTES) {
    throw new LeaseValidationError(
      `${field} value`,
      `is ${valueBytes} bytes as JSON; a step item holds at most ${MAX_STEP_ITEM_BYTES - overhead} ` +
        `here (DynamoDB's 400 KB item limit)`,
    );
  }
}
