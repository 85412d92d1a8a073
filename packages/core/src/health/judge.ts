import { formatDuration, formatPercent } from '../shared/index';
import { isPollError, type AlarmState, type Evidence, type MetricWindow, type Preflight } from './evidence';
import { formatLatency, type CustomGate, type Gates } from './gates';
import { worst, type Phase } from './phase';
import {
  lnExceedanceEvidence,
  lnRateEvidenceAbove,
  p99ExceedanceBound,
  priorFor,
  rateConfidenceSequence,
  type Interval,
} from './stats';

/** What the judge decided; `inconclusive` only when `on-inconclusive` is `fail`. */
export type Decision = 'promote' | 'rollback' | 'inconclusive';

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
  /** Windows that carried data for this check. */
  windows: number;
  /** A sentence with the observed value, its interval, the threshold and the verdict. */
  message: string;
}

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
}

/**
 * P(window p99 above a threshold the true p99 respects) when the window's request count is unknown:
 * the supremum over all request counts of {@link p99ExceedanceBound} (reached at 99 requests).
 */
export const P99_EXCEEDANCE_SUPREMUM = 0.6303;

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
  const alpha = 1 - gates.confidence / 100;
  const lnBound = Math.log(1 / alpha);
  const conf = formatPercent(gates.confidence);
  const windows = evidence.filter((e): e is MetricWindow => !isPollError(e));
  const elapsed = windows.length * options.period;
  const ctx: Context = { baseline: options.baseline ?? true, gates, windows, final, lnBound, conf, alpha };

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

interface Context {
  baseline: boolean;
  gates: Gates;
  windows: MetricWindow[];
  final: boolean;
  lnBound: number;
  conf: string;
  alpha: number;
}

/** The phase of a check that has data and no confident breach. */
function openPhase(ctx: Context, within: boolean): Phase {
  if (within) return 'Successful';
  return ctx.final ? 'Inconclusive' : 'Running';
}

function keepOr(ctx: Context): string {
  return ctx.final ? 'inconclusive' : 'keep baking';
}

function noData(ctx: Context, name: string, threshold: number | null, what: string): Check {
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

function errorRateCheck(ctx: Context): Check {
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

function p99Check(ctx: Context): Check {
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

function latencyIncreaseCheck(ctx: Context): Check {
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

function healthyCheck(ctx: Context): Check {
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

function customCheck(ctx: Context, gate: CustomGate): Check {
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
  ctx: Context,
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

function alarmCheck(ctx: Context, alarm: string, preflight: Preflight | undefined): Check {
  const name = `alarms.${alarm}`;
  const common = { name, interval: null, evidence: null, threshold: null };
  if (preflight?.alarms?.[alarm] === 'ALARM') {
    return {
      ...common,
      phase: 'Failed',
      observed: null,
      windows: 0,
      message: `alarm '${alarm}' was already in ALARM before the bake started: refusing the deployment`,
    };
  }
  let last: AlarmState | null = null;
  let seen = 0;
  for (let i = 0; i < ctx.windows.length; i++) {
    const state = ctx.windows[i]!.alarms?.[alarm];
    if (state === undefined) continue;
    seen++;
    if (state === 'ALARM') {
      return {
        ...common,
        phase: 'Failed',
        observed: null,
        windows: seen,
        message: `alarm '${alarm}' in ALARM at window ${i + 1}: rollback`,
      };
    }
    if (state === 'OK' || state === 'INSUFFICIENT_DATA') last = state;
  }
  if (last === 'OK') {
    return {
      ...common,
      phase: 'Successful',
      observed: 0,
      windows: seen,
      message: `alarm '${alarm}' OK: pass`,
    };
  }
  if (last === 'INSUFFICIENT_DATA') {
    return {
      ...common,
      phase: ctx.final ? 'Inconclusive' : 'Pending',
      observed: null,
      windows: seen,
      message: `alarm '${alarm}' has INSUFFICIENT_DATA: no data${ctx.final ? ': inconclusive' : ' yet'}`,
    };
  }
  return noData(ctx, name, null, `alarm '${alarm}'`);
}

function smokeCheck(ctx: Context, preflight: Preflight | undefined): Check {
  const name = 'smoke-command';
  const common = { name, interval: null, evidence: null, threshold: 0 };
  const runs: { where: string; code: number }[] = [];
  if (preflight?.smoke) runs.push({ where: 'before the bake started', code: preflight.smoke['exit-code'] });
  ctx.windows.forEach((w, i) => {
    if (w.smoke) runs.push({ where: `at window ${i + 1}`, code: w.smoke['exit-code'] });
  });
  const failed = runs.find((r) => r.code !== 0);
  if (failed) {
    return {
      ...common,
      phase: 'Failed',
      observed: failed.code,
      windows: runs.length,
      message: `smoke command failed ${failed.where} (exit code ${failed.code}): rollback`,
    };
  }
  if (runs.length === 0) return noData(ctx, name, 0, 'smoke command');
  return {
    ...common,
    phase: 'Successful',
    observed: 0,
    windows: runs.length,
    message: `smoke command passed ${runs.length} of ${runs.length} runs: pass`,
  };
}

function minRequestsCheck(ctx: Context): Check {
  const name = 'min-requests';
  const limit = ctx.gates.minRequests;
  let requests = 0;
  let used = 0;
  for (const w of ctx.windows) {
    if (w.canary && w.canary.requests !== null) {
      requests += w.canary.requests;
      used++;
    }
  }
  const common = {
    name,
    observed: used === 0 ? null : requests,
    interval: null,
    evidence: null,
    threshold: limit,
    windows: used,
  };
  if (requests >= limit && (used > 0 || limit === 0)) {
    return {
      ...common,
      observed: requests,
      phase: 'Successful',
      message: `canary ${requests} requests ≥ ${name} ${limit}: pass`,
    };
  }
  if (used === 0) return noData(ctx, name, limit, 'canary request count');
  return {
    ...common,
    phase: ctx.final ? 'Inconclusive' : 'Running',
    message: `canary ${requests} requests < ${name} ${limit}: ${ctx.final ? 'inconclusive' : 'keep baking'}`,
  };
}

function bakeTimeCheck(ctx: Context, elapsed: number): Check {
  const name = 'bake-time';
  const limit = ctx.gates.bakeTime;
  const common = {
    name,
    observed: elapsed,
    interval: null,
    evidence: null,
    threshold: limit,
    windows: ctx.windows.length,
  };
  const text = `baked ${formatDuration(elapsed)} of ${name} ${formatDuration(limit)}`;
  if (elapsed >= limit) return { ...common, phase: 'Successful', message: `${text}: pass` };
  return {
    ...common,
    phase: ctx.final ? 'Inconclusive' : 'Running',
    message: `${text}: ${ctx.final ? 'inconclusive' : 'keep baking'}`,
  };
}

function providerErrorsCheck(ctx: Context, evidence: readonly Evidence[]): Check {
  const name = 'max-consecutive-errors';
  const limit = ctx.gates.maxConsecutiveErrors;
  let inRow = 0;
  let lastError = '';
  for (let i = evidence.length - 1; i >= 0; i--) {
    const entry = evidence[i]!;
    if (!isPollError(entry)) break;
    if (inRow === 0) lastError = entry.error;
    inRow++;
  }
  const total = evidence.filter(isPollError).length;
  const common = {
    name,
    observed: inRow,
    interval: null,
    evidence: null,
    threshold: limit,
    windows: ctx.windows.length,
  };
  if (inRow > limit) {
    return {
      ...common,
      phase: 'Error',
      message: `${inRow} provider errors in a row > ${name} ${limit} (${lastError}): evidence unavailable, never promoting`,
    };
  }
  if (inRow > 0) {
    return {
      ...common,
      phase: ctx.final ? 'Inconclusive' : 'Running',
      message: `${inRow} provider error${inRow === 1 ? '' : 's'} in a row (≤ ${name} ${limit} tolerated): ${lastError}`,
    };
  }
  return {
    ...common,
    phase: 'Successful',
    message: `no provider error in a row (${total} in all) ≤ ${name} ${limit}: pass`,
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A percentage for sentences: two decimals below 10% (so 1.03% is not shown as 1%), one above. */
export function fmtPct(percent: number): string {
  const digits = Math.abs(percent) < 10 ? 2 : 1;
  return `${Number(percent.toFixed(digits))}%`;
}

function signed(percent: number): string {
  return `${percent >= 0 ? '+' : ''}${fmtPct(percent)}`;
}

/** A number for sentences: at most three significant decimals. */
export function fmtNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1e6) return value.toExponential(2);
  return String(Number(value.toPrecision(Math.abs(value) >= 100 ? 6 : 3)));
}
