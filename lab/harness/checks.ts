/**
 * The checker library the lab's three pipelines compose: the Lambda demo
 * (lab/demo/checks.ts), the elector demo (lab/demo/elect-checks.ts) and the
 * chaos campaign (lab/chaos/checker.ts). Each builds plain inputs from its
 * own evidence (a ledger, a resource's log, a history) and asks the same
 * questions of them here: was a token accepted below a higher one, did a
 * key happen twice, do the writers' logs and the resource agree, did a
 * process die that nobody killed. Two tenures acting at once is interval
 * arithmetic, in lab/intervals/overlaps.ts. Pure: no I/O, no clock.
 */

/** One named property of a run and what the evidence showed. The reports' `checks` hold these. */
export interface Check {
  readonly name: string;
  /** The property held. */
  readonly ok: boolean;
  /** What the evidence showed: the figures behind a pass, the first offenders behind a failure. */
  readonly detail: string;
}

/** A property that holds when nothing offends it: `whenOk` then, else the offenders, the first few of them. */
export function check(name: string, offenders: readonly string[], whenOk: string): Check {
  return { name, ok: offenders.length === 0, detail: offenders.length === 0 ? whenOk : listed(offenders) };
}

/** Every check held. */
export function allHold(checks: readonly Check[]): boolean {
  return checks.every((c) => c.ok);
}

/** A failed check when log lines did not parse (a torn last line), none when every line did: a run with holes proves nothing. */
export function logsComplete(unreadableLines: number): Check[] {
  return unreadableLines > 0
    ? [{ name: 'logs are complete', ok: false, detail: `${unreadableLines} log lines did not parse` }]
    : [];
}

/** The first `max` values, then how many more: a detail stays readable when a broken variant offends thousands of times. */
export function listed(values: readonly (string | number)[], max = 6): string {
  return values.slice(0, max).join('; ') + (values.length > max ? `; and ${values.length - max} more` : '');
}

/** The records of one type, typed as that member of their union. */
export function ofType<R extends { readonly type: string }, T extends R['type']>(
  records: readonly R[],
  type: T,
): Extract<R, { type: T }>[] {
  return records.filter((r): r is Extract<R, { type: T }> => r.type === type);
}

/**
 * The keys that occur more than once, with their items in the order given:
 * what must happen at most once (a tick's side effect, a token's grant) and
 * did not.
 */
export function repeated<T, K>(items: readonly T[], keyOf: (item: T) => K): { key: K; items: T[] }[] {
  const groups = new Map<K, T[]>();
  for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item]);
  return [...groups].filter(([, group]) => group.length > 1).map(([key, group]) => ({ key, items: group }));
}

/**
 * The items whose token is below the highest one before them, in the order
 * given (a resource's acceptance order, the fence's samples): the fence let a
 * stale token through, or went down. `highest` is the item that set the bar.
 */
export function belowHighest<T>(
  items: readonly T[],
  tokenOf: (item: T) => number,
): { index: number; item: T; highest: T }[] {
  const found: { index: number; item: T; highest: T }[] = [];
  let highest: T | undefined;
  items.forEach((item, index) => {
    if (highest !== undefined && tokenOf(item) < tokenOf(highest)) found.push({ index, item, highest });
    else if (highest === undefined || tokenOf(item) > tokenOf(highest)) highest = item;
  });
  return found;
}

/** What the writers logged about their writes, by the key the resource holds them under. */
export interface WritersLogs<K> {
  /** Writes some worker logged sending. */
  readonly sent: Iterable<K>;
  /** Writes whose writer was told they landed. */
  readonly acknowledged: readonly K[];
  /** Writes whose writer was told they were refused. */
  readonly refused: readonly K[];
}

/**
 * Where the resource and the writers' logs disagree: an entry no worker
 * logged sending, an acknowledged write the resource does not hold, a refused
 * one it does. Each is a lie on one side, whatever the clocks said.
 */
export function reconcile<K>(
  resource: readonly K[],
  logs: WritersLogs<K>,
): { notSent: K[]; lost: K[]; refusedYetHeld: K[] } {
  const sent = new Set(logs.sent);
  const held = new Set(resource);
  return {
    notSent: resource.filter((k) => !sent.has(k)),
    lost: logs.acknowledged.filter((k) => !held.has(k)),
    refusedYetHeld: logs.refused.filter((k) => held.has(k)),
  };
}

/** A process's end as the parent saw it. */
export interface ProcessExit {
  readonly pid: number;
  readonly code: number | null;
  readonly signal: string | null;
}

/** Exits that were neither clean nor the nemesis's own SIGKILL: a worker that crashed. */
export function diedUnbidden<E extends ProcessExit>(
  exits: readonly E[],
  kills: readonly { readonly pid: number }[],
): E[] {
  const killed = new Set(kills.map((k) => k.pid));
  return exits.filter((e) => e.code !== 0 && !(e.signal === 'SIGKILL' && killed.has(e.pid)));
}

/**
 * Whether a write with a higher token than `token` landed before `at`: then a
 * resumed holder's late write had to meet the fence. `atOrBefore` counts a
 * write in the same millisecond, for a nemesis that resumes on seeing it.
 */
export function successorWroteFirst(
  landed: readonly { readonly token: number; readonly at: number }[],
  token: number,
  at: number,
  atOrBefore = false,
): boolean {
  return landed.some((w) => w.token > token && (atOrBefore ? w.at <= at : w.at < at));
}
