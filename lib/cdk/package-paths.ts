import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { libDir } from '../dialect/lib-dir.js';

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

/**
 * Whether `NodejsFunction` will find esbuild, looking where it looks: a
 * package resolvable from aws-cdk-lib, else an `esbuild` on PATH. Without one
 * it would silently fall back to bundling in Docker. `fromModule` (the module
 * aws-cdk-lib is resolved from) and `path` are this package's and the
 * process's; tests pass others.
 */
export function esbuildAvailable(
  fromModule = join(libDir, 'cdk', 'package-paths.js'),
  path = process.env['PATH'],
): boolean {
  try {
    const cdkPackage = createRequire(fromModule).resolve('aws-cdk-lib/package.json');
    createRequire(cdkPackage).resolve('esbuild/package.json');
    return true;
  } catch {
    const probe = spawnSync('esbuild', ['--version'], { stdio: 'ignore', env: { ...process.env, PATH: path } });
    return probe.status === 0 && probe.error === undefined;
  }
}
