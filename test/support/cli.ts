import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/**
 * Runs a CLI entry (`bin/baton.ts`, `lab/bin/lab.ts`) from its source as its own process in `cwd`,
 * with the tsconfig.json of its workspace (whose `paths` the lab needs), and collects what it printed.
 */
function runEntry(
  entry: string,
  tsconfig: string,
  args: readonly string[],
  cwd: string,
  env: Env = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const merged: Env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env };
    const child = spawn(TSX, ['--tsconfig', join(ROOT, tsconfig), join(ROOT, entry), ...args], {
      cwd,
      env: Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => ((output += d), (stdout += d)));
    child.stderr.on('data', (d) => ((output += d), (stderr += d)));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output, stdout, stderr }));
  });
}

/** Environment changes for one run: a value sets a variable, `undefined` removes it. */
export type Env = Readonly<Record<string, string | undefined>>;

/** What a run printed: `output` is stdout and stderr interleaved as they came. */
export interface CliRun {
  readonly code: number | null;
  readonly output: string;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the operator CLI, `baton <args>`, as a user would. */
export function runBaton(args: readonly string[], cwd: string, env: Env = {}): Promise<CliRun> {
  return runEntry('bin/baton.ts', 'tsconfig.json', args, cwd, env);
}

/** Runs a lab command (`demo`, `bench`, ...) as `npm run <command>` does. */
export function runLab(args: readonly string[], cwd: string, env: Env = {}): Promise<CliRun> {
  return runEntry('lab/bin/lab.ts', 'lab/tsconfig.json', args, cwd, env);
}

/** Whether a process with this pid exists (signal 0 checks without signalling). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
