/**
 * Loads the runtime the simulation runs: the repository's own sources, or a
 * mutant, a copy of them with one known defect put back by a source patch
 * (docs/dst.md#mutants). The lab otherwise reaches the package only through its
 * entries; this loader reads and imports the sources by path, which the
 * entries cannot give: a patched copy, `restartOwnerIdCount` and the
 * constructs' grant as text (docs/decisions/dst.md).
 */
import { cp, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as Package from 'baton-lease';
import type * as Lambda from 'baton-lease/lambda';
import type * as Internal from 'baton-lease/internal';

/** The repository root: lab/dst/ is two levels down. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * One source replacement; `find` must occur exactly once in `file`. It is
 * matched by its tokens, not its layout: any whitespace, and a trailing comma
 * before a closing bracket, may differ, so reformatting the sources does not
 * silently disarm a mutant.
 */
export interface Patch {
  /** Path from the repository root. */
  readonly file: string;
  readonly find: string;
  readonly replace: string;
}

export interface Mutant {
  readonly name: string;
  /** The defect it puts back, in one line. */
  readonly defect: string;
  readonly patches: readonly Patch[];
}

/** What a run needs from one copy of the runtime. */
export interface Runtime {
  readonly name: string;
  readonly baton: typeof Package;
  readonly lambda: typeof Lambda;
  readonly restartOwnerIdCount: typeof Internal.restartOwnerIdCount;
  /** The DynamoDB actions the constructs grant a job's role on the lease table. */
  readonly grantedActions: readonly string[];
}

const COPIED = ['lib/runtime', 'lambda/cron-singleton.ts', 'lib/cdk/lease-table.ts'];

let real: Promise<Runtime> | undefined;

/** The repository's runtime, loaded once per process. */
export function realRuntime(): Promise<Runtime> {
  return (real ??= load('real', ROOT));
}

/**
 * A patched copy in a fresh temporary folder, with `node_modules` linked so
 * the copy resolves the same dependencies. Throws when an anchor is gone or
 * not unique: a mutant that no longer applies must fail loudly, not pass.
 */
export async function mutantRuntime(mutant: Mutant): Promise<Runtime> {
  const dir = await mkdtemp(join(tmpdir(), `baton-dst-${mutant.name}-`));
  for (const path of COPIED) await cp(join(ROOT, path), join(dir, path), { recursive: true });
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  for (const patch of mutant.patches) {
    const file = join(dir, patch.file);
    const source = await readFile(file, 'utf8');
    const found = [...source.matchAll(anchorPattern(patch.find))];
    if (found.length !== 1)
      throw new Error(
        `mutant ${mutant.name}: the anchor occurs ${found.length} times in ${patch.file} (must be once): ` +
          `${JSON.stringify(patch.find.slice(0, 80))}`,
      );
    const [match] = found as [RegExpExecArray];
    await writeFile(file, source.slice(0, match.index) + patch.replace + source.slice(match.index + match[0].length));
  }
  return load(mutant.name, dir);
}

/** `find` as a pattern over its non-blank characters: blanks may appear or vanish between them, and a comma before a closing bracket. */
export function anchorPattern(find: string): RegExp {
  const tokens = [...find.replace(/\s+/g, '')].map((c) =>
    ')]}'.includes(c) ? `(?:,\\s*)?\\${c}` : c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'),
  );
  return new RegExp(tokens.join('\\s*'), 'g');
}

async function load(name: string, root: string): Promise<Runtime> {
  const url = (path: string) => pathToFileURL(join(root, path)).href;
  const baton = (await import(url('lib/runtime/index.ts'))) as typeof Package;
  const lambda = (await import(url('lambda/cron-singleton.ts'))) as typeof Lambda;
  const backoff = (await import(url('lib/runtime/backoff.ts'))) as Partial<
    Pick<typeof Internal, 'restartOwnerIdCount'>
  >;
  if (typeof backoff.restartOwnerIdCount !== 'function')
    throw new Error('lib/runtime/backoff.ts has no restartOwnerIdCount: a run would not be a function of its seed');
  return {
    name,
    baton,
    lambda,
    restartOwnerIdCount: backoff.restartOwnerIdCount,
    grantedActions: await grantedActions(join(root, 'lib/cdk/lease-table.ts')),
  };
}

/** `LEASE_ACCESS_ACTIONS`, read from the constructs' source: importing it would load aws-cdk-lib into every run. */
async function grantedActions(file: string): Promise<readonly string[]> {
  const source = await readFile(file, 'utf8');
  const list = /export const LEASE_ACCESS_ACTIONS[^=]*=\s*\[([^\]]*)\]/.exec(source)?.[1];
  if (list === undefined) throw new Error(`${file}: LEASE_ACCESS_ACTIONS not found; the simulated IAM needs it`);
  return [...list.matchAll(/'([^']+)'/g)].map((m) => m[1] as string);
}
