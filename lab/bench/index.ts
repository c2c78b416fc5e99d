// The bench: Baton side by side with the DynamoDB lock libraries (`baton bench`).
export { runBench, type BenchReport, type RunBenchOptions } from './run-bench.js';
export { BENCH_DEFAULTS, SOAK_DEFAULTS, resolveBenchParams, type BenchParams } from './options.js';
export type { LeaseGrowthPoint } from './figures/lease-growth.js';
export type { ContenderGrowthPoint } from './figures/contender-growth.js';
export type { SoakFigure } from './figures/soak.js';
export { SYSTEMS, SYSTEM_NAMES, type SystemEntry, type SystemName } from './registry.js';
export type { LockSystem, Contender, Held } from './lock-system.js';
export { FIGURES, type FigureName, type BenchResult } from './result.js';
export type { TargetCheck } from './targets.js';
export { PEERS_DIR, PeersUnavailableError } from './peers.js';
export { countRequests, type RequestCounter } from 'baton-lease/testing';
export { terminalTable } from './report-table.js';
export { markdownTable } from './report-markdown.js';
export { htmlReport } from './report-html.js';
export { benchVerdict } from './report-rows.js';
