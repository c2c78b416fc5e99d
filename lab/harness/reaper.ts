import { spawn, type ChildProcess } from 'node:child_process';

/**
 * The reaper's whole program. It keeps the set of pids it is told about
 * (`+pid`, `-pid`, one per line on stdin) and SIGKILLs what is left when its
 * stdin closes, which the kernel does when the parent dies, however it dies.
 */
const PROGRAM = `
const pids = new Set();
let buffered = '';
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => {});
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  for (let i = buffered.indexOf('\\n'); i >= 0; i = buffered.indexOf('\\n')) {
    const line = buffered.slice(0, i);
    buffered = buffered.slice(i + 1);
    const pid = Number(line.slice(1));
    if (line[0] === '+') pids.add(pid); else pids.delete(pid);
  }
});
process.stdin.on('end', () => {
  for (const pid of pids) { try { process.kill(pid, 'SIGKILL'); } catch {} }
  process.exit(0);
});
`;

/**
 * A watchdog for child processes that must not outlive this one, even if this
 * one is SIGKILLed. The `exit` hook cannot run then, and a worker that the
 * nemesis had SIGSTOPped would never notice its parent was gone: it would
 * stay stopped forever. The reaper is a tiny separate process (in its own
 * session, so Ctrl-C in the terminal does not reach it) that SIGKILLs every
 * pid still registered when its stdin reaches EOF.
 */
export class Reaper {
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  #open = true;

  constructor() {
    this.#child = spawn(process.execPath, ['-e', PROGRAM], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    this.#exited = new Promise((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.on('error', () => {});
    this.#child.stdin?.on('error', () => {});
    // It must never keep this process alive by itself.
    this.#child.unref();
    (this.#child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  }

  /** Kill `pid` if this process dies before calling `forget(pid)`. */
  watch(pid: number): void {
    if (this.#open) this.#child.stdin?.write(`+${pid}\n`);
  }

  /** `pid` has exited: never signal it (the number may be reused). */
  forget(pid: number): void {
    if (this.#open) this.#child.stdin?.write(`-${pid}\n`);
  }

  /** Ends the reaper. It kills whatever is still registered, so forget every pid first. */
  async close(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    this.#child.ref();
    this.#child.stdin?.end();
    await this.#exited;
  }
}
