import { InputError } from '@shiftgate/core';
import { binomial, hashSeed, mulberry32, normal, poisson } from './random';

/** The canary behaviours the simulator plays. The baseline (stable) is always healthy. */
export const SCENARIOS = ['healthy', 'step-regression', 'slow-leak', 'low-traffic', 'host-failure'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** What each scenario does, for `--help` and reports. */
export const SCENARIO_DESCRIPTIONS: Record<Scenario, string> = {
  healthy: 'the canary behaves like the baseline: 0.1% errors, p99 about 180ms',
  'step-regression': 'from minute --at on, the canary fails 6% of requests and its p99 more than doubles',
  'slow-leak': 'from minute --at on, the canary p99 grows by 25ms and its error rate by 0.04% every minute',
  'low-traffic': 'the whole service gets 30 requests a minute, too few to judge a small canary',
  'host-failure': 'from minute --at on, 2 of the 4 canary hosts fail health checks and 2% of requests fail',
};

/** Parses a scenario name; anything else is an input error naming the flag. */
export function parseScenario(input: string, value: string): Scenario {
  if ((SCENARIOS as readonly string[]).includes(value)) return value as Scenario;
  throw new InputError(input, value, `one of ${SCENARIOS.join(', ')}`);
}

/** One minute of one target group, as ALB would publish it; null where ALB publishes no datapoint. */
export interface Minute {
  requests: number | null;
  errors: number | null;
  /** Milliseconds. */
  p99: number | null;
  /** Requests slower than the threshold asked for (only when one was); null without requests. */
  slow?: number | null;
  /** Requests slower than the `over` threshold asked for (only when one was); null without requests. */
  over?: number | null;
  /** Every request's latency, ms, sorted (the window's percentile is computed from them). */
  latencies?: Float64Array;
  healthy: number;
  unhealthy: number;
}

/** How one target group behaves over a minute. */
export interface Profile {
  /** Fraction of requests answered 5xx. */
  errorRate: number;
  /** True p99 of the latency distribution, milliseconds. */
  p99: number;
  hosts: number;
  unhealthy: number;
  /** Errors come in bursts of this many (1: independent requests). */
  burst?: number;
}

/** What {@link TrafficModel.sample} counts besides the basics. */
export interface SampleOptions {
  /** Count requests slower than this (ms) as `slow`. */
  slowThreshold?: number;
  /** Count requests slower than this (ms) as `over`. */
  overThreshold?: number;
  /** The percentile reported as `p99` (99 unless set). */
  percentile?: number;
}

export type Side = 'canary' | 'baseline';

/** How the simulated service behaves. */
export interface ModelOptions {
  seed: number;
  /** When the simulation starts (epoch ms); scenario minutes count from here. */
  start: number;
  scenario: Scenario;
  /** The minute (from `start`) a regression, leak or host failure begins. */
  at?: number;
  /** Requests per minute to the whole service (stable + canary); `low-traffic` forces 30. */
  rpm?: number;
  /** How long after a minute ends its datapoints are published. */
  publicationDelay?: number;
  /**
   * An A/B experiment: A (stable) fails {@link AB_ERROR_RATE} of requests and B (the canary) that rate
   * changed by this fraction (−0.5 is half as many errors: B better; +0.5 half as many more: B worse).
   */
  bEffect?: number;
  /**
   * Replaces the scenario's canary behaviour: the canary's profile at a minute from the start (the
   * benches' scenarios). The baseline stays healthy.
   */
  canary?: (minute: number) => Profile;
}

/** A's error rate in an A/B experiment (`bEffect`): high enough that an hour at 50/50 can tell B from A. */
export const AB_ERROR_RATE = 0.005;

/** A custom A/B metric's count per request on A (orders per request, say) in the simulation. */
export const AB_METRIC_RATE = 0.05;

const MIN = 60_000;

/**
 * The seeded traffic model: requests per minute split by the canary's share of traffic over time,
 * canary and baseline error, latency and host-health profiles, and publication delay. Pure over its
 * inputs: the same seed, scenario and weight history always give the same minutes.
 */
export class TrafficModel {
  readonly seed: number;
  readonly start: number;
  readonly scenario: Scenario;
  readonly at: number;
  readonly rpm: number;
  readonly publicationDelay: number;
  readonly bEffect: number | null;
  /** Canary share changes, in time order: from `at` (epoch ms) the canary gets `share` percent. */
  private readonly shares: { at: number; share: number }[] = [];
  private readonly custom: ((minute: number) => Profile) | undefined;

  constructor(options: ModelOptions) {
    this.custom = options.canary;
    this.seed = options.seed >>> 0;
    this.start = options.start;
    this.scenario = options.scenario;
    this.at = options.at ?? 10;
    this.rpm = options.scenario === 'low-traffic' ? 30 : (options.rpm ?? 2000);
    this.publicationDelay = options.publicationDelay ?? 90_000;
    this.bEffect = options.bEffect ?? null;
    this.shares.push({ at: Number.NEGATIVE_INFINITY, share: 0 });
  }

  /** Records that from `at` on the canary receives `share` percent of the traffic. */
  setShare(at: number, share: number): void {
    const last = this.shares[this.shares.length - 1]!;
    if (at < last.at) throw new Error(`setShare(${at}) is earlier than the last change (${last.at})`);
    if (last.share === share) return;
    if (last.at === at) last.share = share;
    else this.shares.push({ at, share });
  }

  /** The canary's share (percent) at an instant. */
  shareAt(time: number): number {
    let share = 0;
    for (const change of this.shares) if (change.at <= time) share = change.share;
    return share;
  }

  /** The canary's average share over the minute starting at `minute`. */
  averageShare(minute: number): number {
    const end = minute + MIN;
    let total = 0;
    let from = minute;
    let share = this.shareAt(minute);
    for (const change of this.shares) {
      if (change.at <= minute || change.at >= end) continue;
      total += share * (change.at - from);
      from = change.at;
      share = change.share;
    }
    total += share * (end - from);
    return total / MIN;
  }

  /** True once the minute starting at `minute` is published, at `now`. */
  published(minute: number, now: number): boolean {
    return minute + MIN + this.publicationDelay <= now;
  }

  /**
   * The statistics of one side over the minute starting at `minute` (aligned to a minute); with
   * `slowThreshold` (ms), also how many requests were slower than it.
   */
  minute(side: Side, minute: number, counts: number | SampleOptions = {}): Minute {
    const aligned = Math.floor(minute / MIN) * MIN;
    return this.sample(side, aligned, this.averageShare(aligned), counts);
  }

  /**
   * One minute of one side when the canary had `sharePercent` of the traffic, whatever the recorded
   * history says (for a fake CloudWatch that reads the weights off a fake load balancer). Each request
   * gets a latency from the side's log-normal profile; the reported percentile (nearest rank, as
   * CloudWatch computes it) and the slow counts come from those same latencies, so their noise is the
   * real thing at every request count. A number for `counts` is the slow threshold.
   */
  sample(side: Side, minute: number, sharePercent: number, counts: number | SampleOptions = {}): Minute {
    const options = typeof counts === 'number' ? { slowThreshold: counts } : counts;
    const aligned = Math.floor(minute / MIN) * MIN;
    // Seeded by the minute's index from the start, so a run is the same whenever it starts.
    const index = Math.round((aligned - Math.floor(this.start / MIN) * MIN) / MIN);
    const random = mulberry32(hashSeed(this.seed, index, side));
    const share = sharePercent / 100;
    const mean = this.rpm * (side === 'canary' ? share : 1 - share);
    const requests = poisson(random, mean);
    const since = (aligned - this.start) / MIN;
    const profile = this.experiment(side === 'canary' ? this.canaryProfile(since) : BASELINE, side);
    const hosts = { healthy: profile.hosts - profile.unhealthy, unhealthy: profile.unhealthy };
    const asked = {
      ...(options.slowThreshold === undefined ? {} : { slow: null }),
      ...(options.overThreshold === undefined ? {} : { over: null }),
    };
    if (requests === 0) return { requests: null, errors: null, p99: null, ...asked, ...hosts };
    const burst = Math.max(1, Math.round(profile.burst ?? 1));
    const errors =
      burst === 1
        ? binomial(random, requests, profile.errorRate)
        : Math.min(requests, burst * binomial(random, Math.ceil(requests / burst), profile.errorRate));
    // Latencies from their own generator, so the counts above do not depend on how many were drawn.
    const latencies = sampleLatencies(
      mulberry32(hashSeed(this.seed, index, side, 'latency')),
      requests,
      profile.p99,
    );
    const out: Minute = {
      requests,
      errors,
      p99: Math.round(nearestRank(latencies, options.percentile ?? 99) * 10) / 10,
      latencies,
      ...hosts,
    };
    if (options.slowThreshold !== undefined) out.slow = countAbove(latencies, options.slowThreshold);
    if (options.overThreshold !== undefined) out.over = countAbove(latencies, options.overThreshold);
    return out;
  }

  /**
   * A custom A/B metric's count over a window of one side with `requests` requests: each request counts
   * with probability {@link AB_METRIC_RATE} on A; on B that rate is moved by `bEffect` in the metric's
   * better direction when B is better (`bEffect` below 0), against it when B is worse. Seeded by the
   * window, the side and the metric, so a run is repeatable.
   */
  abCount(
    side: Side,
    windowStart: number,
    metric: string,
    better: 'higher' | 'lower',
    requests: number,
  ): number {
    const index = Math.round((windowStart - this.start) / MIN);
    const random = mulberry32(hashSeed(this.seed, index, side, `ab:${metric}`));
    const effect = side === 'canary' && this.bEffect !== null ? this.bEffect : 0;
    const rate = AB_METRIC_RATE * (better === 'lower' ? 1 + effect : 1 - effect);
    return binomial(random, requests, Math.min(Math.max(rate, 0), 1));
  }

  /** In an A/B experiment, A's error rate is {@link AB_ERROR_RATE} and B's that changed by `bEffect`. */
  private experiment(profile: Profile, side: Side): Profile {
    if (this.bEffect === null) return profile;
    const rate = side === 'canary' ? AB_ERROR_RATE * (1 + this.bEffect) : AB_ERROR_RATE;
    return { ...profile, errorRate: Math.max(profile.errorRate - HEALTHY_CANARY.errorRate + rate, 0) };
  }

  private canaryProfile(since: number): Profile {
    if (this.custom) return this.custom(since);
    const after = since - this.at;
    switch (this.scenario) {
      case 'healthy':
      case 'low-traffic':
        return HEALTHY_CANARY;
      case 'step-regression':
        return after >= 0 ? { ...HEALTHY_CANARY, errorRate: 0.06, p99: 460 } : HEALTHY_CANARY;
      case 'slow-leak':
        return after >= 0
          ? {
              ...HEALTHY_CANARY,
              p99: HEALTHY_CANARY.p99 + 25 * (after + 1),
              errorRate: HEALTHY_CANARY.errorRate + 0.0004 * (after + 1),
            }
          : HEALTHY_CANARY;
      case 'host-failure':
        return after >= 0 ? { ...HEALTHY_CANARY, errorRate: 0.02, unhealthy: 2 } : HEALTHY_CANARY;
    }
  }
}

/** Spread of the latency distribution: log-normal with σ = 0.5 in log space (as the gate bench). */
const LATENCY_SIGMA = 0.5;
/** z such that Φ(z) = 0.99. */
const Z99 = 2.326348;

/**
 * P(latency > T) for one request when latencies are log-normal with the given true p99 and
 * {@link LATENCY_SIGMA}: `1 − Φ(z₉₉ + ln(T/p99)/σ)`. Exactly 1% at T = p99.
 */
export function slowerThan(p99: number, threshold: number): number {
  if (threshold <= 0) return 1;
  return normalUpperTail(Z99 + Math.log(threshold / p99) / LATENCY_SIGMA);
}

/** 1 − Φ(z), from erfc (Abramowitz & Stegun 7.1.26, absolute error below 1.5e-7). */
function normalUpperTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erfc = poly * Math.exp(-x * x);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/** `n` log-normal latencies (σ = {@link LATENCY_SIGMA}) whose true p99 is `p99`, sorted. */
export function sampleLatencies(random: () => number, n: number, p99: number): Float64Array {
  const median = p99 / Math.exp(Z99 * LATENCY_SIGMA);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = median * Math.exp(LATENCY_SIGMA * normal(random));
  return out.sort();
}

/**
 * Parses `--b-effect`: `better` (B fails half as many requests as A), `worse` (half as many more),
 * `none` (B as A), or a signed change of B's error rate such as `-30%` or `+80%`, from −90% to +400%.
 * The custom A/B metrics move the same way, in each one's better direction.
 */
export function parseBEffect(input: string, value: string): number {
  const text = value.trim();
  if (text === 'better') return -0.5;
  if (text === 'worse') return 0.5;
  if (text === 'none') return 0;
  const match = /^([+-])(\d+(?:\.\d+)?)%$/.exec(text);
  const change = match ? (match[1] === '-' ? -1 : 1) * Number(match[2]) : NaN;
  if (!Number.isFinite(change) || change < -90 || change > 400 || change === 0)
    throw new InputError(
      input,
      value,
      "'better', 'worse', 'none' or a signed change of B's error rate from -90% to +400%, such as -30%",
    );
  return change / 100;
}

/** The nearest-rank percentile of sorted values (CloudWatch's definition): the ⌈p/100·n⌉-th smallest. */
export function nearestRank(sorted: Float64Array, percentile: number): number {
  const rank = Math.max(1, Math.ceil(Number(((percentile / 100) * sorted.length).toFixed(9))));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** How many sorted values are above `threshold` (binary search). */
export function countAbove(sorted: Float64Array, threshold: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= threshold) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length - lo;
}

/** The stable target group, always healthy. */
export const BASELINE: Profile = { errorRate: 0.001, p99: 170, hosts: 10, unhealthy: 0 };
/** The canary when it behaves. */
export const HEALTHY_CANARY: Profile = { errorRate: 0.001, p99: 180, hosts: 4, unhealthy: 0 };
