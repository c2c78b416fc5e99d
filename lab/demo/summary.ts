import { checkLines, plural } from '../harness/report/index.js';
import type { Distribution } from './measurements.js';
import type { DemoReport } from './report-json.js';

/** The end-of-run summary for the terminal, in lines that fit 100 columns. Pure. */
export function formatSummary(report: DemoReport): string {
  const m = report.measurements;
  const ms = (d: Distribution) =>
    d.count === 0 ? 'none in this run' : `p50 ${d.p50} ms, max ${d.max} ms (n=${d.count})`;
  const skipped = report.details.duplicatesSkipped;
  const redelivered = report.details.redeliveriesSkipped;
  const lines = [
    '',
    `Summary: ${plural(report.ticks, 'tick')} sent, ${report.ticksRun} run; ${plural(report.duplicateDeliveries, 'duplicate delivery', 'duplicate deliveries')}.`,
    `         ${plural(skipped, 'invocation')} skipped as already done: ${redelivered} ${redelivered === 1 ? 'was a redelivery' : 'were redeliveries'},`,
    `         ${skipped - redelivered} first ${skipped - redelivered === 1 ? 'delivery' : 'deliveries'} ` +
      `that came after the tick's leader had finished.`,
    `         ${plural(report.kills, 'kill')}, ${plural(report.pauses, 'pause')}, ${plural(report.takeovers, 'takeover')}; ` +
      `${plural(report.staleWritesRejected, 'stale write')} refused by the fence.`,
    `Steps: ${plural(report.steps.run, 'step')} run, ${report.steps.replayed} replayed from an ` +
      `earlier tenure's record.`,
    `Follower invocation: ${m.follower.requests.max ?? 'n/a'} request(s), ${ms(m.follower.ms)}.`,
    `Lease: ${m.leaseDurationMs ?? 'n/a'} ms. Handover`,
    `  after SIGKILL:   ${ms(m.afterKill.ms)}`,
    `  after SIGSTOP:   ${ms(m.afterPause.ms)}`,
    `  after a release: ${ms(m.afterRelease.ms)}`,
    ...checkLines(report.checks, report.ok),
  ];
  return lines.join('\n');
}
