import { ALGORITHM_NAMES } from './algorithms.js';
import type { RunResult } from './lab.js';
import { SERVICE } from './network.js';
import { COLUMNS, formatValue, type LabReport, type ReportRow } from './report.js';
import { SCENARIOS } from './scenarios.js';
import type { NodeStatus, Timeline } from './timeline.js';
import { escapeHtml } from '../harness/report/escape-html.js';

const WIDTH = 960;
const LEFT = 64;
const RIGHT = 16;
const LANE = 16;
const TOP = 22;

/** The page style shared by the lab's HTML reports (the comparison and the elector studies). */
export const PAGE_STYLE = `<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:${WIDTH + 40}px}
h3{font-size:14px;margin:18px 0 2px}
p.d{margin:0 0 4px;color:#555;font-size:12px}
svg text{font:11px system-ui,sans-serif}
.legend span{display:inline-block;margin-right:14px;font-size:12px}
.legend i{display:inline-block;width:14px;height:10px;margin-right:4px;vertical-align:middle}
nav{position:sticky;top:0;background:#fff;padding:6px 0;border-bottom:1px solid #ddd;z-index:1}
nav a{margin-right:14px}
a.top{font-size:12px;font-weight:normal;margin-left:8px}
table.cmp{border-collapse:collapse;font-size:12px;width:100%}
table.cmp th,table.cmp td{border-bottom:1px solid #e3e3e3;padding:2px 6px;text-align:right}
table.cmp th{background:#f3f3f3;position:sticky;top:34px}
table.cmp td.l,table.cmp th.l{text-align:left}
table.cmp td.bad{color:#c62828;font-weight:600}
p.conclusion{max-width:${WIDTH}px}
</style>`;

/** What the timelines' colours and marks mean. */
export const LEGEND =
  `<div class="legend"><span><i style="background:hsl(210,60%,55%)"></i>believes it leads (colour ` +
  `= epoch)</span><span><i style="background:#bbb"></i>crashed</span><span><i style="background:#f2c94c"></i>paused</span><span><i ` +
  `style="background:#f8d7d7"></i>cut off from the majority</span><span><i style="background:#d33"></i>two ` +
  `or more leaders</span><span><i style="background:#d33;width:3px"></i>stale write accepted ` +
  `by the fenced resource</span><span><i style="background:#999;width:3px"></i>stale write the ` +
  `fence rejected</span><span><svg width="14" height="12" style="vertical-align:middle;margin-right:4px"><line ` +
  `x1="7" y1="0" x2="7" y2="12" stroke="#333" stroke-dasharray="3,2"/></svg>the scenario's fault ` +
  `(crash, cut, pause, isolation), aimed at the leader</span></div>`;

/**
 * `sim-report.html`: one self-contained page (inline CSS and SVG, no scripts,
 * no external resources) with the comparison table and, per algorithm, an SVG
 * timeline of every scenario: who believed it led (one colour per epoch), when
 * nodes were crashed, paused or cut off, the scenario's disruptions, the
 * intervals with two leaders, and the stale writes.
 */
export function renderHtml(report: LabReport, results: readonly RunResult[]): string {
  const algorithms = ALGORITHM_NAMES.filter((a) => results.some((r) => r.algorithm === a));
  const sections = algorithms.map((algorithm) => {
    const runs = results.filter((r) => r.algorithm === algorithm);
    return `<section id="${algorithm}"><h2>${algorithm} <a class="top" href="#top">top</a></h2>\n${runs.map(renderRun).join('\n')}</section>`;
  });
  const nav = [['comparison', 'comparison'], ['conclusion', 'conclusion'], ...algorithms.map((a) => [a, a])]
    .map(([id, label]) => `<a href="#${id}">${label}</a>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Baton election lab, seed ${report.seed}</title>
${PAGE_STYLE}</head><body id="top">
<h1>Election lab</h1>
<nav>${nav}</nav>
<p>Seed ${report.seed}, ${report.nodes} nodes, ${results[0]?.durationMs ?? 0} ms of virtual time per run. Same seed, same page. What each metric means: docs/election-lab.md.</p>
${LEGEND}
<h2 id="comparison">Comparison</h2>
${comparisonTable(report)}
<h2 id="conclusion">What the table shows</h2>
<p class="conclusion">${escapeHtml(conclusion(report))}</p>
${sections.join('\n')}
</body></html>
`;
}

/** The comparison as an HTML table; each row links to its run's timeline, and nonzero split brain and stale writes stand out. */
function comparisonTable(report: LabReport): string {
  const alarming = new Set<string>(['splitBrainMs', 'staleWritesAccepted', 'staleWritesAcceptedUnfenced']);
  const header = `<tr><th class="l">algorithm</th><th class="l">scenario</th>${COLUMNS.map((c) => `<th>${escapeHtml(c.header)}</th>`).join('')}</tr>`;
  const rows = report.rows.map((row) => {
    const cells = COLUMNS.map((c) => {
      const value = row.metrics[c.metric];
      const bad = alarming.has(c.metric) && typeof value === 'number' && value > 0;
      return `<td${bad ? ' class="bad"' : ''}>${formatValue(value)}</td>`;
    });
    return `<tr><td class="l">${row.algorithm}</td><td class="l"><a href="#${runId(row)}">${row.scenario}</a></td>${cells.join('')}</tr>`;
  });
  return `<table class="cmp">${header}\n${rows.join('\n')}</table>`;
}

function runId(run: Pick<ReportRow, 'algorithm' | 'scenario'>): string {
  return `run-${run.algorithm}-${run.scenario}`;
}

/**
 * Three sentences drawn from the table: partitions, pauses, fencing. Each
 * names the algorithms and spans the numbers it rests on, so that it stays
 * true for any seed, size or subset of runs.
 */
export function conclusion(report: LabReport): string {
  const rows = (scenario: string): ReportRow[] => report.rows.filter((r) => r.scenario === scenario);
  const span = (xs: readonly number[]): string => {
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    return lo === hi ? `${lo} ms` : `${lo}–${hi} ms`;
  };
  const names = (rs: readonly ReportRow[]): string => rs.map((r) => r.algorithm).join(', ');
  const sentences: string[] = [];

  const partition = rows('partition');
  if (partition.length === 0) sentences.push('The partition scenario was not run.');
  else {
    const split = partition.filter((r) => r.metrics.splitBrainMs > 0);
    const clean = partition.filter((r) => r.metrics.splitBrainMs === 0);
    sentences.push(
      split.length === 0
        ? `Under a partition no algorithm had two leaders (${names(clean)}).`
        : `Under a partition ${names(split)} had two nodes believing they led for ${span(split.map((r) => r.metrics.splitBrainMs))}` +
            (clean.length === 0 ? ', and no algorithm avoided it.' : `, while ${names(clean)} had none.`),
    );
  }

  const pause = rows('pause');
  if (pause.length === 0) sentences.push('The pause scenario was not run.');
  else {
    const split = pause.filter((r) => r.metrics.splitBrainMs > 0);
    const unfenced = pause.reduce((sum, r) => sum + r.metrics.staleWritesAcceptedUnfenced, 0);
    sentences.push(
      `A paused leader cannot be told it was replaced: under a pause ${split.length} of ${pause.length} algorithms had two believers` +
        (split.length === 0 ? '' : ` (${span(split.map((r) => r.metrics.splitBrainMs))})`) +
        `, and an unfenced resource accepted ${unfenced} stale ${unfenced === 1 ? 'write' : 'writes'} ` +
        `from woken leaders.`,
    );
  }

  const stale = report.rows.filter((r) => r.metrics.staleWritesAcceptedUnfenced > 0);
  const tokened = stale.filter((r) => r.algorithm !== 'bully' && r.algorithm !== 'ring');
  const untokened = stale.filter((r) => r.algorithm === 'bully' || r.algorithm === 'ring');
  const total = (rs: readonly ReportRow[], key: 'staleWritesAccepted' | 'staleWritesAcceptedUnfenced'): number =>
    rs.reduce((s, r) => s + r.metrics[key], 0);
  if (stale.length === 0)
    sentences.push('No stale write reached the resource in these runs, so fencing had nothing to stop.');
  else {
    const parts: string[] = [];
    if (tokened.length > 0) {
      parts.push(
        `the fence let through ${total(tokened, 'staleWritesAccepted')} of the ${total(tokened, 'staleWritesAcceptedUnfenced')} ` +
          `stale writes from algorithms whose writes carry a token`,
      );
    }
    if (untokened.length > 0) {
      parts.push(
        `${total(untokened, 'staleWritesAccepted')} of ${total(untokened, 'staleWritesAcceptedUnfenced')} ` +
          `from Bully and Ring, which have no token to check`,
      );
    }
    sentences.push(`Fencing is what saves the data: ${parts.join(', but ')}.`);
  }
  return sentences.join(' ');
}

function renderRun(run: RunResult): string {
  const m = run.metrics;
  const summary =
    `first leader ${m.timeToFirstLeaderMs ?? '-'} ms · failover ${m.failoverMs ?? '-'} ms · split ` +
    `brain ${m.splitBrainMs} ms · stale writes accepted ${m.staleWritesAccepted} fenced / ${m.staleWritesAcceptedUnfenced} ` +
    `unfenced · ${m.messages} messages`;
  return `<h3 id="${runId(run)}">${run.algorithm} · ${run.scenario} <a class="top" href="#comparison">table</a></h3><p class="d">${escapeHtml(SCENARIOS[run.scenario].description)}<br>${escapeHtml(summary)}</p>
${timelineSvg(run.timeline, run.cluster.nodeIds, run.durationMs)}`;
}

/** One run's timeline as an SVG: a lane per node, tenures coloured by epoch, faults, overlaps and stale writes (see `LEGEND`). */
export function timelineSvg(timeline: Timeline, nodes: readonly number[], durationMs: number): string {
  const height = TOP + nodes.length * LANE + 18;
  const x = (t: number): number => LEFT + ((WIDTH - LEFT - RIGHT) * Math.min(t, durationMs)) / durationMs;
  const laneY = (node: number): number => TOP + (node - 1) * LANE;
  const parts: string[] = [];

  for (const node of nodes) {
    parts.push(`<text x="4" y="${fmt(laneY(node) + 11)}">node ${node}</text>`);
    parts.push(
      `<rect x="${fmt(LEFT)}" y="${fmt(laneY(node) + 1)}" width="${fmt(WIDTH - LEFT - RIGHT)}" height="${LANE - 2}" ` +
        `fill="#f7f7f7"/>`,
    );
  }
  for (const span of isolationSpans(timeline, nodes, durationMs)) {
    parts.push(
      rect(
        x(span.start),
        laneY(span.node) + 1,
        x(span.end) - x(span.start),
        LANE - 2,
        '#f8d7d7',
        `node ${span.node} cut off`,
      ),
    );
  }
  for (const span of statusSpans(timeline, nodes, durationMs)) {
    if (span.status === 'up') continue;
    const colour = span.status === 'crashed' ? '#bbb' : '#f2c94c';
    parts.push(
      rect(
        x(span.start),
        laneY(span.node) + 1,
        x(span.end) - x(span.start),
        LANE - 2,
        colour,
        `node ${span.node} ${span.status}`,
      ),
    );
  }
  for (const t of timeline.tenures) {
    const end = t.end ?? durationMs;
    const hue = (t.epoch * 67) % 360;
    const label = `node ${t.node} leads, epoch ${t.epoch}${t.token === undefined ? ', no token' : `, token ${t.token}`}: ${fmt(t.start)}–${fmt(end)} ms`;
    parts.push(
      rect(x(t.start), laneY(t.node) + 4, Math.max(1, x(end) - x(t.start)), LANE - 8, `hsl(${hue},60%,55%)`, label),
    );
  }
  for (const w of timeline.writes) {
    if (!w.stale) continue;
    const colour = w.fencedAccepted ? '#d33' : '#999';
    const y = laneY(w.node);
    const title = `stale write from node ${w.node} (epoch ${w.epoch}) at ${fmt(w.time)} ms: fenced resource ${w.fencedAccepted ? 'accepted' : 'rejected'}`;
    parts.push(
      `<line x1="${fmt(x(w.time))}" x2="${fmt(x(w.time))}" y1="${fmt(y + 1)}" y2="${fmt(y + LANE - 1)}" ` +
        `stroke="${colour}" stroke-width="1.5"><title>${escapeHtml(title)}</title></line>`,
    );
  }
  for (const span of splitBrainSpans(timeline, durationMs)) {
    parts.push(
      rect(
        x(span.start),
        TOP - 6,
        Math.max(1, x(span.end) - x(span.start)),
        4,
        '#d33',
        `${span.count} leaders ${fmt(span.start)}–${fmt(span.end)} ms`,
      ),
    );
  }
  for (const d of timeline.disruptions) {
    parts.push(
      `<line x1="${fmt(x(d.time))}" x2="${fmt(x(d.time))}" y1="${TOP - 8}" y2="${fmt(TOP + nodes.length * LANE)}" stroke="#333" stroke-dasharray="3,2"><title>${escapeHtml(`${fmt(d.time)} ms: ${d.kind}${d.node === undefined ? '' : ` (node ${d.node})`}`)}</title></line>`,
    );
  }
  const axisY = TOP + nodes.length * LANE + 12;
  for (let t = 0; t <= durationMs; t += 5000) {
    parts.push(`<text x="${fmt(x(t) - 8)}" y="${fmt(axisY)}" fill="#666">${t / 1000}s</text>`);
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ` +
    `${height}">${parts.join('')}</svg>`
  );
}

interface Span {
  readonly node: number;
  readonly start: number;
  readonly end: number;
}

function statusSpans(timeline: Timeline, nodes: readonly number[], endMs: number): (Span & { status: NodeStatus })[] {
  const spans: (Span & { status: NodeStatus })[] = [];
  for (const node of nodes) {
    const changes = timeline.statuses.filter((s) => s.node === node);
    changes.forEach((c, i) =>
      spans.push({ node, status: c.status, start: c.time, end: changes[i + 1]?.time ?? endMs }),
    );
  }
  return spans;
}

function isolationSpans(timeline: Timeline, nodes: readonly number[], endMs: number): Span[] {
  const spans: Span[] = [];
  const cut = (groups: Readonly<Record<string, number>>, node: number): boolean =>
    (groups[String(node)] ?? 0) !== (groups[String(SERVICE)] ?? 0);
  timeline.partitions.forEach((p, i) => {
    const end = timeline.partitions[i + 1]?.time ?? endMs;
    for (const node of nodes) if (cut(p.groups, node)) spans.push({ node, start: p.time, end });
  });
  return spans;
}

function splitBrainSpans(timeline: Timeline, endMs: number): { start: number; end: number; count: number }[] {
  const edges = timeline.tenures.flatMap((t) => [
    { time: t.start, delta: 1 },
    { time: t.end ?? endMs, delta: -1 },
  ]);
  edges.sort((a, b) => a.time - b.time || a.delta - b.delta);
  const spans: { start: number; end: number; count: number }[] = [];
  let count = 0;
  let since = 0;
  for (const e of edges) {
    if (count >= 2 && e.time > since) spans.push({ start: since, end: e.time, count });
    count += e.delta;
    since = e.time;
  }
  return spans;
}

function rect(x: number, y: number, w: number, h: number, fill: string, title: string): string {
  return `<rect x="${fmt(x)}" y="${fmt(y)}" width="${fmt(Math.max(0, w))}" height="${fmt(h)}" fill="${fill}"><title>${escapeHtml(title)}</title></rect>`;
}

function fmt(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}
