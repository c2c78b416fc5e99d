import { escapeHtml } from '../harness/report/escape-html.js';
import type { MessageRow } from './message-count.js';
import type { PaperReport, RaftElectionRow } from './paper.js';

const CHART_W = 250;
const CHART_H = 170;
const PAD = { left: 34, right: 10, top: 18, bottom: 26 };

/**
 * `paper-report.html`: the lab beside published figures, on one
 * self-contained page (inline CSS and SVG, no scripts). For each timeout range
 * of the Raft paper's Figure 16, the lab's cumulative distribution is drawn as
 * a line and the paper's median, 95th percentile and worst case as points.
 */
export function renderPaperHtml(report: PaperReport): string {
  const held = report.targets.filter((t) => t.holds).length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Election lab against the published figures</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;color:#222;max-width:1300px;padding:0 16px}
table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}
th,td{border-bottom:1px solid #ddd;padding:3px 8px;text-align:right;vertical-align:top}
th{background:#f3f3f3}
td.l,th.l{text-align:left}
.ok{color:#1a7f37}.miss{color:#c62828;font-weight:600}
.charts{display:flex;flex-wrap:wrap;gap:12px}
.chart{border:1px solid #e3e3e3;padding:4px}
svg text{font:10px system-ui,sans-serif}
.legend span{display:inline-block;margin-right:16px;font-size:12px}
nav a{margin-right:14px}
p.note{color:#555;font-size:13px;max-width:900px}
</style></head><body>
<h1>Election lab against the published figures</h1>
<nav><a href="#raft">Raft election time</a><a href="#messages">Bully and Ring messages</a><a href="#targets">Targets</a><a href="#sources">Sources</a></nav>
<p>Written by <code>${escapeHtml(report.command)}</code>. ${held} of ${report.targets.length} targets hold. Same code, same page: nothing here depends on the wall clock.</p>
<h2 id="raft">Raft: time from the leader's crash to a new leader everyone has heard</h2>
${setupParagraph(report)}
${raftTable(report.raftElection)}
<div class="legend"><span><svg width="22" height="10"><line x1="0" y1="5" x2="22" y2="5" stroke="#1f5fa8" stroke-width="2"/></svg> lab, cumulative share of trials</span><span><svg width="12" height="10"><circle cx="6" cy="5" r="4" fill="#d9480f"/></svg> paper: median, 95th percentile, worst</span><span><svg width="22" height="10"><line x1="0" y1="5" x2="22" y2="5" stroke="#999" stroke-dasharray="3,2"/></svg> the lab's 10 s cap</span></div>
<div class="charts">${report.raftElection.map(cdfChart).join('\n')}</div>
<p class="note">Where the lab differs: it runs Raft's election without logs, so every candidate can win, where the paper's servers had logs of different lengths and some could not; its one-way latency is log-normal with no queueing or CPU time; and it measures until the last surviving follower has heard the new leader, one more message than the election itself. Ranges with less than 5 ms of randomness (150–150, 150–151) are not targets: there the outcome hangs on how many split votes in a row the network's jitter allows, which the paper only bounds ("longer than 10 seconds").</p>
<h2 id="messages">Bully and Ring: messages per election</h2>
<p class="note">Channels are reliable here (no loss), as the textbook analyses assume; the crashed leader is node n, and heartbeats are not counted. "lab, all" adds what the textbooks leave out: Bully's Answers, the Ring's per-hop acknowledgements and resends, and sends to the crashed node.</p>
${messagesTable(report.messages)}
${ringFitTable(report)}
<h2 id="targets">Targets</h2>
<table><tr><th class="l">target</th><th class="l">holds</th><th class="l">measured</th></tr>
${report.targets.map((t) => `<tr><td class="l">${escapeHtml(t.target)}</td><td class="l ${t.holds ? 'ok' : 'miss'}">${t.holds ? 'yes' : 'no'}</td><td class="l">${escapeHtml(t.detail)}</td></tr>`).join('\n')}
</table>
<h2 id="sources">Sources</h2>
<ul>${report.sources.map((s) => `<li><b>${escapeHtml(s.id)}</b>: ${escapeHtml(s.citation)}</li>`).join('')}</ul>
</body></html>
`;
}

function setupParagraph(report: PaperReport): string {
  const s = report.raftSetup;
  const latency =
    s.latency.kind === 'lognormal'
      ? `log-normal one-way latency (${s.latency.minMs.toFixed(1)} ms floor, median ${(s.latency.minMs + s.latency.medianMs).toFixed(1)} ` +
        `ms, σ ${s.latency.sigma}, tail capped at ${s.latency.maxMs} ms)`
      : JSON.stringify(s.latency);
  return (
    `<p class="note">${s.nodes} servers; ${escapeHtml(latency)} and a ${s.persistMs} ms disk sync ` +
    `before each vote reply: a broadcast time of ${s.broadcastMs.lab} ms (the paper: about ${s.broadcastMs.paper} ` +
    `ms). Heartbeat: ${escapeHtml(s.heartbeat)}. Crash: ${escapeHtml(s.crash)}. Measured ${escapeHtml(s.measured)}; ` +
    `a trial without one after ${s.capMs / 1000} s is cut off there.</p>`
  );
}

const range = (r: RaftElectionRow): string => `${r.timeoutMs[0]}–${r.timeoutMs[1]}`;
const ms = (v: number | null): string => (v === null ? '–' : String(v));

function raftTable(rows: readonly RaftElectionRow[]): string {
  const body = rows.map((r) => {
    const capped = r.lab.censored > 0 ? ` (${r.lab.censored} cut off at the cap)` : '';
    return (
      `<tr><td class="l">${range(r)} ms</td><td>${ms(r.paper.medianMs)}</td><td>${ms(r.paper.p95Ms)}</td><td>${ms(r.paper.worstMs)}</td><td>${r.lab.medianMs}</td><td>${r.lab.p95Ms}</td><td>${r.lab.worstMs}</td><td>${r.lab.trials}${escapeHtml(capped)}</td><td ` +
      `class="l">${escapeHtml(r.paper.note)}</td></tr>`
    );
  });
  return `<table><tr><th class="l" rowspan="2">election timeout</th><th colspan="3">paper, ms</th><th colspan="3">lab, ms</th><th rowspan="2">lab trials</th><th class="l" rowspan="2">paper's figures</th></tr>
<tr><th>median</th><th>p95</th><th>worst</th><th>median</th><th>p95</th><th>worst</th></tr>
${body.join('\n')}</table>`;
}

function cdfChart(row: RaftElectionRow): string {
  const points = [row.paper.medianMs, row.paper.p95Ms, row.paper.worstMs];
  const maxMs = niceCeil(Math.max(row.lab.worstMs, ...points.map((p) => p ?? 0)));
  const plotW = CHART_W - PAD.left - PAD.right;
  const plotH = CHART_H - PAD.top - PAD.bottom;
  const x = (v: number): number => PAD.left + (plotW * Math.min(v, maxMs)) / maxMs;
  const y = (share: number): number => PAD.top + plotH * (1 - share);
  const parts: string[] = [];
  for (const share of [0, 0.5, 1]) {
    parts.push(
      `<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${f(y(share))}" y2="${f(y(share))}" stroke="#eee"/>`,
    );
    parts.push(`<text x="${PAD.left - 4}" y="${f(y(share) + 3)}" text-anchor="end">${share * 100}%</text>`);
  }
  const anchors = ['start', 'middle', 'end'];
  [0, maxMs / 2, maxMs].forEach((tick, i) => {
    parts.push(`<text x="${f(x(tick))}" y="${CHART_H - 12}" text-anchor="${anchors[i]}">${tick}</text>`);
  });
  parts.push(
    `<text x="${PAD.left + plotW / 2}" y="${CHART_H - 2}" text-anchor="middle" fill="#666">ms after the crash</text>`,
  );
  const steps = row.lab.percentilesMs.map((v, p) => `${f(x(v))},${f(y(p / 100))}`).join(' ');
  parts.push(`<polyline points="${steps}" fill="none" stroke="#1f5fa8" stroke-width="2"/>`);
  if (row.lab.censored > 0)
    parts.push(
      `<line x1="${f(x(maxMs))}" x2="${f(x(maxMs))}" y1="${PAD.top}" y2="${PAD.top + plotH}" stroke="#999" ` +
        `stroke-dasharray="3,2"/>`,
    );
  const shares = [0.5, 0.95, 1];
  points.forEach((p, i) => {
    if (p === null) return;
    parts.push(
      `<circle cx="${f(x(p))}" cy="${f(y(shares[i] as number))}" r="4" fill="#d9480f"><title>paper ` +
        `${['median', 'p95', 'worst'][i]}: ${p} ms</title></circle>`,
    );
  });
  const title = `${range(row)} ms`;
  return (
    `<div class="chart"><svg xmlns="http://www.w3.org/2000/svg" width="${CHART_W}" height="${CHART_H}" ` +
    `viewBox="0 0 ${CHART_W} ${CHART_H}"><text x="${PAD.left}" y="11" font-weight="600">${title}</text>${parts.join('')}</svg></div>`
  );
}

function messagesTable(rows: readonly MessageRow[]): string {
  const body = rows.map(
    (r) =>
      `<tr><td class="l">${r.algorithm}</td><td>${r.n}</td><td class="l">${escapeHtml(r.case)}</td><td ` +
      `class="l">${escapeHtml(r.counted)}</td><td>${r.textbook ?? '–'}</td><td class="l">${escapeHtml(r.formula)}</td><td>${r.lab}</td><td>${r.labAll}</td><td>${r.algorithm === 'bully' ? r.n * r.n : ''}</td></tr>`,
  );
  return `<table><tr><th class="l">algorithm</th><th>n</th><th class="l">case</th><th class="l">counted</th><th>textbook</th><th class="l">formula</th><th>lab</th><th>lab, all</th><th>n²</th></tr>
${body.join('\n')}</table>`;
}

function ringFitTable(report: PaperReport): string {
  const fit = report.ringFit;
  return `<p class="note">Ring with every node starting at boot, mean Election messages over ${fit.orders} random orders per size, fitted as c·f(n) by least squares; the smallest error names the growth.</p>
<table><tr><th>n</th>${fit.points.map((p) => `<td>${p.n}</td>`).join('')}</tr>
<tr><th>lab mean</th>${fit.points.map((p) => `<td>${p.meanElectionMessages}</td>`).join('')}</tr>
<tr><th>n·Hₙ</th>${fit.points.map((p) => `<td>${p.nHn}</td>`).join('')}</tr></table>
<table><tr><th class="l">model</th><th>c</th><th>relative RMS error</th></tr>
${fit.fits.map((m) => `<tr><td class="l">c·${escapeHtml(m.model)}</td><td>${m.c}</td><td>${(m.relativeRmsError * 100).toFixed(1)}%</td></tr>`).join('\n')}</table>`;
}

function niceCeil(v: number): number {
  const step = 10 ** Math.floor(Math.log10(Math.max(v, 1)));
  return Math.ceil(v / step) * step;
}

function f(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}
