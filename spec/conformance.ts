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

export type ModelWrite =
  | { readonly op: 'acquire'; readonly args: readonly number[]; readonly ok: boolean; readonly before: ModelItem; readonly after: ModelItem }
  | { readonly op: 'renew' | 'release' | 'handoff'; readonly args: readonly number[]; readonly ok: boolean; readonly before: ModelItem; readonly after: ModelItem };

export interface Trace {
  readonly seed: number;
  readonly run: string;
  readonly writes: readonly ModelWrite[];
  /** The model's client verdicts, in order (`<worker> <verdict>`). */
  readonly decisions: readonly string[];
}

/** Model time units to epoch ms: one linear map, so every comparison the conditions make keeps its outcome. */
const BASE_MS = 1_700_000_000_000;
const UNIT_MS = 1_000;
const OPERATOR = 250;

const ms = (units: number) => BASE_MS + units * UNIT_MS;
const owner = (id: number) => (id === OPERATOR ? 'operator:ops' : `w${Math.floor((id - 1) / 4)}#${id}`);

/** Parses one simulation's output into its trace. */
export function parseTrace(output: string, seed: number, run: string): Trace {
  const writes: ModelWrite[] = [];
  const decisions: string[] = [];
  let pending: { op: ModelWrite['op']; args: number[]; before: number[] } | undefined;
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('@@ ')) continue;
    const [head, item] = line.slice(3).split('|');
    const words = head!.trim().split(/\s+/);
    const numbers = (item ?? '').trim().split(/\s+/).filter(Boolean).map(Number);
    if (words[0] === 'decide') decisions.push(words.slice(1).join(' '));
    else if (words[0] === 'ok') {
      if (pending === undefined) throw new Error(`trace ${run}/${seed}: an outcome without its write`);
      writes.push({ op: pending.op, args: pending.args, before: pending.before, ok: words[1] === '1', after: numbers } as ModelWrite);
      pending = undefined;
    } else if (words[0] === 'acquire' || words[0] === 'renew' || words[0] === 'release' || words[0] === 'handoff') {
      pending = { op: words[0], args: words.slice(1).map(Number), before: numbers };
    }
  }
  return { seed, run, writes, decisions };
}


export function expectedRecord(item: ModelItem): Partial<LeaseRecord> & { durationMs?: number } | undefined {
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

const COMPARED = ['holder', 'token', 'version', 'expiresAt', 'lastTick', 'releasedBy', 'priority', 'handoffPriority', 'handoffTo', 'durationMs'];

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
function send(store: LeaseStore, name: string, write: ModelWrite): Promise<WriteOutcome> {
  const a = write.args;
  switch (write.op) {
    case 'acquire': {
      const [o, now, dur, skew, tick, pr, cf, obs, oTok, oVer] = a as [number, number, number, number, number, number, number, number, number, number];
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
  readonly write: number;
  readonly op: string;
  readonly what: string;
  readonly expected: unknown;
  readonly actual: unknown;
}

/**
 * Replays `trace` on `store` under the lease `name`: every write's outcome
 * (applied or refused) must be the model's; a refused write's item (ALL_OLD)
 * must be the model's item; an applied acquire must report the previous
 * holder and token; and a consistent read after every write must show the
 * model's item.
 */
export async function replay(store: LeaseStore, name: string, trace: Trace): Promise<Mismatch[]> {
  const mismatches: Mismatch[] = [];
  const id = `${trace.run}/${trace.seed}`;
  for (const [index, write] of trace.writes.entries()) {
    const outcome = await send(store, name, write);
    const fail = (what: string, expected: unknown, actual: unknown) => mismatches.push({ trace: id, write: index, op: write.op, what, expected, actual });
    if (outcome.applied !== write.ok) fail('applied', write.ok, outcome.applied);
    else if (!outcome.applied && !same(actualRecord(outcome.current), expectedRecord(write.before))) {
      fail('current', expectedRecord(write.before), actualRecord(outcome.current));
    } else if (outcome.applied && write.op === 'acquire') {
      const before = expectedRecord(write.before);
      const reported = { holder: outcome.before?.holder, token: outcome.before?.token ?? 0 };
      if (!same(reported, { holder: before?.holder, token: before?.token ?? 0 })) fail('before', before, reported);
    }
    const read = actualRecord(await store.read(name));
    if (!same(read, expectedRecord(write.after))) fail('item', expectedRecord(write.after), read);
    if (mismatches.length > 0) break;
  }
  return mismatches;
}
