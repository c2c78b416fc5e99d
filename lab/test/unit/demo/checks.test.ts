import { describe, expect, it } from 'vitest';
import {
  classifyPauses,
  computeChecks,
  duplicateTickRuns,
  staleWritesAccepted,
  tokenRegressions,
} from '../../../demo/checks.js';
import { cleanRun, EvidenceBuilder, tickAt } from './evidence-builder.js';

const failed = (evidence: ReturnType<EvidenceBuilder['build']>) =>
  computeChecks(evidence)
    .checks.filter((c) => !c.ok)
    .map((c) => c.name);

describe('computeChecks on a clean run', () => {
  it('passes every check', () => {
    const { checks } = computeChecks(cleanRun().build());
    expect(checks.filter((c) => !c.ok)).toEqual([]);
  });

  it('counts from the ledger, the workers’ logs and the run log', () => {
    const { counts } = computeChecks(cleanRun().build());
    expect(counts).toEqual({
      ticks: 16,
      ticksRun: 6,
      duplicateTicksRun: 0,
      duplicateDeliveries: 1,
      duplicatesSkipped: 1,
      redeliveriesSkipped: 1,
      takeovers: 2,
      kills: 1,
      pauses: 1,
      staleWritesRejected: 1,
      staleWritesAccepted: 0,
      tokenRegressions: 0,
      unattributedEntries: 0,
      missingEntries: 0,
      pausedLeadersNotFenced: 0,
      unexpectedErrors: 0,
      crashedWorkers: 0,
    });
  });

  it('tells a skipped redelivery from a first delivery that found its tick done', () => {
    const b = cleanRun();
    b.skip('w2', 8, tickAt(8) + 700, 'tick-done'); // its own first delivery, after w1 had run tick 8
    const { counts } = computeChecks(b.build());
    expect(counts.duplicatesSkipped).toBe(2);
    expect(counts.redeliveriesSkipped).toBe(1);
  });

  it('counts a kill only when the process was seen to die of it', () => {
    const b = cleanRun();
    b.kill('w2', 102, 99, 12, tickAt(12) + 50, false);
    expect(computeChecks(b.build()).counts.kills).toBe(1);
  });

  it('counts a pause only once it was resumed', () => {
    const b = cleanRun();
    b.pause('w3', 103, 7, 14, tickAt(14) + 60);
    expect(computeChecks(b.build()).counts.pauses).toBe(1);
  });
});

describe('duplicateTickRuns', () => {
  it('counts every entry beyond the first for a tick', () => {
    const b = new EvidenceBuilder().entry(1, 1).entry(1, 2).entry(1, 3).entry(2, 4);
    expect(duplicateTickRuns(b.entries)).toEqual({ count: 2, ticks: [tickAt(1)] });
  });

  it('fails the run when a tick has two ledger entries', () => {
    const b = cleanRun();
    b.run('w2', 15, 9, tickAt(15) + 400); // tick 15 again, with a newer token
    expect(failed(b.build())).toEqual(['every tick ran at most once']);
  });
});

describe('staleWritesAccepted', () => {
  it('flags an entry whose writer logged the write as refused', () => {
    const b = cleanRun();
    b.entry(2, 3, 'w2'); // w2's refused write is in the ledger after all
    expect(staleWritesAccepted(b.build())).toEqual({ count: 1, tokens: [3] });
    expect(failed(b.build())).toContain('no stale write was accepted');
  });

  it('flags an entry sent after a higher token’s write had committed', () => {
    const b = new EvidenceBuilder().tick(1).tick(5);
    b.run('w2', 5, 4);
    // w1 (token 3) sends its write after token 4's committed, and it lands.
    const id = b.lead('w1', 1, 3, tickAt(1) + 20);
    b.writeStart('w1', 1, 3, tickAt(5) + 400)
      .writeEnd('w1', 1, 3, tickAt(5) + 420, { ok: true })
      .outcome('w1', 1, 3, tickAt(5) + 430, id, 'ran');
    b.entry(1, 3, 'w1');
    b.head = { fence: 4, runs: 2, lastToken: 3 };
    expect(staleWritesAccepted(b.build())).toEqual({ count: 1, tokens: [3] });
  });

  it('flags an entry sent after a sample had shown a higher fence', () => {
    const b = new EvidenceBuilder().tick(1);
    b.sample(tickAt(1), 7);
    b.run('w1', 1, 3, tickAt(1) + 50);
    b.head = { fence: 7, runs: 1 };
    expect(staleWritesAccepted(b.build()).tokens).toEqual([3]);
  });

  it('accepts a write that was in flight when its writer paused, though its answer came after a successor’s', () => {
    const b = new EvidenceBuilder().tick(1).tick(6);
    const id = b.lead('w1', 1, 3, tickAt(1) + 20);
    b.writeStart('w1', 1, 3, tickAt(1) + 130); // sent, then SIGSTOP: it committed at once
    b.run('w2', 6, 4);
    b.writeEnd('w1', 1, 3, tickAt(6) + 500, { ok: true }).outcome('w1', 1, 3, tickAt(6) + 510, id, 'ran', {
      released: false,
    });
    b.entry(1, 3, 'w1');
    expect(staleWritesAccepted(b.build()).count).toBe(0);
    expect(failed(b.build())).toEqual([]);
  });
});

describe('tokenRegressions', () => {
  it('flags a sample of the head whose fence is below the one before it', () => {
    const b = cleanRun();
    b.sample(tickAt(15) + 700, 6);
    expect(tokenRegressions(b.build()).count).toBe(1);
    expect(failed(b.build())).toEqual(['the fence never went backwards']);
  });

  it('flags a final head whose fence is below a token that wrote an entry', () => {
    const b = cleanRun();
    b.head = { fence: 7, runs: 6, lastToken: 7 };
    expect(tokenRegressions(b.build()).detail).toEqual(['final head fence 7 below entry token 8']);
  });

  it('counts a fence that stays down once', () => {
    const b = new EvidenceBuilder().sample(1, 3).sample(2, 5).sample(3, 4).sample(4, 4).sample(5, 6);
    expect(tokenRegressions(b.build()).count).toBe(1);
  });
});

describe('the ledger matches the workers’ logs', () => {
  it('fails on an entry no worker logged writing', () => {
    const b = cleanRun();
    b.entry(12, 42);
    b.head = { fence: 42, runs: 7 };
    expect(failed(b.build())).toEqual(['the ledger matches the workers’ logs']);
  });

  it('fails on a write logged as committed that the ledger does not hold', () => {
    const b = cleanRun();
    b.entries.pop();
    b.head = { fence: 8, runs: 5 };
    expect(computeChecks(b.build()).counts.missingEntries).toBe(1);
    expect(failed(b.build())).toEqual(['the ledger matches the workers’ logs']);
  });

  it('fails when the head counts other runs than the entries', () => {
    const b = cleanRun();
    b.head = { fence: 8, runs: 5, lastToken: 8 };
    expect(failed(b.build())).toEqual(['the ledger matches the workers’ logs']);
  });
});

describe('classifyPauses', () => {
  it('finds the clean run’s pause before the write, with the successor first and the write refused', () => {
    expect(classifyPauses(cleanRun().build())).toEqual([
      {
        worker: 'w2',
        token: 3,
        at: tickAt(2) + 60,
        resumedAt: tickAt(7) + 400,
        phase: 'before-write',
        successorWroteFirst: true,
        write: 'refused',
      },
    ]);
  });

  it('tells the phases apart', () => {
    const b = new EvidenceBuilder().tick(1);
    b.run('w1', 1, 1); // job-start +30, write-start +130, write-end +145, outcome +150
    const at = (ms: number) => tickAt(1) + ms;
    b.pause('w1', 1, 1, 1, at(100))
      .pause('w1', 1, 1, 1, at(140))
      .pause('w1', 1, 1, 1, at(148))
      .pause('w1', 1, 1, 1, at(160));
    expect(classifyPauses(b.build()).map((p) => p.phase)).toEqual([
      'before-write',
      'during-write',
      'after-write',
      'after-job',
    ]);
  });

  it('fails the run when a leader paused before its write, resumed after a successor wrote, gets its write in', () => {
    const b = cleanRun();
    const i = b.workerRecords.findIndex((r) => r.type === 'write-end' && r.token === 3);
    b.workerRecords[i] = { type: 'write-end', worker: 'w2', at: tickAt(7) + 420, tick: tickAt(2), token: 3, ok: true };
    b.entry(2, 3, 'w2');
    b.head = { fence: 8, runs: 7, lastToken: 8 };
    expect(failed(b.build())).toEqual(['no stale write was accepted', 'paused leaders were fenced']);
  });

  it('fails the run when such a leader’s write ends in another error than the fence', () => {
    const b = cleanRun();
    const i = b.workerRecords.findIndex((r) => r.type === 'write-end' && r.token === 3);
    b.workerRecords[i] = {
      type: 'write-end',
      worker: 'w2',
      at: tickAt(7) + 420,
      tick: tickAt(2),
      token: 3,
      ok: false,
      error: 'AbortError',
    };
    expect(failed(b.build())).toEqual(['paused leaders were fenced']);
  });
});

describe('nothing else went wrong', () => {
  it('fails on an invocation that threw anything but StaleTokenError', () => {
    const b = cleanRun();
    const id = b.lead('w3', 16, 9, tickAt(16) + 20);
    b.outcome('w3', 16, 9, tickAt(16) + 40, id, 'error', { error: 'ResourceNotFoundException' });
    expect(failed(b.build())).toEqual(['nothing else went wrong']);
  });

  it('fails on a worker that died without the nemesis', () => {
    const b = cleanRun();
    b.exit('w2', 102, tickAt(15), null);
    b.runRecords.push({ type: 'exit', at: tickAt(15) + 1, worker: 'w3', pid: 103, code: 1, signal: null });
    expect(computeChecks(b.build()).counts.crashedWorkers).toBe(1);
    expect(failed(b.build())).toEqual(['nothing else went wrong']);
  });

  it('accepts the nemesis’s SIGKILL and a clean exit at the end', () => {
    const b = cleanRun().exit('w2', 102, tickAt(16), null);
    expect(computeChecks(b.build()).counts.crashedWorkers).toBe(0);
  });
});

describe('ticks ran', () => {
  it('fails a run in which no tick ran', () => {
    const b = new EvidenceBuilder()
      .tick(0)
      .tick(1)
      .skip('w1', 0, tickAt(0) + 20);
    expect(failed(b.build())).toEqual(['ticks ran']);
  });
});
