import { escapeHtml } from '../harness/report/escape-html.js';
/** One bar: `value: null` draws no bar, only "n/a" and the note as a tooltip. */
export interface Bar {
  readonly label: string;
  readonly value: number | null;
  readonly note?: string;
  /** Drawn in the accent colour (Baton's own bar). */
  readonly accent?: boolean;
}

const WIDTH = 560;
const LABEL_WIDTH = 230;
const VALUE_WIDTH = 90;
const BAR_HEIGHT = 20;
const GAP = 8;
const TOP = 30;

/**
 * A horizontal bar chart as a standalone SVG element: one bar per system,
 * scaled to the largest value, with the value printed after each bar.
 * No script, no external resource.
 */
export function svgBarChart(
  title: string,
  unit: string,
  bars: readonly Bar[],
  format: (value: number) => string,
): string {
  const max = Math.max(0, ...bars.map((b) => b.value ?? 0));
  const plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  const height = TOP + bars.length * (BAR_HEIGHT + GAP) + 4;
  const rows = bars.map((bar, i) => {
    const y = TOP + i * (BAR_HEIGHT + GAP);
    const mid = y + BAR_HEIGHT / 2 + 4;
    const length = bar.value === null || max === 0 ? 0 : Math.max(1, (bar.value / max) * plot);
    const tip = bar.note ? `<title>${escapeHtml(bar.note)}</title>` : '';
    const shape =
      bar.value === null
        ? `<text x="${LABEL_WIDTH + 4}" y="${mid}" class="na">n/a${bar.note ? ' *' : ''}${tip}</text>`
        : `<rect x="${LABEL_WIDTH}" y="${y}" width="${length.toFixed(1)}" height="${BAR_HEIGHT}" class="${bar.accent ? 'bar accent' : 'bar'}">${tip}</rect>` +
          `<text x="${(LABEL_WIDTH + length + 6).toFixed(1)}" y="${mid}" class="value">${escapeHtml(format(bar.value))}${bar.note ? ' *' : ''}</text>`;
    return `<text x="${LABEL_WIDTH - 8}" y="${mid}" text-anchor="end" class="label">${escapeHtml(bar.label)}</text>${shape}`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ` +
      `${height}" role="img" aria-label="${escapeHtml(title)}">`,
    `<text x="0" y="16" class="title">${escapeHtml(title)} <tspan class="unit">(${escapeHtml(unit)})</tspan></text>`,
    ...rows,
    '</svg>',
  ].join('\n');
}
