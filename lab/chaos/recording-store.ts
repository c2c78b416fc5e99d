import type { LeaseStore, WriteOutcome } from 'baton-lease';
import type { HistoryWriter, LeaseOperation } from './history.js';

/** Who is writing, for the records. */
export interface RecordingIdentity {
  readonly worker: string;
  readonly inc: number;
}

/**
 * A `LeaseStore` that logs every call it forwards as a Jepsen-style pair of
 * records (`invoke`, then `ok` or `info`). It sits between the protocol and
 * the real store, so the history holds the lease register's own operations:
 * including acquisitions that landed but whose caller never learned it (killed
 * mid-request), which is what the checker needs to judge the lease's token.
 */
export class RecordingStore implements LeaseStore {
  #seq = 0;

  constructor(
    private readonly inner: LeaseStore,
    private readonly history: HistoryWriter,
    private readonly who: RecordingIdentity,
  ) {}

  acquire: LeaseStore['acquire'] = (c) =>
    this.#record(
      'acquire',
      { owner: c.owner, local: c.now },
      () => this.inner.acquire(c),
      (o) => grantedToken(o, c.owner),
    );
  renew: LeaseStore['renew'] = (c) =>
    this.#record('renew', { owner: c.owner, token: c.token, local: c.now }, () => this.inner.renew(c));
  release: LeaseStore['release'] = (c) =>
    this.#record('release', { owner: c.owner, token: c.token, local: c.now }, () => this.inner.release(c));
  // The campaign's workers never elect; a handoff request changes no holder or token, so the checker needs no record of it.
  requestHandoff: LeaseStore['requestHandoff'] = (c) => this.inner.requestHandoff(c);
  guardedWrite: LeaseStore['guardedWrite'] = (c) =>
    this.#record('guardedWrite', { owner: c.owner, token: c.token }, () => this.inner.guardedWrite(c));

  read: LeaseStore['read'] = async (name) => {
    const id = ++this.#seq;
    this.history.append({ type: 'lease-op', op: 'read', id, phase: 'invoke', ...this.who });
    try {
      const record = await this.inner.read(name);
      this.history.append({
        type: 'lease-op',
        op: 'read',
        id,
        phase: 'ok',
        applied: false,
        ...(record ? { token: record.token } : {}),
        ...(record?.holder ? { holder: record.holder } : {}),
        ...this.who,
      });
      return record;
    } catch (error) {
      this.history.append({ type: 'lease-op', op: 'read', id, phase: 'info', error: describe(error), ...this.who });
      throw error;
    }
  };

  async #record(
    op: LeaseOperation,
    sent: { owner?: string; token?: number; local?: number },
    call: () => Promise<WriteOutcome>,
    token: (outcome: WriteOutcome) => number | undefined = () => undefined,
  ): Promise<WriteOutcome> {
    const id = ++this.#seq;
    this.history.append({ type: 'lease-op', op, id, phase: 'invoke', ...sent, ...this.who });
    try {
      const outcome = await call();
      const granted = token(outcome);
      const seen = outcome.applied ? undefined : outcome.current;
      this.history.append({
        type: 'lease-op',
        op,
        id,
        phase: 'ok',
        applied: outcome.applied,
        ...(granted === undefined ? (seen ? { token: seen.token } : {}) : { token: granted }),
        ...(seen?.holder ? { holder: seen.holder } : {}),
        ...(op === 'acquire' && outcome.applied && outcome.before
          ? {
              replacedExpiresAt: outcome.before.expiresAt,
              ...(outcome.before.holder ? { replacedHolder: outcome.before.holder } : {}),
            }
          : {}),
        ...this.who,
      });
      return outcome;
    } catch (error) {
      this.history.append({ type: 'lease-op', op, id, phase: 'info', error: describe(error), ...this.who });
      throw error;
    }
  }
}

/** The token an acquire granted: on apply, the previous token + 1; after an SDK retry, the item's own (it shows our owner id). */
function grantedToken(outcome: WriteOutcome, owner: string): number | undefined {
  if (outcome.applied) return (outcome.before?.token ?? 0) + 1;
  return outcome.current?.holder === owner ? outcome.current.token : undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
