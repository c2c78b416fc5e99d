import type {
  DemoEvidence,
  LedgerEntry,
  LedgerHead,
  RunRecord,
  StepCounts,
  WorkerRecord,
} from '../../../demo/records.js';

/** Ticks are whole seconds; times are ms from an arbitrary origin (they only need to be ordered). */
export const T0 = Date.parse('2026-11-26T06:00:00Z');
export const tickAt = (n: number) => T0 + n * 1000;

/**
 * Builds demo evidence by hand, one event at a time, so each test states
 * exactly the story it checks. Nothing is inferred: a `run` adds the ledger
 * entry because the write committed; a test that wants a lie writes the
 * records and the ledger separately.
 */
export class EvidenceBuilder {
  readonly workerRecords: WorkerRecord[] = [];
  readonly runRecords: RunRecord[] = [];
  readonly entries: LedgerEntry[] = [];
  head: LedgerHead | undefined;
  #event = 0;

  tick(n: number): this {
    this.runRecords.push({ type: 'tick', at: tickAt(n) + 5, tick: tickAt(n) });
    return this;
  }

  spawn(worker: string, pid: number, at = T0 - 1_000, replaces?: string): this {
    this.runRecords.push({ type: 'spawn', at, worker, pid, ...(replaces ? { replaces } : {}) });
    return this;
  }

  exit(worker: string, pid: number, at: number, signal: string | null): this {
    this.runRecords.push({ type: 'exit', at, worker, pid, code: signal ? null : 0, signal });
    return this;
  }

  invoke(worker: string, tick: number, at: number, eventId = `e${++this.#event}`): string {
    this.workerRecords.push({ type: 'invoke', worker, at, eventId, tick: tickAt(tick), requestId: `r-${eventId}` });
    return eventId;
  }

  /** A follower invocation: one request, skipped. */
  skip(
    worker: string,
    tick: number,
    at: number,
    reason: 'held' | 'tick-done' = 'held',
    eventId?: string,
    ms = 12,
  ): this {
    const id = this.invoke(worker, tick, at, eventId);
    this.workerRecords.push({
      type: 'outcome',
      worker,
      at: at + ms,
      eventId: id,
      tick: tickAt(tick),
      status: 'skipped',
      reason,
      token: 1,
      ms,
      requests: 1,
    });
    return this;
  }

  /** Invoke and job start of a tenure; returns the event id. */
  lead(
    worker: string,
    tick: number,
    token: number,
    at: number,
    o: { takeover?: boolean; durationMs?: number; eventId?: string } = {},
  ): string {
    const id = this.invoke(worker, tick, at, o.eventId);
    const durationMs = o.durationMs ?? 4_000;
    this.workerRecords.push({
      type: 'job-start',
      worker,
      at: at + 10,
      eventId: id,
      tick: tickAt(tick),
      token,
      holder: `${worker}#${token}`,
      takeover: o.takeover ?? false,
      expiresAt: at + durationMs,
      durationMs,
      workMs: 100,
    });
    return id;
  }

  writeStart(worker: string, tick: number, token: number, at: number): this {
    this.workerRecords.push({ type: 'write-start', worker, at, tick: tickAt(tick), token });
    return this;
  }

  writeEnd(
    worker: string,
    tick: number,
    token: number,
    at: number,
    result: { ok: true } | { ok: false; error: string; fence?: number },
  ): this {
    this.workerRecords.push({ type: 'write-end', worker, at, tick: tickAt(tick), token, ...result });
    return this;
  }

  outcome(
    worker: string,
    tick: number,
    token: number,
    at: number,
    eventId: string,
    status: 'ran' | 'error',
    extra: { error?: string; fence?: number; released?: boolean; steps?: StepCounts } = {},
  ): this {
    this.workerRecords.push({
      type: 'outcome',
      worker,
      at,
      eventId,
      tick: tickAt(tick),
      status,
      token,
      ...(status === 'ran' ? { released: extra.released ?? true, takeover: false } : { error: extra.error ?? 'Error' }),
      ...(extra.fence === undefined ? {} : { fence: extra.fence }),
      ...(extra.steps === undefined ? {} : { steps: extra.steps }),
      ms: at - tickAt(tick),
      requests: status === 'ran' ? 3 : 2,
    });
    return this;
  }

  /** A whole successful tenure: lead at `at`, write 100 ms later, done at +130; the entry goes into the ledger. */
  run(worker: string, tick: number, token: number, at = tickAt(tick) + 20, o: { takeover?: boolean } = {}): this {
    const id = this.lead(worker, tick, token, at, o);
    this.writeStart(worker, tick, token, at + 110).writeEnd(worker, tick, token, at + 125, { ok: true });
    this.outcome(worker, tick, token, at + 130, id, 'ran', { steps: { run: 2, replayed: 0 } });
    return this.entry(tick, token, worker);
  }

  entry(tick: number, token: number, worker?: string): this {
    this.entries.push({ tick: tickAt(tick), token, ...(worker ? { holder: `${worker}#${token}` } : {}) });
    return this;
  }

  kill(worker: string, pid: number, token: number, tick: number, at: number, confirmed = true): this {
    this.runRecords.push({ type: 'kill', at, worker, pid, token, tick: tickAt(tick) });
    if (confirmed) this.exit(worker, pid, at + 3, 'SIGKILL');
    return this;
  }

  pause(
    worker: string,
    pid: number,
    token: number,
    tick: number,
    at: number,
    resumeAt?: number,
    successorToken?: number,
  ): this {
    this.runRecords.push({
      type: 'pause',
      at,
      worker,
      pid,
      token,
      tick: tickAt(tick),
      leaseExpiresAt: at + 3_900,
      stopped: true,
    });
    if (resumeAt !== undefined) {
      this.runRecords.push({
        type: 'resume',
        at: resumeAt,
        worker,
        pid,
        token,
        ...(successorToken === undefined ? {} : { successorToken }),
      });
    }
    return this;
  }

  sample(at: number, fence: number, runs?: number): this {
    this.runRecords.push({
      type: 'sample',
      at,
      head: { fence, lastToken: fence, ...(runs === undefined ? {} : { runs }) },
    });
    return this;
  }

  /** The evidence; the head defaults to what the entries imply (fence = highest token, runs = count). */
  build(): DemoEvidence {
    const maxToken = Math.max(0, ...this.entries.map((e) => e.token));
    const head =
      this.head ??
      (this.entries.length ? { fence: maxToken, runs: this.entries.length, lastToken: maxToken } : undefined);
    const byTime = <R extends { at: number }>(rs: R[]) => [...rs].sort((a, b) => a.at - b.at);
    return {
      workerRecords: byTime(this.workerRecords),
      runRecords: byTime(this.runRecords),
      ledger: { entries: this.entries, ...(head ? { head } : {}) },
    };
  }
}

/**
 * The story every check should accept: w1 runs ticks 0 and 1; w2 is paused
 * while it leads tick 2 (before its write); w3 takes over at tick 7 and
 * writes; w2 is resumed and its write is refused; w1 is killed leading tick 9;
 * w4 replaces it and w3 takes over at tick 14. Duplicates are skipped.
 */
export function cleanRun(): EvidenceBuilder {
  const b = new EvidenceBuilder().spawn('w1', 101).spawn('w2', 102).spawn('w3', 103);
  for (let n = 0; n <= 15; n++) b.tick(n);
  b.run('w1', 0, 1)
    .skip('w2', 0, tickAt(0) + 20)
    .skip('w3', 0, tickAt(0) + 20);
  b.run('w1', 1, 2);
  const dupId = b.invoke('w2', 1, tickAt(1) + 15);
  b.workerRecords.push({
    type: 'outcome',
    worker: 'w2',
    at: tickAt(1) + 30,
    eventId: dupId,
    tick: tickAt(1),
    status: 'skipped',
    reason: 'held',
    token: 2,
    ms: 15,
    requests: 1,
  });
  b.skip('w3', 1, tickAt(1) + 600, 'tick-done', dupId); // the same event, delivered again
  // Tick 2: w2 leads and is paused before it writes.
  const paused = b.lead('w2', 2, 3, tickAt(2) + 20);
  b.pause('w2', 102, 3, 2, tickAt(2) + 60, tickAt(7) + 400, 4);
  for (let n = 3; n <= 6; n++) b.skip('w1', n, tickAt(n) + 20).skip('w3', n, tickAt(n) + 20);
  b.run('w3', 7, 4, tickAt(7) + 20, { takeover: true });
  b.sample(tickAt(7) + 300, 4, 3);
  // Resumed: its late write meets the fence.
  b.writeStart('w2', 2, 3, tickAt(7) + 405).writeEnd('w2', 2, 3, tickAt(7) + 420, {
    ok: false,
    error: 'StaleTokenError',
    fence: 4,
  });
  b.outcome('w2', 2, 3, tickAt(7) + 425, paused, 'error', { error: 'StaleTokenError', fence: 4 });
  b.run('w1', 8, 5);
  // Tick 9: w1 is killed while it leads; w4 replaces it; w3 takes over at tick 14.
  b.lead('w1', 9, 6, tickAt(9) + 20);
  b.kill('w1', 101, 6, 9, tickAt(9) + 70).spawn('w4', 104, tickAt(9) + 80, 'w1');
  for (let n = 10; n <= 13; n++) b.skip('w3', n, tickAt(n) + 20).skip('w2', n, tickAt(n) + 20);
  b.run('w3', 14, 7, tickAt(14) + 20, { takeover: true });
  b.run('w4', 15, 8);
  b.sample(tickAt(15) + 500, 8, 6);
  return b;
}
