import { describe, expect, it } from 'vitest';
import { renderReportHtml } from '../../../lib/demo/report-html.js';
import { buildReport, type DemoRunInfo } from '../../../lib/demo/report-json.js';
import { formatSummary } from '../../../lib/demo/summary.js';
import { cleanRun, tickAt } from './evidence-builder.js';

const RUN: DemoRunInfo = {
  seed: 7,
  workers: 3,
  durationS: 16,
  tickS: 1,
  duplicateRate: 0.1,
  functionTimeoutMs: 3_000,
  maxClockSkewMs: 200,
  tableName: 'baton-demo',
  leaseName: 'baton-demo/example-job',
  logDir: '.baton/demo',
  startedAt: tickAt(0),
  endedAt: tickAt(16),
};

describe('buildReport', () => {
  it('leads with the counts the issue names, then ok and the checks', () => {
    const report = buildReport(cleanRun().build(), RUN);
    expect(Object.keys(report).slice(0, 12)).toEqual([
      'ticks',
      'ticksRun',
      'duplicateTicksRun',
      'duplicateDeliveries',
      'takeovers',
      'kills',
      'pauses',
      'staleWritesRejected',
      'staleWritesAccepted',
      'tokenRegressions',
      'ok',
      'checks',
    ]);
    expect(report).toMatchObject({ ticks: 16, ticksRun: 6, duplicateTicksRun: 0, staleWritesAccepted: 0, tokenRegressions: 0, ok: true });
  });

  it('is not ok when a check fails', () => {
    const b = cleanRun();
    b.run('w2', 15, 9, tickAt(15) + 400);
    const report = buildReport(b.build(), RUN);
    expect(report.ok).toBe(false);
    expect(report.duplicateTicksRun).toBe(1);
  });

  it('is not ok when log lines could not be read', () => {
    const report = buildReport(cleanRun().build(), RUN, 2);
    expect(report.ok).toBe(false);
    expect(report.checks.at(-1)).toEqual({ name: 'logs are complete', ok: false, detail: '2 log lines did not parse' });
  });

  it('survives a JSON round trip unchanged', () => {
    const report = buildReport(cleanRun().build(), RUN);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});

describe('renderReportHtml', () => {
  const html = renderReportHtml(buildReport(cleanRun().build(), RUN));

  it('is one self-contained page: no scripts, nothing fetched', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|\bsrc=|url\(http|href="http/i);
  });

  it('draws an SVG timeline with each tenure’s token, the kill, the pause and the refused write', () => {
    const svg = html.slice(html.indexOf('<svg'), html.indexOf('</svg>'));
    expect(svg).toContain('token 6, tick 2026-11-26T06:00:09Z: killed while leading');
    expect(svg).toContain('SIGKILL while leading token 6');
    expect(svg).toContain('SIGSTOP while leading token 3');
    expect(svg).toContain('write with token 3 refused: the ledger&#39;s fence was 4');
    expect(svg).toContain('skipped tick 2026-11-26T06:00:01Z: already done');
    for (const token of [1, 2, 3, 4, 5, 6, 7, 8]) expect(svg).toMatch(new RegExp(`>${token}\\*?</text>`));
  });

  it('says passed, or shows which check failed', () => {
    expect(html).toContain('All checks passed');
    const b = cleanRun();
    b.sample(tickAt(15) + 700, 6);
    const failed = renderReportHtml(buildReport(b.build(), RUN));
    expect(failed).toContain('A check FAILED');
    expect(failed).toMatch(/class="bad">✗<\/td><th>the fence never went backwards/);
  });

  it('escapes what it did not write itself', () => {
    const out = renderReportHtml(buildReport(cleanRun().build(), { ...RUN, leaseName: '<b>x</b>' }));
    expect(out).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(out).not.toContain('<b>x</b>');
  });
});

describe('formatSummary', () => {
  it('lists every check with PASS or FAIL and the measurements', () => {
    const text = formatSummary(buildReport(cleanRun().build(), RUN));
    expect(text).toContain('PASS  every tick ran at most once');
    expect(text).toContain('Follower invocation: 1 request(s)');
    expect(text).toContain('Handover after SIGKILL: p50 4960 ms');
    expect(text.trim().endsWith('All checks passed.')).toBe(true);
  });
});
