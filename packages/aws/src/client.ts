import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { InputError } from '@shiftgate/core';

/** The project's version, sent in the user agent so AWS-side logs show which tool moved traffic. */
export const SHIFTGATE_VERSION = '0.1.0';

/** How long to wait for a TCP/TLS connection to an AWS endpoint. */
export const CONNECTION_TIMEOUT_MS = 5_000;
/** How long to wait for one response; a lost response is retried by the SDK, then read back by the caller. */
export const REQUEST_TIMEOUT_MS = 30_000;

/** Options shared by every AWS client shiftgate creates. */
export interface AwsClientOptions {
  /**
   * Which action or command is calling. The SDK allows no spaces or parentheses in user agent parts, so it
   * goes out as SDK metadata: `shiftgate/0.1.0 md/action#shift-traffic`.
   */
  caller: string;
  /** Region; falls back to AWS_REGION / AWS_DEFAULT_REGION, then the SDK's own resolution. */
  region?: string;
  /** `standard` or `adaptive` (client-side rate limiting on throttling). */
  retryMode?: 'standard' | 'adaptive';
  /** Total attempts including the first, as the SDK counts them. */
  maxAttempts?: number;
  /** Only for tests: a request handler that injects faults. Endpoints come from AWS_ENDPOINT_URL*. */
  requestHandler?: ConstructorParameters<typeof CloudWatchClient>[0] extends infer C
    ? C extends { requestHandler?: infer H }
      ? H
      : never
    : never;
}

/** Parses the `retry-mode` input. */
export function parseRetryMode(input: string, value: string): 'standard' | 'adaptive' {
  const text = value.trim();
  if (text === 'standard' || text === 'adaptive') return text;
  throw new InputError(input, value, "'standard' or 'adaptive'");
}

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

/** Whether `text` has the shape of an AWS region name, such as us-east-1 or us-gov-west-1. */
export function isRegion(text: string): boolean {
  return REGION.test(text);
}

/** Parses an optional `aws-region` input: empty (null, the environment decides) or a region such as us-east-1. */
export function parseRegion(input: string, value: string): string | null {
  const text = value.trim();
  if (text === '') return null;
  if (!REGION.test(text)) throw new InputError(input, value, "an AWS region such as 'us-east-1', or empty");
  return text;
}

/** The settings every client shares: region, retries, timeouts, user agent. */
export function commonClientConfig(options: AwsClientOptions) {
  const region = options.region || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || undefined;
  return {
    ...(region ? { region } : {}),
    retryMode: options.retryMode ?? 'standard',
    maxAttempts: options.maxAttempts ?? 5,
    customUserAgent: [
      ['shiftgate', SHIFTGATE_VERSION],
      ['md/action', options.caller],
    ] as [string, string][],
    // A hung connection must not hang the step: bound connecting and each request. Retries still apply.
    requestHandler: options.requestHandler ?? {
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    },
  };
}

/**
 * The one factory for ELBv2 clients. Endpoint overrides are left to the SDK, which reads
 * AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2 itself.
 */
export function createElbv2Client(options: AwsClientOptions): ElasticLoadBalancingV2Client {
  return new ElasticLoadBalancingV2Client(commonClientConfig(options));
}

/** The one factory for CloudWatch clients (AWS_ENDPOINT_URL_CLOUDWATCH is honoured by the SDK). */
export function createCloudWatchClient(options: AwsClientOptions): CloudWatchClient {
  return new CloudWatchClient(commonClientConfig(options));
}
