import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HANDOVER_KINDS } from '../../demo/elect-checks.js';
import type { ElectRunRecord } from '../../demo/elect-records.js';
import type { ElectReport } from '../../demo/elect-report.js';
import { alive, runLab } from '../../../test/support/cli.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function electDemo(
  args: readonly string[],
): Promise<{ code: number | null; output: string; report: ElectReport; html: string; pids: number[] }> {
  const cwd = mkdtempSync(join(tmpdir(), 'baton-elect-demo-e2e-'));
  dirs.push(cwd);
  const { code, output } = await runLab(['demo', '--elect', '--workers', '2', ...args], cwd);
  const report = JSON.parse(readFileSync(join(cwd, 'elect-report.json'), 'utf8')) as ElectReport;
  const html = readFileSync(join(cwd, 'elect-report.html'), 'utf8');
  const runLog = readFileSync(join(cwd, '.baton', 'demo-elect', 'run.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ElectRunRecord);
  return { code, output, report, html, pids: runLog.flatMap((r) => (r.type === 'spawn' ? [r.pid] : [])) };
}

describe('baton demo --elect', () => {
  it(
    'elects through a kill, a pause, a graceful stop, a rolling restart and skewed clocks, and writes a passing report',
    { timeout: 240_000 },
    async () => {
      const { code, output, report, html, pids } = await electDemo(['--seed', '7']);
      expect(code, output).toBe(0);
      expect(
        report.checks.filter((c) => !c.ok),
        output,
      ).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.counts).toMatchObject({
        overlappingWindows: 0,
        staleWritesAccepted: 0,
        takeoversUnderSkew: 0,
        kills: 2,
        pauses: 1,
        gracefulStops: 1,
        handoffs: 2,
      });
      // The paused leader's late write met the fence.
      expect(report.counts.staleWritesRejected).toBeGreaterThanOrEqual(1);
      // Every kind of handover was measured, within its bound.
      for (const kind of HANDOVER_KINDS) {
        const figure = report.figures[kind];
        expect(figure.count, kind).toBeGreaterThanOrEqual(1);
        expect(figure.max, kind).toBeLessThanOrEqual(report.bounds[kind].boundMs);
        expect(figure.min, kind).toBeGreaterThan(0);
      }
      expect(html).toContain('<svg');
      expect(output).toContain('All checks passed.');
      // Every process it started is gone: 2 workers, 1 replacement after the kill, 1 after the stop, 2 by the rolling restart.
      expect(pids).toHaveLength(6);
      expect(pids.filter(alive)).toEqual([]);
    },
  );

  it(
    'fails when the restarted workers are wall-clock electors under skew: the checks catch the overlap',
    { timeout: 240_000 },
    async () => {
      const { code, report } = await electDemo(['--seed', '7', '--wall-clock-under-skew']);
      expect(code).toBe(1);
      expect(report.ok).toBe(false);
      const failed = report.checks.filter((c) => !c.ok).map((c) => c.name);
      expect(failed).toContain('no two acting windows overlap');
      expect(failed).toContain('under skew, no waiter took the lease from a live leader');
      // The fence still kept the resource safe.
      expect(report.counts.staleWritesAccepted).toBe(0);
    },
  );
});
