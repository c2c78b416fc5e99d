import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

/**
 * An append-only JSON-lines file written with one synchronous `write(2)` per
 * record: a record is in the file (the kernel's page cache) as soon as
 * `append` returns, so a worker SIGKILLed a microsecond later has still
 * logged everything it did before.
 */
export class JsonlWriter<T> {
  #fd: number | undefined;

  constructor(readonly path: string) {
    this.#fd = openSync(path, 'a');
  }

  append(record: T): void {
    if (this.#fd === undefined) return;
    writeSync(this.#fd, `${JSON.stringify(record)}\n`);
  }

  close(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
  }
}

/**
 * Reads a JSON-lines file. A line that does not parse (a torn last line) is
 * counted, not thrown: the caller decides whether that matters.
 */
export function readJsonl<T>(path: string): { records: T[]; unreadable: number } {
  const records: T[] = [];
  let unreadable = 0;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line) as T);
    } catch {
      unreadable++;
    }
  }
  return { records, unreadable };
}
