/**
 * Protocol variants broken on purpose, for the campaigns of
 * lab/test/e2e/chaos-variants.test.ts. Worker
 * processes load this module by path (`variant: { module, name }` in
 * `runCampaign`); nothing outside the tests refers to it, and `lib/runtime` is
 * left intact: each variant wraps the real `LeaseStore` at the port, or changes
 * how the job writes the resource. protocol-variants.test.ts shows, in memory,
 * that each one breaks what it says. (The `store` wrapper also receives the
 * worker's DynamoDB client and table, for a variant that needs its own
 * request; the fix for the campaign's first finding was tried that way before
 * it went into lib/runtime.)
 */
import type { ProtocolVariant } from '../../chaos/variant.js';
import type { LeaseStore } from 'baton-lease';

/** A skew bound so large that `expiresAt < now - skew` holds for any lease: the expiry condition is gone. */
const NO_EXPIRY_CHECK_MS = -1e12;

function forward(store: LeaseStore): LeaseStore {
  return {
    acquire: (c) => store.acquire(c),
    renew: (c) => store.renew(c),
    release: (c) => store.release(c),
    read: (name) => store.read(name),
    guardedWrite: (c) => store.guardedWrite(c),
    requestHandoff: (c) => store.requestHandoff(c),
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
    description:
      'side effects written with no condition at all (no fence, no tick check): a woken, superseded ' +
      'holder overwrites its successor',
    resource: { fence: false, tickDedupe: false },
  },
  'no-tick-dedupe': {
    description: "side effects written without the resource's tick condition: a retried or repeated tick runs twice",
    resource: { tickDedupe: false },
  },
};
