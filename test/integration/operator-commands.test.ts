import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createLeaseTable,
  LeaseClient,
  type LeaseRecord,
  LeaseLostError,
  StaleTokenError,
  fencedUpdate,
} from '../../lib/runtime/index.js';
import { run as release } from '../../bin/commands/release.js';
import { run as status } from '../../bin/commands/status.js';
import { NO_ITEM } from '../../bin/commands/connection.js';
import { run as steps } from '../../bin/commands/steps.js';
import { describeState, stateKey } from '../../bin/commands/watch.js';
import { runBaton } from '../support/cli.js';
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

  it("does not show a held lease beside the previous tenure's release as if it were this one's", async () => {
    const first = await leases.acquire('ops/second-tenure', { durationMs: 60_000 });
    await first.release();
    const second = await leases.acquire('ops/second-tenure', { durationMs: 60_000 });
    const out = captureStdout();
    expect(await status(['ops/second-tenure', ...connection()])).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/^state\s+held, /m);
    expect(text).toMatch(/^releasedAt\s+- \(the previous tenure was released at \d{4}-/m);
    await second.release();
    expect(await status(['ops/second-tenure', ...connection()])).toBe(0);
    expect(out.join('\n')).toMatch(/^releasedAt\s+\d{4}-/m);
  });

  it('says when a lease was never acquired', async () => {
    const out = captureStdout();
    expect(await status(['ops/never', ...connection()])).toBe(0);
    expect(out).toEqual([`ops/never: ${NO_ITEM}`]);
  });
});

describe('baton steps', () => {
  const tick = Date.parse('2026-11-26T06:00:00Z');

  it("prints a tick's recorded steps with their tokens and values, and whether the tick is done", async () => {
    const r = await leases.runAsLeader(
      'ops/steps',
      async (_lease, { step }) => {
        await step('query', async () => ({ rows: 3 }));
        await step('email', async () => undefined);
      },
      { durationMs: 60_000, tick },
    );
    expect(r).toMatchObject({ led: true, released: true });
    const out = captureStdout();
    expect(await steps(['ops/steps', '--tick', '2026-11-26T06:00:00Z', ...connection()])).toBe(0);
    expect(out[0]!.split('\n')[0]).toBe('ops/steps tick 2026-11-26T06:00:00.000Z: done, 2 steps recorded');
    expect(
      out[0]!
        .split('\n')
        .slice(1)
        .map((l) => l.trim().split(/\s+/).slice(0, 3).join(' '))
        .sort(),
    ).toEqual(['email token 1', 'query token 1']);
    expect(await steps(['ops/steps', '--tick', String(tick), '--json', ...connection()])).toBe(0);
    expect(JSON.parse(out.at(-1)!)).toMatchObject({
      lease: 'ops/steps',
      tick,
      done: true,
      steps: expect.arrayContaining([expect.objectContaining({ step: 'query', token: 1, value: '{"rows":3}' })]),
    });
    expect(await steps(['ops/steps', '--tick', String(tick + 1), ...connection()])).toBe(0);
    expect(out.at(-1)).toBe('ops/steps tick 2026-11-26T06:00:00.001Z: not done, 0 steps recorded');
  });

  it('says what is missing or wrong about --tick in one line and exits 2', async () => {
    const out = captureStdout();
    expect(await steps(['ops/steps', ...connection()])).toBe(2);
    expect(await steps(['ops/steps', '--tick', 'yesterday', ...connection()])).toBe(2);
    expect(out).toEqual([
      'baton steps: missing --tick T: the scheduled time of the tick (ISO-8601 or epoch ms); baton steps --help shows the usage',
      'baton steps: --tick must be an ISO-8601 time or epoch milliseconds, got "yesterday"; baton steps --help shows the usage',
    ]);
  });
});

describe('baton release (force-release)', () => {
  it('frees exactly the named tenure, keeps the token, and the stuck holder is then fenced out', async () => {
    const stuck = await leases.tryAcquire('ops/stuck', { durationMs: 60_000 });
    if (!stuck.acquired) throw new Error('must acquire');
    const out = captureStdout();
    expect(await release(['ops/stuck', '--token', '1', ...connection()])).toBe(0);
    expect(out).toEqual(['released ops/stuck at token 1']);
    const next = await new LeaseClient({ tableName, client, holderName: 'next' }).tryAcquire('ops/stuck', {
      durationMs: 60_000,
    });
    expect(next).toMatchObject({ acquired: true, takeover: false });
    if (!next.acquired) return;
    expect(next.lease.token).toBe(2);
    const write = (token: number) =>
      fencedUpdate(
        client,
        {
          TableName: tableName,
          Key: { pk: 'ops/stuck', sk: 'RESOURCE' },
          UpdateExpression: 'SET #v = :v',
          ExpressionAttributeNames: { '#v': 'v' },
          ExpressionAttributeValues: { ':v': token },
        },
        token,
      );
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

  it('says what is missing and exits 2 without a token', async () => {
    const out = captureStdout();
    expect(await release(['ops/x', ...connection()])).toBe(2);
    expect(out).toEqual([
      'baton release: missing --token N: the fencing token of the tenure to free (baton status shows it); baton release --help shows the usage',
    ]);
  });

  it('says a free lease is already free, in an operator’s words, and exits 0', async () => {
    const r = await leases.tryAcquire('ops/free', { durationMs: 60_000 });
    if (!r.acquired) throw new Error('must acquire');
    await r.lease.release();
    const out = captureStdout();
    expect(await release(['ops/free', '--token', '1', ...connection()])).toBe(0);
    expect(out).toEqual(['ops/free is already free at token 1: nothing to release']);
  });
});

describe('baton watch', () => {
  it('says when a lease expires without a release, and when a takeover becomes possible', () => {
    const item = { name: 'ops/w', holder: 'w#1', token: 4, expiresAt: Date.UTC(2026, 0, 1, 0, 0, 10) } as LeaseRecord;
    expect(describeState(item, item.expiresAt - 1)).toMatch(/^held by w#1 token 4 until 2026-01-01T00:00:10.000Z$/);
    expect(describeState(item, item.expiresAt + 1)).toBe(
      'EXPIRED at 2026-01-01T00:00:10.000Z: w#1 (token 4) stopped renewing; a takeover is possible from 2026-01-01T00:00:10.200Z',
    );
    expect(describeState(item, item.expiresAt + 201)).toMatch(
      /^takeover possible: token 4 of w#1 expired at .* the next acquire gets token 5$/,
    );
  });

  it('prints a change of holder, token or state, and a renewal only with --renewals', () => {
    const held = { name: 'ops/w', holder: 'w#1', token: 4, expiresAt: Date.UTC(2026, 0, 1, 0, 0, 10) } as LeaseRecord;
    const renewed = { ...held, expiresAt: held.expiresAt + 5_000 };
    const now = held.expiresAt - 1_000;
    expect(stateKey(renewed, now, { renewals: false })).toBe(stateKey(held, now, { renewals: false }));
    expect(stateKey(renewed, now, { renewals: true })).not.toBe(stateKey(held, now, { renewals: true }));
    expect(stateKey({ ...held, token: 5, holder: 'w#2' }, now, { renewals: false })).not.toBe(
      stateKey(held, now, { renewals: false }),
    );
    expect(stateKey({ ...held, holder: undefined }, now, { renewals: false })).not.toBe(
      stateKey(held, now, { renewals: false }),
    );
  });

  it('prints one line for a holder that renews all the while, and each renewal with --renewals', async () => {
    const lease = await leases.acquire('ops/renewing', { durationMs: 10_000 });
    const renewing = setInterval(() => void lease.renew().catch(() => undefined), 200);
    try {
      const quiet = await runBaton(
        ['watch', 'ops/renewing', '--interval', '100', '--duration', '2', ...connection()],
        process.cwd(),
      );
      expect(quiet.code).toBe(0);
      expect(quiet.stdout.trim().split('\n')).toHaveLength(1);
      expect(quiet.stdout).toMatch(/held by .* token 1 until/);
      const loud = await runBaton(
        ['watch', 'ops/renewing', '--renewals', '--interval', '100', '--duration', '2', ...connection()],
        process.cwd(),
      );
      expect(loud.stdout.trim().split('\n').length).toBeGreaterThan(2);
    } finally {
      clearInterval(renewing);
      await lease.release();
    }
  }, 30_000);

  it('polls for its whole duration without piling up listeners (no MaxListenersExceededWarning)', async () => {
    const { code, stderr, stdout } = await runBaton(
      ['watch', 'ops/watched', '--interval', '100', '--duration', '3', ...connection()],
      process.cwd(),
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/never acquired/);
    expect(stderr).toBe('');
  }, 30_000);
});

/**
 * Every way an operator command can fail: one line on stderr that names the
 * fix, no stack frame, exit 2 for a usage mistake and 1 for anything else.
 */
describe.concurrent('operator command failures', () => {
  const unreachable = 'http://127.0.0.1:1';
  const cases: {
    name: string;
    args: () => string[];
    code: 1 | 2;
    line: RegExp;
    env?: Record<string, string | undefined>;
  }[] = [
    {
      name: 'an unknown command',
      args: () => ['bogus'],
      code: 2,
      line: /^baton: unknown command "bogus"; the commands are status, watch, release/,
    },
    {
      name: 'an unknown flag',
      args: () => ['status', 'x', '--bogus', ...connection()],
      code: 2,
      line: /^baton status: unknown option --bogus;/,
    },
    {
      name: 'no table',
      args: () => ['status', 'x', '--endpoint', testEndpoint()],
      code: 2,
      line: /^baton status: no table: pass --table or set BATON_TABLE_NAME;/,
      env: { BATON_TABLE_NAME: undefined },
    },
    {
      name: 'a table name too short',
      args: () => ['status', 'x', '--table', 'ab', '--endpoint', testEndpoint()],
      code: 2,
      line: /--table must be 3 to 255 .* got "ab"/,
    },
    {
      name: 'a table that does not exist',
      args: () => ['status', 'x', '--table', 'no-such-table', '--endpoint', testEndpoint()],
      code: 1,
      line: /^baton status: table "no-such-table" not found at http:\/\/127\.0\.0\.1:\d+: check --table, --region and --endpoint$/,
    },
    {
      name: 'an unreachable endpoint',
      args: () => ['status', 'x', '--table', tableName, '--endpoint', unreachable],
      code: 1,
      line: /^baton status: cannot reach http:\/\/127\.0\.0\.1:1 \(connection refused\): check --endpoint/,
    },
    {
      name: 'an endpoint without a scheme',
      args: () => ['status', 'x', '--table', tableName, '--endpoint', testEndpoint().replace('http://', '')],
      code: 2,
      line: /--endpoint must be a URL with its scheme, e\.g\. http:\/\/127\.0\.0\.1:\d+;/,
    },
    {
      name: 'no credentials',
      args: () => ['status', 'x', '--table', tableName, '--region', 'us-east-1', '--endpoint', 'http://127.0.0.2:1'],
      code: 1,
      line: /^baton status: no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
      env: {
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_SESSION_TOKEN: undefined,
        AWS_PROFILE: undefined,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
        AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
        HOME: '/nonexistent',
        AWS_CONFIG_FILE: '/nonexistent/config',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
      },
    },
    {
      name: 'no region',
      args: () => ['status', 'x', '--table', tableName, '--endpoint', 'http://127.0.0.2:1'],
      code: 1,
      line: /^baton status: no AWS region: pass --region or set AWS_REGION$/,
      env: {
        AWS_REGION: undefined,
        AWS_DEFAULT_REGION: undefined,
        AWS_PROFILE: undefined,
        HOME: '/nonexistent',
        AWS_CONFIG_FILE: '/nonexistent/config',
      },
    },
    {
      name: 'a token beyond safe integers',
      args: () => ['release', 'x', '--token', '99999999999999999999', ...connection()],
      code: 2,
      line: /--token must be an integer from 1 to 9007199254740991, got "99999999999999999999"/,
    },
    {
      name: 'a token that is not a number',
      args: () => ['release', 'x', '--token', 'abc', ...connection()],
      code: 2,
      line: /--token must be an integer .* got "abc"/,
    },
    {
      name: 'a token of 0',
      args: () => ['release', 'x', '--token', '0', ...connection()],
      code: 2,
      line: /--token must be an integer from 1 .* got "0"/,
    },
    {
      name: 'a fractional token',
      args: () => ['release', 'x', '--token', '3.5', ...connection()],
      code: 2,
      line: /--token must be an integer .* got "3\.5"/,
    },
    {
      name: 'a token in exponent notation',
      args: () => ['release', 'x', '--token', '1e3', ...connection()],
      code: 2,
      line: /--token must be an integer .* got "1e3"/,
    },
    {
      name: 'a watch interval too short',
      args: () => ['watch', 'x', '--interval', '50', ...connection()],
      code: 2,
      line: /^baton watch: --interval must be an integer from 100 to 60000, got "50"/,
    },
    {
      name: 'status without a lease',
      args: () => ['status', ...connection()],
      code: 2,
      line: /^baton status: missing <lease>;/,
    },
    {
      name: 'an extra argument',
      args: () => ['status', 'x', 'y', ...connection()],
      code: 2,
      line: /^baton status: unexpected argument "y"/,
    },
    {
      name: 'a lease name Baton refuses',
      args: () => ['status', 'a b', ...connection()],
      code: 2,
      line: /^baton status: <lease> may only contain/,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: one line on stderr, exit ${c.code}`, async () => {
      const { code, stderr, stdout } = await runBaton(c.args(), process.cwd(), c.env);
      expect(stderr).not.toMatch(/^ {4}at /m);
      expect(stderr.trimEnd().split('\n'), stderr).toHaveLength(1);
      expect(stderr.trimEnd()).toMatch(c.line);
      expect(stdout).toBe('');
      expect(code).toBe(c.code);
    }, 60_000);
  }
});

describe('the operator CLI’s output', () => {
  it('carries no AWS SDK NodeVersionSupportWarning banner', async () => {
    const { code, output } = await runBaton(['status', 'ops/never', ...connection()], process.cwd(), {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: undefined,
    });
    expect(code).toBe(0);
    expect(output).toBe(`ops/never: ${NO_ITEM}\n`);
  }, 30_000);

  it('documents every flag in each command’s usage', async () => {
    const flags: Record<string, string[]> = {
      status: ['--json', '--table', '--region', '--endpoint'],
      watch: ['--renewals', '--interval', '--duration', '--table', '--region', '--endpoint'],
      release: ['--token', '--table', '--region', '--endpoint'],
    };
    for (const [command, expected] of Object.entries(flags)) {
      const { code, stdout } = await runBaton([command, '--help'], process.cwd());
      expect(code).toBe(0);
      for (const flag of expected) expect(stdout, `${command} ${flag}`).toMatch(new RegExp(`^ +${flag}\\b`, 'm'));
    }
  }, 60_000);
});
