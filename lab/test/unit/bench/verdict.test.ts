import { describe, expect, it } from 'vitest';
import { benchVerdict, targetLines } from '../../../bench/report-rows.js';
import type { BenchReport } from '../../../bench/index.js';
import type { TargetCheck } from '../../../bench/targets.js';

function report(targets: TargetCheck[]): BenchReport {
  return {
    params: { environment: { loadAverage1m: { start: 3.1, end: 2.4 } } },
    results: [],
    targets,
  } as unknown as BenchReport;
}

const target = (name: string, met: boolean | null): TargetCheck => ({
  target: name,
  value: met === null ? null : 1.2,
  bound: 1.15,
  unit: 'x raw p50',
  met,
  basis: 'same run',
});

describe('benchVerdict', () => {
  it('is ok when every checked target was met; an unchecked one does not fail it', () => {
    const v = benchVerdict(report([target('a', true), target('b', null)]));
    expect(v).toEqual({
      ok: true,
      line: 'Verdict: 1 of 2 targets met; 1 not checked (a figure this run lacks, see n/a above).',
    });
  });

  it('names every missed target and the machine load when one was missed', () => {
    const v = benchVerdict(report([target('a', true), target('p50 within 1.15x raw', false)]));
    expect(v.ok).toBe(false);
    expect(v.line).toContain('1 of 2 targets MISSED (p50 within 1.15x raw)');
    expect(v.line).toContain('load average was 3.1 at the start and 2.4 at the end');
  });
});

describe('targetLines', () => {
  it('gives the bound its unit, as the value has', () => {
    expect(targetLines(report([target('p50', false)]))).toEqual([
      'MISS  p50: 1.2 x raw p50 (bound 1.15 x raw p50; same run)',
    ]);
  });
});
