/**
 * Change detection that stays anytime-valid: a finite-horizon Shiryaev–Roberts e-detector over
 * per-window likelihood ratios (Shin, Ramdas & Rinaldo, "E-detectors: a nonparametric framework for
 * sequential change detection", 2023, arXiv:2203.03532).
 *
 * For every possible start window s and every alternative j, `M_{s,t} = Π_{w=s..t} L_{w,j}` is a test
 * (super)martingale from s on when no window breaks the null. The detector is
 * `E_t = (1/T)[Σ_{s≤t} mean_j M_{s,t} + (T − t)]`: the average, over the T possible starts, of T
 * processes that each start at 1 and stay 1 until their start. An average of test supermartingales is
 * one, so by Ville's inequality `P(E_t ever ≥ 1/α within T windows) ≤ α` under the null, however the
 * bake is watched. The `s = 1` term is the pooled test over all evidence, so the detector is never
 * slower than pooling by more than the factor T, and a regression that starts late is judged on the
 * windows since it started instead of being diluted by the healthy ones before it.
 */

/** The alternatives mixed with equal weight: the rate (or rate ratio) is this many times the null's. */
export const DETECTOR_ALTERNATIVES = [1.5, 2, 3, 5, 10] as const;

/**
 * The most one window may add to the evidence, in nats (e^6 ≈ 403). Likelihood ratios assume that
 * requests fail independently; errors and slow requests often come in bursts (a retry storm, a GC
 * pause), and one burst would otherwise be overwhelming evidence on its own: 10 errors among 50
 * requests, or 30 among 900 where 9 are allowed (four standard deviations of a bursty count, forty of
 * an independent one). Capping a window's ratio keeps it an e-value under independence (it only gets
 * smaller), and under bursts means a false alarm needs at least two bursty windows close together:
 * with a plan's bound near e^10, one burst is never enough. The price is that even a flood of evidence
 * needs two windows to roll back.
 */
export const WINDOW_CAP = 6;

/** ln(e^a + e^b) without overflow. */
export function logAddExp(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY) return b;
  if (b === Number.NEGATIVE_INFINITY) return a;
  const max = Math.max(a, b);
  return max + Math.log(Math.exp(a - max) + Math.exp(b - max));
}

/** ln of the mean of e^x over the values. */
export function logMeanExp(values: readonly number[]): number {
  const max = Math.max(...values);
  if (max === Number.NEGATIVE_INFINITY) return max;
  return max + Math.log(values.reduce((sum, v) => sum + Math.exp(v - max), 0) / values.length);
}

/**
 * ln of the binomial likelihood ratio of `x` events in `n` trials for the rate `q` against the rate
 * `p`: `x·ln(q/p) + (n − x)·ln((1 − q)/(1 − p))`. For `q > p` it grows with `x`, so its expectation
 * under any rate at most `p` is at most 1.
 */
export function lnBinomialRatio(x: number, n: number, p: number, q: number): number {
  return (
    (x > 0 ? x * Math.log(q / p) : 0) + (n - x > 0 ? (n - x) * Math.log1p(-q) - (n - x) * Math.log1p(-p) : 0)
  );
}

/**
 * One window's ln-ratios, one per alternative, for "the rate is above `threshold`" from `events` in
 * `trials` (each alternative `c·θ`, at most 0.999), capped at {@link WINDOW_CAP}.
 */
export function rateWindow(events: number, trials: number, threshold: number): number[] {
  const p = Math.min(Math.max(threshold, 1e-9), 0.999);
  return DETECTOR_ALTERNATIVES.map((c) =>
    Math.min(WINDOW_CAP, lnBinomialRatio(events, trials, p, Math.min(0.999, Math.max(c * p, p + 1e-9)))),
  );
}

/**
 * One window's ln-ratios for "the canary's requests over its threshold are a larger share of all
 * requests over the thresholds than the canary's share of requests", one per alternative rate ratio
 * `r`. Given `k = over_c + over_b` requests over their thresholds, the canary's count is
 * Binomial(k, π) with `π ≤ π₀ = n_c/(n_c + n_b)` whenever the canary's share over its threshold is at
 * most the baseline's (Poisson counts, conditioned on their sum: the classic two-sample rate test).
 * The alternative is `π = r·π₀/(r·π₀ + 1 − π₀)`.
 */
export function ratioWindow(
  canary: { over: number; requests: number },
  baseline: { over: number; requests: number },
): number[] {
  const k = canary.over + baseline.over;
  const pi0 = canary.requests / (canary.requests + baseline.requests);
  if (k === 0 || pi0 <= 0 || pi0 >= 1) return DETECTOR_ALTERNATIVES.map(() => 0);
  return DETECTOR_ALTERNATIVES.map((r) => {
    const pi1 = (r * pi0) / (r * pi0 + 1 - pi0);
    return Math.min(WINDOW_CAP, lnBinomialRatio(canary.over, k, pi0, pi1));
  });
}

/** The detector's state after the windows so far. */
export interface Detection {
  /** ln E_t. */
  lnE: number;
  /** 0-based index (among the windows given) of the start that carries the most evidence; null with none. */
  since: number | null;
}

/**
 * ln of the Shiryaev–Roberts e-detector after the given windows (each an array of ln-ratios, one per
 * alternative), for a horizon of `horizon` windows (at least the number of windows).
 * `R_j(t) = L_{t,j}(R_j(t−1) + 1)` sums the products over every start, so this is linear in the windows.
 */
export function shiryaevRoberts(windows: readonly (readonly number[])[], horizon: number): Detection {
  const t = windows.length;
  const T = Math.max(horizon, t, 1);
  if (t === 0) return { lnE: 0, since: null };
  const alternatives = windows[0]!.length;
  const lnR = new Array<number>(alternatives).fill(Number.NEGATIVE_INFINITY);
  // Per start, the best alternative's product up to now (for `since`): kept as suffix sums.
  const suffix: number[] = [];
  for (const ratios of windows) {
    for (let j = 0; j < alternatives; j++) lnR[j] = logAddExp(lnR[j]!, 0) + ratios[j]!;
    const best = Math.max(...ratios);
    for (let s = 0; s < suffix.length; s++) suffix[s] = suffix[s]! + best;
    suffix.push(best);
  }
  const sum = logMeanExp(lnR);
  const lnE = (T > t ? logAddExp(sum, Math.log(T - t)) : sum) - Math.log(T);
  let since = 0;
  for (let s = 1; s < suffix.length; s++) if (suffix[s]! > suffix[since]!) since = s;
  return { lnE, since };
}
