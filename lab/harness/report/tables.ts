import type { Check } from '../checks.js';
import { escapeHtml } from './escape-html.js';

/** The checks, one row each: a tick or a cross, the name, what it found. */
export function checksTable(checks: readonly Check[]): string {
  return `<table>${checks.map((c) => `<tr><td class="${c.ok ? 'ok' : 'bad'}">${c.ok ? '✓' : '✗'}</td><th>${escapeHtml(c.name)}</th><td>${escapeHtml(c.detail)}</td></tr>`).join('')}</table>`;
}

/** One figure of a report: its field name in the JSON, its value, and what it means. */
export interface Fact {
  readonly key: string;
  readonly value: unknown;
  readonly note?: string;
}

/** Figures as rows of name, value (right-aligned) and meaning; `code` sets the names as code, for names that are JSON fields. */
export function factsTable(facts: readonly Fact[], options: { readonly code?: boolean } = {}): string {
  const name = (key: string) => (options.code ? `<code>${escapeHtml(key)}</code>` : escapeHtml(key));
  const value = (v: unknown) => escapeHtml(typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
  return `<table>${facts.map((f) => `<tr><th>${name(f.key)}</th><td class="n">${value(f.value)}</td><td class="muted">${escapeHtml(f.note ?? '')}</td></tr>`).join('')}</table>`;
}

/**
 * A table with a header row; each cell is HTML (the caller escapes what it did
 * not write), or `{ html, class }` for a cell that needs a class. Nothing when
 * there are no rows, and `title` becomes its `<h2>`.
 */
export function dataTable(
  title: string,
  head: readonly string[],
  rows: readonly (readonly (string | Cell)[])[],
): string {
  if (rows.length === 0) return '';
  const cell = (c: string | Cell) =>
    typeof c === 'string' ? `<td>${c}</td>` : `<td class="${c.class}">${c.html}</td>`;
  return `<h2>${escapeHtml(title)}</h2><table><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>${rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</table>`;
}

/** A table cell with a class (`n` for a number, `ok`, `bad`). */
export interface Cell {
  readonly html: string;
  readonly class: string;
}
