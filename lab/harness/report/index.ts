// The report kit the demo, elector and chaos reports share (docs/decisions/lab-harness.md). Re-exports only.
export { escapeHtml } from './escape-html.js';
export { writeReportFiles, type ReportFiles } from './json.js';
export { reportPage, type PageHeader, type PageOptions } from './page.js';
export {
  band,
  COLOR,
  f,
  laneTimeline,
  legend,
  pauseBand,
  rowLabel,
  sec,
  secondsAxis,
  svgFrame,
  type LaneTimeline,
  type LegendItem,
  type SecondsAxis,
} from './svg.js';
export { checksTable, dataTable, factsTable, type Cell, type Fact } from './tables.js';
export { checkLines, plural } from './text.js';
