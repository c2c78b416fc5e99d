import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { LeaseClient, type LeaseEvent } from 'baton-lease';
import { liveHeapBytes } from '../heap.js';
import { percentile, round2 } from '../stats.js';

/** What the soak asks of one leader. */
export interface SoakParams {
  readonly minutes: number;
  readonly durationMs: number;
  readonly renewEveryMs: number;
  /** How often heap and handles are read. */
  readonly sampleEveryMs: number;
}

/** One reading of the process during the soak. */
export interface SoakSample {
  readonly atS: number;
  /** Live heap after full collections. */
  readonly heapBytes: number;
  /** Resources keeping the event loop alive (`process.getActiveResourcesInfo()`): sockets, timers, handles. */
  readonly handles: number;
}

export interface SoakFigure {
  readonly params: SoakParams;
  readonly loop: string;
  readonly renews: number;
  /** Renewals that failed or leadership lost during the soak; must be 0. */
  readonly failures: number;
  /** Tenures the leader went through; 1 when it never lost the lease. */
  readonly tenures: number;
  readonly perMinute: readonly {
    readonly minute: number;
    readonly renews: number;
    readonly p99RenewMs: number | null;
  }[];
  readonly samples: readonly SoakSample[];
  /** Least-squares slope of the samples after the first tenth of the soak (warm-up), per minute. */
  readonly heapSlopeBytesPerMin: number;
  readonly handlesSlopePerMin: number;
}

/**
 * The soak: one leader renewing for `minutes`, as a long-lived process uses
 * Baton (`runAsLeader` with a work function that lasts until stopped, so the
 * loop renews every `renewEveryMs`). Every renewal's latency is taken from
 * the client's `renewed` events; the live heap and the count of active
 * resources are read every `sampleEveryMs`. Flat means the slopes stay near
 * zero: nothing accumulates per renewal.
 */
export async function runSoak(
  client: DynamoDBClient,
  tableName: string,
  params: SoakParams,
  log: (line: string) => void,
): Promise<SoakFigure> {
  // Preallocated (twice the scheduled renewals), so recording them adds nothing to the heap the soak watches.
  const capacity = Math.ceil((params.minutes * 60_000 * 2) / params.renewEveryMs);
  const renewedAt = new Float64Array(capacity);
  const latencies = new Float64Array(capacity);
  let count = 0;
  let failures = 0;
  let tenures = 0;
  const began = performance.now();
  const onEvent = (event: LeaseEvent) => {
    if (event.type === 'renewed' && count < capacity) {
      renewedAt[count] = performance.now() - began;
      latencies[count++] = event.latencyMs;
    } else if (event.type === 'lost' || event.type === 'backoff') failures++;
    else if (event.type === 'acquired') tenures++;
  };
  const leases = new LeaseClient({ tableName, client, holderName: 'baton-soak', onEvent });
  const stop = new AbortController();
  const endMs = params.minutes * 60_000;
  const leading = leases.runAsLeader(
    'bench/soak',
    (lease) => new Promise<void>((resolve) => lease.signal.addEventListener('abort', () => resolve(), { once: true })),
    { durationMs: params.durationMs, renewEveryMs: params.renewEveryMs, signal: stop.signal },
  );
  const samples: SoakSample[] = [];
  try {
    for (let at = 0; at <= endMs; at += params.sampleEveryMs) {
      await sleep(Math.max(0, at - (performance.now() - began)));
      samples.push({
        atS: round2((performance.now() - began) / 1_000),
        heapBytes: liveHeapBytes(),
        handles: process.getActiveResourcesInfo().length,
      });
      if (at > 0 && at % 60_000 === 0) log(`soak: minute ${at / 60_000} of ${params.minutes}, ${count} renewals`);
    }
  } finally {
    stop.abort();
  }
  const result = await leading;
  if (!result.led) failures++;
  const steady = samples.filter((s) => s.atS * 1_000 >= endMs / 10);
  return {
    params,
    loop: `runAsLeader (durationMs ${params.durationMs}, renewEveryMs ${params.renewEveryMs})`,
    renews: count,
    failures,
    tenures,
    perMinute: Array.from({ length: Math.ceil(params.minutes) }, (_, minute) => {
      const inMinute: number[] = [];
      for (let i = 0; i < count; i++)
        if (renewedAt[i]! >= minute * 60_000 && renewedAt[i]! < (minute + 1) * 60_000) inMinute.push(latencies[i]!);
      return {
        minute: minute + 1,
        renews: inMinute.length,
        p99RenewMs: inMinute.length ? round2(percentile(inMinute, 99)) : null,
      };
    }),
    samples,
    heapSlopeBytesPerMin: Math.round(slopePerMinute(steady, (s) => s.heapBytes)),
    handlesSlopePerMin: round2(slopePerMinute(steady, (s) => s.handles)),
  };
}

/** The least-squares slope of `value` over the samples' time, per minute; 0 with fewer than two samples. */
export function slopePerMinute(samples: readonly SoakSample[], value: (s: SoakSample) => number): number {
  if (samples.length < 2) return 0;
  const xs = samples.map((s) => s.atS / 60);
  const ys = samples.map(value);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
