import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { inScratchDir, withoutStderr } from '../../support/console.js';
import { run as sim } from '../../../sim/command.js';
import { runLab, type LabOptions } from '../../../sim/lab.js';
import { buildReport, serializeReport } from '../../../sim/report.js';
import { renderHtml } from '../../../sim/report-html.js';

async function reportFor(seed: number, options: Omit<LabOptions, 'seed'> = {}) {
  const results = await runLab({ seed, ...options });
  const report = buildReport(seed, 5, results);
  return { json: serializeReport(report), html: renderHtml(report, results) };
}

describe('Election lab determinism', () => {
  const seed42 = reportFor(42);

  it('gives byte-identical JSON and HTML reports for the same seed', async () => {
    // Act
    const first = await seed42;
    const second = await reportFor(42);

    // Assert
    expect(second.json).toBe(first.json);
    expect(second.html).toBe(first.html);
  });

  it('gives a different run for a different seed', async () => {
    const subset = { algorithms: ['raft', 'baton'], scenarios: ['leader-crash'] } as const;
    const [a, b] = [await reportFor(1, subset), await reportFor(2, subset)];
    expect(a.json).not.toBe(b.json);
  });

  it('reports every algorithm and scenario, with no wall-clock time in the files', async () => {
    // Arrange
    const { json, html } = await seed42;
    const report = JSON.parse(json) as {
      seed: number;
      rows: { algorithm: string; scenario: string; metrics: Record<string, unknown> }[];
    };

    // Assert
    expect(report.seed).toBe(42);
    expect(new Set(report.rows.map((r) => r.algorithm))).toEqual(
      new Set(['bully', 'ring', 'raft', 'paxos', 'zookeeper', 'baton']),
    );
    expect(report.rows).toHaveLength(36);
    for (const row of report.rows) {
      expect(Object.keys(row.metrics)).toEqual(
        expect.arrayContaining([
          'timeToFirstLeaderMs',
          'failoverMs',
          'messages',
          'noLeaderMs',
          'splitBrainMs',
          'staleWritesAccepted',
          'staleWritesAcceptedUnfenced',
        ]),
      );
    }
    const thisYear = String(new Date().getUTCFullYear());
    expect(json).not.toContain(thisYear);
    expect(html).not.toContain(thisYear);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/); // self-contained
  });
});

describe('baton sim', () => {
  it('writes sim-report.json and sim-report.html in the current directory, the same bytes for the same seed', async () => {
    await inScratchDir('baton-sim-', async () => {
      // Act
      const codes = [await sim(['--algo', 'raft,baton', '--scenario', 'partition', '--seed', '5', '--nodes', '5'])];
      const first = await readFile('sim-report.json', 'utf8');
      codes.push(await sim(['--algo', 'baton,raft', '--scenario', 'partition', '--seed', '5']));
      const second = await readFile('sim-report.json', 'utf8');

      // Assert
      expect(codes).toEqual([0, 0]);
      expect(second).toBe(first);
      const report = JSON.parse(first) as { seed: number; rows: { algorithm: string; scenario: string }[] };
      expect(report.seed).toBe(5);
      expect(report.rows.map((r) => `${r.algorithm}/${r.scenario}`)).toEqual(['raft/partition', 'baton/partition']);
      expect(await readFile('sim-report.html', 'utf8')).toContain('<svg');
    });
  });

  it('rejects unknown algorithms and bad numbers with exit code 2', async () => {
    await withoutStderr(async () => {
      expect(await sim(['--algo', 'paxos,quorum'])).toBe(2);
      expect(await sim(['--seed', '-3'])).toBe(2);
      expect(await sim(['--nodes', '2'])).toBe(2);
      expect(await sim(['--frobnicate'])).toBe(2);
    });
  });
});
