import type { Distribution } from './measurements.js';
import type { DemoReport } from './report-json.js';

/** The end-of-run summary for the terminal. Pure. */
export function formatSummary(report: DemoReport): string {
  const m = report.measurements;
  const ms = (d: Distribution) => (d.count === 0 ? 'n/a' : `p50 ${d.p50} ms, max ${d.max} ms (n=${d.count})`);
  const lines = [
    '',
    `Summary: ${report.ticks} ticks, ${report.ticksRun} run; ${report.duplicateDeliveries} duplicate deliveries (${report.details.duplicatesSkipped} skipped as already done);`,
    `         ${report.kills} kills, ${report.pauses} pauses, ${report.takeovers} takeovers; ${report.staleWritesRejected} stale writes refused by the fence.`,
    `Follower invocation: ${m.follower.requests.max ?? 'n/a'} request(s), ${ms(m.follower.ms)}.`,
    `Lease ${m.leaseDurationMs ?? 'n/a'} ms. Handover after SIGKILL: ${ms(m.afterKill.ms)}; after SIGSTOP: ${ms(m.afterPause.ms)}; after a release: ${ms(m.afterRelease.ms)}.`,
    '',
    ...report.checks.map((c) => `  ${c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`),
    '',
    report.ok ? 'All checks passed.' : 'A CHECK FAILED.',
  ];
  return lines.join('\n');
}
