import { describe, expect, it } from 'vitest';
import {
  bake,
  parseGates,
  replay,
  virtualTime,
  type MetricRange,
  type MetricSource,
  type MetricWindow,
  type SideStats,
} from '@shiftgate/core';

const MIN = 60_000;
const START = Date.UTC(2026, 0, 1, 12, 0, 20);

/** A source whose canary follows `canary(minute)`; it records the ranges it was asked for. */
function source(canary: (minute: number) => Partial<SideStats> | null, failAt: Set<number> = new Set()) {
  const ranges: MetricRange[] = [];
  let calls = 0;
  const metrics: MetricSource = {
    windows: async (range) => {
      calls++;
      ranges.push(range);
      if (failAt.has(calls)) throw new Error(`GetMetricData failed: Throttling (call ${calls})`);
      const out: MetricWindow[] = [];
      for (let t = range.start; t < range.end; t += MIN) {
        const c = canary(Math.round((t - Date.UTC(2026, 0, 1, 12, 1)) / MIN));
        out.push({
          start: new Date(t).toISOString(),
          canary: c === null ? null : { requests: 60, errors: 0, p99: 200, healthy: 2, unhealthy: 0, ...c },
          baseline: { requests: 1140, errors: 1, p99: 200, healthy: 18, unhealthy: 0 },
        });
      }
      return out;
    },
  };
  return { metrics, ranges };
}

describe('bake', () => {
  it('runs a 30-minute bake on a virtual clock, one complete window per poll, and promotes', async () => {
    const time = virtualTime(START);
    const { metrics, ranges } = source(() => ({}));
    const gates = parseGates({ 'bake-time': '30m' });
    const lines: string[] = [];
    const result = await bake({
      gates,
      period: MIN,
      metricDelay: 2 * MIN,
      maxBakeTime: 90 * MIN,
      start: START,
      metrics,
      clock: time.clock,
      sleep: time.sleep,
      onPoll: (r) => lines.push(`${r.poll}:${r.newWindows}`),
    });
    expect(result.judgement.decision).toBe('promote');
    expect(result.judgement.elapsed).toBe(30 * MIN);
    expect(result.polls).toBe(30);
    // Windows start at the first whole minute after the start and are read only once published.
    expect(ranges[0]).toEqual({ start: Date.UTC(2026, 0, 1, 12, 1), end: Date.UTC(2026, 0, 1, 12, 2) });
    expect(time.clock.now()).toBe(Date.UTC(2026, 0, 1, 12, 33));
    expect(lines.slice(0, 3)).toEqual(['0:0', '1:1', '2:1']);
    // The trace replays to the same verdict at the same window.
    const again = replay(result.trace.gates, result.trace.windows, { period: MIN });
    expect({ decision: again.decision, at: again.decidedAtWindow }).toEqual({ decision: 'promote', at: 29 });
  });

  it('rolls back at the first window that makes the breach evident', async () => {
    const time = virtualTime(START);
    const { metrics } = source((m) => (m >= 3 ? { requests: 60, errors: 12 } : {}));
    const result = await bake({
      gates: parseGates({}),
      period: MIN,
      metricDelay: 0,
      maxBakeTime: 15 * MIN,
      start: START,
      metrics,
      clock: time.clock,
      sleep: time.sleep,
    });
    expect(result.judgement.decision).toBe('rollback');
    expect(result.judgement.decidedAtWindow).toBeGreaterThanOrEqual(3);
    expect(result.judgement.decidedAtWindow).toBeLessThanOrEqual(5);
    expect(result.trace.windows).toHaveLength(result.judgement.decidedAtWindow! + 1);
  });

  it('records failed polls, retries a period later, and catches up on the missed windows', async () => {
    const time = virtualTime(START);
    const { metrics, ranges } = source(() => ({}), new Set([2, 3]));
    const result = await bake({
      gates: parseGates({}),
      period: MIN,
      metricDelay: 0,
      maxBakeTime: 15 * MIN,
      start: START,
      metrics,
      clock: time.clock,
      sleep: time.sleep,
    });
    expect(result.judgement.decision).toBe('promote');
    expect(result.trace.windows.filter((w) => 'error' in w)).toHaveLength(2);
    expect(ranges[3]!.end - ranges[3]!.start).toBe(3 * MIN);
    expect(replay(result.trace.gates, result.trace.windows, { period: MIN }).decidedAtWindow).toBe(
      result.judgement.decidedAtWindow,
    );
  });

  it('ends with Error, never promoting, after too many provider errors in a row', async () => {
    const time = virtualTime(START);
    const { metrics } = source(() => ({}), new Set([1, 2, 3]));
    const result = await bake({
      gates: parseGates({ 'max-consecutive-errors': '2' }),
      period: MIN,
      metricDelay: 0,
      maxBakeTime: 15 * MIN,
      start: START,
      metrics,
      clock: time.clock,
      sleep: time.sleep,
    });
    expect(result.judgement).toMatchObject({ decision: 'rollback', phase: 'Error' });
  });

  it('lets on-inconclusive decide when max-bake-time is judged without a verdict', async () => {
    const time = virtualTime(START);
    const { metrics } = source(() => null);
    const result = await bake({
      gates: parseGates({ 'on-inconclusive': 'fail' }),
      period: MIN,
      metricDelay: 0,
      maxBakeTime: 10 * MIN,
      start: START,
      metrics,
      clock: time.clock,
      sleep: time.sleep,
    });
    expect(result.judgement).toMatchObject({ decision: 'inconclusive', decidedAtWindow: null, windows: 10 });
  });

  it('stops without a verdict when cancelled', async () => {
    const time = virtualTime(START);
    const controller = new AbortController();
    const { metrics } = source(() => ({}));
    const result = await bake({
      gates: parseGates({}),
      period: MIN,
      metricDelay: 0,
      maxBakeTime: 15 * MIN,
      start: START,
      metrics,
      clock: time.clock,
      sleep: time.sleep,
      signal: controller.signal,
      onPoll: (r) => r.poll === 2 && controller.abort(),
    });
    expect(result.cancelled).toBe(true);
    expect(result.judgement.decision).toBeNull();
  });
});
