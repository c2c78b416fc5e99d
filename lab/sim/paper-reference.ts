/**
 * Published figures the election lab is checked against: reference data,
 * written down once with where each comes from. Nothing here is measured.
 */

export interface Source {
  readonly id: string;
  readonly citation: string;
}

export const SOURCES = {
  raft: {
    id: 'raft',
    citation:
      'D. Ongaro and J. Ousterhout, "In Search of an Understandable Consensus Algorithm", USENIX ' +
      "ATC 2014, Section 9.3 and Figure 16 (the same benchmark is in Ongaro's dissertation, Stanford " +
      '2014)',
  },
  garciaMolina: {
    id: 'garcia-molina',
    citation:
      'H. Garcia-Molina, "Elections in a Distributed Computing System", IEEE Transactions on Computers C-31(1), 1982',
  },
  coulouris: {
    id: 'coulouris',
    citation:
      'G. Coulouris, J. Dollimore, T. Kindberg and G. Blair, "Distributed Systems: Concepts and Design", ' +
      '5th ed., 2012, Section 15.3 (election)',
  },
  changRoberts: {
    id: 'chang-roberts',
    citation:
      'E. Chang and R. Roberts, "An Improved Algorithm for Decentralized Extrema-Finding in Circular ' +
      'Configurations of Processes", Communications of the ACM 22(5), 1979',
  },
} as const satisfies Record<string, Source>;

/** One line of Figure 16: the time from the leader's crash until a new leader is in place, over the paper's trials. */
export interface PaperElectionLine {
  readonly timeoutMs: readonly [number, number];
  /** `null` where neither the text nor the figure gives a number. */
  readonly medianMs: number | null;
  readonly p95Ms: number | null;
  readonly worstMs: number | null;
  /** Trials behind the line. */
  readonly trials: number;
  /** Where the numbers come from: the text states a few, the rest are read off the figure. */
  readonly note: string;
}

const FIGURE = 'read off Figure 16';

/**
 * The paper's setup: five servers, a broadcast time of about 15 ms, the leader
 * crashed at a uniformly random point of its heartbeat interval (half the
 * minimum election timeout), after a synchronized heartbeat broadcast that
 * makes split votes likely; servers had logs of different lengths, so some
 * could not win.
 */
export const RAFT_FIGURE_16: readonly PaperElectionLine[] = [
  {
    timeoutMs: [150, 150],
    medianMs: null,
    p95Ms: null,
    worstMs: null,
    trials: 100,
    note: 'every trial took longer than 10 s (text: "consistently took longer than 10 seconds")',
  },
  {
    timeoutMs: [150, 151],
    medianMs: null,
    p95Ms: null,
    worstMs: null,
    trials: 1000,
    note: 'no number in the text; the curve lies between 150–150 and 150–155',
  },
  {
    timeoutMs: [150, 155],
    medianMs: 287,
    p95Ms: 764,
    worstMs: 2143,
    trials: 1000,
    note: `median stated in the text; p95 and worst ${FIGURE}`,
  },
  { timeoutMs: [150, 175], medianMs: 141, p95Ms: 314, worstMs: 610, trials: 1000, note: FIGURE },
  {
    timeoutMs: [150, 200],
    medianMs: 146,
    p95Ms: 296,
    worstMs: 512,
    trials: 1000,
    note: `worst stated in the text (513 ms); median and p95 ${FIGURE}`,
  },
  { timeoutMs: [150, 300], medianMs: 171, p95Ms: 265, worstMs: 603, trials: 1000, note: FIGURE },
  {
    timeoutMs: [12, 24],
    medianMs: 30,
    p95Ms: 67,
    worstMs: 152,
    trials: 1000,
    note: `worst stated in the text (mean 35 ms); median and p95 ${FIGURE}`,
  },
  { timeoutMs: [25, 50], medianMs: 43, p95Ms: 83, worstMs: 276, trials: 1000, note: FIGURE },
  { timeoutMs: [50, 100], medianMs: 67, p95Ms: 120, worstMs: 253, trials: 1000, note: FIGURE },
  { timeoutMs: [100, 200], medianMs: 120, p95Ms: 182, worstMs: 335, trials: 1000, note: FIGURE },
];

/** The paper's broadcast time: a server's parallel RPCs to every other server and their replies. */
export const PAPER_BROADCAST_MS = 15;
