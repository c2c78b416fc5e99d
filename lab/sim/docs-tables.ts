import { ALGORITHM_NAMES } from './algorithms.js';
import { runLab, runScenario } from './lab.js';
import { studyDocValues } from './elector-report.js';
import { METRIC_NAMES, type Metrics } from './metrics.js';
import type { PaperReport } from './paper.js';
import { buildReport, formatTable } from './report.js';
import { SCENARIO_NAMES } from './scenarios.js';

/**
 * The numbers `docs/election-lab.md` quotes, computed from fresh runs so the
 * page cannot drift from the lab. The page marks each generated part:
 *
 * - a block `<!-- generated:NAME -->` … `<!-- /generated:NAME -->`, replaced
 *   whole (a table);
 * - a value `<!-- value:KEY -->1,234<!-- /value -->` inside prose, where KEY
 *   is `seed1.<algorithm>.<scenario>.<metric>` (the seed-1 table) or
 *   `seeds.<algorithm>.<scenario>.<metric>.<median|max|total|runs>` (over
 *   `DOC_SEEDS` seeds; `runs` counts the runs where the metric was above
 *   zero, `zero` those where it was zero);
 * - the elector studies' blocks and values, from `studyDocValues`
 *   (lab/sim/elector-report.ts), over the same seeds.
 *
 * `npm run sim -- --docs` rewrites the page; a spec fails when it is stale.
 */
export const DOC_SEEDS = 20;

export interface DocValues {
  readonly blocks: Readonly<Record<string, string>>;
  readonly values: Readonly<Record<string, number>>;
}

export async function docValues(paper: PaperReport): Promise<DocValues> {
  const values: Record<string, number> = {};
  const seed1 = await runLab({ seed: 1 });
  for (const r of seed1)
    for (const m of METRIC_NAMES) values[`seed1.${r.algorithm}.${r.scenario}.${m}`] = r.metrics[m] ?? 0;

  const summaryRows: string[] = [];
  for (const algorithm of ALGORITHM_NAMES) {
    for (const scenario of SCENARIO_NAMES) {
      const metrics: Metrics[] = [];
      for (let seed = 1; seed <= DOC_SEEDS; seed++)
        metrics.push((await runScenario({ algorithm, scenario, seed })).metrics);
      for (const m of METRIC_NAMES) {
        const xs = metrics.map((x) => x[m] ?? 0).sort((a, b) => a - b);
        const key = `seeds.${algorithm}.${scenario}.${m}`;
        values[`${key}.median`] = Math.round(
          ((xs[(xs.length - 1) >> 1] as number) + (xs[xs.length >> 1] as number)) / 2,
        );
        values[`${key}.max`] = xs.at(-1) as number;
        values[`${key}.total`] = xs.reduce((a, b) => a + b, 0);
        values[`${key}.runs`] = xs.filter((x) => x > 0).length;
        values[`${key}.zero`] = xs.filter((x) => x === 0).length;
      }
      if (scenario === 'steady') continue;
      const v = (m: string, s: string): string => group(values[`seeds.${algorithm}.${scenario}.${m}.${s}`] as number);
      const runs = (m: string): string => `${v(m, 'runs')} ${v(m, 'runs') === '1' ? 'run' : 'runs'}`;
      const stale = (m: string): string => (v(m, 'total') === '0' ? '0' : `${v(m, 'total')} (${runs(m)})`);
      summaryRows.push(
        `| ${algorithm} / ${scenario} | ${v('failoverMs', 'median')} | ${v('splitBrainMs', 'median')} ` +
          `[${v('splitBrainMs', 'max')}] | ${stale('staleWritesAccepted')} | ${stale('staleWritesAcceptedUnfenced')} ` +
          `|`,
      );
    }
  }
  const elector = await studyDocValues(DOC_SEEDS);
  return {
    values: { ...values, ...elector.values },
    blocks: {
      ...elector.blocks,
      'lab-table': formatTable(buildReport(1, 5, seed1)),
      'seeds-table': [
        '| algorithm / scenario | failover ms | split-brain ms | stale ok, fenced | stale ok, unfenced |',
        '|---|---:|---:|---:|---:|',
        ...summaryRows,
      ].join('\n'),
      'paper-raft': paperRaftTable(paper),
      'paper-messages': paperMessagesTable(paper),
    },
  };
}

function paperRaftTable(paper: PaperReport): string {
  const cell = (v: number | null): string => (v === null ? '–' : group(v));
  const rows = paper.raftElection.map((r) => {
    const p = r.paper;
    const l = r.lab;
    const cut = l.censored > 0 ? `, ${l.censored} cut off at 10 s` : '';
    return (
      `| ${r.timeoutMs[0]}–${r.timeoutMs[1]} | ${cell(p.medianMs)} / ${cell(p.p95Ms)} / ${cell(p.worstMs)} ` +
      `| ${group(l.medianMs)} / ${group(l.p95Ms)} / ${group(l.worstMs)} | ${l.trials}${cut} |`
    );
  });
  return [
    '| timeout ms | paper: median / p95 / worst ms | lab: median / p95 / worst ms | lab trials |',
    '|---|---:|---:|---|',
    ...rows,
  ].join('\n');
}

function paperMessagesTable(paper: PaperReport): string {
  const rows = paper.messages.map(
    (m) =>
      `| ${m.algorithm} | ${m.n} | ${m.case} | ${m.counted} | ${m.textbook ?? '–'} (${m.formula}) ` +
      `| ${m.lab} | ${m.labAll} |`,
  );
  const fit = paper.ringFit.fits
    .map((f) => `c·${f.model}: c = ${f.c}, error ${(f.relativeRmsError * 100).toFixed(1)}%`)
    .join('; ');
  return [
    '| algorithm | n | case | counted | textbook | lab | lab, all |',
    '|---|---:|---|---|---:|---:|---:|',
    ...rows,
    '',
    `Ring average fitted over n = ${paper.ringFit.points.map((p) => p.n).join(', ')} (${paper.ringFit.orders} ` +
      `random orders each), least squares through the origin, relative RMS error: ${fit}.`,
  ].join('\n');
}

/** Thousands separated with commas, as the prose writes numbers. */
function group(n: number): string {
  return n.toLocaleString('en-US');
}

// A block may be empty (a page that was never generated): its markers then sit on consecutive lines.
const BLOCK = /<!-- generated:([a-z0-9-]+) -->\n(?:[\s\S]*?\n)?<!-- \/generated:\1 -->/g;
const VALUE = /<!-- value:([A-Za-z0-9.-]+) -->[^<]*<!-- \/value -->/g;

/** The page with every marked block and value replaced; an unknown name is an error, so a typo cannot hide a stale number. */
export function renderDoc(text: string, doc: DocValues): string {
  return text
    .replace(BLOCK, (_, name: string) => {
      const block = doc.blocks[name];
      if (block === undefined) throw new RangeError(`docs: no generated block "${name}"`);
      return `<!-- generated:${name} -->\n${block}\n<!-- /generated:${name} -->`;
    })
    .replace(VALUE, (_, key: string) => {
      const value = doc.values[key];
      if (value === undefined) throw new RangeError(`docs: no value "${key}"`);
      return `<!-- value:${key} -->${group(value)}<!-- /value -->`;
    });
}
