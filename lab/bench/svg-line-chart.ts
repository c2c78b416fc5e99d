import { escapeHtml } from '../harness/report/escape-html.js';

/** One line: its points in x order; a null y leaves a gap. */
export interface Series {
  readonly label: string;
  readonly points: readonly (readonly [x: number, y: number | null])[];
  /** Drawn in the accent colour (Baton's own line). */
  readonly accent?: boolean;
}

export interface LineChart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  /** A logarithmic x axis, for counts growing by orders of magnitude. */
  readonly logX?: boolean;
}

const WIDTH = 560;
const HEIGHT = 300;
const LEFT = 64;
const RIGHT = 150;
const TOP = 30;
const BOTTOM = 42;
/** Colours of the non-accent lines, in turn. */
const PALETTE = ['#8c9bb5', '#d08c2f', '#5aa469', '#a35dbf', '#c0504d'];

/**
 * A line chart as a standalone SVG element: one line per series, each point
 * marked and labelled on hover, ticks at the measured x values, y from 0 to
 * the largest value. No script, no external resource.
 */
export function svgLineChart(chart: LineChart, format: (value: number) => string): string {
  const xs = [...new Set(chart.series.flatMap((s) => s.points.map(([x]) => x)))].sort((a, b) => a - b);
  const ys = chart.series.flatMap((s) => s.points.map(([, y]) => y)).filter((y): y is number => y !== null);
  const step = niceStep(Math.max(0, ...ys) / 4);
  const maxY = Math.max(1, Math.ceil(Math.max(0, ...ys) / step)) * step;
  const fx = chart.logX ? (x: number) => Math.log10(Math.max(x, 1e-9)) : (x: number) => x;
  const [x0, x1] = [fx(xs[0] ?? 0), fx(xs[xs.length - 1] ?? 1)];
  const plotW = WIDTH - LEFT - RIGHT;
  const plotH = HEIGHT - TOP - BOTTOM;
  const px = (x: number) => LEFT + (x1 === x0 ? plotW / 2 : ((fx(x) - x0) / (x1 - x0)) * plotW);
  const py = (y: number) => TOP + plotH - (y / maxY) * plotH;
  const xTicks = xs.map(
    (x) =>
      `<line x1="${px(x).toFixed(1)}" y1="${TOP + plotH}" x2="${px(x).toFixed(1)}" y2="${TOP + plotH + 4}" class="axis"/>` +
      `<text x="${px(x).toFixed(1)}" y="${TOP + plotH + 16}" text-anchor="middle" class="tick">${escapeHtml(format(x))}</text>`,
  );
  const yTicks = Array.from({ length: Math.round(maxY / step) + 1 }, (_, i) => {
    const y = i * step;
    return (
      `<line x1="${LEFT}" y1="${py(y).toFixed(1)}" x2="${LEFT + plotW}" y2="${py(y).toFixed(1)}" class="grid"/>` +
      `<text x="${LEFT - 6}" y="${(py(y) + 4).toFixed(1)}" text-anchor="end" class="tick">${escapeHtml(format(Math.round(y * 100) / 100))}</text>`
    );
  });
  let other = 0;
  const lines = chart.series.map((series, i) => {
    const colour = series.accent ? '#2f6fde' : PALETTE[other++ % PALETTE.length]!;
    const segments: string[][] = [[]];
    for (const [x, y] of series.points) {
      if (y === null) segments.push([]);
      else segments[segments.length - 1]!.push(`${px(x).toFixed(1)},${py(y).toFixed(1)}`);
    }
    const paths = segments
      .filter((s) => s.length > 1)
      .map(
        (s) =>
          `<polyline points="${s.join(' ')}" fill="none" stroke="${colour}" stroke-width="${series.accent ? 2.5 : 1.5}"/>`,
      );
    const marks = series.points
      .filter((p): p is readonly [number, number] => p[1] !== null)
      .map(
        ([x, y]) =>
          `<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${colour}"><title>${escapeHtml(`${series.label}: ${format(y)} at ${format(x)}`)}</title></circle>`,
      );
    const legendY = TOP + 10 + i * 18;
    const legend =
      `<line x1="${WIDTH - RIGHT + 12}" y1="${legendY - 4}" x2="${WIDTH - RIGHT + 30}" y2="${legendY - 4}" stroke="${colour}" stroke-width="2.5"/>` +
      `<text x="${WIDTH - RIGHT + 34}" y="${legendY}" class="label">${escapeHtml(series.label)}</text>`;
    return [...paths, ...marks, legend].join('');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ` +
      `${HEIGHT}" role="img" aria-label="${escapeHtml(chart.title)}">`,
    `<text x="0" y="16" class="title">${escapeHtml(chart.title)} <tspan class="unit">(${escapeHtml(chart.yLabel)})</tspan></text>`,
    ...yTicks,
    `<line x1="${LEFT}" y1="${TOP + plotH}" x2="${LEFT + plotW}" y2="${TOP + plotH}" class="axis"/>`,
    ...xTicks,
    `<text x="${LEFT + plotW / 2}" y="${HEIGHT - 6}" text-anchor="middle" class="label">${escapeHtml(chart.xLabel)}${chart.logX ? ' (log scale)' : ''}</text>`,
    ...lines,
    '</svg>',
  ].join('\n');
}

/** A round tick step near `rough`: 1, 2, 2.5 or 5 times a power of ten. */
function niceStep(rough: number): number {
  if (!(rough > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(rough));
  return power * ([1, 2, 2.5, 5, 10].find((m) => m * power >= rough) ?? 10);
}
