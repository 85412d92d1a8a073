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
 * Error control: the bake's budget (`alpha`, by default `1 − confidence`; a plan of n bakes gives
 * each `(1 − confidence)/n`) is split evenly over the statistical checks, and each rolls back only
 * when its e-process reaches `1/α_check`. By Ville's inequality and the union bound, a healthy canary
 * is rolled back by a bake with probability at most its `alpha`, and by the plan with at most
 * `1 − confidence`, however often it is looked at.
 *
 * - `max-error-rate`, the slow share of `max-p99-latency` and `min-healthy-percent`: a finite-horizon
 *   Shiryaev–Roberts e-detector (`detector.ts`) over per-window binomial likelihood ratios, so a
 *   regression that starts late is judged on the windows since it started; the pooled confidence
 *   sequence (Robbins 1970; Howard et al. 2021) gives the interval in the sentence.
 * - `max-p99-latency` at the `latency-percentile`: "p99 above T" is "more than 1% of requests slower
 *   than T" (10% for p90), counted from CloudWatch's `PR(:T)`. Evidence without counts (older traces)
 *   falls back to the window-exceedance betting e-process on window percentiles.
 * - `max-latency-increase`: canary requests over (1 + increase) × the baseline's latest percentile
 *   against baseline requests over that percentile, a two-sample rate test per window in the same
 *   detector; older evidence falls back to the sign test on window percentiles.
 * - custom metric queries: the sign-test e-process on "window value beyond the limit" (null bound ½).
 * - alarms in ALARM and failed smoke commands are breaches as observed: no statistics needed.
 *
 * Promotion needs `bake-time` baked, `min-requests` canary requests, no breach with confidence and
 * every cumulative observed value within its threshold, and for the rates the latest half bake-time
 * and the latest window within it too (a regression that starts late is not averaged away);
 * otherwise the bake goes on. With `final` (max-bake-time judged), no breach found is a pass: what is left undecided
 * is only too little evidence (no data, fewer than `min-requests`, bake-time not reached), which
 * follows `on-inconclusive` — except that missing evidence never promotes (it rolls back instead).
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
    recent: Math.max(1, Math.ceil(gates.bakeTime / options.period / 2)),
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
