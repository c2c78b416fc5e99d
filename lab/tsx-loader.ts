import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * How the lab runs its TypeScript worker processes: tsx's loader (resolved
 * from here, so any cwd works; createRequire rather than import.meta.resolve,
 * which is synchronous only from Node.js 20.6), told to use the lab's
 * tsconfig.json, whose `paths` resolve baton-lease's entries to the package's
 * sources whatever the worker's cwd (docs/decisions/workspaces.md).
 */
export const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** The environment that points tsx at the lab's tsconfig.json. */
export const TSX_ENV: Readonly<Record<string, string>> = {
  TSX_TSCONFIG_PATH: fileURLToPath(new URL('./tsconfig.json', import.meta.url)),
};
