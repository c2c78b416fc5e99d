import { setTimeout as sleep } from 'node:timers/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LeaseClient } from 'baton-lease';
import { readLedgerHead } from './ledger.js';
import type { ResourceSample } from './records.js';

/** Options of {@link ResourceMonitor}. */
export interface ResourceMonitorOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly leaseName: string;
  /** @default 200 */
  readonly intervalMs?: number;
  readonly onSample: (sample: ResourceSample) => void;
}

/**
 * Watches the fenced resource from outside while the run goes on: every
 * `intervalMs`, a strongly consistent read of the lease item and of the ledger
 * head. The samples feed the live view, and let the checks see the fence go
 * backwards even if a later write hid it.
 */
export class ResourceMonitor {
  readonly #stop = new AbortController();
  #loop: Promise<void> | undefined;
  latest: ResourceSample | undefined;
  readonly #leases: LeaseClient;

  constructor(private readonly options: ResourceMonitorOptions) {
    this.#leases = new LeaseClient({
      tableName: options.tableName,
      client: options.client,
      holderName: 'baton-demo-monitor',
    });
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }

  /** One strongly consistent read of the lease item and the ledger head. */
  async sample(): Promise<ResourceSample> {
    const { client, tableName, leaseName } = this.options;
    const [lease, head] = await Promise.all([
      this.#leases.describe(leaseName),
      readLedgerHead(client, tableName, leaseName),
    ]);
    const sample: ResourceSample = {
      type: 'sample',
      at: Date.now(),
      ...(lease
        ? {
            lease: {
              token: lease.token,
              expiresAt: lease.expiresAt,
              ...(lease.holder === undefined ? {} : { holder: lease.holder }),
              ...(lease.lastTick === undefined ? {} : { lastTick: lease.lastTick }),
            },
          }
        : {}),
      ...(head ? { head } : {}),
    };
    this.latest = sample;
    return sample;
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      try {
        this.options.onSample(await this.sample());
      } catch {
        // A missed sample loses nothing the ledger does not keep; the next one follows.
      }
      try {
        await sleep(this.options.intervalMs ?? 200, undefined, { signal });
      } catch {
        return;
      }
    }
  }
}
