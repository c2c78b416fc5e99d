import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS_NAMESPACE, MetricDimension } from '../runtime/contract.js';
import { LeaseValidationError } from '../runtime/errors.js';
import { describeValue } from '../runtime/validate.js';

/** A CloudWatch namespace as PutMetricData takes it, or the default. */
export function validateMetricsNamespace(namespace: string | undefined): string {
  if (namespace === undefined) return METRICS_NAMESPACE;
  if (Token.isUnresolved(namespace)) return namespace;
  if (
    typeof namespace !== 'string' ||
    !/^[A-Za-z0-9.\-_/#: ]{1,255}$/.test(namespace) ||
    namespace.startsWith('AWS/')
  ) {
    throw new LeaseValidationError(
      'metricsNamespace',
      `must be 1-255 characters of letters, digits, spaces and . - _ / # : not starting with AWS/ ` +
        `(a CloudWatch namespace), got ${describeValue(namespace)}`,
    );
  }
  return namespace;
}

/** Whose Baton metrics: the namespace and the two dimensions every one of them carries. */
export interface LeaseMetricSource {
  readonly metricsNamespace: string;
  readonly serviceName: string;
  readonly leaseName: string;
}

/**
 * A Baton metric of one lease, under its complete dimension set (CloudWatch
 * matches on all of it). Default: Sum over 5 minutes.
 */
export function leaseMetric(
  source: LeaseMetricSource,
  metricName: string,
  props?: cloudwatch.MetricOptions,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: source.metricsNamespace,
    metricName,
    dimensionsMap: { [MetricDimension.service]: source.serviceName, [MetricDimension.leaseName]: source.leaseName },
    statistic: cloudwatch.Stats.SUM,
    period: Duration.minutes(5),
    ...props,
  });
}
