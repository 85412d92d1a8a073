// The Prometheus source's HTTP client against a loopback fake: SigV4 (checked by re-signing with the
// SDK's signer), bearer and basic auth, and every error path — runs everywhere, binary or not.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ApsSigner,
  bucketQuantile,
  countAbove,
  createPrometheusClient,
  createPrometheusMetricSource,
  normaliseBuckets,
  PrometheusError,
  PrometheusQueryError,
  prometheusName,
  signingRegion,
} from '@shiftgate/aws';
import {
  DEFAULT_PROMETHEUS_QUERIES,
  parseMetricQueries,
  parsePrometheusQueries,
  parseSourceSettings,
  renderTemplate,
  type SourceSettings,
} from '@shiftgate/core';
import { FakePrometheus, steady } from '../support/prometheus-server';

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token',
};
const T0 = Date.UTC(2026, 3, 1, 9, 0, 0);

let fake: FakePrometheus;
beforeAll(async () => {
  fake = await FakePrometheus.start();
});
afterAll(() => fake.close());
beforeEach(async () => {
  // A failed poll leaves its sibling queries in flight: let them land before the next test's faults.
  await new Promise((resolve) => setTimeout(resolve, 100));
  fake.reset();
  fake.sides.set('web-canary', () => steady(100));
  fake.sides.set('web-stable', () => steady(900));
});

const settings = (extra: Record<string, string> = {}) =>
  parseSourceSettings(
    (name) => ({ 'metric-source': 'prometheus', 'prometheus-url': fake.url, ...extra })[name] ?? '',
  ) as Extract<SourceSettings, { kind: 'prometheus' }>;

const fast = { timeoutMs: 200, backoffMs: 1, sleep: async () => undefined };

function source(extra: Record<string, string> = {}, credentials = CREDENTIALS) {
  const s = settings(extra);
  return createPrometheusMetricSource(s, {
    canary: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-canary/943f017f100becff',
    baseline: 'web-stable',
    period: 60_000,
    slowThreshold: 100,
    jobRegion: 'eu-west-1',
    client: fast,
    credentials,
  });
}

const range = { start: T0, end: T0 + 3 * 60_000 };

describe('the Prometheus source over the HTTP API', () => {
  it('reads every window with one query_range per template and side, evaluated at each window end', async () => {
    const windows = await source().windows(range);
    expect(windows).toHaveLength(3);
    expect(windows[0]).toMatchObject({
      start: new Date(T0).toISOString(),
      canary: { requests: 100, errors: 0, healthy: 4, unhealthy: 0, slow: 1 },
      baseline: { requests: 900, errors: 0, healthy: 4, unhealthy: 0 },
    });
    // 99% at most 100 ms, 1% in (100 ms, 250 ms]: the 99th percentile is the 100 ms bound.
    expect(windows[0]!.canary!.p99).toBe(100);
    expect(fake.requests).toHaveLength(10);
    for (const r of fake.requests) {
      expect(r.method).toBe('POST');
      expect(r.params.get('start')).toBe(String((T0 + 60_000) / 1000));
      expect(r.params.get('end')).toBe(String((T0 + 3 * 60_000) / 1000));
      expect(r.params.get('step')).toBe('60s');
      expect(r.params.get('query')).toContain('[1m]');
    }
    const queries = fake.requests.map((r) => r.params.get('query'));
    expect(queries).toContain(
      renderTemplate(DEFAULT_PROMETHEUS_QUERIES.requests, {
        canary: 'web-canary',
        baseline: 'web-stable',
        window: '1m',
      }),
    );
    expect(queries).toContain('sum(increase(http_requests_total{job="web-stable"}[1m]))');
  });

  it('counts 0 errors when there is no 5xx series but there were requests, and no data without requests', async () => {
    fake.sides.set('web-canary', (at) => (at === T0 + 60_000 ? null : steady(100)));
    const windows = await source().windows(range);
    expect(windows[0]!.canary).toBeNull();
    expect(windows[1]!.canary).toMatchObject({ requests: 100, errors: 0 });
  });

  it('signs with SigV4 for aps: the Authorization header is the one the SDK signer computes for the request', async () => {
    await source({ 'prometheus-auth': 'sigv4', 'prometheus-region': 'us-west-2' }).windows(range);
    const r = fake.requests[0]!;
    const auth = String(r.headers.authorization);
    expect(auth).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-west-2\/aps\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    expect(r.headers['x-amz-security-token']).toBe('session-token');
    const date = String(r.headers['x-amz-date']);
    const at = new Date(
      `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`,
    );
    const again = await new ApsSigner({ region: 'us-west-2', credentials: CREDENTIALS }).sign(
      {
        method: 'POST',
        url: `${fake.url}/api/v1/query_range`,
        headers: {
          'content-type': String(r.headers['content-type']),
          accept: String(r.headers.accept),
          'user-agent': String(r.headers['user-agent']),
        },
        body: r.body,
      },
      at,
    );
    expect(again.authorization).toBe(auth);
    // A changed body is a different signature: the body is signed.
    const tampered = await new ApsSigner({ region: 'us-west-2', credentials: CREDENTIALS }).sign(
      { method: 'POST', url: `${fake.url}/api/v1/query_range`, headers: {}, body: `${r.body}&x=1` },
      at,
    );
    expect(tampered.authorization).not.toBe(auth);
  });

  it("takes the signing region from the AMP host, then the job's region", () => {
    expect(
      signingRegion('https://aps-workspaces.ap-southeast-2.amazonaws.com/workspaces/ws-1', null, 'us-east-1'),
    ).toBe('ap-southeast-2');
    expect(signingRegion('https://prom.example.com', null, 'eu-west-1')).toBe('eu-west-1');
    expect(signingRegion('https://prom.example.com', 'us-west-2', 'eu-west-1')).toBe('us-west-2');
    expect(() => signingRegion('https://prom.example.com', null, undefined)).toThrow(
      /Input 'prometheus-region' is required/,
    );
  });

  it('sends a bearer token or basic credentials', async () => {
    await source({ 'prometheus-auth': 'bearer', 'prometheus-token': 's3cret' }).windows(range);
    expect(fake.requests[0]!.headers.authorization).toBe('Bearer s3cret');
    fake.reset();
    await source({
      'prometheus-auth': 'basic',
      'prometheus-username': 'ops',
      'prometheus-password': 'pa:ss',
    }).windows(range);
    expect(fake.requests[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('ops:pa:ss').toString('base64')}`,
    );
  });

  it('retries 5xx, 429, time-outs and lost responses with backoff, then names the query in a typed error', async () => {
    for (const fault of [
      { kind: 'status' as const, status: 503, body: 'unavailable' },
      {
        kind: 'status' as const,
        status: 429,
        body: '{"status":"error","errorType":"too_many_requests","error":"slow"}',
      },
      { kind: 'hang' as const },
      { kind: 'reset' as const },
    ]) {
      fake.reset();
      fake.faults.push({ ...fault, times: 2, match: /job="web-canary"}\[1m\]\)\)$/ });
      await expect(source().windows(range)).resolves.toHaveLength(3);
      fake.reset();
      fake.faults.push({ ...fault, times: 1000, match: /http_requests_total\{job="web-canary"}/ });
      const error = await source()
        .windows(range)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PrometheusError);
      expect((error as Error).message).toMatch(
        /^Prometheus query_range for requests \(canary\) .*\(after 3 attempts\)$/,
      );
    }
  });

  it('does not retry a 4xx, and turns a "status":"error" body or a body that is not the API into errors', async () => {
    fake.faults.push({ kind: 'status', status: 401, body: 'unauthorized', times: 1000 });
    const denied = (await source()
      .windows(range)
      .catch((e: unknown) => e)) as PrometheusError;
    expect(denied).toMatchObject({ failure: 'http', status: 401 });
    expect(denied.message).toMatch(/failed: HTTP 401: unauthorized$/);
    // Every query was sent once, none again (the others were in flight when the first failed).
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fake.requests).toHaveLength(10);
    fake.reset();
    fake.faults.push({
      kind: 'status',
      status: 200,
      body: '{"status":"error","errorType":"execution","error":"too many samples"}',
      times: 1000,
    });
    await expect(source().windows(range)).rejects.toThrow(/status error execution: too many samples/);
    fake.reset();
    fake.faults.push({ kind: 'status', status: 200, body: '<html>proxy login</html>', times: 1000 });
    await expect(source().windows(range)).rejects.toThrow(/is not a Prometheus API answer/);
    fake.reset();
    fake.faults.push({
      kind: 'status',
      status: 200,
      body: '{"status":"success","data":{"resultType":"vector","result":[]}}',
      times: 1000,
    });
    await expect(source().windows(range)).rejects.toThrow(/resultType vector, expected matrix/);
  });

  it('makes a bad_data answer an input error that names the query and its text', async () => {
    fake.faults.push({
      kind: 'status',
      status: 400,
      body: '{"status":"error","errorType":"bad_data","error":"1:5: parse error: unclosed left parenthesis\\n::error::x"}',
      times: 1,
      match: /_bucket/,
    });
    const error = (await source()
      .windows(range)
      .catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(PrometheusQueryError);
    expect(error.message).toMatch(
      /^Input 'prometheus-queries': Prometheus refused the latency \((canary|baseline)\) query as invalid PromQL: 1:5: parse error: unclosed left parenthesis ::error::x; query: sum by \(le\)/,
    );
    expect(error.message).not.toContain('\n');
  });

  it('refuses a target name that could break out of a label matcher', () => {
    expect(prometheusName('x', 'web-canary')).toBe('web-canary');
    expect(() => prometheusName('canary-target-group-arn', 'a"} or up{job="b')).toThrow(/without quotes/);
  });
});

describe('latency from histogram buckets', () => {
  const buckets = normaliseBuckets([
    { le: 0.1, count: 50 },
    { le: Infinity, count: 100 },
    { le: 0.5, count: 90 },
    { le: 0.25, count: 80 },
  ])!;
  it('interpolates quantiles inside the bucket, as histogram_quantile does', () => {
    expect(bucketQuantile(0.5, buckets)).toBeCloseTo(0.1);
    expect(bucketQuantile(0.8, buckets)).toBeCloseTo(0.25);
    expect(bucketQuantile(0.85, buckets)).toBeCloseTo(0.375);
    // In the +Inf bucket: the highest finite bound.
    expect(bucketQuantile(0.99, buckets)).toBe(0.5);
    expect(bucketQuantile(0.5, normaliseBuckets([{ le: Infinity, count: 0 }])!)).toBeNull();
  });
  it('counts requests slower than a threshold, every request past the last finite bound as slower', () => {
    expect(countAbove(0.1, buckets)).toBe(50);
    expect(countAbove(0.175, buckets)).toBeCloseTo(35);
    expect(countAbove(0.5, buckets)).toBe(10);
    expect(countAbove(3, buckets)).toBe(10);
    expect(countAbove(0.05, buckets)).toBeCloseTo(75);
  });
  it('needs a +Inf bucket and keeps counts monotonic', () => {
    expect(normaliseBuckets([{ le: 0.1, count: 3 }])).toBeNull();
    expect(
      normaliseBuckets([
        { le: 0.1, count: 3 },
        { le: 0.2, count: 2.9 },
        { le: Infinity, count: 4 },
      ])!.map((b) => b.count),
    ).toEqual([3, 3, 4]);
  });
});

describe('templates and settings', () => {
  it('overrides templates by key and keeps the other defaults', () => {
    const q = parsePrometheusQueries(
      'prometheus-queries',
      'requests: sum(increase(reqs{svc="{{canary}}"}[{{window}}]))',
    );
    expect(q.requests).toBe('sum(increase(reqs{svc="{{canary}}"}[{{window}}]))');
    expect(q.errors).toBe(DEFAULT_PROMETHEUS_QUERIES.errors);
  });
  it.each([
    ['requests: sum(up)', /must select the side it reads with \{\{canary\}\}/],
    ['requests: x{a="{{canary}}",b="{{baseline}}"}', /no \{\{baseline\}\}/],
    ['requests: x{a="{{canary}}"}[{{windw}}]', /unknown placeholder '\{\{windw\}\}'/],
    ['p99: x', /unknown key 'p99'/],
    ['[1, 2]', /must be a mapping/],
    ['requests: [', /not YAML/],
  ])('refuses %j', (text, message) => {
    expect(() => parsePrometheusQueries('prometheus-queries', text)).toThrow(message);
  });
  it('takes PromQL custom queries only with metric-source prometheus, and CloudWatch ones only without', () => {
    const promql = parseMetricQueries(
      'metric-queries',
      '- id: q\n  query: sum(x{job="{{canary}}"})\n  max: 1',
    );
    expect(promql[0]!.promql).toBe('sum(x{job="{{canary}}"})');
    expect(() => parseSourceSettings(() => '', promql)).toThrow(/query 'q' is PromQL/);
    const cw = parseMetricQueries(
      'metric-queries',
      '- id: cpu\n  namespace: AWS/ECS\n  metric: CPUUtilization\n  max: 80',
    );
    expect(() => settingsWith(cw)).toThrow(/query 'cpu' is a CloudWatch query/);
  });
  it('refuses credentials over plain http to anything but loopback, and a URL carrying a password without echoing it', () => {
    expect(() =>
      parseSourceSettings(
        (n) =>
          ({
            'metric-source': 'prometheus',
            'prometheus-url': 'http://prom.example.com',
            'prometheus-auth': 'bearer',
            'prometheus-token': 't',
          })[n] ?? '',
      ),
    ).toThrow(/must be https with prometheus-auth 'bearer'/);
    let message = '';
    try {
      parseSourceSettings(
        (n) =>
          ({ 'metric-source': 'prometheus', 'prometheus-url': 'https://u:hunter2@prom.example.com' })[n] ??
          '',
      );
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/must not carry a user or password/);
    expect(message).not.toContain('hunter2');
  });
  it('builds a client per settings', () => {
    expect(createPrometheusClient(settings())).toBeDefined();
  });
});

function settingsWith(queries: ReturnType<typeof parseMetricQueries>) {
  return parseSourceSettings(
    (n) => ({ 'metric-source': 'prometheus', 'prometheus-url': 'https://p.example.com' })[n] ?? '',
    queries,
  );
}
