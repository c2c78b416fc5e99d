import type { LeaseRecord } from '../lib/runtime/lease-record.js';
import type { LeaseStore, WriteOutcome } from '../lib/runtime/lease-store.js';

/**
 * Conformance: the writes of a model trace, replayed against a real store.
 * The model (spec/baton.pml) prints every write it makes as two lines,
 * `@@ <op> <args> |<item before>` and `@@ ok <0|1> |<item after>`, and every
 * client decision as `@@ decide <worker> <verdict>`.
 */

/** The lease item as the model holds it: `present holder token version expiresAt lastTick releasedBy prio hoPrio hoTo durMs`. */
export type ModelItem = readonly number[];

export interface ModelWrite {
  readonly op: 'acquire' | 'renew' | 'release' | 'handoff';
  readonly args: readonly number[];
  readonly ok: boolean;
  readonly before: ModelItem;
  readonly after: ModelItem;
}

/** A waiter's strongly consistent read (`@@ read |<item>`): it changes nothing and must return the model's item. */
export interface ModelRead {
  readonly op: 'read';
  readonly item: ModelItem;
}

export type ModelStep = ModelWrite | ModelRead;

/**
 * Every line of a trace in the model's order: time advancing, a write, a waiter's read, and a client
 * decision (`@@ decide <worker> <verdict> <wall-clock offset> <network fate> [values]`; worker 9 is the operator).
 */
export type ModelEvent =
  | { readonly kind: 'time'; readonly t: number }
  | { readonly kind: 'write'; readonly write: ModelWrite }
  | { readonly kind: 'read'; readonly item: ModelItem }
  | { readonly kind: 'decide'; readonly worker: number; readonly verdict: string; readonly args: readonly number[] };

export interface Trace {
  readonly seed: number;
  readonly run: string;
  readonly writes: readonly ModelWrite[];
  /** The writes and the waiters' reads, in the model's order. */
  readonly steps: readonly ModelStep[];
  /** The model's client verdicts, in order (`<worker> <verdict> [values]`). */
  readonly decisions: readonly string[];
  readonly events: readonly ModelEvent[];
}

/** Model time units to epoch ms: one linear map, so every comparison the conditions make keeps its outcome. */
export const BASE_MS = 1_700_000_000_000;
export const UNIT_MS = 1_000;
export const OPERATOR = 250;

export const ms = (units: number) => BASE_MS + units * UNIT_MS;
/** The owner id a model owner number stands for: worker `w` uses the numbers 4w+1..4w+4. */
export const owner = (id: number) => (id === OPERATOR ? 'operator:ops' : `w${Math.floor((id - 1) / 4)}#${id}`);

/** Parses one simulation's output into its trace. */
export function parseTrace(output: string, seed: number, run: string): Trace {
  const writes: ModelWrite[] = [];
  const steps: ModelStep[] = [];
  const decisions: string[] = [];
  const events: ModelEvent[] = [];
  let pending: { op: ModelWrite['op']; args: number[]; before: number[] } | undefined;
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('@@ ')) continue;
    const [head, item] = line.slice(3).split('|');
    const words = head!.trim().split(/\s+/);
    const numbers = (item ?? '').trim().split(/\s+/).filter(Boolean).map(Number);
    if (words[0] === 'decide') {
      decisions.push(words.slice(1).join(' '));
      events.push({ kind: 'decide', worker: Number(words[1]), verdict: words[2]!, args: words.slice(3).map(Number) });
    } else if (words[0] === 'time') events.push({ kind: 'time', t: Number(words[1]) });
    else if (words[0] === 'ok') {
      if (pending === undefined) throw new Error(`trace ${run}/${seed}: an outcome without its write`);
      const write: ModelWrite = {
        op: pending.op,
        args: pending.args,
        before: pending.before,
        ok: words[1] === '1',
        after: numbers,
      };
      writes.push(write);
      steps.push(write);
      events.push({ kind: 'write', write });
      pending = undefined;
    } else if (words[0] === 'read') {
      steps.push({ op: 'read', item: numbers });
      events.push({ kind: 'read', item: numbers });
    } else if (words[0] === 'acquire' || words[0] === 'renew' || words[0] === 'release' || words[0] === 'handoff') {
      pending = { op: words[0], args: words.slice(1).map(Number), before: numbers };
    }
  }
  return { seed, run, writes, steps, decisions, events };
}

export function expectedRecord(item: ModelItem): (Partial<LeaseRecord> & { durationMs?: number }) | undefined {
  const [present, holder, token, version, expiresAt, lastTick, releasedBy, prio, hoPrio, hoTo, durMs] = item;
  if (!present) return undefined;
  return {
    ...(holder ? { holder: owner(holder) } : {}),
    token: token!,
    ...(version ? { version } : {}),
    expiresAt: ms(expiresAt!),
    ...(lastTick ? { lastTick: ms(lastTick) } : {}),
    ...(releasedBy ? { releasedBy: owner(releasedBy) } : {}),
    ...(prio ? { priority: prio } : {}),
    ...(hoPrio ? { handoffPriority: hoPrio } : {}),
    ...(hoTo ? { handoffTo: `w${hoTo - 1}` } : {}),
    ...(durMs ? { durationMs: ms(durMs) - BASE_MS } : {}),
  };
}

const COMPARED = [
  'holder',
  'token',
  'version',
  'expiresAt',
  'lastTick',
  'releasedBy',
  'priority',
  'handoffPriority',
  'handoffTo',
  'durationMs',
];

export function actualRecord(record: LeaseRecord | undefined): Record<string, unknown> | undefined {
  if (record === undefined) return undefined;
  const values = record as unknown as Record<string, unknown>;
  return Object.fromEntries(COMPARED.filter((key) => values[key] !== undefined).map((key) => [key, values[key]]));
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}

function sorted(value: unknown): unknown {
  if (value === undefined || value === null || typeof value !== 'object') return value ?? null;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)));
}

/** Sends one model write to the store, with the model's arguments mapped to the store's units. */
export function send(store: LeaseStore, name: string, write: ModelWrite): Promise<WriteOutcome> {
  const a = write.args;
  switch (write.op) {
    case 'acquire': {
      const [o, now, dur, skew, tick, pr, cf, obs, oTok, oVer] = a as [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      return store.acquire({
        name,
        owner: owner(o),
        now: ms(now),
        durationMs: dur * UNIT_MS,
        skewMs: skew * UNIT_MS,
        ...(tick ? { tick: ms(tick) } : {}),
        ...(pr ? { priority: pr } : {}),
        ...(cf ? { clockFree: obs ? { observed: { token: oTok, version: oVer } } : {} } : {}),
      });
    }
    case 'renew': {
      const [o, t, now, dur] = a as [number, number, number, number];
      return store.renew({ name, owner: owner(o), token: t, now: ms(now), durationMs: dur * UNIT_MS });
    }
    case 'release': {
      const [o, t, now, tick, by, reserve] = a as [number, number, number, number, number, number];
      return store.release({
        name,
        owner: owner(o),
        token: t,
        now: ms(now),
        ...(tick ? { tick: ms(tick) } : {}),
        releasedBy: owner(by),
        ...(reserve ? { reserveMs: reserve * UNIT_MS } : {}),
      });
    }
    case 'handoff': {
      const [t, requester, pr] = a as [number, number, number];
      return store.requestHandoff({ name, token: t, requester: `w${requester - 1}`, priority: pr });
    }
  }
}

export interface Mismatch {
  readonly trace: string;
  /** Index in the trace's steps (writes and reads). */
  readonly step: number;
  readonly op: string;
  readonly what: string;
  readonly expected: unknown;
  readonly actual: unknown;
}

/**
 * Replays `trace` on `store` under the lease `name`: every write's outcome
 * (applied or refused) must be the model's; a refused write's item (ALL_OLD)
 * must be the model's item; an applied acquire must report the previous
 * holder and token; a consistent read after every write must show the
 * model's item; and every read the model's waiters make must return the
 * item the model's read saw.
 */
export async function replay(store: LeaseStore, name: string, trace: Trace): Promise<Mismatch[]> {
  const mismatches: Mismatch[] = [];
  const id = `${trace.run}/${trace.seed}`;
  for (const [index, step] of trace.steps.entries()) {
    const fail = (what: string, expected: unknown, actual: unknown) =>
      mismatches.push({ trace: id, step: index, op: step.op, what, expected, actual });
    if (step.op === 'read') {
      const seen = actualRecord(await store.read(name));
      if (!same(seen, expectedRecord(step.item))) fail('read', expectedRecord(step.item), seen);
      if (mismatches.length > 0) break;
      continue;
    }
    const outcome = await send(store, name, step);
    if (outcome.applied !== step.ok) fail('applied', step.ok, outcome.applied);
    else if (!outcome.applied && !same(actualRecord(outcome.current), expectedRecord(step.before))) {
      fail('current', expectedRecord(step.before), actualRecord(outcome.current));
    } else if (outcome.applied && step.op === 'acquire') {
      const before = expectedRecord(step.before);
      const reported = { holder: outcome.before?.holder, token: outcome.before?.token ?? 0 };
      if (!same(reported, { holder: before?.holder, token: before?.token ?? 0 })) fail('before', before, reported);
    }
    const read = actualRecord(await store.read(name));
    if (!same(read, expectedRecord(step.after))) fail('item', expectedRecord(step.after), read);
    if (mismatches.length > 0) break;
  }
  return mismatches;
}
