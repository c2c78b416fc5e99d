import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLeaseTable, LeaseClient, LeaseLostError, StaleTokenError, fencedUpdate } from '../../lib/runtime/index.js';
import { run as release } from '../../bin/commands/release.js';
import { run as status } from '../../bin/commands/status.js';
import { testClient, testEndpoint, uniqueTableName } from '../support/dynamodb.js';

const tableName = uniqueTableName('ops');
const client = testClient();
const leases = new LeaseClient({ tableName, client, holderName: 'stuck-worker' });
const connection = () => ['--table', tableName, '--endpoint', testEndpoint()];

function captureStdout() {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
  vi.spyOn(console, 'error').mockImplementation((line: unknown) => void lines.push(String(line)));
  return lines;
}

beforeAll(() => createLeaseTable(client, tableName));
afterEach(() => vi.restoreAllMocks());
afterAll(() => client.destroy());

describe('baton status', () => {
  it('prints the holder and token of a held lease, and JSON with --json', async () => {
    const r = await leases.tryAcquire('ops/status', { durationMs: 60_000, metadata: { function: 'nightly' } });
    if (!r.acquired) throw new Error('must acquire');
    const out = captureStdout();
    expect(await status(['ops/status', ...connection()])).toBe(0);
    expect(out.join('\n')).toMatch(new RegExp(`holder\\s+${r.lease.holder}`));
    expect(out.join('\n')).toMatch(/metadata.function\s+nightly/);
    expect(await status(['ops/status', '--json', ...connection()])).toBe(0);
    expect(JSON.parse(out.at(-1)!)).toMatchObject({ token: 1, holder: r.lease.holder });
    await r.lease.release();
  });

  it('says when a lease was never acquired', async () => {
    const out = captureStdout();
    expect(await status(['ops/never', ...connection()])).toBe(0);
    expect(out).toEqual(['ops/never: never acquired']);
  });
});

describe('baton release (force-release)', () => {
  it('frees exactly the named tenure, keeps the token, and the stuck holder is then fenced out', async () => {
    const stuck = await leases.tryAcquire('ops/stuck', { durationMs: 60_000 });
    if (!stuck.acquired) throw new Error('must acquire');
    const out = captureStdout();
    expect(await release(['ops/stuck', '--token', '1', ...connection()])).toBe(0);
    expect(out).toEqual(['released ops/stuck at token 1']);
    const next = await new LeaseClient({ tableName, client, holderName: 'next' }).tryAcquire('ops/stuck', { durationMs: 60_000 });
    expect(next).toMatchObject({ acquired: true, takeover: false });
    if (!next.acquired) return;
    expect(next.lease.token).toBe(2);
    const write = (token: number) =>
      fencedUpdate(client, { TableName: tableName, Key: { pk: 'ops/stuck', sk: 'RESOURCE' }, UpdateExpression: 'SET #v = :v', ExpressionAttributeNames: { '#v': 'v' }, ExpressionAttributeValues: { ':v': token } }, token);
    await write(2);
    await expect(write(1)).rejects.toBeInstanceOf(StaleTokenError);
    await expect(stuck.lease.renew()).rejects.toBeInstanceOf(LeaseLostError);
    await next.lease.release();
  });

  it('refuses a token that is no longer current and writes nothing', async () => {
    const r = await leases.tryAcquire('ops/moved-on', { durationMs: 60_000 });
    if (!r.acquired) throw new Error('must acquire');
    const out = captureStdout();
    expect(await release(['ops/moved-on', '--token', '7', ...connection()])).toBe(1);
    expect(out.join('\n')).toMatch(/not released/);
    expect(await leases.describe('ops/moved-on')).toMatchObject({ holder: r.lease.holder, token: 1 });
    await r.lease.release();
  });

  it('prints its usage and exits 2 without a token', async () => {
    const out = captureStdout();
    expect(await release(['ops/x', ...connection()])).toBe(2);
    expect(out.join('\n')).toMatch(/usage: baton release/);
  });
});
