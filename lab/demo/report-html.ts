/**
 * `demo-report.html`: one self-contained page (inline CSS and SVG, no
 * scripts, nothing fetched) drawn from the JSON report alone. Pure.
 */
import {
  COLOR,
  dataTable,
  escapeHtml,
  f,
  factsTable,
  laneTimeline,
  legend,
  pauseBand,
  plural,
  reportPage,
  rowLabel,
  sec,
  type Fact,
} from '../harness/report/index.js';
import type { Distribution, Handover } from './measurements.js';
import type { DemoReport } from './report-json.js';
import type { TimelineRow } from './timeline.js';

const ROW_H = 34;
const LEFT = 120;
const PLOT_W = 1000;
const TOP = 28;

export function renderReportHtml(report: DemoReport): string {
  const { run } = report;
  const header = {
    title: 'Baton demo report',
    checks: report.checks,
    meta: `${escapeHtml(new Date(run.startedAt).toISOString())} · ${run.workers} workers · tick ${run.tickS} s · ${run.durationS} s · seed ${run.seed} ·
function timeout ${run.functionTimeoutMs} ms · table <code>${escapeHtml(run.tableName)}</code> · lease <code>${escapeHtml(run.leaseName)}</code>`,
  };
  return reportPage(
    header,
    `<h2>Counts</h2>
${countsTable(report)}

<h2>Timeline</h2>
<p class="muted">One row per worker process. Each bar is a tenure, labelled with its fencing token; time runs left to right, in seconds from the first tick (the live view's t+ counts from the same moment).
The top row is the ledger: each dot is a committed entry, labelled with the token that wrote it (where labels would collide, hover the dot). Hover for details.</p>
${LEGEND}
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
The Powertools logs and EMF metrics each worker printed are in <code>${escapeHtml(run.logDir)}/w*.log</code>.</p>`,
  );
}

function countsTable(r: DemoReport): string {
  const rows: [string, number, string][] = [
    ['ticks', r.ticks, 'ticks the schedule sent'],
    [
      'ticksRun',
      r.ticksRun,
      'distinct ticks in the ledger (ticks while a dead or paused leader still held the lease are ' +
        'skipped, not run late)',
    ],
    ['duplicateTicksRun', r.duplicateTicksRun, 'must be 0'],
    [
      'duplicateDeliveries',
      r.duplicateDeliveries,
      `events delivered again (at-least-once delivery); a redelivery normally costs one request and is skipped. Skipped as already done: ${plural(r.details.duplicatesSkipped, 'invocation')}, ` +
        `of them ${r.details.redeliveriesSkipped} redelivered, ${r.details.duplicatesSkipped - r.details.redeliveriesSkipped} ` +
        `first deliveries that reached a worker after the tick's leader had finished`,
    ],
    ['takeovers', r.takeovers, 'tenures that began on an expired, unreleased lease'],
    ['kills', r.kills, 'leaders SIGKILLed (seen to die)'],
    ['pauses', r.pauses, 'leaders SIGSTOPped past their lease, then resumed'],
    ['staleWritesRejected', r.staleWritesRejected, 'late writes refused by the fence (StaleWriteRejected)'],
    ['staleWritesAccepted', r.staleWritesAccepted, 'must be 0'],
    ['tokenRegressions', r.tokenRegressions, 'must be 0'],
    ['steps.run', r.steps.run, "the ledger job's durable steps run (entry, then write): their function was called"],
    [
      'steps.replayed',
      r.steps.replayed,
      'steps an earlier tenure of the same tick had recorded: their value was replayed, their work ' +
        'and write not done again',
    ],
  ];
  return factsTable(
    rows.map(([key, value, note]): Fact => ({ key, value, note })),
    { code: true },
  );
}

const LEGEND = legend([
  { color: COLOR.ran, text: 'tenure that ran its tick' },
  { color: COLOR.refused, text: 'tenure whose late write the fence refused' },
  { color: COLOR.killed, text: 'tenure ended by SIGKILL' },
  {
    color: COLOR.ran,
    text: '7* takeover: the tenure began on an expired lease its holder never released',
    style: 'outline:1.5px solid #000;outline-offset:-1.5px',
  },
  { color: COLOR.pause, text: 'SIGSTOP … SIGCONT' },
  { color: COLOR.ran, text: '● ledger entry' },
  { color: COLOR.duplicate, text: '○ duplicate tick skipped' },
  { color: COLOR.refused, text: '▲ stale write refused' },
  { color: COLOR.killed, text: '✕ SIGKILL' },
]);

/** Label lanes above the ledger's dots; a label that fits in none is left to its dot's tooltip. */
const LEDGER_LABEL_LANES = 2;

function timelineSvg(r: DemoReport): string {
  const { timeline } = r;
  const rows = timeline.rows;
  const layout = {
    // The axis counts seconds from the first tick, as the live view's t+ does; the second before it shows the workers ready.
    from: Math.max(timeline.start, timeline.zero - 1_000),
    to: timeline.end,
    zero: timeline.zero,
    left: LEFT,
    plotWidth: PLOT_W,
    top: TOP,
    laneHeight: ROW_H,
    lanes: rows.length + 1,
    ariaLabel: 'Timeline of tenures per worker',
    // The ticks are the grid.
    grid: false,
  };
  return laneTimeline(layout, (x, laneTop) => [
    ...timeline.ticks.map(
      (tick) =>
        `<line x1="${f(x(tick))}" y1="${TOP - 6}" x2="${f(x(tick))}" y2="${laneTop(rows.length + 1) + 2}" ` +
        `stroke="${COLOR.grid}"/>`,
    ),
    ...ledgerLane(rows, x),
    ...rows.map((row, i) => rowSvg(row, laneTop(i + 1), x, timeline.end)),
  ]);
}

/** The ledger: committed writes, by token. */
function ledgerLane(rows: readonly TimelineRow[], x: (t: number) => number): string[] {
  const ledgerY = TOP;
  const parts: string[] = [];
  parts.push(`<text x="8" y="${ledgerY + ROW_H / 2 + 4}" font-weight="600">ledger</text>`);
  const writes = rows
    .flatMap((row) =>
      row.tenures
        .filter((t) => t.result === 'ran' && t.writeAt !== undefined)
        .map((t) => ({ row, t, at: t.writeAt as number })),
    )
    .sort((a, b) => a.at - b.at);
  const laneEnds: number[] = new Array<number>(LEDGER_LABEL_LANES).fill(-Infinity);
  for (const { row, t, at } of writes) {
    const cx = x(at);
    const half = (String(t.token).length * 6.5) / 2 + 2;
    const lane = laneEnds.findIndex((endX) => endX <= cx - half);
    if (lane >= 0) laneEnds[lane] = cx + half;
    const label =
      lane < 0
        ? ''
        : `<text x="${f(cx)}" y="${ledgerY + ROW_H / 2 - 7 - lane * 11}" text-anchor="middle" fill="#333">${t.token}</text>`;
    parts.push(
      `<g><title>${escapeHtml(`entry for tick ${iso(t.tick)} written by ${row.worker} with token ${t.token}`)}</title>` +
        `<circle cx="${f(cx)}" cy="${ledgerY + ROW_H / 2}" r="4" fill="${COLOR.ran}"/>${label}</g>`,
    );
  }
  return parts;
}

function rowSvg(row: TimelineRow, y: number, x: (t: number) => number, end: number): string {
  const mid = y + ROW_H / 2;
  const parts: string[] = [];
  const label = `${row.worker}${row.replaces ? ` (for ${row.replaces})` : ''}`;
  parts.push(rowLabel(mid, label, `pid ${row.pid}`));
  parts.push(
    `<line x1="${f(x(row.spawnedAt))}" y1="${mid}" x2="${f(x(row.exitedAt ?? end))}" y2="${mid}" ` +
      `stroke="${COLOR.life}"/>`,
  );
  for (const p of row.pauses) {
    const x0 = x(p.from);
    const x1 = x(p.to ?? end);
    parts.push(
      pauseBand(
        x0,
        x1,
        y + 3,
        ROW_H - 6,
        `SIGSTOP while leading token ${p.token}, ${p.to === undefined ? 'never resumed' : `SIGCONT after ${sec(p.to - p.from)}`}`,
      ),
    );
  }
  for (const t of row.tenures) {
    const x0 = x(t.start);
    const w = Math.max(3, x(t.end) - x0);
    const how = {
      ran: 'ran its tick',
      refused: 'its late write was refused by the fence',
      killed: 'killed while leading',
      failed: 'failed',
      open: 'no end logged',
    }[t.result];
    parts.push(
      `<g><title>${escapeHtml(`token ${t.token}${t.takeover ? ' (takeover)' : ''}, tick ${iso(t.tick)}: ${how}; led ${sec(t.end - t.start)}`)}</title>` +
        `<rect x="${f(x0)}" y="${y + 8}" width="${f(w)}" height="${ROW_H - 16}" rx="2" fill="${COLOR[t.result]}"${t.takeover ? ' stroke="#000" stroke-width="1.2"' : ''}/>` +
        `<text x="${f(x0 + w / 2)}" y="${y + 6}" text-anchor="middle" fill="#333">${t.token}${t.takeover ? '*' : ''}</text></g>`,
    );
  }
  for (const d of row.skippedDuplicates) {
    parts.push(
      `<g><title>${escapeHtml(`skipped tick ${iso(d.tick)}: already done (one request)`)}</title><circle cx="${f(x(d.at))}" cy="${mid + 9}" r="3" fill="none" stroke="${COLOR.duplicate}"/></g>`,
    );
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
      : `p50 ${unit(dist.p50 ?? 0)} · p95 ${unit(dist.p95 ?? 0)} · max ${unit(dist.max ?? 0)} <span ` +
        `class="muted">(n=${dist.count})</span>`;
  const requests = (n: number) => `${n} ${n === 1 ? 'request' : 'requests'}`;
  const rows: [string, string][] = [
    ['follower invocation: requests', d(m.follower.requests, requests)],
    ['follower invocation: duration', d(m.follower.ms)],
    ['… skipped because the lease is held', d(m.follower.held)],
    ['… skipped because the tick is done', d(m.follower.tickDone)],
    ['leader invocation: requests', d(m.leader.requests, requests)],
    ['leader invocation: duration (includes the job’s work)', d(m.leader.ms)],
    ['leader acquire (invoke → job start)', d(m.acquireMs)],
    [
      'lease duration (function timeout + 1 s margin)',
      m.leaseDurationMs === undefined ? '-' : `${m.leaseDurationMs} ms`,
    ],
    ['handover after SIGKILL (kill → next job start)', d(m.afterKill.ms)],
    ['handover after SIGSTOP (pause → next job start)', d(m.afterPause.ms)],
    ['handover after a release (release → next job start)', d(m.afterRelease.ms)],
  ];
  return `<table>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${v}</td></tr>`).join('')}</table>
<p class="muted">A killed leader's lease must run out (plus the ${r.run.maxClockSkewMs} ms clock-skew allowance) before anyone may take over, and the next tick must come:
handover ≈ lease left + skew + wait for the tick. After a release the next tick's first invocation wins at once: handover ≈ the wait for the tick.</p>`;
}

function pausesTable(r: DemoReport): string {
  const n = (html: string | number) => ({ html: String(html), class: 'n' });
  return dataTable(
    'Pauses',
    ['worker', 'token', 'stopped', 'for', 'successor wrote first', 'its write'],
    r.pausesInDetail.map((p) => [
      escapeHtml(p.worker),
      n(p.token),
      escapeHtml(p.phase),
      p.resumedAt === undefined ? '-' : sec(p.resumedAt - p.at),
      p.successorWroteFirst ? 'yes' : 'no',
      escapeHtml(p.write),
    ]),
  );
}

function handoversTable(title: string, handovers: readonly Handover[]): string {
  const n = (ms: number) => ({ html: sec(ms), class: 'n' });
  return dataTable(
    title,
    ['from', 'to', 'handover', 'lease left then', 'lease duration'],
    handovers.map((h) => [
      `${escapeHtml(h.from.worker)} #${h.from.token}`,
      `${escapeHtml(h.to.worker)} #${h.to.token}`,
      n(h.ms),
      n(h.leaseLeftMs),
      n(h.leaseDurationMs),
    ]),
  );
}

function iso(tick: number): string {
  return new Date(tick).toISOString().replace('.000Z', 'Z');
}
