import { benchVerdict, environmentLine, reportGrid, targetLines } from './report-rows.js';
import type { BenchReport } from './run-bench.js';
import { costMarkdown } from './report-cost.js';

/** The table as Markdown, for docs/benchmarks.md (`baton bench --markdown`). */
export function markdownTable(report: BenchReport): string {
  const grid = reportGrid(report);
  const row = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [
    row(['figure', 'unit', ...grid.systems.map((s) => `\`${s}\``)]),
    row(['---', '---', ...grid.systems.map(() => '---:')]),
    ...grid.rows.map((r) => row([`\`${r.figure}\``, r.unit, ...r.cells])),
    '',
    ...grid.notes.map((note, i) => `[${i + 1}] ${note}  `),
    '',
    'Baton against its targets:',
    '',
    ...targetLines(report).map((line) => `- ${line}`),
    '',
    benchVerdict(report).line,
    '',
    `Run: ${environmentLine(report)}`,
    ...(report.cost ? ['', costMarkdown(report.cost)] : []),
  ].join('\n');
}
