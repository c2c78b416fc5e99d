import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alive, runLab } from '../../../test/support/cli.js';
import type { RunRecord } from '../../demo/records.js';
import type { DemoReport } from '../../demo/report-json.js';

const cwd = mkdtempSync(join(tmpdir(), 'baton-demo-e2e-'));

afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('baton demo', () => {
  it('runs 3 workers for 8 s against DynamoDB Local and writes a passing report', { timeout: 90_000 }, async () => {
    const { code, output } = await runLab(['demo', '--duration', '8', '--workers', '3'], cwd);
    expect(code, output).toBe(0);

    const report = JSON.parse(readFileSync(join(cwd, 'demo-report.json'), 'utf8')) as DemoReport;
    for (const field of [
      'ticks',
      'ticksRun',
      'duplicateTicksRun',
      'duplicateDeliveries',
      'takeovers',
      'kills',
      'pauses',
      'staleWritesRejected',
      'staleWritesAccepted',
      'tokenRegressions',
    ] as const) {
      expect(typeof report[field], field).toBe('number');
    }
    expect(report, `seed ${report.run.seed}`).toMatchObject({
      duplicateTicksRun: 0,
      staleWritesAccepted: 0,
      tokenRegressions: 0,
      ok: true,
    });
    expect(report.ticks).toBeGreaterThanOrEqual(8);
    expect(report.ticksRun).toBeGreaterThan(0);
    expect(report.measurements.follower.requests.max).toBe(1);
    // Every tick that ran completed the ledger job's two steps, each run or replayed.
    expect(report.steps.run + report.steps.replayed).toBeGreaterThanOrEqual(2 * report.ticksRun);
    expect(output).toMatch(/Steps: \d+ steps? run, \d+ replayed/);

    const html = readFileSync(join(cwd, 'demo-report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(output).toContain('All checks passed.');

    // Every process it started is gone: the workers (the run log has their pids) and DynamoDB Local.
    const runLog = readFileSync(join(cwd, '.baton', 'demo', 'run.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as RunRecord);
    const pids = runLog.flatMap((r) => (r.type === 'spawn' ? [r.pid] : []));
    expect(pids.length).toBeGreaterThanOrEqual(3);
    expect(pids.filter(alive)).toEqual([]);
    expect(existsSync(join(cwd, '.baton', 'demo', 'w1.log'))).toBe(true);
  });
});
