// SigV4 for Amazon Managed Service for Prometheus: the SDK's own signer, service `aps`, with the default
// credential chain (in a workflow, the job's OIDC credentials from configure-aws-credentials).
// https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-secure-querying.html
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  Checksum,
  SourceData,
} from '@smithy/types';
import { InputError } from '@shiftgate/core';

/** SHA-256 (and its HMAC) over node's crypto, as the signer takes it. */
export class Sha256 implements Checksum {
  private hash: Hash | Hmac;
  private readonly secret: string | Uint8Array | undefined;
  constructor(secret?: SourceData) {
    this.secret = secret === undefined ? undefined : bytes(secret);
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

const AMP_HOST = /^aps-workspaces\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com$/;

/**
 * The region to sign for: `prometheus-region` when given, else the region in an AMP workspace URL's host,
 * else the job's region. Throws an {@link InputError} naming `prometheus-region` when none is known.
 */
export function signingRegion(url: string, given: string | null, jobRegion: string | undefined): string {
  if (given) return given;
  const host = new URL(url).hostname;
  const fromHost = AMP_HOST.exec(host)?.[1];
  if (fromHost) return fromHost;
  if (jobRegion) return jobRegion;
  throw new InputError('prometheus-region', '', 'an AWS region such as us-east-1', {
    message: `Input 'prometheus-region' is required with prometheus-auth 'sigv4': ${host} is not an AMP workspace host (aps-workspaces.<region>.amazonaws.com) and no AWS region is set`,
  });
}

/** A request to sign and send. */
export interface SignableRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Signs requests for the `aps` service. */
export class ApsSigner {
  private readonly signer: SignatureV4;
  constructor(options: {
    region: string;
    /** Default: the SDK's default credential chain. */
    credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  }) {
    this.signer = new SignatureV4({
      service: 'aps',
      region: options.region,
      credentials: options.credentials ?? defaultProvider(),
      sha256: Sha256,
    });
  }

  /** The headers to send: the request's, plus `authorization`, `x-amz-date` and a session token if any. */
  async sign(request: SignableRequest, at?: Date): Promise<Record<string, string>> {
    const url = new URL(request.url);
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    const signed = await this.signer.sign(
      {
        method: request.method,
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname,
        query,
        // `host` is signed; fetch sends the same value from the URL.
        headers: { ...request.headers, host: url.host },
        body: request.body,
      },
      at ? { signingDate: at } : {},
    );
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(signed.headers)) if (k.toLowerCase() !== 'host') headers[k] = v;
    return headers;
  }
}
