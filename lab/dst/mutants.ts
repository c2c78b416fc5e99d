import type { Mutant } from './runtime.js';

const LEASE = 'lib/runtime/lease.ts';
const RELEASED_BY_US = 'const releasedBefore = !outcome.applied && outcome.current?.releasedBy === this.holder;';

/**
 * Known defects, each put back into a copy of the runtime by exact source
 * patches: the eight defects of the combined-faults review (docs/decisions/
 * lost-renew-answer.md, job-release.md, deleted-lease-item.md, elector.md,
 * runtime.md), four broken rules of the protocol, a release that keeps no
 * reservation for a request no renew has reported yet, the step journal without
 * its fence (docs/protocol.md), and two timers left behind. The simulation must catch every one
 * (docs/dst.md#mutants).
 */
export const MUTANTS: readonly Mutant[] = [
  {
    name: 'lost-renew-answer-counted',
    defect: 'a renew whose answer was lost counts as landed when the read finds an expiry at least the one asked for',
    patches: [
      {
        file: LEASE,
        find: `emit(o.onEvent, { type: 'outcome-resolved', name: this.name, operation: 'renew', applied: false });
      if (this.#isMine(found)) throw wrap('renew', this.name, error);
      outcome = { applied: false, current: found };`,
        replace: `const applied = this.#isMine(found) && found.expiresAt >= wanted;
      emit(o.onEvent, { type: 'outcome-resolved', name: this.name, operation: 'renew', applied });
      if (this.#isMine(found) && !applied) throw wrap('renew', this.name, error);
      outcome = applied ? { applied: true, before: found } : { applied: false, current: found };`,
      },
    ],
  },
  {
    name: 'clock-free-own-duration',
    defect: "a clock-free waiter watches a version for its own durationMs, not the holder's",
    patches: [
      {
        file: 'lib/runtime/elector.ts',
        find: 'watchMs: Math.max(o.durationMs, current.durationMs ?? 0)',
        replace: 'watchMs: o.durationMs',
      },
    ],
  },
  {
    name: 'elect-renews-in-duration',
    defect: 'elect checks renewEveryMs against durationMs, default durationMs / 3, not the acting window',
    patches: [
      {
        file: 'lib/runtime/elect-options.ts',
        find: 'const renewEveryMs = validateRenewEvery(options.renewEveryMs, durationMs, client);',
        replace: `const renewEveryMs = options.renewEveryMs ?? Math.floor(durationMs / 3);
  if (durationMs <= renewEveryMs * 2) throw new LeaseValidationError('renewEveryMs', 'must be less than durationMs / 2');`,
      },
    ],
  },
  {
    name: 'job-release-skips-tick',
    defect: "a job's own release records no tick, and the handler's release with the tick is then a no-op",
    patches: [
      {
        file: LEASE,
        find: 'const tick = options.tick === undefined ? this.#tick :',
        replace: 'const tick = options.tick === undefined ? undefined :',
      },
      {
        file: LEASE,
        find: 'if (tick !== undefined && !((this.#releasedTick ?? -Infinity) >= tick)) {',
        replace: 'if (this.#releasedTick === -1 && tick !== undefined) {',
      },
    ],
  },
  {
    name: 'landed-release-needs-free-item',
    defect: 'a release that landed, whose answer was lost, counts as lost once the lease moved on',
    patches: [
      {
        file: LEASE,
        find: RELEASED_BY_US,
        replace:
          'const releasedBefore = !outcome.applied && outcome.current?.holder === undefined && outcome.current?.token ' +
          '=== this.token && outcome.current.releasedBy === this.holder;',
      },
    ],
  },
  {
    name: 'rejecting-on-event',
    defect: 'a promise an onEvent hook returns that rejects is left unhandled',
    patches: [
      {
        file: 'lib/runtime/events.ts',
        find: 'if (isThenable(returned)) returned.then(undefined, ignore);',
        replace: 'void ignore;',
      },
    ],
  },
  {
    name: 'try-acquire-elector-attempt',
    defect: "the public tryAcquire takes the elector's attempt (an observed version) unchecked",
    patches: [
      {
        file: 'lib/runtime/lease-client.ts',
        find: `tryAcquire(name: string, options: TryAcquireOptions): Promise<TryAcquireResult> {
    return this.#tryAcquire(name, options, true);`,
        replace: `tryAcquire(name: string, options: TryAcquireOptions, elector?: ElectorAttempt): Promise<TryAcquireResult> {
    return this.#tryAcquire(name, options, true, elector);`,
      },
    ],
  },
  {
    name: 'lease-item-deletable',
    defect: "a job's role may delete the lease item, and the next acquire starts again at token 1",
    patches: [
      {
        file: 'lib/cdk/lease-table.ts',
        find: "['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem']",
        replace: "['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DeleteItem']",
      },
    ],
  },
  {
    name: 'renew-may-shorten',
    defect: 'renew without the monotonic-expiry clause: a late renew shortens a later one',
    patches: [
      {
        file: 'lib/runtime/in-memory-lease-store.ts',
        find: ' || before.expiresAt > c.now + c.durationMs',
        replace: '',
      },
    ],
  },
  {
    name: 'acquire-without-skew',
    defect: 'acquire takes an expired lease without waiting the skew bound: expiresAt < now, not < now - S',
    patches: [{ file: 'lib/runtime/lease-client.ts', find: 'skewMs: maxClockSkewMs }', replace: 'skewMs: 0 }' }],
  },
  {
    name: 'refused-renew-extends',
    defect: 'a renew refused because the stored expiry is later still extends the deadline',
    patches: [
      {
        file: LEASE,
        find: "if (!outcome.applied || this.#state !== 'held') return;",
        replace: "if (this.#state !== 'held') return;",
      },
    ],
  },
  {
    name: 'release-own-without-releasedby',
    defect: 'a release that finds the item free at its token counts as its own, without checking releasedBy',
    patches: [
      {
        file: LEASE,
        find: RELEASED_BY_US,
        replace:
          'const releasedBefore = !outcome.applied && outcome.current?.holder === undefined && outcome.current?.token ' +
          '=== this.token;',
      },
    ],
  },
  {
    name: 'elect-release-timer-left',
    defect: "a stopped elector leaves its release's give-up timer pending",
    patches: [{ file: 'lib/runtime/elector.ts', find: '      giveUp.abort();\n', replace: '' }],
  },
  {
    name: 'handler-timer-left',
    defect: 'the cron handler leaves its settle timer pending after it returns',
    patches: [{ file: 'lambda/cron-singleton.ts', find: 'finished.abort();', replace: '' }],
  },
  {
    name: 'release-reserves-only-after-renew',
    defect: 'a release reserves the lease for a handoff requester only once a renew reported the request',
    patches: [
      { file: LEASE, find: '  readonly #reservesOnRelease: boolean;', replace: '  #reservesOnRelease: boolean;' },
      {
        file: LEASE,
        find: 'this.#reservesOnRelease = facts.priority !== undefined;',
        replace: 'this.#reservesOnRelease = false;',
      },
      {
        file: LEASE,
        find: 'const error = new LeaseHandoffError(this.name, current);',
        replace: 'const error = new LeaseHandoffError(this.name, current);\n    this.#reservesOnRelease = true;',
      },
    ],
  },
  {
    name: 'step-record-unfenced',
    defect: "a step record replaces a newer tenure's: the journal without its token fence",
    patches: [
      {
        file: 'lib/runtime/in-memory-lease-store.ts',
        find: 'if (current !== undefined && !(current.token < c.token)) return',
        replace: 'if (current !== undefined && current.token === c.token) return',
      },
    ],
  },
];
