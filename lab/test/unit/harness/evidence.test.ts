import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  EVIDENCE_KINDS,
  EvidenceWriter,
  parseEvidence,
  readEvidence,
  type EvidenceKind,
  type EvidenceKinds,
} from '../../../harness/evidence.js';

const at = Date.UTC(2026, 11, 1, 12, 0, 0);
const w = { worker: 'w1', at };
const c = { real: at, worker: 'w2', inc: 1 };

/**
 * One record of every `type` of every kind. The `satisfies` clauses make a
 * new record type a compile error here until it has a sample, so the round
 * trip below covers every shape the pipelines write.
 */
const SAMPLES: { readonly [K in EvidenceKind]: readonly EvidenceKinds[K][] } = {
  'lambda-worker': Object.values({
    ready: { type: 'ready', worker: 'w1', pid: 41, at },
    invoke: { type: 'invoke', ...w, eventId: 'e1', tick: at, requestId: 'r1' },
    'job-start': {
      type: 'job-start',
      ...w,
      eventId: 'e1',
      tick: at,
      token: 3,
      holder: 'h',
      takeover: true,
      expiresAt: at + 4_000,
      durationMs: 4_000,
      workMs: 250,
    },
    'write-start': { type: 'write-start', ...w, tick: at, token: 3 },
    'write-end': { type: 'write-end', ...w, tick: at, token: 3, ok: false, error: 'StaleTokenError', fence: 4 },
    outcome: {
      type: 'outcome',
      ...w,
      eventId: 'e1',
      tick: at,
      status: 'ran',
      token: 3,
      takeover: false,
      released: true,
      ms: 12.5,
      requests: 3,
      steps: { run: 2, replayed: 0 },
    },
  } satisfies { [T in EvidenceKinds['lambda-worker']['type']]: Extract<EvidenceKinds['lambda-worker'], { type: T }> }),
  'lambda-run': Object.values({
    tick: { type: 'tick', at, tick: at },
    delivery: { type: 'delivery', at, tick: at, eventId: 'e1', worker: 'w1', duplicate: true },
    spawn: { type: 'spawn', at, worker: 'w4', pid: 44, replaces: 'w1' },
    exit: { type: 'exit', at, worker: 'w1', pid: 41, code: null, signal: 'SIGKILL' },
    kill: { type: 'kill', at, worker: 'w1', pid: 41, token: 3, tick: at },
    pause: { type: 'pause', at, worker: 'w2', pid: 42, token: 4, tick: at, leaseExpiresAt: at + 4_000, stopped: true },
    resume: { type: 'resume', at, worker: 'w2', pid: 42, token: 4, successorToken: 5 },
    sample: {
      type: 'sample',
      at,
      lease: { holder: 'h', token: 5, expiresAt: at + 4_000, lastTick: at },
      head: { fence: 5, runs: 2, lastToken: 5, lastTick: at },
    },
  } satisfies { [T in EvidenceKinds['lambda-run']['type']]: Extract<EvidenceKinds['lambda-run'], { type: T }> }),
  'elector-worker': Object.values({
    ready: { type: 'ready', ...w, pid: 41, priority: 1, clockFree: true, offsetMs: -300 },
    'acting-start': {
      type: 'acting-start',
      ...w,
      token: 2,
      holder: 'h',
      priority: 1,
      clockFree: true,
      takeover: false,
      deadlineAt: at + 3_000,
    },
    deadline: { type: 'deadline', ...w, token: 2, deadlineAt: at + 4_000 },
    prepare: { type: 'prepare', ...w, token: 2, prepareMs: 80 },
    'write-sent': { type: 'write-sent', ...w, token: 2, wid: 'w1.1', remainingMs: 2_500 },
    'write-done': {
      type: 'write-done',
      ...w,
      token: 2,
      wid: 'w1.1',
      outcome: 'stale',
      fence: 3,
      error: 'ConditionalCheckFailed',
    },
    'acting-stop': { type: 'acting-stop', ...w, token: 2, reason: 'fenced', message: 'refused' },
    'handoff-requested': { type: 'handoff-requested', ...w, token: 2, priority: 3, applied: true },
    released: { type: 'released', ...w, token: 2 },
    skewed: { type: 'skewed', ...w, offsetMs: 12_000 },
    'stop-requested': { type: 'stop-requested', ...w },
    done: { type: 'done', ...w, error: 'AbortError' },
  } satisfies {
    [T in EvidenceKinds['elector-worker']['type']]: Extract<EvidenceKinds['elector-worker'], { type: T }>;
  }),
  'elector-run': Object.values({
    spawn: { type: 'spawn', at, worker: 'w2', pid: 42 },
    exit: { type: 'exit', at, worker: 'w2', pid: 42, code: 0, signal: null },
    phase: { type: 'phase', at, phase: 'end' },
    kill: { type: 'kill', at, worker: 'w1', pid: 41, token: 2, phase: 'clock-free-kill' },
    pause: { type: 'pause', at, worker: 'w1', pid: 41, token: 2 },
    resume: { type: 'resume', at, worker: 'w1', pid: 41, token: 2 },
    stop: { type: 'stop', at, worker: 'w1', pid: 41, token: 2, phase: 'graceful-stop' },
    skew: { type: 'skew', at, worker: 'w3', offsetMs: -12_000 },
    'gave-up': { type: 'gave-up', at, phase: 'pause', waitingFor: 'a successor' },
  } satisfies { [T in EvidenceKinds['elector-run']['type']]: Extract<EvidenceKinds['elector-run'], { type: T }> }),
  chaos: Object.values({
    campaign: {
      type: 'campaign',
      real: at,
      seed: 1,
      leaseName: 'chaos/leader',
      workers: 3,
      durationMs: 60_000,
      leaseDurationMs: 2_000,
      safetyMarginMs: 250,
      maxClockSkewMs: 200,
      tickMs: 250,
      skewBeyond: true,
      variant: 'v',
    },
    'worker-start': { type: 'worker-start', ...c, pid: 42, offsetMs: 30 },
    clock: { type: 'clock', ...c, offsetMs: -40 },
    'lease-op': {
      type: 'lease-op',
      ...c,
      op: 'acquire',
      id: 7,
      phase: 'ok',
      applied: true,
      token: 3,
      replacedHolder: 'h',
      replacedExpiresAt: at,
    },
    tenure: { type: 'tenure', ...c, event: 'lost', owner: 'o', token: 3, reason: 'expired' },
    write: {
      type: 'write',
      ...c,
      phase: 'invoke',
      wid: 'w2.1.1',
      owner: 'o',
      token: 3,
      tick: at,
      resource: 'r0',
      local: at + 30,
      remainingMs: 900,
    },
    'worker-error': { type: 'worker-error', ...c, message: 'boom' },
    nemesis: { type: 'nemesis', real: at, action: 'network-on', fault: 'drop', durationMs: 500 },
    'proxy-fault': {
      type: 'proxy-fault',
      real: at,
      fault: { kind: 'error', error: 'ThrottlingException', status: 400, forwarded: false, operation: 'UpdateItem' },
    },
    end: {
      type: 'end',
      real: at,
      proxy: {
        requests: 10,
        forwarded: 9,
        delayed: 4,
        latencySpikes: 1,
        connectionResets: 1,
        errorsInjected: 1,
        errorsByType: {
          InternalServerError: 0,
          ServiceUnavailable: 0,
          ProvisionedThroughputExceededException: 0,
          ThrottlingException: 1,
          TransactionConflictException: 0,
        },
        droppedResponses: 0,
      },
    },
  } satisfies { [T in EvidenceKinds['chaos']['type']]: Extract<EvidenceKinds['chaos'], { type: T }> }),
};

function roundTrip<K extends EvidenceKind>(kind: K): void {
  const path = file(`${kind}.jsonl`);
  const writer = new EvidenceWriter(path, kind);
  for (const record of SAMPLES[kind]) writer.append(record);
  writer.close();
  // A closed writer drops what it is given (a late record at shutdown), never throws.
  writer.append(SAMPLES[kind][0] as EvidenceKinds[K]);
  expect(readEvidence(path, kind)).toEqual({ records: SAMPLES[kind], unreadable: 0 });
}

const file = (name: string) => join(mkdtempSync(join(tmpdir(), 'evidence-test-')), name);

describe('evidence', () => {
  it.each(EVIDENCE_KINDS)('round-trips every record type of %s through the writer and the reader', (kind) =>
    roundTrip(kind),
  );

  it('tags every line on disk with its kind, and the records in memory carry no tag', () => {
    const path = file('run.jsonl');
    const writer = new EvidenceWriter(path, 'lambda-run');
    writer.append({ type: 'tick', at, tick: at });
    writer.close();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ kind: 'lambda-run', type: 'tick', at, tick: at });
    expect(readEvidence(path, 'lambda-run').records[0]).not.toHaveProperty('kind');
  });

  it('counts a torn line, an untagged line and another kind’s line as unreadable, and keeps the rest', () => {
    const tick = { kind: 'lambda-run', type: 'tick', at, tick: at };
    const text = [
      JSON.stringify(tick),
      '{"kind":"lambda-run","ty',
      JSON.stringify({ type: 'tick', at, tick: at }),
      JSON.stringify({ ...tick, kind: 'chaos' }),
      '',
      '42',
    ].join('\n');
    expect(parseEvidence(text, 'lambda-run')).toEqual({ records: [{ type: 'tick', at, tick: at }], unreadable: 4 });
  });

  it('appends: a second writer on the same file adds after the first', () => {
    const path = file('shared.jsonl');
    const a = new EvidenceWriter(path, 'chaos');
    const b = new EvidenceWriter(path, 'chaos');
    a.append({ type: 'nemesis', real: 1, action: 'heal' });
    b.append({ type: 'nemesis', real: 2, action: 'heal' });
    a.append({ type: 'nemesis', real: 3, action: 'heal' });
    a.close();
    b.close();
    expect(readEvidence(path, 'chaos').records.map((r) => r.real)).toEqual([1, 2, 3]);
  });
});
