// The gates judged with statistics that stay valid when re-run after every window (see `judge`,
// `stats.ts` and `detector.ts`): error rate, latency percentile, latency increase vs the baseline,
// healthy hosts, custom metric queries.
import { formatPercent, median } from '../shared/index';
import { formatLatency, formatLatencyPercentile, slowShare, type CustomGate } from './gates';
import {
  lnExceedanceEvidence,
  percentileExceedanceBound,
  priorFor,
  rateConfidenceSequence,
  type Interval,
} from './stats';
import { ratioWindow, rateWindow, shiryaevRoberts, type Detection } from './detector';
import { fmtNumber, fmtPct, keepOr, noData, openPhase, signed, type Check, type CheckContext } from './check';

/**
 * P(window p99 above a threshold the true p99 respects) when the window's request count is unknown:
 * the supremum over all request counts of {@link p99ExceedanceBound} (reached at 99 requests).
 */
export const P99_EXCEEDANCE_SUPREMUM = 0.6303;

/** Where a detector's evidence stands, for sentences: `evidence 812 ≥ 720, since window 4`. */
function strength(ctx: CheckContext, d: Detection, offset: (i: number) => number): string {
  const e = Math.exp(d.lnE);
  const since = d.since === null ? '' : `, strongest since window ${offset(d.since) + 1}`;
  return `evidence ${fmtNumber(e)} ${d.lnE >= ctx.lnBound ? '≥' : '<'} ${fmtNumber(Math.exp(ctx.lnBound))}${since}`;
}

/**
 * A rate judged against a limit: the pooled confidence sequence for the interval shown, and the
 * e-detector over the windows' counts for the verdict (see `detector.ts`).
 */
function rateVerdict(
  ctx: CheckContext,
  v: {
    name: string;
    /** Events and trials per window that carried both, with the window's index. */
    counts: { events: number; trials: number; at: number }[];
    /** The limit on the rate, as a fraction. */
    rate: number;
    /** `(observed %, interval %) → head of the sentence`. */
    head: (observed: number, interval: Interval, trials: number) => string;
    /** `true`: the rate's complement is reported (healthy hosts). */
    complement?: boolean;
    threshold: number;
    unit: string;
  },
): Check {
  const events = v.counts.reduce((s, c) => s + c.events, 0);
  const trials = v.counts.reduce((s, c) => s + c.trials, 0);
  const ci = rateConfidenceSequence(events, trials, ctx.alpha, priorFor(v.rate));
  const detection = shiryaevRoberts(
    v.counts.map((c) => rateWindow(c.events, c.trials, v.rate)),
    ctx.horizon,
  );
  const share = (100 * events) / trials;
  const observed = v.complement ? 100 - share : share;
  const interval = v.complement
    ? { lower: 100 * (1 - ci.upper), upper: 100 * (1 - ci.lower) }
    : { lower: 100 * ci.lower, upper: 100 * ci.upper };
  const head = v.head(observed, interval, trials);
  const why = strength(ctx, detection, (i) => v.counts[i]!.at);
  const common = {
    name: v.name,
    observed,
    interval,
    evidence: Math.exp(detection.lnE),
    threshold: v.threshold,
    windows: v.counts.length,
  };
  const [beyond, within] = v.complement ? ['<', '≥'] : ['>', '≤'];
  const target = `${v.name} ${v.unit}`;
  if (detection.lnE >= ctx.lnBound) {
    return {
      ...common,
      phase: 'Failed',
      message: `${head} ${beyond} ${target} with ${ctx.conf} confidence (${why}): rollback`,
    };
  }
  // Promotion also needs the latest half bake-time and the latest window within the limit, so a
  // regression that starts late keeps the bake going instead of passing on the healthy windows before
  // it (this only delays a promotion; it never rolls back).
  const holds = (counts: typeof v.counts) =>
    counts.reduce((sum, c) => sum + c.events, 0) <= v.rate * counts.reduce((sum, c) => sum + c.trials, 0);
  const ok = share <= 100 * v.rate && holds(v.counts.slice(-ctx.recent)) && holds(v.counts.slice(-1));
  return {
    ...common,
    phase: openPhase(ctx, ok),
    message: ok
      ? `${head} ${within} ${target}: pass`
      : `${head} ${beyond} ${target} without ${ctx.conf} confidence (${why}): ${keepOr(ctx)}`,
  };
}

/** `max-error-rate`: the canary's 5xx rate. */
export function errorRateCheck(ctx: CheckContext): Check {
  const name = 'max-error-rate';
  const limit = ctx.gates.maxErrorRate;
  const counts: { events: number; trials: number; at: number }[] = [];
  ctx.windows.forEach((w, at) => {
    const c = w.canary;
    if (c && c.requests !== null && c.errors !== null && c.requests > 0)
      counts.push({ events: Math.min(c.errors, c.requests), trials: c.requests, at });
  });
  if (counts.length === 0) return noData(ctx, name, limit, 'canary error rate');
  return rateVerdict(ctx, {
    name,
    counts,
    rate: limit / 100,
    threshold: limit,
    unit: formatPercent(limit),
    head: (observed, interval, trials) =>
      `canary error rate ${fmtPct(observed)} (${ctx.conf} interval ${fmtPct(interval.lower)}–${fmtPct(interval.upper)}, ${trials} requests)`,
  });
}

/**
 * `max-p99-latency` at the `latency-percentile`: "p99 above T" is "more than 1% of requests slower
 * than T" (10% for p90). Windows that carry `slow` (from CloudWatch's `PR(:T)`) are counts for the
 * e-detector; when no window does (evidence from before the count existed), each window's percentile
 * above T is one trial whose probability under a true percentile at T is bounded from its request
 * count ({@link percentileExceedanceBound}), in a betting e-process. The observed value stays the
 * median window percentile; the slow share is in the sentence.
 */
export function p99Check(ctx: CheckContext): Check {
  const name = 'max-p99-latency';
  const limit = ctx.gates.maxP99Latency;
  const pct = formatLatencyPercentile(ctx.gates.latencyPercentile);
  const share = slowShare(ctx.gates.latencyPercentile);
  const values: number[] = [];
  const counts: { events: number; trials: number; at: number }[] = [];
  const outcomes: { exceeded: boolean; nullBound: number }[] = [];
  ctx.windows.forEach((w, at) => {
    const c = w.canary;
    if (!c) return;
    if (c.p99 !== null) values.push(c.p99);
    if (typeof c.slow === 'number' && c.requests !== null && c.requests > 0) {
      counts.push({ events: Math.min(c.slow, c.requests), trials: c.requests, at });
    } else if (c.p99 !== null) {
      outcomes.push({
        exceeded: c.p99 > limit,
        nullBound:
          c.requests !== null && c.requests > 0
            ? percentileExceedanceBound(c.requests, share)
            : P99_EXCEEDANCE_SUPREMUM,
      });
    }
  });
  if (values.length === 0 && counts.length === 0) return noData(ctx, name, limit, `canary ${pct}`);
  const observed = median(values);
  const text = observed === null ? 'no data' : formatLatency(observed);
  if (counts.length === 0) {
    const above = outcomes.filter((o) => o.exceeded).length;
    return exceedanceVerdict(ctx, {
      name,
      observed: observed!,
      limit,
      lnE: lnExceedanceEvidence(outcomes),
      head: `canary ${pct} ${text} (median of ${values.length} window${values.length === 1 ? '' : 's'}, ${above} above)`,
      windows: values.length,
      unit: formatLatency(limit),
      direction: 'max',
    });
  }
  // Windows without a count add no evidence: the detector runs over the counted ones.
  const check = rateVerdict(ctx, {
    name,
    counts,
    rate: share,
    threshold: limit,
    unit: `${formatLatency(limit)} (at most ${fmtPct(100 * share)} of requests slower)`,
    head: (slowPct, interval, trials) =>
      `canary ${pct} ${text}, ${fmtPct(slowPct)} of ${trials} requests slower than ${formatLatency(limit)} (${ctx.conf} interval ${fmtPct(interval.lower)}–${fmtPct(interval.upper)})`,
  });
  return {
    ...check,
    observed,
    interval: null,
    slowShare: check.observed,
    windows: Math.max(values.length, counts.length),
  };
}

/**
 * `max-latency-increase`: like with like, with counts. Each window counts the canary's requests slower
 * than (1 + increase) × the baseline's percentile from the latest window known when it was read, and
 * the baseline's requests slower than that percentile itself, both from `PR(:T)` in the same call. If
 * the canary is no slower than the gate allows, its share over its threshold is at most the
 * baseline's share over its own, so given the total over, the canary's part is at most its share of
 * the requests: a two-sample rate test per window ({@link ratioWindow}) in the e-detector. Evidence
 * without the counts (older traces) falls back to the sign test on window percentiles.
 */
export function latencyIncreaseCheck(ctx: CheckContext): Check {
  const name = 'max-latency-increase';
  const limit = ctx.gates.maxLatencyIncrease;
  const pct = formatLatencyPercentile(ctx.gates.latencyPercentile);
  if (!ctx.baseline) {
    return {
      name,
      phase: 'Successful',
      observed: null,
      interval: null,
      evidence: null,
      threshold: limit,
      windows: 0,
      message: `canary ${pct} vs baseline: not applicable, the baseline takes no traffic at this step`,
    };
  }
  const increases: number[] = [];
  const outcomes: { exceeded: boolean; nullBound: number }[] = [];
  const pairs: { ratios: number[]; at: number; canary: number; baseline: number; share: number }[] = [];
  const share = slowShare(ctx.gates.latencyPercentile);
  ctx.windows.forEach((w, at) => {
    const c = w.canary;
    const b = w.baseline;
    if (!c || !b) return;
    if (c.p99 !== null && b.p99 !== null && b.p99 > 0) {
      increases.push((100 * (c.p99 - b.p99)) / b.p99);
      const bound =
        c.requests !== null && c.requests > 0
          ? percentileExceedanceBound(c.requests, share)
          : P99_EXCEEDANCE_SUPREMUM;
      outcomes.push({ exceeded: c.p99 > b.p99 * (1 + limit / 100), nullBound: Math.max(0.5, bound) });
    }
    if (
      typeof c.over === 'number' &&
      typeof b.over === 'number' &&
      c.requests !== null &&
      b.requests !== null &&
      c.requests > 0 &&
      b.requests > 0
    ) {
      const canary = { over: Math.min(c.over, c.requests), requests: c.requests };
      const baseline = { over: Math.min(b.over, b.requests), requests: b.requests };
      pairs.push({
        ratios: ratioWindow(canary, baseline),
        at,
        canary: canary.over,
        baseline: baseline.over,
        share: canary.requests / (canary.requests + baseline.requests),
      });
    }
  });
  if (increases.length === 0 && pairs.length === 0)
    return noData(ctx, name, limit, `canary ${pct} vs baseline`);
  const observed = median(increases) ?? 0;
  const above = outcomes.filter((o) => o.exceeded).length;
  const median3 = `canary ${pct} ${signed(observed)} vs baseline (median of ${increases.length} window${increases.length === 1 ? '' : 's'})`;
  if (pairs.length === 0) {
    return exceedanceVerdict(ctx, {
      name,
      observed,
      limit,
      lnE: lnExceedanceEvidence(outcomes),
      head: `${median3.slice(0, -1)}, ${above} above)`,
      windows: increases.length,
      unit: formatPercent(limit),
      direction: 'max',
    });
  }
  const detection = shiryaevRoberts(
    pairs.map((p) => p.ratios),
    ctx.horizon,
  );
  const overC = pairs.reduce((s, p) => s + p.canary, 0);
  const overB = pairs.reduce((s, p) => s + p.baseline, 0);
  const expected = pairs.reduce((s, p) => s + (p.canary + p.baseline) * p.share, 0);
  const head = `${median3}; ${overC} canary requests over (1 + ${formatPercent(limit)}) × the baseline ${pct} where ${fmtNumber(expected)} were expected from ${overB} baseline requests over it`;
  const why = strength(ctx, detection, (i) => pairs[i]!.at);
  const common = {
    name,
    observed,
    interval: null,
    evidence: Math.exp(detection.lnE),
    threshold: limit,
    windows: Math.max(increases.length, pairs.length),
  };
  if (detection.lnE >= ctx.lnBound) {
    return {
      ...common,
      phase: 'Failed',
      message: `${head} > ${name} ${formatPercent(limit)} with ${ctx.conf} confidence (${why}): rollback`,
    };
  }
  const ok = overC <= expected || observed <= limit;
  return {
    ...common,
    phase: openPhase(ctx, ok),
    message: ok
      ? `${head} ≤ ${name} ${formatPercent(limit)}: pass`
      : `${head} > ${name} ${formatPercent(limit)} without ${ctx.conf} confidence (${why}): ${keepOr(ctx)}`,
  };
}

/** `min-healthy-percent`: the canary's healthy share of host-windows. */
export function healthyCheck(ctx: CheckContext): Check {
  const name = 'min-healthy-percent';
  const limit = ctx.gates.minHealthyPercent;
  const counts: { events: number; trials: number; at: number }[] = [];
  ctx.windows.forEach((w, at) => {
    const c = w.canary;
    if (!c || c.healthy === null || c.unhealthy === null || c.healthy + c.unhealthy === 0) return;
    counts.push({ events: c.unhealthy, trials: c.healthy + c.unhealthy, at });
  });
  if (counts.length === 0) return noData(ctx, name, limit, 'canary healthy hosts');
  if (limit <= 0) {
    // 0% allows every host to be down: nothing to test.
    const healthy = counts.reduce((sum, c) => sum + c.trials - c.events, 0);
    const observed = (100 * healthy) / counts.reduce((sum, c) => sum + c.trials, 0);
    return {
      name,
      phase: 'Successful',
      observed,
      interval: null,
      evidence: null,
      threshold: limit,
      windows: counts.length,
      message: `canary healthy hosts ${fmtPct(observed)} ≥ ${name} 0%: pass`,
    };
  }
  return rateVerdict(ctx, {
    name,
    counts,
    rate: 1 - limit / 100,
    complement: true,
    threshold: limit,
    unit: formatPercent(limit),
    head: (observed, interval, trials) =>
      `canary healthy hosts ${fmtPct(observed)} (${ctx.conf} interval ${fmtPct(interval.lower)}–${fmtPct(interval.upper)}, ${trials} host-windows)`,
  });
}

/** A `metric-queries` gate: windows beyond the query's limit. */
export function customCheck(ctx: CheckContext, gate: CustomGate): Check {
  const name = `metric-queries.${gate.id}`;
  const values: number[] = [];
  const outcomes: { exceeded: boolean; nullBound: number }[] = [];
  for (const w of ctx.windows) {
    const v = w.custom?.[gate.id];
    if (typeof v !== 'number') continue;
    values.push(v);
    outcomes.push({ exceeded: gate.direction === 'max' ? v > gate.limit : v < gate.limit, nullBound: 0.5 });
  }
  const observed = median(values);
  if (observed === null) return noData(ctx, name, gate.limit, gate.label);
  const beyond = outcomes.filter((o) => o.exceeded).length;
  const head = `${gate.label} ${fmtNumber(observed)} (median of ${values.length} window${values.length === 1 ? '' : 's'}, ${beyond} ${gate.direction === 'max' ? 'above' : 'below'})`;
  return exceedanceVerdict(ctx, {
    name,
    observed,
    limit: gate.limit,
    lnE: lnExceedanceEvidence(outcomes),
    head,
    windows: values.length,
    unit: `${gate.direction} ${fmtNumber(gate.limit)}`,
    direction: gate.direction,
  });
}

function exceedanceVerdict(
  ctx: CheckContext,
  v: {
    name: string;
    observed: number;
    limit: number;
    lnE: number;
    head: string;
    windows: number;
    unit: string;
    direction: 'max' | 'min';
  },
): Check {
  const e = Math.exp(v.lnE);
  const needed = Math.exp(ctx.lnBound);
  const common = {
    name: v.name,
    observed: v.observed,
    interval: null,
    evidence: e,
    threshold: v.limit,
    windows: v.windows,
  };
  const beyond = v.direction === 'max' ? '>' : '<';
  const within = v.direction === 'max' ? '≤' : '≥';
  const target = `${v.name} ${v.unit}`;
  if (v.lnE >= ctx.lnBound) {
    return {
      ...common,
      phase: 'Failed',
      message: `${v.head} ${beyond} ${target} with ${ctx.conf} confidence (evidence ${fmtNumber(e)} ≥ ${fmtNumber(needed)}): rollback`,
    };
  }
  const ok = v.direction === 'max' ? v.observed <= v.limit : v.observed >= v.limit;
  return {
    ...common,
    phase: openPhase(ctx, ok),
    message: ok
      ? `${v.head} ${within} ${target}: pass`
      : `${v.head} ${beyond} ${target} without ${ctx.conf} confidence (evidence ${fmtNumber(e)} < ${fmtNumber(needed)}): ${keepOr(ctx)}`,
  };
}
