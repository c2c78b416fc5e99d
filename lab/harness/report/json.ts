import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where a report's two files went. */
export interface ReportFiles<R> {
  readonly report: R;
  readonly jsonPath: string;
  readonly htmlPath: string;
}

/**
 * Writes `<stem>.json` (the report, two-space indented, with a final newline,
 * so a diff of two runs reads line by line) and `<stem>.html` into `dir`.
 */
export function writeReportFiles<R>(dir: string, stem: string, report: R, html: string): ReportFiles<R> {
  const jsonPath = join(dir, `${stem}.json`);
  const htmlPath = join(dir, `${stem}.html`);
  writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(htmlPath, html);
  return { report, jsonPath, htmlPath };
}
