import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { inScratchDir, withoutStderr } from '../../support/console.js';
import { run as sim } from '../../../sim/command.js';
import { runPaper, type PaperReport } from '../../../sim/paper.js';
import { RAFT_FIGURE_16 } from '../../../sim/paper-reference.js';
import { renderPaperHtml } from '../../../sim/paper-report-html.js';

describe('The lab against the published figures', () => {
  // 200 trials per range, the least the comparison is meant for; the command runs the paper's 1000.
  const report: Promise<PaperReport> = runPaper({ trials: 200, sizes: [5, 9, 17], ringOrders: 30, fitSizes: [33] });

  it('has one Raft row per line of Figure 16, with the paper beside the lab', async () => {
    const { raftElection } = await report;
    expect(raftElection.map((r) => r.timeoutMs)).toEqual(RAFT_FIGURE_16.map((l) => l.timeoutMs));
    for (const row of raftElection) {
      const zeroRandomness = row.timeoutMs[0] === row.timeoutMs[1];
      expect(row.lab.trials).toBe(zeroRandomness ? 100 : 200);
      expect(row.lab.medianMs).toBeLessThanOrEqual(row.lab.p95Ms);
      expect(row.lab.p95Ms).toBeLessThanOrEqual(row.lab.worstMs);
      expect(row.lab.percentilesMs).toHaveLength(101);
      // No election, however lucky, beats the shortest timeout.
      expect(row.lab.percentilesMs[0]).toBeGreaterThanOrEqual(row.timeoutMs[0]);
    }
  });

  it('meets every target at 200 trials: Raft medians within 25% and worst cases within 2×, Bully within n², Ring as n log n', async () => {
    const { targets } = await report;
    expect(targets.filter((t) => t.target.startsWith('Raft'))).toHaveLength(8);
    expect(targets.filter((t) => !t.holds)).toEqual([]);
  });

  it('without randomness, elects no leader within 10 s in most trials, as the paper found', async () => {
    const [fixed] = (await report).raftElection;
    expect(fixed!.lab.censored).toBeGreaterThan(fixed!.lab.trials / 2);
  });

  it('counts Bully and single-initiator Ring messages exactly as the textbooks do', async () => {
    const { messages } = await report;
    const exact = messages.filter((m) => m.textbook !== null && m.trials === 1);
    expect(exact).toHaveLength(3 * 4);
    for (const row of exact) expect(row.lab, `${row.algorithm} n=${row.n} ${row.case}`).toBe(row.textbook);
    for (const row of messages.filter((m) => m.algorithm === 'bully'))
      expect(row.labAll).toBeLessThanOrEqual(row.n * row.n);
  });

  it('finds the Ring average over random orders within 10% of n·Hₙ', async () => {
    const { ringFit } = await report;
    for (const p of ringFit.points) expect(Math.abs(p.meanElectionMessages / p.nHn - 1), `n=${p.n}`).toBeLessThan(0.1);
  });

  it('draws, for every range, the lab curve and the paper points, on a page with no scripts or remote resources', async () => {
    const html = renderPaperHtml(await report);
    expect(html.match(/<polyline /g)).toHaveLength(RAFT_FIGURE_16.length);
    const paperPoints = RAFT_FIGURE_16.flatMap((l) => [l.medianMs, l.p95Ms, l.worstMs]).filter(
      (v) => v !== null,
    ).length;
    expect(html.match(/<circle /g)!.length).toBeGreaterThanOrEqual(paperPoints);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });
});

describe('npm run sim -- --paper', () => {
  it('writes paper-report.json and paper-report.html in the current directory', async () => {
    await inScratchDir('baton-paper-', async () => {
      expect(await sim(['--paper', '--trials', '20'])).toBe(0);
      const json = JSON.parse(await readFile('paper-report.json', 'utf8')) as PaperReport;
      expect(json.raftElection).toHaveLength(10);
      expect(json.raftElection[2]).toMatchObject({
        timeoutMs: [150, 155],
        paper: { medianMs: 287, worstMs: 2143 },
        lab: { trials: 20 },
      });
      expect(json.messages.map((m) => m.n)).toEqual(expect.arrayContaining([5, 9, 17]));
      expect(await readFile('paper-report.html', 'utf8')).toContain('<svg');
    });
  });

  it('refuses lab knobs beside --paper, with exit code 2', async () => {
    await withoutStderr(async () => {
      expect(await sim(['--paper', '--loss', '0.1'])).toBe(2);
      expect(await sim(['--paper', '--trials', '0'])).toBe(2);
    });
  });
});
