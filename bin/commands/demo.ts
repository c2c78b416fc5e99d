/**
 * `baton demo`: contending Lambda workers on DynamoDB Local, a nemesis that
 * kills and pauses the leader, a live view, and a report with safety checks.
 * See lib/demo/run-demo.ts and the README's "The demo".
 */
import { DEMO_USAGE, parseDemoArgs } from '../../lib/demo/options.js';
import { runDemo } from '../../lib/demo/run-demo.js';

export async function run(argv: string[]): Promise<number> {
  let options;
  try {
    options = parseDemoArgs(argv);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${DEMO_USAGE}`);
    return 2;
  }
  if (options === 'help') {
    console.log(DEMO_USAGE);
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
    const result = await runDemo(options, { cwd: process.cwd(), out: process.stdout, signal: interrupt.signal });
    if (result === undefined) return 130;
    return result.report.ok ? 0 : 1;
  } catch (error) {
    console.error(`baton demo failed: ${(error as Error).stack ?? String(error)}`);
    return 1;
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
}
