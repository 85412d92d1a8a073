import { describe, expect, it } from 'vitest';
import {
  judge,
  lnMixtureMartingale,
  p99ExceedanceBound,
  P99_EXCEEDANCE_SUPREMUM,
  parseGates,
  parseTrace,
  priorFor,
  rateConfidenceSequence,
  replay,
  serializeTrace,
  worst,
  type Evidence,
  type Gates,
  type MetricWindow,
  type SideStats,
} from '@shiftgate/core';

const MIN = 60_000;
const DEFAULTS = parseGates({});

function side(values: Partial<SideStats> = {}): SideStats {
  return { requests: 100, errors: 0, p99: 200, healthy: 4, unhealthy: 0, ...values };
}
function win(
  canary: Partial<SideStats> | null = {},
  baseline: Partial<SideStats> | null = {},
  extra: Partial<MetricWindow> = {},
): MetricWindow {
  return {
    canary: canary === null ? null : side(canary),
    baseline: baseline === null ? null : side({ requests: 1900, ...baseline }),
    ...extra,
  };
}
function repeat(n: number, w: MetricWindow): MetricWindow[] {
  return Array.from({ length: n }, () => structuredClone(w));
}
function gates(
  raw: Parameters<typeof parseGates>[0] = {},
  extra: Parameters<typeof parseGates>[1] = {},
): Gates {
  return parseGates(raw, extra);
}
const check = (j: ReturnType<typeof judge>, name: string) => j.checks.find((c) => c.name === name)!;

describe('worst', () => {
  it('orders phases Successful < Pending < Running < Inconclusive < Failed < Error', () => {
    expect(worst([])).toBe('Successful');
    expect(worst(['Successful', 'Pending'])).toBe('Pending');
    expect(worst(['Running', 'Pending', 'Successful'])).toBe('Running');
    expect(worst(['Running', 'Inconclusive'])).toBe('Inconclusive');
    expect(worst(['Inconclusive', 'Failed', 'Running'])).toBe('Failed');
    expect(worst(['Failed', 'Error'])).toBe('Error');
  });
});

describe('statistics', () => {
  it('bounds the chance a window p99 exceeds a threshold the true p99 respects', () => {
    expect(p99ExceedanceBound(1)).toBeCloseTo(0.01, 6);
    expect(p99ExceedanceBound(50)).toBeCloseTo(1 - 0.99 ** 50, 6);
    expect(p99ExceedanceBound(99)).toBeCloseTo(P99_EXCEEDANCE_SUPREMUM, 3);
    for (const n of [10, 100, 150, 1000, 4999])
      expect(p99ExceedanceBound(n)).toBeLessThanOrEqual(P99_EXCEEDANCE_SUPREMUM + 1e-4);
  });

  it('keeps a true rate inside the confidence sequence at every window in at least 95% of seeded runs', () => {
    // mulberry32, seeded: the same runs every time.
    let a = 42;
    const random = () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = Math.imul(a ^ (a >>> 15), a | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const p = 0.01;
    const bound = Math.log(20);
    let escaped = 0;
    for (let run = 0; run < 1000; run++) {
      let s = 0;
      for (let n = 1; n <= 2000; n++) {
        if (random() < p) s++;
        if (n % 50 === 0 && lnMixtureMartingale(s, n, p, priorFor(p)) >= bound) {
          escaped++;
          break;
        }
      }
    }
    expect(escaped / 1000).toBeLessThanOrEqual(0.05);
    expect(escaped).toBeGreaterThan(0);
  });

  it('gives an interval around the observed rate that narrows with data', () => {
    const small = rateConfidenceSequence(2, 100, 0.05, priorFor(0.01));
    const large = rateConfidenceSequence(200, 10_000, 0.05, priorFor(0.01));
    expect(small.lower).toBeLessThan(0.02);
    expect(small.upper).toBeGreaterThan(0.02);
    expect(large.upper - large.lower).toBeLessThan(small.upper - small.lower);
    expect(rateConfidenceSequence(0, 0, 0.05, priorFor(0.01))).toEqual({ lower: 0, upper: 1 });
  });
});

describe('judge: max-error-rate', () => {
  const done = (canary: Partial<SideStats>) => repeat(5, win(canary));
  it.each([
    ['exactly at the threshold (5 of 500 = 1%)', { requests: 100, errors: 1 }, 'promote', 'Successful'],
    ['just above it without confidence (6 of 500)', { requests: 100, errors: 1.2 }, null, 'Running'],
  ])('%s', (_name, canary, decision, phase) => {
    const windows = done({ requests: canary.requests });
    windows.forEach(
      (w, i) => (w.canary!.errors = i === 0 && canary.errors === 1.2 ? 2 : Math.floor(canary.errors)),
    );
    const j = judge(DEFAULTS, windows, { period: MIN });
    expect(j.decision).toBe(decision);
    expect(check(j, 'max-error-rate').phase).toBe(phase);
  });

  it('rolls back as soon as the breach is evident, with the interval and the evidence in the sentence', () => {
    const j = replay(DEFAULTS, repeat(10, win({ requests: 50, errors: 3 })), { period: MIN });
    expect(j.decision).toBe('rollback');
    // Each of the four statistical checks gets 5%/4: the bound is 80; three windows of 3 errors in 50 reach it.
    expect(j.decidedAtWindow).toBe(3);
    expect(check(j, 'max-error-rate').message).toMatch(
      /^canary error rate 6% \(98\.75% interval \d+\.?\d*%–\d+\.?\d*%, 200 requests\) > max-error-rate 1% with 98\.75% confidence \(evidence [\d.]+ ≥ 80, strongest since window 1\): rollback$/,
    );
    expect(check(j, 'max-error-rate').interval!.lower).toBeGreaterThan(1);
  });

  it('does not roll back a low-traffic canary on a lone error, and promotes it once the rate settles', () => {
    const windows = [win({ requests: 40, errors: 1 }), ...repeat(5, win({ requests: 40, errors: 0 }))];
    const first = judge(DEFAULTS, windows.slice(0, 1), { period: MIN });
    expect(first.decision).toBeNull();
    expect(check(first, 'max-error-rate').message).toBe(
      `canary error rate 2.5% (98.75% interval ${fmt(check(first, 'max-error-rate').interval!)}, 40 requests) > max-error-rate 1% without 98.75% confidence (evidence 1 < 80, strongest since window 1): keep baking`,
    );
    const j = replay(DEFAULTS, windows, { period: MIN });
    expect(j.decision).toBe('promote');
    expect(j.decidedAtWindow).toBe(4);
  });

  it('passes a bake that ends above the threshold without confidence, whatever on-inconclusive says', () => {
    // 1.5% errors: beyond 1% but never with confidence in 5 windows of 200 requests.
    const windows = repeat(5, win({ requests: 200, errors: 3 }));
    for (const choice of ['rollback', 'fail', 'promote']) {
      const j = replay(gates({ 'on-inconclusive': choice }), windows, { period: MIN });
      expect(j).toMatchObject({ decision: 'promote', decidedAtWindow: 4 });
      expect(check(j, 'max-error-rate').message).toMatch(
        /> max-error-rate 1% without 98\.75% confidence \(evidence [\d.]+ < 80.*\): no breach found by max-bake-time: pass$/,
      );
    }
    expect(judge(DEFAULTS, windows, { period: MIN }).decision).toBeNull();
  });

  it('follows on-inconclusive when the bake ends with fewer than min-requests', () => {
    const windows = repeat(5, win({ requests: 10 }));
    expect(replay(gates({ 'on-inconclusive': 'rollback' }), windows, { period: MIN })).toMatchObject({
      decision: 'rollback',
      decidedAtWindow: null,
    });
    expect(replay(gates({ 'on-inconclusive': 'fail' }), windows, { period: MIN }).decision).toBe(
      'inconclusive',
    );
    expect(replay(gates({ 'on-inconclusive': 'promote' }), windows, { period: MIN }).decision).toBe(
      'promote',
    );
  });
});

function fmt(interval: { lower: number; upper: number }): string {
  const p = (v: number) => `${Number(v.toFixed(v < 10 ? 2 : 1))}%`;
  return `${p(interval.lower)}–${p(interval.upper)}`;
}

describe('judge: max-p99-latency and max-latency-increase', () => {
  it('treats a p99 exactly at the threshold as within it', () => {
    const j = judge(DEFAULTS, repeat(5, win({ p99: 500 }, { p99: 500 })), { period: MIN });
    expect(check(j, 'max-p99-latency').phase).toBe('Successful');
    expect(j.decision).toBe('promote');
  });

  it('needs six windows of 50 requests above the threshold without slow counts (an older trace)', () => {
    const windows = repeat(6, win({ requests: 50, p99: 750 }, { p99: 740 }));
    expect(judge(DEFAULTS, windows.slice(0, 5), { period: MIN }).decision).toBeNull();
    const j = judge(DEFAULTS, windows, { period: MIN });
    expect(j.decision).toBe('rollback');
    expect(check(j, 'max-p99-latency').message).toMatch(
      /^canary p99 750ms \(median of 6 windows, 6 above\) > max-p99-latency 500ms with 98\.75% confidence \(evidence 1\d\d\.?\d* ≥ 80\): rollback$/,
    );
  });

  it('judges the increase over the baseline at its edge', () => {
    const at = judge(DEFAULTS, repeat(5, win({ p99: 240 }, { p99: 200 })), { period: MIN });
    expect(check(at, 'max-latency-increase')).toMatchObject({ phase: 'Successful', observed: 20 });
    const above = replay(DEFAULTS, repeat(15, win({ p99: 241 }, { p99: 200 })), { period: MIN });
    expect(above.decision).toBe('rollback');
    expect(check(above, 'max-latency-increase').message).toMatch(
      /^canary p99 \+20.5% vs baseline \(median of \d+ windows, \d+ above\) > max-latency-increase 20% with 98\.75% confidence/,
    );
  });
});

describe('judge: max-p99-latency from the slow-request count', () => {
  const p99 = (j: ReturnType<typeof judge>) => check(j, 'max-p99-latency');

  it.each([
    // [case, requests per window, slow per window, p99 per window, phase, decision]
    ['exactly 1% slow passes', 1000, [10, 10, 10, 10, 10, 10], 500, 'Successful', 'promote'],
    ['none slow passes', 100, [0, 0, 0, 0, 0], 200, 'Successful', 'promote'],
    ['1.2% of 10,000 lacks confidence', 1000, Array(10).fill(12), 510, 'Running', null],
    ['6 of 150 keeps baking', 50, [3, 2, 1], 700, 'Running', null],
    ['12 of 200 rolls back', 50, [3, 3, 3, 3], 700, 'Failed', 'rollback'],
    ['3 of 50 in one window is not enough on its own', 50, [3], 750, 'Running', null],
  ] as const)('%s', (_, requests, slows, latency, phase, decision) => {
    // The baseline as slow as the canary, so only max-p99-latency can decide.
    const windows = slows.map((slow: number) => win({ requests, slow, p99: latency }, { p99: latency }));
    const j = judge(DEFAULTS, windows, { period: MIN });
    expect(p99(j).phase).toBe(phase);
    expect(j.decision).toBe(decision);
    if (phase === 'Running')
      expect(p99(j).message).toMatch(
        /> max-p99-latency 500ms \(at most 1% of requests slower\) without 98\.75% confidence \(evidence [\d.]+ < 80.*\): keep baking$/,
      );
  });

  it('says the p99, the slow share and its interval', () => {
    const windows = [
      win({ requests: 200, slow: 6, p99: 612 }),
      win({ requests: 212, slow: 9, p99: 640 }),
      win({ requests: 212, slow: 9, p99: 650 }),
    ];
    const j = judge(DEFAULTS, windows, { period: MIN });
    const ci = rateConfidenceSequence(24, 624, 0.0125, priorFor(0.01));
    expect(p99(j).message).toMatch(
      `canary p99 640ms, 3.85% of 624 requests slower than 500ms (98.75% interval ${fmt({ lower: ci.lower * 100, upper: ci.upper * 100 })}) > max-p99-latency 500ms (at most 1% of requests slower) with 98.75% confidence (evidence `,
    );
    expect(p99(j)).toMatchObject({ observed: 640, threshold: 500, windows: 3 });
    expect(p99(j).slowShare).toBeCloseTo((100 * 24) / 624, 6);
    expect(j.decision).toBe('rollback');
  });

  it('rolls back on the count where the window p99 alone would still be baking', () => {
    const counted = repeat(3, win({ requests: 50, slow: 4, p99: 750 }));
    const uncounted = repeat(3, win({ requests: 50, p99: 750 }));
    expect(judge(DEFAULTS, counted, { period: MIN }).decision).toBe('rollback');
    expect(judge(DEFAULTS, uncounted, { period: MIN }).decision).toBeNull();
  });

  it('falls back to the window p99 where slow is null or absent', () => {
    for (const slow of [null, undefined]) {
      const windows = repeat(6, win({ requests: 50, p99: 750, ...(slow === null ? { slow } : {}) }));
      const j = judge(DEFAULTS, windows, { period: MIN });
      expect(j.decision).toBe('rollback');
      expect(p99(j).message).toMatch(/^canary p99 750ms \(median of 6 windows, 6 above\) > max-p99-latency/);
    }
  });

  it('judges the counted windows when some lack a count, and the uncounted ones add no evidence', () => {
    const windows = [
      win({ requests: 50, slow: 4, p99: 750 }),
      win({ requests: 50, slow: null, p99: 750 }),
      win({ requests: 50, slow: 4, p99: 750 }),
      win({ requests: 50, slow: 4, p99: 750 }),
    ];
    const j = judge(DEFAULTS, windows, { period: MIN });
    expect(j.decision).toBe('rollback');
    expect(p99(j).message).toMatch(
      /^canary p99 750ms, 8% of 150 requests slower than 500ms \(98\.75% interval [\d.]+%–[\d.]+%\) > max-p99-latency 500ms \(at most 1% of requests slower\) with 98\.75% confidence \(evidence [\d.]+ ≥ 80, strongest since window 1\): rollback$/,
    );
    const without = windows.filter((w) => w.canary!.slow !== null);
    expect(p99(judge(DEFAULTS, without, { period: MIN })).evidence).toBeCloseTo(p99(j).evidence!, 6);
  });

  it('rolls back on the count without p99 data, and promotes on it only when no comparison is due', () => {
    const bad = repeat(3, win({ requests: 50, slow: 5, p99: null }));
    expect(judge(DEFAULTS, bad, { period: MIN }).decision).toBe('rollback');
    const good = repeat(6, win({ requests: 100, slow: 0, p99: null }));
    expect(judge(DEFAULTS, good, { period: MIN, baseline: false }).decision).toBe('promote');
    // With a baseline, the increase has no data: the bake never promotes on it.
    const j = judge(DEFAULTS, good, { period: MIN, final: true });
    expect(j.decision).toBe('rollback');
    expect(check(j, 'max-latency-increase').message).toBe('canary p99 vs baseline: no data: inconclusive');
  });

  it('round-trips slow through the trace and replays to the same verdict', () => {
    const windows: Evidence[] = [
      win({ requests: 50, slow: 3, p99: 750 }),
      win({ requests: 50, p99: 700 }),
      win({ requests: 50, slow: null, p99: 720 }),
      win({ requests: 50, slow: 4, p99: 760 }),
    ];
    const trace = { period: MIN, gates: DEFAULTS, windows };
    const text = serializeTrace(trace, replay(DEFAULTS, windows, { period: MIN }));
    const parsed = parseTrace(text);
    expect(parsed.windows).toEqual(windows);
    expect('slow' in (parsed.windows[1] as MetricWindow).canary!).toBe(false);
    expect(replay(parsed.gates, parsed.windows, { period: MIN })).toEqual(
      replay(DEFAULTS, windows, { period: MIN }),
    );
    const bad = (slow: unknown) =>
      JSON.stringify({
        period: '60s',
        gates: {},
        windows: [{ canary: { requests: 5, slow }, baseline: null }],
      });
    expect(() => parseTrace(bad(6))).toThrow(
      "'windows[0].canary.slow' (6) must not exceed 'windows[0].canary.requests' (5)",
    );
    expect(() => parseTrace(bad(1.5))).toThrow("'windows[0].canary.slow' must be a whole number");
  });
});

describe('judge: min-healthy-percent', () => {
  it('accepts exactly the minimum', () => {
    const windows = repeat(5, win({ healthy: 19, unhealthy: 1 }));
    expect(check(judge(DEFAULTS, windows, { period: MIN }), 'min-healthy-percent')).toMatchObject({
      phase: 'Successful',
      observed: 95,
    });
  });

  it('rolls back when half the hosts are down', () => {
    const j = replay(DEFAULTS, repeat(10, win({ healthy: 2, unhealthy: 2 })), { period: MIN });
    expect(j.decision).toBe('rollback');
    expect(j.decidedAtWindow).toBeLessThanOrEqual(2);
    expect(check(j, 'min-healthy-percent').message).toMatch(
      /^canary healthy hosts 50% \(98\.75% interval .*host-windows\) < min-healthy-percent 95% with 98\.75% confidence \(evidence [\d.]+ ≥ 80, strongest since window 1\): rollback$/,
    );
  });
});

describe('judge: promotion needs bake-time and min-requests', () => {
  it.each([
    [4, 100, null],
    [5, 100, 'promote'],
  ])('after %i windows of %i requests: %s', (n, requests, decision) => {
    expect(judge(DEFAULTS, repeat(n, win({ requests })), { period: MIN }).decision).toBe(decision);
  });

  it('waits for min-requests at its edge', () => {
    const g = gates({ 'min-requests': 100 });
    expect(judge(g, repeat(5, win({ requests: 19 })), { period: MIN }).decision).toBeNull();
    expect(judge(g, repeat(5, win({ requests: 20 })), { period: MIN }).decision).toBe('promote');
  });
});

describe('judge: missing and broken evidence', () => {
  it('never promotes without canary data, even with on-inconclusive promote', () => {
    const windows = repeat(10, win(null));
    const j = replay(gates({ 'on-inconclusive': 'promote' }), windows, { period: MIN });
    expect(j.decision).toBe('rollback');
    expect(j.message).toMatch(
      /^inconclusive after 10m \(on-inconclusive: promote, but missing evidence never promotes\): canary error rate: no data: inconclusive/,
    );
  });

  it('reads a missing field as no data, not zero', () => {
    const j = judge(DEFAULTS, repeat(5, win({ errors: null })), { period: MIN });
    expect(check(j, 'max-error-rate')).toMatchObject({ phase: 'Pending', observed: null });
    expect(j.decision).toBeNull();
  });

  it('tolerates max-consecutive-errors provider errors in a row and ends with Error after one more', () => {
    const error: Evidence = { error: 'GetMetricData failed: Throttling: Rate exceeded' };
    const four = [win(), error, error, error, error];
    expect(judge(DEFAULTS, four, { period: MIN }).decision).toBeNull();
    const j = judge(DEFAULTS, [...four, error], { period: MIN });
    expect(j).toMatchObject({ decision: 'rollback', phase: 'Error', decidedAtWindow: 5 });
    expect(check(j, 'max-consecutive-errors').message).toBe(
      '5 provider errors in a row > max-consecutive-errors 4 (GetMetricData failed: Throttling: Rate exceeded): evidence unavailable, never promoting',
    );
    expect(judge(DEFAULTS, [error, error, error, win(), error, error], { period: MIN }).decision).toBeNull();
  });
});

describe('judge: alarms, smoke and custom queries', () => {
  it('refuses the deployment when an alarm was in ALARM before the bake', () => {
    const g = gates({}, { alarms: ['web-5xx'] });
    const j = replay(g, repeat(5, win()), { period: MIN, preflight: { alarms: { 'web-5xx': 'ALARM' } } });
    expect(j).toMatchObject({ decision: 'rollback', decidedAtWindow: null });
    expect(j.message).toBe(
      "rollback: alarm 'web-5xx' was already in ALARM before the bake started: refusing the deployment",
    );
  });

  it('rolls back on an alarm in ALARM and does not promote while it has INSUFFICIENT_DATA', () => {
    const g = gates({}, { alarms: ['web-5xx'] });
    const ok = repeat(5, win({}, {}, { alarms: { 'web-5xx': 'OK' } }));
    expect(replay(g, ok, { period: MIN }).decision).toBe('promote');
    const firing = [...ok.slice(0, 2), win({}, {}, { alarms: { 'web-5xx': 'ALARM' } })];
    expect(replay(g, firing, { period: MIN })).toMatchObject({ decision: 'rollback', decidedAtWindow: 2 });
    const blind = repeat(5, win({}, {}, { alarms: { 'web-5xx': 'INSUFFICIENT_DATA' } }));
    expect(judge(g, blind, { period: MIN }).decision).toBeNull();
  });

  it('rolls back on a failed smoke command', () => {
    const g = gates({}, { smoke: true });
    const j = replay(
      g,
      [win({}, {}, { smoke: { 'exit-code': 0 } }), win({}, {}, { smoke: { 'exit-code': 3 } })],
      { period: MIN },
    );
    expect(j.message).toBe('rollback: smoke command failed at window 2 (exit code 3): rollback');
  });

  it('judges a custom metric by its median and rolls back on a sustained breach', () => {
    const g = gates({}, { custom: [{ id: 'cpu', label: 'canary CPU', direction: 'max', limit: 80 }] });
    expect(judge(g, repeat(5, win({}, {}, { custom: { cpu: 80 } })), { period: MIN }).decision).toBe(
      'promote',
    );
    const hot = replay(g, repeat(10, win({}, {}, { custom: { cpu: 95 } })), { period: MIN });
    expect(hot.decision).toBe('rollback');
    // Five statistical checks share the 5%: 99% each.
    expect(check(hot, 'metric-queries.cpu').message).toMatch(
      /^canary CPU 95 \(median of \d+ windows, \d+ above\) > metric-queries.cpu max 80 with 99% confidence/,
    );
  });
});

describe('parseGates', () => {
  it('takes the documented defaults', () => {
    expect(DEFAULTS).toMatchObject({
      maxErrorRate: 1,
      maxP99Latency: 500,
      maxLatencyIncrease: 20,
      minHealthyPercent: 95,
      minRequests: 100,
      bakeTime: 300_000,
      confidence: 95,
      onInconclusive: 'rollback',
      maxConsecutiveErrors: 4,
    });
  });

  it.each([
    ['max-error-rate', '1O%', "Input 'max-error-rate' must be a percentage between 0% and 100%, got '1O%'"],
    [
      'max-error-rate',
      '0%',
      "Input 'max-error-rate' must be a percentage above 0% and below 100%, such as 1% or 0.5%, got '0%'",
    ],
    [
      'max-p99-latency',
      '0.5s',
      "Input 'max-p99-latency' must be a duration such as '90s', '5m' or '1h30m', got '0.5s'",
    ],
    [
      'confidence',
      '50%',
      "Input 'confidence' must be a percentage above 50% and at most 99.99%, such as 95%, got '50%'",
    ],
    [
      'on-inconclusive',
      'ignore',
      "Input 'on-inconclusive' must be one of rollback, fail, promote, got 'ignore'",
    ],
    ['min-requests', '-1', "Input 'min-requests' must be a whole number from 0 to 1000000000, got '-1'"],
  ] as const)('refuses %s %s', (name, value, message) => {
    expect(() => parseGates({ [name]: value })).toThrow(message);
  });
});

describe('a bake without a baseline (all traffic on the canary)', () => {
  const noBaseline = repeat(6, win({ requests: 400, p99: 210 }, { requests: null, errors: null, p99: null }));

  it('does not apply the baseline comparison, so a healthy canary at 100% is promoted', () => {
    const judgement = judge(gates({ 'bake-time': '5m' }), noBaseline, { period: MIN, baseline: false });
    expect(judgement.decision).toBe('promote');
    expect(check(judgement, 'max-latency-increase')).toMatchObject({
      phase: 'Successful',
      message: 'canary p99 vs baseline: not applicable, the baseline takes no traffic at this step',
    });
  });

  it('still treats a missing baseline as no data when one is expected', () => {
    const judgement = judge(gates({ 'bake-time': '5m' }), noBaseline, { period: MIN, final: true });
    expect(judgement.decision).not.toBe('promote');
    expect(check(judgement, 'max-latency-increase').message).toBe(
      'canary p99 vs baseline: no data: inconclusive',
    );
  });

  it('still rolls back on the canary’s own gates', () => {
    const bad = repeat(6, win({ requests: 400, errors: 40 }, { requests: null, errors: null, p99: null }));
    expect(judge(gates(), bad, { period: MIN, baseline: false }).decision).toBe('rollback');
  });

  it('round-trips through the trace so a replay reaches the same verdict', () => {
    const trace = { period: MIN, gates: gates({ 'bake-time': '5m' }), baseline: false, windows: noBaseline };
    const parsed = parseTrace(serializeTrace(trace));
    expect(parsed.baseline).toBe(false);
    expect(replay(parsed.gates, parsed.windows, { period: parsed.period, baseline: false }).decision).toBe(
      'promote',
    );
    expect(() =>
      parseTrace(JSON.stringify({ period: '60s', gates: {}, baseline: 'no', windows: [] })),
    ).toThrow("'baseline' must be true or false");
  });
});
