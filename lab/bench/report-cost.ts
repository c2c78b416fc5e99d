import type { CostFigure } from './figures/cost.js';
import { pricesLine } from './prices.js';

/** The cost figure as table rows: item, system, units, dollars a month (on-demand, provisioned). */
function costRows(cost: CostFigure): string[][] {
  const units = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(n < 10 ? 2 : 0));
  const dollars = (n: number) => `$${n < 0.01 ? n.toFixed(5) : n.toFixed(2)}`;
  return cost.rows.map((r) => [
    r.item,
    r.system,
    r.units ? units(r.units.write) : 'n/a',
    r.units ? units(r.units.read) : 'n/a',
    r.dollars ? dollars(r.dollars.onDemand) : '',
    r.dollars ? dollars(r.dollars.provisioned) : '',
    r.units ? '' : (r.note ?? ''),
  ]);
}

const HEADER = ['item', 'system', 'write units', 'read units', 'on-demand $/month', 'provisioned $/month', 'note'];

/** Lines under the cost table: prices, the rules used instead of Local's answers, waiters measured, item sizes. */
function costNotes(cost: CostFigure): string[] {
  return [
    `Prices: ${pricesLine()}.`,
    ...cost.rules,
    `Baton's waiters measured live (units per poll after the first): ${cost.waiterPolls.map((w) => `${w.variant} ${w.units.write} WCU + ${w.units.read} RCU over ${w.polls} polls`).join('; ')}.`,
    `Lease item bytes: ${Object.entries(cost.itemBytes)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')} (one write unit is 1024).`,
  ];
}

/** The cost table for the terminal. */
export function costTerminal(cost: CostFigure): string {
  const rows = [HEADER, ...costRows(cost)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) =>
    r
      .map((c, i) => (i < 2 || i === 6 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return ['What a lease costs:', '', ...lines, '', ...costNotes(cost)].join('\n');
}

/** The cost table as Markdown. */
export function costMarkdown(cost: CostFigure): string {
  const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [
    row(HEADER),
    row(['---', '---', '---:', '---:', '---:', '---:', '---']),
    ...costRows(cost).map((r) => row([r[0]!, `\`${r[1]}\``, ...r.slice(2)])),
    '',
    ...costNotes(cost).map((n) => `- ${n}`),
  ].join('\n');
}
