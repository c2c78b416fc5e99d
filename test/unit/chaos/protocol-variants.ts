/**
 * Protocol variants for the campaigns of test/integration/chaos-variants.test.ts
 * and chaos-findings.test.ts: four broken on purpose, one proposed fix. Worker
 * processes load this module by path (`variant: { module, name }` in
 * `runCampaign`); nothing outside the tests refers to it, and `lib/runtime` is
 * left intact: each variant wraps the real `LeaseStore` at the port, or changes
 * how the job writes the resource. protocol-variants.test.ts shows, in memory,
 * that each broken one breaks what it says.
 */
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { ProtocolVariant } from '../../../lib/chaos/variant.js';
import { LEASE_SORT_KEY, type LeaseStore } from '../../../lib/runtime/index.js';

/** A skew bound so large that `expiresAt < now - skew` holds for any lease: the expiry condition is gone. */
const NO_EXPIRY_CHECK_MS = -1e12;

function forward(store: LeaseStore): LeaseStore {
  return {
    acquire: (c) => store.acquire(c),
    renew: (c) => store.renew(c),
    release: (c) => store.release(c),
    read: (name) => store.read(name),
    guardedWrite: (c) => store.guardedWrite(c),
  };
}

export const variants: Record<string, ProtocolVariant> = {
  'acquire-ignores-expiry': {
    description: 'acquire without the expiry condition: a contender takes the lease from a live holder',
    wrapStore: (store) => ({ ...forward(store), acquire: (c) => store.acquire({ ...c, skewMs: NO_EXPIRY_CHECK_MS }) }),
  },
  'release-ignores-owner': {
    description: "release without the owner check: a holder that lost its tenure frees its successor's",
    wrapStore: (store) => ({
      ...forward(store),
      release: async (c) => {
        const current = await store.read(c.name);
        // Whoever holds it now: the check that this is *our* tenure is what is missing.
        return store.release(current?.holder ? { ...c, owner: current.holder, token: current.token } : c);
      },
    }),
  },
  'unguarded-writes': {
    description: 'side effects written with no condition at all (no fence, no tick check): a woken, superseded holder overwrites its successor',
    resource: { fence: false, tickDedupe: false },
  },
  'no-tick-dedupe': {
    description: "side effects written without the resource's tick condition: a retried or repeated tick runs twice",
    resource: { tickDedupe: false },
  },
  /**
   * The fix proposed for what `baton chaos --quick --seed 7` found (see
   * chaos-findings.test.ts): renew never moves `expiresAt` backwards, and a
   * renew refused only because the item already shows this tenure with a later
   * expiry counts as renewed (the item guarantees at least what it asked for).
   */
  'monotonic-renew': {
    description: 'proposed fix: renew only ever extends expiresAt (condition expiresAt <= :expiresAt)',
    wrapStore: (store, { client, tableName }) => {
      const doc = DynamoDBDocumentClient.from(client);
      return {
        ...forward(store),
        renew: async (c) => {
          const expiresAt = c.now + c.durationMs;
          try {
            const out = await doc.send(
              new UpdateCommand({
                TableName: tableName,
                Key: { pk: c.name, sk: LEASE_SORT_KEY },
                UpdateExpression: 'SET #expiresAt = :expiresAt, #renewedAt = :now',
                ConditionExpression: '#holder = :owner AND #token = :token AND #expiresAt <= :expiresAt',
                ExpressionAttributeNames: { '#expiresAt': 'expiresAt', '#renewedAt': 'renewedAt', '#holder': 'holder', '#token': 'token' },
                ExpressionAttributeValues: { ':expiresAt': expiresAt, ':now': c.now, ':owner': c.owner, ':token': c.token },
                ReturnValues: 'ALL_OLD',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              }),
            );
            return { applied: true, before: out.Attributes ? record(c.name, out.Attributes) : undefined };
          } catch (error) {
            if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
            const item = (error as { Item?: Record<string, unknown> }).Item;
            const current = item ? record(c.name, unmarshall(item as never)) : undefined;
            // Still our tenure, already extended further by a later renew: renewed.
            if (current?.holder === c.owner && current.token === c.token) return { applied: true, before: current };
            return { applied: false, current };
          }
        },
      };
    },
  },
};

function record(name: string, item: Record<string, unknown>) {
  return {
    name,
    token: Number(item.token ?? 0),
    expiresAt: Number(item.expiresAt ?? 0),
    ...(typeof item.holder === 'string' ? { holder: item.holder } : {}),
  };
}
