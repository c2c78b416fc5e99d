import { describe, expect, it } from 'vitest';
import { InMemoryLeaseStore } from '../../../lib/runtime/in-memory-lease-store.js';
import { parseTrace, replay } from '../../../spec/conformance.js';

// Two writes as spec/baton.pml prints them: an acquire at t=0 (D 5, S 3), then a renew at wall clock -2.
const acquire = [
  '@@ acquire 1 0 5 3 0 0 0 0 0 0 |0 0 0 0 0 0 0 0 0 0 0',
  '@@ ok 1 |1 1 1 1 5 0 0 0 0 0 5',
  '@@ decide 0 won 1',
];

describe('model trace replay (spec/conformance.ts)', () => {
  it('agrees with the store on a trace of the model as fixed: the renew that would shorten the tenure is refused', async () => {
    const trace = parseTrace(
      [...acquire, '@@ renew 1 1 -2 5 |1 1 1 1 5 0 0 0 0 0 5', '@@ ok 0 |1 1 1 1 5 0 0 0 0 0 5'].join('\n'),
      1,
      'fixed',
    );
    expect(trace.writes).toHaveLength(2);
    expect(trace.decisions).toEqual(['0 won 1']);
    expect(await replay(new InMemoryLeaseStore(), 'lease', trace)).toEqual([]);
  });

  it('reports the mismatch when the model applies a write the store refuses (renew without expiresAt <= :new)', async () => {
    const trace = parseTrace(
      [...acquire, '@@ renew 1 1 -2 5 |1 1 1 1 5 0 0 0 0 0 5', '@@ ok 1 |1 1 1 2 3 0 0 0 0 0 5'].join('\n'),
      2,
      'mutant',
    );
    const mismatches = await replay(new InMemoryLeaseStore(), 'lease', trace);
    expect(mismatches[0]).toMatchObject({ step: 1, op: 'renew', what: 'applied', expected: true, actual: false });
  });

  it('reports a returned item that differs from the model', async () => {
    // The model claims the refused renew found version 7: the store's ALL_OLD item says 1.
    const trace = parseTrace(
      [...acquire, '@@ renew 2 1 1 5 |1 1 1 7 5 0 0 0 0 0 5', '@@ ok 0 |1 1 1 7 5 0 0 0 0 0 5'].join('\n'),
      3,
      'wrong',
    );
    const mismatches = await replay(new InMemoryLeaseStore(), 'lease', trace);
    expect(mismatches[0]).toMatchObject({ step: 1, what: 'current' });
  });

  it("replays a waiter's read and compares it with the model's item", async () => {
    const read = '@@ read |1 1 1 1 5 0 0 0 0 0 5';
    const trace = parseTrace([...acquire, read, '@@ decide 1 read-wait'].join('\n'), 4, 'read');
    expect(trace.writes).toHaveLength(1);
    expect(trace.steps.map((s) => s.op)).toEqual(['acquire', 'read']);
    expect(await replay(new InMemoryLeaseStore(), 'lease', trace)).toEqual([]);
  });

  it('reports a read whose item differs from the model', async () => {
    // The model claims the read saw no holder: the store still holds token 1 for w0#1.
    const trace = parseTrace([...acquire, '@@ read |1 0 1 1 5 0 0 0 0 0 5'].join('\n'), 5, 'wrong-read');
    const mismatches = await replay(new InMemoryLeaseStore(), 'lease', trace);
    expect(mismatches[0]).toMatchObject({ step: 1, op: 'read', what: 'read' });
  });
});
