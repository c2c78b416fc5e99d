import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDBLeaseStore, LeaseClient, type Lease, type LeaseEvent } from 'baton-lease';
import { Prng } from '../sim/prng.js';
import { localDynamoDBClient } from 'baton-lease/testing';
import { HistoryWriter } from './history.js';
import { RecordingStore } from './recording-store.js';
import { resourceFor, writeSideEffect } from './resource.js';
import { SkewedClock } from './skewed-clock.js';
import { CORRECT_RESOURCE_WRITES, loadVariant, type ProtocolVariant } from './variant.js';
import type { FromWorker, ToWorker, WorkerConfig } from './worker-messages.js';

/** How a worker talks to the campaign (IPC in a child process, anything in a test). */
export interface WorkerChannel {
  send(message: FromWorker): void;
  onMessage(handler: (message: ToWorker) => void): void;
}

/**
 * One chaos worker: contends for the campaign's lease with `runAsLeader`, for
 * as long as it lives, and while it leads runs the scheduled ticks: each tick
 * is one side effect on the fenced resource, logged before it is sent and
 * after it is answered. Its wall clock is a `SkewedClock` that the nemesis
 * moves over IPC; all its requests go through the fault proxy; its lease
 * store records every call to the history.
 *
 * Preparing a side effect takes a little time during which the job does not
 * look at its lease (a computation, a GC pause): a SIGSTOP that lands there
 * turns into the stale write of Kleppmann's argument, which only the fence
 * stops. Before preparing, the job does check that it still leads.
 *
 * Resolves when told to stop (after releasing, if it leads).
 */
export async function runWorker(config: WorkerConfig, channel: WorkerChannel): Promise<void> {
  const who = { worker: config.worker, inc: config.inc };
  const history = new HistoryWriter(config.historyPath);
  const clock = new SkewedClock(config.offsetMs);
  const prng = new Prng(config.seed);
  const random = () => prng.next();
  const variant: ProtocolVariant = config.variant
    ? await loadVariant(config.variant)
    : { description: 'the real protocol' };
  const resourceWrites = { ...CORRECT_RESOURCE_WRITES, ...variant.resource };
  const stop = new AbortController();

  channel.onMessage((message) => {
    if (message.type === 'skew') {
      clock.setOffset(message.offsetMs);
      history.append({ type: 'clock', offsetMs: message.offsetMs, ...who });
    } else if (message.type === 'stop') {
      stop.abort(new Error('worker stopped'));
    }
  });

  const client = localDynamoDBClient(config.endpoint, {
    maxAttempts: 3,
    requestHandler: {
      requestTimeout: config.requestTimeoutMs,
      connectionTimeout: config.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  });
  const doc = DynamoDBDocumentClient.from(client);
  const realStore = new DynamoDBLeaseStore(client, config.leaseTable);
  const store = new RecordingStore(
    variant.wrapStore ? variant.wrapStore(realStore, { client, tableName: config.leaseTable }) : realStore,
    history,
    who,
  );

  // The tenure the runtime is reporting on: a worker holds at most one at a time.
  let owner = '';
  const onEvent = (event: LeaseEvent): void => {
    const real = Date.now();
    switch (event.type) {
      case 'acquired':
        owner = event.holder;
        history.append({
          type: 'tenure',
          event: 'acquired',
          owner,
          token: event.token,
          sentReal: real - event.latencyMs,
          takeover: event.takeover,
          real,
          ...who,
        });
        return;
      case 'renewed':
      case 'released':
        history.append({
          type: 'tenure',
          event: event.type,
          owner,
          token: event.token,
          sentReal: real - event.latencyMs,
          real,
          ...who,
        });
        return;
      case 'lost':
        history.append({
          type: 'tenure',
          event: 'lost',
          owner,
          token: event.token,
          reason: event.reason,
          real,
          ...who,
        });
        return;
      default:
        return;
    }
  };

  const leases = new LeaseClient({
    store,
    holderName: `${config.worker}.${config.inc}`,
    maxClockSkewMs: config.maxClockSkewMs,
    safetyMarginMs: config.safetyMarginMs,
    clock,
    random,
    onEvent,
    // Keep followers responsive: back off at most one lease duration.
    retryCapMs: config.leaseDurationMs,
  });

  let writes = 0;
  const job = async (lease: Lease): Promise<void> => {
    let lastTick = -Infinity;
    for (;;) {
      if (lease.signal.aborted) return;
      const now = clock.now();
      const tick = Math.floor(now / config.tickMs) * config.tickMs;
      if (tick <= lastTick) {
        try {
          await clock.sleep(tick + config.tickMs - now, lease.signal);
        } catch {
          return;
        }
        continue;
      }
      lastTick = tick;
      const remainingMs = lease.remainingMs();
      // Preparing the side effect: deliberately blind to the lease (see above).
      await clock.sleep(Math.floor(random() * config.prepareMaxMs));
      const effect = {
        wid: `${config.worker}.${config.inc}.${++writes}`,
        token: lease.token,
        tick,
        resource: resourceFor(tick, config.tickMs, config.resources),
      };
      history.append({
        type: 'write',
        phase: 'invoke',
        ...effect,
        owner: lease.holder,
        local: clock.now(),
        remainingMs,
        ...who,
      });
      const result = await writeSideEffect(doc, config.resourceTable, effect, resourceWrites);
      history.append({ type: 'write', phase: 'complete', wid: effect.wid, ...result, ...who });
    }
  };

  history.append({ type: 'worker-start', pid: process.pid, offsetMs: config.offsetMs, ...who });
  channel.send({ type: 'ready' });
  try {
    while (!stop.signal.aborted) {
      try {
        await leases.runAsLeader(config.leaseName, job, {
          durationMs: config.leaseDurationMs,
          waitMs: Infinity,
          signal: stop.signal,
          onStartedLeading: (lease) => channel.send({ type: 'leading', token: lease.token }),
          onStoppedLeading: () => channel.send({ type: 'not-leading' }),
        });
      } catch (error) {
        if (stop.signal.aborted) break;
        history.append({
          type: 'worker-error',
          message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
          ...who,
        });
        // Faults are expected here: try again soon, not in lockstep with the others.
        await clock.sleep(50 + Math.floor(random() * 200), stop.signal).catch(() => undefined);
      }
    }
  } finally {
    client.destroy();
    history.close();
  }
}
