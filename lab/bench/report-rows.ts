import type { SystemName } from './registry.js';
import type { BenchReport } from './run-bench.js';
import { FIGURES, type FigureName } from './result.js';

/** The report as a grid: one row per figure, one column per system; notes numbered once. */
export interface ReportGrid {
  readonly systems: readonly SystemName[];
  readonly rows: readonly { readonly figure: FigureName; readonly unit: string; readonly cells: readonly string[] }[];
  /** `figure (systems): note`, numbered in order of first use; one per distinct note of a figure. */
  readonly notes: readonly string[];
}

/** Lays out `report.results` for the terminal table and the markdown table of docs/benchmarks.md. */
export function reportGrid(report: BenchReport): ReportGrid {
  const systems = report.params.systems;
  // The same note on one figure for several systems is listed once.
  const notes = new Map<string, { figure: FigureName; note: string; systems: SystemName[] }>();
  const rows = (Object.keys(FIGURES) as FigureName[]).map((figure) => ({
    figure,
    unit: FIGURES[figure],
    cells: systems.map((system) => {
      const r = report.results.find((x) => x.system === system && x.figure === figure);
      if (!r) return '';
      const text = r.value === null ? 'n/a' : formatNumber(r.value);
      if (r.note === undefined) return text;
      const key = `${figure}\n${r.note}`;
      const entry = notes.get(key) ?? { figure, note: r.note, systems: [] };
      entry.systems.push(system);
      notes.set(key, entry);
      return `${text} [${[...notes.keys()].indexOf(key) + 1}]`;
    }),
  }));
  return { systems, rows, notes: [...notes.values()].map((n) => `${n.figure} (${n.systems.join(', ')}): ${n.note}`) };
}

/** Integers as they are (with thousands separators from 10,000), other values to two decimals. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return Math.abs(value) >= 10_000 ? value.toLocaleString('en-US') : String(value);
  return value.toFixed(2);
}

/** One line per target: PASS, MISS or n/a, the value against its bound, both in the target's unit. */
export function targetLines(report: BenchReport): string[] {
  return report.targets.map((t) => {
    const verdict = t.met === null ? 'n/a ' : t.met ? 'PASS' : 'MISS';
    return `${verdict}  ${t.target}: ${withUnit(t.value, t.unit)} (bound ${withUnit(t.bound, t.unit)}; ${t.basis})`;
  });
}

/** A target's value or bound with its unit, or `n/a`. */
export function withUnit(value: number | string | null, unit: string): string {
  return value === null ? 'n/a' : `${value} ${unit}`;
}

/**
 * The run's verdict on Baton's targets, in one line. `ok` is what the exit
 * status reports (docs/decisions/bench-method.md): false when any target was
 * missed; a target the run could not check (n/a) does not fail it.
 */
export function benchVerdict(report: BenchReport): { readonly ok: boolean; readonly line: string } {
  const missed = report.targets.filter((t) => t.met === false);
  const unchecked = report.targets.filter((t) => t.met === null);
  const met = report.targets.length - missed.length - unchecked.length;
  const notChecked =
    unchecked.length === 0 ? '' : `; ${unchecked.length} not checked (a figure this run lacks, see n/a above)`;
  if (missed.length === 0)
    return { ok: true, line: `Verdict: ${met} of ${report.targets.length} targets met${notChecked}.` };
  const load = report.params.environment.loadAverage1m;
  return {
    ok: false,
    line:
      `Verdict: ${missed.length} of ${report.targets.length} targets MISSED (${missed.map((t) => t.target).join('; ')})${notChecked}. ` +
      `Timing targets need a quiet machine: the load average was ${load.start} at the start and ${load.end ?? 'n/a'} ` +
      `at the end.`,
  };
}

/** Mode, time and machine of the run, in one line. */
export function environmentLine(report: BenchReport): string {
  const e = report.params.environment;
  return (
    `${report.params.mode} run, ${report.params.startedAt}, ${report.params.elapsedS} s: Node ${e.node}, ` +
    `${e.os}, ${e.cpus} x ${e.cpuModel}, ${e.memoryGiB} GiB, load average ${e.loadAverage1m.start} ` +
    `at start and ${e.loadAverage1m.end ?? 'n/a'} at end, ${e.dynamodbLocal}, ${e.awsSdk}`
  );
}
