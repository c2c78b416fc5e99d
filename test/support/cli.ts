import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** Runs a CLI entry of `bin/` from its source as its own process in `cwd`, and collects what it printed. */
function runEntry(entry: string, args: readonly string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [join(ROOT, 'bin', entry), ...args], {
      cwd,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

/** Runs the operator CLI, `baton <args>`, as a user would. */
export function runBaton(args: readonly string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return runEntry('baton.ts', args, cwd);
}

/** Runs a lab command (`demo`, `bench`, ...) as `npm run <command>` does. */
export function runLab(args: readonly string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return runEntry('lab.ts', args, cwd);
}
