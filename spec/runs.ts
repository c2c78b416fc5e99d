/**
 * The runs of spec/baton.pml: their bounds, the properties each checks, and the
 * mutants SPIN must refute (docs/protocol.md#the-model). Time is in model
 * units; every run has two workers.
 */

export interface Property {
  readonly name: string;
  /** Text of the assertion that states it in spec/baton.pml (safety runs). */
  readonly assertion?: string;
}

export interface Check {
  readonly name: string;
  readonly defines: readonly string[];
  readonly bounds: Readonly<Record<string, number | string | boolean>>;
  readonly liveness: boolean;
  readonly properties: readonly Property[];
  readonly timeoutS: number;
}

export interface Mutant {
  readonly name: string;
  readonly flag: string;
  /** The run whose bounds refute it. */
  readonly defines: readonly string[];
  /** Text of the assertion its trail violates, or `acceptance cycle` for a liveness mutant. */
  readonly breaks: string;
  /** Checked against the run's LTL property (its defines name it) instead of the assertions. */
  readonly liveness?: boolean;
  readonly explanation: string;
  readonly timeoutS: number;
}

const MUTEX: Property = { name: 'at most one worker acting', assertion: 'acting[(1-w)]' };
const TOKENS: Property = { name: 'tokens never repeat or go back', assertion: 'token>maxTok' };
const HEALTHY: Property = {
  name: 'a tenure without faults never reaches its deadline (renews in time)',
  assertion: 'fAtWin',
};
const TICK_ONCE: Property = {
  name: 'a recorded tick is never run by an invocation that saw it recorded',
  assertion: 'lastTick<tk',
};
const TICK_RECORDED: Property = {
  name: 'a release reported with a tick leaves it recorded (lastTick never goes back)',
  assertion: 'lastTick>=claim',
};
const FENCE: Property = { name: "a stale tenure's fenced or guarded write is never accepted", assertion: 'maxWrote' };
const GUARD: Property = { name: 'a guarded write commits only for the newest tenure', assertion: 'tok[w]==maxTok' };
const RESERVATION: Property = {
  name: 'while a handoff reservation lasts (a lease from the release), no strictly lower priority takes the lease',
  assertion: 'resvEnd',
};

/** Wall-clock runs: D 5, M 1, S 3 (so that dropping `- S` can matter: S > M + 1), offsets within S. */
const WALL = ['-DD0=5', '-DM=1', '-DS=3'];
/**
 * Clock-free runs: holder durations 8 (renewing every 3) and 4 (every 1), offsets over [-H, H] (at least
 * +-3S), one step of any size: a worker's wall clock only ever meets its own earlier readings, so a range as
 * wide as the horizon orders them every way.
 */
const CLOCKFREE = (h: number) => [
  '-DCLOCKFREE=1',
  '-DD0=8',
  '-DP0=3',
  '-DD1=4',
  '-DM=1',
  '-DS=1',
  `-DOFFMAX=${h}`,
  '-DNSTEP=1',
];
const HANDOFF = ['-DD0=5', '-DM=1', '-DS=1', '-DPR0=1', '-DPR1=2'];
/** D 9, M 6: elect's old default period D/3 = 3 lands at the deadline; (D - M)/3 = 1 does not. */
const PERIOD = ['-DD0=9', '-DM=6', '-DS=1', '-DJOBS=0', '-DMAXF=0'];
/** The liveness runs' CI configurations, shared with the waiting rule's mutants. */
const LIVE_WALL = ['-DLIVE_ANY', '-DD0=5', '-DM=1', '-DS=1', '-DFH=3'];
/**
 * The second worker's clock may also start OFFMAX behind, so that one step can put both waiters' clocks behind
 * the clock that wrote expiresAt (the waiting rule's clock-free mutant).
 */
const LIVE_CLOCKFREE = [
  '-DLIVE_ANY',
  '-DCLOCKFREE=1',
  '-DD0=5',
  '-DM=1',
  '-DS=1',
  '-DOFFMAX=14',
  '-DCFBEHIND=1',
  '-DNSTEP=1',
  '-DFH=3',
  '-DMAXF=1',
];
const LIVE_HANDOFF = ['-DLIVE_HI', ...HANDOFF, '-DFH=3'];

function bounds(defines: readonly string[]): Record<string, number | string | boolean> {
  return Object.fromEntries(
    defines.map((d) => {
      const [key, value] = d.slice(2).split('=');
      return [key!, value === undefined ? true : Number.isNaN(Number(value)) ? value : Number(value)];
    }),
  );
}

function safety(name: string, defines: string[], properties: Property[], timeoutS = 120): Check {
  return { name, defines, bounds: { workers: 2, ...bounds(defines) }, liveness: false, properties, timeoutS };
}

function live(name: string, defines: string[], property: string, timeoutS = 120): Check {
  return {
    name,
    defines,
    bounds: { workers: 2, ...bounds(defines) },
    liveness: true,
    properties: [{ name: property }],
    timeoutS,
  };
}

/**
 * The checks. CI bounds keep the whole step within minutes on two cores; `--deep`
 * widens horizons and fault budgets. H is the time horizon, MAXF the faults
 * (lost request, lost answer, late landing, crash, operator release), FH the
 * time after which faults stop (liveness).
 */
export function checksFor(deep: boolean): Check[] {
  const h = (ci: number, more: number) => (deep ? more : ci);
  const checks = [
    safety(
      'wall-clock',
      [...WALL, `-DH=${h(7, 11)}`, '-DMAXF=3', '-DJOBS=0', `-DCRASH=${h(0, 1)}`],
      [MUTEX, TOKENS, HEALTHY],
    ),
    safety(
      'wall-clock-ticks',
      [...WALL, `-DH=${h(6, 7)}`, `-DMAXF=${h(1, 2)}`, '-DTICKS=1', '-DOPERATOR=1'],
      [MUTEX, TOKENS, TICK_ONCE, TICK_RECORDED, FENCE, GUARD, HEALTHY],
    ),
    safety(
      'clock-free',
      [...CLOCKFREE(h(8, 12)), `-DH=${h(8, 12)}`, `-DMAXF=${h(1, 2)}`, '-DJOBS=0', '-DCRASH=0'],
      [MUTEX, TOKENS, HEALTHY],
    ),
    safety(
      'clock-free-jobs-crashes',
      [...CLOCKFREE(h(8, 10)), `-DH=${h(8, 10)}`, `-DMAXF=${h(1, 2)}`],
      [MUTEX, TOKENS, HEALTHY],
    ),
    safety('handoff', [...HANDOFF, `-DH=${h(7, 10)}`, `-DMAXF=${h(1, 2)}`], [MUTEX, TOKENS, RESERVATION, HEALTHY]),
    safety(
      'handoff-clock-free',
      [...HANDOFF, '-DCLOCKFREE=1', '-DOFFMAX=7', `-DH=${h(7, 10)}`, `-DMAXF=${h(1, 2)}`],
      [MUTEX, TOKENS, RESERVATION, HEALTHY],
    ),
    safety('renew-period', [...PERIOD, `-DH=${h(8, 16)}`], [HEALTHY]),
    live(
      'live-wall-clock',
      [...LIVE_WALL, `-DH=${h(10, 16)}`, `-DMAXF=${h(1, 2)}`],
      'some worker leads once faults stop',
    ),
    live('live-clock-free', [...LIVE_CLOCKFREE, `-DH=${h(14, 18)}`], 'some worker leads once faults stop'),
    live(
      'live-handoff',
      [...LIVE_HANDOFF, `-DH=${h(14, 18)}`, `-DMAXF=${h(1, 2)}`],
      'the higher-priority live requester eventually leads',
    ),
    live(
      'live-handoff-clock-free',
      ['-DLIVE_HI', ...HANDOFF, '-DCLOCKFREE=1', '-DOFFMAX=14', `-DH=${h(14, 18)}`, '-DFH=3', `-DMAXF=${h(1, 2)}`],
      'the higher-priority live requester eventually leads',
    ),
  ];
  // Deeper searches may take minutes each.
  return deep ? checks.map((c) => ({ ...c, timeoutS: 900 })) : checks;
}

/** The model configurations the conformance traces are simulated from (longer horizons, more faults). */
export function tracedRuns(): { name: string; defines: string[] }[] {
  return [
    { name: 'wall', defines: [...WALL, '-DH=14', '-DMAXF=4'] },
    { name: 'ticks', defines: [...WALL, '-DH=14', '-DMAXF=4', '-DTICKS=1', '-DOPERATOR=1'] },
    { name: 'clockfree', defines: [...CLOCKFREE(14), '-DH=14', '-DMAXF=3'] },
    { name: 'handoff', defines: [...HANDOFF, '-DH=14', '-DMAXF=3'] },
    { name: 'handoffcf', defines: [...HANDOFF, '-DCLOCKFREE=1', '-DOFFMAX=7', '-DNSTEP=1', '-DH=14', '-DMAXF=3'] },
    // Without crashes, which a random simulation picks early and which use up the faults: lost and late
    // answers then reach renews, releases and reads, and tenures reach their deadline (spec/decisions.ts).
    { name: 'wallnet', defines: [...WALL, '-DH=14', '-DMAXF=4', '-DCRASH=0', '-DOPERATOR=1'] },
    { name: 'clockfreenet', defines: [...CLOCKFREE(14), '-DH=14', '-DMAXF=3', '-DCRASH=0'] },
  ];
}

const MUTEX_TEXT = 'acting[(1-w)]';

export const MUTANTS: readonly Mutant[] = [
  {
    name: 'renew without expiresAt <= :new',
    flag: 'MUT_RENEW_NO_EXPIRY',
    defines: [...WALL, '-DH=7', '-DMAXF=3', '-DJOBS=0', '-DCRASH=0'],
    breaks: MUTEX_TEXT,
    explanation:
      'Worker 1 (wall clock 3 behind worker 0) takes token 1 at t=0 and renews every unit. Its renew ' +
      'of t=1 is held in the network (outcome unknown; the read shows the tenure still its own, so ' +
      'no extension). Its renews of t=2..6 land (expiresAt 8, deadline t=10). The held t=1 renew ' +
      'lands after them and, without `expiresAt <= :new`, moves expiresAt back from 8 to 3. Worker ' +
      '0, which polls by reads meanwhile (two of them lost), reads expiresAt 3 at t=6; at t=7 its ' +
      'clock reads 7 > 3 + S, so it writes and takes token 2 while worker 1 acts until t=10.',
    timeoutS: 120,
  },
  {
    name: 'acquire without - S',
    flag: 'MUT_ACQUIRE_NO_SKEW',
    defines: [...WALL, '-DH=7', '-DMAXF=3', '-DJOBS=0', '-DCRASH=1'],
    breaks: MUTEX_TEXT,
    explanation:
      'Worker 1 (wall clock 3 behind) takes token 1 at t=0 (expiresAt 2 on its clock, deadline t=4); ' +
      'its renews of t=1 and t=2 are lost. Worker 0, whose write lost at t=0, reads at t=1 (its waiting ' +
      'rule keeps it reading until its clock passes 2 + S), then crashes at t=2. Its first poll after ' +
      'the restart is a write: at t=3 it sends 3 > expiresAt 2 and, without `- S`, takes token 2 ' +
      'while worker 1 acts until t=4 (with `- S` the write is refused until its clock passes 5, at ' +
      't=6).',
    timeoutS: 120,
  },
  {
    name: 'a refused renew extends the deadline',
    flag: 'MUT_REFUSED_EXTENDS',
    defines: [...CLOCKFREE(8), '-DH=8', '-DMAXF=1', '-DJOBS=0', '-DCRASH=0'],
    breaks: MUTEX_TEXT,
    explanation:
      'Worker 0 (D 8, renewing every 3) takes token 1 at t=0, then its wall clock steps back by 8. ' +
      'Its renews at t=3 and t=6 are refused by `expiresAt <= :new`; the refusal shows the tenure ' +
      'still its own, and the mutant counts it as renewed, pushing the deadline to t=13 while the ' +
      "item's version stays at 1. Worker 1 (D 4) has watched version (1, 1) since t=0, reading every " +
      'unit, times it for max(4, 8) = 8 and takes token 2 at t=8 while worker 0 acts until t=13.',
    timeoutS: 120,
  },
  {
    name: 'settling a lost renew by expiresAt >= wanted',
    flag: 'MUT_SETTLE_BY_EXPIRY',
    defines: [...CLOCKFREE(8), '-DH=8', '-DMAXF=1', '-DJOBS=0', '-DCRASH=0'],
    breaks: MUTEX_TEXT,
    explanation:
      'Worker 0 (D 8, renewing every 3) takes token 1 at t=0 (deadline t=7), then its wall clock ' +
      'steps back by 8: its t=3 renew is refused and rightly changes nothing. Its t=6 renew is lost; ' +
      'the settling read finds the tenure still its own with expiresAt 8 >= the wanted -2 + 8, so ' +
      'the mutant counts it as landed and moves the deadline to t=13. The version never changed, ' +
      'so worker 1 (D 4), which times it for the recorded 8, takes token 2 at t=8 while worker 0 ' +
      'acts until t=13.',
    timeoutS: 120,
  },
  {
    name: "clock-free watching only the waiter's own duration",
    flag: 'MUT_WATCH_OWN',
    defines: [...CLOCKFREE(8), '-DH=8', '-DMAXF=1', '-DJOBS=0', '-DCRASH=0'],
    breaks: MUTEX_TEXT,
    explanation:
      'Worker 0 (D 8, renewing every 3) takes token 1 at t=0 (deadline t=7). Its t=3 renew is lost, ' +
      'so the version stays (1, 1) and it retries at t=4. Worker 1 (D 4) has watched that version ' +
      'since t=0 and, timing it for its own 4 units instead of the recorded 8, takes token 2 at t=4 ' +
      'while worker 0 acts until t=7.',
    timeoutS: 120,
  },
  {
    name: 'release counted as its own without releasedBy',
    flag: 'MUT_RELEASE_NO_BY',
    defines: [...WALL, '-DH=6', '-DMAXF=1', '-DTICKS=1', '-DOPERATOR=1'],
    breaks: 'lastTick>=claim',
    explanation:
      'Worker 1 takes token 1 for tick 1 at t=0. An operator force-releases it (releasedBy operator:...). ' +
      'At t=1 the job completes and the release with tick 1 is refused; the item shows no holder ' +
      'at token 1, which the mutant takes for its own earlier release, so it reports the tick recorded ' +
      'while lastTick is absent: a duplicate invocation of tick 1 would run the job again.',
    timeoutS: 120,
  },
  {
    name: 'elect renewing after D - M',
    flag: 'MUT_ELECT_PERIOD',
    defines: [...PERIOD, '-DH=8'],
    breaks: 'fAtWin',
    explanation:
      "D 9, M 6: the local deadline is 3 units after the winning write. With elect's old default " +
      'period D/3 = 3 (accepted, since 2 x 3 < D) the first renew falls due at t=3, exactly when ' +
      'the deadline passes, so a healthy elector on a healthy store ends every tenure at its own ' +
      'deadline. The period (D - M)/3 = 1 renews at t=1.',
    timeoutS: 120,
  },
  {
    name: 'clock-free waiter judging the takeover point by expiresAt',
    flag: 'MUT_WAIT_CF_EXPIRY',
    defines: [...LIVE_CLOCKFREE, '-DH=14'],
    breaks: 'acceptance cycle',
    liveness: true,
    explanation:
      "Worker 1's clock starts 14 behind worker 0's. Worker 1 takes token 1 at t=0, renews at t=1 " +
      "and releases at t=2 when its work ends. Worker 0's write of t=2 lands late, after worker 0 " +
      'counted it as failed: token 2 (version 4) belongs to an owner nobody runs, with expiresAt ' +
      "7 by worker 0's clock. Worker 0's clock then steps back by 14, level with worker 1's. Both " +
      'watch version (2, 4) from t=3 (worker 1 after losing its first write after its tenure, worker ' +
      '0 by a read); the rule writes once that version was watched for 5 units, at t=8. The mutant ' +
      'waits for the wall clock to pass expiresAt 7 + S, which neither clock reaches before the horizon ' +
      'of 14, so both read every unit and nobody leads after the faults stop.',
    timeoutS: 120,
  },
  {
    name: 'wall-clock waiter writing only after expiresAt + S + D',
    flag: 'MUT_WAIT_FAR',
    defines: [...LIVE_WALL, '-DH=10', '-DMAXF=1'],
    breaks: 'acceptance cycle',
    liveness: true,
    explanation:
      'Worker 1 (wall clock 1 behind) takes token 1 at t=0, renews at t=1 and releases at t=2 when ' +
      'its work ends. Worker 0 reads the release and writes at once, but that request lands late: ' +
      'worker 0 has already counted it as failed when it applies, so token 2 belongs to an owner ' +
      'nobody runs any more, with expiresAt 7. Both workers then lose one write each at t=3 and wait ' +
      'behind the orphan. Their clocks pass 7 + S at t=8 and t=9, where the rule writes and takes ' +
      'over; the mutant waits for 7 + S + D = 13, past the horizon of 10, and both read every unit ' +
      'until then, so nobody leads after the faults stop at t=3.',
    timeoutS: 120,
  },
  {
    name: 'waiter reading while the reservation is its own',
    flag: 'MUT_WAIT_RESERVED',
    defines: [...LIVE_HANDOFF, '-DH=14', '-DMAXF=1'],
    breaks: 'acceptance cycle',
    liveness: true,
    explanation:
      'Worker 1 (priority 2, wall clock 1 behind) holds token 1 and releases it at t=2. Worker 0 ' +
      '(priority 1) reads the release and wins token 2 at once. At t=3 worker 1 writes, loses, and ' +
      "asks for the lease; worker 0's renew is refused and it releases with a reservation for priority " +
      '2 until expiresAt 8. The rule makes worker 1 write at t=4: the item is free and reserved for ' +
      "it. The mutant counts any reservation as someone else's, so worker 1 reads and waits for its " +
      'clock to pass 8 + S. Worker 0 (clock 0) passes it first, writes at t=10 and wins token 3; ' +
      'worker 1 asks again, worker 0 hands over at t=11 with a reservation until 16, past the horizon ' +
      'of 14. Priority 2 never leads after the faults stop.',
    timeoutS: 120,
  },
  {
    name: 'release without reservation while a request is pending',
    flag: 'MUT_RELEASE_NO_RESERVE',
    defines: [...HANDOFF, '-DH=7', '-DMAXF=1'],
    breaks: 'resvEnd',
    explanation:
      'Worker 0 (priority 1) takes token 1 at t=0 (expiresAt 5). Worker 1 (priority 2, wall clock ' +
      "1 behind) loses its write and asks for the lease. At t=1, before worker 0's next renew (the " +
      "one that would report the request), worker 0's work ends; the mutant's release is an ordinary " +
      "one, expiresAt 1, with the request left on the item. Worker 1's read at t=2 is lost (it backs " +
      "off one unit) and worker 0's write at t=2 is refused (2 is not past 1 + S), but at t=3 worker " +
      "0's clock passes 1 + S and it takes token 2, while the reservation it owed priority 2 lasts " +
      "until t=1 + 5 = 6. The protocol's release writes expiresAt 1 + D = 6, so worker 0 is refused " +
      "until its clock passes 7, and worker 1's next poll finds the lease kept for it.",
    timeoutS: 120,
  },
];
