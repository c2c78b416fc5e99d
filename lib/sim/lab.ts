import { ALGORITHMS, ALGORITHM_NAMES, type AlgorithmName, type AlgorithmOptions } from './algorithms.js';
import { Cluster, DEFAULT_WORKLOAD, type ClusterOptions, type Service, type WorkloadOptions } from './cluster.js';
import { computeMetrics, type Metrics } from './metrics.js';
import { Network, type NetworkOptions } from './network.js';
import { Prng } from './prng.js';
import { RUN_MS, SCENARIOS, SCENARIO_NAMES, ntpClocks, type ScenarioName } from './scenarios.js';
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
 * Runs one algorithm through one scenario. Every random choice comes from
 * streams derived from `seed` and the scenario name, so the same arguments
 * give the same run; and the scenario's own choices (which partner joins the
 * leader on the minority, how long each flap lasts) do not depend on the
 * algorithm, so all six face the same faults.
 */
export async function runScenario(options: RunOptions): Promise<RunResult> {
  const nodes = options.nodes ?? DEFAULT_NODES;
  if (!Number.isInteger(nodes) || nodes < 3 || nodes > 100) throw new RangeError(`nodes must be an integer from 3 to 100, got ${nodes}`);
  const durationMs = options.durationMs ?? RUN_MS;
  const algorithm = ALGORITHMS[options.algorithm];
  const scenario = SCENARIOS[options.scenario];
  if (algorithm === undefined) throw new RangeError(`unknown algorithm "${options.algorithm}"`);
  if (scenario === undefined) throw new RangeError(`unknown scenario "${options.scenario}"`);

  const seed = `${options.seed}/${options.scenario}`;
  const nodeIds = Array.from({ length: nodes }, (_, i) => i + 1);
  const clocks = (scenario.clocks ?? ntpClocks)(nodeIds, new Prng(`${seed}/clocks`));
  const sim = new Simulator();
  const network = new Network(sim, new Prng(`${seed}/network`), options.network);
  const algorithmOptions = options.algorithmOptions ?? {};
  const cluster = new Cluster(sim, network, {
    seed,
    nodeIds,
    factory: algorithm.factory(algorithmOptions),
    clocks,
    workload: options.workload ?? DEFAULT_WORKLOAD,
    ...(options.trace === undefined ? {} : { trace: options.trace }),
  });
  const service = algorithm.service?.(cluster, algorithmOptions);
  if (service !== undefined) cluster.setService(service);

  scenario.setup(cluster, new Prng(`${seed}/scenario`));
  options.instrument?.(cluster, service);
  cluster.startAll();
  if (algorithm.async) await sim.runUntilAsync(durationMs);
  else sim.runUntil(durationMs);
  const finalLeaders = cluster.leaders();
  cluster.timeline.close(durationMs);

  const metrics = computeMetrics(cluster.timeline, network.stats.electionMessages, durationMs);
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

export interface LabOptions {
  readonly seed: number;
  readonly nodes?: number;
  readonly algorithms?: readonly AlgorithmName[];
  readonly scenarios?: readonly ScenarioName[];
}

/** Every requested algorithm through every requested scenario, in table order. */
export async function runLab(options: LabOptions): Promise<RunResult[]> {
  const results: RunResult[] = [];
  for (const algorithm of options.algorithms ?? ALGORITHM_NAMES) {
    for (const scenario of options.scenarios ?? SCENARIO_NAMES) {
      results.push(await runScenario({ algorithm, scenario, seed: options.seed, nodes: options.nodes ?? DEFAULT_NODES }));
    }
  }
  return results;
}
