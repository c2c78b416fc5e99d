import { benchVerdict, environmentLine, formatNumber, withUnit } from './report-rows.js';
import { RATIOS } from './ratios.js';
import { FIGURES, type FigureName } from './result.js';
import type { BenchReport } from './run-bench.js';
import { escapeHtml } from '../harness/report/escape-html.js';
import { svgBarChart } from './svg-bar-chart.js';
import { growthFigures } from './report-growth-html.js';

/** What each figure measures, under its chart. */
const CAPTIONS: Readonly<Record<FigureName, string>> = {
  'requests.acquireWin':
    'DynamoDB requests of one acquire that wins a free lease (counted on the wire, retries included). Lower is better.',
  'requests.acquireLoss': 'Requests of one attempt that loses to a live holder. Lower is better.',
  'requests.renew': 'Requests of one renewal (a call, or one background heartbeat). Lower is better.',
  'requests.release': 'Requests of one release. Lower is better.',
  'latency.acquire.p50Ms': 'Median time of an uncontended acquire. Lower is better.',
  'latency.acquire.p99Ms': '99th percentile of an uncontended acquire. Lower is better.',
  'contention.winners': 'Contenders that got the lease when all raced for it at once. Must be 1.',
  'contention.requests': 'Requests all contenders sent until each had its answer. Lower is better.',
  'contention.allAnsweredMs': 'Time until the last contender had its answer. Lower is better.',
  'failover.ms':
    'Time from the holder stopping (right after a renewal) until another holds the lease. Lower is better.',
  'failover.electMs':
    "The same with elect's own waiting (wall-clock): it reads while the expiry is far and writes " +
    'at the takeover point. Lower is better.',
  'failover.electBeforeMs':
    'The same, in the same trial, with a waiter that writes every poll (the rule before waiters ' +
    'read). Compare failover.electMs.',
  'failover.clockFreeMs':
    'The same with clock-free electors: the waiter watches the silent version for a whole lease ' +
    'on its own clock. Lower is better.',
  'failover.clockFreeBeforeMs':
    'The same, in the same trial, with a clock-free waiter that writes every poll. Compare failover.clockFreeMs.',
  'handoff.ms':
    'From a higher-priority elector starting until it leads (the holder hands over at its next ' +
    'renew). Lower is better.',
  'gracefulStop.ms': 'From the leading elector being stopped until the waiting one leads. Lower is better.',
  'throughput.renewsPerS': 'Renewals per second of 1,000 held leases by 8 concurrent workers. Higher is better.',
  'ratio.latencyP50VsRaw': 'Acquire p50 over the bare UpdateItem p50 of the same run. 1 is the floor.',
  'ratio.latencyP99VsRaw': 'Acquire p99 over the bare UpdateItem p99 of the same run.',
  'ratio.contentionVsRawP99': "Time until all contenders answered, in units of a single request's p99.",
  'ratio.throughputVsRaw': 'Renew throughput over bare UpdateItem throughput of the same run. Higher is better.',
};

/**
 * Why raw's own bar on a ratio chart is not 1, when it is not: the ratio
 * divides a different figure of raw by raw's, so raw's bar is a measurement.
 */
function rawRatioNote(figure: FigureName, rawValue: number | null): string | undefined {
  const ratio = RATIOS.find((r) => r.figure === figure);
  if (ratio === undefined || ratio.of === ratio.over || rawValue === null || rawValue === 1) return undefined;
  return (
    `not 1, because this chart divides each system's ${ratio.of} by raw's ${ratio.over}: raw's ` +
    `bar is its own ${ratio.of} in units of its ${ratio.over}.`
  );
}

/** `bench-report.html`: the targets, then one SVG bar chart per figure; self-contained. */
export function htmlReport(report: BenchReport): string {
  const charts = (Object.keys(FIGURES) as FigureName[]).map((figure) => {
    const bars = report.params.systems.map((system) => {
      const r = report.results.find((x) => x.system === system && x.figure === figure);
      return {
        label: system,
        value: r?.value ?? null,
        ...(r?.note ? { note: r.note } : {}),
        accent: system === 'baton',
      };
    });
    const notes = bars
      .filter((b) => b.note)
      .map((b) => `<li><b>${escapeHtml(b.label)}</b>: ${escapeHtml(b.note!)}</li>`);
    const rawNote = rawRatioNote(figure, bars.find((b) => b.label === 'raw')?.value ?? null);
    if (rawNote) notes.push(`<li><b>raw</b>: ${escapeHtml(rawNote)}</li>`);
    return [
      '<figure>',
      svgBarChart(figure, FIGURES[figure], bars, formatNumber),
      `<figcaption>${escapeHtml(CAPTIONS[figure])}${notes.length ? `<ul>${notes.join('')}</ul>` : ''}</figcaption>`,
      '</figure>',
    ].join('\n');
  });
  const targets = report.targets.map(
    (t) =>
      `<tr class="${t.met === null ? 'na' : t.met ? 'pass' : 'miss'}"><td>${t.met === null ? 'n/a' : t.met ? 'PASS' : 'MISS'}</td>` +
      `<td>${escapeHtml(t.target)}</td><td>${escapeHtml(withUnit(t.value, t.unit))}</td>` +
      `<td>${escapeHtml(withUnit(t.bound, t.unit))}</td><td>${escapeHtml(t.basis)}</td></tr>`,
  );
  const verdict = benchVerdict(report);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Baton bench</title>
<style>
  body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem; color: #1d2330; max-width: 1240px; }
  h1 { font-size: 1.4rem; margin-bottom: .2rem; }
  .env { color: #556; margin-top: 0; }
  table { border-collapse: collapse; margin: 1rem 0 2rem; }
  td, th { border-bottom: 1px solid #dde; padding: .35rem .6rem; text-align: left; vertical-align: top; }
  tr.pass td:first-child { color: #17803d; font-weight: 600; }
  tr.miss td:first-child { color: #b42318; font-weight: 600; }
  .verdict { font-weight: 600; padding: .4rem .7rem; border-radius: 4px; display: inline-block; }
  .verdict.pass { background: #e3f4e8; color: #17803d; } .verdict.miss { background: #fdecea; color: #b42318; }
  .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(580px, 1fr)); gap: 1.5rem 2rem; }
  figure { margin: 0; }
  figcaption { color: #445; font-size: 12.5px; max-width: 560px; }
  figcaption ul { margin: .3rem 0 0; padding-left: 1.1rem; }
  svg .title { font-weight: 600; font-size: 13px; fill: #1d2330; }
  svg .unit { font-weight: 400; fill: #667; }
  svg .label, svg .value, svg .na { font-size: 12px; fill: #334; }
  svg .na { fill: #889; font-style: italic; }
  svg .bar { fill: #8c9bb5; }
  svg .bar.accent { fill: #2f6fde; }
  svg .axis { stroke: #889; }
  svg .grid { stroke: #e4e7ee; }
  svg .tick { font-size: 11px; fill: #556; }
</style>
</head>
<body>
<h1>Baton and the DynamoDB lock libraries, side by side</h1>
<p class="env">${escapeHtml(environmentLine(report))}</p>
<h2>Baton against its targets</h2>
<p class="verdict ${verdict.ok ? 'pass' : 'miss'}">${escapeHtml(verdict.line)}</p>
<table>
<tr><th></th><th>target</th><th>measured</th><th>bound</th><th>basis</th></tr>
${targets.join('\n')}
</table>
<h2>Figures</h2>
<p>Bars marked * carry a note (hover, or read below the chart). Every system ran against the same DynamoDB Local in the same run; the parameters and each library's settings are in bench-report.json.</p>
<div class="charts">
${charts.join('\n')}
</div>
<h2>How cost grows</h2>
${report.growth.soak ? '' : '<p>No soak in this run: <code>npm run bench -- --soak</code> adds 30 minutes of one leader renewing.</p>'}
<div class="charts">
${growthFigures(report).join('\n')}
</div>
</body>
</html>
`;
}
