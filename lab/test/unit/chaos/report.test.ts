import { describe, expect, it } from 'vitest';
import { checkHistory, propertyChecks, VIOLATION_KINDS } from '../../../chaos/checker.js';
import type { HistoryRecord } from '../../../chaos/history.js';
import { renderHtml } from '../../../chaos/report-html.js';
import { buildReport, formatSummary } from '../../../chaos/report.js';
import { HistoryBuilder, T0 } from './history-builder.js';

const PROXY = {
  requests: 100,
  forwarded: 90,
  delayed: 20,
  latencySpikes: 3,
  connectionResets: 4,
  errorsInjected: 5,
  errorsByType: {
    InternalServerError: 2,
    ServiceUnavailable: 1,
    ProvisionedThroughputExceededException: 1,
    ThrottlingException: 1,
    TransactionConflictException: 0,
  },
  droppedResponses: 6,
};

function campaignHistory() {
  const b = new HistoryBuilder()
    .start('w1', 0)
    .start('w2', 0)
    .acquire('w1', 'w1.0#a', 1, 10)
    .write('w1', 'w1.0#a', 1, 1, 260)
    .kill('w1', 300)
    .acquire('w2', 'w2.0#b', 2, 2_300)
    .write('w2', 'w2.0#b', 2, 10, 2_510)
    .write('w1', 'w1.0#a', 1, 11, 2_700, 'stale');
  const extra: HistoryRecord[] = [
    { type: 'nemesis', action: 'pause', worker: 'w2', inc: 0, durationMs: 100, real: T0 + 3_000 },
    { type: 'nemesis', action: 'resume', worker: 'w2', inc: 0, real: T0 + 3_100 },
    { type: 'nemesis', action: 'skew', worker: 'w2', inc: 0, offsetMs: 50, real: T0 + 3_200 },
    { type: 'nemesis', action: 'network-on', fault: 'drop', durationMs: 500, real: T0 + 3_300 },
    { type: 'proxy-fault', fault: { kind: 'dropped-response', operation: 'UpdateItem' }, real: T0 + 3_400 },
    { type: 'nemesis', action: 'network-off', fault: 'drop', real: T0 + 3_800 },
    { type: 'end', proxy: PROXY, real: T0 + 4_000 },
  ];
  const records = [...b.history(), ...extra].sort((x, y) => x.real - y.real);
  return { records, finalState: b.finalState() };
}

describe('buildReport', () => {
  it('fills the fields of chaos-report.json from the history and the verdict', () => {
    const { records, finalState } = campaignHistory();
    const report = buildReport(records, checkHistory(records, finalState), 12_345);
    expect(report).toMatchObject({
      seed: 1,
      durationS: 60,
      workers: 3,
      tenures: 2,
      faults: {
        kills: 1,
        pauses: 1,
        skewChanges: 1,
        droppedResponses: 6,
        errorsInjected: 5,
        latencySpikes: 3,
        connectionResets: 4,
        networkFaultWindows: 1,
      },
      sideEffectsAccepted: 2,
      staleRejected: 1,
      violations: [],
      mode: 'skew-within-bound',
      unexplainedViolations: 0,
      elapsedS: 12.3,
    });
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    expect(formatSummary(report)).toMatch(/violations: none/);
  });

  it('counts every violation by kind but lists at most 50 of a kind', () => {
    const b = new HistoryBuilder()
      .start('w1', 0)
      .start('w2', 0)
      .acquire('w1', 'w1.0#a', 1, 0)
      .acquire('w2', 'w2.0#b', 2, 2_300);
    b.write('w2', 'w2.0#b', 2, 10, 2_400);
    for (let i = 0; i < 60; i++) b.write('w1', 'w1.0#a', 1, 20 + i, 3_000 + i);
    const records = b.history();
    const report = buildReport(records, checkHistory(records, b.finalState()), 1_000);
    expect(report.violationCounts['stale-write-accepted']).toBe(60);
    expect(report.violations).toHaveLength(50);
    expect(report.unexplainedViolations).toBe(60);
    expect(formatSummary(report)).toMatch(/violations: 60 stale-write-accepted/);
  });

  it('gives one check per property, failed by the kind of violation found', () => {
    const { records, finalState } = campaignHistory();
    const clean = buildReport(records, checkHistory(records, finalState), 1_000);
    expect(clean.checks).toHaveLength(VIOLATION_KINDS.length);
    expect(clean.checks.every((c) => c.ok)).toBe(true);
    const b = new HistoryBuilder()
      .start('w1', 0)
      .start('w2', 0)
      .acquire('w1', 'w1.0#a', 1, 0)
      .acquire('w2', 'w2.0#b', 2, 2_300);
    b.write('w2', 'w2.0#b', 2, 10, 2_400).write('w1', 'w1.0#a', 1, 20, 3_000);
    const broken = buildReport(b.history(), checkHistory(b.history(), b.finalState()), 1_000);
    expect(broken.checks.filter((c) => !c.ok)).toEqual([
      { name: 'no stale write was accepted', ok: false, detail: '1 violation' },
    ]);
  });

  it('does not fail a property on violations a broken assumption explains', () => {
    const explained = {
      kind: 'overlapping-tenures' as const,
      message: 'm',
      explainedBy: 'clock-skew-beyond-bound' as const,
    };
    const check = propertyChecks([explained, explained]).find((c) => c.name === 'no two tenures acted at once');
    expect(check).toEqual({
      name: 'no two tenures acted at once',
      ok: true,
      detail: '2 violations, 2 explained by clock skew beyond the bound',
    });
    expect(propertyChecks([{ ...explained, explainedBy: undefined }]).find((c) => !c.ok)?.name).toBe(
      'no two tenures acted at once',
    );
  });
});

describe('renderHtml', () => {
  it('renders one self-contained page with a lane per worker, tenures, side effects, faults and violations', () => {
    const { records, finalState } = campaignHistory();
    const check = checkHistory(records, finalState);
    const html = renderHtml(buildReport(records, check, 1_000), check, records);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect(html).toContain('>w1</text>');
    expect(html).toContain('>w2</text>');
    expect(html).toContain('token 2');
    expect(html).toContain('SIGKILL w1.0');
    expect(html).toContain('paused (SIGSTOP)');
    expect(html).toContain('dropped-response on UpdateItem');
    expect(html).toContain('No violations.');
    expect(html).toContain('<span class="verdict">All checks passed</span>');
    expect(html).toContain('<tr><td class="ok">✓</td><th>no stale write was accepted</th><td>no violation</td></tr>');
  });

  it('fits its timeline to a 1400 px page, keeps short tenures visible, and shows the report as tables, not JSON', () => {
    const { records, finalState } = campaignHistory();
    const check = checkHistory(records, finalState);
    const html = renderHtml(buildReport(records, check, 1_000), check, records);
    const width = Number(/<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="(\d+)"/.exec(html)?.[1]);
    expect(width).toBeLessThanOrEqual(1352);
    for (const m of html.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="12"/g))
      expect(Number(m[1])).toBeGreaterThanOrEqual(3);
    expect(html).not.toContain('listed above"');
    expect(html).toMatch(
      /<th>unknownOutcomes<\/th><td class="n">\d+<\/td><td class="muted">side effects whose answer never came/,
    );
    expect(html).toMatch(/<th>unresolvedAcquires<\/th>/);
  });

  it('escapes what it prints', () => {
    const { records, finalState } = campaignHistory();
    const check = checkHistory(records, finalState);
    const tampered = {
      ...buildReport(records, check, 1_000),
      violations: [{ kind: 'phantom-write' as const, message: '<b>x</b> & "y"' }],
    };
    const html = renderHtml(tampered, check, records);
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot;');
    expect(html).not.toContain('<b>x</b>');
  });
});
