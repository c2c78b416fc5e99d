import { allHold, type Check } from '../checks.js';
import { escapeHtml } from './escape-html.js';
import { COLOR } from './svg.js';
import { checksTable } from './tables.js';

/** What every report page shows first: its name, how the run was set up, the verdict and the checks behind it. */
export interface PageHeader {
  /** The `<h1>`; the `<title>` adds the verdict to it. */
  readonly title: string;
  /** One line of how the run was set up, as HTML (escape what the caller did not write). */
  readonly meta: string;
  /** The run's checks: the verdict is that they all held, and they are the page's first section. */
  readonly checks: readonly Check[];
}

export interface PageOptions {
  /** Widest the page grows, in px: a timeline of that width fits without scrolling. @default 1180 */
  readonly maxWidthPx?: number;
  /** CSS only this report needs. */
  readonly style?: string;
}

/**
 * One self-contained report page: inline CSS, no script, nothing fetched, so
 * the file can be mailed or archived with a run and opens the same anywhere.
 * `body` is HTML, placed after the checks.
 */
export function reportPage(header: PageHeader, body: string, options: PageOptions = {}): string {
  const ok = allHold(header.checks);
  const verdict = ok ? 'All checks passed' : 'A check FAILED';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(`${header.title}: ${verdict}`)}</title>
<style>
${pageStyle(ok, options.maxWidthPx ?? 1180)}${options.style ?? ''}</style>
</head>
<body>
<h1>${escapeHtml(header.title)}</h1>
<p><span class="verdict">${escapeHtml(verdict)}</span>
<span class="muted">${header.meta}</span></p>

<h2>Checks</h2>
${checksTable(header.checks)}

${body}
</body>
</html>
`;
}

function pageStyle(ok: boolean, maxWidthPx: number): string {
  return `  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: ${maxWidthPx}px; color: #222; padding: 0 12px; }
  h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; } h3 { font-size: 15px; margin: 18px 0 4px; }
  .verdict { display: inline-block; padding: 3px 10px; border-radius: 4px; color: #fff; background: ${ok ? COLOR.ran : COLOR.killed}; font-weight: 600; }
  table { border-collapse: collapse; margin: 6px 0; } td, th { border-bottom: 1px solid #eee; padding: 3px 12px 3px 0; text-align: left; vertical-align: top; }
  th { font-weight: 600; } td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  .ok { color: ${COLOR.ran}; font-weight: 700; } .bad { color: ${COLOR.killed}; font-weight: 700; }
  .muted { color: #666; } code { background: #f4f4f4; padding: 0 3px; border-radius: 3px; }
  pre { font-size: 12px; background: #f6f6f6; padding: 8px; white-space: pre-wrap; }
  svg text { font: 11px system-ui, sans-serif; } .legend span { margin-right: 16px; white-space: nowrap; display: inline-block; }
  .sw { display: inline-block; width: 12px; height: 12px; vertical-align: -2px; margin-right: 4px; border-radius: 2px; }
  .sw.line { width: 3px; border-radius: 0; }
`;
}
