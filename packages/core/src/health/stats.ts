/**
 * Anytime-valid statistics for the health judge.
 *
 * Every test here is built on a nonnegative (super)martingale under the null hypothesis, so by Ville's
 * inequality the probability that it *ever* reaches `1/α` is at most `α`, however often it is looked at.
 * That is what lets the judge re-evaluate after every metric window and stop at the first clear breach
 * without inflating the false-alarm rate (Lindon, Sanden & Shirikian, "Rapid Regression Detection in
 * Software Deployments through Sequential Testing", KDD 2022, arXiv:2205.14762; Howard, Ramdas,
 * McAuliffe & Sekhon, "Time-uniform, nonparametric, nonasymptotic confidence sequences", Annals of
 * Statistics 49(2), 2021, arXiv:1810.08240).
 */

const LANCZOS = [
  676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.61503916999186, 12.507343278686905,
  -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7; relative error below 1e-13 on the range used here). */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let sum = 0.9999999999998099;
  for (let i = 0; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i + 1);
  const t = z + LANCZOS.length - 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** ln B(a, b), the log of the beta function. */
export function lnBeta(a: number, b: number): number {
  return lnGamma(a) + lnGamma(b) - lnGamma(a + b);
}

/** A Beta(a, b) mixing distribution over the unknown rate. */
export interface BetaPrior {
  a: number;
  b: number;
}

/**
 * The mixing distribution for a rate judged against `threshold`: Beta(1/2, (1 − θ)/(2θ)), whose mean is
 * the threshold θ and whose weight is half an observation (so the data dominate after a few events).
 * Putting the mixing mass where the decision is made is what gives the test its power at low traffic
 * (Howard et al. 2021, §3.5: the mixture should be tuned to the sample size and rates of interest);
 * any fixed choice keeps the guarantee, because the prior is fixed before any data are seen.
 */
export function priorFor(threshold: number): BetaPrior {
  const theta = Math.min(Math.max(threshold, 1e-6), 1 - 1e-6);
  return { a: 0.5, b: (0.5 * (1 - theta)) / theta };
}

/**
 * ln of the beta-binomial mixture martingale for the rate `p` after `successes` in `trials`:
 * `M_t(p) = ∫ q^S (1−q)^(n−S) dBeta(q; a, b) / (p^S (1−p)^(n−S))`. Under a true rate `p` this is a
 * nonnegative martingale with initial value 1 (Robbins 1970, "Statistical methods related to the law of
 * the iterated logarithm", Ann. Math. Statist. 41(5); Howard et al. 2021, Prop. 7).
 */
export function lnMixtureMartingale(successes: number, trials: number, p: number, prior: BetaPrior): number {
  const failures = trials - successes;
  const lnMix = lnBeta(prior.a + successes, prior.b + failures) - lnBeta(prior.a, prior.b);
  const lnNull =
    (successes > 0 ? successes * Math.log(p) : 0) + (failures > 0 ? failures * Math.log1p(-p) : 0);
  return lnMix - lnNull;
}

/**
 * ln of the evidence that a binomial rate is above `threshold`: `inf_{p ≤ θ} M_t(p)`, the smallest
 * mixture martingale over every rate the null allows. The martingale is smallest at the observed rate,
 * so this is `M_t(θ)` when the observed rate is above θ and at most 1 otherwise. It reaches `1/α`
 * exactly when the lower end of {@link rateConfidenceSequence} is above θ, and under any true rate
 * p ≤ θ it is at most `M_t(p)`, a test martingale, so it may be multiplied with other e-processes over
 * other windows (a product whose every factor is a supermartingale step stays one; Ville's inequality).
 */
export function lnRateEvidenceAbove(
  successes: number,
  trials: number,
  threshold: number,
  prior: BetaPrior,
): number {
  if (trials <= 0) return 0;
  const p = Math.min(Math.max(successes / trials, 1e-12), threshold);
  return lnMixtureMartingale(successes, trials, p, prior);
}

/** A two-sided interval for a rate, as fractions in [0, 1]. */
export interface Interval {
  lower: number;
  upper: number;
}

/**
 * The confidence sequence for a binomial rate: every `p` whose mixture martingale has not reached
 * `1/α`. With probability at least `1 − α` the true rate lies inside the interval *at every time at
 * once*, so it may be recomputed after each window. `M_t(p)` is convex-shaped in `p` with its minimum
 * at the observed rate, so each end is found by bisection.
 */
export function rateConfidenceSequence(
  successes: number,
  trials: number,
  alpha: number,
  prior: BetaPrior,
): Interval {
  if (trials <= 0) return { lower: 0, upper: 1 };
  const bound = Math.log(1 / alpha);
  const inside = (p: number) => lnMixtureMartingale(successes, trials, p, prior) < bound;
  const mle = successes / trials;
  const search = (outer: number, inner: number): number => {
    // `inner` is inside the set, `outer` may or may not be.
    if (inside(outer)) return outer;
    let out = outer;
    let inn = inner;
    for (let i = 0; i < 60; i++) {
      const mid = (out + inn) / 2;
      if (inside(mid)) inn = mid;
      else out = mid;
    }
    return inn;
  };
  const centre = Math.min(Math.max(mle, 1e-12), 1 - 1e-12);
  return {
    lower: successes === 0 ? 0 : search(1e-12, centre),
    upper: successes === trials ? 1 : search(1 - 1e-12, centre),
  };
}

/** P(X ≥ k) for X ~ Binomial(n, p), summed in log space so large `n` stays exact enough. */
export function binomialUpperTail(n: number, p: number, k: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  let total = 0;
  const lp = Math.log(p);
  const lq = Math.log1p(-p);
  const lnFactN = lnGamma(n + 1);
  for (let i = k; i <= n; i++) {
    const term = lnFactN - lnGamma(i + 1) - lnGamma(n - i + 1) + i * lp + (n - i) * lq;
    total += Math.exp(term);
    if (term < -50 && i > n * p) break;
  }
  return Math.min(1, total);
}

/**
 * How likely a window's reported percentile is to exceed a threshold that the *true* percentile does
 * not exceed, when at most `share` of requests may be slower (0.01 for p99). CloudWatch reports a
 * window's percentile as a nearest-rank percentile of that window's requests, so the reported value is
 * above T exactly when at least `n − ⌈(1 − share)·n⌉ + 1` requests took longer than T. If the true
 * percentile is at most T, each request is slower than T with probability at most `share`, so that
 * event has probability at most P(Binomial(n, share) ≥ n − ⌈(1 − share)·n⌉ + 1), whatever the latency
 * distribution. For p99: with one request the bound is 1%; with 50 it is 39.5%; it tends to ½.
 */
export function percentileExceedanceBound(requests: number, share: number): number {
  const n = Math.max(1, Math.round(requests));
  const rank = Math.ceil(Number(((1 - share) * n).toFixed(9)));
  return binomialUpperTail(n, share, n - rank + 1);
}

/** {@link percentileExceedanceBound} for the p99. */
export function p99ExceedanceBound(requests: number): number {
  return percentileExceedanceBound(requests, 0.01);
}

/**
 * The betting fractions of the window-exceedance e-process: the alternative "a window exceeds with
 * probability ρ = π + s·(1 − π)" for each `s`, mixed with equal weights (a mixture of test martingales
 * is a test martingale). Several fractions keep the test from being ruined by one quiet window while a
 * bold one lets a clear regression stop within a few windows.
 */
const BETS = [0.5, 0.8, 0.95];

/**
 * ln of the e-process for "windows exceed a limit no more often than their null bounds `π_i`", given
 * each window's outcome. Each factor `x·ρ/π + (1 − x)(1 − ρ)/(1 − π)` has expectation at most 1 when
 * the exceedance probability is at most π, so the running product is a nonnegative supermartingale
 * (a sequential probability ratio / betting test; Shafer & Vovk, "Game-Theoretic Foundations for
 * Probability and Finance", 2019; Waudby-Smith & Ramdas, JRSS-B 2024, arXiv:2010.09686).
 */
export function lnExceedanceEvidence(outcomes: readonly { exceeded: boolean; nullBound: number }[]): number {
  const logs = BETS.map((s) => {
    let ln = 0;
    for (const { exceeded, nullBound } of outcomes) {
      const pi = Math.min(Math.max(nullBound, 1e-9), 1 - 1e-9);
      const rho = pi + s * (1 - pi);
      ln += exceeded ? Math.log(rho / pi) : Math.log((1 - rho) / (1 - pi));
    }
    return ln;
  });
  const max = Math.max(...logs);
  return max + Math.log(logs.reduce((sum, l) => sum + Math.exp(l - max), 0) / logs.length);
}
