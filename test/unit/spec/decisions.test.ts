import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MUTANTS } from '../../../lab/dst/mutants.js';
import { mutantRuntime, realRuntime } from '../../../lab/dst/runtime.js';
import { parseTrace } from '../../../spec/conformance.js';
import { conformDecisions, groupSteps } from '../../../spec/decisions.js';
import { tracedRuns } from '../../../spec/runs.js';

// Four traces of spec/baton.pml as `npm run model` simulates them (the command is each file's first line).
const DIR = new URL('./traces/', import.meta.url);
const traces = readdirSync(DIR)
  .filter((f) => f.endsWith('.txt'))
  .sort()
  .map((f) => {
    const [, run, seed] = /^(\w+)-(\d+)\.txt$/.exec(f)!;
    return parseTrace(readFileSync(new URL(f, DIR), 'utf8'), Number(seed), run!);
  });

describe('decision replay through the runtime (spec/decisions.ts)', () => {
  it('the real elector and runAsLeader take every decision the model takes in its traces', async () => {
    const result = await conformDecisions(await realRuntime(), traces, tracedRuns());
    expect(result.first).toEqual([]);
    expect(result.mismatches).toBe(0);
    expect(result.traces).toBe(4);
    // The decisions the mutants below break are among those checked.
    for (const kind of ['renew-unknown', 'read-wait', 'read-write', 'kept', 'release-lost', 'won', 'renewed'])
      expect(result.byKind[kind], kind).toBeGreaterThan(0);
  });

  // Each mutant of the simulation puts one known defect back into a copy of the runtime (lab/dst/mutants.ts).
  it.each([
    ['lost-renew-answer-counted', 'wall', 'renew-unknown', 'renewed'],
    ['clock-free-own-duration', 'clockfree', 'read-wait', 'acquire'],
    ['refused-renew-extends', 'handoffcf', 'kept', 'renewed'],
    ['release-own-without-releasedby', 'ticks', 'release-lost', 'released'],
  ])('a runtime with the defect %s takes a decision the model does not', async (name, run, verdict, actual) => {
    const runtime = await mutantRuntime(MUTANTS.find((m) => m.name === name)!);
    const result = await conformDecisions(runtime, traces, tracedRuns());
    expect(result.mismatches).toBeGreaterThan(0);
    expect(result.first).toContainEqual(
      expect.objectContaining({ trace: expect.stringContaining(`${run}/`), verdict, actual }),
    );
  });

  it("groups a trace into the model's steps: a late landing and a release's second write stand apart", () => {
    const trace = parseTrace(
      [
        '@@ acquire 1 0 5 3 0 0 0 0 0 0 |0 0 0 0 0 0 0 0 0 0 0',
        '@@ ok 1 |1 1 1 1 5 0 0 0 0 0 5',
        '@@ decide 0 won 0 0 1 4 0',
        '@@ time 1',
        '@@ decide 0 renew-unknown 0 3',
        '@@ renew 1 1 1 5 |1 1 1 1 5 0 0 0 0 0 5',
        '@@ ok 1 |1 1 1 2 6 0 0 0 0 0 5',
        '@@ read |1 1 1 2 6 0 0 0 0 0 5',
        '@@ decide 1 read-wait 0 0',
      ].join('\n'),
      1,
      'grouping',
    );
    expect(
      groupSteps(trace.events).map((s) =>
        s.kind === 'action' ? `${s.worker} ${s.verdict}${s.write ? ' +write' : ''}` : s.kind,
      ),
    ).toEqual(['0 won +write', 'time', '0 renew-unknown', 'orphan', '1 read-wait']);
  });
});
