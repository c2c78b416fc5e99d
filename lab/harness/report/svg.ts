import { escapeHtml } from './escape-html.js';

/** The reports' palette: one meaning, one colour, in every pipeline's page. */
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
  skew: '#00838f',
} as const;

/** A coordinate, to one decimal: enough for a screen, and the SVG stays small. */
export function f(n: number): string {
  return n.toFixed(1);
}

/** A duration in seconds, for labels and tooltips. */
export function sec(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
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
  return band(x0, x1, y, height, 'url(#paused)', title, ` stroke="${COLOR.pause}"`);
}

/** A band of colour across a row (from x0 to x1 px, at least 1 px wide), with its tooltip. */
export function band(
  x0: number,
  x1: number,
  y: number,
  height: number,
  fill: string,
  title: string,
  extra = '',
): string {
  return (
    `<g><title>${escapeHtml(title)}</title><rect x="${f(x0)}" y="${f(y)}" width="${f(Math.max(1, x1 - x0))}" ` +
    `height="${f(height)}" fill="${fill}"${extra}/></g>`
  );
}

/** A row's name at the left of a timeline, and a second, muted line under it. */
export function rowLabel(y: number, name: string, sub?: string): string {
  return `<text x="8" y="${f(y - 2)}" font-weight="600">${escapeHtml(name)}</text>${sub === undefined ? '' : `<text x="8" y="${f(y + 11)}" fill="#888">${escapeHtml(sub)}</text>`}`;
}

/** Where a time axis runs and how it maps time to px. */
export interface SecondsAxis {
  readonly x: (t: number) => number;
  /** The moment labelled `0s`. */
  readonly zero: number;
  readonly end: number;
  /** Grid lines run from `top` to `bottom`; labels sit under `bottom`. */
  readonly top: number;
  readonly bottom: number;
  /** Draw the grid lines, or only the labels (a report that grids on its own events). @default true */
  readonly grid?: boolean;
}

/** Seconds from `zero`, labelled at a round step that keeps labels at least 40 px apart, whatever the run's length. */
export function secondsAxis(axis: SecondsAxis): string[] {
  const pxPerS = axis.x(axis.zero + 1_000) - axis.x(axis.zero);
  const step = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1_800, 3_600].find((s) => s * pxPerS >= 40) ?? 3_600;
  const parts: string[] = [];
  for (let s = 0; axis.zero + s * 1_000 <= axis.end; s += step) {
    const px = f(axis.x(axis.zero + s * 1_000));
    if (axis.grid ?? true)
      parts.push(`<line x1="${px}" y1="${axis.top}" x2="${px}" y2="${axis.bottom}" stroke="${COLOR.grid}"/>`);
    parts.push(`<text x="${px}" y="${axis.bottom + 14}" text-anchor="middle" fill="#666">${s}s</text>`);
  }
  return parts;
}

/** A timeline of lanes stacked under each other (a worker each, and a lane of the run's own above them), time running left to right. */
export interface LaneTimeline {
  /** The times the plot spans; earlier and later ones are drawn at its edges. */
  readonly from: number;
  readonly to: number;
  /** The moment the axis labels `0s`. @default from */
  readonly zero?: number;
  /** Room for the lanes' names, in px, left of the plot. */
  readonly left: number;
  readonly plotWidth: number;
  /** Above the first lane, in px. */
  readonly top: number;
  readonly laneHeight: number;
  readonly lanes: number;
  readonly ariaLabel: string;
  /** Draw the axis's grid lines (a report that grids on its own events says no). @default true */
  readonly grid?: boolean;
}

/**
 * The frame, the time axis, and the mapping from time to px of a lane
 * timeline; `draw` adds the report's own marks, given `x(t)` and the top of
 * lane `i`.
 */
export function laneTimeline(
  layout: LaneTimeline,
  draw: (x: (t: number) => number, laneTop: (i: number) => number) => readonly string[],
): string {
  const span = Math.max(1, layout.to - layout.from);
  const x = (t: number) =>
    layout.left + ((Math.min(Math.max(t, layout.from), layout.to) - layout.from) / span) * layout.plotWidth;
  const laneTop = (i: number) => layout.top + i * layout.laneHeight;
  const height = laneTop(layout.lanes) + 24;
  const axis = secondsAxis({
    x,
    zero: layout.zero ?? layout.from,
    end: layout.to,
    top: layout.top - 6,
    bottom: height - 22,
    grid: layout.grid ?? true,
  });
  return svgFrame(layout.left + layout.plotWidth + 20, height, layout.ariaLabel, [...axis, ...draw(x, laneTop)]);
}

/** One entry of a legend: a swatch (or several, or a thin line for a mark) and what it means. */
export interface LegendItem {
  readonly color: string | readonly string[];
  readonly text: string;
  /** A thin line, for marks drawn as ticks. */
  readonly line?: boolean;
  /** Extra CSS on the swatch (an outline, say). */
  readonly style?: string;
}

/** What a timeline's colours and marks mean, above it. */
export function legend(items: readonly LegendItem[]): string {
  const swatch = (item: LegendItem, color: string) =>
    `<i class="sw${item.line ? ' line' : ''}" style="background:${color}${item.style ? `;${item.style}` : ''}"></i>`;
  const entry = (item: LegendItem) =>
    `<span>${(typeof item.color === 'string' ? [item.color] : item.color).map((c) => swatch(item, c)).join('')}${escapeHtml(item.text)}</span>`;
  return `<p class="legend">${items.map(entry).join('')}</p>`;
}
