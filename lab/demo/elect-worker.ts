/**
 * One elector demo worker: a long-lived child process (an ECS task, a
 * Kubernetes pod) that runs `leases.elect(...)` for as long as it lives, and
 * while it leads, makes fenced writes to the demo's resource (the chaos
 * campaign's register: lab/chaos/resource.ts keeps every accepted write in
 * acceptance order, which is what the stale-write check reads).
 *
 * Its wall clock is a `SkewedClock` that the parent may move (`skew`); its
 * monotonic clock and every timestamp in its log are the host's. The log
 * (`BATON_DEMO_LOG`) is appended before the parent is told anything, so a
 * SIGKILL loses nothing the worker did.
 *
 * While leading, each write is prepared for a while without looking at the
 * lease (a computation, a call that ignores cancellation) and then sent with
 * the tenure's token; before preparing, the worker checks `lease.held`. A
 * SIGSTOP that lands in the preparation wakes up to send a write with an old
 * token: the fence refuses it, and the worker stops acting.
 *
 * Environment, beyond the standard AWS variables and `BATON_TABLE_NAME`,
 * `BATON_LEASE_NAME`: `BATON_DEMO_WORKER`, `BATON_DEMO_LOG`,
 * `BATON_DEMO_LEASE_MS`, `BATON_DEMO_PRIORITY`, `BATON_DEMO_CLOCK_FREE`
 * (`1` or `0`), `BATON_DEMO_OFFSET_MS`, `BATON_DEMO_PREPARE_MS` (`min-max`),
 * `BATON_DEMO_RESOURCE` (the resource item's key), `BATON_DEMO_SEED`.
 * Messages from the parent: `{ type: 'stop' }` (abort the elector's signal,
 * let it release, exit) and `{ type: 'skew', offsetMs }`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { writeSideEffect } from '../chaos/resource.js';
import { SkewedClock } from '../chaos/skewed-clock.js';
import { BatonEnv, LeaseClient, LeaseHandoffError, LeaseLostError, type Lease, type LeaseEvent } from 'baton-lease';
import { Prng } from '../sim/prng.js';
import type { ActingStopReason, ElectWorkerRecord } from './elect-records.js';
import { EvidenceWriter } from '../harness/evidence.js';

/** What the parent sends. */
export type ElectWorkerMessage = { readonly type: 'stop' } | { readonly type: 'skew'; readonly offsetMs: number };

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`elector demo worker: ${name} must be set`);
  return value;
}

const worker = required('BATON_DEMO_WORKER');
const log = new EvidenceWriter(required('BATON_DEMO_LOG'), 'elector-worker');
const tableName = required(BatonEnv.tableName);
const leaseName = required(BatonEnv.leaseName);
const durationMs = Number(required('BATON_DEMO_LEASE_MS'));
const priority = Number(required('BATON_DEMO_PRIORITY'));
const clockFree = required('BATON_DEMO_CLOCK_FREE') === '1';
const resource = required('BATON_DEMO_RESOURCE');
const [prepareMinMs, prepareMaxMs] = required('BATON_DEMO_PREPARE_MS').split('-').map(Number) as [number, number];
const random = new Prng(`${required('BATON_DEMO_SEED')}:${worker}`);
const clock = new SkewedClock(Number(required('BATON_DEMO_OFFSET_MS')));

/** Distributes the record type over the union, so each record is checked against its own shape. */
type Unstamped<T> = T extends unknown ? Omit<T, 'worker' | 'at'> : never;

function record(r: Unstamped<ElectWorkerRecord>): void {
  const stamped = { ...r, worker, at: Date.now() } as ElectWorkerRecord;
  log.append(stamped);
  // The log line is what counts; a parent that has just gone away is not an error here.
  if (process.connected) process.send?.(stamped, undefined, {}, () => {});
}

const client = new DynamoDBClient({});
const doc = DynamoDBDocumentClient.from(client);
/** The tenure being led, if any: one at a time. */
let tenure: Lease | undefined;
let lastTakeover = false;

function onEvent(event: LeaseEvent): void {
  switch (event.type) {
    case 'acquired':
      lastTakeover = event.takeover;
      return;
    case 'renewed':
      if (tenure?.token === event.token)
        record({ type: 'deadline', token: event.token, deadlineAt: Math.round(Date.now() + tenure.remainingMs()) });
      return;
    case 'handoff-requested':
      record({ type: 'handoff-requested', token: event.token, priority: event.priority, applied: event.applied });
      return;
    case 'released':
      record({ type: 'released', token: event.token });
      return;
    default:
      return;
  }
}

const leases = new LeaseClient({ tableName, client, holderName: worker, clock, onEvent });

/** Leads one tenure: prepare, write with the token, again, until the lease says stop or the fence refuses. */
async function lead(lease: Lease): Promise<void> {
  tenure = lease;
  record({
    type: 'acting-start',
    token: lease.token,
    holder: lease.holder,
    priority,
    clockFree,
    takeover: lastTakeover,
    deadlineAt: Math.round(Date.now() + lease.remainingMs()),
  });
  let stop: { reason: ActingStopReason; message?: string } | undefined;
  for (let n = 1; stop === undefined; n++) {
    // `held` reads the monotonic clock; the signal can lag it by a turn of the event loop after a pause.
    if (lease.signal.aborted || !lease.held) {
      stop = whyStopped(lease);
      break;
    }
    const prepareMs = Math.round(random.uniform(prepareMinMs, prepareMaxMs));
    record({ type: 'prepare', token: lease.token, prepareMs });
    await sleep(prepareMs); // deliberately blind to the lease: see above
    const wid = `${worker}.${lease.token}.${n}`;
    record({ type: 'write-sent', token: lease.token, wid, remainingMs: Math.round(lease.remainingMs()) });
    const result = await writeSideEffect(
      doc,
      tableName,
      { wid, token: lease.token, tick: n, resource },
      { fence: true, tickDedupe: false },
    );
    record({ type: 'write-done', token: lease.token, wid, ...result });
    if (result.outcome === 'stale')
      stop = { reason: 'fenced', message: `the resource's fence is ${result.fence ?? '?'}` };
  }
  record({ type: 'acting-stop', token: lease.token, ...stop });
  tenure = undefined;
}

function whyStopped(lease: Lease): { reason: ActingStopReason; message?: string } {
  const cause: unknown = lease.signal.reason;
  const message = cause instanceof Error ? cause.message : undefined;
  const reason: ActingStopReason =
    !lease.signal.aborted || (cause instanceof LeaseLostError && cause.reason === 'deadline')
      ? 'deadline'
      : cause instanceof LeaseHandoffError
        ? 'handoff'
        : cause instanceof LeaseLostError
          ? 'lost'
          : 'stopped';
  return { reason, ...(message === undefined ? {} : { message }) };
}

const stop = new AbortController();
let stopping = false;

process.on('message', (message: ElectWorkerMessage) => {
  if (message.type === 'stop' && !stopping) {
    stopping = true;
    record({ type: 'stop-requested' });
    stop.abort(new Error('the parent asked this worker to stop'));
  } else if (message.type === 'skew') {
    clock.setOffset(message.offsetMs);
    record({ type: 'skewed', offsetMs: message.offsetMs });
  }
});
// The parent is gone (it crashed, or was killed): nothing will ever stop this process, so end now.
process.on('disconnect', () => {
  if (!stopping) process.exit(1);
});
// Ctrl-C in the terminal reaches the whole process group; the parent decides when workers stop.
process.on('SIGINT', () => {});

record({ type: 'ready', pid: process.pid, priority, clockFree, offsetMs: clock.offsetMs });
try {
  await leases.elect(leaseName, {
    durationMs,
    priority,
    clockFree,
    signal: stop.signal,
    metadata: { worker },
    logger: false,
    onStartedLeading: lead,
  });
  record({ type: 'done' });
} catch (error) {
  record({ type: 'done', error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  process.exitCode = 1;
} finally {
  client.destroy();
  log.close();
  if (process.connected) process.disconnect();
}
