// The A/B verdict: after an A/B test's hold, compare A (the stable target group) and B (the canary) on
// the evidence the bake gathered, with anytime-valid confidence sequences, so stopping the test early
// or late never inflates the chance of a wrong verdict.
import {
  isPollError,
  priorFor,
  rateConfidenceSequence,
  type AbMetric,
  type Evidence,
  type Interval,
  type MetricWindow,
  type SideStats,
} from '../health/index';

/** What a comparison concludes. */
export type AbVerdict = 'b-better' | 'a-better' | 'no-detectable-difference' | 'no-data';

/**
 * One metric compared: A's and B's values, the effect B − A and its interval, in percentage points.
 * `error-rate` and `slow-share` are built in; a custom metric (`ab-metrics`) is its count per 100
 * requests.
 */
export interface MetricComparison {
  metric: string;
  better: 'lower' | 'higher';
  /** A's and B's observed rates, in percent (a custom metric: per 100 requests); null without data. */
  a: number | null;
  b: number | null;
  /** B − A, in percentage points. */
  effect: number | null;
  /** Where B − A lies at the comparison's confidence, valid at any stopping time. */
  interval: Interval | null;
  verdict: AbVerdict;
  /** Requests counted on each side. */
  requests: { a: number; b: number };
}

/** The comparison of an A/B test. */
export interface AbComparison {
  /** The confidence of every interval, in percent (the `confidence` gate: 95). */
  confidence: number;
  verdict: AbVerdict;
  metrics: MetricComparison[];
  /** One sentence with the verdict and the figures behind it. */
  message: string;
}

/** Rates near the error-rate gates: the mixing distribution is fixed before any data are seen. */
const PRIOR = priorFor(0.01);

/**
 * Compares B with A at `confidence` percent on every metric both sides carry: the error rate (5xx /
 * requests), the share of requests slower than `max-p99-latency` where both sides count them, and each
 * custom metric of `abMetrics` (its count per request; a window counting more than its requests counts
 * as many as its requests). Each side's rate gets a confidence sequence at `α/2` (a union bound, so both
 * hold together with probability `1 − α` at every time at once); B − A lies between the ends'
 * differences. A metric's verdict is `b-better` or `a-better` only when that whole interval is on one
 * side of zero (which side is better depends on the metric's `better`); the overall verdict is
 * `a-better` when any metric says so (a worse B is never hidden by a better one), `b-better` when some
 * metric says so and none the reverse.
 */
export function compareAB(
  evidence: readonly Evidence[],
  confidence: number,
  abMetrics: readonly AbMetric[] = [],
): AbComparison {
  const alpha = 1 - confidence / 100;
  const windows = evidence.filter((e) => !isPollError(e)) as MetricWindow[];
  type Pick = (w: MetricWindow, side: 'canary' | 'baseline', s: SideStats) => number | null | undefined;
  const totals = (pick: Pick, side: 'canary' | 'baseline') => {
    let events = 0;
    let requests = 0;
    let counted = false;
    for (const w of windows) {
      const s = w[side];
      const n = s?.requests;
      const k = s ? pick(w, side, s) : null;
      if (!s || typeof n !== 'number' || n <= 0 || typeof k !== 'number') continue;
      events += Math.min(k, n);
      requests += n;
      counted = true;
    }
    return counted ? { events, requests } : null;
  };
  const metrics: MetricComparison[] = [];
  const compare = (metric: string, better: MetricComparison['better'], pick: Pick, optional: boolean) => {
    const a = totals(pick, 'baseline');
    const b = totals(pick, 'canary');
    if (optional && (!a || !b)) return;
    metrics.push(compareRates(metric, better, a, b, alpha));
  };
  compare('error-rate', 'lower', (_w, _side, s) => s.errors, false);
  compare('slow-share', 'lower', (_w, _side, s) => s.slow, true);
  for (const m of abMetrics)
    compare(m.name, m.better, (w, side) => w['ab-metrics']?.[m.name]?.[side === 'canary' ? 'b' : 'a'], false);
  const verdicts = metrics.map((m) => m.verdict);
  const verdict: AbVerdict = verdicts.includes('a-better')
    ? 'a-better'
    : verdicts.includes('b-better')
      ? 'b-better'
      : verdicts.length === 0 || verdicts.every((v) => v === 'no-data')
        ? 'no-data'
        : 'no-detectable-difference';
  return { confidence, verdict, metrics, message: describe(verdict, metrics, confidence) };
}

function compareRates(
  metric: string,
  better: MetricComparison['better'],
  a: { events: number; requests: number } | null,
  b: { events: number; requests: number } | null,
  alpha: number,
): MetricComparison {
  const requests = { a: a?.requests ?? 0, b: b?.requests ?? 0 };
  if (!a || !b)
    return {
      metric,
      better,
      a: null,
      b: null,
      effect: null,
      interval: null,
      verdict: 'no-data',
      requests,
    };
  const ia = rateConfidenceSequence(a.events, a.requests, alpha / 2, PRIOR);
  const ib = rateConfidenceSequence(b.events, b.requests, alpha / 2, PRIOR);
  const pa = a.events / a.requests;
  const pb = b.events / b.requests;
  const interval = { lower: 100 * (ib.lower - ia.upper), upper: 100 * (ib.upper - ia.lower) };
  // B's interval wholly below A's is B better when lower is better, A better when higher is.
  const below = interval.upper < 0;
  const above = interval.lower > 0;
  const verdict: AbVerdict =
    below || above ? (below === (better === 'lower') ? 'b-better' : 'a-better') : 'no-detectable-difference';
  return {
    metric,
    better,
    a: 100 * pa,
    b: 100 * pb,
    effect: 100 * (pb - pa),
    interval,
    verdict,
    requests,
  };
}

const VERDICT_TEXT: Record<AbVerdict, string> = {
  'b-better': 'B better',
  'a-better': 'A better',
  'no-detectable-difference': 'no detectable difference',
  'no-data': 'no data to compare',
};

/** A verdict as a person reads it. */
export function describeVerdict(verdict: AbVerdict): string {
  return VERDICT_TEXT[verdict];
}

const pct = (value: number) => `${Number(value.toFixed(3))}%`;
const pp = (value: number) => `${value >= 0 ? '+' : '−'}${Number(Math.abs(value).toFixed(3))}`;

function describe(verdict: AbVerdict, metrics: MetricComparison[], confidence: number): string {
  const parts = metrics.map((m) =>
    m.a === null || m.b === null || m.interval === null
      ? `${m.metric}: no data (A ${m.requests.a}, B ${m.requests.b} requests)`
      : `${m.metric} A ${pct(m.a)} vs B ${pct(m.b)}, effect ${pp(m.effect!)} pp [${pp(m.interval.lower)}, ${pp(m.interval.upper)}] at ${confidence}%: ${VERDICT_TEXT[m.verdict]}`,
  );
  return `A/B verdict: ${VERDICT_TEXT[verdict]} (${parts.join('; ')})`;
}
