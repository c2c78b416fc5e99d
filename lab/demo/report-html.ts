/**
 * `demo-report.html`: one self-contained page (inline CSS and SVG, no
 * scripts, nothing fetched) drawn from the JSON report alone. Pure.
 */
import type { Check } from '../harness/checks.js';
import type { Distribution, Handover } from './measurements.js';
import type { DemoReport } from './report-json.js';
import type { TimelineRow } from './timeline.js';
import { escapeHtml } from '../report/escape-html.js';
import { plural } from './summary.js';

const ROW_H = 34;
const LEFT = 120;
const PLOT_W = 1000;
const TOP = 28;

export const COLOR = {
  ran: '#2e8b57',
  refused: '#e07b00',
  killed: '#b22222',
  failed: '#777',
  open: '#4169e1',
  pause: '#7b68ee',
  duplicate: '#888',
  grid: '#e6e6e6',
  life: '#bbb',
} as const;

/** A demo report page's start, up to its `<body>`: the title and the style every demo report uses. */
export function reportHead(title: string, ok: boolean): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
${reportStyle(ok)}</style>
</head>`;
}

/** The CSS every demo report page uses (its verdict badge green or red). */
function reportStyle(ok: boolean): string {
  return `  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1180px; color: #222; padding: 0 12px; }
  h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; }
  .verdict { display: inline-block; padding: 3px 10px; border-radius: 4px; color: #fff; background: ${ok ? COLOR.ran : COLOR.killed}; font-weight: 600; }
  table { border-collapse: collapse; margin: 6px 0; } td, th { border-bottom: 1px solid #eee; padding: 3px 12px 3px 0; text-align: left; vertical-align: top; }
  th { font-weight: 600; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
  .ok { color: ${COLOR.ran}; font-weight: 700; } .bad { color: ${COLOR.killed}; font-weight: 700; }
  .muted { color: #666; } code { background: #f4f4f4; padding: 0 3px; border-radius: 3px; }
  svg text { font: 11px system-ui, sans-serif; } .legend span { margin-right: 16px; white-space: nowrap; }
  .sw { display: inline-block; width: 12px; height: 12px; vertical-align: -2px; margin-right: 4px; border-radius: 2px; }
`;
}

/** The checks, one row each: a tick or a cross, the name, what it found. */
export function checksTable(checks: readonly Check[]): string {
  return `<table>${checks.map((c) => `<tr><td class="${c.ok ? 'ok' : 'bad'}">${c.ok ? '✓' : '✗'}</td><th>${escapeHtml(c.name)}</th><td>${escapeHtml(c.detail)}</td></tr>`).join('')}</table>`;
}

export function renderReportHtml(report: DemoReport): string {
  const { run } = report;
  const verdict = report.ok ? 'All checks passed' : 'A check FAILED';
  return `${reportHead(`Baton demo report: ${verdict}`, report.ok)}
<body>
<h1>Baton demo report</h1>
<p><span class="verdict">${escapeHtml(verdict)}</span>
<span class="muted">${escapeHtml(new Date(run.startedAt).toISOString())} · ${run.workers} workers · tick ${run.tickS} s · ${run.durationS} s · seed ${run.seed} ·
function timeout ${run.functionTimeoutMs} ms · table <code>${escapeHtml(run.tableName)}</code> · lease <code>${escapeHtml(run.leaseName)}</code></span></p>

<h2>Checks</h2>
${checksTable(report.checks)}

<h2>Counts</h2>
${countsTable(report)}

<h2>Timeline</h2>
<p class="muted">One row per worker process. Each bar is a tenure, labelled with its fencing token; time runs left to right, in seconds from the first tick (the live view's t+ counts from the same moment).
The top row is the ledger: each dot is a committed entry, labelled with the token that wrote it (where labels would collide, hover the dot). Hover for details.</p>
${legend()}
${timelineSvg(report)}

<h2>Measurements</h2>
${measurementsTable(report)}

${pausesTable(report)}
${handoversTable('Handovers after a SIGKILL', report.measurements.afterKill.handovers)}
${handoversTable('Handovers after a SIGSTOP', report.measurements.afterPause.handovers)}

<h2>How this was computed</h2>
<p>Every number here comes from evidence, not from counters kept by the code under test: the ledger read back from DynamoDB after the run
(its entries, one per tick run, and its head with the fence), each worker's own log (<code>${escapeHtml(run.logDir)}/w*.jsonl</code>), and the run log
(<code>${escapeHtml(run.logDir)}/run.jsonl</code>: ticks and deliveries sent, signals sent, processes seen to exit, and samples of the lease item and ledger
head taken every 200 ms). A tick ran twice if the ledger holds two entries for it; a stale write was accepted if an entry's token is lower than one
that had already committed when it was sent; the fence regressed if any sample of the head, or the final head, shows a lower fence than before.
The Powertools logs and EMF metrics each worker printed are in <code>${escapeHtml(run.logDir)}/w*.log</code>.</p>
</body>
</html>
`;
}

function countsTable(r: DemoReport): string {
  const rows: [string, number, string][] = [
    ['ticks', r.ticks, 'ticks the schedule sent'],
    ['ticksRun', r.ticksRun, 'distinct ticks in the ledger (ticks while a dead or paused leader still held the lease are skipped, not run late)'],
    ['duplicateTicksRun', r.duplicateTicksRun, 'must be 0'],
    [
      'duplicateDeliveries',
      r.duplicateDeliveries,
      `events delivered again (at-least-once delivery); a redelivery normally costs one request and is skipped. ${plural(r.details.duplicatesSkipped, 'invocation')} ` +
        `were skipped as already done: ${r.details.redeliveriesSkipped} redelivered, ${r.details.duplicatesSkipped - r.details.redeliveriesSkipped} first deliveries that reached a worker after the tick's leader had finished`,
    ],
    ['takeovers', r.takeovers, 'tenures that began on an expired, unreleased lease'],
    ['kills', r.kills, 'leaders SIGKILLed (seen to die)'],
    ['pauses', r.pauses, 'leaders SIGSTOPped past their lease, then resumed'],
    ['staleWritesRejected', r.staleWritesRejected, 'late writes refused by the fence (StaleWriteRejected)'],
    ['staleWritesAccepted', r.staleWritesAccepted, 'must be 0'],
    ['tokenRegressions', r.tokenRegressions, 'must be 0'],
    ['steps.run', r.steps.run, "the ledger job's durable steps run (entry, then write): their function was called"],
    ['steps.replayed', r.steps.replayed, "steps an earlier tenure of the same tick had recorded: their value was replayed, their work and write not done again"],
  ];
  return `<table>${rows.map(([k, v, d]) => `<tr><th><code>${k}</code></th><td class="n">${v}</td><td class="muted">${escapeHtml(d)}</td></tr>`).join('')}</table>`;
}

function legend(): string {
  const item = (color: string, text: string) => `<span><i class="sw" style="background:${color}"></i>${escapeHtml(text)}</span>`;
  const takeover = `<span><i class="sw" style="background:${COLOR.ran};outline:1.5px solid #000;outline-offset:-1.5px"></i>${escapeHtml('7* takeover: the tenure began on an expired lease its holder never released')}</span>`;
  return `<p class="legend">${[
    item(COLOR.ran, 'tenure that ran its tick'),
    item(COLOR.refused, 'tenure whose late write the fence refused'),
    item(COLOR.killed, 'tenure ended by SIGKILL'),
    takeover,
    item(COLOR.pause, 'SIGSTOP … SIGCONT'),
    item(COLOR.ran, '● ledger entry'),
    item(COLOR.duplicate, '○ duplicate tick skipped'),
    item(COLOR.refused, '▲ stale write refused'),
    item(COLOR.killed, '✕ SIGKILL'),
  ].join('')}</p>`;
}

/** Label lanes above the ledger's dots; a label that fits in none is left to its dot's tooltip. */
const LEDGER_LABEL_LANES = 2;

function timelineSvg(r: DemoReport): string {
  const { timeline } = r;
  // The axis counts seconds from the first tick, as the live view's t+ does; the second before it shows the workers ready.
  const zero = timeline.zero;
  const start = Math.max(timeline.start, zero - 1_000);
  const span = Math.max(1, timeline.end - start);
  const x = (t: number) => LEFT + ((Math.max(start, t) - start) / span) * PLOT_W;
  const rows = timeline.rows;
  const height = TOP + (rows.length + 1) * ROW_H + 24;
  const parts: string[] = [];
  // Tick grid, labelled in seconds.
  for (const tick of timeline.ticks) {
    parts.push(`<line x1="${f(x(tick))}" y1="${TOP - 6}" x2="${f(x(tick))}" y2="${height - 22}" stroke="${COLOR.grid}"/>`);
  }
  const step = Math.max(1, Math.ceil(span / 1000 / 15));
  for (let s = 0; zero + s * 1000 <= timeline.end; s += step) {
    parts.push(`<text x="${f(x(zero + s * 1000))}" y="${height - 8}" text-anchor="middle" fill="#666">${s}s</text>`);
  }
  // The ledger: committed writes, by token.
  const ledgerY = TOP;
  parts.push(`<text x="8" y="${ledgerY + ROW_H / 2 + 4}" font-weight="600">ledger</text>`);
  const writes = rows
    .flatMap((row) => row.tenures.filter((t) => t.result === 'ran' && t.writeAt !== undefined).map((t) => ({ row, t, at: t.writeAt as number })))
    .sort((a, b) => a.at - b.at);
  const laneEnds: number[] = new Array<number>(LEDGER_LABEL_LANES).fill(-Infinity);
  for (const { row, t, at } of writes) {
    const cx = x(at);
    const half = (String(t.token).length * 6.5) / 2 + 2;
    const lane = laneEnds.findIndex((endX) => endX <= cx - half);
    if (lane >= 0) laneEnds[lane] = cx + half;
    const label = lane < 0 ? '' : `<text x="${f(cx)}" y="${ledgerY + ROW_H / 2 - 7 - lane * 11}" text-anchor="middle" fill="#333">${t.token}</text>`;
    parts.push(
      `<g><title>${escapeHtml(`entry for tick ${iso(t.tick)} written by ${row.worker} with token ${t.token}`)}</title>` +
        `<circle cx="${f(cx)}" cy="${ledgerY + ROW_H / 2}" r="4" fill="${COLOR.ran}"/>${label}</g>`,
    );
  }
  rows.forEach((row, i) => parts.push(rowSvg(row, TOP + (i + 1) * ROW_H, x, timeline.end)));
  return svgFrame(LEFT + PLOT_W + 20, height, 'Timeline of tenures per worker', parts);
}

/** A timeline's `<svg>` element around `parts`, with the hatching that pause bands ({@link pauseBand}) fill with. */
export function svgFrame(width: number, height: number, ariaLabel: string, parts: readonly string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(ariaLabel)}">
<defs><pattern id="paused" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="3" height="6" fill="${COLOR.pause}" opacity="0.45"/></pattern></defs>
${parts.join('\n')}
</svg>`;
}

/** A SIGSTOP … SIGCONT band across a timeline row (from x0 to x1 px), with its tooltip. */
export function pauseBand(x0: number, x1: number, y: number, height: number, title: string): string {
  return `<g><title>${escapeHtml(title)}</title><rect x="${f(x0)}" y="${y}" width="${f(Math.max(1, x1 - x0))}" height="${height}" fill="url(#paused)" stroke="${COLOR.pause}"/></g>`;
}

function rowSvg(row: TimelineRow, y: number, x: (t: number) => number, end: number): string {
  const mid = y + ROW_H / 2;
  const parts: string[] = [];
  const label = `${row.worker}${row.replaces ? ` (for ${row.replaces})` : ''}`;
  parts.push(`<text x="8" y="${mid - 2}" font-weight="600">${escapeHtml(label)}</text><text x="8" y="${mid + 11}" fill="#888">pid ${row.pid}</text>`);
  parts.push(`<line x1="${f(x(row.spawnedAt))}" y1="${mid}" x2="${f(x(row.exitedAt ?? end))}" y2="${mid}" stroke="${COLOR.life}"/>`);
  for (const p of row.pauses) {
    const x0 = x(p.from);
    const x1 = x(p.to ?? end);
    parts.push(pauseBand(x0, x1, y + 3, ROW_H - 6, `SIGSTOP while leading token ${p.token}, ${p.to === undefined ? 'never resumed' : `SIGCONT after ${sec(p.to - p.from)}`}`));
  }
  for (const t of row.tenures) {
    const x0 = x(t.start);
    const w = Math.max(3, x(t.end) - x0);
    const how = { ran: 'ran its tick', refused: 'its late write was refused by the fence', killed: 'killed while leading', failed: 'failed', open: 'no end logged' }[t.result];
    parts.push(
      `<g><title>${escapeHtml(`token ${t.token}${t.takeover ? ' (takeover)' : ''}, tick ${iso(t.tick)}: ${how}; led ${sec(t.end - t.start)}`)}</title>` +
        `<rect x="${f(x0)}" y="${y + 8}" width="${f(w)}" height="${ROW_H - 16}" rx="2" fill="${COLOR[t.result]}"${t.takeover ? ' stroke="#000" stroke-width="1.2"' : ''}/>` +
        `<text x="${f(x0 + w / 2)}" y="${y + 6}" text-anchor="middle" fill="#333">${t.token}${t.takeover ? '*' : ''}</text></g>`,
    );
  }
  for (const d of row.skippedDuplicates) {
    parts.push(`<g><title>${escapeHtml(`skipped tick ${iso(d.tick)}: already done (one request)`)}</title><circle cx="${f(x(d.at))}" cy="${mid + 9}" r="3" fill="none" stroke="${COLOR.duplicate}"/></g>`);
  }
  for (const s of row.refusedWrites) {
    const cx = x(s.at);
    parts.push(
      `<g><title>${escapeHtml(`write with token ${s.token} refused: the ledger's fence was ${s.fence ?? '?'} (StaleTokenError)`)}</title>` +
        `<path d="M${f(cx)} ${y + 2} l6 10 h-12 z" fill="${COLOR.refused}" stroke="#7a4300"/></g>`,
    );
  }
  for (const k of row.kills) {
    const cx = x(k.at);
    parts.push(
      // Right of the killed bar's end, where the dead process has no lifeline: the bar itself stays visible.
      `<g><title>${escapeHtml(`SIGKILL while leading token ${k.token}`)}</title><path d="M${f(cx + 3)} ${mid - 5} l10 10 M${f(cx + 13)} ${mid - 5} l-10 10" stroke="${COLOR.killed}" stroke-width="2.5"/></g>`,
    );
  }
  return parts.join('\n');
}

function measurementsTable(r: DemoReport): string {
  const m = r.measurements;
  const d = (dist: Distribution, unit: (n: number) => string = (n) => `${n} ms`) =>
    dist.count === 0
      ? '<span class="muted">none in this run</span>'
      : `p50 ${unit(dist.p50 ?? 0)} · p95 ${unit(dist.p95 ?? 0)} · max ${unit(dist.max ?? 0)} <span class="muted">(n=${dist.count})</span>`;
  const requests = (n: number) => `${n} ${n === 1 ? 'request' : 'requests'}`;
  const rows: [string, string][] = [
    ['follower invocation: requests', d(m.follower.requests, requests)],
    ['follower invocation: duration', d(m.follower.ms)],
    ['… skipped because the lease is held', d(m.follower.held)],
    ['… skipped because the tick is done', d(m.follower.tickDone)],
    ['leader invocation: requests', d(m.leader.requests, requests)],
    ['leader invocation: duration (includes the job’s work)', d(m.leader.ms)],
    ['leader acquire (invoke → job start)', d(m.acquireMs)],
    ['lease duration (function timeout + 1 s margin)', m.leaseDurationMs === undefined ? '-' : `${m.leaseDurationMs} ms`],
    ['handover after SIGKILL (kill → next job start)', d(m.afterKill.ms)],
    ['handover after SIGSTOP (pause → next job start)', d(m.afterPause.ms)],
    ['handover after a release (release → next job start)', d(m.afterRelease.ms)],
  ];
  return `<table>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${v}</td></tr>`).join('')}</table>
<p class="muted">A killed leader's lease must run out (plus the ${r.run.maxClockSkewMs} ms clock-skew allowance) before anyone may take over, and the next tick must come:
handover ≈ lease left + skew + wait for the tick. After a release the next tick's first invocation wins at once: handover ≈ the wait for the tick.</p>`;
}

function pausesTable(r: DemoReport): string {
  if (r.pausesInDetail.length === 0) return '';
  const rows = r.pausesInDetail.map(
    (p) =>
      `<tr><td>${escapeHtml(p.worker)}</td><td class="n">${p.token}</td><td>${escapeHtml(p.phase)}</td><td>${p.resumedAt === undefined ? '-' : sec(p.resumedAt - p.at)}</td><td>${p.successorWroteFirst ? 'yes' : 'no'}</td><td>${escapeHtml(p.write)}</td></tr>`,
  );
  return `<h2>Pauses</h2><table><tr><th>worker</th><th>token</th><th>stopped</th><th>for</th><th>successor wrote first</th><th>its write</th></tr>${rows.join('')}</table>`;
}

function handoversTable(title: string, handovers: readonly Handover[]): string {
  if (handovers.length === 0) return '';
  const rows = handovers.map(
    (h) =>
      `<tr><td>${escapeHtml(h.from.worker)} #${h.from.token}</td><td>${escapeHtml(h.to.worker)} #${h.to.token}</td><td class="n">${sec(h.ms)}</td><td class="n">${sec(h.leaseLeftMs)}</td><td class="n">${sec(h.leaseDurationMs)}</td></tr>`,
  );
  return `<h2>${escapeHtml(title)}</h2><table><tr><th>from</th><th>to</th><th>handover</th><th>lease left then</th><th>lease duration</th></tr>${rows.join('')}</table>`;
}

export function f(n: number): string {
  return n.toFixed(1);
}

export function sec(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function iso(tick: number): string {
  return new Date(tick).toISOString().replace('.000Z', 'Z');
}
