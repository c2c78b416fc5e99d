import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { endianness, networkInterfaces, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { CreateTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  JavaRuntimeError,
  localDynamoDBClient,
  startDynamoDBLocal,
  type DynamoDBLocal,
} from '../../lib/testing/index.js';
import { countRequests, testClient, uniqueTableName } from '../support/dynamodb.js';

const onLinux = process.platform === 'linux';

describe('startDynamoDBLocal', () => {
  let db: DynamoDBLocal;
  beforeAll(async () => {
    db = await startDynamoDBLocal();
  });
  afterAll(() => db?.stop());

  it('answers DynamoDB requests, with one database for every access key and region', async () => {
    const client = localDynamoDBClient(db.endpoint);
    const stranger = localDynamoDBClient(db.endpoint, {
      region: 'eu-west-1',
      credentials: { accessKeyId: 'SomeoneElse', secretAccessKey: 'x' },
    });
    const tableName = uniqueTableName('local');
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );

      const seen = await stranger.send(new ListTablesCommand({}));

      expect(db.endpoint).toBe(`http://127.0.0.1:${db.port}`);
      expect(seen.TableNames).toContain(tableName);
    } finally {
      client.destroy();
      stranger.destroy();
    }
  });

  it.skipIf(!onLinux)('listens on 127.0.0.1 only', () => {
    const addresses = listeningAddresses(db.port);

    expect(addresses.length).toBeGreaterThan(0);
    expect(new Set(addresses)).toEqual(new Set(['127.0.0.1']));
  });

  const external = externalIPv4Address();
  it.skipIf(external === undefined)(
    `refuses connections on this machine's other address (${external ?? 'none'})`,
    async () => {
      const outcome = await tryConnect(external as string, db.port);

      expect(outcome).not.toBe('connected');
    },
  );

  it('stop() ends the Java process and can be called again', async () => {
    await db.stop();
    await db.stop();

    expect(isAlive(db.pid)).toBe(false);
  });
});

describe('the DynamoDB Local process', () => {
  it.skipIf(!onLinux)('dies when the Node process that started it is SIGKILLed', async () => {
    // Plain `node --import tsx`, not the tsx CLI: the CLI runs the script in a
    // grandchild, and killing the CLI would not close Java's stdin.
    const dir = mkdtempSync(join(tmpdir(), 'baton-parent-'));
    const script = join(dir, 'parent.mts');
    writeFileSync(
      script,
      [
        `import { startDynamoDBLocal } from ${JSON.stringify(pathToFileURL(resolve('lib/testing/index.ts')).href)};`,
        'const db = await startDynamoDBLocal();',
        "console.log('JAVA_PID=' + db.pid);",
        'setInterval(() => {}, 60_000); // stay alive until killed',
      ].join('\n'),
    );
    const parent = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let javaPid: number | undefined;
    try {
      javaPid = await firstMatch(parent.stdout, /^JAVA_PID=(\d+)$/);
      expect(isAlive(javaPid)).toBe(true);

      parent.kill('SIGKILL');

      expect(await becomesFalse(() => isAlive(javaPid as number), 5_000)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
      if (javaPid !== undefined && isAlive(javaPid)) process.kill(javaPid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('JavaRuntimeError', () => {
  it('names what to install when java is missing', async () => {
    const start = startDynamoDBLocal({ java: '/nonexistent/bin/java' });

    await expect(start).rejects.toBeInstanceOf(JavaRuntimeError);
    await expect(start).rejects.toMatchObject({ problem: 'not-found', java: '/nonexistent/bin/java' });
    await expect(start).rejects.toThrow(/openjdk-17-jdk-headless.*Temurin 17\+/);
  });

  describe.skipIf(process.platform === 'win32')('with a stand-in java', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'baton-java-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    /** A shell script that answers `java --list-modules` the way some real Java would. */
    function fakeJava(name: string, stdout: string, stderr = '', exitCode = 0): string {
      const path = join(dir, name);
      writeFileSync(path, `#!/bin/sh\nprintf '%s' '${stdout}'\nprintf '%s' '${stderr}' >&2\nexit ${exitCode}\n`);
      chmodSync(path, 0o755);
      return path;
    }

    it('rejects Java 11 as too old', async () => {
      const java = fakeJava('java11', 'java.base@11.0.2\njdk.compiler@11.0.2\n');

      await expect(startDynamoDBLocal({ java })).rejects.toMatchObject({
        name: 'JavaRuntimeError',
        problem: 'too-old',
        foundVersion: 11,
        message: expect.stringMatching(/Java 11\..*openjdk-17-jdk-headless/),
      });
    });

    it('rejects Java 8, which does not know --list-modules, as too old', async () => {
      const java = fakeJava('java8', '', 'Unrecognized option: --list-modules\n', 1);

      await expect(startDynamoDBLocal({ java })).rejects.toMatchObject({ problem: 'too-old' });
    });

    it('rejects a JRE without the compiler that single-file source mode needs', async () => {
      const java = fakeJava('jre17', 'java.base@17.0.15\njava.logging@17.0.15\n');

      await expect(startDynamoDBLocal({ java })).rejects.toMatchObject({
        problem: 'no-compiler',
        message: expect.stringMatching(/jdk\.compiler.*a JRE alone is not enough/),
      });
    });
  });
});

describe('startDynamoDBLocal options', () => {
  it.each([0, -1, 1.5, Number.NaN])('rejects startTimeoutMs %s, naming the option', async (startTimeoutMs) => {
    await expect(startDynamoDBLocal({ startTimeoutMs })).rejects.toThrow(/startTimeoutMs must be a positive integer/);
  });
});

describe('countRequests', () => {
  it('counts each request per operation on the shared DynamoDB Local', async () => {
    const client = testClient();
    const requests = countRequests(client);
    try {
      await client.send(new ListTablesCommand({}));
      await client.send(new ListTablesCommand({}));

      expect(requests.byOperation()).toEqual({ ListTables: 2 });
      expect(requests.total()).toBe(2);

      requests.reset();
      expect(requests.total()).toBe(0);
    } finally {
      client.destroy();
    }
  });

  it('counts every SDK retry as a request', async () => {
    let received = 0;
    const server = createServer((_request, response) => {
      received += 1;
      response.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'test' }));
    });
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
    const { port } = server.address() as AddressInfo;
    const client = localDynamoDBClient(`http://127.0.0.1:${port}`, { maxAttempts: 3 });
    const requests = countRequests(client);
    try {
      await expect(client.send(new ListTablesCommand({}))).rejects.toMatchObject({ $metadata: { attempts: 3 } });

      expect(received).toBe(3);
      expect(requests.byOperation()).toEqual({ ListTables: 3 });
    } finally {
      client.destroy();
      await new Promise((closed) => server.close(closed));
    }
  });
});

/**
 * Local addresses of LISTEN sockets on `port`, from the kernel's own tables.
 * IPv4-mapped IPv6 addresses are reported as IPv4, since they reach the same peers.
 */
function listeningAddresses(port: number): string[] {
  const LISTEN = '0A';
  const found: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const row of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const [, local = '', , state] = row.trim().split(/\s+/);
      const [addressHex = '', portHex = ''] = local.split(':');
      if (state === LISTEN && Number.parseInt(portHex, 16) === port) found.push(decodeProcAddress(addressHex));
    }
  }
  return found;
}

/** /proc/net/tcp* print each 32-bit word of the address in host byte order. */
function decodeProcAddress(hex: string): string {
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    const wordBytes = (hex.slice(word, word + 8).match(/../g) ?? []).map((b) => Number.parseInt(b, 16));
    bytes.push(...(endianness() === 'LE' ? wordBytes.reverse() : wordBytes));
  }
  const isV4Mapped =
    bytes.length === 16 && bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (bytes.length === 4 || isV4Mapped) return bytes.slice(-4).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return groups.join(':');
}

function externalIPv4Address(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((address) => address !== undefined && !address.internal && address.family === 'IPv4')?.address;
}

function tryConnect(host: string, port: number): Promise<'connected' | 'refused' | 'timed out'> {
  return new Promise((settle) => {
    const socket = connect({ host, port, timeout: 2_000 });
    const finish = (outcome: 'connected' | 'refused' | 'timed out'): void => {
      socket.destroy();
      settle(outcome);
    };
    socket.once('connect', () => finish('connected'));
    socket.once('error', () => finish('refused'));
    socket.once('timeout', () => finish('timed out'));
  });
}

/** True while `pid` runs. A zombie counts as dead: in a container nobody may ever reap an orphan. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (!onLinux) return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function becomesFalse(check: () => boolean, withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    if (!check()) return true;
    await sleep(100);
  }
  return !check();
}

async function firstMatch(stream: NodeJS.ReadableStream, pattern: RegExp): Promise<number> {
  for await (const line of createInterface({ input: stream })) {
    const match = pattern.exec(line);
    if (match) return Number(match[1]);
  }
  throw new Error(`the stream ended without a line matching ${String(pattern)}`);
}
