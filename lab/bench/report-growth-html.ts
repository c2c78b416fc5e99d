import { escapeHtml } from '../harness/report/escape-html.js';
import type { SystemName } from './registry.js';
import { formatNumber } from './report-rows.js';
import type { BenchReport } from './run-bench.js';
import { svgBarChart } from './svg-bar-chart.js';
import { svgLineChart, type Series } from './svg-line-chart.js';

interface Chart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly logX?: boolean;
  readonly series: readonly Series[];
  readonly caption: string;
}

/** One series per system of `points`, y taken by `y`, x by `x`. */
function bySystem<P extends { readonly system: SystemName }>(
  points: readonly P[],
  x: (p: P) => number,
  y: (p: P) => number | null,
): Series[] {
  const systems = [...new Set(points.map((p) => p.system))];
  return systems.map((system) => ({
    label: system,
    accent: system === 'baton',
    points: points.filter((p) => p.system === system).map((p) => [x(p), y(p)] as const),
  }));
}

/** The growth figures of `report` as `<figure>` elements with SVG line charts. */
export function growthFigures(report: BenchReport): string[] {
  const { leases, contenders, coldStart, soak } = report.growth;
  const held = (p: { leases: number }) => p.leases;
  const count = (p: { contenders: number }) => p.contenders;
  const heap = leases.filter((p) => p.heapBytesPerLease !== null);
  const charts: Chart[] = [
    {
      title: 'Renew p50 by leases held',
      xLabel: 'leases held in one process',
      yLabel: 'ms',
      logX: true,
      series: bySystem(leases, held, (p) => p.p50Ms),
      caption:
        'Median renew latency with that many leases held and renewed by 8 workers on one client. Lower is better.',
    },
    {
      title: 'Renew p99 by leases held',
      xLabel: 'leases held in one process',
      yLabel: 'ms',
      logX: true,
      series: bySystem(leases, held, (p) => p.p99Ms),
      caption: '99th percentile of the same renewals. Lower is better.',
    },
    {
      title: 'Renew throughput by leases held',
      xLabel: 'leases held in one process',
      yLabel: 'renews/s',
      logX: true,
      series: bySystem(leases, held, (p) => p.renewsPerS),
      caption: 'Renewals per second by 8 concurrent workers. Higher is better.',
    },
    {
      title: 'Requests per renew by leases held',
      xLabel: 'leases held in one process',
      yLabel: 'requests',
      logX: true,
      series: bySystem(leases, held, (p) => p.requestsPerRenew),
      caption: 'Requests counted on the wire over renewals made. Must stay 1.',
    },
    {
      title: 'Heap per held lease',
      xLabel: 'leases held in one process',
      yLabel: 'bytes',
      logX: true,
      series: bySystem(heap, held, (p) => p.heapBytesPerLease),
      caption:
        "Live heap added per held lease after full collections: the library's objects and timers, and " +
        "the bench's handle on each. Lower is better.",
    },
    {
      title: 'Time until all contenders answered',
      xLabel: 'contenders per lease',
      yLabel: 'ms',
      logX: true,
      series: bySystem(contenders, count, (p) => p.allAnsweredMs),
      caption:
        'From the start of the race until the last contender had its answer (median of the rounds). Lower is better.',
    },
    {
      title: 'Requests per contender per attempt',
      xLabel: 'contenders per lease',
      yLabel: 'requests',
      logX: true,
      series: bySystem(contenders, count, (p) => p.requestsPerContender),
      caption: 'Requests all contenders sent until answered, over contenders and rounds. 1 is the floor.',
    },
  ];
  if (soak) {
    const minutes = (p: { atS: number }) => round1(p.atS / 60);
    charts.push(
      {
        title: 'Soak: live heap over time',
        xLabel: 'minutes',
        yLabel: 'MiB',
        series: [
          {
            label: 'baton',
            accent: true,
            points: soak.samples.map((p) => [minutes(p), round1(p.heapBytes / 2 ** 20)] as const),
          },
        ],
        caption:
          `Live heap after full collections while ${soak.loop} renews. Slope after the first tenth: ${soak.heapSlopeBytesPerMin} ` +
          `bytes per minute. Flat is the goal.`,
      },
      {
        title: 'Soak: open handles over time',
        xLabel: 'minutes',
        yLabel: 'handles',
        series: [{ label: 'baton', accent: true, points: soak.samples.map((p) => [minutes(p), p.handles] as const) }],
        caption:
          `Resources keeping the event loop alive (sockets, timers). Slope: ${soak.handlesSlopePerMin} ` +
          `per minute. Flat is the goal.`,
      },
      {
        title: 'Soak: renew p99 per minute',
        xLabel: 'minute',
        yLabel: 'ms',
        series: [
          { label: 'baton', accent: true, points: soak.perMinute.map((p) => [p.minute, p.p99RenewMs] as const) },
        ],
        caption: `99th percentile of each minute's renewals (${soak.renews} in all, ${soak.failures} failures).`,
      },
    );
  }
  const lines = charts
    .filter((c) => c.series.some((s) => s.points.length > 0))
    .map((c) =>
      [
        '<figure>',
        svgLineChart(c, formatNumber),
        `<figcaption>${escapeHtml(c.caption)}</figcaption>`,
        '</figure>',
      ].join('\n'),
    );
  if ('skipped' in coldStart)
    return [...lines, `<p>No Lambda cold-start figure: ${escapeHtml(coldStart.skipped)}.</p>`];
  const bars = (['baton', 'bare'] as const).map((side) => ({
    label: side === 'baton' ? 'baton (cdk synth bundle)' : 'bare UpdateItem handler',
    value: coldStart[side].totalMs,
    note:
      `import ${coldStart[side].importMs} ms + first invocation ${coldStart[side].firstInvocationMs} ` +
      `ms; bundle ${coldStart[side].bundleBytes} bytes`,
    accent: side === 'baton',
  }));
  const caption =
    `Import plus first invocation in a fresh Node ${coldStart.node} process, median of ${coldStart.trials}: ` +
    `${coldStart.ratio}x the bare handler. Lower is better.`;
  return [
    ...lines,
    [
      '<figure>',
      svgBarChart('Lambda cold start', 'ms', bars, formatNumber),
      `<figcaption>${escapeHtml(caption)}</figcaption>`,
      '</figure>',
    ].join('\n'),
  ];
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
