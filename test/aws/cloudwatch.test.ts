import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchAlarmSource,
  CloudWatchMetricSource,
  createCloudWatchClient,
  loadBalancerDimension,
  percentRankStat,
  targetGroupDimension,
} from '@shiftgate/aws';
import { InputError, parseAbMetrics, parseMetricQueries, type Logger } from '@shiftgate/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { albMetrics, CloudWatchServer } from '../support/cloudwatch-server';

const LB = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188';
const STABLE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-blue/73e2d6bc24d8a067';
const CANARY = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-green/943f017f100becff';
const T0 = Date.UTC(2026, 0, 1, 12, 0);
const MIN = 60_000;

let server: CloudWatchServer;
let client: CloudWatchClient;

beforeAll(async () => {
  server = await CloudWatchServer.start();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  vi.stubEnv('AWS_ENDPOINT_URL', server.url);
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
  vi.stubEnv('AWS_REGION', 'us-east-1');
  server.requests.length = 0;
  server.faults.length = 0;
  server.statusCodes.clear();
  server.alarms.clear();
  server.compositeAlarms.clear();
  server.pageSize = null;
  server.metrics = albMetrics({
    'targetgroup/web-green/943f017f100becff': (t) => ({
      requests: 50 + (t - T0) / MIN,
      errors: t === T0 ? 2 : 0,
      p99: 210,
      healthy: 2,
      unhealthy: 0,
    }),
    'targetgroup/web-blue/73e2d6bc24d8a067': () => ({
      requests: 950,
      errors: 1,
      p99: 200,
      healthy: 18,
      unhealthy: 0,
    }),
  });
  client = createCloudWatchClient({ caller: 'test', maxAttempts: 3 });
});
afterEach(() => {
  client.destroy();
  vi.unstubAllEnvs();
});

function source(extra: Partial<ConstructorParameters<typeof CloudWatchMetricSource>[0]> = {}) {
  return new CloudWatchMetricSource({
    client,
    loadBalancerArn: LB,
    stableTargetGroupArn: STABLE,
    canaryTargetGroupArn: CANARY,
    period: MIN,
    ...extra,
  });
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info ${m}`),
    warning: (m) => lines.push(`warning ${m}`),
    debug: (m) => lines.push(`debug ${m}`),
  };
}

describe('dimensions', () => {
  it('takes the ARN suffixes CloudWatch uses as dimensions', () => {
    expect(loadBalancerDimension('load-balancer-arn', LB)).toBe('app/web/50dc6c495c0c9188');
    expect(targetGroupDimension('canary-target-group-arn', CANARY)).toBe(
      'targetgroup/web-green/943f017f100becff',
    );
  });

  it.each([
    [
      'a network load balancer',
      'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/web/50dc6c495c0c9188',
    ],
    ['a target group ARN', STABLE],
    ['a bare name', 'web'],
  ])('refuses %s as a load balancer', (_what, arn) => {
    expect(() => loadBalancerDimension('load-balancer-arn', arn)).toThrow(
      new RegExp(
        `^Input 'load-balancer-arn' must be an Application Load Balancer ARN .*, got '${arn.replace(/[/.]/g, '\\$&')}'$`,
      ),
    );
  });
});

describe('CloudWatchMetricSource', () => {
  it('reads every metric of both target groups in one signed AWS JSON 1.0 GetMetricData call', async () => {
    const windows = await source().windows({ start: T0, end: T0 + 3 * MIN });
    expect(server.calls('GetMetricData')).toHaveLength(1);
    const request = server.calls('GetMetricData')[0]!;
    expect(request.headers['x-amz-target']).toBe('GraniteServiceVersion20100801.GetMetricData');
    expect(request.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(request.body.StartTime).toBe(T0 / 1000);
    expect(request.body.EndTime).toBe((T0 + 3 * MIN) / 1000);
    const queries = request.body.MetricDataQueries as Array<{
      Id: string;
      MetricStat: { Metric: { MetricName: string; Dimensions: unknown }; Stat: string; Period: number };
    }>;
    expect(
      queries.map(
        (q) => `${q.Id}:${q.MetricStat.Metric.MetricName}:${q.MetricStat.Stat}:${q.MetricStat.Period}`,
      ),
    ).toEqual([
      'sg_c_requests:RequestCount:Sum:60',
      'sg_c_errors:HTTPCode_Target_5XX_Count:Sum:60',
      'sg_c_p99:TargetResponseTime:p99:60',
      'sg_c_healthy:HealthyHostCount:Minimum:60',
      'sg_c_unhealthy:UnHealthyHostCount:Maximum:60',
      'sg_b_requests:RequestCount:Sum:60',
      'sg_b_errors:HTTPCode_Target_5XX_Count:Sum:60',
      'sg_b_p99:TargetResponseTime:p99:60',
      'sg_b_healthy:HealthyHostCount:Minimum:60',
      'sg_b_unhealthy:UnHealthyHostCount:Maximum:60',
    ]);
    expect(queries[0]!.MetricStat.Metric.Dimensions).toEqual([
      { Name: 'LoadBalancer', Value: 'app/web/50dc6c495c0c9188' },
      { Name: 'TargetGroup', Value: 'targetgroup/web-green/943f017f100becff' },
    ]);
    expect(windows).toEqual([
      {
        start: '2026-01-01T12:00:00.000Z',
        canary: { requests: 50, errors: 2, p99: 210, healthy: 2, unhealthy: 0 },
        baseline: { requests: 950, errors: 1, p99: 200, healthy: 18, unhealthy: 0 },
      },
      {
        start: '2026-01-01T12:01:00.000Z',
        canary: { requests: 51, errors: 0, p99: 210, healthy: 2, unhealthy: 0 },
        baseline: { requests: 950, errors: 1, p99: 200, healthy: 18, unhealthy: 0 },
      },
      {
        start: '2026-01-01T12:02:00.000Z',
        canary: { requests: 52, errors: 0, p99: 210, healthy: 2, unhealthy: 0 },
        baseline: { requests: 950, errors: 1, p99: 200, healthy: 18, unhealthy: 0 },
      },
    ]);
  });

  describe('the canary’s requests slower than the p99 gate (percentile rank)', () => {
    beforeEach(() => {
      server.metrics = albMetrics({
        'targetgroup/web-green/943f017f100becff': (t, threshold) => ({
          requests: 200,
          errors: 0,
          p99: 640,
          // 8 of 200 slower than 500ms, none slower than anything above.
          slow: threshold === undefined || threshold <= 500 ? (t === T0 ? 8 : 3) : 0,
          healthy: 2,
          unhealthy: 0,
        }),
        'targetgroup/web-blue/73e2d6bc24d8a067': () => ({ requests: 950, p99: 200, slow: 1, healthy: 18 }),
      });
    });

    it.each([
      [500, 'PR(:0.5)'],
      [1500, 'PR(:1.5)'],
      [123, 'PR(:0.123)'],
      [60_000, 'PR(:60)'],
    ])('asks for PR(:T) with T in seconds (%sms → %s)', (ms, stat) => {
      expect(percentRankStat(ms)).toBe(stat);
    });

    it('adds PR(:T) for the canary only to the same GetMetricData call and reads it as a count', async () => {
      const windows = await source({ slowThreshold: 500 }).windows({ start: T0, end: T0 + 2 * MIN });
      expect(server.calls('GetMetricData')).toHaveLength(1);
      const queries = server.calls('GetMetricData')[0]!.body.MetricDataQueries as Array<{
        Id: string;
        MetricStat: { Metric: { MetricName: string; Dimensions: unknown }; Stat: string };
      }>;
      expect(queries.map((q) => q.Id)).toHaveLength(11);
      const slow = queries.find((q) => q.Id === 'sg_c_slow')!;
      expect(slow.MetricStat.Metric.MetricName).toBe('TargetResponseTime');
      expect(slow.MetricStat.Stat).toBe('PR(:0.5)');
      expect(slow.MetricStat.Metric.Dimensions).toEqual([
        { Name: 'LoadBalancer', Value: 'app/web/50dc6c495c0c9188' },
        { Name: 'TargetGroup', Value: 'targetgroup/web-green/943f017f100becff' },
      ]);
      expect(windows.map((w) => w.canary)).toEqual([
        { requests: 200, errors: 0, p99: 640, slow: 8, healthy: 2, unhealthy: 0 },
        { requests: 200, errors: 0, p99: 640, slow: 3, healthy: 2, unhealthy: 0 },
      ]);
      // The baseline is not judged on it.
      expect(windows[0]!.baseline).not.toHaveProperty('slow');
    });

    it('reads both target groups’ percentile ranks at the increase thresholds in the same call', async () => {
      const over = { canary: 240, baseline: 200 };
      const windows = await source({ slowThreshold: 500 }).windows({ start: T0, end: T0 + 2 * MIN, over });
      expect(server.calls('GetMetricData')).toHaveLength(1);
      const queries = server.calls('GetMetricData')[0]!.body.MetricDataQueries as Array<{
        Id: string;
        MetricStat: { Metric: { Dimensions: { Name: string; Value: string }[] }; Stat: string };
      }>;
      const byId = (id: string) => queries.find((q) => q.Id === id)!.MetricStat;
      expect(byId('sg_c_over').Stat).toBe('PR(:0.24)');
      expect(byId('sg_c_over').Metric.Dimensions[1]!.Value).toBe('targetgroup/web-green/943f017f100becff');
      expect(byId('sg_b_over').Stat).toBe('PR(:0.2)');
      expect(byId('sg_b_over').Metric.Dimensions[1]!.Value).toBe('targetgroup/web-blue/73e2d6bc24d8a067');
      expect(windows.map((w) => [w.canary!.over, w.baseline!.over])).toEqual([
        [8, 1],
        [3, 1],
      ]);
      expect(windows[0]!['over-thresholds']).toEqual(over);
      // Without thresholds the call has neither query and the windows no over counts.
      const [plain] = await source({ slowThreshold: 500 }).windows({ start: T0, end: T0 + MIN });
      expect(server.calls('GetMetricData')[1]!.body.MetricDataQueries).toHaveLength(11);
      expect(plain!.canary).not.toHaveProperty('over');
      expect(plain).not.toHaveProperty('over-thresholds');
    });

    it('asks for the latency percentile the gate judges', async () => {
      await source({ percentile: 90 }).windows({ start: T0, end: T0 + MIN });
      const queries = server.calls('GetMetricData')[0]!.body.MetricDataQueries as Array<{
        Id: string;
        MetricStat: { Stat: string };
      }>;
      expect(queries.find((q) => q.Id === 'sg_c_p99')!.MetricStat.Stat).toBe('p90');
      expect(queries.find((q) => q.Id === 'sg_b_p99')!.MetricStat.Stat).toBe('p90');
      expect(() => source({ percentile: 100 })).toThrow(
        "Input 'latency-percentile' must be one of p50, p90, p95, p99, p99.9, got 'p100'",
      );
    });

    it('asks at the gate it is given', async () => {
      const [first] = await source({ slowThreshold: 750 }).windows({ start: T0, end: T0 + MIN });
      expect(first!.canary!.slow).toBe(0);
    });

    it('leaves slow out when no threshold is given', async () => {
      const [first] = await source().windows({ start: T0, end: T0 + MIN });
      expect(server.calls('GetMetricData')[0]!.body.MetricDataQueries).toHaveLength(10);
      expect(first!.canary).not.toHaveProperty('slow');
    });

    it.each(['PartialData', 'Forbidden', 'InternalError'] as const)(
      'reads slow as no data when its query’s status is %s',
      async (status) => {
        server.statusCodes.set('sg_c_slow', status);
        const logger = recordingLogger();
        const [first] = await source({ slowThreshold: 500, logger }).windows({ start: T0, end: T0 + MIN });
        expect(first!.canary).toEqual({
          requests: 200,
          errors: 0,
          p99: 640,
          slow: null,
          healthy: 2,
          unhealthy: 0,
        });
        expect(logger.lines).toContain(
          `warning CloudWatch query 'sg_c_slow' returned status ${status}: its values are not used as data`,
        );
      },
    );

    it('reads slow as no data without a datapoint or without a request count', async () => {
      server.metrics = albMetrics({
        'targetgroup/web-green/943f017f100becff': (t) =>
          t === T0 ? { requests: 200, p99: 640 } : { requests: null, p99: 640, slow: 2 },
      });
      const windows = await source({ slowThreshold: 500 }).windows({ start: T0, end: T0 + 2 * MIN });
      expect(windows.map((w) => w.canary!.slow)).toEqual([null, null]);
    });

    it('refuses a threshold that is not a latency', () => {
      expect(() => source({ slowThreshold: 0 })).toThrow(InputError);
    });
  });

  it('fills an omitted 5xx datapoint with 0 only where the window has requests', async () => {
    server.metrics = albMetrics({
      'targetgroup/web-green/943f017f100becff': (t) =>
        t === T0
          ? { requests: null, errors: 0, p99: null, healthy: 2, unhealthy: 0 }
          : { requests: 40, errors: 0, p99: 180 },
    });
    const [first, second] = await source().windows({ start: T0, end: T0 + 2 * MIN });
    expect(first!.canary).toEqual({ requests: null, errors: null, p99: null, healthy: 2, unhealthy: 0 });
    expect(second!.canary).toEqual({ requests: 40, errors: 0, p99: 180, healthy: null, unhealthy: null });
    expect(first!.baseline).toBeNull();
  });

  it('returns a window of no data for every period without datapoints (empty results)', async () => {
    server.metrics = () => undefined;
    const windows = await source().windows({ start: T0, end: T0 + 2 * MIN });
    expect(windows).toEqual([
      { start: '2026-01-01T12:00:00.000Z', canary: null, baseline: null },
      { start: '2026-01-01T12:01:00.000Z', canary: null, baseline: null },
    ]);
  });

  it.each(['PartialData', 'Forbidden', 'InternalError'] as const)(
    'does not use the values of a query whose status is %s',
    async (status) => {
      server.statusCodes.set('sg_c_errors', status);
      server.statusCodes.set('sg_c_p99', status);
      const logger = recordingLogger();
      const [first] = await source({ logger }).windows({ start: T0, end: T0 + MIN });
      // The 5xx query is not complete, so its omitted datapoints cannot be read as zero either.
      expect(first!.canary).toEqual({ requests: 50, errors: null, p99: null, healthy: 2, unhealthy: 0 });
      expect(logger.lines).toContain(
        `warning CloudWatch query 'sg_c_errors' returned status ${status}: its values are not used as data`,
      );
    },
  );

  it('follows NextToken until every query is complete', async () => {
    server.pageSize = 2;
    const windows = await source().windows({ start: T0, end: T0 + 5 * MIN });
    expect(server.calls('GetMetricData')).toHaveLength(3);
    expect(server.calls('GetMetricData')[1]!.body.NextToken).toEqual(expect.any(String));
    expect(windows.map((w) => w.canary?.requests)).toEqual([50, 51, 52, 53, 54]);
  });

  it('retries throttling through the SDK and then succeeds', async () => {
    server.faults.push({
      kind: 'error',
      status: 400,
      code: 'Throttling',
      message: 'Rate exceeded',
      operation: 'GetMetricData',
    });
    const windows = await source().windows({ start: T0, end: T0 + MIN });
    expect(server.calls('GetMetricData')).toHaveLength(2);
    expect(windows[0]!.canary?.requests).toBe(50);
  });

  it('reports what it was doing when the SDK gives up', async () => {
    server.faults.push({
      kind: 'error',
      status: 400,
      code: 'Throttling',
      message: 'Rate exceeded',
      times: 3,
    });
    await expect(source().windows({ start: T0, end: T0 + MIN })).rejects.toThrow(
      /^GetMetricData for 2026-01-01T12:00:00.000Z–2026-01-01T12:01:00.000Z failed: Throttling: Rate exceeded$/,
    );
    expect(server.calls('GetMetricData')).toHaveLength(3);
  });

  it('does not retry an access error, and says so', async () => {
    server.faults.push({
      kind: 'error',
      status: 403,
      code: 'AccessDenied',
      message: 'User is not authorized to perform: cloudwatch:GetMetricData',
    });
    await expect(source().windows({ start: T0, end: T0 + MIN })).rejects.toThrow(
      /failed: AccessDenied: User is not authorized/,
    );
    expect(server.calls('GetMetricData')).toHaveLength(1);
  });

  it('turns an unreadable response into an error rather than data', async () => {
    server.faults.push({ kind: 'garbage', times: 3 });
    await expect(source().windows({ start: T0, end: T0 + MIN })).rejects.toThrow(
      /^GetMetricData for .* failed: /,
    );
  });

  it('sends custom metric stats and expressions, and returns only judged ones', async () => {
    const queries = parseMetricQueries(
      'metric-queries',
      [
        '- id: cpu',
        '  namespace: AWS/ECS',
        '  metric: CPUUtilization',
        '  dimensions: { ClusterName: prod, ServiceName: web-green }',
        '  max: 80',
        '- id: m1',
        '  namespace: Shop',
        '  metric: Checkouts',
        '  stat: Sum',
        '- id: ratio',
        '  expression: m1 / 2',
        '  min: 1',
      ].join('\n'),
    );
    server.metrics = albMetrics({}, (q) => (q.id === 'cpu' ? 71.5 : q.id === 'ratio' ? 4 : undefined));
    const [first] = await source({ queries }).windows({ start: T0, end: T0 + MIN });
    expect(first!.custom).toEqual({ cpu: 71.5, ratio: 4 });
    const sent = server.calls('GetMetricData')[0]!.body.MetricDataQueries as Array<Record<string, unknown>>;
    expect(sent.slice(10)).toEqual([
      {
        Id: 'cpu',
        Label: 'cpu',
        MetricStat: {
          Metric: {
            Namespace: 'AWS/ECS',
            MetricName: 'CPUUtilization',
            Dimensions: [
              { Name: 'ClusterName', Value: 'prod' },
              { Name: 'ServiceName', Value: 'web-green' },
            ],
          },
          Period: 60,
          Stat: 'Average',
        },
        ReturnData: true,
      },
      {
        Id: 'm1',
        Label: 'm1',
        MetricStat: {
          Metric: { Namespace: 'Shop', MetricName: 'Checkouts', Dimensions: [] },
          Period: 60,
          Stat: 'Sum',
        },
        ReturnData: false,
      },
      { Id: 'ratio', Label: 'ratio', Expression: 'm1 / 2', Period: 60, ReturnData: true },
    ]);
  });

  it("reads an A/B test's custom counts for A and B by target group, and both sides' slow requests, in one call", async () => {
    const metrics = parseAbMetrics(
      'ab-metrics',
      '[{name: orders, better: higher, namespace: Shop, metric: OrdersPlaced, dimensions: {Service: checkout}}, {name: refunds, better: lower, namespace: Shop, metric: Refunds, a: {Variant: a}, b: {Variant: b}}]',
    );
    server.metrics = albMetrics(
      {
        'targetgroup/web-green/943f017f100becff': () => ({
          requests: 100,
          errors: 0,
          p99: 210,
          slow: 4,
          healthy: 2,
          unhealthy: 0,
        }),
        'targetgroup/web-blue/73e2d6bc24d8a067': () => ({
          requests: 900,
          errors: 1,
          p99: 200,
          slow: 9,
          healthy: 18,
          unhealthy: 0,
        }),
      },
      (q) => {
        const d = q.metric?.dimensions ?? {};
        if (q.metric?.name === 'OrdersPlaced' && d.Service === 'checkout')
          return d.TargetGroup === 'targetgroup/web-green/943f017f100becff'
            ? 7
            : d.TargetGroup
              ? 45
              : undefined;
        // Refunds on B published nothing this minute: a count with no datapoint is 0 where B served.
        if (q.metric?.name === 'Refunds' && d.Variant === 'a') return 3;
        return undefined;
      },
    );
    const [first] = await source({ slowThreshold: 500, ab: { metrics } }).windows({
      start: T0,
      end: T0 + MIN,
    });
    expect(first!['ab-metrics']).toEqual({ orders: { a: 45, b: 7 }, refunds: { a: 3, b: 0 } });
    expect(first!.baseline?.slow).toBe(9);
    expect(first!.canary?.slow).toBe(4);
    expect(server.calls('GetMetricData')).toHaveLength(1);
    const sent = server.calls('GetMetricData')[0]!.body.MetricDataQueries as Array<{
      Id: string;
      MetricStat?: { Metric: { Dimensions: { Name: string; Value: string }[] }; Stat: string };
    }>;
    const ab = sent.filter((q) => q.Id.startsWith('sg_ab'));
    expect(ab.map((q) => [q.Id, q.MetricStat!.Stat, q.MetricStat!.Metric.Dimensions])).toEqual([
      [
        'sg_ab0a',
        'Sum',
        [
          { Name: 'Service', Value: 'checkout' },
          { Name: 'TargetGroup', Value: 'targetgroup/web-blue/73e2d6bc24d8a067' },
        ],
      ],
      [
        'sg_ab0b',
        'Sum',
        [
          { Name: 'Service', Value: 'checkout' },
          { Name: 'TargetGroup', Value: 'targetgroup/web-green/943f017f100becff' },
        ],
      ],
      ['sg_ab1a', 'Sum', [{ Name: 'Variant', Value: 'a' }]],
      ['sg_ab1b', 'Sum', [{ Name: 'Variant', Value: 'b' }]],
    ]);
    expect(sent.map((q) => q.Id)).toContain('sg_b_slow');
  });

  it('refuses a period that is not whole minutes', () => {
    expect(() => source({ period: 90_000 })).toThrow(InputError);
  });
});

describe('CloudWatchAlarmSource', () => {
  it('reads metric and composite alarms in one DescribeAlarms call', async () => {
    server.alarms.set('HighLatency', 'OK');
    server.alarms.set('Unrelated', 'ALARM');
    server.compositeAlarms.set('ServiceHealth', 'INSUFFICIENT_DATA');
    const states = await new CloudWatchAlarmSource(client).states(['HighLatency', 'ServiceHealth']);
    expect(states).toEqual({ HighLatency: 'OK', ServiceHealth: 'INSUFFICIENT_DATA' });
    expect(server.calls('DescribeAlarms')).toHaveLength(1);
    expect(server.calls('DescribeAlarms')[0]!.body).toEqual({
      AlarmNames: ['HighLatency', 'ServiceHealth'],
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
    });
  });

  it('refuses an alarm that does not exist as an input error', async () => {
    server.alarms.set('HighLatency', 'OK');
    const error = await new CloudWatchAlarmSource(client)
      .states(['HighLatency', 'Typo'])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(
      "Input 'alarms' must name existing CloudWatch alarms in this account and region; not found: 'Typo'",
    );
  });

  it('reports a failed call as a provider error', async () => {
    server.faults.push({
      kind: 'error',
      status: 500,
      code: 'InternalFailure',
      message: 'boom',
      fault: 'Receiver',
      times: 3,
    });
    await expect(new CloudWatchAlarmSource(client).states(['HighLatency'])).rejects.toThrow(
      /^DescribeAlarms for HighLatency failed: InternalFailure: boom$/,
    );
  });
});
