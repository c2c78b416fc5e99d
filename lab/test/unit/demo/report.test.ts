import { describe, expect, it } from 'vitest';
import { renderReportHtml } from '../../../demo/report-html.js';
import { buildReport, type DemoRunInfo } from '../../../demo/report-json.js';
import { formatSummary } from '../../../demo/summary.js';
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
  it('leads with the headline counts, then ok and the checks', () => {
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
    expect(report).toMatchObject({
      ticks: 16,
      ticksRun: 6,
      duplicateTicksRun: 0,
      staleWritesAccepted: 0,
      tokenRegressions: 0,
      ok: true,
    });
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

  it('counts the steps run and replayed over every invocation', () => {
    expect(buildReport(cleanRun().build(), RUN).steps).toEqual({ run: 12, replayed: 0 });
    // A tenure that resumed a tick at its write step: the entry step is replayed, the write runs.
    const b = cleanRun().outcome('w2', 16, 9, tickAt(16) + 200, 'resumed', 'ran', { steps: { run: 1, replayed: 1 } });
    const report = buildReport(b.build(), RUN);
    expect(report.steps).toEqual({ run: 13, replayed: 1 });
    expect(formatSummary(report)).toContain("Steps: 13 steps run, 1 replayed from an earlier tenure's record.");
    expect(renderReportHtml(report)).toMatch(/<code>steps\.replayed<\/code><\/th><td class="n">1<\/td>/);
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

  it('explains the takeover mark, and keeps the killed bar visible beside its ✕', () => {
    expect(html).toContain('7* takeover');
    const svg = html.slice(html.indexOf('<svg'), html.indexOf('</svg>'));
    const bar = /<title>token 6, [^<]*<\/title><rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/.exec(svg);
    const cross = /<title>SIGKILL while leading token 6<\/title><path d="M([\d.]+) /.exec(svg);
    expect(bar && cross).toBeTruthy();
    expect(Number(cross![1])).toBeGreaterThanOrEqual(Number(bar![1]) + Number(bar![2]));
  });

  it('gives every measurement its unit, requests included', () => {
    expect(html).toMatch(/p50 \d+(\.\d)? ms · p95 \d+(\.\d)? ms · max \d+(\.\d)? ms/);
    expect(html).toContain('p50 1 request · p95 1 request · max 1 request');
  });

  it('counts the axis from the first tick and keeps close ledger labels apart', () => {
    const b = cleanRun();
    // Two more entries 30 ms apart: their labels would overlap on one line.
    b.run('w2', 15, 20, tickAt(15) + 900).run('w3', 15, 21, tickAt(15) + 930);
    const svg = renderReportHtml(buildReport(b.build(), RUN));
    // The ledger's labels are the ones above its dots, at the top of the chart.
    const labels = [
      ...svg.matchAll(
        /<circle cx="[\d.]+" cy="(\d+)" r="4"[^>]*\/><text x="([\d.]+)" y="([\d.]+)" text-anchor="middle" fill="#333">(2[01])<\/text>/g,
      ),
    ].map((m) => [m[2], m[3]]);
    expect(labels).toHaveLength(2);
    expect(labels[0]![1]).not.toBe(labels[1]![1]);
    expect(svg).toMatch(/>0s<\/text>/);
    expect(svg).not.toMatch(/>-\d+s<\/text>/);
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
    expect(text).toContain('after SIGKILL:   p50 4960 ms');
    expect(text).toContain('1 kill, 1 pause, 2 takeovers; 1 stale write refused');
    expect(text).toContain('1 invocation skipped as already done: 1 was a redelivery,');
    for (const line of text.split('\n').filter((l) => !l.includes('PASS')))
      expect(line.length, line).toBeLessThanOrEqual(100);
    expect(text.trim().endsWith('All checks passed.')).toBe(true);
  });
});
