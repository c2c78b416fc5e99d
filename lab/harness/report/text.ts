import type { Check } from '../checks.js';

/** `1 kill`, `2 kills`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A terminal summary's closing lines: every check with PASS or FAIL, then the verdict. */
export function checkLines(checks: readonly Check[], ok: boolean): string[] {
  return [
    '',
    ...checks.map((c) => `  ${c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`),
    '',
    ok ? 'All checks passed.' : 'A CHECK FAILED.',
  ];
}
