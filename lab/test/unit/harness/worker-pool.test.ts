import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WorkerPool, type PoolRecord } from '../../../harness/worker-pool.js';

const SCRIPT = fileURLToPath(new URL('./fixtures/pool-worker.ts', import.meta.url));

type In = { readonly type: 'ping' } | { readonly type: 'stop' };
type Out = { readonly type: 'ready' } | { readonly type: 'pong'; readonly pid: number };

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function pool(options: { dir?: string } = {}) {
  const records: PoolRecord[] = [];
  const messages: Out[] = [];
  const lines: string[] = [];
  const workers = new WorkerPool<In, Out>({
    script: SCRIPT,
    env: { PATH: process.env['PATH'] ?? '' },
    output: options.dir ? { dir: options.dir } : { onLine: (line) => lines.push(line) },
    onMessage: (message) => messages.push(message),
    onRecord: (record) => records.push(record),
  });
  return { workers, records, messages, lines };
}

describe('WorkerPool', { timeout: 60_000 }, () => {
  it('stops every process it started: the obedient on request, the stubborn and the paused ones too', async () => {
    const { workers, records } = pool();
    const obedient = workers.spawn({ name: 'a' });
    const stubborn = workers.spawn({ name: 'b', env: { POOL_TEST_MODE: 'stubborn' } });
    const paused = workers.spawn({ name: 'c', env: { POOL_TEST_MODE: 'stubborn' } });
    await Promise.all(workers.all.map((w) => w.ready));
    expect(paused.pause()).toBe(true);
    expect(paused.state).toBe('paused');
    const pids = workers.all.map((w) => w.pid);
    expect(pids.every(alive)).toBe(true);

    await workers.stopAll(1_000);

    expect(pids.filter(alive)).toEqual([]);
    expect(workers.live).toEqual([]);
    const exits = records.filter((r) => r.type === 'exit');
    expect(exits.map((r) => r.worker).sort()).toEqual(['a', 'b', 'c']);
    expect(exits.find((r) => r.worker === 'a')).toMatchObject({ code: 0, signal: null });
    expect(exits.find((r) => r.worker === 'b')).toMatchObject({ signal: 'SIGKILL' });
    expect(obedient.state).toBe('exited');
    expect(stubborn.state).toBe('exited');
  });

  it('carries messages both ways, signals by PID, and names each spawn with what it replaces', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pool-test-'));
    const { workers, records, messages } = pool({ dir });
    const first = workers.spawn({ name: 'w1' });
    await first.ready;
    expect(first.send({ type: 'ping' })).toBe(true);
    await expect.poll(() => messages.find((m) => m.type === 'pong')).toEqual({ type: 'pong', pid: first.pid });

    expect(first.resume()).toBe(false); // not paused
    expect(first.kill()).toBe(true);
    expect(first.state).toBe('exited');
    expect(first.kill()).toBe(false);
    expect(first.send({ type: 'ping' })).toBe(false);
    await first.exited;
    const second = workers.spawn({ name: 'w2', replaces: 'w1' });
    await second.ready;
    await workers.stopAll(1_000);

    expect(
      records.map((r) => `${r.type} ${r.worker}${r.type === 'spawn' && r.replaces ? ` for ${r.replaces}` : ''}`),
    ).toEqual(['spawn w1', 'exit w1', 'spawn w2 for w1', 'exit w2']);
    expect(readFileSync(join(dir, 'w1.log'), 'utf8')).toBe('');
  });

  it('refuses a second worker of the same name', () => {
    const { workers } = pool();
    workers.spawn({ name: 'x' });
    expect(() => workers.spawn({ name: 'x' })).toThrow(/a worker named x already exists/);
    workers.killAllNow();
    return workers.stopAll(1_000);
  });

  it('rejects `ready` for a worker that dies first, and SIGKILLs on killAllNow', async () => {
    const { workers } = pool();
    const doomed = workers.spawn({ name: 'd' });
    workers.killAllNow();
    await expect(doomed.ready).rejects.toThrow(/exited \(SIGKILL\) before it was ready/);
    expect(alive(doomed.pid)).toBe(false);
    await workers.stopAll(1_000);
  });
});
