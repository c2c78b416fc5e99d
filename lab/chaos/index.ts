// The chaos campaign (docs/decisions/chaos-campaign.md): re-exports only.
export { runCampaign, CAMPAIGN_DEFAULTS, type CampaignOptions, type CampaignResult } from './campaign.js';
export {
  checkHistory,
  PROPERTY_NAMES,
  propertyChecks,
  VIOLATION_KINDS,
  type CheckResult,
  type TenureView,
  type Violation,
  type ViolationKind,
  type WriteView,
} from './checker.js';
export { readFinalState, type FinalState } from './final-state.js';
export {
  HistoryWriter,
  parseHistory,
  readHistory,
  type CampaignParameters,
  type HistoryRecord,
  type WriteOutcomeKind,
} from './history.js';
export {
  drawOffset,
  FAULT_KINDS,
  ChaosNemesis,
  CHAOS_FAULTS,
  networkProfile,
  planSchedule,
  type FaultKind,
  type NemesisStep,
  type NemesisTarget,
} from './nemesis.js';
export { RecordingStore } from './recording-store.js';
export { renderHtml } from './report-html.js';
export { buildReport, formatSummary, VIOLATIONS_LISTED_PER_KIND, type ChaosReport } from './report.js';
export {
  decodeEntry,
  encodeEntry,
  resourceFor,
  scanResources,
  writeSideEffect,
  type ResourceEntry,
  type ResourceState,
  type SideEffect,
} from './resource.js';
export { SkewedClock } from './skewed-clock.js';
export {
  CORRECT_RESOURCE_WRITES,
  loadVariant,
  type ProtocolVariant,
  type ResourceWriteOptions,
  type VariantContext,
  type VariantRef,
} from './variant.js';
export { ChaosWorkers, type ChaosWorker, type ChaosWorkerState } from './workers.js';
export { runWorker, type WorkerChannel } from './worker.js';
export type { FromWorker, ToWorker, WorkerConfig } from './worker-messages.js';
