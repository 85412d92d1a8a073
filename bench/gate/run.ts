// Gate quality: seeded canary scenarios judged by shiftgate's sequential judge and by the naive
// per-window rule (each window compared with the thresholds on its own, as in Flagger/Argo-style
// decision trees). Prints false-rollback rate on healthy canaries, miss rate on regressions and the
// median number of windows from onset to rollback, side by side. Canary windows carry `slow` (the
// requests slower than max-p99-latency, as CloudWatch's PR(:T) gives it) counted from the same latencies
// as the p99; rows marked "p99 only" leave it out, to show the per-window p99 test it replaces.
//
//   npx tsx bench/gate/run.ts [--runs 1000] [--seed 20260101]
import { parseGates, replay, type Gates, type MetricWindow, type SideStats } from '@shiftgate/core';
import { mulberry32, normal } from '@shiftgate/cli';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const RUNS = flag('--runs', 1000);
const SEED = flag('--seed', 20260101);
const PERIOD = 60_000;
const GATES = parseGates({}); // the defaults: 1%, 500ms, +20%, 95%, 100 requests, 5m, 95%, rollback
const MAX_WINDOWS = flag('--max-windows', 25); // max-bake-time: bake-and-gate's default, five times bake-time

function binomial(random: () => number, n: number, p: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (random() < p) k++;
  return k;
}

/**
 * `n` lognormal latencies with the given true p99 (σ = 0.5 in log space): their nearest-rank p99 and
 * how many are slower than `threshold` — both from the same requests, as ALB's p99 and PR(:T) are.
 */
function windowLatency(
  random: () => number,
  n: number,
  trueP99: number,
  threshold: number,
): { p99: number | null; slow: number | null } {
  if (n === 0) return { p99: null, slow: null };
  const sigma = 0.5;
  const median = trueP99 / Math.exp(2.3263 * sigma);
  const values = Array.from({ length: n }, () => median * Math.exp(sigma * normal(random))).sort(
    (a, b) => a - b,
  );
  return { p99: values[Math.ceil(0.99 * n) - 1]!, slow: values.filter((v) => v > threshold).length };
}

interface Phase {
  errorRate: number;
  p99: number;
  /** Unhealthy canary hosts out of 4 (blips: one host flaps in 5% of windows when 0). */
  down: number;
}

interface Scenario {
  name: string;
  kind: 'healthy' | 'regression';
  /** Requests per minute across both target groups, and the canary's share. */
  rpm: number;
  share: number;
  /** Window index from which `bad` applies (regressions). */
  onset: number;
  good: Phase;
  bad?: Phase;
  /** False: canary windows carry no slow count (the p99-only judge from before PR(:T) was read). */
  percentRank?: boolean;
}

const ONLY = args.includes('--only') ? args[args.indexOf('--only') + 1]! : '';
const GOOD: Phase = { errorRate: 0.005, p99: 250, down: 0 };
const ALL_SCENARIOS: Scenario[] = [
  { name: 'healthy, 5% of 1,000 req/min', kind: 'healthy', rpm: 1000, share: 0.05, onset: 0, good: GOOD },
  { name: 'healthy, 1% of 1,000 req/min', kind: 'healthy', rpm: 1000, share: 0.01, onset: 0, good: GOOD },
  { name: 'healthy, 25% of 1,000 req/min', kind: 'healthy', rpm: 1000, share: 0.25, onset: 0, good: GOOD },
  { name: 'healthy, 5% of 20,000 req/min', kind: 'healthy', rpm: 20000, share: 0.05, onset: 0, good: GOOD },
  {
    name: 'errors 5× threshold (5%), 5% of 1,000',
    kind: 'regression',
    rpm: 1000,
    share: 0.05,
    onset: 0,
    good: GOOD,
    bad: { ...GOOD, errorRate: 0.05 },
  },
  {
    name: 'p99 1.5× threshold (750ms), 5% of 1,000',
    kind: 'regression',
    rpm: 1000,
    share: 0.05,
    onset: 0,
    good: GOOD,
    bad: { ...GOOD, p99: 750 },
  },
  {
    name: 'half the hosts down, 5% of 1,000',
    kind: 'regression',
    rpm: 1000,
    share: 0.05,
    onset: 0,
    good: GOOD,
    bad: { ...GOOD, down: 2 },
  },
  {
    name: 'errors 5× from minute 3, 5% of 1,000',
    kind: 'regression',
    rpm: 1000,
    share: 0.05,
    onset: 3,
    good: GOOD,
    bad: { ...GOOD, errorRate: 0.05 },
  },
  // Last, so the rows above keep their seeds.
  {
    name: 'p99 1.5× threshold (750ms), 5% of 1,000, p99 only',
    kind: 'regression',
    rpm: 1000,
    share: 0.05,
    onset: 0,
    good: GOOD,
    bad: { ...GOOD, p99: 750 },
    percentRank: false,
  },
];

const SCENARIOS = ALL_SCENARIOS.filter((s) => s.name.includes(ONLY));

function simulate(random: () => number, s: Scenario): MetricWindow[] {
  return Array.from({ length: MAX_WINDOWS }, (_, i) => {
    const phase = s.bad && i >= s.onset ? s.bad : s.good;
    const canaryRequests = binomial(random, s.rpm, s.share);
    const baselineRequests = s.rpm - canaryRequests;
    const blip = phase.down === 0 && random() < 0.05 ? 1 : 0;
    const errors = binomial(random, canaryRequests, phase.errorRate);
    const latency = windowLatency(random, Math.min(canaryRequests, 4000), phase.p99, GATES.maxP99Latency);
    const canary: SideStats = {
      requests: canaryRequests,
      errors,
      p99: latency.p99,
      ...(s.percentRank === false ? {} : { slow: latency.slow }),
      healthy: 4 - phase.down - blip,
      unhealthy: phase.down + blip,
    };
    const baseline: SideStats = {
      requests: baselineRequests,
      errors: binomial(random, baselineRequests, GOOD.errorRate),
      p99: windowLatency(random, Math.min(baselineRequests, 4000), GOOD.p99, GATES.maxP99Latency).p99,
      healthy: 20,
      unhealthy: 0,
    };
    return { canary, baseline };
  });
}

/** The classic rule: roll back at the first window that breaks a threshold on its own. */
function naive(gates: Gates, windows: MetricWindow[]): { decision: string; at: number | null } {
  let requests = 0;
  for (let i = 0; i < windows.length; i++) {
    const { canary: c, baseline: b } = windows[i]!;
    if (!c) continue;
    requests += c.requests ?? 0;
    const rate = c.requests ? (100 * (c.errors ?? 0)) / c.requests : 0;
    const healthyPct =
      c.healthy !== null && c.unhealthy !== null ? (100 * c.healthy) / (c.healthy + c.unhealthy) : 100;
    const breach =
      rate > gates.maxErrorRate ||
      (c.p99 !== null && c.p99 > gates.maxP99Latency) ||
      (c.p99 !== null && b?.p99 && c.p99 > b.p99 * (1 + gates.maxLatencyIncrease / 100)) ||
      healthyPct < gates.minHealthyPercent;
    if (breach) return { decision: 'rollback', at: i };
    if ((i + 1) * PERIOD >= gates.bakeTime && requests >= gates.minRequests)
      return { decision: 'promote', at: i };
  }
  return { decision: 'rollback', at: null };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface Tally {
  rollbacks: number;
  delays: number[];
}

const rows: string[][] = [];
const started = Date.now();
let scenarioIndex = 0;
for (const scenario of SCENARIOS) {
  const random = mulberry32(SEED + 7919 * scenarioIndex++);
  const ours: Tally = { rollbacks: 0, delays: [] };
  const theirs: Tally = { rollbacks: 0, delays: [] };
  for (let run = 0; run < RUNS; run++) {
    const windows = simulate(random, scenario);
    const judged = replay(GATES, windows, { period: PERIOD });
    const classic = naive(GATES, windows);
    for (const [tally, decision, at] of [
      [ours, judged.decision, judged.decidedAtWindow],
      [theirs, classic.decision, classic.at],
    ] as const) {
      if (decision !== 'rollback') continue;
      tally.rollbacks++;
      // Windows observed from the onset to the rollback, inclusive: 1 = rolled back on the first bad window.
      if (at !== null && at >= scenario.onset) tally.delays.push(at - scenario.onset + 1);
    }
  }
  const pct = (n: number) => `${((100 * n) / RUNS).toFixed(1)}%`;
  const med = (t: Tally) => {
    const m = median(t.delays);
    return m === null ? '—' : String(m);
  };
  if (scenario.kind === 'healthy') {
    rows.push([scenario.name, 'false rollback', pct(ours.rollbacks), pct(theirs.rollbacks), '—', '—']);
  } else {
    rows.push([
      scenario.name,
      'miss',
      pct(RUNS - ours.rollbacks),
      pct(RUNS - theirs.rollbacks),
      med(ours),
      med(theirs),
    ]);
  }
}

const header = [
  'scenario',
  'measure',
  'shiftgate',
  'naive',
  'median windows onset→rollback (shiftgate)',
  '(naive)',
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
console.log(
  `gate bench: ${RUNS} seeded runs per scenario (seed ${SEED}), 60s windows, bake-time 5m, max-bake-time ${MAX_WINDOWS}m, default gates`,
);
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));
console.log(`(${((Date.now() - started) / 1000).toFixed(1)}s)`);
