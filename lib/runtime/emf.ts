import type { BatonMetricUnit } from './contract.js';

/** One metric of an EMF document: its values since the last document (at most 100, EMF's limit). */
export interface EmfMetric {
  readonly name: string;
  readonly unit: BatonMetricUnit;
  readonly values: readonly number[];
}

/** EMF accepts at most this many values per metric in one document. */
export const EMF_MAX_VALUES = 100;

/**
 * One CloudWatch Embedded Metric Format document, as one line of JSON: what
 * Powertools Metrics prints outside Lambda, for the CloudWatch agent or
 * FireLens to turn into metrics. Written here rather than through Powertools:
 * the runtime depends on the AWS SDK only (docs/decisions/elector-observability.md).
 */
export function emfDocument(
  namespace: string,
  dimensions: Readonly<Record<string, string>>,
  timestampMs: number,
  metrics: readonly EmfMetric[],
): string {
  const present = metrics.filter((m) => m.values.length > 0);
  const values = Object.fromEntries(
    present.map((m) => [m.name, m.values.length === 1 ? m.values[0] : m.values.slice(-EMF_MAX_VALUES)]),
  );
  return JSON.stringify({
    _aws: {
      Timestamp: timestampMs,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [Object.keys(dimensions)],
          Metrics: present.map((m) => ({ Name: m.name, Unit: m.unit })),
        },
      ],
    },
    ...dimensions,
    ...values,
  });
}
