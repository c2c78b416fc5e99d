import { lognormalWithMedian, sampleLatency, type LatencyModel } from './latency.js';
import { bullyRows, harmonic, ringAverage, ringRows, RING_ORDERS, type MessageRow } from './message-count.js';
import { PAPER_BROADCAST_MS, RAFT_FIGURE_16, SOURCES, type PaperElectionLine, type Source } from './paper-reference.js';
import { Prng } from './prng.js';
import { raftElectionTrial, type RaftElectionSetup } from './raft-election-trial.js';

/**
 * `npm run sim -- --paper`: the lab set up like published experiments, with
 * the published figures beside its own. `paper-report.json` is this object.
 */
export interface PaperReport {
  readonly command: string;
  readonly sources: readonly Source[];
  readonly raftSetup: RaftSetupReport;
  readonly raftElection: readonly RaftElectionRow[];
  readonly messages: readonly MessageRow[];
  readonly ringFit: RingFit;
  readonly targets: readonly TargetCheck[];
}

export interface RaftSetupReport {
  readonly nodes: number;
  readonly latency: LatencyModel;
  readonly persistMs: number;
  /** The lab's broadcast time under this setup (median over samples), beside the paper's. */
  readonly broadcastMs: { readonly lab: number; readonly paper: number };
  readonly heartbeat: string;
  readonly crash: string;
  readonly measured: string;
  readonly capMs: number;
}

export interface RaftElectionRow {
  readonly timeoutMs: readonly [number, number];
  readonly paper: {
    readonly medianMs: number | null;
    readonly p95Ms: number | null;
    readonly worstMs: number | null;
    readonly trials: number;
    readonly note: string;
  };
  readonly lab: {
    readonly medianMs: number;
    readonly p95Ms: number;
    readonly worstMs: number;
    readonly trials: number;
    /** Trials still without a leader at `capMs`, counted as `capMs`. */
    readonly censored: number;
    /** The lab's distribution: the 0th, 1st, …, 100th percentile, in ms. */
    readonly percentilesMs: readonly number[];
  };
}

export interface RingFit {
  readonly orders: number;
  readonly points: readonly { readonly n: number; readonly meanElectionMessages: number; readonly nHn: number }[];
  /** Least-squares fits `c · f(n)` through the origin, with their relative RMS error: the smallest error names the growth. */
  readonly fits: readonly {
    readonly model: 'n' | 'n ln n' | 'n²';
    readonly c: number;
    readonly relativeRmsError: number;
  }[];
}

export interface TargetCheck {
  readonly target: string;
  readonly holds: boolean;
  readonly detail: string;
}

export interface PaperOptions {
  /** Trials per timeout range. @default 1000, the paper's */
  readonly trials?: number;
  /** Trials for 150–150, where every trial runs to the cap. @default 100, the paper's */
  readonly trialsWithoutRandomness?: number;
  /** Cluster sizes of the message table. @default [5, 9, 17] */
  readonly sizes?: readonly number[];
  /** Random orders per size for Ring's average case. @default RING_ORDERS */
  readonly ringOrders?: number;
  /** Sizes the Ring fit uses, beyond `sizes`. @default [33, 65] */
  readonly fitSizes?: readonly number[];
}

/**
 * The paper's network as the lab models it: a LAN whose one-way latency has a
 * median of 3 ms and a light tail, plus a 5 ms disk sync before a vote reply.
 * That gives the paper's ~15 ms broadcast time with fast one-way delivery, as
 * on the paper's cluster, where much of a broadcast was the servers' disk
 * writes, not the wire.
 */
export const PAPER_LATENCY = lognormalWithMedian(3, 0.6);
export const PAPER_PERSIST_MS = 5;
const NODES = 5;
const CAP_MS = 10_000;

export async function runPaper(options: PaperOptions = {}): Promise<PaperReport> {
  const trials = options.trials ?? 1000;
  const sizes = options.sizes ?? [5, 9, 17];
  const orders = options.ringOrders ?? RING_ORDERS;
  const raftElection: RaftElectionRow[] = [];
  for (const line of RAFT_FIGURE_16) {
    const randomness = line.timeoutMs[1] - line.timeoutMs[0];
    raftElection.push(await raftRow(line, randomness === 0 ? (options.trialsWithoutRandomness ?? 100) : trials));
  }
  const messages: MessageRow[] = [];
  for (const n of sizes) messages.push(...(await bullyRows(n)), ...(await ringRows(n, orders)));
  const ringFit = await fitRing(messages, [...sizes, ...(options.fitSizes ?? [33, 65])], orders);
  const report = {
    command: 'npm run sim -- --paper',
    sources: Object.values(SOURCES),
    raftSetup: {
      nodes: NODES,
      latency: PAPER_LATENCY,
      persistMs: PAPER_PERSIST_MS,
      broadcastMs: { lab: broadcastMs(PAPER_LATENCY, PAPER_PERSIST_MS), paper: PAPER_BROADCAST_MS },
      heartbeat: 'half the minimum election timeout, as in the paper',
      crash:
        'the leader (established in term 1) broadcasts one last heartbeat and crashes at a uniformly ' +
        'random point of its heartbeat interval, 1 s into the run',
      measured: 'from the crash until every surviving follower has received a heartbeat from the new leader',
      capMs: CAP_MS,
    },
    raftElection,
    messages,
    ringFit,
  };
  return { ...report, targets: checkTargets(report) };
}

const setupFor = (timeoutMs: readonly [number, number]): RaftElectionSetup => ({
  timeoutMs,
  latency: PAPER_LATENCY,
  lossRate: 0,
  persistMs: PAPER_PERSIST_MS,
  nodes: NODES,
  capMs: CAP_MS,
  finalHeartbeat: true,
});

async function raftRow(line: PaperElectionLine, trials: number): Promise<RaftElectionRow> {
  const times: number[] = [];
  let censored = 0;
  for (let seed = 1; seed <= trials; seed++) {
    const trial = await raftElectionTrial(setupFor(line.timeoutMs), seed);
    times.push(trial.ms);
    if (trial.censored) censored++;
  }
  times.sort((a, b) => a - b);
  const at = (p: number): number => Math.round(percentile(times, p));
  return {
    timeoutMs: line.timeoutMs,
    paper: { medianMs: line.medianMs, p95Ms: line.p95Ms, worstMs: line.worstMs, trials: line.trials, note: line.note },
    lab: {
      medianMs: at(50),
      p95Ms: at(95),
      worstMs: at(100),
      trials,
      censored,
      percentilesMs: Array.from({ length: 101 }, (_, p) => at(p)),
    },
  };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

/** Median, over samples, of the slowest of four request-and-reply round trips with a disk sync between. */
export function broadcastMs(latency: LatencyModel, persistMs: number, samples = 20_000): number {
  const prng = new Prng('paper/broadcast');
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    let slowest = 0;
    for (let peer = 0; peer < NODES - 1; peer++) {
      slowest = Math.max(slowest, sampleLatency(latency, prng) + persistMs + sampleLatency(latency, prng));
    }
    times.push(slowest);
  }
  times.sort((a, b) => a - b);
  return Math.round(percentile(times, 50) * 10) / 10;
}

async function fitRing(messages: readonly MessageRow[], sizes: readonly number[], orders: number): Promise<RingFit> {
  const points: RingFit['points'][number][] = [];
  for (const n of [...new Set(sizes)].sort((a, b) => a - b)) {
    const row = messages.find((m) => m.algorithm === 'ring' && m.n === n && m.trials > 1);
    const mean = row?.lab ?? Math.round((await ringAverage(n, orders)).election * 10) / 10;
    points.push({ n, meanElectionMessages: mean, nHn: Math.round(n * harmonic(n) * 10) / 10 });
  }
  const models = { n: (n: number) => n, 'n ln n': (n: number) => n * Math.log(n), 'n²': (n: number) => n * n } as const;
  const fits = (Object.keys(models) as (keyof typeof models)[]).map((model) => {
    const f = models[model];
    const c =
      points.reduce((s, p) => s + p.meanElectionMessages * f(p.n), 0) / points.reduce((s, p) => s + f(p.n) ** 2, 0);
    const error = Math.sqrt(
      points.reduce((s, p) => s + ((c * f(p.n) - p.meanElectionMessages) / p.meanElectionMessages) ** 2, 0) /
        points.length,
    );
    return { model, c: Math.round(c * 1000) / 1000, relativeRmsError: Math.round(error * 1000) / 1000 };
  });
  return { orders, points, fits };
}

function checkTargets(report: Omit<PaperReport, 'targets'>): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const row of report.raftElection) {
    const [lo, hi] = row.timeoutMs;
    const { medianMs, worstMs } = row.paper;
    if (hi - lo < 5 || medianMs === null || worstMs === null) continue;
    const medianOff = row.lab.medianMs / medianMs - 1;
    const worstRatio = row.lab.worstMs / worstMs;
    checks.push({
      target: `Raft ${lo}–${hi} ms: median within 25% of the paper's, worst within 2×`,
      holds: Math.abs(medianOff) <= 0.25 && worstRatio <= 2 && worstRatio >= 0.5,
      detail:
        `median ${row.lab.medianMs} vs ${medianMs} ms (${signedPercent(medianOff)}), worst ${row.lab.worstMs} ` +
        `vs ${worstMs} ms (${worstRatio.toFixed(2)}×)`,
    });
  }
  for (const row of report.messages.filter((m) => m.algorithm === 'bully')) {
    checks.push({
      target: `Bully n=${row.n}, ${row.case.split(':')[0]}: at most n² = ${row.n ** 2} messages`,
      holds: row.labAll <= row.n ** 2,
      detail: `${row.labAll} messages`,
    });
  }
  const best = [...report.ringFit.fits].sort((a, b) => a.relativeRmsError - b.relativeRmsError)[0];
  const nLogN = report.ringFit.fits.find((f) => f.model === 'n ln n');
  checks.push({
    target: 'Ring, every node starting over random orders: Election messages grow as n log n',
    holds: best?.model === 'n ln n',
    detail:
      report.ringFit.fits
        .map((f) => `c·${f.model}: c = ${f.c}, relative RMS error ${(f.relativeRmsError * 100).toFixed(1)}%`)
        .join('; ') + (nLogN === undefined ? '' : ''),
  });
  return checks;
}

function signedPercent(x: number): string {
  return `${x >= 0 ? '+' : ''}${Math.round(x * 100)}%`;
}
