// Whole-plan bench: every strategy's defaults × canary scenarios × seeds, played against the seeded
// simulator (per-window percentiles and counts from sampled latencies, 90 s publication delay, 60 s
// polls) and judged by shiftgate's judge and by two reference rules on the same traffic (the same
// seed gives the same requests): the naive per-window threshold rule and a CloudWatch-alarm rule
// (3 of 3 one-minute datapoints over a threshold, as CodeDeploy's alarm rollback).
//
//   npm run bench:plans -- [--seeds 500] [--seed 1] [--only <text>] [--strategies canary,linear]
import { STRATEGY_NAMES, type StrategyName } from '@shiftgate/core';
import { hashSeed, mulberry32 } from '@shiftgate/cli';
import { SCENARIOS } from './scenarios';
import { alarm, naive, playPlan, shiftgate, type Policy } from './simulate';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const SEEDS = Number(flag('--seeds', '500'));
const BASE = Number(flag('--seed', '1'));
const ONLY = flag('--only', '');
const STRATEGIES = flag('--strategies', STRATEGY_NAMES.join(','))
  .split(',')
  .filter((s): s is StrategyName => (STRATEGY_NAMES as readonly string[]).includes(s));
if (!Number.isInteger(SEEDS) || SEEDS < 1)
  throw new Error(`--seeds must be a whole number ≥ 1, got ${SEEDS}`);

const POLICIES: [string, Policy][] = [
  ['shiftgate', shiftgate],
  ['naive', naive],
  ['alarm 3/3', alarm],
];

function quantile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}
const fmt = (v: number | null, digits = 1) => (v === null ? '–' : v.toFixed(digits));

const started = Date.now();
console.log(`plans bench: ${SEEDS} seeds per cell, seeds ${BASE}…${BASE + SEEDS - 1}`);
console.log(
  '| strategy | scenario | policy | healthy promoted | regressions missed | onset → restored median / p95 (min) | API calls/min |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const strategy of STRATEGIES) {
  for (const scenario of SCENARIOS.filter((s) => s.name.includes(ONLY))) {
    for (const [name, policy] of POLICIES) {
      let promoted = 0;
      let regressions = 0;
      let missed = 0;
      let polls = 0;
      let minutes = 0;
      const detections: number[] = [];
      for (let i = 0; i < SEEDS; i++) {
        const seed = BASE + i;
        // The same seed, onset and traffic for every policy.
        const random = mulberry32(hashSeed(seed, strategy, scenario.name));
        const out = await playPlan({ strategy, scenario, seed, policy, random });
        polls += out.polls;
        minutes += out.minutes;
        if (out.promoted) promoted++;
        if (scenario.bad) {
          regressions++;
          if (out.promoted) missed++;
          if (out.detection !== null) detections.push(out.detection);
        }
      }
      const healthy = scenario.bad ? '–' : `${fmt((100 * promoted) / SEEDS)}%`;
      const miss = scenario.bad ? `${fmt((100 * missed) / regressions)}%` : '–';
      const times = scenario.bad
        ? `${fmt(quantile(detections, 0.5))} / ${fmt(quantile(detections, 0.95))}`
        : '–';
      console.log(
        `| ${strategy} | ${scenario.name} | ${name} | ${healthy} | ${miss} | ${times} | ${fmt(polls / Math.max(1, minutes), 2)} |`,
      );
    }
  }
}
console.log(`\n${((Date.now() - started) / 1000).toFixed(0)} s`);
