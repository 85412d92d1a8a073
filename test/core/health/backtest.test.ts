// Backtesting in core: a past interval through the same bake on virtual time, one poll per window, and
// the sweep's rows, counts and table.
import { describe, expect, it } from 'vitest';
import {
  backtest,
  DEFAULT_PROMETHEUS_QUERIES,
  parseConfig,
  parseGates,
  renderSweepTable,
  summariseSweep,
  sweepRow,
  type MetricRange,
  type MetricSource,
  type MetricWindow,
  type SideStats,
} from '@shiftgate/core';
import { parseTime } from '../../../packages/cli/src/commands/backtest';

const MIN = 60_000;
const T0 = Date.UTC(2026, 2, 1, 12, 0, 0);
const side = (requests: number, errors: number): SideStats => ({
  requests,
  errors,
  p99: 120,
  slow: 0,
  healthy: 4,
  unhealthy: 0,
});

/** A source whose canary fails 10% of requests from `badFrom` (epoch ms) on; it records each range read. */
function source(badFrom = Infinity, fail: (range: MetricRange) => boolean = () => false) {
  const ranges: MetricRange[] = [];
  const metrics: MetricSource = {
    async windows(range) {
      ranges.push(range);
      if (fail(range)) throw new Error('query_range failed: HTTP 503');
      const out: MetricWindow[] = [];
      for (let t = range.start; t + MIN <= range.end; t += MIN)
        out.push({
          start: new Date(t).toISOString(),
          canary: side(500, t >= badFrom ? 50 : 0),
          baseline: side(5000, 1),
        });
      return out;
    },
  };
  return { metrics, ranges };
}

const gates = parseGates({ 'bake-time': '20m', 'min-requests': 200, 'max-latency-increase': '1000%' });

describe('backtest', () => {
  it('reads the interval one window per poll and promotes a healthy canary once bake-time is judged', async () => {
    const { metrics, ranges } = source();
    const result = await backtest({ metrics, gates, period: MIN, from: T0 + 15_000, to: T0 + 40 * MIN });
    // Whole windows from the first boundary at or after --from.
    expect(result.windows).toBe(39);
    expect(ranges[0]).toMatchObject({ start: T0 + MIN, end: T0 + 2 * MIN });
    expect(ranges.every((r) => r.end - r.start === MIN)).toBe(true);
    expect(result.judgement.decision).toBe('promote');
    expect(result.readFailure).toBeNull();
  });

  it('stops a regression at the window it starts in, and says how long after --from', async () => {
    const { metrics } = source(T0 + 10 * MIN);
    const result = await backtest({ metrics, gates, period: MIN, from: T0, to: T0 + 40 * MIN });
    expect(result.judgement.decision).toBe('rollback');
    const at = Date.parse(result.decidedAt!);
    expect(at).toBeGreaterThanOrEqual(T0 + 10 * MIN);
    expect(at).toBeLessThanOrEqual(T0 + 12 * MIN);
    expect(result.detectionMs).toBe(at + MIN - T0);
  });

  it('ends undecided on on-inconclusive when the interval is shorter than bake-time', async () => {
    const { metrics } = source();
    const result = await backtest({ metrics, gates, period: MIN, from: T0, to: T0 + 10 * MIN });
    expect(result.judgement.decision).toBe('rollback');
    expect(result.decidedAt).toBeNull();
  });

  it('reports a source that cannot be read as a read failure, not as a verdict on the canary', async () => {
    const { metrics } = source(Infinity, () => true);
    const result = await backtest({ metrics, gates, period: MIN, from: T0, to: T0 + 30 * MIN });
    expect(result.readFailure).toBe('query_range failed: HTTP 503');
    expect(sweepRow({ 'deployment-id': 1, version: 'v1', recorded: 'succeeded' }, result)).toMatchObject({
      gates: 'not judged',
      reason: 'metrics not read: query_range failed: HTTP 503',
    });
  });

  it('refuses an interval without a whole window, or longer than a week of minutes', async () => {
    const { metrics } = source();
    await expect(backtest({ metrics, gates, period: MIN, from: T0 + 1, to: T0 + MIN })).rejects.toThrow(
      /Input '--to' must leave at least one whole 60s window after --from/,
    );
    await expect(
      backtest({ metrics, gates, period: MIN, from: T0, to: T0 + 8 * 24 * 60 * MIN }),
    ).rejects.toThrow(/at most 10080 are read/);
  });
});

describe('the sweep', () => {
  it('counts the rolled back the gates would have stopped and the successes they would have stopped', async () => {
    const bad = await backtest({
      metrics: source(T0 + 5 * MIN).metrics,
      gates,
      period: MIN,
      from: T0,
      to: T0 + 30 * MIN,
    });
    const good = await backtest({
      metrics: source().metrics,
      gates,
      period: MIN,
      from: T0,
      to: T0 + 30 * MIN,
    });
    const rows = [
      sweepRow({ 'deployment-id': 2, version: 'v2', recorded: 'rolled_back' }, bad),
      sweepRow({ 'deployment-id': 1, version: 'v1\n::error::x', recorded: 'succeeded' }, good),
      {
        'deployment-id': 0,
        version: 'v0',
        recorded: 'in_progress',
        gates: 'not judged' as const,
        'detection-ms': null,
        reason: 'not finished',
      },
    ];
    expect(summariseSweep(rows)).toEqual({
      judged: 2,
      'rolled-back': 1,
      caught: 1,
      succeeded: 1,
      'false-stops': 0,
      'not-judged': 1,
    });
    const table = renderSweepTable(rows, (t) => t.replace(/\n/g, ' '));
    expect(table).toMatch(/^deployment\s+version\s+recorded\s+gates\s+detection\n/);
    expect(table).toMatch(/\n2\s+v2\s+rolled back\s+would have stopped\s+\d+(\.\d)?m\n/);
    expect(table).toMatch(/\n1\s+v1 ::error::x\s+succeeded\s+would have passed\n/);
    expect(table).toContain(
      '2 judged: of 1 rolled back or failed, the gates would have stopped 1; of 1 that succeeded, they would have stopped 0. 1 not judged',
    );
  });
});

describe('--from and --to', () => {
  const now = T0 + 90 * MIN;
  it.each([
    ['2026-03-01T12:00:00Z', T0],
    ['2026-03-01T13:00:00+01:00', T0],
    ['now', now],
    ['now-90m', T0],
  ])('reads %s', (text, ms) => {
    expect(parseTime('--from', text, now)).toBe(ms);
  });
  it.each(['2026-03-01 12:00', '2026-03-01T12:00:00', 'yesterday', 'now+1h', '1709294400'])(
    'refuses %s',
    (text) => {
      expect(() => parseTime('--from', text, now)).toThrow(
        /Input '--from' must be an ISO 8601 time with its zone|Input '--from' must be a duration/,
      );
    },
  );
});

describe('prometheus.queries in the config file', () => {
  it('takes the templates, keeping the defaults of the others', () => {
    const config = parseConfig(
      'prometheus:\n  queries:\n    requests: sum(increase(reqs{svc="{{canary}}"}[{{window}}]))\n',
    );
    expect(config.prometheus!.queries).toEqual({
      ...DEFAULT_PROMETHEUS_QUERIES,
      requests: 'sum(increase(reqs{svc="{{canary}}"}[{{window}}]))',
    });
  });
  it('points at the key of a template it refuses', () => {
    expect(() => parseConfig('prometheus:\n  queries:\n    errors: sum(x)\n')).toThrow(
      /^\.github\/shiftgate\.yml:3:5: 'prometheus\.queries' errors: must select the side it reads with \{\{canary\}\}/,
    );
    expect(() => parseConfig('prometheus:\n  url: https://x\n')).toThrow(
      /'prometheus\.url' is not a Prometheus setting/,
    );
  });
});
