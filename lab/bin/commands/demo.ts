/**
 * `baton demo`: contending Lambda workers on DynamoDB Local, a nemesis that
 * kills and pauses the leader, a live view, and a report with safety checks.
 * `baton demo --elect`: the same for long-lived processes running
 * `leases.elect`. See lab/demo/run-demo.ts, lab/demo/run-elect-demo.ts and
 * docs/demo.md.
 */
import { ELECT_DEMO_USAGE, parseElectDemoArgs } from '../../demo/elect-options.js';
import { DEMO_USAGE, parseDemoArgs } from '../../demo/options.js';
import { runDemo } from '../../demo/run-demo.js';
import { runElectDemo } from '../../demo/run-elect-demo.js';

export async function run(argv: string[]): Promise<number> {
  const elect = argv.includes('--elect');
  const usage = elect
    ? ELECT_DEMO_USAGE
    : `${DEMO_USAGE}\n\n  --elect     long-lived electors instead (baton demo --elect --help)`;
  let options;
  try {
    options = elect ? parseElectDemoArgs(argv) : parseDemoArgs(argv);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (options === 'help') {
    console.log(usage);
    return 0;
  }
  // The SDK's Node.js version notice would land in the middle of the live view; the demo's point is elsewhere.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  // First Ctrl-C: stop the run and clean up (workers, DynamoDB Local). A second one: leave now;
  // the exit hooks still SIGKILL every child.
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) process.exit(130);
    console.error(`\n${signal}: stopping the workers and DynamoDB Local (again to force) ...`);
    interrupt.abort();
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  try {
    const io = { cwd: process.cwd(), out: process.stdout, signal: interrupt.signal };
    const result = 'wallClockUnderSkew' in options ? await runElectDemo(options, io) : await runDemo(options, io);
    if (result === undefined) return 130;
    return result.report.ok ? 0 : 1;
  } catch (error) {
    console.error(`baton demo failed: ${(error as Error).stack ?? String(error)}`);
    return 1;
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
}
