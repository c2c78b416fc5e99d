import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs `fn` in a fresh temporary directory as the working directory, with
 * `console.log` captured into the lines `fn` receives; restores both and
 * removes the directory, whatever `fn` does. For in-process CLI commands
 * that write their reports into the current directory.
 */
export async function inScratchDir<T>(prefix: string, fn: (printed: readonly string[]) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const cwd = process.cwd();
  const log = console.log;
  const printed: string[] = [];
  console.log = (line: string) => printed.push(line);
  try {
    process.chdir(dir);
    return await fn(printed);
  } finally {
    console.log = log;
    process.chdir(cwd);
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs `fn` with `console.error` silenced: for commands expected to refuse their arguments. */
export async function withoutStderr<T>(fn: () => Promise<T>): Promise<T> {
  const error = console.error;
  console.error = () => {};
  try {
    return await fn();
  } finally {
    console.error = error;
  }
}
