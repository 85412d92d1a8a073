import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { AbMetric, Logger, MetricQuery, MetricSource, SourceSettings } from '@shiftgate/core';
import { CloudWatchMetricSource } from './cloudwatch';
import {
  createPrometheusClient,
  createPrometheusMetricSource,
  type PrometheusSourceOptions,
} from './prometheus/index';
import type { PrometheusClient } from './prometheus/http';

/** What a bake reads, whichever the source. */
export interface MetricSourceOptions {
  loadBalancerArn: string;
  pair: { stable: string; canary: string };
  period: number;
  queries?: readonly MetricQuery[];
  slowThreshold?: number;
  percentile?: number;
  logger?: Logger;
  /** An A/B test's custom CloudWatch metrics (both sides' slow requests are read too). */
  ab?: { metrics: readonly AbMetric[] };
  /** The CloudWatch client (metric-source cloudwatch), made on first use. */
  cloudwatch: () => CloudWatchClient;
  /** The job's AWS region: SigV4's last resort. */
  jobRegion?: string;
  /** Tests: fetch, time limits and credentials of the Prometheus client. */
  prometheus?: Pick<PrometheusSourceOptions, 'client' | 'credentials'>;
}

/**
 * The metric source `metric-source` names for a pair of target groups: CloudWatch's ALB metrics, or
 * the PromQL templates over a Prometheus-compatible API (one HTTP client shared by every pair).
 */
export function metricSourceFactory(
  source: SourceSettings,
  shared: Pick<MetricSourceOptions, 'jobRegion' | 'prometheus'> = {},
): (options: Omit<MetricSourceOptions, 'jobRegion' | 'prometheus'>) => MetricSource {
  let client: PrometheusClient | null = null;
  return (options) => {
    const common = {
      ...(options.slowThreshold !== undefined ? { slowThreshold: options.slowThreshold } : {}),
      ...(options.percentile !== undefined ? { percentile: options.percentile } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    };
    if (source.kind === 'cloudwatch')
      return new CloudWatchMetricSource({
        client: options.cloudwatch(),
        loadBalancerArn: options.loadBalancerArn,
        stableTargetGroupArn: options.pair.stable,
        canaryTargetGroupArn: options.pair.canary,
        period: options.period,
        ...(options.queries ? { queries: options.queries } : {}),
        ...(options.ab ? { ab: options.ab } : {}),
        ...common,
      });
    // ab-metrics are CloudWatch metrics; run settings refuse them with Prometheus before anything moves.
    if (options.ab && options.ab.metrics.length > 0)
      throw new Error('ab-metrics are CloudWatch metrics: they cannot be read with metric-source prometheus');
    const settings = {
      ...(shared.jobRegion ? { jobRegion: shared.jobRegion } : {}),
      ...shared.prometheus,
    };
    client ??= createPrometheusClient(source, settings);
    return createPrometheusMetricSource(
      source,
      {
        canary: options.pair.canary,
        baseline: options.pair.stable,
        period: options.period,
        ...(options.queries ? { custom: options.queries } : {}),
        ...common,
      },
      client,
    );
  };
}
