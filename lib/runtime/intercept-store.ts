import type { LeaseStore } from './lease-store.js';

/** The operations of a `LeaseStore`, each one request. */
export type StoreOperation = keyof LeaseStore;

/**
 * What to do around each request a wrapped store forwards: `around` receives
 * the operation and a function that sends the request to the inner store, and
 * returns what the caller gets. It may observe the outcome, delay it, fail it
 * before sending or after the answer came (a lost answer), or pass it through.
 */
export type StoreInterceptor = <T>(operation: StoreOperation, send: () => Promise<T>) => Promise<T>;

/**
 * `store` with every request passed through `around`: one wrapper for
 * observing requests (the elector's logs and metrics) and for injecting faults
 * into them (`faultyStore` in `baton-lease/testing`).
 */
export function interceptStore(store: LeaseStore, around: StoreInterceptor): LeaseStore {
  return {
    acquire: (command, options) => around('acquire', () => store.acquire(command, options)),
    renew: (command, options) => around('renew', () => store.renew(command, options)),
    release: (command, options) => around('release', () => store.release(command, options)),
    requestHandoff: (command) => around('requestHandoff', () => store.requestHandoff(command)),
    read: (name, options) => around('read', () => store.read(name, options)),
    guardedWrite: (command) => around('guardedWrite', () => store.guardedWrite(command)),
  };
}
