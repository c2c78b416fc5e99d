/**
 * `elect-report.html`: one self-contained page (inline CSS and SVG, no
 * scripts, nothing fetched) drawn from the JSON report alone, in the Lambda
 * demo report's style (the report kit, lab/harness/report). Pure.
 */
import type { ActingWindow } from './elect-checks.js';
import { HANDOVER_KINDS } from './elect-checks.js';
import { HANDOVER_LABELS, type ElectReport, type ElectTimelineRow } from './elect-report.js';
import {
  COLOR,
  dataTable,
  escapeHtml,
  f,
  laneTimeline,
  legend,
  pauseBand,
  reportPage,
  rowLabel,
  sec,
  type LegendItem,
} from '../harness/report/index.js';

const ROW_H = 34;
const LEFT = 150;
const PLOT_W = 1000;
const TOP = 30;

/** How a window ended, by colour. */
const ENDED: Record<ActingWindow['endedBy'], { color: string; label: string }> = {
  killed: { color: COLOR.killed, label: 'killed while leading (SIGKILL)' },
  fenced: { color: COLOR.refused, label: 'its late write was refused by the fence' },
  handoff: { color: '#8e44ad', label: 'handed over to a higher priority' },
  stopped: { color: COLOR.open, label: 'stopped gracefully' },
  lost: { color: COLOR.failed, label: 'lost (a renewal found a successor)' },
  deadline: { color: COLOR.failed, label: 'reached its deadline' },
};

export function renderElectReportHtml(report: ElectReport): string {
  const { run } = report;
  const header = {
    title: 'Baton elector demo report',
    checks: report.checks,
    meta: `${escapeHtml(new Date(run.startedAt).toISOString())} · ${run.workers} workers · lease ${run.durationMs} ms · renewal every ${run.renewEveryMs} ms · seed ${run.seed}
· table <code>${escapeHtml(run.tableName)}</code> · lease <code>${escapeHtml(run.leaseName)}</code>${run.wallClockUnderSkew ? ' · <b>broken on purpose: wall-clock electors under skew</b>' : ''}`,
  };
  return reportPage(
    header,
    `<h2>Handover times</h2>
${figuresTable(report)}

<h2>Timeline</h2>
<p class="muted">One row per worker process (p = its priority, cf = clock-free). Each bar is an acting window, labelled with its token: from the worker's own
<code>acting-start</code> to its <code>acting-stop</code> or its lease's deadline, whichever came first; a dashed tail is time the worker still believed it led
(it was paused). Ticks below a bar are its fenced writes. Time in seconds from the start; the top row names the nemesis's steps. Hover for details.</p>
${LEGEND}
${timelineSvg(report)}

${handoversTable(report)}
${pausesTable(report)}

<h2>How this was computed</h2>
<p>Every figure comes from evidence, not from what the parent believed: each worker's own log (<code>${escapeHtml(run.logDir)}/w*.jsonl</code>, appended
before the worker tells the parent anything, so a SIGKILL loses nothing), the run log (<code>${escapeHtml(run.logDir)}/run.jsonl</code>: processes started and
seen to exit, and every action of the nemesis), and the fenced resource's own log of accepted writes, in acceptance order, read after the run.
Two windows overlap if one starts before the other ends. A stale write was accepted if the resource's log holds a token lower than one before it.
A handover is measured from the SIGKILL or SIGSTOP, from the leader's own record of being asked to stop, or from the requester's own record of asking,
to the successor's own <code>acting-start</code>; its bound is derived from the lease (D = ${run.durationMs} ms, R = ${run.renewEveryMs} ms,
S = ${run.maxClockSkewMs} ms, J = ${run.raceJitterMs} ms, P = ${run.prepareMaxMs} ms) plus an allowance A = ${run.allowanceMs} ms for a loaded machine.
See <code>docs/decisions/elect-demo.md</code>.</p>`,
  );
}

function figuresTable(r: ElectReport): string {
  const rows = HANDOVER_KINDS.map((k) => {
    const measured = r.handovers.filter((h) => h.kind === k);
    const values =
      measured.length === 0
        ? '<span class="muted">none in this run</span>'
        : measured
            .map((h) => `<span class="${h.ok ? '' : 'bad'}">${h.ms === undefined ? 'never' : `${h.ms} ms`}</span>`)
            .join(', ');
    return (
      `<tr><th>${escapeHtml(HANDOVER_LABELS[k])}</th><td class="n">${values}</td><td class="muted">≤ ` +
      `${r.bounds[k].boundMs} ms (${escapeHtml(r.bounds[k].formula)})</td></tr>`
    );
  });
  return `<table><tr><th></th><th>measured</th><th>bound</th></tr>${rows.join('')}</table>`;
}

const LEGEND = legend([
  ...Object.values(ENDED)
    .filter((e, i, all) => all.findIndex((o) => o.color === e.color) === i)
    .map((e): LegendItem => ({ color: e.color, text: e.label })),
  { color: COLOR.ran, text: 'write accepted', line: true },
  { color: COLOR.refused, text: '▲ write refused by the fence' },
  { color: COLOR.pause, text: 'SIGSTOP … SIGCONT' },
  { color: '#000', text: '✕ SIGKILL (the faint rest of the bar: its lease ran on)' },
  { color: COLOR.skew, text: '◆ clock skewed' },
]);

function timelineSvg(r: ElectReport): string {
  const { timeline } = r;
  const { start, end, rows } = timeline;
  const layout = {
    from: start,
    to: end,
    left: LEFT,
    plotWidth: PLOT_W,
    top: TOP,
    laneHeight: ROW_H,
    lanes: rows.length + 1,
    ariaLabel: 'Timeline of acting windows per worker',
  };
  return laneTimeline(layout, (x, laneTop) => [
    // The nemesis's steps, each from its start to the next one's.
    `<text x="8" y="${TOP + ROW_H / 2 + 4}" font-weight="600">nemesis</text>`,
    ...timeline.phases.map((p, i) => {
      const x0 = x(p.at);
      const x1 = x(timeline.phases[i + 1]?.at ?? end);
      return (
        `<g><title>${escapeHtml(`${p.phase} from ${sec(p.at - start)}`)}</title><rect x="${f(x0)}" y="${TOP + 6}" width="${f(Math.max(1, x1 - x0))}" height="${ROW_H - 12}" fill="${i % 2 ? '#eef' : '#f6f6ff'}" stroke="#ccd"/>` +
        `<text x="${f(x0 + 3)}" y="${TOP + ROW_H / 2 + 4}" fill="#335">${escapeHtml(p.phase)}</text></g>`
      );
    }),
    ...rows.map((row, i) => rowSvg(row, laneTop(i + 1), x, end)),
  ]);
}

function rowSvg(row: ElectTimelineRow, y: number, x: (t: number) => number, end: number): string {
  const mid = y + ROW_H / 2;
  const parts: string[] = [];
  const config = row.priority === undefined ? '' : ` p${row.priority}${row.clockFree ? ' cf' : ''}`;
  parts.push(rowLabel(mid, `${row.worker}${config}`, `pid ${row.pid}${row.replaces ? ` · for ${row.replaces}` : ''}`));
  parts.push(
    `<line x1="${f(x(row.spawnedAt))}" y1="${mid}" x2="${f(x(row.exitedAt ?? end))}" y2="${mid}" ` +
      `stroke="${COLOR.life}"/>`,
  );
  for (const p of row.pauses) {
    parts.push(
      pauseBand(
        x(p.from),
        x(p.to ?? end),
        y + 3,
        ROW_H - 6,
        `SIGSTOP, ${p.to === undefined ? 'never resumed' : `SIGCONT after ${sec(p.to - p.from)}`}`,
      ),
    );
  }
  for (const w of row.windows) {
    const x0 = x(w.start);
    const width = Math.max(3, x(w.end) - x0);
    const how = ENDED[w.endedBy];
    const believed = w.stopAt !== undefined && w.stopAt > w.end ? w.stopAt : undefined;
    // A killed holder's window runs to its deadline (its log cannot say more); past the SIGKILL it is drawn faint.
    const killedAt = w.endedBy === 'killed' ? row.kills.find((k) => k >= w.start && k <= w.end) : undefined;
    const solid = killedAt === undefined ? width : Math.max(3, x(killedAt) - x0);
    parts.push(
      `<g><title>${escapeHtml(`token ${w.token}${w.takeover ? ' (takeover)' : ''}, priority ${w.priority}${w.clockFree ? ', clock-free' : ''}: window ${sec(w.end - w.start)}; ${how.label}`)}</title>` +
        (solid < width
          ? `<rect x="${f(x0)}" y="${y + 8}" width="${f(width)}" height="${ROW_H - 16}" rx="2" fill="${how.color}" ` +
            `opacity="0.3"/>`
          : '') +
        `<rect x="${f(x0)}" y="${y + 8}" width="${f(solid)}" height="${ROW_H - 16}" rx="2" fill="${how.color}"/>` +
        `<text x="${f(x0 + width / 2)}" y="${y + 6}" text-anchor="middle" fill="#333">${w.token}${w.takeover ? '*' : ''}</text></g>`,
    );
    if (believed !== undefined) {
      parts.push(
        `<g><title>${escapeHtml(`past its deadline, still believing it led until ${sec(believed - w.end)} later (paused)`)}</title>` +
          `<line x1="${f(x0 + width)}" y1="${mid}" x2="${f(x(believed))}" y2="${mid}" stroke="${how.color}" ` +
          `stroke-width="2" stroke-dasharray="4 3"/></g>`,
      );
    }
  }
  for (const w of row.writes) {
    const cx = x(w.at);
    if (w.outcome === 'stale') {
      parts.push(
        `<g><title>${escapeHtml(`write with token ${w.token} refused by the fence`)}</title><path d="M${f(cx)} ${y + ROW_H - 12} l6 10 h-12 z" fill="${COLOR.refused}" stroke="#7a4300"/></g>`,
      );
    } else {
      const color = w.outcome === 'accepted' ? COLOR.ran : COLOR.failed;
      parts.push(
        `<line x1="${f(cx)}" y1="${y + ROW_H - 8}" x2="${f(cx)}" y2="${y + ROW_H - 2}" stroke="${color}"><title>${escapeHtml(`write with token ${w.token}: ${w.outcome ?? 'no answer'}`)}</title></line>`,
      );
    }
  }
  for (const at of row.kills) {
    const cx = x(at);
    parts.push(
      `<g><title>SIGKILL</title><path d="M${f(cx - 5)} ${mid - 5} l10 10 M${f(cx + 5)} ${mid - 5} ` +
        `l-10 10" stroke="#000" stroke-width="2.5"/></g>`,
    );
  }
  for (const at of row.stops) {
    parts.push(
      `<g><title>graceful stop requested</title><rect x="${f(x(at) - 4)}" y="${mid - 4}" width="8" ` +
        `height="8" fill="#333"/></g>`,
    );
  }
  for (const s of row.skews) {
    parts.push(
      `<g><title>${escapeHtml(`clock set ${s.offsetMs >= 0 ? '+' : ''}${s.offsetMs} ms from the host's`)}</title><path d="M${f(x(s.at))} ${y + 2} l5 5 l-5 5 l-5 -5 z" fill="${COLOR.skew}"/></g>`,
    );
  }
  return parts.join('\n');
}

function handoversTable(r: ElectReport): string {
  const n = (html: string, bad = false) => ({ html, class: bad ? 'n bad' : 'n' });
  return dataTable(
    'Handovers',
    ['what', 'from', 'to', 'took', 'bound', "since the old leader's last renewal was sent"],
    r.handovers.map((h) => [
      escapeHtml(HANDOVER_LABELS[h.kind]),
      `${escapeHtml(h.from.worker)} #${h.from.token}`,
      h.to ? `${escapeHtml(h.to.worker)} #${h.to.token}` : '-',
      n(h.ms === undefined ? 'never' : `${h.ms} ms`, !h.ok),
      n(`${h.boundMs} ms`),
      n(h.sinceRenewalMs === undefined ? '' : `${h.sinceRenewalMs} ms`),
    ]),
  );
}

function pausesTable(r: ElectReport): string {
  const lateWrite = (p: ElectReport['pausesInDetail'][number]) =>
    p.lateWrite
      ? p.lateWrite.outcome === 'stale'
        ? 'refused by the fence'
        : (p.lateWrite.outcome ?? 'no answer')
      : 'none sent';
  return dataTable(
    'Pauses',
    ['worker', 'token', 'paused for', 'successor wrote first', 'its late write', 'then stopped', ''],
    r.pausesInDetail.map((p) => [
      escapeHtml(p.worker),
      { html: String(p.token), class: 'n' },
      p.resumedAt === undefined ? '-' : sec(p.resumedAt - p.pausedAt),
      p.successorWroteFirst ? 'yes' : 'no',
      escapeHtml(lateWrite(p)),
      escapeHtml(p.stopReason ?? 'never'),
      { html: p.ok ? '✓' : '✗', class: p.ok ? 'ok' : 'bad' },
    ]),
  );
}
