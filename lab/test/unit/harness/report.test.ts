import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkLines,
  checksTable,
  COLOR,
  dataTable,
  escapeHtml,
  factsTable,
  laneTimeline,
  legend,
  plural,
  reportPage,
  secondsAxis,
  svgFrame,
  writeReportFiles,
} from '../../../harness/report/index.js';

const PASSED = [{ name: 'ticks ran', ok: true, detail: '6 of 16' }];
const FAILED = [...PASSED, { name: 'no stale write was accepted', ok: false, detail: 'token 3 after 4' }];
const HEADER = { title: 'Baton x report', meta: 'seed <code>7</code>', checks: PASSED };

describe('reportPage', () => {
  it('is one self-contained page: no script, nothing fetched', () => {
    const html = reportPage(HEADER, `<h2>Timeline</h2>${svgFrame(100, 50, 'timeline', [])}`);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|\bsrc=|url\(http|href="http/i);
    expect(html).toContain('<title>Baton x report: All checks passed</title>');
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('gives the verdict of the checks, then the checks, then the body', () => {
    const failed = reportPage({ ...HEADER, checks: FAILED }, '<h2>Timeline</h2>');
    expect(failed).toContain('<span class="verdict">A check FAILED</span>');
    expect(failed).toMatch(
      /verdict[\s\S]*<h2>Checks<\/h2>\n<table><tr><td class="ok">✓<\/td><th>ticks ran[\s\S]*<td class="bad">✗<\/td><th>no stale write was accepted[\s\S]*<h2>Timeline<\/h2>/,
    );
    expect(reportPage(HEADER, '')).toContain('<span class="verdict">All checks passed</span>');
  });

  it('colours the verdict badge by the verdict', () => {
    const badge = (checks: typeof PASSED) =>
      /\.verdict \{[^}]*background: ([^;]+);/.exec(reportPage({ ...HEADER, checks }, ''))?.[1];
    expect(badge(PASSED)).toBe(COLOR.ran);
    expect(badge(FAILED)).toBe(COLOR.killed);
  });

  it('escapes the title, and takes the meta line as HTML', () => {
    const html = reportPage({ ...HEADER, title: '<b>t</b>' }, '');
    expect(html).toContain('<h1>&lt;b&gt;t&lt;/b&gt;</h1>');
    expect(html).toContain('seed <code>7</code>');
  });

  it('grows as wide as the report asks, for a timeline that must not scroll', () => {
    expect(reportPage(HEADER, '')).toContain('max-width: 1180px');
    expect(reportPage(HEADER, '', { maxWidthPx: 1340, style: '  .x { color: red; }\n' })).toMatch(
      /max-width: 1340px[\s\S]*\.x \{ color: red; \}/,
    );
  });
});

describe('checksTable', () => {
  it('gives each check a tick or a cross, its name and its detail, escaped', () => {
    const html = checksTable([
      { name: 'holds', ok: true, detail: '3 < 4' },
      { name: 'fails', ok: false, detail: 'x' },
    ]);
    expect(html).toContain('<tr><td class="ok">✓</td><th>holds</th><td>3 &lt; 4</td></tr>');
    expect(html).toContain('<tr><td class="bad">✗</td><th>fails</th><td>x</td></tr>');
  });
});

describe('factsTable', () => {
  it('rights-align values, prints objects as JSON, and escapes all three columns', () => {
    const html = factsTable([
      { key: 'kills', value: 2, note: 'a < b' },
      { key: 'lease', value: { token: 3 } },
    ]);
    expect(html).toContain('<tr><th>kills</th><td class="n">2</td><td class="muted">a &lt; b</td></tr>');
    expect(html).toContain('<td class="n">{&quot;token&quot;:3}</td><td class="muted"></td>');
  });

  it('sets the names as code when they are JSON fields', () => {
    expect(factsTable([{ key: 'steps.run', value: 1 }], { code: true })).toContain('<th><code>steps.run</code></th>');
  });
});

describe('dataTable', () => {
  it('is nothing without rows', () => {
    expect(dataTable('Pauses', ['worker'], [])).toBe('');
  });

  it('has a heading, a header row, and cells with their classes', () => {
    const html = dataTable('Pauses', ['worker', 'token'], [['w1', { html: '3', class: 'n' }]]);
    expect(html).toBe(
      '<h2>Pauses</h2><table><tr><th>worker</th><th>token</th></tr><tr><td>w1</td><td class="n">3</td></tr></table>',
    );
  });
});

describe('secondsAxis', () => {
  const labels = (parts: string[]) =>
    parts.flatMap((p) =>
      [...p.matchAll(/<text x="([\d.]+)"[^>]*>(\d+)s<\/text>/g)].map((m) => ({ x: Number(m[1]), s: Number(m[2]) })),
    );

  it('labels seconds from zero at a round step, labels at least 40 px apart, however long the run', () => {
    for (const spanS of [4, 17, 60, 900, 7_200]) {
      const x = (t: number) => 100 + (t / (spanS * 1_000)) * 1_000;
      const found = labels(secondsAxis({ x, zero: 0, end: spanS * 1_000, top: 0, bottom: 100 }));
      expect(found[0], `${spanS} s`).toEqual({ x: 100, s: 0 });
      for (let i = 1; i < found.length; i++)
        expect(found[i]!.x - found[i - 1]!.x, `${spanS} s`).toBeGreaterThanOrEqual(40);
      expect(found.at(-1)!.s, `${spanS} s`).toBeLessThanOrEqual(spanS);
      expect(found.length, `${spanS} s`).toBeGreaterThan(1);
    }
  });

  it('draws grid lines unless told not to', () => {
    const x = (t: number) => t / 10;
    expect(secondsAxis({ x, zero: 0, end: 2_000, top: 0, bottom: 50 }).some((p) => p.startsWith('<line'))).toBe(true);
    expect(
      secondsAxis({ x, zero: 0, end: 2_000, top: 0, bottom: 50, grid: false }).some((p) => p.startsWith('<line')),
    ).toBe(false);
  });
});

describe('laneTimeline', () => {
  const layout = {
    from: 1_000,
    to: 11_000,
    left: 100,
    plotWidth: 1_000,
    top: 30,
    laneHeight: 34,
    lanes: 3,
    ariaLabel: 'a < b',
  };

  it('sizes the frame to its lanes and maps the span onto the plot, clamping what lies outside', () => {
    let seen: number[] = [];
    const svg = laneTimeline(layout, (x, laneTop) => {
      seen = [x(1_000), x(6_000), x(11_000), x(0), x(99_000), laneTop(0), laneTop(2)];
      return ['<g id="mine"/>'];
    });
    expect(seen).toEqual([100, 600, 1_100, 100, 1_100, 30, 98]);
    expect(svg).toMatch(
      /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="1120" height="156" viewBox="0 0 1120 156" role="img" aria-label="a &lt; b">/,
    );
    expect(svg).toContain('<g id="mine"/>');
    expect(svg).toMatch(/>0s<\/text>[\s\S]*>10s<\/text>/);
  });
});

describe('legend', () => {
  it('draws a swatch per colour, a thin one for marks, and escapes the text', () => {
    const html = legend([
      { color: ['#111', '#222'], text: 'a < b' },
      { color: '#333', text: 'mark', line: true },
    ]);
    expect(html).toBe(
      '<p class="legend"><span><i class="sw" style="background:#111"></i><i class="sw" style="background:#222"></i>a ' +
        '&lt; b</span><span><i class="sw line" style="background:#333"></i>mark</span></p>',
    );
  });
});

describe('escapeHtml', () => {
  it('escapes the five characters that matter in content and attributes', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('checkLines and plural', () => {
  it('list every check with PASS or FAIL, then the verdict', () => {
    const lines = checkLines(
      [
        { name: 'a', ok: true, detail: 'fine' },
        { name: 'b', ok: false, detail: 'broken' },
      ],
      false,
    );
    expect(lines).toEqual(['', '  PASS  a: fine', '  FAIL  b: broken', '', 'A CHECK FAILED.']);
    expect(checkLines([], true).at(-1)).toBe('All checks passed.');
  });

  it('say 1 kill and 2 kills', () => {
    expect(plural(1, 'kill')).toBe('1 kill');
    expect(plural(2, 'kill')).toBe('2 kills');
    expect(plural(2, 'delivery', 'deliveries')).toBe('2 deliveries');
  });
});

describe('writeReportFiles', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes <stem>.json, indented and ending in a newline, and <stem>.html beside it', () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-report-'));
    const report = { ok: true, checks: [{ name: 'a', ok: true, detail: 'd' }] };
    const written = writeReportFiles(dir, 'x-report', report, '<!doctype html>');
    expect(written).toEqual({ report, jsonPath: join(dir, 'x-report.json'), htmlPath: join(dir, 'x-report.html') });
    const json = readFileSync(written.jsonPath, 'utf8');
    expect(json).toBe(`${JSON.stringify(report, null, 2)}\n`);
    expect(JSON.parse(json)).toEqual(report);
    expect(readFileSync(written.htmlPath, 'utf8')).toBe('<!doctype html>');
  });
});
