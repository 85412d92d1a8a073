import { PutMetricDataCommand, type CloudWatchClient, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { errorMessage, InputError, type DeploymentRecord } from '@shiftgate/core';

/** The namespace deployment metrics are published to. */
export const DEPLOYMENT_METRICS_NAMESPACE = 'Shiftgate';

/**
 * The metric names, one datum each per finished deployment: count them with `Sum`, and
 * `DeploymentDuration` with `Average` or `p90`. Dimensions are `Environment` and `Service`.
 */
export const DEPLOYMENT_METRIC_NAMES = {
  deployments: 'Deployments',
  failures: 'DeploymentFailures',
  rollbacks: 'DeploymentRollbacks',
  duration: 'DeploymentDuration',
} as const;

/**
 * Parses a `Service` dimension value: CloudWatch allows 1 to 1024 characters, without leading or
 * trailing spaces and without a leading colon in dimension values.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Dimension.html
 */
export function parseServiceName(input: string, value: string): string {
  const text = value.trim();
  if (text === '' || text.length > 1024 || text.startsWith(':') || /[\r\n]/.test(text)) {
    throw new InputError(
      input,
      value,
      'a service name of 1 to 1024 characters on one line, not starting with a colon',
    );
  }
  return text;
}

/**
 * The datums of one finished deployment: one each of deployments (1), failures and rollbacks (0 or 1)
 * — zeros included, so `Sum` over a period is a rate's numerator and denominator — and its duration.
 */
export function deploymentMetricData(record: DeploymentRecord, service: string): MetricDatum[] {
  if (record['completed-at'] === null || record['duration-ms'] === null) {
    throw new Error(`Deployment record ${record.id} has not ended; metrics are published when it does`);
  }
  const Timestamp = new Date(record['completed-at']);
  const Dimensions = [
    { Name: 'Environment', Value: record.environment },
    { Name: 'Service', Value: service },
  ];
  const count = (MetricName: string, Value: number): MetricDatum => ({
    MetricName,
    Dimensions,
    Timestamp,
    Value,
    Unit: 'Count',
  });
  return [
    count(DEPLOYMENT_METRIC_NAMES.deployments, 1),
    count(DEPLOYMENT_METRIC_NAMES.failures, record['deployment-status'] === 'failed' ? 1 : 0),
    count(DEPLOYMENT_METRIC_NAMES.rollbacks, record['deployment-status'] === 'rolled_back' ? 1 : 0),
    {
      MetricName: DEPLOYMENT_METRIC_NAMES.duration,
      Dimensions,
      Timestamp,
      Value: record['duration-ms'],
      Unit: 'Milliseconds',
    },
  ];
}

/** Publishes a finished deployment's metrics with one PutMetricData call. */
export async function publishDeploymentMetrics(
  client: CloudWatchClient,
  record: DeploymentRecord,
  service: string,
): Promise<void> {
  try {
    await client.send(
      new PutMetricDataCommand({
        Namespace: DEPLOYMENT_METRICS_NAMESPACE,
        MetricData: deploymentMetricData(record, service),
      }),
    );
  } catch (error) {
    throw new Error(
      `PutMetricData to namespace ${DEPLOYMENT_METRICS_NAMESPACE} failed: ${errorMessage(error)}` +
        ((error as { name?: string }).name === 'AccessDenied' || /not authorized/i.test(errorMessage(error))
          ? ' (the role needs cloudwatch:PutMetricData)'
          : ''),
      { cause: error },
    );
  }
}
