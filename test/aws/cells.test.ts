import {
  CloudWatchCellMetricSource,
  loadBalancerOfRoute,
  RegionalClients,
  regionalElbv2Router,
} from '@shiftgate/aws';
import type { CellTarget } from '@shiftgate/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { albMetrics, CloudWatchServer } from '../support/cloudwatch-server';

const T0 = Date.UTC(2026, 0, 1, 12, 0);
const MIN = 60_000;
const hex = (n: number) => n.toString(16).padStart(16, '0');

function cellTarget(n: number, region = 'us-east-1'): CellTarget {
  const prefix = `arn:aws:elasticloadbalancing:${region}:123456789012`;
  return {
    name: `cell-${n}`,
    region,
    routes: [`${prefix}:listener/app/lb-${n}/${hex(n)}/${hex(n + 1)}`],
    pair: {
      stable: `${prefix}:targetgroup/blue-${n}/${hex(n)}`,
      canary: `${prefix}:targetgroup/green-${n}/${hex(n)}`,
    },
  };
}

let server: CloudWatchServer;
let clients: RegionalClients;

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
  server.requests.length = 0;
  server.pageSize = null;
  server.faults.length = 0;
  server.metrics = albMetrics(
    Object.fromEntries(
      Array.from({ length: 60 }, (_, n) => [
        [
          `targetgroup/green-${n}/${hex(n)}`,
          () => ({ requests: 100 + n, errors: n === 7 ? 9 : 0, p99: 200, healthy: 2, unhealthy: 0 }),
        ],
        [
          `targetgroup/blue-${n}/${hex(n)}`,
          () => ({ requests: 900, errors: 1, p99: 190, healthy: 8, unhealthy: 0 }),
        ],
      ]).flat(),
    ),
  );
  clients = new RegionalClients({ caller: 'test', maxAttempts: 1 });
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('CloudWatchCellMetricSource', () => {
  it('reads every cell of a region in ⌈queries / 500⌉ GetMetricData calls, each cell its own windows', async () => {
    const calls: [string, number][] = [];
    const source = new CloudWatchCellMetricSource({
      client: (region) => clients.cloudwatch(region),
      period: MIN,
      onCall: (region, queries) => calls.push([region, queries]),
    });
    const cells = Array.from({ length: 60 }, (_, n) => cellTarget(n));
    const windows = await source.windows('us-east-1', cells, { start: T0, end: T0 + 2 * MIN });
    // 60 cells × 2 target groups × 5 metrics = 600 queries: two calls.
    expect(calls).toEqual([
      ['us-east-1', 500],
      ['us-east-1', 100],
    ]);
    expect(server.calls('GetMetricData')).toHaveLength(2);
    expect(Object.keys(windows)).toHaveLength(60);
    expect(windows['cell-7']).toHaveLength(2);
    expect(windows['cell-7']![0]).toMatchObject({
      canary: { requests: 107, errors: 9, p99: 200, healthy: 2, unhealthy: 0 },
      baseline: { requests: 900, errors: 1, p99: 190 },
    });
    expect(windows['cell-8']![1]!.canary).toMatchObject({ requests: 108, errors: 0 });
  });

  it('counts both sides over their thresholds with range.over, in the same call', async () => {
    server.metrics = albMetrics({
      [`targetgroup/green-1/${hex(1)}`]: (_t, threshold) => ({
        requests: 1000,
        errors: 0,
        p99: 300,
        healthy: 2,
        unhealthy: 0,
        ...(threshold !== undefined ? { slow: threshold >= 500 ? 4 : 60 } : {}),
      }),
      [`targetgroup/blue-1/${hex(1)}`]: (_t, threshold) => ({
        requests: 2000,
        errors: 0,
        p99: 200,
        healthy: 4,
        unhealthy: 0,
        ...(threshold !== undefined ? { slow: threshold >= 200 ? 20 : 400 } : {}),
      }),
    });
    const calls: number[] = [];
    const source = new CloudWatchCellMetricSource({
      client: (region) => clients.cloudwatch(region),
      period: MIN,
      slowThreshold: 500,
      onCall: (_region, queries) => calls.push(queries),
    });
    const over = { baseline: 200, canary: 240 };
    const ids = source.queries([cellTarget(1)], over).map((q) => [q.Id, q.MetricStat?.Stat]);
    expect(ids).toContainEqual(['c0_c_slow', 'PR(:0.5)']);
    expect(ids).toContainEqual(['c0_c_over', 'PR(:0.24)']);
    expect(ids).toContainEqual(['c0_b_over', 'PR(:0.2)']);
    const windows = await source.windows('us-east-1', [cellTarget(1)], { start: T0, end: T0 + MIN, over });
    // 10 ALB metrics, the canary's rank at the p99 gate, both sides' ranks at the increase thresholds.
    expect(calls).toEqual([13]);
    expect(windows['cell-1']![0]).toMatchObject({
      canary: { requests: 1000, slow: 4, over: 60 },
      baseline: { requests: 2000, over: 20 },
      'over-thresholds': over,
    });
  });

  it('names the region and the cells when CloudWatch fails', async () => {
    server.faults.push({
      operation: 'GetMetricData',
      kind: 'error',
      status: 400,
      code: 'InvalidParameterValue',
      message: 'bad',
    });
    const source = new CloudWatchCellMetricSource({ client: (r) => clients.cloudwatch(r), period: MIN });
    await expect(
      source.windows('eu-west-1', [cellTarget(1, 'eu-west-1')], { start: T0, end: T0 + MIN }),
    ).rejects.toThrow(/^GetMetricData in eu-west-1 for 1 cells, .* failed: /);
  });
});

describe('regional clients and router', () => {
  it('makes one client per region and reads the load balancer from a route ARN', () => {
    expect(clients.cloudwatch('us-east-1')).toBe(clients.cloudwatch('us-east-1'));
    expect(clients.cloudwatch('us-east-1')).not.toBe(clients.cloudwatch('eu-west-1'));
    expect(loadBalancerOfRoute(cellTarget(3).routes[0]!)).toBe(`app/lb-3/${hex(3)}`);
    expect(() => regionalElbv2Router((r) => clients.elbv2(r)).read('listener-without-region')).toThrow(
      "Input 'route' must be a listener or rule ARN that names its region",
    );
  });
});
