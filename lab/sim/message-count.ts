import type { BullyMessage } from './bully.js';
import type { Cluster } from './cluster.js';
import { runScenario, type Experiment } from './lab.js';
import type { RingMessage } from './ring.js';
import { SOURCES } from './paper-reference.js';

/**
 * Message counts of one Bully or Ring election, beside the textbooks' figures.
 * Channels are reliable here (no loss), as the textbook analyses assume; the
 * leader's liveness traffic (heartbeats, and their acknowledgements on the
 * ring) is not part of an election and is left out.
 */
export interface MessageRow {
  readonly algorithm: 'bully' | 'ring';
  /** Nodes in the cluster, the crashed leader included. */
  readonly n: number;
  readonly case: string;
  /** What `textbook` and `lab` count. */
  readonly counted: string;
  /** The textbook's figure for this case, or `null` where textbooks give none. */
  readonly textbook: number | null;
  readonly formula: string;
  readonly source: string;
  /** The lab's count of what `counted` says (a mean where `trials` > 1). */
  readonly lab: number;
  /** Every election message the lab's nodes sent: the counted ones plus answers, acknowledgements, resends and sends to the crashed node. */
  readonly labAll: number;
  readonly trials: number;
}

interface Send {
  readonly type: string;
  readonly toCrashed: boolean;
}

const CRASH_AT_MS = 3_000;
const NETWORK = { lossRate: 0 } as const;

/** Election messages one run sent from `fromMs` on, by kind; Ring acks are attributed to the hop they acknowledge. */
async function electionSends(
  algorithm: 'bully' | 'ring',
  nodes: number,
  seed: number,
  experiment: Experiment,
  crashLeader: boolean,
): Promise<Send[]> {
  const sends: Send[] = [];
  const hopKinds = new Map<string, string>();
  let cluster: Cluster | undefined;
  const fromMs = crashLeader ? CRASH_AT_MS : 0;
  await runScenario({
    algorithm,
    scenario: 'steady',
    seed,
    nodes,
    durationMs: fromMs + 3_000,
    network: NETWORK,
    experiment,
    instrument: (c) => {
      cluster = c;
      if (crashLeader) c.sim.at(CRASH_AT_MS, () => c.crash(nodes));
    },
    trace: (event) => {
      if (event.kind !== 'send' || event.time < fromMs || cluster === undefined) return;
      const toCrashed = cluster.statusOf(event.to) === 'crashed';
      if (algorithm === 'bully') {
        const type = (event.message as BullyMessage).type;
        if (type !== 'Heartbeat') sends.push({ type, toCrashed });
        return;
      }
      const message = event.message as RingMessage;
      const type =
        message.type === 'Hop' ? message.payload.type : (hopKinds.get(`${event.to}:${message.seq}`) ?? 'Heartbeat');
      if (message.type === 'Hop') hopKinds.set(`${event.from}:${message.seq}`, type);
      if (type !== 'Heartbeat') sends.push({ type: message.type === 'Ack' ? 'Ack' : type, toCrashed });
    },
  });
  return sends;
}

/** 1 + 1/2 + … + 1/n. */
export function harmonic(n: number): number {
  let h = 0;
  for (let i = 1; i <= n; i++) h += 1 / i;
  return h;
}

const count = (sends: readonly Send[], keep: (s: Send) => boolean): number => sends.filter(keep).length;

export async function bullyRows(n: number): Promise<MessageRow[]> {
  const worst = await electionSends('bully', n, 1, { establishedLeader: true, detector: 1 }, true);
  const best = await electionSends('bully', n, 1, { establishedLeader: true, detector: n - 1 }, true);
  const boot = await electionSends('bully', n, 1, {}, false);
  const base = { algorithm: 'bully', n, trials: 1 } as const;
  return [
    {
      ...base,
      case: 'worst: the lowest id detects the crash',
      counted: 'Election messages, the ones to the crashed leader included',
      textbook: (n * (n - 1)) / 2,
      formula: 'n(n−1)/2',
      source: SOURCES.garciaMolina.id,
      lab: count(worst, (s) => s.type === 'Election'),
      labAll: worst.length,
    },
    {
      ...base,
      case: 'best: the second-highest id detects the crash',
      counted: 'messages to live nodes',
      textbook: n - 2,
      formula: 'n−2',
      source: SOURCES.coulouris.id,
      lab: count(best, (s) => !s.toCrashed),
      labAll: best.length,
    },
    {
      ...base,
      case: 'boot: every node starts an election at once',
      counted: 'Election, Answer and Coordinator messages until every node follows the highest id',
      textbook: null,
      formula: 'none in the textbooks; the target is at most n²',
      source: '',
      lab: boot.length,
      labAll: boot.length,
    },
  ];
}

/** Random ring orders averaged for the all-initiators case. */
export const RING_ORDERS = 50;

export async function ringRows(n: number, orders = RING_ORDERS): Promise<MessageRow[]> {
  const live = n - 1;
  const hops = (s: Send): boolean => (s.type === 'Election' || s.type === 'Elected') && !s.toCrashed;
  const best = await electionSends('ring', n, 1, { establishedLeader: true, detector: n - 1 }, true);
  const worst = await electionSends('ring', n, 1, { establishedLeader: true, detector: 1 }, true);
  const average = await ringAverage(n, orders);
  const base = { algorithm: 'ring', n, source: SOURCES.changRoberts.id } as const;
  return [
    {
      ...base,
      case: 'best single initiator: the highest live id detects the crash',
      counted: 'Election and Elected messages to live nodes, on the ring of n−1 live nodes',
      textbook: 2 * live,
      formula: '2(n−1)',
      source: SOURCES.coulouris.id,
      lab: count(best, hops),
      labAll: best.length,
      trials: 1,
    },
    {
      ...base,
      case: 'worst single initiator: the successor of the highest live id detects the crash',
      counted: 'Election and Elected messages to live nodes, on the ring of n−1 live nodes',
      textbook: 3 * live - 1,
      formula: '3(n−1)−1',
      source: SOURCES.coulouris.id,
      lab: count(worst, hops),
      labAll: worst.length,
      trials: 1,
    },
    {
      ...base,
      case: `average over ${orders} random ring orders: every node starts an election at boot`,
      counted: 'Election messages',
      textbook: round1(n * harmonic(n)),
      formula: 'n·Hₙ ≈ n ln n',
      lab: round1(average.election),
      labAll: round1(average.all),
      trials: orders,
    },
  ];
}

/** Mean Election messages (and all election messages) at boot over random ring orders, one order per seed. */
export async function ringAverage(n: number, orders: number): Promise<{ election: number; all: number }> {
  let election = 0;
  let all = 0;
  for (let seed = 1; seed <= orders; seed++) {
    const sends = await electionSends('ring', n, seed, { ringOrder: 'random' }, false);
    election += count(sends, (s) => s.type === 'Election');
    all += sends.length;
  }
  return { election: election / orders, all: all / orders };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
