// What every gate check returns, what it reads, and the small helpers they share for phases and sentences.
import { fmtPct } from '../shared';
import type { Gates } from './gates';
import type { MetricWindow } from './evidence';
import type { Phase } from './phase';
import type { Interval } from './stats';

export { fmtPct };

/** One check's verdict over all evidence so far. */
export interface Check {
  /** The gate's name (`max-error-rate`, `metric-queries.cpu`, `alarms.HighLatency`, …). */
  name: string;
  phase: Phase;
  /** The cumulative observed value, in the threshold's unit (percent, ms, count); null without data. */
  observed: number | null;
  /** The anytime-valid confidence interval of `observed`, when the method yields one. */
  interval: Interval | null;
  /** The evidence (e-value) against "within the threshold", for window-exceedance tests. */
  evidence: number | null;
  threshold: number | null;
  /** `max-p99-latency` only: the share (%) of canary requests slower than the threshold, when counted. */
  slowShare?: number | null;
  /** Windows that carried data for this check. */
  windows: number;
  /** A sentence with the observed value, its interval, the threshold and the verdict. */
  message: string;
}

/** What every check reads: the gates, the metric windows so far, and the confidence they are judged at. */
export interface CheckContext {
  baseline: boolean;
  gates: Gates;
  windows: MetricWindow[];
  final: boolean;
  /** ln(1/α) of this check: the bake's error budget split evenly over the statistical checks. */
  lnBound: number;
  /** This check's confidence, for sentences (`99.86%`). */
  conf: string;
  /** This check's α. */
  alpha: number;
  /** The most windows this bake can judge: the e-detectors' horizon T. */
  horizon: number;
  /** Windows in the latest half bake-time, which must be within the thresholds too to promote. */
  recent: number;
}

/**
 * The phase of a check that has data and no confident breach: within its threshold it passes; beyond it
 * the bake goes on, and at the end of the bake (max-bake-time judged) no breach found is a pass, since
 * the test's error budget is what bounds missed regressions, not a second rule on the point estimate.
 */
export function openPhase(ctx: CheckContext, within: boolean): Phase {
  if (within || ctx.final) return 'Successful';
  return 'Running';
}

/** What an undecided check says it does next: keep baking, or, on the final judgement, pass. */
export function keepOr(ctx: CheckContext): string {
  return ctx.final ? 'no breach found by max-bake-time: pass' : 'keep baking';
}

/** The check of a gate no window carried data for yet. */
export function noData(ctx: CheckContext, name: string, threshold: number | null, what: string): Check {
  return {
    name,
    phase: ctx.final ? 'Inconclusive' : 'Pending',
    observed: null,
    interval: null,
    evidence: null,
    threshold,
    windows: 0,
    message: `${what}: no data${ctx.final ? ': inconclusive' : ' yet'}`,
  };
}

/** A percentage change with its sign, for sentences: `+12.5%`. */
export function signed(percent: number): string {
  return `${percent >= 0 ? '+' : ''}${fmtPct(percent)}`;
}

/** A number for sentences: at most three significant decimals. */
export function fmtNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1e6) return value.toExponential(2);
  return String(Number(value.toPrecision(Math.abs(value) >= 100 ? 6 : 3)));
}
