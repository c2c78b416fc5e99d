import type { AlgorithmName } from './algorithms.js';
import type { LabSettings, RunResult } from './lab.js';
import { METRIC_NAMES, type Metrics } from './metrics.js';
import type { ScenarioName } from './scenarios.js';

/** The machine-readable result: `sim-report.json`. No wall-clock time, so one seed gives one file. */
export interface LabReport {
  readonly seed: number;
  readonly nodes: number;
  /** The knobs the run was given, when any (absent for the stock lab). */
  readonly settings?: LabSettings;
  readonly rows: readonly ReportRow[];
}

export interface ReportRow {
  readonly algorithm: AlgorithmName;
  readonly scenario: ScenarioName;
  readonly metrics: Metrics;
}

export function buildReport(
  seed: number,
  nodes: number,
  results: readonly RunResult[],
  settings?: LabSettings,
): LabReport {
  return {
    seed,
    nodes,
    ...(settings === undefined || Object.keys(settings).length === 0 ? {} : { settings }),
    rows: results.map((r) => ({
      algorithm: r.algorithm,
      scenario: r.scenario,
      // Fixed key order, whatever order the metrics were computed in.
      metrics: Object.fromEntries(METRIC_NAMES.map((name) => [name, r.metrics[name]])) as unknown as Metrics,
    })),
  };
}

/** The report as it is written to disk: stable key order, two-space indent, trailing newline. */
export function serializeReport(report: LabReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export const COLUMNS: readonly { readonly metric: keyof Metrics; readonly header: string }[] = [
  { metric: 'timeToFirstLeaderMs', header: 'first ms' },
  { metric: 'failoverMs', header: 'failover ms' },
  { metric: 'messages', header: 'messages' },
  { metric: 'noLeaderMs', header: 'no-leader ms' },
  { metric: 'splitBrainMs', header: 'split-brain ms' },
  { metric: 'staleWritesAccepted', header: 'stale ok (fenced)' },
  { metric: 'staleWritesAcceptedUnfenced', header: 'stale ok (unfenced)' },
  { metric: 'tenures', header: 'tenures' },
];

/** The comparison table for the terminal (and the Markdown in docs: it is valid GFM). */
export function formatTable(report: LabReport): string {
  const header = ['algorithm', 'scenario', ...COLUMNS.map((c) => c.header)];
  const body = report.rows.map((row) => [
    row.algorithm,
    row.scenario,
    ...COLUMNS.map((c) => formatValue(row.metrics[c.metric])),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join(' | ')} ` +
    `|`;
  const rule = `|${widths.map((w, i) => (i < 2 ? `-${'-'.repeat(w)}-` : `-${'-'.repeat(w)}:`)).join('|')}|`;
  return [line(header), rule, ...body.map(line)].join('\n');
}

export function formatValue(value: number | null): string {
  return value === null ? '-' : String(value);
}
