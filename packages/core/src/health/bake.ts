import {
  errorMessage,
  formatDuration,
  InputError,
  silentLogger,
  type Clock,
  type Logger,
  type Sleeper,
} from '../shared/index';
import type { Evidence, MetricWindow, OverThresholds, Preflight } from './evidence';
import type { Gates } from './gates';
import { judge, type Judgement } from './judge';
import type { AlarmSource, MetricSource, SmokeRunner } from './ports';
import type { Trace } from './trace';

/** One poll's outcome, for progress lines. */
export interface PollReport {
  /** 1-based poll number (the pre-flight check is poll 0). */
  poll: number;
  /** Windows this poll brought (0 for a failed poll or the pre-flight check). */
  newWindows: number;
  judgement: Judgement;
  trace: Trace;
}

/** What a bake is made of. */
export interface BakeOptions {
  gates: Gates;
  /** Window length and poll interval, in milliseconds. */
  period: number;
  /** How long CloudWatch takes to publish a period: a window is read only this long after it ends. */
  metricDelay: number;
  /** The longest bake: when this much has been judged without a verdict, `on-inconclusive` decides. */
  maxBakeTime: number;
  /** When the canary began serving at its current weight (epoch ms): windows start at the first period boundary from it. */
  start: number;
  metrics: MetricSource;
  /** False when the stable target group takes no traffic during this bake (canary at 100%). */
  baseline?: boolean;
  /**
   * This bake's share of the plan's error budget (see `JudgeOptions.alpha`); default `1 − confidence`.
   */
  alpha?: number;
  alarms?: AlarmSource;
  smoke?: SmokeRunner;
  clock: Clock;
  sleep: Sleeper;
  /** Aborting (a cancelled job) ends the bake without a verdict. */
  signal?: AbortSignal;
  logger?: Logger;
  onPoll?: (report: PollReport) => void;
}

/** How a bake ended. */
export interface BakeResult {
  judgement: Judgement;
  trace: Trace;
  /** True when the signal aborted the bake: the judgement is the last one and has no decision. */
  cancelled: boolean;
  polls: number;
}

/**
 * Bakes: reads a window of evidence each period (once the period is complete and published), judges
 * all evidence so far after every window, and stops at the first decision, or when `maxBakeTime` has
 * been judged (then `on-inconclusive` decides). A failed poll is recorded as a provider error and
 * retried a period later; `max-consecutive-errors` of them in a row end the bake with `Error`.
 * Every wait goes through the injected sleeper, so a fake clock runs a 30-minute bake in milliseconds.
 */
export async function bake(options: BakeOptions): Promise<BakeResult> {
  const { gates, period, metricDelay, clock, sleep, signal } = options;
  const logger = options.logger ?? silentLogger;
  const first = Math.ceil(options.start / period) * period;
  const maxWindows = Math.max(1, Math.ceil(options.maxBakeTime / period));
  const limit = first + maxWindows * period;
  const trace: Trace = {
    period,
    gates,
    ...(options.baseline === false ? { baseline: false } : {}),
    ...(options.alpha !== undefined ? { alpha: options.alpha } : {}),
    horizon: maxWindows,
    windows: [],
  };
  let polls = 0;

  let preflight: Preflight | undefined;
  if (gates.alarms.length > 0 || options.smoke) {
    preflight = {};
    if (gates.alarms.length > 0 && options.alarms)
      preflight.alarms = await options.alarms.states(gates.alarms);
    if (options.smoke) preflight.smoke = await options.smoke();
    trace.preflight = preflight;
  }
  const judgeOptions = {
    period,
    horizon: maxWindows,
    ...(options.alpha !== undefined ? { alpha: options.alpha } : {}),
    ...(preflight ? { preflight } : {}),
    ...(options.baseline === false ? { baseline: false } : {}),
  };
  let judgement = judge(gates, [], judgeOptions);
  options.onPoll?.({ poll: 0, newWindows: 0, judgement, trace });
  if (judgement.decision !== null) return { judgement, trace, cancelled: false, polls };

  let next = first;
  const windowCount = () => trace.windows.filter((e) => !('error' in e)).length;
  for (;;) {
    const due = next + period + metricDelay;
    const now = clock.now();
    if (now < due) await sleep(due - now, signal);
    if (signal?.aborted) return { judgement, trace, cancelled: true, polls };
    const end = Math.min(Math.floor((clock.now() - metricDelay) / period) * period, limit);
    if (end <= next) {
      // The sleeper returned early (or the clock stands still): wait a period rather than spin.
      await sleep(period, signal);
      if (signal?.aborted) return { judgement, trace, cancelled: true, polls };
      continue;
    }
    polls++;
    let fresh: MetricWindow[];
    try {
      const over = trace.baseline === false ? undefined : overThresholds(trace.windows, gates);
      fresh = await options.metrics.windows({ start: next, end, ...(over ? { over } : {}) });
      if (fresh.length === 0) throw new Error(`no windows returned for ${iso(next)}–${iso(end)}`);
      const last = fresh[fresh.length - 1]!;
      if (gates.alarms.length > 0 && options.alarms) last.alarms = await options.alarms.states(gates.alarms);
      if (options.smoke) last.smoke = await options.smoke();
    } catch (error) {
      if (error instanceof InputError) throw error;
      const message = errorMessage(error);
      logger.warning(`poll ${polls} failed, retrying in ${formatDuration(period)}: ${message}`);
      trace.windows.push({ error: message, at: iso(clock.now()) });
      judgement = judge(gates, trace.windows, judgeOptions);
      options.onPoll?.({ poll: polls, newWindows: 0, judgement, trace });
      if (judgement.decision !== null) return { judgement, trace, cancelled: false, polls };
      await sleep(period, signal);
      if (signal?.aborted) return { judgement, trace, cancelled: true, polls };
      continue;
    }
    for (const window of fresh) {
      trace.windows.push(window);
      judgement = judge(gates, trace.windows, { ...judgeOptions, final: windowCount() >= maxWindows });
      if (judgement.decision !== null) break;
    }
    next += fresh.length * period;
    options.onPoll?.({ poll: polls, newWindows: fresh.length, judgement, trace });
    if (judgement.decision !== null) return { judgement, trace, cancelled: false, polls };
  }
}

/**
 * Where the next windows count requests for `max-latency-increase`: the baseline's latest percentile
 * and that × (1 + increase) for the canary. None before a baseline window carried one.
 */
export function overThresholds(evidence: readonly Evidence[], gates: Gates): OverThresholds | undefined {
  for (let i = evidence.length - 1; i >= 0; i--) {
    const entry = evidence[i]!;
    if ('error' in entry) continue;
    const p = entry.baseline?.p99;
    if (typeof p === 'number' && p > 0)
      return { baseline: p, canary: Number((p * (1 + gates.maxLatencyIncrease / 100)).toFixed(3)) };
  }
  return undefined;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
