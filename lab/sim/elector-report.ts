import { escapeHtml } from '../harness/report/escape-html.js';
import {
  BOUNDS,
  ELECTOR_STUDY_NAMES,
  median,
  runElectorStudies,
  STUDY_DESCRIPTIONS,
  studyReport,
  type ElectorStudyName,
  type StudyResult,
  type StudyRun,
} from './elector-studies.js';
import { LEGEND, PAGE_STYLE, timelineSvg } from './report-html.js';

/** The figures each study's tables show, in column order, with their headers. */
const COLUMNS: Readonly<Record<ElectorStudyName, readonly (readonly [figure: string, header: string])[]>> = {
  'partition-heal': [
    ['healToTopLeaderMs', 'heal → top priority leads, ms'],
    ['messagesHealToTop', 'messages in that time'],
    ['messages', 'messages, whole run'],
    ['overlapMs', 'two leaders, ms'],
    ['staleWritesAccepted', 'stale writes accepted (fenced)'],
  ],
  'rolling-deploy': [
    ['stopToLeaderMs', 'graceful stop → new leader, ms'],
    ['handoffs', 'handoffs'],
    ['handoffMedianMs', 'handoff, median ms'],
    ['handoffMaxMs', 'handoff, max ms'],
    ['gapMaxMs', 'longest gap, ms'],
    ['overlapMs', 'two leaders, ms'],
  ],
  'skew-beyond-bound': [
    ['overlapMs', 'two leaders, ms'],
    ['overlaps', 'overlaps'],
    ['failoverMs', 'cut → new leader, ms'],
    ['staleWritesAcceptedUnfenced', 'stale writes (unfenced)'],
    ['staleWritesAccepted', 'stale writes accepted (fenced)'],
  ],
};

/** `elector, clock-free` -> `elector-clock-free`: a variant as it appears in a docs value key. */
export function variantSlug(variant: string): string {
  return variant.replace(/[^A-Za-z0-9]+/g, '-');
}

const cell = (v: number | null | undefined): string =>
  v === null || v === undefined ? '–' : v.toLocaleString('en-US');

/** One seed's results as Markdown: per study, a table of its figures and the checks of each variant. */
export function formatStudies(results: readonly StudyResult[]): string {
  const parts: string[] = [];
  for (const study of ELECTOR_STUDY_NAMES) {
    const rows = results.filter((r) => r.study === study);
    if (rows.length === 0) continue;
    const columns = COLUMNS[study];
    parts.push(
      `**${study}** (seed ${rows[0]!.seed})`,
      '',
      `| variant | ${columns.map(([, h]) => h).join(' | ')} |`,
      `|---|${columns.map(() => '---:').join('|')}|`,
      ...rows.map((r) => `| ${r.variant} | ${columns.map(([f]) => cell(r.figures[f])).join(' | ')} |`),
      '',
      ...rows.flatMap((r) =>
        r.checks.map((c) => `- ${c.holds ? 'holds' : '**FAILS**'}: ${r.variant}: ${c.claim}: ${c.detail}`),
      ),
      '',
    );
  }
  return parts.join('\n').trimEnd();
}

/** Per study and variant over `seeds`: each figure's median and max, and in how many seeds every check held. */
export function formatStudySeeds(bySeed: readonly (readonly StudyResult[])[]): string {
  const all = bySeed.flat();
  const parts: string[] = [];
  for (const study of ELECTOR_STUDY_NAMES) {
    const variants = [...new Set(all.filter((r) => r.study === study).map((r) => r.variant))];
    if (variants.length === 0) continue;
    const columns = COLUMNS[study];
    parts.push(
      `**${study}**, ${bySeed.length} seeds: median [max]`,
      '',
      `| variant | ${columns.map(([, h]) => h).join(' | ')} | every check held |`,
      `|---|${columns.map(() => '---:').join('|')}|---:|`,
    );
    for (const variant of variants) {
      const runs = all.filter((r) => r.study === study && r.variant === variant);
      const cells = columns.map(([f]) => {
        const s = summary(runs.map((r) => r.figures[f]));
        return s === undefined ? '–' : `${cell(s.median)} [${cell(s.max)}]`;
      });
      parts.push(
        `| ${variant} | ${cells.join(' | ')} | ${runs.filter((r) => r.checks.every((c) => c.holds)).length} ` +
          `of ${runs.length} |`,
      );
    }
    parts.push('');
  }
  return parts.join('\n').trimEnd();
}

interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly total: number;
}

/** Median (rounded), min and max of the figures that were measured; undefined when none was. */
function summary(values: readonly (number | null | undefined)[]): Summary | undefined {
  const xs = values.filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
  if (xs.length === 0) return undefined;
  return {
    median: Math.round(median(xs)!),
    min: xs[0] as number,
    max: xs.at(-1) as number,
    total: xs.reduce((a, b) => a + b, 0),
  };
}

/**
 * What docs/election-lab.md quotes of the studies: two generated blocks
 * (`elector-studies`, seed 1; `elector-seeds`, over `seeds`) and values keyed
 * `elector.seed1.<study>.<variant>.<figure>` and
 * `elector.seeds.<study>.<variant>.<figure>.<median|min|max|total>`, plus
 * `elector.seeds.<study>.<variant>.held`, the seeds in which every check
 * held, and `elector.bounds.<name>`, the bounds the checks apply.
 */
export async function studyDocValues(
  seeds: number,
): Promise<{ blocks: Record<string, string>; values: Record<string, number> }> {
  const bySeed: StudyResult[][] = [];
  for (let seed = 1; seed <= seeds; seed++) bySeed.push(studyReport(seed, await runElectorStudies(seed)).results);
  const values: Record<string, number> = {};
  for (const [name, ms] of Object.entries(BOUNDS)) values[`elector.bounds.${name}`] = ms;
  for (const r of bySeed[0] ?? []) {
    for (const [figure, value] of Object.entries(r.figures))
      if (value !== null) values[`elector.seed1.${r.study}.${variantSlug(r.variant)}.${figure}`] = value;
  }
  const all = bySeed.flat();
  for (const key of new Set(all.map((r) => `${r.study}.${variantSlug(r.variant)}`))) {
    const runs = all.filter((r) => `${r.study}.${variantSlug(r.variant)}` === key);
    values[`elector.seeds.${key}.held`] = runs.filter((r) => r.checks.every((c) => c.holds)).length;
    for (const figure of Object.keys(runs[0]!.figures)) {
      const s = summary(runs.map((r) => r.figures[figure]));
      if (s === undefined) continue;
      for (const stat of ['median', 'min', 'max', 'total'] as const)
        values[`elector.seeds.${key}.${figure}.${stat}`] = s[stat];
    }
  }
  return {
    blocks: { 'elector-studies': formatStudies(bySeed[0] ?? []), 'elector-seeds': formatStudySeeds(bySeed) },
    values,
  };
}

/**
 * `elector-report.html`: one self-contained page (inline CSS and SVG, no
 * scripts) with, per study and variant, its checks, its figures and the
 * run's timeline. A node stopped gracefully shows as down, like a crashed one.
 */
export function renderStudiesHtml(seed: number, runs: readonly StudyRun[]): string {
  const sections = ELECTOR_STUDY_NAMES.filter((study) => runs.some((r) => r.study === study)).map((study) => {
    const variants = runs
      .filter((r) => r.study === study)
      .map((r) => {
        const checks = r.checks
          .map(
            (c) =>
              `<li>${c.holds ? 'holds' : '<b class="bad">FAILS</b>'}: ${escapeHtml(c.claim)}: ${escapeHtml(c.detail)}</li>`,
          )
          .join('');
        const figures = COLUMNS[study].map(([f, h]) => `${h} ${cell(r.figures[f])}`).join(' · ');
        const { cluster } = r.simulation;
        return `<h3>${escapeHtml(r.variant)}</h3><p class="d">${escapeHtml(figures)}</p><ul class="checks">${checks}</ul>
${timelineSvg(cluster.timeline, cluster.nodeIds, cluster.sim.now)}`;
      });
    return `<section id="${study}"><h2>${study} <a class="top" href="#top">top</a></h2><p class="d">${escapeHtml(STUDY_DESCRIPTIONS[study])}</p>\n${variants.join('\n')}</section>`;
  });
  const nav = ELECTOR_STUDY_NAMES.map((s) => `<a href="#${s}">${s}</a>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Baton elector studies, seed ${seed}</title>
${PAGE_STYLE}
<style>ul.checks{margin:2px 0 6px;padding-left:18px;font-size:12px}b.bad{color:#c62828}</style></head><body id="top">
<h1>Elector studies</h1>
<nav>${nav}</nav>
<p>Seed ${seed}, ${runs[0]?.simulation.cluster.nodeIds.length ?? 0} nodes, the real <code>LeaseClient.elect</code> on simulated time. Same seed, same page. What the studies mean: docs/election-lab.md. Grey lanes are nodes that are down, crashed or stopped gracefully.</p>
${LEGEND}
${sections.join('\n')}
</body></html>
`;
}
