import type { LeaseRecord } from './lease-record.js';
import type {
  AcquireCommand,
  GuardedWriteCommand,
  HandoffCommand,
  LeaseStore,
  RecordStepCommand,
  StepJournalQuery,
  StepRecord,
  StepWriteOutcome,
  ReleaseCommand,
  RenewCommand,
  TenureRef,
  WriteOutcome,
} from './lease-store.js';

/**
 * A linearizable `LeaseStore` in memory, with exactly the conditions that
 * `DynamoDBLeaseStore` sends as expressions (see `LeaseStore`). For unit tests
 * and for the simulator, which puts its own network in front of it.
 * Guarded writes are recorded in `committed` instead of being applied.
 */
export class InMemoryLeaseStore implements LeaseStore {
  private readonly items = new Map<string, LeaseRecord>();
  /** Step records by lease, then by `<tick>#<step>`. */
  private readonly steps = new Map<string, Map<string, StepRecord>>();
  /** Item lists of the guarded writes that committed, in commit order. */
  readonly committed: (readonly unknown[])[] = [];
  /** Requests served, by operation: the same count a DynamoDB middleware would see. */
  readonly requests = {
    acquire: 0,
    renew: 0,
    release: 0,
    read: 0,
    guardedWrite: 0,
    requestHandoff: 0,
    readSteps: 0,
    recordStep: 0,
  };

  async acquire(c: AcquireCommand): Promise<WriteOutcome> {
    this.requests.acquire++;
    const before = this.items.get(c.name);
    const reservedForOther =
      before?.handoffPriority !== undefined && (c.priority === undefined || before.handoffPriority > c.priority);
    const vacant = before?.holder === undefined && !reservedForOther;
    const takeable = c.clockFree
      ? c.clockFree.observed !== undefined &&
        before?.token === c.clockFree.observed.token &&
        (before.version ?? 0) === c.clockFree.observed.version
      : before !== undefined && before.expiresAt < c.now - c.skewMs;
    const tickOpen = c.tick === undefined || before?.lastTick === undefined || before.lastTick < c.tick;
    if (!((vacant || takeable) && tickOpen)) return { applied: false, current: before };
    const {
      metadata: _m,
      priority: _p,
      handoffTo: _h,
      handoffPriority: _hp,
      ...kept
    } = before ?? { name: c.name, token: 0, expiresAt: 0 };
    this.items.set(c.name, {
      ...kept,
      holder: c.owner,
      token: kept.token + 1,
      version: (kept.version ?? 0) + 1,
      expiresAt: c.now + c.durationMs,
      durationMs: c.durationMs,
      acquiredAt: c.now,
      renewedAt: c.now,
      ...(c.metadata ? { metadata: { ...c.metadata } } : {}),
      ...(c.priority === undefined ? {} : { priority: c.priority }),
    });
    return { applied: true, before };
  }

  async renew(c: RenewCommand): Promise<WriteOutcome> {
    this.requests.renew++;
    const before = this.items.get(c.name);
    if (!isMine(before, c) || before.expiresAt > c.now + c.durationMs || before.handoffPriority !== undefined) {
      return { applied: false, current: before };
    }
    this.items.set(c.name, {
      ...before,
      expiresAt: c.now + c.durationMs,
      durationMs: c.durationMs,
      renewedAt: c.now,
      version: (before.version ?? 0) + 1,
    });
    return { applied: true, before };
  }

  async release(c: ReleaseCommand): Promise<WriteOutcome> {
    this.requests.release++;
    const before = this.items.get(c.name);
    const tickNotOlder = c.tick === undefined || before?.lastTick === undefined || before.lastTick <= c.tick;
    if (!isMine(before, c) || !tickNotOlder) return { applied: false, current: before };
    const { holder: _holder, metadata: _metadata, ...kept } = before;
    this.items.set(c.name, {
      ...kept,
      expiresAt: c.now + (c.reserveMs ?? 0),
      releasedAt: c.now,
      version: (kept.version ?? 0) + 1,
      releasedBy: c.releasedBy ?? c.owner,
      ...(c.tick === undefined ? {} : { lastTick: c.tick }),
    });
    return { applied: true, before };
  }

  async requestHandoff(c: HandoffCommand): Promise<WriteOutcome> {
    this.requests.requestHandoff++;
    const before = this.items.get(c.name);
    const askable =
      before?.holder !== undefined &&
      before.token === c.token &&
      before.priority !== undefined &&
      before.priority < c.priority &&
      (before.handoffPriority === undefined || before.handoffPriority < c.priority);
    if (!askable) return { applied: false, current: before };
    this.items.set(c.name, {
      ...before,
      handoffTo: c.requester,
      handoffPriority: c.priority,
      version: (before.version ?? 0) + 1,
    });
    return { applied: true, before };
  }

  async read(name: string): Promise<LeaseRecord | undefined> {
    this.requests.read++;
    return this.items.get(name);
  }

  async guardedWrite(c: GuardedWriteCommand): Promise<WriteOutcome> {
    this.requests.guardedWrite++;
    const current = this.items.get(c.name);
    if (!isMine(current, c)) return { applied: false, current };
    this.committed.push([...c.items]);
    return { applied: true, before: undefined };
  }

  /** Every record of the tick, expired ones included; see `LeaseStore.readSteps`. */
  async readSteps(q: StepJournalQuery): Promise<StepRecord[]> {
    this.requests.readSteps++;
    return [...(this.steps.get(q.name)?.values() ?? [])].filter((r) => r.tick === q.tick);
  }

  /** The token fence, evaluated directly; see `LeaseStore.recordStep`. */
  async recordStep(c: RecordStepCommand): Promise<StepWriteOutcome> {
    this.requests.recordStep++;
    const { name, ...record } = c;
    let journal = this.steps.get(name);
    if (journal === undefined) this.steps.set(name, (journal = new Map()));
    const key = `${c.tick}#${c.step}`;
    const current = journal.get(key);
    // The token fence: only a record of a strictly older tenure gives way.
    if (current !== undefined && !(current.token < c.token)) return { applied: false, current };
    journal.set(key, record);
    return { applied: true };
  }
}

function isMine(record: LeaseRecord | undefined, t: TenureRef): record is LeaseRecord {
  return record?.holder === t.owner && record.token === t.token;
}
