import { describe, expect, it } from 'vitest';
import {
  bake,
  judge,
  jobSummary,
  parseGates,
  parseTrace,
  progressLine,
  replay,
  serializeTrace,
  traceJudgeOptions,
  virtualTime,
  type MetricRange,
  type MetricWindow,
  type SideStats,
} from '@shiftgate/core';

const MIN = 60_000;
const DEFAULTS = parseGates({});

function win(canary: Partial<SideStats>, baseline: Partial<SideStats> = {}): MetricWindow {
  return {
    canary: { requests: 100, errors: 0, p99: 200, healthy: 4, unhealthy: 0, ...canary },
    baseline: { requests: 1900, errors: 0, p99: 200, healthy: 10, unhealthy: 0, ...baseline },
  };
}
const repeat = (n: number, w: MetricWindow) => Array.from({ length: n }, () => structuredClone(w));
const check = (j: ReturnType<typeof judge>, name: string) => j.checks.find((c) => c.name === name)!;

describe('the plan’s error budget', () => {
  it('needs more evidence from a bake that holds a smaller share of the budget', () => {
    const windows = (n: number) => repeat(n, win({ requests: 100, errors: 4 }));
    expect(judge(DEFAULTS, windows(3), { period: MIN }).decision).toBeNull();
    expect(judge(DEFAULTS, windows(4), { period: MIN }).decision).toBe('rollback');
    // One bake of nine: 5%/9 for its four checks, so the bound is 720 rather than 80.
    const ninth = judge(DEFAULTS, windows(4), { period: MIN, alpha: 0.05 / 9 });
    expect(ninth.decision).toBeNull();
    expect(check(ninth, 'max-error-rate').message).toMatch(
      /without 99\.86% confidence \(evidence [\d.]+ < 720/,
    );
    expect(judge(DEFAULTS, windows(5), { period: MIN, alpha: 0.05 / 9 }).decision).toBe('rollback');
  });

  it('is the bake step’s 1 − confidence over the plan’s bakes, recorded in the trace', async () => {
    const time = virtualTime(Date.UTC(2026, 0, 1));
    const calls: MetricRange[] = [];
    const metrics = {
      windows: async (range: MetricRange) => {
        calls.push(range);
        const out: MetricWindow[] = [];
        for (let t = range.start; t < range.end; t += MIN)
          out.push(win({ p99: 210, over: 1 }, { p99: 200, over: 19 }));
        return out;
      },
    };
    const result = await bake({
      gates: DEFAULTS,
      period: MIN,
      metricDelay: 90_000,
      maxBakeTime: 10 * MIN,
      start: time.clock.now(),
      metrics,
      alpha: 0.05 / 3,
      clock: time.clock,
      sleep: time.sleep,
    });
    expect(result.judgement.decision).toBe('promote');
    expect(result.trace).toMatchObject({ alpha: 0.05 / 3, horizon: 10 });
    // The first poll has no baseline percentile yet; later ones count over 1.2 × the latest one.
    expect(calls[0]!.over).toBeUndefined();
    expect(calls[1]!.over).toEqual({ baseline: 200, canary: 240 });
    const parsed = parseTrace(serializeTrace(result.trace, result.judgement));
    expect(traceJudgeOptions(parsed)).toMatchObject({ alpha: 0.05 / 3, horizon: 10 });
    expect(replay(parsed.gates, parsed.windows, traceJudgeOptions(parsed))).toEqual(result.judgement);
  });
});

describe('max-latency-increase from counts over the thresholds', () => {
  it('rolls back a canary with four times its share of requests over the thresholds', () => {
    const j = replay(DEFAULTS, repeat(10, win({ over: 4 }, { over: 19 })), { period: MIN });
    expect(j.decision).toBe('rollback');
    expect(check(j, 'max-latency-increase').message).toMatch(
      /^canary p99 \+0% vs baseline \(median of \d windows\); \d+ canary requests over \(1 \+ 20%\) × the baseline p99 where [\d.]+ were expected from \d+ baseline requests over it > max-latency-increase 20% with 98\.75% confidence/,
    );
  });

  it('promotes a canary at its share, even when its window p99s are above the gate', () => {
    const j = replay(DEFAULTS, repeat(25, win({ p99: 260, over: 1 }, { p99: 200, over: 19 })), {
      period: MIN,
    });
    expect(j.decision).toBe('promote');
    expect(check(j, 'max-latency-increase').phase).toBe('Successful');
  });

  it('refuses over counts above the requests in a trace', () => {
    const doc = { period: '60s', windows: [{ canary: { requests: 5, over: 6 }, baseline: null }] };
    expect(() => parseTrace(JSON.stringify(doc))).toThrow(
      "'windows[0].canary.over' (6) must not exceed 'windows[0].canary.requests' (5)",
    );
    const thresholds = {
      period: '60s',
      windows: [{ canary: null, baseline: null, 'over-thresholds': { canary: 0 } }],
    };
    expect(() => parseTrace(JSON.stringify(thresholds))).toThrow(
      `'windows[0].over-thresholds' must be {"canary": <ms>, "baseline": <ms>} with values above 0`,
    );
  });
});

describe('latency-percentile', () => {
  it('judges the slow share that matches the percentile: 8% slower passes at p90 and not at p99', () => {
    const windows = repeat(6, win({ requests: 200, slow: 16, p99: 480 }, { p99: 480 }));
    const p90 = replay(parseGates({ 'latency-percentile': 'p90' }), windows, { period: MIN });
    expect(p90.decision).toBe('promote');
    expect(check(p90, 'max-p99-latency').message).toMatch(
      /^canary p90 480ms, 8% of \d+ requests slower than 500ms .*≤ max-p99-latency 500ms \(at most 10% of requests slower\): pass$/,
    );
    expect(replay(DEFAULTS, windows, { period: MIN }).decision).toBe('rollback');
  });

  it('refuses other percentiles, naming the input', () => {
    expect(() => parseGates({ 'latency-percentile': 'p75' })).toThrow(
      "Input 'latency-percentile' must be one of p50, p90, p95, p99, p99.9, got 'p75'",
    );
    expect(parseGates({ 'latency-percentile': 'p99.9' }).latencyPercentile).toBe(99.9);
  });
});

describe('bursts and late regressions', () => {
  it('does not roll back on one burst of 10 errors in a small window', () => {
    const windows = [win({ requests: 50, errors: 10 }), ...repeat(6, win({ requests: 50 }))];
    expect(replay(DEFAULTS, windows, { period: MIN }).decision).toBe('promote');
  });

  it('keeps baking when the latest window breaks a rate limit, though the whole bake is within it', () => {
    const healthy = repeat(14, win({ requests: 1000, errors: 1 }));
    const last = win({ requests: 1000, errors: 50 });
    const gates = parseGates({ 'bake-time': '15m' });
    expect(judge(gates, [...healthy, win({ requests: 1000, errors: 1 })], { period: MIN }).decision).toBe(
      'promote',
    );
    const j = judge(gates, [...healthy, last], { period: MIN });
    expect(j.decision).toBeNull();
    expect(check(j, 'max-error-rate')).toMatchObject({ phase: 'Running' });
    expect(check(j, 'max-error-rate').observed).toBeLessThan(1);
  });

  it('judges a late regression on the windows since it started', () => {
    const healthy = repeat(20, win({ requests: 200, errors: 0 }));
    const bad = repeat(5, win({ requests: 200, errors: 8 }));
    const j = replay(DEFAULTS, [...healthy, ...bad], { period: MIN, horizon: 25 });
    // Promoted at bake-time on the healthy windows, so judge the late part as its own bake would end.
    expect(j.decision).toBe('promote');
    const late = judge(DEFAULTS, [...healthy, ...bad.slice(0, 2)], { period: MIN, horizon: 25 });
    expect(late.decision).toBe('rollback');
    expect(check(late, 'max-error-rate').message).toMatch(/strongest since window 21\)/);
  });
});

describe('the slow-request share in the progress line and the job summary', () => {
  it('shows the share the latency gate tests, beside the percentile', () => {
    const windows = repeat(2, win({ requests: 200, slow: 1, p99: 300 }));
    const trace = { period: MIN, gates: DEFAULTS, windows };
    const j = judge(DEFAULTS, windows, { period: MIN });
    expect(progressLine(j, trace)).toMatch(
      /, p99 300ms \(≤500ms, 0\.5% slower \(≤1%\), \+50% vs baseline\) — baking/,
    );
    const summary = jobSummary({ title: 'bake', judgement: j, trace, decision: null });
    expect(summary).toContain('| `max-p99-latency` | ✅ Successful | 300ms (0.5% slower) | 500ms |');
    const p90 = parseGates({ 'latency-percentile': 'p90' });
    expect(progressLine(judge(p90, windows, { period: MIN }), { ...trace, gates: p90 })).toMatch(
      /, p90 300ms \(≤500ms, 0\.5% slower \(≤10%\)/,
    );
  });
});
