import { describe, expect, it } from 'vitest';
import { compareAB, type Evidence, type SideStats } from '@shiftgate/core';

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
});
