import type { CheckResult, TenureView, WriteView } from './checker.js';
import type { HistoryRecord } from './history.js';
import { formatSummary, type ChaosReport } from './report.js';
import {
  band,
  COLOR,
  escapeHtml,
  factsTable,
  laneTimeline,
  legend,
  reportPage,
  rowLabel,
  type Fact,
} from '../harness/report/index.js';

/** The timeline's width: it fits a 1400 px window (the page's margins included), whatever the campaign's length. */
const WIDTH = 1320;
/** A tenure shorter than this many px is drawn this wide, so a 70 ms one stays visible. */
const MIN_TENURE_PX = 3;
const LEFT = 70;
const LANE = 30;
const TOP = 24;

/** Tenures, alternating by token: blue-violets, apart from every event colour below. */
const TENURE_SHADES = ['#3949ab', '#7986cb'] as const;

/** Bands of state (down, paused, a network fault) let the tenure bars and marks under them show through. */
const FADED = ' opacity="0.8"';

const COLOURS = {
  accepted: '#2e7d32',
  stale: '#d32f2f',
  'tick-done': '#9e9e9e',
  unknown: '#f57c00',
  none: '#f57c00',
  down: '#cfcfcf',
  paused: '#f2c94c',
  latency: '#bbdefb',
  reset: '#e1bee7',
  error: '#ffcdd2',
  drop: '#ffe0b2',
  violation: '#d00',
} as const;

/**
 * `chaos-report.html`: one self-contained page (inline CSS and SVG, no script,
 * no external resource). The summary, the violations, and a timeline in real
 * time: per worker, its tenures (one colour per token, labelled), the side
 * effects it attempted (a tick mark coloured by outcome), when it was paused,
 * killed and skewed; above them the network faults in force and the faults
 * the proxy injected; red lines where the checker found a violation.
 */
export function renderHtml(report: ChaosReport, check: CheckResult, records: readonly HistoryRecord[]): string {
  const header = {
    title: 'Baton chaos campaign',
    checks: report.checks,
    meta: escapeHtml(
      `seed ${report.seed} · ${report.durationS} s of faults · ${report.workers} workers · ${report.mode}${report.variant ? ` · variant "${report.variant}"` : ''} · took ${report.elapsedS} s`,
    ),
  };
  const violations =
    report.violations.length === 0
      ? '<p class="ok">No violations.</p>'
      : `<ul>${report.violations.map((v) => `<li><b>${v.kind}</b>${v.explainedBy ? ` <i>(${v.explainedBy})</i>` : ''}: ${escapeHtml(v.message)}</li>`).join('')}</ul>`;
  return reportPage(
    header,
    `<h2>Summary</h2>
<pre>${escapeHtml(formatSummary(report))}</pre>
<h2>Violations</h2>
${violations}
<h2>Timeline</h2>
<p class="muted">Real time (the host's clock) from the start of the campaign. Hover for details.</p>
${LEGEND}
${timelineSvg(check, records)}
<h2>Report</h2>
${reportTables(report)}`,
    { maxWidthPx: WIDTH + 20 },
  );
}

function timelineSvg(check: CheckResult, records: readonly HistoryRecord[]): string {
  const start = records.find((r) => r.type === 'campaign')?.real ?? 0;
  const end = Math.max(start + 1, ...records.map((r) => r.real));
  const workers = [...new Set(records.flatMap((r) => (r.type === 'worker-start' ? [r.worker] : [])))].sort(
    (a, b) => Number(a.slice(1)) - Number(b.slice(1)),
  );
  const layout = {
    from: start,
    to: end,
    left: LEFT,
    plotWidth: WIDTH - LEFT - 20,
    top: TOP,
    laneHeight: LANE,
    lanes: workers.length + 1,
    ariaLabel: 'Timeline of tenures, side effects and faults per worker',
  };
  return laneTimeline(layout, (x, laneTop) =>
    lanes(
      check,
      records,
      workers,
      x,
      (worker) => laneTop(1 + workers.indexOf(worker)),
      laneTop(workers.length + 1) + 4,
    ),
  );
}

/** The network lane, then a lane per worker, then the violations across all of them. */
function lanes(
  check: CheckResult,
  records: readonly HistoryRecord[],
  workers: readonly string[],
  x: (real: number) => number,
  laneY: (worker: string) => number,
  bottom: number,
): string[] {
  // A fault still on at the end runs to the plot's right edge, where x stops.
  const end = Infinity;
  const parts: string[] = [];

  // Network lane: fault windows and the faults injected.
  const netY = TOP;
  parts.push(rowLabel(netY + 20, 'network'));
  const opened = new Map<string, number>();
  for (const r of records) {
    if (r.type !== 'nemesis' || !r.fault) continue;
    if (r.action === 'network-on' && !opened.has(r.fault)) opened.set(r.fault, r.real);
    if (r.action === 'network-off' && opened.has(r.fault)) {
      parts.push(
        band(
          x(opened.get(r.fault)!),
          x(r.real),
          netY + 2,
          LANE - 4,
          COLOURS[r.fault as keyof typeof COLOURS] ?? '#ddd',
          `${r.fault} faults on`,
          FADED,
        ),
      );
      opened.delete(r.fault);
    }
  }
  for (const [fault, from] of opened)
    parts.push(
      band(
        x(from),
        x(end),
        netY + 2,
        LANE - 4,
        COLOURS[fault as keyof typeof COLOURS] ?? '#ddd',
        `${fault} faults on`,
        FADED,
      ),
    );
  for (const r of records) {
    if (r.type !== 'proxy-fault') continue;
    const f = r.fault;
    const label =
      f.kind === 'error'
        ? `${f.error} (${f.status})${f.forwarded ? ', after forwarding' : ''}`
        : f.kind === 'latency-spike'
          ? `latency spike ${f.delayMs} ms`
          : f.kind;
    parts.push(
      `<line x1="${x(r.real)}" y1="${netY + 6}" x2="${x(r.real)}" y2="${netY + LANE - 6}" stroke="#555" stroke-width="1"><title>${escapeHtml(`${label} on ${f.operation}`)}</title></line>`,
    );
  }

  // Worker lanes.
  const downSince = new Map<string, number>();
  const pausedSince = new Map<string, number>();
  for (const w of workers)
    parts.push(
      `${rowLabel(laneY(w) + 20, w)}<rect x="${LEFT}" y="${laneY(w) + 2}" width="${WIDTH - LEFT - 10}" ` +
        `height="${LANE - 4}" fill="#fafafa"/>`,
    );
  for (const r of records) {
    if (r.type === 'nemesis' && r.worker) {
      const y = laneY(r.worker);
      if (r.action === 'kill') {
        downSince.set(r.worker, r.real);
        parts.push(
          `<text x="${x(r.real) - 4}" y="${y + 19}" fill="#000" font-weight="bold">✕<title>SIGKILL ${r.worker}.${r.inc}</title></text>`,
        );
      } else if (r.action === 'respawn' && downSince.has(r.worker)) {
        parts.push(
          band(x(downSince.get(r.worker)!), x(r.real), y + 2, LANE - 4, COLOURS.down, `${r.worker} down`, FADED),
        );
        downSince.delete(r.worker);
      } else if (r.action === 'pause') {
        pausedSince.set(r.worker, r.real);
      } else if (r.action === 'resume' && pausedSince.has(r.worker)) {
        parts.push(
          band(
            x(pausedSince.get(r.worker)!),
            x(r.real),
            y + 2,
            LANE - 4,
            COLOURS.paused,
            `${r.worker} paused (SIGSTOP) ${Math.round((r.real - pausedSince.get(r.worker)!) / 100) / 10} s`,
            FADED,
          ),
        );
        pausedSince.delete(r.worker);
      } else if (r.action === 'skew') {
        parts.push(
          `<path d="M${x(r.real)},${y + LANE - 2} l-4,-6 h8 z" fill="${COLOR.skew}"><title>${escapeHtml(`${r.worker} clock set to ${r.offsetMs! >= 0 ? '+' : ''}${r.offsetMs} ms`)}</title></path>`,
        );
      }
    }
  }
  for (const t of check.tenures) parts.push(tenureBar(t, x, laneY(t.worker)));
  for (const w of check.writes) parts.push(writeMark(w, x, laneY(w.worker)));
  for (const v of check.violations.slice(0, 500)) {
    if (v.real === undefined) continue;
    parts.push(
      `<line x1="${x(v.real)}" y1="${TOP}" x2="${x(v.real)}" y2="${bottom}" stroke="${COLOURS.violation}" stroke-width="2" stroke-dasharray="${v.explainedBy ? '4 3' : 'none'}"><title>${escapeHtml(`${v.kind}: ${v.message}`)}</title></line>`,
    );
  }
  return parts;
}

const LEGEND = legend([
  { color: TENURE_SHADES, text: 'tenure: acquired → deadline or release (label = token; shades alternate)' },
  { color: COLOURS.accepted, text: 'side effect accepted', line: true },
  { color: COLOURS.stale, text: 'refused: stale token', line: true },
  { color: COLOURS['tick-done'], text: 'refused: tick done', line: true },
  { color: COLOURS.unknown, text: 'outcome unknown', line: true },
  { color: COLOURS.paused, text: 'paused' },
  { color: COLOURS.down, text: 'killed, until respawned' },
  { color: COLOR.skew, text: 'clock skewed' },
  { color: COLOURS.latency, text: 'latency' },
  { color: COLOURS.reset, text: 'resets' },
  { color: COLOURS.error, text: 'errors' },
  { color: COLOURS.drop, text: 'dropped responses' },
  { color: COLOURS.violation, text: 'violation (dashed: explained by skew beyond the bound)', line: true },
]);

/** What the less obvious figures mean, beside them. */
const EXPLAIN: Readonly<Record<string, string>> = {
  unknownOutcomes:
    'side effects whose answer never came (the worker was killed, or the response dropped): the ' +
    'checker reads the resource to learn whether each happened',
  unresolvedAcquires:
    'acquires whose answer never came: the lease item may have moved to a token nobody was told ' +
    'about; the checker allows for each, and the next acquire simply gets the token after it',
  highestGranted: 'the highest token any worker was told it holds',
  finalToken:
    'the token on the lease item at the end: at least highestGranted, more by the unresolved acquires that did land',
  maxSkewSpreadMs:
    'the largest disagreement between two live workers’ clocks; safety assumes it stays within maxClockSkewMs',
  unexplainedViolations: 'violations no broken assumption explains: these fail the run',
  staleRejected: 'side effects the fence refused because a newer token had written',
  tickDoneRejected: 'side effects refused because their tick was already done',
};

/** The report's figures as tables (the violations are listed above). */
function reportTables(report: ChaosReport): string {
  const table = (entries: [string, unknown][]) =>
    factsTable(entries.map(([key, value]): Fact => ({ key, value, ...(EXPLAIN[key] ? { note: EXPLAIN[key] } : {}) })));
  const { faults, lease, violationCounts, violations, checks: _checks, ...rest } = report;
  return [
    '<h3>Run</h3>',
    table(Object.entries(rest)),
    '<h3>Faults injected</h3>',
    table(Object.entries(faults)),
    '<h3>Lease</h3>',
    table(Object.entries(lease)),
    `<h3>Violations by kind</h3><p class="muted">${violations.length} listed above.</p>`,
    table(Object.entries(violationCounts)),
  ].join('\n');
}

function tenureBar(t: TenureView, x: (real: number) => number, y: number): string {
  const end = Math.min(t.validEnd, t.lostReal ?? Infinity, t.killedReal ?? Infinity);
  const from = x(t.ackReal);
  const to = Math.max(from + MIN_TENURE_PX, x(end));
  // Two shades of one hue that no event of the legend uses: neighbours differ, and no tenure reads as an outcome.
  const fill = t.token % 2 === 0 ? TENURE_SHADES[0] : TENURE_SHADES[1];
  const how =
    t.releaseSentReal !== undefined && t.releaseSentReal <= t.deadlineReal
      ? 'released'
      : t.lostReason
        ? `lost (${t.lostReason})`
        : t.killedReal
          ? 'killed'
          : 'deadline';
  const title =
    `${t.worker}.${t.inc} token ${t.token}${t.takeover ? ' (takeover)' : ''}: ${Math.round(end - t.ackReal)} ` +
    `ms, ended: ${how}`;
  const label = to - from > 18 ? `<text x="${from + 3}" y="${y + 13}" fill="#fff">${t.token}</text>` : '';
  return `<rect x="${from}" y="${y + 4}" width="${to - from}" height="12" fill="${fill}"><title>${escapeHtml(title)}</title></rect>${label}`;
}

function writeMark(w: WriteView, x: (real: number) => number, y: number): string {
  const colour = COLOURS[w.outcome ?? 'none'];
  const title =
    `${w.wid} token ${w.token}, tick ${new Date(w.tick).toISOString()}, local ${new Date(w.local).toISOString()}: ` +
    `${w.outcome ?? 'no answer (killed)'}`;
  return (
    `<line x1="${x(w.invokeReal)}" y1="${y + 17}" x2="${x(w.invokeReal)}" y2="${y + LANE - 3}" ` +
    `stroke="${colour}" stroke-width="1.5"><title>${escapeHtml(title)}</title></line>`
  );
}
