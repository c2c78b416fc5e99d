import { ALGORITHMS, ALGORITHM_NAMES, type AlgorithmName, type AlgorithmOptions } from './algorithms.js';
import { BATON_DEFAULTS } from './baton.js';
import { BULLY_DEFAULTS } from './bully.js';
import { PAXOS_DEFAULTS } from './paxos.js';
import { RAFT_DEFAULTS } from './raft.js';
import { RING_DEFAULTS } from './ring.js';
import { ZOOKEEPER_DEFAULTS } from './zookeeper.js';
import { Cluster, DEFAULT_WORKLOAD, type ClusterOptions, type Service, type WorkloadOptions } from './cluster.js';
import type { NodeFactory } from './election-node.js';
import type { ClockSettings } from './node-clock.js';
import { computeMetrics, type Metrics } from './metrics.js';
import { Network, type NetworkOptions } from './network.js';
import { Prng } from './prng.js';
import {
  DEFAULT_FAULT_TIMING,
  RUN_MS,
  SCENARIOS,
  SCENARIO_NAMES,
  ntpClocks,
  type FaultTiming,
  type ScenarioName,
} from './scenarios.js';
import { Simulator } from './simulator.js';
import type { Timeline } from './timeline.js';

export interface RunOptions {
  readonly algorithm: AlgorithmName;
  readonly scenario: ScenarioName;
  readonly seed: number;
  /** Cluster size, at least 3 so that a partition can leave a majority. @default 5 */
  readonly nodes?: number;
  /** Virtual length of the run. @default RUN_MS (30 s) */
  readonly durationMs?: number;
  readonly network?: Partial<NetworkOptions>;
  readonly workload?: WorkloadOptions;
  readonly algorithmOptions?: AlgorithmOptions;
  /**
   * When the scenario's fault strikes and ends. `jitterMs: 'heartbeat'` draws
   * the fault within one heartbeat period of the algorithm (`heartbeatPeriodMs`):
   * a crash at a uniformly random phase of the leader's heartbeat interval.
   * @default DEFAULT_FAULT_TIMING
   */
  readonly faults?: Partial<Omit<FaultTiming, 'jitterMs'>> & { readonly jitterMs?: number | 'heartbeat' };
  /** Experiment setup, for the algorithms in `EXPERIMENT_ALGORITHMS`. */
  readonly experiment?: Experiment;
  readonly trace?: ClusterOptions['trace'];
  /** Called once the cluster and its faults are set up, before any node starts: tests schedule their own probes here. */
  readonly instrument?: (cluster: Cluster, service: Service | undefined) => void;
}

export interface RunResult {
  readonly algorithm: AlgorithmName;
  readonly scenario: ScenarioName;
  readonly seed: number;
  readonly nodes: number;
  readonly durationMs: number;
  readonly metrics: Metrics;
  readonly timeline: Timeline;
  /** Nodes that believed they led when the run ended. */
  readonly finalLeaders: readonly number[];
  /** The finished cluster and its service, for tests that inspect final state. */
  readonly cluster: Cluster;
  readonly service: Service | undefined;
}

export const DEFAULT_NODES = 5;

/**
 * How a measurement is set up, beyond the algorithm's own settings. Only
 * Bully, Ring and Raft support these; the others reject them.
 */
export interface Experiment {
  /** Boot with the highest id already leading (Raft: in term 1), so the first fault meets an established leader. */
  readonly establishedLeader?: boolean;
  /** The node that notices a failed leader first; every other node takes twice as long. */
  readonly detector?: number;
  /** Ring only: the ring's order, ascending ids or a random permutation drawn from the seed. @default 'ascending' */
  readonly ringOrder?: 'ascending' | 'random';
}

export const EXPERIMENT_ALGORITHMS: readonly AlgorithmName[] = ['bully', 'ring', 'raft'];

/**
 * The period at which an algorithm's leader proves it is alive (heartbeat,
 * renewal, session ping), under `options`: what a crash phase is drawn within.
 */
export function heartbeatPeriodMs(algorithm: AlgorithmName, options: AlgorithmOptions = {}): number {
  switch (algorithm) {
    case 'bully':
      return options.bully?.heartbeatMs ?? BULLY_DEFAULTS.heartbeatMs;
    case 'ring':
      return options.ring?.heartbeatMs ?? RING_DEFAULTS.heartbeatMs;
    case 'raft':
      return options.raft?.heartbeatMs ?? RAFT_DEFAULTS.heartbeatMs;
    case 'paxos':
      return options.paxos?.renewEveryMs ?? PAXOS_DEFAULTS.renewEveryMs;
    case 'zookeeper':
      // The client pings at a third of the session timeout.
      return (options.zookeeper?.sessionTimeoutMs ?? ZOOKEEPER_DEFAULTS.sessionTimeoutMs) / 3;
    case 'baton':
      return options.baton?.renewEveryMs ?? (options.baton?.durationMs ?? BATON_DEFAULTS.durationMs) / 3;
    default:
      throw new RangeError(`no heartbeat period known for ${String(algorithm)}`);
  }
}

/** `options` with the experiment's settings written into the algorithm's own options. */
function withExperiment(
  algorithm: AlgorithmName,
  options: AlgorithmOptions,
  experiment: Experiment,
  nodeIds: readonly number[],
  prng: Prng,
): AlgorithmOptions {
  const { establishedLeader, detector, ringOrder } = experiment;
  if (establishedLeader === undefined && detector === undefined && ringOrder === undefined) return options;
  if (!EXPERIMENT_ALGORITHMS.includes(algorithm)) {
    throw new RangeError(`${algorithm} does not support experiment settings; use ${EXPERIMENT_ALGORITHMS.join(', ')}`);
  }
  if (detector !== undefined && !nodeIds.includes(detector))
    throw new RangeError(`detector must be a node id from 1 to ${nodeIds.length}, got ${detector}`);
  if (ringOrder !== undefined && algorithm !== 'ring')
    throw new RangeError(`ringOrder applies to ring only, not ${algorithm}`);
  const common = {
    ...(establishedLeader === true ? { establishedLeader: Math.max(...nodeIds) } : {}),
    ...(detector === undefined ? {} : { detector }),
  };
  const order = ringOrder === 'random' ? shuffle(nodeIds, prng) : undefined;
  return {
    ...options,
    [algorithm]: { ...options[algorithm], ...common, ...(order === undefined ? {} : { order }) },
  };
}

/** A uniformly random permutation (Fisher–Yates). */
function shuffle<T>(items: readonly T[], prng: Prng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = prng.int(0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/**
 * Runs one algorithm through one scenario. Every random choice comes from
 * streams derived from `seed` and the scenario name, so the same arguments
 * give the same run; and the scenario's own choices (which partner joins the
 * leader on the minority, how long each flap lasts) do not depend on the
 * algorithm, so all six face the same faults.
 */
export async function runScenario(options: RunOptions): Promise<RunResult> {
  const nodes = options.nodes ?? DEFAULT_NODES;
  if (!Number.isInteger(nodes) || nodes < 3 || nodes > 100)
    throw new RangeError(`nodes must be an integer from 3 to 100, got ${nodes}`);
  const durationMs = options.durationMs ?? RUN_MS;
  const algorithm = ALGORITHMS[options.algorithm];
  const scenario = SCENARIOS[options.scenario];
  if (algorithm === undefined) throw new RangeError(`unknown algorithm "${options.algorithm}"`);
  if (scenario === undefined) throw new RangeError(`unknown scenario "${options.scenario}"`);

  const seed = `${options.seed}/${options.scenario}`;
  const nodeIds = Array.from({ length: nodes }, (_, i) => i + 1);
  const algorithmOptions = withExperiment(
    options.algorithm,
    options.algorithmOptions ?? {},
    options.experiment ?? {},
    nodeIds,
    new Prng(`${seed}/ring-order`),
  );
  const jitter = options.faults?.jitterMs ?? DEFAULT_FAULT_TIMING.jitterMs;
  const faults: FaultTiming = {
    ...DEFAULT_FAULT_TIMING,
    ...options.faults,
    jitterMs: jitter === 'heartbeat' ? heartbeatPeriodMs(options.algorithm, algorithmOptions) : jitter,
  };
  const { cluster, service, finalLeaders, electionMessages } = await simulate({
    seed,
    nodeIds,
    factory: algorithm.factory(algorithmOptions),
    ...(algorithm.service === undefined ? {} : { service: (c: Cluster) => algorithm.service!(c, algorithmOptions) }),
    async: algorithm.async,
    clocks: (scenario.clocks ?? ntpClocks)(nodeIds, new Prng(`${seed}/clocks`)),
    durationMs,
    setup: (c) => scenario.setup(c, new Prng(`${seed}/scenario`), faults),
    ...(options.network === undefined ? {} : { network: options.network }),
    ...(options.workload === undefined ? {} : { workload: options.workload }),
    ...(options.trace === undefined ? {} : { trace: options.trace }),
    ...(options.instrument === undefined ? {} : { instrument: options.instrument }),
  });

  const metrics = computeMetrics(cluster.timeline, electionMessages, durationMs);
  return {
    algorithm: options.algorithm,
    scenario: options.scenario,
    seed: options.seed,
    nodes,
    durationMs,
    metrics,
    timeline: cluster.timeline,
    finalLeaders,
    cluster,
    service,
  };
}

/** One simulated run, whatever sets it up: the stock lab's algorithm and scenario, or a study of its own. */
export interface SimulationSpec {
  /** Prefix of every random stream of the run. */
  readonly seed: string;
  readonly nodeIds: readonly number[];
  readonly factory: NodeFactory;
  /** The coordination service, for store-based algorithms. */
  readonly service?: (cluster: Cluster) => Service;
  /** Whether node code awaits promises (see `Simulator.runUntilAsync`). */
  readonly async: boolean;
  readonly clocks: ReadonlyMap<number, ClockSettings>;
  readonly durationMs: number;
  /** Schedules the run's faults on the cluster, before any node starts. */
  readonly setup: (cluster: Cluster) => void;
  readonly network?: Partial<NetworkOptions>;
  readonly workload?: WorkloadOptions;
  readonly trace?: ClusterOptions['trace'];
  readonly instrument?: (cluster: Cluster, service: Service | undefined) => void;
}

export interface Simulation {
  readonly cluster: Cluster;
  readonly service: Service | undefined;
  /** Nodes that believed they led when the run ended. */
  readonly finalLeaders: readonly number[];
  readonly electionMessages: number;
}

/** Builds the cluster, lets `spec.setup` schedule faults, boots every node and runs to the end; the timeline is closed. */
export async function simulate(spec: SimulationSpec): Promise<Simulation> {
  const sim = new Simulator();
  const network = new Network(sim, new Prng(`${spec.seed}/network`), spec.network);
  const cluster = new Cluster(sim, network, {
    seed: spec.seed,
    nodeIds: spec.nodeIds,
    factory: spec.factory,
    clocks: spec.clocks,
    workload: spec.workload ?? DEFAULT_WORKLOAD,
    ...(spec.trace === undefined ? {} : { trace: spec.trace }),
  });
  const service = spec.service?.(cluster);
  if (service !== undefined) cluster.setService(service);
  spec.setup(cluster);
  spec.instrument?.(cluster, service);
  cluster.startAll();
  if (spec.async) await sim.runUntilAsync(spec.durationMs);
  else sim.runUntil(spec.durationMs);
  const finalLeaders = cluster.leaders();
  cluster.timeline.close(spec.durationMs);
  return { cluster, service, finalLeaders, electionMessages: network.stats.electionMessages };
}

export interface LabOptions {
  readonly seed: number;
  readonly nodes?: number;
  readonly algorithms?: readonly AlgorithmName[];
  readonly scenarios?: readonly ScenarioName[];
  /** Settings applied to every run. */
  readonly settings?: LabSettings;
}

/** The knobs of `runScenario` that a whole lab run can share (the CLI's flags). */
export type LabSettings = Pick<RunOptions, 'durationMs' | 'network' | 'algorithmOptions' | 'faults' | 'experiment'>;

/** Every requested algorithm through every requested scenario, in table order. */
export async function runLab(options: LabOptions): Promise<RunResult[]> {
  const results: RunResult[] = [];
  for (const algorithm of options.algorithms ?? ALGORITHM_NAMES) {
    for (const scenario of options.scenarios ?? SCENARIO_NAMES) {
      results.push(
        await runScenario({
          ...options.settings,
          algorithm,
          scenario,
          seed: options.seed,
          nodes: options.nodes ?? DEFAULT_NODES,
        }),
      );
    }
  }
  return results;
}
