import type { LeaseRecord } from 'baton-lease';
import type {
  AcquireCommand,
  GuardedWriteCommand,
  HandoffCommand,
  LeaseStore,
  ReleaseCommand,
  RenewCommand,
  WriteOutcome,
} from 'baton-lease';
import type { NodeContext, NodeTimer } from './election-node.js';
import type { StoreOperation, StoreRequest, StoreResponse } from './lease-store-service.js';
import { SERVICE } from './network.js';

/**
 * A node's `LeaseStore`: every call is one request over the simulated network
 * to the shared store, and one response back. When either is lost (random loss,
 * a partition) the call fails after `timeoutMs` with an error named
 * `TimeoutError`, which is what an SDK request timeout looks like to the
 * runtime: the write may or may not have landed.
 */
export class RemoteLeaseStore implements LeaseStore {
  private nextId = 0;
  private readonly pending = new Map<
    number,
    { resolve(value: unknown): void; reject(error: Error): void; timer: NodeTimer }
  >();
  /** Requests this node has sent: the "messages" of a store-based algorithm. */
  requests = 0;

  constructor(
    private readonly ctx: NodeContext,
    private readonly timeoutMs: number,
  ) {}

  acquire(command: AcquireCommand): Promise<WriteOutcome> {
    return this.call('acquire', command) as Promise<WriteOutcome>;
  }

  renew(command: RenewCommand): Promise<WriteOutcome> {
    return this.call('renew', command) as Promise<WriteOutcome>;
  }

  release(command: ReleaseCommand): Promise<WriteOutcome> {
    return this.call('release', command) as Promise<WriteOutcome>;
  }

  requestHandoff(command: HandoffCommand): Promise<WriteOutcome> {
    return this.call('requestHandoff', command) as Promise<WriteOutcome>;
  }

  read(name: string): Promise<LeaseRecord | undefined> {
    return this.call('read', name) as Promise<LeaseRecord | undefined>;
  }

  guardedWrite(command: GuardedWriteCommand): Promise<WriteOutcome> {
    return this.call('guardedWrite', command) as Promise<WriteOutcome>;
  }

  /** Feeds a response from the store; the node forwards its messages here. */
  onResponse(response: StoreResponse): void {
    const pending = this.pending.get(response.id);
    if (pending === undefined) return; // answered after we gave up on it
    this.pending.delete(response.id);
    pending.timer.cancel();
    if (response.ok) pending.resolve(response.value);
    else pending.reject(Object.assign(new Error(response.error.message), { name: response.error.name }));
  }

  private call(operation: StoreOperation, argument: unknown): Promise<unknown> {
    const id = ++this.nextId;
    this.requests++;
    return new Promise((resolve, reject) => {
      const timer = this.ctx.setTimer(this.timeoutMs, () => {
        this.pending.delete(id);
        reject(Object.assign(new Error(`${operation} timed out after ${this.timeoutMs} ms`), { name: 'TimeoutError' }));
      });
      this.pending.set(id, { resolve, reject, timer });
      this.ctx.send(SERVICE, { type: 'store-request', id, operation, argument } satisfies StoreRequest);
    });
  }
}
