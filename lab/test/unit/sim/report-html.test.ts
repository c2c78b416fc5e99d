import { describe, expect, it } from 'vitest';
import { runLab } from '../../../sim/lab.js';
import { buildReport } from '../../../sim/report.js';
import { conclusion, renderHtml } from '../../../sim/report-html.js';

describe('sim-report.html', () => {
  const lab = runLab({ seed: 1 }).then((results) => ({ results, report: buildReport(1, 5, results) }));

  it('shows the comparison as an HTML table, one row per run linking to its timeline, with navigation', async () => {
    const { results, report } = await lab;
    const html = renderHtml(report, results);
    expect(html).not.toContain('<pre>');
    expect(html.match(/<tr><td class="l">/g)).toHaveLength(results.length);
    for (const r of results) expect(html).toContain(`href="#run-${r.algorithm}-${r.scenario}"`);
    for (const r of results) expect(html).toContain(`id="run-${r.algorithm}-${r.scenario}"`);
    expect(html).toMatch(/<nav>.*href="#comparison".*href="#conclusion".*href="#baton"/);
    expect(html).toMatch(/stroke-dasharray="3,2"\/><\/svg>the scenario's fault/); // the dashed lines have a legend entry
  });

  it('concludes in three sentences whose numbers are the table’s', async () => {
    const { report } = await lab;
    const text = conclusion(report);
    const row = (a: string, s: string) => report.rows.find((r) => r.algorithm === a && r.scenario === s)!.metrics;
    expect(text.split(/(?<=\.) /)).toHaveLength(3);
    const partitionSplit = ['bully', 'ring', 'raft'].map((a) => row(a, 'partition').splitBrainMs);
    expect(text).toContain(`${Math.min(...partitionSplit)}–${Math.max(...partitionSplit)} ms`);
    const pauseUnfenced = report.rows
      .filter((r) => r.scenario === 'pause')
      .reduce((s, r) => s + r.metrics.staleWritesAcceptedUnfenced, 0);
    expect(text).toContain(`accepted ${pauseUnfenced} stale writes`);
    const untokened = report.rows.filter((r) => r.algorithm === 'bully' || r.algorithm === 'ring');
    const accepted = untokened.reduce((s, r) => s + r.metrics.staleWritesAccepted, 0);
    expect(text).toContain(`${accepted} of ${accepted} from Bully and Ring`);
  });

  it('says which scenarios its conclusion could not speak about', async () => {
    const results = await runLab({ seed: 1, algorithms: ['raft'], scenarios: ['steady'] });
    expect(conclusion(buildReport(1, 5, results))).toBe(
      'The partition scenario was not run. The pause scenario was not run. No stale write reached ' +
        'the resource in these runs, so fencing had nothing to stop.',
    );
  });
});
