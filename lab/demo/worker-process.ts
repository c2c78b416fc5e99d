/**
 * One demo worker: a child process that stands in for a Lambda execution
 * environment running `lab/jobs/example-job.ts`. It builds the real handler the
 * way that entry does (`createSingletonHandler` around `appendLedgerEntry`,
 * a `DynamoDBClient` configured only by the standard environment), then
 * invokes it for each EventBridge event the parent delivers over IPC, one at a
 * time, each with a fresh Lambda context, as one execution environment does.
 *
 * Everything it does is appended to its own JSON-lines log before it is sent
 * to the parent, so the log survives a SIGKILL. Powertools' own log lines and
 * EMF metrics go to stdout, which the parent points at `<worker>.log`.
 *
 * Environment, beyond the standard AWS and Baton variables:
 * - `BATON_DEMO_WORKER`: this worker's name; `BATON_DEMO_LOG`: its JSON-lines log;
 * - `BATON_DEMO_TIMEOUT_MS`: the function timeout its Lambda contexts count down from;
 * - `BATON_DEMO_WORK_MS`: `min-max`, how long the job works before it writes;
 * - `BATON_DEMO_SEED`: seeds the work durations.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ScheduledEvent } from 'aws-lambda';
import { createSingletonHandler, type SingletonJobContext } from 'baton-lease/lambda';
import { LEDGER_STEPS, appendLedgerEntry } from '../jobs/ledger-job.js';
import { BatonEnv, StaleTokenError, type StepFunction } from 'baton-lease';
import { Prng } from '../sim/prng.js';
import { lambdaContext } from 'baton-lease/testing';
import { EvidenceWriter } from '../harness/evidence.js';
import type { WorkerOutcome, WorkerRecord } from './records.js';

/** What the parent sends. */
export type WorkerMessage = { readonly type: 'invoke'; readonly event: ScheduledEvent } | { readonly type: 'stop' };

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`demo worker: ${name} must be set`);
  return value;
}

const worker = required('BATON_DEMO_WORKER');
const log = new EvidenceWriter(required('BATON_DEMO_LOG'), 'lambda-worker');
const timeoutMs = Number(required('BATON_DEMO_TIMEOUT_MS'));
const [workMinMs, workMaxMs] = required('BATON_DEMO_WORK_MS').split('-').map(Number) as [number, number];
const random = new Prng(`${required('BATON_DEMO_SEED')}:${worker}`);
const tableName = required(BatonEnv.tableName);
const leaseName = required(BatonEnv.leaseName);

function record(r: WorkerRecord): void {
  log.append(r);
  // The log line is what counts; a parent that has just gone away is not an error here.
  if (process.connected) process.send?.(r, undefined, {}, () => {});
}

// As in lab/jobs/example-job.ts: one client per execution environment, from the standard environment.
const client = new DynamoDBClient({});
let requests = 0;
// Measurement only: counts every HTTP attempt (after the SDK's retry step), so "one request" is provable.
client.middlewareStack.add((next) => (args) => (requests++, next(args)), {
  step: 'finalizeRequest',
  priority: 'low',
  name: 'batonDemoRequestCounter',
});

const ledger = appendLedgerEntry(client, tableName, leaseName);
/** The invocation in progress (one at a time): its event, and its token once it leads. */
const current: { eventId: string; token?: number; steps: { run: number; replayed: number } } = {
  eventId: '',
  steps: { run: 0, replayed: 0 },
};

/**
 * The example job with its work made visible: its `write` step logs the
 * job's start, works for a while, then writes (the `entry` step before it only
 * computes). The work sits inside the write step so that a strike, which the
 * nemesis aims after the job's start, lands between the step's start and its
 * fenced write: a paused leader wakes up there and meets the fence, as
 * without steps. The work does not watch the signal on purpose: it stands for
 * an effect that cannot be interrupted (a CPU-bound computation, a call that
 * ignores cancellation). A step recorded by an earlier tenure of the tick is
 * replayed, not run, and the invocation counts it as replayed.
 */
async function job(ctx: SingletonJobContext): Promise<void> {
  const { lease, tick, token } = ctx;
  const workMs = Math.round(random.uniform(workMinMs, workMaxMs));
  current.token = token;
  const write = async <T>(fn: () => Promise<T>): Promise<T> => {
    record({
      type: 'job-start',
      worker,
      at: Date.now(),
      eventId: current.eventId,
      tick,
      token,
      holder: lease.holder,
      takeover: lease.takeover,
      expiresAt: lease.expiresAt,
      durationMs: lease.durationMs,
      workMs,
    });
    await sleep(workMs);
    record({ type: 'write-start', worker, at: Date.now(), tick, token });
    try {
      const written = await fn();
      record({ type: 'write-end', worker, at: Date.now(), tick, token, ok: true });
      return written;
    } catch (error) {
      const fence = error instanceof StaleTokenError ? { fence: error.fence } : {};
      record({
        type: 'write-end',
        worker,
        at: Date.now(),
        tick,
        token,
        ok: false,
        error: (error as Error).name,
        ...fence,
      });
      throw error;
    }
  };
  const step: StepFunction = async (name, fn) => {
    let ran = false;
    let replayed = false;
    try {
      const value = await ctx.step(name, (stepContext) => {
        ran = true;
        return name === LEDGER_STEPS.write ? write(() => fn(stepContext)) : fn(stepContext);
      });
      replayed = !ran;
      return value;
    } finally {
      // A step whose function was called counts as run, even when it threw (a write the fence refused);
      // one that returned without calling it was replayed. One that failed before either counts as neither.
      if (ran) current.steps.run++;
      else if (replayed) current.steps.replayed++;
    }
  };
  await ledger({ ...ctx, step });
}

const handler = createSingletonHandler({ client, job });

async function invoke(event: ScheduledEvent): Promise<void> {
  const context = lambdaContext({ timeoutMs, functionName: process.env['AWS_LAMBDA_FUNCTION_NAME'] ?? 'baton-demo' });
  const tick = Date.parse(event.time);
  current.eventId = event.id;
  delete current.token;
  current.steps = { run: 0, replayed: 0 };
  requests = 0;
  record({ type: 'invoke', worker, at: Date.now(), eventId: event.id, tick, requestId: context.awsRequestId });
  const started = performance.now();
  let outcome: Omit<WorkerOutcome, 'type' | 'worker' | 'at' | 'eventId' | 'tick' | 'ms' | 'requests'>;
  try {
    const result = await handler(event, context);
    outcome =
      result.status === 'ran'
        ? { status: 'ran', token: result.token, takeover: result.takeover, released: result.released }
        : {
            status: 'skipped',
            reason: result.reason,
            ...(result.token === undefined ? {} : { token: result.token }),
            ...(result.holder === undefined ? {} : { holder: result.holder }),
          };
  } catch (error) {
    const e = error as Error;
    outcome = {
      status: 'error',
      error: e.name,
      message: e.message,
      ...(current.token === undefined ? {} : { token: current.token }),
      ...(error instanceof StaleTokenError ? { fence: error.fence } : {}),
    };
  }
  const ms = Math.round((performance.now() - started) * 10) / 10;
  record({
    type: 'outcome',
    worker,
    at: Date.now(),
    eventId: event.id,
    tick,
    ms,
    requests,
    steps: current.steps,
    ...outcome,
  });
}

// One invocation at a time, in delivery order, like one Lambda execution environment.
const queue: ScheduledEvent[] = [];
let running = false;
let stopping = false;

async function drain(): Promise<void> {
  if (running) return;
  running = true;
  try {
    for (let event = queue.shift(); event !== undefined; event = queue.shift()) await invoke(event);
  } finally {
    running = false;
  }
  if (stopping) shutdown();
}

function shutdown(): void {
  client.destroy();
  log.close();
  if (process.connected) process.disconnect();
}

process.on('message', (message: WorkerMessage) => {
  if (message.type === 'invoke' && !stopping) {
    queue.push(message.event);
    void drain();
  } else if (message.type === 'stop') {
    stopping = true;
    queue.length = 0;
    if (!running) shutdown();
  }
});
// The parent is gone (it crashed, or was killed): nothing will ever stop this process, so end now.
process.on('disconnect', () => {
  if (!stopping) process.exit(1);
});
// Ctrl-C in the terminal reaches the whole process group; the parent decides when workers stop.
process.on('SIGINT', () => {});

record({ type: 'ready', worker, pid: process.pid, at: Date.now() });
