import { belowHighest, reconcile, repeated, type Check } from '../harness/checks.js';
import { overlappingPairs } from '../intervals/overlaps.js';
import type { FinalState } from './final-state.js';
import type { CampaignParameters, HistoryRecord, WriteOutcomeKind } from './history.js';
import type { ResourceEntry } from './resource.js';

/**
 * The kinds of violation the checker reports, one per property the campaign
 * checks (docs/decisions/chaos-campaign.md):
 * - `tokens-not-increasing`: fencing tokens accepted by a resource do not
 *   strictly increase from one tenure to the next (two tenures wrote under the
 *   same token), or the lease granted one token to two tenures;
 * - `stale-write-accepted`: a resource accepted a token lower than one it had
 *   already accepted;
 * - `overlapping-tenures`: two workers performed side effects while both held
 *   valid tenures, per the clock model of docs/protocol.md;
 * - `tick-ran-twice`: a scheduled tick's side effect was accepted more than once;
 * - `lease-token-mismatch`: the lease item's token is not the highest token
 *   granted (or a resource holds a token the lease never granted);
 * - `acknowledged-write-lost`: a write the resource acknowledged is not in it;
 * - `phantom-write`: the resource holds a write that the history says was
 *   refused, or that no worker ever attempted.
 */
export const VIOLATION_KINDS = [
  'tokens-not-increasing',
  'stale-write-accepted',
  'overlapping-tenures',
  'tick-ran-twice',
  'lease-token-mismatch',
  'acknowledged-write-lost',
  'phantom-write',
] as const;
export type ViolationKind = (typeof VIOLATION_KINDS)[number];

/** Each kind's property as the reports' checks name it; the demos name the ones they share alike. */
export const PROPERTY_NAMES: Readonly<Record<ViolationKind, string>> = {
  'tokens-not-increasing': 'tokens increase from tenure to tenure',
  'stale-write-accepted': 'no stale write was accepted',
  'overlapping-tenures': 'no two tenures acted at once',
  'tick-ran-twice': 'every tick ran at most once',
  'lease-token-mismatch': 'the lease holds the highest token granted',
  'acknowledged-write-lost': 'no acknowledged write was lost',
  'phantom-write': 'the resources hold only writes their workers saw land',
};

export interface Violation {
  readonly kind: ViolationKind;
  readonly message: string;
  /** Real time (host clock, epoch ms) the violation is dated to. */
  readonly real?: number;
  readonly workers?: readonly string[];
  readonly tokens?: readonly number[];
  readonly resource?: string;
  /**
   * Set when the run broke an assumption of docs/protocol.md that the property
   * depends on: here, clocks that disagreed by more than `maxClockSkewMs`
   * while the two tenures were decided.
   */
  readonly explainedBy?: 'clock-skew-beyond-bound';
  /**
   * What the history shows about the cause, when the checker can tell:
   * `expiry-moved-backwards` when the successor replaced a lease item whose
   * expiry was older than one the holder had already been told it wrote (a
   * late request overwrote a newer one). A diagnosis explains nothing away:
   * the violation stands.
   */
  readonly diagnosis?: 'expiry-moved-backwards';
}

/** A tenure as reconstructed from the holder's own records. Times are real (host clock). */
export interface TenureView {
  readonly owner: string;
  readonly worker: string;
  readonly inc: number;
  readonly token: number;
  readonly takeover: boolean;
  /** When the acquiring request was sent, and when the holder learned it had won. */
  readonly sentReal: number;
  readonly ackReal: number;
  /** `t0 + D - M` of the last acquire or renew that succeeded: the holder's own deadline. */
  readonly deadlineReal: number;
  /** When the release was sent, if the holder released. */
  readonly releaseSentReal?: number;
  /** When the holder learned it had lost, and how. */
  readonly lostReal?: number;
  readonly lostReason?: string;
  /** When its process was killed, if it was. */
  readonly killedReal?: number;
  /** The end of the window in which it may act: its deadline, or its release if earlier. */
  readonly validEnd: number;
}

/** One attempted side effect, joined with its completion. */
export interface WriteView {
  readonly wid: string;
  readonly worker: string;
  readonly inc: number;
  readonly owner: string;
  readonly token: number;
  readonly tick: number;
  readonly resource: string;
  readonly local: number;
  readonly invokeReal: number;
  readonly completeReal?: number;
  /** Absent when the worker never learned the outcome (it was killed first). */
  readonly outcome?: WriteOutcomeKind;
}

export interface CheckResult {
  /** One per property: it fails on a violation no broken assumption explains. */
  readonly checks: readonly Check[];
  readonly violations: readonly Violation[];
  readonly tenures: readonly TenureView[];
  readonly writes: readonly WriteView[];
  readonly stats: {
    readonly tenures: number;
    readonly takeovers: number;
    readonly writesAttempted: number;
    /** Entries in the resources' logs: side effects that really happened. */
    readonly sideEffectsAccepted: number;
    readonly staleRejected: number;
    readonly tickDoneRejected: number;
    /** Writes whose outcome the worker never learned (timeouts, resets, 5xx, killed mid-request). */
    readonly unknownOutcomes: number;
    readonly highestTokenGranted: number;
    readonly finalLeaseToken: number;
    /** Acquire requests whose outcome no record settles. */
    readonly unresolvedAcquires: number;
    /** The largest disagreement between two live workers' wall clocks at any moment, in ms. */
    readonly maxSkewSpreadMs: number;
  };
}

/**
 * Checks a campaign's history against the final state of its tables. It sees
 * nothing else: not the workers, not the proxy, not the nemesis' intentions.
 * Hand-made histories exercise it in test/unit/chaos.
 *
 * The clock model (docs/protocol.md): a tenure is valid from when its holder
 * learned it won (`ackReal`) until `validEnd`, the holder's deadline
 * `t0 + D - M` (`t0` the send time of its last successful acquire or renew,
 * in real time), or its release if earlier. A side effect is *performed under*
 * a tenure if its attempt was invoked inside that window. Two tenures overlap
 * if a successor's window starts before its predecessor's ends; the property
 * fails when both performed side effects in the overlap.
 */
export function checkHistory(records: readonly HistoryRecord[], finalState: FinalState): CheckResult {
  const params = records.find((r): r is Extract<HistoryRecord, { type: 'campaign' }> => r.type === 'campaign');
  if (!params) throw new Error('checkHistory: the history has no campaign record');
  const tenures = reconstructTenures(records, params);
  const writes = reconstructWrites(records);
  const offsets = offsetTimeline(records);
  const violations: Violation[] = [];

  checkResourceOrder(finalState, writes, violations);
  checkGrants(tenures, violations);
  checkOverlaps(tenures, writes, offsets, leaseWrites(records, params), params, violations);
  checkTicks(finalState, writes, violations);
  const tokenFacts = checkLeaseToken(records, tenures, finalState, violations);
  checkAcknowledged(finalState, writes, violations);

  const count = (outcome: WriteOutcomeKind) => writes.filter((w) => w.outcome === outcome).length;
  return {
    checks: propertyChecks(violations),
    violations,
    tenures,
    writes,
    stats: {
      tenures: tenures.length,
      takeovers: tenures.filter((t) => t.takeover).length,
      writesAttempted: writes.length,
      sideEffectsAccepted: finalState.resources.reduce((sum, r) => sum + r.log.length, 0),
      staleRejected: count('stale'),
      tickDoneRejected: count('tick-done'),
      unknownOutcomes: count('unknown') + writes.filter((w) => w.outcome === undefined).length,
      ...tokenFacts,
      maxSkewSpreadMs: offsets.maxSpread(),
    },
  };
}

function reconstructTenures(records: readonly HistoryRecord[], params: CampaignParameters): TenureView[] {
  interface Draft {
    owner: string;
    worker: string;
    inc: number;
    token: number;
    takeover: boolean;
    sentReal: number;
    ackReal: number;
    lastSentReal: number;
    releaseSentReal?: number;
    lostReal?: number;
    lostReason?: string;
    killedReal?: number;
  }
  const drafts = new Map<string, Draft>();
  const kills = new Map<string, number>();
  for (const r of records) {
    if (r.type === 'nemesis' && r.action === 'kill' && r.worker !== undefined)
      kills.set(`${r.worker}.${r.inc ?? 0}`, r.real);
    if (r.type !== 'tenure') continue;
    const draft = drafts.get(r.owner);
    if (r.event === 'acquired') {
      const sent = r.sentReal ?? r.real;
      drafts.set(r.owner, {
        owner: r.owner,
        worker: r.worker,
        inc: r.inc,
        token: r.token,
        takeover: r.takeover ?? false,
        sentReal: sent,
        ackReal: r.real,
        lastSentReal: sent,
      });
    } else if (draft && r.event === 'renewed') {
      draft.lastSentReal = Math.max(draft.lastSentReal, r.sentReal ?? r.real);
    } else if (draft && r.event === 'released') {
      draft.releaseSentReal = r.sentReal ?? r.real;
    } else if (draft && r.event === 'lost') {
      draft.lostReal ??= r.real;
      draft.lostReason ??= r.reason;
    }
  }
  const margin = params.leaseDurationMs - params.safetyMarginMs;
  return [...drafts.values()]
    .map((d) => {
      const deadlineReal = d.lastSentReal + margin;
      const killedReal = kills.get(`${d.worker}.${d.inc}`);
      return {
        owner: d.owner,
        worker: d.worker,
        inc: d.inc,
        token: d.token,
        takeover: d.takeover,
        sentReal: d.sentReal,
        ackReal: d.ackReal,
        deadlineReal,
        ...(d.releaseSentReal === undefined ? {} : { releaseSentReal: d.releaseSentReal }),
        ...(d.lostReal === undefined ? {} : { lostReal: d.lostReal, lostReason: d.lostReason }),
        ...(killedReal !== undefined && killedReal >= d.ackReal ? { killedReal } : {}),
        validEnd: Math.min(deadlineReal, d.releaseSentReal ?? Infinity),
      };
    })
    .sort((a, b) => a.ackReal - b.ackReal || a.token - b.token);
}

function reconstructWrites(records: readonly HistoryRecord[]): WriteView[] {
  const writes = new Map<string, WriteView>();
  for (const r of records) {
    if (r.type !== 'write') continue;
    if (r.phase === 'invoke') {
      writes.set(r.wid, {
        wid: r.wid,
        worker: r.worker,
        inc: r.inc,
        owner: r.owner,
        token: r.token,
        tick: r.tick,
        resource: r.resource,
        local: r.local,
        invokeReal: r.real,
      });
    } else {
      const invoked = writes.get(r.wid);
      if (invoked) writes.set(r.wid, { ...invoked, completeReal: r.real, outcome: r.outcome });
    }
  }
  return [...writes.values()];
}

/** Each worker's wall-clock offset over real time, from its start records and the clock changes it applied. */
function offsetTimeline(records: readonly HistoryRecord[]) {
  const changes = new Map<string, { real: number; offsetMs: number }[]>();
  const alive = new Map<string, { from: number; to: number }[]>();
  for (const r of records) {
    if (r.type === 'worker-start' || r.type === 'clock') {
      const list = changes.get(r.worker) ?? [];
      list.push({ real: r.real, offsetMs: r.offsetMs });
      changes.set(r.worker, list);
    }
    if (r.type === 'worker-start') {
      const spans = alive.get(r.worker) ?? [];
      const previous = spans.at(-1);
      if (previous && previous.to === Infinity) previous.to = r.real;
      spans.push({ from: r.real, to: Infinity });
      alive.set(r.worker, spans);
    }
    if (r.type === 'nemesis' && r.action === 'kill' && r.worker !== undefined) {
      const current = alive.get(r.worker)?.at(-1);
      if (current && current.to === Infinity) current.to = r.real;
    }
  }
  const at = (worker: string, real: number): number | undefined => {
    let value: number | undefined;
    for (const c of changes.get(worker) ?? []) {
      if (c.real > real) break;
      value = c.offsetMs;
    }
    return value;
  };
  const isAlive = (worker: string, real: number) =>
    (alive.get(worker) ?? []).some((s) => s.from <= real && real < s.to);
  /**
   * The largest difference between a reading of `a`'s clock and a reading of
   * `b`'s, both taken within `[from, to]`. The protocol compares readings
   * taken at different moments (the holder's at its last renew, the
   * contender's at its acquire), so this, not the spread at one instant, is
   * what the skew assumption bounds.
   */
  const spreadBetween = (a: string, b: string, from: number, to: number): number => {
    const range = (worker: string) => {
      const values = [
        at(worker, from),
        ...(changes.get(worker) ?? []).filter((c) => c.real > from && c.real <= to).map((c) => c.offsetMs),
      ].filter((o): o is number => o !== undefined);
      return values.length === 0 ? undefined : { min: Math.min(...values), max: Math.max(...values) };
    };
    const ra = range(a);
    const rb = range(b);
    if (!ra || !rb) return 0;
    return Math.max(ra.max - rb.min, rb.max - ra.min, 0);
  };
  const maxSpread = (): number => {
    const moments = [...new Set([...changes.values()].flatMap((list) => list.map((c) => c.real)))];
    let worst = 0;
    for (const t of moments) {
      const live = [...changes.keys()]
        .filter((w) => isAlive(w, t))
        .map((w) => at(w, t))
        .filter((o): o is number => o !== undefined);
      if (live.length > 1) worst = Math.max(worst, Math.max(...live) - Math.min(...live));
    }
    return worst;
  };
  return { spreadBetween, maxSpread };
}

/**
 * Each property's verdict: it holds unless a violation of it stands that no
 * broken assumption explains (those are reported, and fail nothing).
 */
export function propertyChecks(violations: readonly Violation[]): Check[] {
  return VIOLATION_KINDS.map((kind) => {
    const found = violations.filter((v) => v.kind === kind);
    const unexplained = found.filter((v) => v.explainedBy === undefined).length;
    const detail =
      found.length === 0
        ? 'no violation'
        : `${found.length} ${found.length === 1 ? 'violation' : 'violations'}${unexplained < found.length ? `, ${found.length - unexplained} explained by clock skew beyond the bound` : ''}`;
    return { name: PROPERTY_NAMES[kind], ok: unexplained === 0, detail };
  });
}

/** Properties 1 and 2, on each resource's log in acceptance order. */
function checkResourceOrder(finalState: FinalState, writes: readonly WriteView[], out: Violation[]): void {
  const byWid = new Map(writes.map((w) => [w.wid, w]));
  const dated = (entry: ResourceEntry) => {
    const write = byWid.get(entry.wid);
    return write ? { real: write.invokeReal, workers: [write.worker] } : {};
  };
  for (const resource of finalState.resources) {
    const stale = belowHighest(resource.log, (e) => e.token);
    for (const { item: entry, highest } of stale) {
      out.push({
        kind: 'stale-write-accepted',
        message:
          `${resource.id} accepted token ${entry.token} (write ${entry.wid}) after it had accepted token ` +
          `${highest.token} (write ${highest.wid})`,
        resource: resource.id,
        tokens: [entry.token, highest.token],
        ...dated(entry),
      });
    }
    // The rest never goes down, so a token accepted again is accepted right after itself: a second tenure under it.
    const staleAt = new Set(stale.map((s) => s.index));
    const fresh = resource.log.filter((_, i) => !staleAt.has(i));
    for (const { key: token, items } of repeated(fresh, (e) => e.token)) {
      const first = byWid.get(items[0]!.wid)?.owner;
      for (const entry of items.slice(1)) {
        const owner = byWid.get(entry.wid)?.owner;
        if (first === undefined || owner === undefined || owner === first) continue;
        out.push({
          kind: 'tokens-not-increasing',
          message:
            `${resource.id} accepted token ${token} from two tenures (${first}, then ${owner}): the token ` +
            `did not increase`,
          resource: resource.id,
          tokens: [token],
          ...dated(entry),
        });
      }
    }
  }
}

/** Property 1, on the lease's side: one token, one tenure. */
function checkGrants(tenures: readonly TenureView[], out: Violation[]): void {
  for (const { key: token, items: holders } of repeated(tenures, (t) => t.token)) {
    out.push({
      kind: 'tokens-not-increasing',
      message: `token ${token} was granted to ${holders.length} tenures (${holders.map((h) => h.owner).join(', ')})`,
      tokens: [token],
      workers: holders.map((h) => h.worker),
      real: holders[1]!.ackReal,
    });
  }
}

/** Property 3: no side effects under overlapping valid tenures. */
/**
 * From the lease store's own records: the latest expiry each tenure was told
 * it wrote (an acknowledged acquire or renew: its `now` + D), and for each
 * acquisition, the tenure and expiry it replaced in the item.
 */
function leaseWrites(records: readonly HistoryRecord[], params: CampaignParameters) {
  const invoked = new Map<string, { owner: string; local: number }>();
  const acknowledgedExpiry = new Map<string, number>();
  const replaced = new Map<string, { holder: string | undefined; expiresAt: number }>();
  for (const r of records) {
    if (r.type !== 'lease-op' || (r.op !== 'acquire' && r.op !== 'renew')) continue;
    const key = `${r.worker}.${r.inc}.${r.id}`;
    if (r.phase === 'invoke') {
      if (r.owner !== undefined && r.local !== undefined) invoked.set(key, { owner: r.owner, local: r.local });
      continue;
    }
    const call = invoked.get(key);
    if (r.phase !== 'ok' || !call) continue;
    if (r.applied || (r.op === 'acquire' && r.holder === call.owner)) {
      acknowledgedExpiry.set(
        call.owner,
        Math.max(acknowledgedExpiry.get(call.owner) ?? -Infinity, call.local + params.leaseDurationMs),
      );
    }
    if (r.op === 'acquire' && r.applied && r.replacedExpiresAt !== undefined)
      replaced.set(call.owner, { holder: r.replacedHolder, expiresAt: r.replacedExpiresAt });
  }
  return { acknowledgedExpiry, replaced };
}

function checkOverlaps(
  tenures: readonly TenureView[],
  writes: readonly WriteView[],
  offsets: ReturnType<typeof offsetTimeline>,
  lease: ReturnType<typeof leaseWrites>,
  params: CampaignParameters,
  out: Violation[],
): void {
  const byOwner = new Map<string, WriteView[]>();
  for (const w of writes) byOwner.set(w.owner, [...(byOwner.get(w.owner) ?? []), w]);
  const actedIn = (t: TenureView, from: number, to: number) =>
    (byOwner.get(t.owner) ?? []).some((w) => w.invokeReal >= from && w.invokeReal <= to && w.invokeReal <= t.validEnd);
  const windows = tenures.map((tenure) => ({ tenure, start: tenure.ackReal, end: tenure.validEnd }));
  for (const [{ tenure: a }, { tenure: b }] of overlappingPairs(windows, (w) => w.tenure.owner)) {
    const from = b.ackReal;
    const to = Math.min(a.validEnd, b.validEnd);
    // An inverted successor window (its deadline or release came before it learned it won) holds no moment to act in.
    if (from > to || !actedIn(a, from, to) || !actedIn(b, from, to)) continue;
    const spread = offsets.spreadBetween(a.worker, b.worker, a.sentReal, b.sentReal);
    const found = lease.replaced.get(b.owner);
    const told = lease.acknowledgedExpiry.get(a.owner);
    const backwards = found !== undefined && found.holder === a.owner && told !== undefined && found.expiresAt < told;
    out.push({
      kind: 'overlapping-tenures',
      message:
        `${b.worker} (token ${b.token}) began leading ${Math.round(a.validEnd - b.ackReal)} ms before ${a.worker} (token ${a.token}) reached its deadline, ` +
        `and both performed side effects in between (clocks ${Math.round(spread)} ms apart; bound ${params.maxClockSkewMs} ms)` +
        (backwards
          ? `; the item ${b.worker} replaced showed ${a.worker}'s expiry ${Math.round(told - found.expiresAt)} ` +
            `ms earlier than ${a.worker} had already been told it wrote: a late request moved the expiry ` +
            `backwards`
          : ''),
      real: b.ackReal,
      workers: [a.worker, b.worker],
      tokens: [a.token, b.token],
      ...(spread > params.maxClockSkewMs ? { explainedBy: 'clock-skew-beyond-bound' as const } : {}),
      ...(backwards ? { diagnosis: 'expiry-moved-backwards' as const } : {}),
    });
  }
}

/** Property 4: a tick's side effect is accepted at most once, over all resources. */
function checkTicks(finalState: FinalState, writes: readonly WriteView[], out: Violation[]): void {
  const byWid = new Map(writes.map((w) => [w.wid, w]));
  const accepted = finalState.resources.flatMap((r) => r.log);
  for (const { key: tick, items: entries } of repeated(accepted, (e) => e.tick)) {
    const workers = [
      ...new Set(entries.map((e) => byWid.get(e.wid)?.worker).filter((w): w is string => w !== undefined)),
    ];
    out.push({
      kind: 'tick-ran-twice',
      message: `tick ${new Date(tick).toISOString()} ran ${entries.length} times (writes ${entries.map((e) => `${e.wid}@${e.token}`).join(', ')})`,
      tokens: [...new Set(entries.map((e) => e.token))],
      workers,
      real: byWid.get(entries[1]!.wid)?.invokeReal ?? tick,
    });
  }
}

/** Property 5: the lease item's token is the highest token granted. */
function checkLeaseToken(
  records: readonly HistoryRecord[],
  tenures: readonly TenureView[],
  finalState: FinalState,
  out: Violation[],
) {
  const granted = new Set<number>();
  for (const t of tenures) granted.add(t.token);
  const settled = new Set<string>();
  for (const t of tenures) settled.add(t.owner);
  // Acquire attempts: settled by an answer that it applied (granted) or did not (held by another), else unknown.
  const invoked = new Map<string, string>();
  for (const r of records) {
    if (r.type !== 'lease-op' || r.op !== 'acquire') continue;
    const key = `${r.worker}.${r.inc}.${r.id}`;
    if (r.phase === 'invoke' && r.owner !== undefined) invoked.set(key, r.owner);
    if (r.phase === 'ok') {
      const owner = invoked.get(key);
      if (owner === undefined) continue;
      if (r.applied || r.holder === owner) {
        if (r.token !== undefined) granted.add(r.token);
        settled.add(owner);
      } else if (r.holder !== owner) {
        settled.add(owner);
      }
    }
  }
  const unresolvedAcquires = [...invoked.values()].filter((owner) => !settled.has(owner)).length;
  const highestTokenGranted = Math.max(0, ...granted);
  const finalLeaseToken = finalState.lease?.token ?? 0;
  if (finalLeaseToken < highestTokenGranted) {
    out.push({
      kind: 'lease-token-mismatch',
      message:
        `the lease item's token is ${finalLeaseToken}, below token ${highestTokenGranted} that was ` +
        `granted: the token went backwards`,
      tokens: [finalLeaseToken, highestTokenGranted],
    });
  } else if (finalLeaseToken - highestTokenGranted > unresolvedAcquires) {
    out.push({
      kind: 'lease-token-mismatch',
      message:
        `the lease item's token is ${finalLeaseToken}, but the highest token granted is ${highestTokenGranted} ` +
        `and only ${unresolvedAcquires} acquisitions have an unknown outcome`,
      tokens: [finalLeaseToken, highestTokenGranted],
    });
  }
  for (const resource of finalState.resources) {
    const top = Math.max(0, ...resource.log.map((e) => e.token), resource.fence ?? 0);
    if (top > finalLeaseToken) {
      out.push({
        kind: 'lease-token-mismatch',
        message:
          `${resource.id} holds token ${top}, above the lease item's token ${finalLeaseToken}: a token ` +
          `the lease never granted`,
        resource: resource.id,
        tokens: [top, finalLeaseToken],
      });
    }
  }
  return { highestTokenGranted, finalLeaseToken, unresolvedAcquires };
}

/** Property 6, and its converse: acknowledged writes are there; refused or unknown-origin ones are not. */
function checkAcknowledged(finalState: FinalState, writes: readonly WriteView[], out: Violation[]): void {
  const present = new Map<string, ResourceEntry & { resource: string }>();
  for (const resource of finalState.resources)
    for (const e of resource.log) present.set(e.wid, { ...e, resource: resource.id });
  const byWid = new Map(writes.map((w) => [w.wid, w]));
  const { notSent, lost, refusedYetHeld } = reconcile([...present.keys()], {
    sent: byWid.keys(),
    acknowledged: writes.filter((w) => w.outcome === 'accepted').map((w) => w.wid),
    refused: writes.filter((w) => w.outcome === 'stale' || w.outcome === 'tick-done').map((w) => w.wid),
  });
  for (const w of lost.map((wid) => byWid.get(wid)!)) {
    out.push({
      kind: 'acknowledged-write-lost',
      message:
        `write ${w.wid} (token ${w.token}, tick ${new Date(w.tick).toISOString()}) was acknowledged ` +
        `but is not in ${w.resource}`,
      real: w.completeReal ?? w.invokeReal,
      workers: [w.worker],
      tokens: [w.token],
      resource: w.resource,
    });
  }
  for (const entry of notSent.map((wid) => present.get(wid)!)) {
    out.push({
      kind: 'phantom-write',
      message: `${entry.resource} holds write ${entry.wid} (token ${entry.token}) that no worker attempted`,
      resource: entry.resource,
      tokens: [entry.token],
    });
  }
  for (const [entry, w] of refusedYetHeld.map((wid) => [present.get(wid)!, byWid.get(wid)!] as const)) {
    out.push({
      kind: 'phantom-write',
      message:
        `${entry.resource} holds write ${entry.wid} (token ${entry.token}) that its worker saw refused ` +
        `(${w.outcome})`,
      resource: entry.resource,
      tokens: [entry.token],
      workers: [w.worker],
      real: w.invokeReal,
    });
  }
  const refused = new Set(refusedYetHeld);
  for (const entry of present.values()) {
    const w = byWid.get(entry.wid);
    if (w === undefined || refused.has(entry.wid) || (w.token === entry.token && w.tick === entry.tick)) continue;
    out.push({
      kind: 'phantom-write',
      message:
        `${entry.resource} holds write ${entry.wid} with token ${entry.token} and tick ${entry.tick}, ` +
        `but it was attempted with token ${w.token} and tick ${w.tick}`,
      resource: entry.resource,
      tokens: [entry.token, w.token],
      workers: [w.worker],
      real: w.invokeReal,
    });
  }
}
