import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { Logger, MetricQuery, SourceSettings } from '@shiftgate/core';
import { PrometheusClient, type PrometheusClientOptions } from './http';
import { ApsSigner, signingRegion } from './sigv4';
import { PrometheusMetricSource, prometheusName } from './source';

export * from './buckets';
export * from './http';
export * from './sigv4';
export * from './source';

/** Everything a Prometheus source needs besides the settings. */
export interface PrometheusSourceOptions {
  /** The canary and baseline: target group ARNs or names (`{{canary}}`, `{{baseline}}`). */
  canary: string;
  baseline: string;
  period: number;
  custom?: readonly MetricQuery[];
  slowThreshold?: number;
  percentile?: number;
  /** The job's AWS region (aws-region / AWS_REGION), the last resort of SigV4's region. */
  jobRegion?: string;
  logger?: Logger;
  /** Tests: a fetch, credentials, sleeper and time limits. */
  client?: Partial<Omit<PrometheusClientOptions, 'url' | 'auth' | 'signer'>>;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

/** The HTTP client of the settings (signing with the default credential chain for sigv4). */
export function createPrometheusClient(
  settings: Extract<SourceSettings, { kind: 'prometheus' }>,
  options: Pick<PrometheusSourceOptions, 'jobRegion' | 'client' | 'credentials'> = {},
): PrometheusClient {
  const signer =
    settings.auth.kind === 'sigv4'
      ? new ApsSigner({
          region: signingRegion(settings.url, settings.auth.region, options.jobRegion),
          ...(options.credentials ? { credentials: options.credentials } : {}),
        })
      : undefined;
  return new PrometheusClient({
    ...options.client,
    url: settings.url,
    auth: settings.auth,
    ...(signer ? { signer } : {}),
  });
}

/** A Prometheus metric source for one canary/baseline pair. */
export function createPrometheusMetricSource(
  settings: Extract<SourceSettings, { kind: 'prometheus' }>,
  options: PrometheusSourceOptions,
  client: PrometheusClient = createPrometheusClient(settings, options),
): PrometheusMetricSource {
  return new PrometheusMetricSource({
    client,
    canary: prometheusName('canary-target-group-arn', options.canary),
    baseline: prometheusName('stable-target-group-arn', options.baseline),
    period: options.period,
    queries: settings.queries,
    ...(options.custom ? { custom: options.custom } : {}),
    ...(options.slowThreshold !== undefined ? { slowThreshold: options.slowThreshold } : {}),
    ...(options.percentile !== undefined ? { percentile: options.percentile } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}
