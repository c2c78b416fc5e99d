import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The example job's entry, which the demo stack deploys. Two layouts: the sources (`lib/cdk` next to
 * `lambda/`, as run by tsx and vitest) and the compiled package
 * (`dist/lib/cdk` next to `dist/lambda/`). When neither file exists the
 * source path is returned, and `NodejsFunction` reports it as missing.
 */
export function exampleJobEntry(): string {
  const candidates = ['../../lambda/example-job.ts', '../../lambda/example-job.js'].map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
  return candidates.find((path) => existsSync(path)) ?? candidates[0]!;
}

/** Lock files in the order `NodejsFunction` itself prefers them. */
const LOCK_FILES = ['pnpm-lock.yaml', 'yarn.lock', 'bun.lock', 'bun.lockb', 'package-lock.json'];

/**
 * The nearest lock file at or above `fromDir`. `NodejsFunction` otherwise
 * searches from the process's working directory, which makes a synth depend
 * on where it was started; searching from the entry ties the bundle to the
 * project that owns the entry (this repository, or the user's project that
 * installed baton-lease).
 */
export function findLockFile(fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const found = LOCK_FILES.map((name) => join(dir, name)).find((path) => existsSync(path));
    if (found) return found;
    if (dirname(dir) === dir) return undefined;
  }
}
