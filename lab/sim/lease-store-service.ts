import type { LeaseStore } from 'baton-lease';
import type { Service } from './cluster.js';

/** The operations of the `LeaseStore` port, which travel over the simulated network. */
export type StoreOperation = 'acquire' | 'renew' | 'release' | 'read' | 'guardedWrite' | 'requestHandoff';

export interface StoreRequest {
  readonly type: 'store-request';
  readonly id: number;
  readonly operation: StoreOperation;
  readonly argument: unknown;
}

export type StoreResponse =
  | { readonly type: 'store-response'; readonly id: number; readonly ok: true; readonly value: unknown }
  | {
      readonly type: 'store-response';
      readonly id: number;
      readonly ok: false;
      readonly error: { readonly name: string; readonly message: string };
    };

/**
 * The store's end of the network: applies each request that arrives to one
 * shared linearizable `LeaseStore` (the runtime's `InMemoryLeaseStore`) in
 * arrival order, and sends the answer back. The answer can be lost like any
 * message, after the write has landed: exactly the ambiguity the runtime
 * resolves with a consistent read.
 */
export class LeaseStoreService implements Service {
  constructor(
    readonly store: LeaseStore,
    private readonly reply: (to: number, response: StoreResponse) => void,
  ) {}

  onMessage(from: number, raw: unknown): void {
    const request = raw as StoreRequest;
    const call = this.store[request.operation] as (argument: unknown) => Promise<unknown>;
    call.call(this.store, request.argument).then(
      (value) => this.reply(from, { type: 'store-response', id: request.id, ok: true, value }),
      (error: unknown) =>
        this.reply(from, {
          type: 'store-response',
          id: request.id,
          ok: false,
          error: { name: error instanceof Error ? error.name : 'Error', message: String(error) },
        }),
    );
  }
}
