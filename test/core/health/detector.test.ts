import { describe, expect, it } from 'vitest';
import {
  DETECTOR_ALTERNATIVES,
  lnBinomialRatio,
  lnRateEvidenceAbove,
  priorFor,
  ratioWindow,
  rateWindow,
  shiryaevRoberts,
  WINDOW_CAP,
} from '@shiftgate/core';
import { binomial, mulberry32 } from '@shiftgate/cli';

/** Windows of `n` requests at rate `p` before `onset` and `q` from it on, as detector inputs. */
function run(random: () => number, windows: number, n: number, p: number, q = p, onset = windows) {
  return Array.from({ length: windows }, (_, i) => binomial(random, n, i >= onset ? q : p));
}

describe('the Shiryaev–Roberts e-detector', () => {
  it('raises a false alarm within its horizon in at most α of seeded runs at the threshold', () => {
    const random = mulberry32(7);
    const alpha = 0.05;
    const horizon = 25;
    let alarms = 0;
    for (let r = 0; r < 1000; r++) {
      const counts = run(random, horizon, 100, 0.01);
      const ratios: number[][] = [];
      for (const x of counts) {
        ratios.push(rateWindow(x, 100, 0.01));
        if (shiryaevRoberts(ratios, horizon).lnE >= Math.log(1 / alpha)) {
          alarms++;
          break;
        }
      }
    }
    expect(alarms / 1000).toBeLessThanOrEqual(alpha);
  });

  it('detects a regression that starts late in a few windows, where pooling from the start is still short', () => {
    const random = mulberry32(11);
    const bound = Math.log(20 * 25);
    const delays: number[] = [];
    let pooledLate = 0;
    for (let r = 0; r < 200; r++) {
      const counts = run(random, 40, 100, 0.002, 0.05, 25);
      const ratios: number[][] = [];
      for (let t = 0; t < counts.length; t++) {
        ratios.push(rateWindow(counts[t]!, 100, 0.01));
        if (shiryaevRoberts(ratios, 40).lnE >= bound) {
          delays.push(t - 25 + 1);
          const events = counts.slice(0, t + 1).reduce((a, b) => a + b, 0);
          if (lnRateEvidenceAbove(events, 100 * (t + 1), 0.01, priorFor(0.01)) < bound) pooledLate++;
          break;
        }
      }
    }
    delays.sort((a, b) => a - b);
    expect(delays.length).toBeGreaterThanOrEqual(198);
    expect(delays[0]).toBeGreaterThanOrEqual(1);
    expect(delays[Math.floor(delays.length / 2)]).toBeLessThanOrEqual(3);
    // At the detector's alarm, the pooled test over all windows has not reached the same bound yet.
    expect(pooledLate / delays.length).toBeGreaterThan(0.5);
  });

  it('is 1 before any window and says where the strongest evidence starts', () => {
    expect(shiryaevRoberts([], 10)).toEqual({ lnE: 0, since: null });
    const quiet = rateWindow(0, 100, 0.01);
    const loud = rateWindow(6, 100, 0.01);
    const d = shiryaevRoberts([quiet, quiet, loud, loud], 10);
    expect(d.since).toBe(2);
    // (T − t)/T of the mass stays on "no change yet": never below ln((T − t)/T).
    expect(shiryaevRoberts([quiet, quiet], 10).lnE).toBeGreaterThanOrEqual(Math.log(8 / 10));
  });
});

describe('per-window ratios', () => {
  it('have expectation at most 1 under the null for every alternative (exact binomial sums)', () => {
    for (const [n, p] of [
      [20, 0.01],
      [200, 0.01],
      [50, 0.1],
    ] as const) {
      for (const c of DETECTOR_ALTERNATIVES) {
        let mean = 0;
        for (let x = 0; x <= n; x++) {
          const lnP =
            lnBinomialRatio(x, n, 0.5, 0.5) + lnChoose(n, x) + x * Math.log(p) + (n - x) * Math.log1p(-p);
          mean += Math.exp(lnP + lnBinomialRatio(x, n, p, Math.min(0.999, c * p)));
        }
        expect(mean).toBeLessThanOrEqual(1 + 1e-9);
      }
    }
  });

  it('cap a window’s evidence, so one burst of errors is never enough on its own', () => {
    expect(Math.max(...rateWindow(10, 50, 0.01))).toBe(WINDOW_CAP);
    expect(Math.max(...rateWindow(30, 900, 0.01))).toBe(WINDOW_CAP);
    // Below the cap a window speaks for itself.
    expect(Math.max(...rateWindow(2, 100, 0.01))).toBeLessThan(WINDOW_CAP);
    expect(Math.max(...rateWindow(2, 100, 0.01))).toBeGreaterThan(0);
  });

  it('compare canary and baseline counts over their thresholds by the canary’s share of requests', () => {
    expect(ratioWindow({ over: 0, requests: 100 }, { over: 0, requests: 1900 })).toEqual(
      DETECTOR_ALTERNATIVES.map(() => 0),
    );
    // 1 of 20 over is the canary's 5% share: no evidence either way worth having.
    expect(Math.max(...ratioWindow({ over: 1, requests: 100 }, { over: 19, requests: 1900 }))).toBeLessThan(
      0.2,
    );
    // 8 of 27 over from 5% of the requests: strong evidence.
    expect(
      Math.max(...ratioWindow({ over: 8, requests: 100 }, { over: 19, requests: 1900 })),
    ).toBeGreaterThan(4);
  });
});

function lnChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log((n - k + i) / i);
  return s;
}
