// The gates judged with statistics that stay valid when re-run after every window (see `judge` and
// `stats.ts`): error rate, p99, latency increase vs the baseline, healthy hosts, custom metric queries.
import { formatPercent } from '../shared/index';
import { formatLatency, type CustomGate } from './gates';
import {
  lnExceedanceEvidence,
  lnRateEvidenceAbove,
  p99ExceedanceBound,
  priorFor,
  rateConfidenceSequence,
} from './stats';
import {
  fmtNumber,
  fmtPct,
  keepOr,
  median,
  noData,
  openPhase,
  signed,
  type Check,
  type CheckContext,
} from './check';

/**
 * P(window p99 above a threshold the true p99 respects) when the window's request count is unknown:
 * the supremum over all request counts of {@link p99ExceedanceBound} (reached at 99 requests).
 */
export const P99_EXCEEDANCE_SUPREMUM = 0.6303;

/** `max-error-rate`: the canary's 5xx rate, with its confidence sequence. */
export function errorRateCheck(ctx: CheckContext): Check {
  const name = 'max-error-rate';
  const limit = ctx.gates.maxErrorRate;
  let requests = 0;
  let errors = 0;
  let used = 0;
  for (const w of ctx.windows) {
    const c = w.canary;
    if (c && c.requests !== null && c.errors !== null) {
      requests += c.requests;
      errors += Math.min(c.errors, c.requests);
      used++;
    }
  }
  if (requests === 0) return noData(ctx, name, limit, 'canary error rate');
  const ci = rateConfidenceSequence(errors, requests, ctx.alpha, priorFor(limit / 100));
  const observed = (100 * errors) / requests;
  const interval = { lower: ci.lower * 100, upper: ci.upper * 100 };
  const head = `canary error rate ${fmtPct(observed)} (${ctx.conf} interval ${fmtPct(interval.lower)}–${fmtPct(interval.upper)}, ${requests} requests)`;
  const common = { name, observed, interval, evidence: null, threshold: limit, windows: used };
  if (interval.lower > limit) {
    return { ...common, phase: 'Failed', message: `${head} > ${name} ${formatPercent(limit)}: rollback` };
  }
  const within = observed <= limit;
  return {
    ...common,
    phase: openPhase(ctx, within),
    message: within
      ? `${head} ≤ ${name} ${formatPercent(limit)}: pass`
      : `${head} > ${name} ${formatPercent(limit)} without ${ctx.conf} confidence: ${keepOr(ctx)}`,
  };
}

/** The p99's definition: at most 1% of requests are slower than it. */
const P99_SLOW_SHARE = 0.01;

/** `max-p99-latency`: the share of canary requests slower than the limit, or windows' p99 above it. */
export function p99Check(ctx: CheckContext): Check {
  const name = 'max-p99-latency';
  const limit = ctx.gates.maxP99Latency;
  const values: number[] = [];
  const outcomes: { exceeded: boolean; nullBound: number }[] = [];
  let slow = 0;
  let counted = 0;
  let slowWindows = 0;
  for (const w of ctx.windows) {
    const c = w.canary;
    if (!c) continue;
    if (c.p99 !== null) values.push(c.p99);
    if (typeof c.slow === 'number' && c.requests !== null && c.requests > 0) {
      // The binomial evidence: how many of the window's requests were slower than the threshold.
      slow += Math.min(c.slow, c.requests);
      counted += c.requests;
      slowWindows++;
    } else if (c.p99 !== null) {
      // No count for this window: fall back to "was the window's p99 above the threshold".
      outcomes.push({
        exceeded: c.p99 > limit,
        nullBound:
          c.requests !== null && c.requests > 0 ? p99ExceedanceBound(c.requests) : P99_EXCEEDANCE_SUPREMUM,
      });
    }
  }
  if (values.length === 0 && counted === 0) return noData(ctx, name, limit, 'canary p99');
  const observed = values.length === 0 ? null : median(values);
  const p99Text = observed === null ? 'no data' : formatLatency(observed);
  if (counted === 0) {
    const above = outcomes.filter((o) => o.exceeded).length;
    return exceedanceVerdict(ctx, {
      name,
      observed: observed!,
      limit,
      lnE: lnExceedanceEvidence(outcomes),
      head: `canary p99 ${p99Text} (median of ${values.length} window${values.length === 1 ? '' : 's'}, ${above} above)`,
      windows: values.length,
      unit: formatLatency(limit),
      direction: 'max',
    });
  }
  const prior = priorFor(P99_SLOW_SHARE);
  const ci = rateConfidenceSequence(slow, counted, ctx.alpha, prior);
  const share = `${fmtPct((100 * slow) / counted)} of ${counted} requests slower than ${formatLatency(limit)} (${ctx.conf} interval ${fmtPct(100 * ci.lower)}–${fmtPct(100 * ci.upper)})`;
  const target = `${name} ${formatLatency(limit)}`;
  // The count's e-process times the fallback windows' (1 when every window has a count).
  const lnE = lnRateEvidenceAbove(slow, counted, P99_SLOW_SHARE, prior) + lnExceedanceEvidence(outcomes);
  const e = Math.exp(lnE);
  const windows = Math.max(values.length, slowWindows);
  const common = { name, observed, interval: null, evidence: e, threshold: limit, windows };
  let head = `canary p99 ${p99Text}, ${share}`;
  let confident = ci.lower > P99_SLOW_SHARE;
  let strength = '';
  if (outcomes.length > 0) {
    const above = outcomes.filter((o) => o.exceeded).length;
    head = `${head}; ${outcomes.length} window${outcomes.length === 1 ? '' : 's'} without a count, ${above} with p99 above`;
    confident = lnE >= ctx.lnBound;
    strength = ` (evidence ${fmtNumber(e)} ${confident ? '≥' : '<'} ${fmtNumber(Math.exp(ctx.lnBound))})`;
  }
  if (confident) {
    return {
      ...common,
      phase: 'Failed',
      message: `${head} > ${target}${strength ? ` with ${ctx.conf} confidence${strength}` : ''}: rollback`,
    };
  }
  if (observed === null) {
    return {
      ...common,
      phase: ctx.final ? 'Inconclusive' : 'Pending',
      message: `${head}: no p99 data${ctx.final ? ': inconclusive' : ' yet'}`,
    };
  }
  const within = observed <= limit;
  return {
    ...common,
    phase: openPhase(ctx, within),
    message: within
      ? `${head} ≤ ${target}: pass`
      : `${head} > ${target} without ${ctx.conf} confidence${strength}: ${keepOr(ctx)}`,
  };
}

/** `max-latency-increase`: canary p99 against the baseline's, window by window. */
export function latencyIncreaseCheck(ctx: CheckContext): Check {
  const name = 'max-latency-increase';
  const limit = ctx.gates.maxLatencyIncrease;
  const increases: number[] = [];
  const outcomes: { exceeded: boolean; nullBound: number }[] = [];
  for (const w of ctx.windows) {
    const c = w.canary;
    const b = w.baseline;
    if (!c || !b || c.p99 === null || b.p99 === null || b.p99 <= 0) continue;
    increases.push((100 * (c.p99 - b.p99)) / b.p99);
    const canaryBound =
      c.requests !== null && c.requests > 0 ? p99ExceedanceBound(c.requests) : P99_EXCEEDANCE_SUPREMUM;
    outcomes.push({ exceeded: c.p99 > b.p99 * (1 + limit / 100), nullBound: Math.max(0.5, canaryBound) });
  }
  if (!ctx.baseline) {
    return {
      name,
      phase: 'Successful',
      observed: null,
      interval: null,
      evidence: null,
      threshold: limit,
      windows: 0,
      message: 'canary p99 vs baseline: not applicable, the baseline takes no traffic at this step',
    };
  }
  if (increases.length === 0) return noData(ctx, name, limit, 'canary p99 vs baseline');
  const observed = median(increases);
  const above = outcomes.filter((o) => o.exceeded).length;
  const lnE = lnExceedanceEvidence(outcomes);
  const head = `canary p99 ${signed(observed)} vs baseline (median of ${increases.length} window${increases.length === 1 ? '' : 's'}, ${above} above)`;
  return exceedanceVerdict(ctx, {
    name,
    observed,
    limit,
    lnE,
    head,
    windows: increases.length,
    unit: formatPercent(limit),
    direction: 'max',
  });
}

/** `min-healthy-percent`: the canary's healthy share of host-windows. */
export function healthyCheck(ctx: CheckContext): Check {
  const name = 'min-healthy-percent';
  const limit = ctx.gates.minHealthyPercent;
  let healthy = 0;
  let unhealthy = 0;
  let used = 0;
  for (const w of ctx.windows) {
    const c = w.canary;
    if (!c || c.healthy === null || c.unhealthy === null || c.healthy + c.unhealthy === 0) continue;
    healthy += c.healthy;
    unhealthy += c.unhealthy;
    used++;
  }
  const total = healthy + unhealthy;
  if (total === 0) return noData(ctx, name, limit, 'canary healthy hosts');
  const unhealthyLimit = 1 - limit / 100;
  const ci = rateConfidenceSequence(unhealthy, total, ctx.alpha, priorFor(unhealthyLimit));
  const observed = (100 * healthy) / total;
  const interval = { lower: (1 - ci.upper) * 100, upper: (1 - ci.lower) * 100 };
  const head = `canary healthy hosts ${fmtPct(observed)} (${ctx.conf} interval ${fmtPct(interval.lower)}–${fmtPct(interval.upper)}, ${total} host-windows)`;
  const common = { name, observed, interval, evidence: null, threshold: limit, windows: used };
  if (limit > 0 && interval.upper < limit) {
    return { ...common, phase: 'Failed', message: `${head} < ${name} ${formatPercent(limit)}: rollback` };
  }
  const within = observed >= limit;
  return {
    ...common,
    phase: openPhase(ctx, within),
    message: within
      ? `${head} ≥ ${name} ${formatPercent(limit)}: pass`
      : `${head} < ${name} ${formatPercent(limit)} without ${ctx.conf} confidence: ${keepOr(ctx)}`,
  };
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
  if (values.length === 0) return noData(ctx, name, gate.limit, gate.label);
  const observed = median(values);
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
