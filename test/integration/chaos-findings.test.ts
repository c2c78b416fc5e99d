import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeaseTable, LeaseClient } from '../../lib/runtime/index.js';
import { startFaultProxy } from '../../lib/testing/fault-proxy.js';
import { testClient, testEndpoint, uniqueTableName } from '../support/dynamodb.js';

const D = 2_000;
const S = 200;
const M = 250;
const tableName = uniqueTableName('chaos-findings');
const direct = testClient();

beforeAll(() => createLeaseTable(direct, tableName));
afterAll(() => direct.destroy());

/**
 * What the chaos campaign found (`baton chaos --quick --seed 7`; see
 * docs/decisions/chaos-campaign.md), kept as a regression test. Renew's
 * condition used to be only `holder = :me AND token = :t`, which every renew of
 * a tenure satisfies, so a renew request that landed late (held in the network
 * while the SDK's retry of it, and then a later renew, went through) wrote an
 * *older* `expiresAt` over a newer one, and a contender could take the lease
 * while the holder, by its own deadline, still led. Renew now also requires
 * `expiresAt <= :expiresAt`: it never moves the expiry backwards.
 */
/**
 * The holder renews three times; the first renew's first try is held 2.5 s in
 * the network (the SDK's retry of it lands at once). Right after the held try
 * lands, a contender tries to take over. Resolves with what happened.
 */
async function lateRenewScenario() {
  const proxy = await startFaultProxy({ upstream: testEndpoint(), faults: { spikeMinMs: 2_500, spikeMaxMs: 2_500 } });
  // One retry, after a short timeout: the SDK's own retry lands while the first try is still held.
  const holderClient = testClient({
    endpoint: proxy.endpoint,
    maxAttempts: 2,
    requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true },
  });
  try {
    const name = `finding/renew-${Date.now()}-${Math.random()}`;
    const options = { maxClockSkewMs: S, safetyMarginMs: M, retryBaseMs: 10, retryCapMs: 20 };
    const holder = new LeaseClient({ ...options, holderName: 'holder', tableName, client: holderClient });
    const contender = new LeaseClient({ ...options, tableName, client: direct, holderName: 'contender' });
    const won = await holder.tryAcquire(name, { durationMs: D });
    if (!won.acquired) throw new Error('setup: the holder must win');
    const lease = won.lease;

    const first = performance.now();
    proxy.forceNext('latency-spike');
    await lease.renew();
    await sleep(500);
    await lease.renew();
    await sleep(500);
    await lease.renew(); // the holder's deadline is now ~3.1 s after `first`, the stored expiry ~3.35 s
    // The held first try lands at ~2.5 s, writing back an expiry of `first` + 2 s; by 2.6 s that is past `expiresAt + S`.
    await sleep(first + 2_600 - performance.now());

    const attempt = await contender.tryAcquire(name, { durationMs: D });
    const holderStillLeads = lease.remainingMs() > 0;
    if (attempt.acquired) await attempt.lease.release();
    return { contenderWon: attempt.acquired, holderStillLeads };
  } finally {
    holderClient.destroy();
    await proxy.close();
  }
}

describe('chaos findings', () => {
  it('a renew that lands late, after later renews, does not let a contender in before the holder’s deadline', async () => {
    expect(await lateRenewScenario()).toEqual({ contenderWon: false, holderStillLeads: true });
  }, 20_000);
});
