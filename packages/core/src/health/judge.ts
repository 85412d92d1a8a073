import { formatDuration } from '../shared/index';
import { isPollError, type Evidence, type MetricWindow, type Preflight } from './evidence';
import type { Gates } from './gates';
import { worst, type Phase } from './phase';
import type { Check, CheckContext } from './check';
import {
  customCheck,
  errorRateCheck,
  healthyCheck,
  latencyIncreaseCheck,
  p99Check,
} from './statistical-checks';
import {
  alarmCheck,
  bakeTimeCheck,
  minRequestsCheck,
  providerErrorsCheck,
  smokeCheck,
} from './observed-checks';

/** What the judge decided; `inconclusive` only when `on-inconclusive` is `fail`. */
export type Decision = 'promote' | 'rollback' | 'inconclusive';

/** The verdict over all evidence so far. */
export interface Judgement {
  /** `null` while the bake goes on. */
  decision: Decision | null;
  phase: Phase;
  /**
   * 0-based index of the evidence entry after which the decision was made; `null` when there is no
   * decision yet, when it was made before the first window (pre-flight), or when the evidence ran out
   * and `on-inconclusive` decided.
   */
  decidedAtWindow: number | null;
  /** The verdict sentence, with the reasons. */
  message: string;
  checks: Check[];
  /** Metric windows judged (failed polls are not windows). */
  windows: number;
  /** Time baked: windows × period, in milliseconds. */
  elapsed: number;
}

/** How the evidence is to be read. */
export interface JudgeOptions {
  /** Length of one window, in milliseconds. */
  period: number;
  /** True when no more evidence will come: undecided becomes `on-inconclusive`. */
  final?: boolean;
  preflight?: Preflight;
  /**
   * False when the stable (baseline) target group takes no traffic at this step, as after a blue-green
   * switch or a feature-flag rollout at 100%: the comparison with the baseline does not apply, which is
   * not the same as missing data. Default true.
   */
  baseline?: boolean;
  /**
   * This bake's share of the plan's error budget: the most probability with which a healthy canary
   * may be rolled back by this bake's statistical checks. Default `1 − confidence` (a bake on its own);
   * a plan of n bakes gives each `(1 − confidence)/n`, so the whole plan keeps `1 − confidence`.
   */
  alpha?: number;
  /**
   * The most windows this bake can judge (its max-bake-time over the period): the horizon of the
   * e-detectors. Default: the default max-bake-time of `bake-time`, or the windows given if more.
   */
  horizon?: number;
}

/**
 * The default longest bake: five times bake-time, at most bake-time + 2h. A healthy canary near its
 * thresholds needs time for its cumulative values to settle below them; with three times bake-time the
 * gate bench rolled back 1.6% of healthy low-traffic canaries as inconclusive, with five 0.2%.
 */
export function defaultMaxBakeTime(bakeTime: number): number {
  return Math.min(5 * bakeTime, bakeTime + 2 * 3_600_000);
}

/** How many checks share a bake's error budget: the statistical ones (alarms and smoke are observed). */
export function statisticalChecks(gates: Gates): number {
  return 4 + gates.custom.length;
}

/**
 * Judges gates over all evidence so far. Pure: the same gates and evidence always give the same
 * judgement, so a trace replays exactly (`shiftgate judge --trace`).
 *
 * Each gate uses a test that stays valid when re-run after every window (see `stats.ts`):
 * - `max-error-rate`: the beta-binomial mixture confidence sequence for the canary's 5xx rate (Robbins
 *   1970; Howard et al. 2021); a breach when its lower end is above the threshold.
 * - `max-p99-latency`: "p99 above T" is "more than 1% of requests slower than T". Where a canary window
 *   carries `slow` (its requests slower than T, from CloudWatch's percentile rank `PR(:T)`), the
 *   slow/requests share gets the error rate's confidence sequence against 1%; a breach when its lower
 *   end is above 1%. Windows without the count fall back to one trial per window, "p99 above T", whose
 *   probability under a true p99 at T is bounded exactly from the window's request count
 *   ({@link p99ExceedanceBound}), in a betting e-process; with both kinds, the product of the two
 *   e-processes ({@link lnRateEvidenceAbove}) is the evidence. The observed value stays the median p99.
 * - `max-latency-increase`: the same e-process on "canary p99 above baseline p99 × (1 + increase)", a
 *   sign test vs the baseline, with the null bound at least ½.
 * - `min-healthy-percent`: host-windows as Bernoulli trials (a host unhealthy in a window or not), with
 *   the rate's confidence sequence; a breach when the healthy share's upper end is below the minimum.
 * - custom metric queries: the sign-test e-process on "window value beyond the limit" (null bound ½).
 * - alarms in ALARM and failed smoke commands are breaches as observed: no statistics needed.
 *
 * Promotion needs `bake-time` baked, `min-requests` canary requests, no breach with confidence and
 * every cumulative observed value within its threshold; an observed value beyond its threshold without
 * confidence keeps the bake going while evidence lasts. With `final`, what is left undecided follows
 * `on-inconclusive` — except that missing evidence never promotes (it rolls back instead).
 */
export function judge(gates: Gates, evidence: readonly Evidence[], options: JudgeOptions): Judgement {
  const final = options.final === true;
  // The bake's budget, split evenly (Bonferroni) over its statistical checks: P(any of them rolls
  // back a healthy canary) ≤ the bake's α.
  const alpha = (options.alpha ?? 1 - gates.confidence / 100) / statisticalChecks(gates);
  const lnBound = Math.log(1 / alpha);
  const conf = `${Number((100 * (1 - alpha)).toPrecision(4))}%`;
  const windows = evidence.filter((e): e is MetricWindow => !isPollError(e));
  const elapsed = windows.length * options.period;
  const horizon = Math.max(
    windows.length,
    options.horizon ?? Math.ceil(defaultMaxBakeTime(gates.bakeTime) / options.period),
  );
  const ctx: CheckContext = {
    baseline: options.baseline ?? true,
    gates,
    windows,
    final,
    lnBound,
    conf,
    alpha,
    horizon,
  };

  const checks: Check[] = [
    errorRateCheck(ctx),
    p99Check(ctx),
    latencyIncreaseCheck(ctx),
    healthyCheck(ctx),
    ...gates.custom.map((gate) => customCheck(ctx, gate)),
    ...gates.alarms.map((name) => alarmCheck(ctx, name, options.preflight)),
    ...(gates.smoke ? [smokeCheck(ctx, options.preflight)] : []),
    minRequestsCheck(ctx),
    bakeTimeCheck(ctx, elapsed),
    providerErrorsCheck(ctx, evidence),
  ];
  const phase = worst(checks.map((c) => c.phase));
  const at = evidence.length > 0 ? evidence.length - 1 : null;
  const base = { phase, checks, windows: windows.length, elapsed };

  const breaches = checks.filter((c) => c.phase === 'Failed' || c.phase === 'Error');
  if (breaches.length > 0) {
    return {
      ...base,
      decision: 'rollback',
      decidedAtWindow: at,
      message: `rollback: ${breaches.map((c) => c.message).join('; ')}`,
    };
  }
  if (checks.every((c) => c.phase === 'Successful')) {
    const requests = checks.find((c) => c.name === 'min-requests')?.observed ?? 0;
    return {
      ...base,
      decision: 'promote',
      decidedAtWindow: at,
      message: `promote: every gate passed after ${formatDuration(elapsed)} and ${requests} canary requests`,
    };
  }
  const open = checks.filter((c) => c.phase !== 'Successful');
  if (!final) {
    return {
      ...base,
      decision: null,
      decidedAtWindow: null,
      message: `baking: ${open.map((c) => c.message).join('; ')}`,
    };
  }
  const lastIsError = evidence.length > 0 && isPollError(evidence[evidence.length - 1]!);
  const missing = lastIsError || checks.some((c) => c.observed === null && c.phase !== 'Successful');
  const choice = gates.onInconclusive;
  const decision: Decision =
    choice === 'fail' ? 'inconclusive' : choice === 'promote' && !missing ? 'promote' : 'rollback';
  const why =
    choice === 'promote' && missing
      ? 'on-inconclusive: promote, but missing evidence never promotes'
      : `on-inconclusive: ${choice}`;
  return {
    ...base,
    decision,
    decidedAtWindow: null,
    message: `inconclusive after ${formatDuration(elapsed)} (${why}): ${open.map((c) => c.message).join('; ')}`,
  };
}

/**
 * Replays evidence the way the bake loop sees it: the judge after each entry, stopping at the first
 * decision; when none comes, the final judgement over everything (`on-inconclusive`).
 */
export function replay(
  gates: Gates,
  evidence: readonly Evidence[],
  options: Omit<JudgeOptions, 'final'>,
): Judgement {
  if (options.preflight) {
    const before = judge(gates, [], { ...options, final: evidence.length === 0 });
    if (before.decision !== null) return before;
  }
  for (let i = 0; i < evidence.length; i++) {
    const judgement = judge(gates, evidence.slice(0, i + 1), {
      ...options,
      final: i === evidence.length - 1,
    });
    if (judgement.decision !== null) return judgement;
  }
  return judge(gates, [], { ...options, final: true });
}
