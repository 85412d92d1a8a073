// The Prometheus HTTP API's range query over node's fetch: a time limit per attempt, retries with
// backoff for what may pass (network, time-outs, 429, 5xx), and typed errors for everything else.
// https://prometheus.io/docs/prometheus/latest/querying/api/#range-queries
import { errorMessage, InputError, type PrometheusAuth } from '@shiftgate/core';
import { SHIFTGATE_VERSION } from '../client';
import type { ApsSigner } from './sigv4';

/** Why a Prometheus call failed. */
export type PrometheusFailure = 'network' | 'timeout' | 'http' | 'status-error' | 'response';

/** A Prometheus call that failed after its retries: a provider error, which never promotes. */
export class PrometheusError extends Error {
  override readonly name = 'PrometheusError';
  constructor(
    message: string,
    readonly failure: PrometheusFailure,
    /** The HTTP status, when one came. */
    readonly status: number | null,
    /** Prometheus's `errorType` (`bad_data`, `execution`, `timeout`, …), when the body had one. */
    readonly errorType: string | null,
  ) {
    super(message);
  }
}

/**
 * A query Prometheus refused as malformed (`bad_data`): retrying cannot help, so it is an input error
 * naming the query, which ends the bake (and a plan run rolls back).
 */
export class PrometheusQueryError extends InputError {
  constructor(input: string, what: string, query: string, reason: string) {
    super(input, query, 'a valid PromQL query', {
      message: `Input '${input}': Prometheus refused the ${what} query as invalid PromQL: ${reason}; query: ${query}`,
    });
  }
}

/** One range query: `name` says in errors which template it came from. */
export interface RangeQuery {
  /** For errors: `requests (canary)`, `custom query 'cpu'`. */
  what: string;
  /** The input the query came from, for a refused query: `prometheus-queries`, `metric-queries`. */
  input: string;
  query: string;
  /** Evaluation times in epoch ms: start, start + step, …, end. */
  start: number;
  end: number;
  step: number;
}

/** One series of a matrix result: its labels and its values by evaluation time (epoch ms). */
export interface RangeSeries {
  metric: Record<string, string>;
  values: Map<number, number>;
}

/** How the client reaches the API. */
export interface PrometheusClientOptions {
  url: string;
  auth: PrometheusAuth;
  /** The signer for sigv4 auth. */
  signer?: ApsSigner;
  /** Default: the global fetch (undici). */
  fetch?: typeof fetch;
  /** Per attempt; default 10 s. */
  timeoutMs?: number;
  /** Attempts per query, the first included; default 3. */
  attempts?: number;
  /** First backoff, doubled each retry with jitter; default 500 ms. */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Hears of every HTTP request sent (tests and benches count calls). */
  onRequest?: (query: RangeQuery) => void;
}

const MAX_BODY = 32 * 1024 * 1024;

/** Untrusted text from a server, flattened to one short line for an error message. */
export function serverText(text: string, max = 300): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** Reads `query_range` results. */
export class PrometheusClient {
  private readonly endpoint: string;
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly options: PrometheusClientOptions) {
    this.endpoint = `${options.url.replace(/\/+$/, '')}/api/v1/query_range`;
    this.fetch = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.attempts = Math.max(1, options.attempts ?? 3);
    this.backoffMs = options.backoffMs ?? 500;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    if (options.auth.kind === 'sigv4' && !options.signer) throw new Error('sigv4 auth needs a signer');
  }

  /** One `query_range` (retried on failures that may pass); throws a typed error otherwise. */
  async queryRange(q: RangeQuery): Promise<RangeSeries[]> {
    const body = new URLSearchParams({
      query: q.query,
      start: String(q.start / 1000),
      end: String(q.end / 1000),
      step: `${q.step / 1000}s`,
    }).toString();
    let last: PrometheusError | null = null;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      if (attempt > 1) {
        const base = this.backoffMs * 2 ** (attempt - 2);
        await this.sleep(Math.round(base / 2 + (base / 2) * this.random()));
      }
      try {
        return await this.once(q, body);
      } catch (error) {
        if (!(error instanceof PrometheusError) || !retryable(error)) throw error;
        last = error;
      }
    }
    throw new PrometheusError(
      `${last!.message} (after ${this.attempts} attempts)`,
      last!.failure,
      last!.status,
      last!.errorType,
    );
  }

  private async headers(body: string): Promise<Record<string, string>> {
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      'user-agent': `shiftgate/${SHIFTGATE_VERSION}`,
    };
    const auth = this.options.auth;
    switch (auth.kind) {
      case 'none':
        return headers;
      case 'bearer':
        return { ...headers, authorization: `Bearer ${auth.token}` };
      case 'basic':
        return {
          ...headers,
          authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`,
        };
      case 'sigv4':
        return this.options.signer!.sign({ method: 'POST', url: this.endpoint, headers, body });
    }
  }

  private async once(q: RangeQuery, body: string): Promise<RangeSeries[]> {
    const where = `Prometheus query_range for ${q.what}`;
    let headers: Record<string, string>;
    try {
      headers = await this.headers(body);
    } catch (error) {
      throw new PrometheusError(
        `${where}: cannot sign the request: ${errorMessage(error)}`,
        'network',
        null,
        null,
      );
    }
    this.options.onRequest?.(q);
    let response: Response;
    let text: string;
    try {
      response = await this.fetch(this.endpoint, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
      text = await response.text();
    } catch (error) {
      const name = (error as { name?: string })?.name;
      if (name === 'TimeoutError' || name === 'AbortError')
        throw new PrometheusError(
          `${where} timed out after ${this.timeoutMs / 1000}s`,
          'timeout',
          null,
          null,
        );
      const cause = (error as { cause?: unknown })?.cause;
      throw new PrometheusError(
        `${where} failed: ${serverText(errorMessage(error))}${cause ? ` (${serverText(errorMessage(cause))})` : ''}`,
        'network',
        null,
        null,
      );
    }
    if (text.length > MAX_BODY)
      throw new PrometheusError(
        `${where}: the response is larger than 32 MiB`,
        'response',
        response.status,
        null,
      );
    let doc: unknown = null;
    try {
      doc = JSON.parse(text);
    } catch {
      doc = null;
    }
    const obj = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
    const errorType = typeof obj.errorType === 'string' ? serverText(obj.errorType, 40) : null;
    const reason = typeof obj.error === 'string' ? serverText(obj.error) : serverText(text, 200);
    if (response.status === 400 && errorType === 'bad_data')
      throw new PrometheusQueryError(q.input, q.what, q.query, reason);
    if (!response.ok)
      throw new PrometheusError(
        `${where} failed: HTTP ${response.status}${errorType ? ` ${errorType}` : ''}: ${reason || response.statusText}`,
        'http',
        response.status,
        errorType,
      );
    if (obj.status !== 'success')
      throw new PrometheusError(
        obj.status === 'error'
          ? `${where} failed: status error${errorType ? ` ${errorType}` : ''}: ${reason}`
          : `${where}: the response is not a Prometheus API answer: ${serverText(text, 200)}`,
        obj.status === 'error' ? 'status-error' : 'response',
        response.status,
        errorType,
      );
    return parseMatrix(obj.data, where);
  }
}

/** Network failures, time-outs, 429 and 5xx may pass; a 4xx or a malformed answer will not. */
function retryable(error: PrometheusError): boolean {
  if (error.failure === 'network' || error.failure === 'timeout') return true;
  if (error.status === 429 || (error.status !== null && error.status >= 500)) return true;
  return (
    error.failure === 'status-error' && (error.errorType === 'timeout' || error.errorType === 'unavailable')
  );
}

function parseMatrix(data: unknown, where: string): RangeSeries[] {
  const bad = (problem: string): never => {
    throw new PrometheusError(
      `${where}: the response is not a range result: ${problem}`,
      'response',
      200,
      null,
    );
  };
  if (typeof data !== 'object' || data === null) return bad("no 'data'");
  const { resultType, result } = data as { resultType?: unknown; result?: unknown };
  if (resultType !== 'matrix')
    return bad(`resultType ${serverText(String(resultType), 40)}, expected matrix`);
  if (!Array.isArray(result)) return bad("'result' is not a list");
  return result.map((raw: unknown) => {
    const series = raw as { metric?: unknown; values?: unknown };
    if (typeof series?.metric !== 'object' || series.metric === null || !Array.isArray(series.values))
      return bad('a series without metric and values');
    const metric: Record<string, string> = {};
    for (const [k, v] of Object.entries(series.metric as Record<string, unknown>))
      if (typeof v === 'string') metric[k] = v;
    const values = new Map<number, number>();
    for (const point of series.values as unknown[]) {
      if (!Array.isArray(point) || typeof point[0] !== 'number' || typeof point[1] !== 'string')
        return bad('a value that is not [time, "number"]');
      const value = Number(point[1]);
      // NaN (0/0 over an empty window) is no data.
      if (Number.isFinite(value)) values.set(Math.round(point[0] * 1000), value);
    }
    return { metric, values };
  });
}
