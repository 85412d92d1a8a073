// One whole plan played against the seeded simulator, judged by a policy: shiftgate's judge (the very
// `judge` the bake loop calls, with the plan's error budget and the bake's horizon) or a reference rule.
// Windows are read the way the bake loop reads them: a one-minute window is published 90 s after it
// ends and read at the next 60 s poll, with the latency-increase thresholds from the latest baseline.
import {
  buildPlan,
  defaultMaxBakeTime,
  judge,
  overThresholds,
  parseGates,
  type Gates,
  type MetricWindow,
  type StrategyName,
} from '@shiftgate/core';
import { HEALTHY_CANARY, SimulatedMetricSource, TrafficModel, FaultPlan, type Profile } from '@shiftgate/cli';

const MIN = 60_000;
const DELAY = 90_000;
const START = Date.UTC(2026, 0, 1);

/** A canary behaviour: its profile before and after the onset, and the requests per minute. */
export interface PlanScenario {
  name: string;
  rpm: number;
  /** Null for a healthy canary throughout. */
  bad: Profile | null;
  /** A custom healthy profile (bursts of errors); default the simulator's healthy canary. */
  good?: Profile;
  /** Minutes after the onset: the profile at that minute (a leak grows); default `bad`. */
  grow?: (after: number) => Profile;
}

/** How windows are judged: `null` keeps baking, otherwise the bake's verdict. */
export type Policy = (input: {
  gates: Gates;
  windows: MetricWindow[];
  alpha: number;
  horizon: number;
  bakeWindows: number;
  baseline: boolean;
  final: boolean;
}) => 'promote' | 'rollback' | null;

/** shiftgate's judge, as the bake step calls it. */
export const shiftgate: Policy = ({ gates, windows, alpha, horizon, baseline, final }) => {
  const { decision } = judge(gates, windows, {
    period: MIN,
    alpha,
    horizon,
    final,
    ...(baseline ? {} : { baseline: false }),
  });
  if (decision === null) return null;
  // `inconclusive` (on-inconclusive: fail) does not promote either.
  return decision === 'promote' ? 'promote' : 'rollback';
};

/** Whether one window breaks a threshold on its own (error rate, p99, increase, healthy hosts). */
function breaks(gates: Gates, w: MetricWindow, baseline: boolean): boolean {
  const c = w.canary;
  if (!c || c.requests === null) return false;
  if (c.errors !== null && c.requests > 0 && (100 * c.errors) / c.requests > gates.maxErrorRate) return true;
  if (c.p99 !== null && c.p99 > gates.maxP99Latency) return true;
  const b = w.baseline;
  if (baseline && c.p99 !== null && b?.p99 && c.p99 > b.p99 * (1 + gates.maxLatencyIncrease / 100))
    return true;
  const hosts = (c.healthy ?? 0) + (c.unhealthy ?? 0);
  return hosts > 0 && (100 * (c.healthy ?? 0)) / hosts < gates.minHealthyPercent;
}

/** A rule that rolls back once `run` windows in a row break a threshold, and promotes after bake-time. */
function consecutive(run: number): Policy {
  return ({ gates, windows, bakeWindows, baseline }) => {
    let inRow = 0;
    for (const w of windows) {
      inRow = breaks(gates, w, baseline) ? inRow + 1 : 0;
      if (inRow >= run) return 'rollback';
    }
    return windows.length >= bakeWindows ? 'promote' : null;
  };
}

/** The naive rule: roll back at the first window that breaks a threshold on its own. */
export const naive = consecutive(1);
/** CodeDeploy-style alarm rollback: 3 of 3 one-minute datapoints over a threshold. */
export const alarm = consecutive(3);

/** How a plan ended. */
export interface PlanOutcome {
  promoted: boolean;
  /** Minutes from the regression's onset to the rollback (traffic restored), when both happened. */
  detection: number | null;
  /** Whether the regression started before the plan ended. */
  onsetSeen: boolean;
  minutes: number;
  polls: number;
}

/** The plan of a strategy's defaults (with the parameters some strategies need). */
export function defaultPlan(strategy: StrategyName) {
  const needs: Record<string, Record<string, string>> = {
    rolling: { cells: 'a,b,c,d' },
    'feature-flag': { 'flag-command': 'true' },
    saga: { services: 'orders,payments' },
  };
  return buildPlan(strategy, needs[strategy] ?? {}).steps;
}

/** Plays one plan. `random` picks the onset bake and minute for regressions. */
export async function playPlan(options: {
  strategy: StrategyName;
  scenario: PlanScenario;
  seed: number;
  policy: Policy;
  random: () => number;
  gates?: Gates;
}): Promise<PlanOutcome> {
  const gates = options.gates ?? parseGates({});
  const steps = defaultPlan(options.strategy);
  const bakes = steps.filter((s) => s.kind === 'bake');
  const alpha = (1 - gates.confidence / 100) / Math.max(1, bakes.length);
  const s = options.scenario;
  const onsetBake = Math.floor(options.random() * bakes.length);
  let onsetMinute = Number.POSITIVE_INFINITY;
  const good = s.good ?? HEALTHY_CANARY;
  const model = new TrafficModel({
    seed: options.seed,
    start: START,
    scenario: 'healthy',
    rpm: s.rpm,
    publicationDelay: DELAY,
    canary: (since) => {
      if (!s.bad || since < onsetMinute) return good;
      return s.grow ? s.grow(since - onsetMinute) : s.bad;
    },
  });
  const metrics = new SimulatedMetricSource({
    model,
    clock: { now: () => now },
    period: MIN,
    faults: new FaultPlan([]),
    slowThreshold: gates.maxP99Latency,
    percentile: gates.latencyPercentile,
  });
  let now = START;
  let share = 0;
  let polls = 0;
  let bakeIndex = 0;
  const result = (promoted: boolean, detection: number | null): PlanOutcome => ({
    promoted,
    detection,
    onsetSeen: onsetMinute < Number.POSITIVE_INFINITY && START + onsetMinute * MIN <= now,
    minutes: (now - START) / MIN,
    polls,
  });
  for (const step of steps) {
    if (step.kind === 'shift' || step.kind === 'hook') {
      share = step.kind === 'shift' ? step.weight : step.exposure;
      model.setShare(now, share);
      continue;
    }
    if (step.kind === 'batch') {
      share = Math.min(100, share + 100 / Math.max(1, steps.filter((x) => x.kind === 'batch').length));
      model.setShare(now, share);
      continue;
    }
    if (step.kind === 'service') {
      share = 100;
      model.setShare(now, share);
      continue;
    }
    if (step.kind !== 'bake') continue;
    const bakeTime = step['duration-ms'];
    const horizon = Math.ceil(defaultMaxBakeTime(bakeTime) / MIN);
    const first = Math.ceil(now / MIN) * MIN;
    if (bakeIndex === onsetBake && s.bad)
      onsetMinute = (first - START) / MIN + Math.floor(options.random() * (bakeTime / MIN));
    bakeIndex++;
    const baseline = share < 100;
    const windows: MetricWindow[] = [];
    let verdict: 'promote' | 'rollback' | null = null;
    for (let k = 0; k < horizon && verdict === null; k++) {
      now = first + (k + 1) * MIN + DELAY;
      polls++;
      const over = baseline ? overThresholds(windows, gates) : undefined;
      const [window] = await metrics.windows({
        start: first + k * MIN,
        end: first + (k + 1) * MIN,
        ...(over ? { over } : {}),
      });
      windows.push(window!);
      verdict = options.policy({
        gates: { ...gates, bakeTime },
        windows,
        alpha,
        horizon,
        bakeWindows: bakeTime / MIN,
        baseline,
        final: k === horizon - 1,
      });
    }
    if (verdict !== 'promote') {
      const onset = START + onsetMinute * MIN;
      return result(false, onset <= now ? (now - onset) / MIN : null);
    }
  }
  return result(true, null);
}
