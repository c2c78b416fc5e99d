import { benchVerdict, environmentLine, reportGrid, targetLines } from './report-rows.js';
import type { BenchReport } from './run-bench.js';
import { costTerminal } from './report-cost.js';

/**
 * The terminal table: figures down, systems across. A system name with a
 * slash is split over two header lines to keep the columns narrow.
 */
export function terminalTable(report: BenchReport): string {
  const grid = reportGrid(report);
  const header = grid.systems.map((s) => {
    const slash = s.indexOf('/');
    return slash < 0 ? [s, ''] : [s.slice(0, slash), s.slice(slash)];
  });
  const columns = [
    ['figure', '', ...grid.rows.map((r) => r.figure)],
    ['unit', '', ...grid.rows.map((r) => r.unit)],
    ...grid.systems.map((_, i) => [header[i]![0]!, header[i]![1]!, ...grid.rows.map((r) => r.cells[i]!)]),
  ];
  const widths = columns.map((col) => Math.max(...col.map((cell) => cell.length)));
  const lines = columns[0]!.map((_, row) =>
    columns
      .map((col, i) => (i < 2 ? col[row]!.padEnd(widths[i]!) : col[row]!.padStart(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
  lines.splice(2, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  // No system name was split: the second header line is empty.
  if (lines[1]!.trim() === '') lines.splice(1, 1);
  return [
    `Baton bench: ${environmentLine(report)}`,
    '',
    ...lines,
    '',
    ...grid.notes.map((note, i) => `[${i + 1}] ${note}`),
    '',
    'Baton against its targets:',
    ...targetLines(report).map((line) => `  ${line}`),
    '',
    benchVerdict(report).line,
    ...(report.cost ? ['', costTerminal(report.cost)] : []),
  ].join('\n');
}
