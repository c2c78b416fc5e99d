import { ALGORITHM_NAMES } from './algorithms.js';
import type { RunResult } from './lab.js';
import { SERVICE } from './network.js';
import { formatTable, type LabReport } from './report.js';
import { SCENARIOS } from './scenarios.js';
import type { NodeStatus, Timeline } from './timeline.js';
import { escapeHtml } from '../report/escape-html.js';

const WIDTH = 960;
const LEFT = 64;
const RIGHT = 16;
const LANE = 16;
const TOP = 22;

/**
 * `sim-report.html`: one self-contained page (inline CSS and SVG, no scripts,
 * no external resources) with the comparison table and, per algorithm, an SVG
 * timeline of every scenario: who believed it led (one colour per epoch), when
 * nodes were crashed, paused or cut off, the scenario's disruptions, the
 * intervals with two leaders, and the stale writes.
 */
export function renderHtml(report: LabReport, results: readonly RunResult[]): string {
  const sections = ALGORITHM_NAMES.filter((a) => results.some((r) => r.algorithm === a)).map((algorithm) => {
    const runs = results.filter((r) => r.algorithm === algorithm);
    return `<section><h2>${algorithm}</h2>\n${runs.map(renderRun).join('\n')}</section>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Baton election lab, seed ${report.seed}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:${WIDTH + 40}px}
pre{font-size:12px;overflow-x:auto;background:#f6f6f6;padding:8px}
h3{font-size:14px;margin:18px 0 2px}
p.d{margin:0 0 4px;color:#555;font-size:12px}
svg text{font:11px system-ui,sans-serif}
.legend span{display:inline-block;margin-right:14px;font-size:12px}
.legend i{display:inline-block;width:14px;height:10px;margin-right:4px;vertical-align:middle}
</style></head><body>
<h1>Election lab</h1>
<p>Seed ${report.seed}, ${report.nodes} nodes, ${results[0]?.durationMs ?? 0} ms of virtual time per run. Same seed, same page.</p>
<div class="legend"><span><i style="background:hsl(210,60%,55%)"></i>believes it leads (colour = epoch)</span><span><i style="background:#bbb"></i>crashed</span><span><i style="background:#f2c94c"></i>paused</span><span><i style="background:#f8d7d7"></i>cut off from the majority</span><span><i style="background:#d33"></i>two or more leaders</span><span><i style="background:#d33;width:3px"></i>stale write accepted by the fenced resource</span><span><i style="background:#999;width:3px"></i>stale write the fence rejected</span></div>
<h2>Comparison</h2>
<pre>${escapeHtml(formatTable(report))}</pre>
${sections.join('\n')}
</body></html>
`;
}

function renderRun(run: RunResult): string {
  const { timeline, durationMs } = run;
  const nodes = run.cluster.nodeIds;
  const height = TOP + nodes.length * LANE + 18;
  const x = (t: number): number => LEFT + ((WIDTH - LEFT - RIGHT) * Math.min(t, durationMs)) / durationMs;
  const laneY = (node: number): number => TOP + (node - 1) * LANE;
  const parts: string[] = [];

  for (const node of nodes) {
    parts.push(`<text x="4" y="${fmt(laneY(node) + 11)}">node ${node}</text>`);
    parts.push(`<rect x="${fmt(LEFT)}" y="${fmt(laneY(node) + 1)}" width="${fmt(WIDTH - LEFT - RIGHT)}" height="${LANE - 2}" fill="#f7f7f7"/>`);
  }
  for (const span of isolationSpans(timeline, nodes, durationMs)) {
    parts.push(rect(x(span.start), laneY(span.node) + 1, x(span.end) - x(span.start), LANE - 2, '#f8d7d7', `node ${span.node} cut off`));
  }
  for (const span of statusSpans(timeline, nodes, durationMs)) {
    if (span.status === 'up') continue;
    const colour = span.status === 'crashed' ? '#bbb' : '#f2c94c';
    parts.push(rect(x(span.start), laneY(span.node) + 1, x(span.end) - x(span.start), LANE - 2, colour, `node ${span.node} ${span.status}`));
  }
  for (const t of timeline.tenures) {
    const end = t.end ?? durationMs;
    const hue = (t.epoch * 67) % 360;
    const label = `node ${t.node} leads, epoch ${t.epoch}${t.token === undefined ? ', no token' : `, token ${t.token}`}: ${fmt(t.start)}–${fmt(end)} ms`;
    parts.push(rect(x(t.start), laneY(t.node) + 4, Math.max(1, x(end) - x(t.start)), LANE - 8, `hsl(${hue},60%,55%)`, label));
  }
  for (const w of timeline.writes) {
    if (!w.stale) continue;
    const colour = w.fencedAccepted ? '#d33' : '#999';
    const y = laneY(w.node);
    const title = `stale write from node ${w.node} (epoch ${w.epoch}) at ${fmt(w.time)} ms: fenced resource ${w.fencedAccepted ? 'accepted' : 'rejected'}`;
    parts.push(`<line x1="${fmt(x(w.time))}" x2="${fmt(x(w.time))}" y1="${fmt(y + 1)}" y2="${fmt(y + LANE - 1)}" stroke="${colour}" stroke-width="1.5"><title>${escapeHtml(title)}</title></line>`);
  }
  for (const span of splitBrainSpans(timeline, durationMs)) {
    parts.push(rect(x(span.start), TOP - 6, Math.max(1, x(span.end) - x(span.start)), 4, '#d33', `${span.count} leaders ${fmt(span.start)}–${fmt(span.end)} ms`));
  }
  for (const d of timeline.disruptions) {
    parts.push(`<line x1="${fmt(x(d.time))}" x2="${fmt(x(d.time))}" y1="${TOP - 8}" y2="${fmt(TOP + nodes.length * LANE)}" stroke="#333" stroke-dasharray="3,2"><title>${escapeHtml(`${fmt(d.time)} ms: ${d.kind}${d.node === undefined ? '' : ` (node ${d.node})`}`)}</title></line>`);
  }
  const axisY = TOP + nodes.length * LANE + 12;
  for (let t = 0; t <= durationMs; t += 5000) {
    parts.push(`<text x="${fmt(x(t) - 8)}" y="${fmt(axisY)}" fill="#666">${t / 1000}s</text>`);
  }
  const m = run.metrics;
  const summary = `first leader ${m.timeToFirstLeaderMs ?? '-'} ms · failover ${m.failoverMs ?? '-'} ms · split brain ${m.splitBrainMs} ms · stale writes accepted ${m.staleWritesAccepted} fenced / ${m.staleWritesAcceptedUnfenced} unfenced · ${m.messages} messages`;
  return `<h3>${run.algorithm} · ${run.scenario}</h3><p class="d">${escapeHtml(SCENARIOS[run.scenario].description)}<br>${escapeHtml(summary)}</p>
<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}">${parts.join('')}</svg>`;
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
    changes.forEach((c, i) => spans.push({ node, status: c.status, start: c.time, end: changes[i + 1]?.time ?? endMs }));
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

