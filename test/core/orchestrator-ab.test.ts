import { describe, expect, it } from 'vitest';
import {
  compareAB,
  InputError,
  parseAbMetrics,
  type AbMetric,
  type Evidence,
  type MetricWindow,
  type SideStats,
} from '@shiftgate/core';

const side = (requests: number, errors: number, slow?: number): SideStats => ({
  requests,
  errors,
  p99: 200,
  healthy: 3,
  unhealthy: 0,
  ...(slow !== undefined ? { slow } : {}),
});

/** `minutes` windows, each with A's and B's requests and errors. */
const windows = (minutes: number, a: [number, number, number?], b: [number, number, number?]): Evidence[] =>
  Array.from({ length: minutes }, () => ({ baseline: side(...a), canary: side(...b) }));

describe('compareAB', () => {
  it.each([
    // 60 minutes of 1,000 requests a side: 0.5% vs 0.25% is told apart, 0.5% vs 0.45% is not.
    ['b-better', windows(60, [1000, 5], [1000, 2.5])],
    ['a-better', windows(60, [1000, 5], [1000, 8])],
    ['no-detectable-difference', windows(60, [1000, 5], [1000, 4.5])],
    // The same rates over 5 minutes are too little evidence for a verdict either way.
    ['no-detectable-difference', windows(5, [1000, 5], [1000, 2.5])],
    ['no-data', windows(10, [0, 0], [0, 0])],
  ] as const)('says %s', (verdict, evidence) => {
    const result = compareAB(evidence, 95);
    expect(result.verdict).toBe(verdict);
    expect(result.metrics[0]!.metric).toBe('error-rate');
  });

  it('gives each side, the effect and an interval around it, in percent', () => {
    const result = compareAB(windows(60, [1000, 5], [1000, 2.5]), 95);
    const [rate] = result.metrics;
    expect(rate).toMatchObject({ a: 0.5, b: 0.25, requests: { a: 60_000, b: 60_000 } });
    expect(rate!.effect).toBeCloseTo(-0.25, 10);
    expect(rate!.interval!.lower).toBeLessThan(-0.25);
    expect(rate!.interval!.upper).toBeGreaterThan(-0.25);
    expect(rate!.interval!.upper).toBeLessThan(0);
    expect(result.message).toMatch(
      /^A\/B verdict: B better \(error-rate A 0\.5% vs B 0\.25%, effect −0\.25 pp \[/,
    );
  });

  it('widens the interval with the confidence asked for', () => {
    const evidence = windows(30, [1000, 5], [1000, 3]);
    const at = (confidence: number) => {
      const { interval } = compareAB(evidence, confidence).metrics[0]!;
      return interval!.upper - interval!.lower;
    };
    expect(at(99)).toBeGreaterThan(at(95));
    expect(at(95)).toBeGreaterThan(at(80));
  });

  it('lets a worse metric win over a better one, and compares the slow share when both sides count it', () => {
    const result = compareAB(windows(60, [1000, 5, 10], [1000, 2, 30]), 95);
    expect(result.metrics.map((m) => [m.metric, m.verdict])).toEqual([
      ['error-rate', 'b-better'],
      ['slow-share', 'a-better'],
    ]);
    expect(result.verdict).toBe('a-better');
  });

  it('skips poll errors and windows without requests rather than counting them as zero', () => {
    const evidence: Evidence[] = [
      ...windows(60, [1000, 5], [1000, 2.5]),
      { error: 'GetMetricData failed', at: '2026-01-01T00:00:00Z' },
      { baseline: side(0, 0), canary: null },
    ];
    expect(compareAB(evidence, 95).metrics[0]!.requests).toEqual({ a: 60_000, b: 60_000 });
  });

  it.each([
    // orders per request (higher is better), refunds per request (lower is better)
    ['b-better', 'b-better', [1000, 50, 50], [1000, 70, 30]],
    ['a-better', 'a-better', [1000, 50, 50], [1000, 30, 70]],
    ['b-better', 'a-better', [1000, 50, 50], [1000, 70, 70]],
    ['no-detectable-difference', 'no-detectable-difference', [1000, 50, 50], [1000, 51, 49]],
  ] as const)(
    'compares custom metrics per request in their better direction: orders %s, refunds %s',
    (orders, refunds, a, b) => {
      const metrics: AbMetric[] = parseAbMetrics(
        'ab-metrics',
        '[{name: orders, better: higher, namespace: Shop, metric: Orders}, {name: refunds, better: lower, namespace: Shop, metric: Refunds}]',
      );
      const evidence: MetricWindow[] = Array.from({ length: 60 }, () => ({
        baseline: side(a[0], 5),
        canary: side(b[0], 5),
        'ab-metrics': { orders: { a: a[1], b: b[1] }, refunds: { a: a[2], b: b[2] } },
      }));
      const result = compareAB(evidence, 95, metrics);
      expect(result.metrics.map((m) => [m.metric, m.better, m.verdict])).toEqual([
        ['error-rate', 'lower', 'no-detectable-difference'],
        ['orders', 'higher', orders],
        ['refunds', 'lower', refunds],
      ]);
      expect(result.metrics[1]!.a).toBeCloseTo(5, 10);
      expect(result.metrics[1]!.b).toBeCloseTo(b[1] / 10, 10);
      // A worse B on any metric is the verdict, never hidden by a better one.
      expect(result.verdict).toBe(
        orders === 'a-better' || refunds === 'a-better'
          ? 'a-better'
          : orders === 'b-better'
            ? 'b-better'
            : orders,
      );
      expect(result.message).toContain(`orders A 5% vs B ${b[1] / 10}%`);
    },
  );

  it('says no-data for a custom metric without counts, and never counts more events than requests', () => {
    const [orders] = parseAbMetrics(
      'ab-metrics',
      '[{name: orders, better: higher, namespace: Shop, metric: Orders}]',
    );
    const result = compareAB(
      [
        { baseline: side(10, 0), canary: side(10, 0), 'ab-metrics': { orders: { a: null, b: 50 } } },
        { baseline: side(10, 0), canary: side(10, 0), 'ab-metrics': { orders: { a: null, b: 3 } } },
      ],
      95,
      [orders!],
    );
    expect(result.metrics[1]).toMatchObject({ metric: 'orders', verdict: 'no-data', a: null });
    const capped = compareAB(
      [{ baseline: side(10, 0), canary: side(10, 0), 'ab-metrics': { orders: { a: 1, b: 50 } } }],
      95,
      [orders!],
    );
    expect(capped.metrics[1]!.b).toBe(100);
  });
});

describe('parseAbMetrics', () => {
  it('reads names, directions, dimensions and per-side dimensions', () => {
    expect(
      parseAbMetrics(
        'ab-metrics',
        '- {name: orders, better: higher, namespace: Shop, metric: Orders, dimensions: {Service: checkout}, a: {Variant: a}, b: {Variant: b}}\n- {name: refunds, better: lower, namespace: Shop, metric: Refunds}',
      ),
    ).toEqual([
      {
        name: 'orders',
        better: 'higher',
        namespace: 'Shop',
        metric: 'Orders',
        dimensions: { Service: 'checkout' },
        sides: { a: { Variant: 'a' }, b: { Variant: 'b' } },
      },
      { name: 'refunds', better: 'lower', namespace: 'Shop', metric: 'Refunds', dimensions: {}, sides: null },
    ]);
    expect(parseAbMetrics('ab-metrics', '  ')).toEqual([]);
  });

  const item = (extra: string) => `[{name: orders, better: higher, namespace: Shop, metric: Orders${extra}}]`;
  it.each([
    [item('').replace('higher', 'more'), "'better' must be higher or lower"],
    [item(', unit: count'), "unknown key 'unit'"],
    [item('').replace('orders', 'slow-share'), "'slow-share' is always compared"],
    [item(', a: {Variant: a}'), "give both 'a' and 'b'"],
    [item(', a: {Variant: a}, b: {Variant: a}'), 'A and B would read the same data'],
    [item('').replace('Shop', 'Shop:Orders'), "'namespace' must be a CloudWatch namespace"],
    [
      `[${Array.from({ length: 6 }, (_, i) => `{name: m${i}, better: lower, namespace: S, metric: M}`).join(', ')}]`,
      'at most 5 metrics',
    ],
    [
      '[{name: orders, better: higher, namespace: S, metric: M}, {name: orders, better: lower, namespace: S, metric: N}]',
      'listed twice',
    ],
  ])('refuses %s', (text, message) => {
    const error = (() => {
      try {
        parseAbMetrics('ab-metrics', text);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain("Input 'ab-metrics'");
    expect((error as Error).message).toContain(message);
  });
});
