// A deployment's stored trace (run-plan's `trace` output, or bake-and-gate's) read for the dashboard.
// A trace is untrusted data like a payload: every value is checked for its type and every text held
// to the field rules; what does not fit is refused as a whole with a message naming where it broke,
// and the page says the trace could not be read (never half a verdict).
import { fieldProblem, InputError, isObject, type Json } from '../shared/index';
import { parseTrace, type Gates } from '../health/index';

/** One gate check as the page shows it. */
export interface CheckView {
  name: string;
  phase: string;
  observed: number | null;
  /** In the observed value's unit. */
  interval: { lower: number; upper: number } | null;
  threshold: number | null;
  message: string;
}

/** One judged metric window of a bake, in run order. */
export interface WindowView {
  /** The bake (plan step index) it belongs to. */
  step: number;
  /** The canary weight while it was measured, percent. */
  weight: number | null;
  canaryErrorRate: number | null;
  baselineErrorRate: number | null;
  canaryP99: number | null;
  baselineP99: number | null;
  /** Share of canary requests slower than `max-p99-latency`, percent. */
  slowShare: number | null;
}

/** One step of the run. */
export interface StepView {
  index: number;
  kind: string;
  outcome: string;
  message: string;
  /** The verified split after a shift. */
  weights: { stable: number; canary: number } | null;
  checks: CheckView[];
}

/** An A/B comparison's figures. */
export interface ComparisonView {
  verdict: string;
  message: string;
  metrics: { metric: string; a: number | null; b: number | null; verdict: string }[];
}

/** What the dashboard shows of a run. */
export interface TraceView {
  reason: string | null;
  decision: string | null;
  steps: StepView[];
  windows: WindowView[];
  /** `max-error-rate` (percent) and `max-p99-latency` (ms) of the first bake, for the charts. */
  thresholds: { maxErrorRate: number | null; maxP99: number | null };
  rollback: { to: string; reason: string } | null;
  saga: { services: { name: string; status: string }[]; compensated: string[] } | null;
  comparison: ComparisonView | null;
}

const WORD = /^[a-z][a-z-]{0,39}$/;

/** Reads a stored trace (a JSON text or a parsed value); throws an {@link InputError} naming the problem. */
export function readDeploymentTrace(source: string, value: unknown): TraceView {
  const fail = (problem: string): never => {
    throw new InputError(source, '', 'a run-plan or bake-and-gate trace', {
      message: `The trace ${source} cannot be read: ${problem}`,
    });
  };
  let doc: Json;
  try {
    doc = (typeof value === 'string' ? JSON.parse(value) : value) as Json;
  } catch {
    return fail('it is not JSON');
  }
  if (!isObject(doc)) return fail('expected a JSON object');
  const text = (where: string, v: Json | undefined, nullable = false): string | null => {
    if ((v === undefined || v === null) && nullable) return null;
    const problem = fieldProblem('text', v);
    if (problem !== null) fail(`'${where}' ${problem}`);
    return v as string;
  };
  const word = (where: string, v: Json | undefined): string => {
    if (typeof v !== 'string' || !WORD.test(v)) fail(`'${where}' must be a lowercase word`);
    return v as string;
  };
  const num = (where: string, v: Json | undefined): number | null => {
    if (v === undefined || v === null) return null;
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(`'${where}' must be a number or null`);
    return v as number;
  };

  const view: TraceView = {
    reason: null,
    decision: null,
    steps: [],
    windows: [],
    thresholds: { maxErrorRate: null, maxP99: null },
    rollback: null,
    saga: null,
    comparison: null,
  };
  const bakes: { step: number; weight: number | null; health: Json }[] = [];
  if (Array.isArray(doc.steps)) {
    view.reason = text('reason', doc.reason, true);
    view.decision = doc.decision === undefined ? null : word('decision', doc.decision);
    if (doc.steps.length > 1000) fail("'steps' has more than 1000 entries");
    let weight: number | null = null;
    doc.steps.forEach((raw, i) => {
      const where = `steps[${i}]`;
      if (!isObject(raw)) return fail(`'${where}' must be an object`);
      const weights = raw.weights === undefined ? null : readSplit(`${where}.weights`, raw.weights, fail);
      if (weights) weight = weights.canary;
      const health = raw.health;
      const checks =
        isObject(health) && Array.isArray(health.checks)
          ? health.checks.map((c, j) => readCheck(`${where}.health.checks[${j}]`, c, { text, num, fail }))
          : [];
      if (isObject(health) && Array.isArray(health.windows)) bakes.push({ step: i, weight, health });
      view.steps.push({
        index: i,
        kind: word(`${where}.kind`, raw.kind),
        outcome: word(`${where}.outcome`, raw.outcome),
        message: text(`${where}.message`, raw.message, true) ?? '',
        weights,
        checks,
      });
    });
    if (doc.rollback !== undefined && doc.rollback !== null) {
      if (!isObject(doc.rollback)) return fail("'rollback' must be an object or null");
      view.rollback = {
        to: word('rollback.to', doc.rollback.to),
        reason: text('rollback.reason', doc.rollback.reason) ?? '',
      };
    }
    if (doc.saga !== undefined) view.saga = readSaga(doc.saga, fail);
    if (doc.comparison !== undefined)
      view.comparison = readComparison(doc.comparison, { text, word, num, fail });
  } else if (Array.isArray(doc.windows)) {
    // bake-and-gate's trace: one bake.
    bakes.push({ step: 0, weight: null, health: doc });
    view.decision =
      doc.decision === undefined || doc.decision === null ? null : word('decision', doc.decision);
    view.reason = text('message', doc.message, true);
    view.steps.push({
      index: 0,
      kind: 'bake',
      outcome: view.decision ?? 'unknown',
      message: view.reason ?? '',
      weights: null,
      checks: Array.isArray(doc.checks)
        ? doc.checks.map((c, j) => readCheck(`checks[${j}]`, c, { text, num, fail }))
        : [],
    });
  } else {
    return fail("expected 'steps' (a run-plan trace) or 'windows' (a bake-and-gate trace)");
  }
  for (const bake of bakes) {
    const trace = parseTrace(JSON.stringify(bake.health), `${source} steps[${bake.step}].health`);
    if (view.thresholds.maxErrorRate === null) view.thresholds = thresholdsOf(trace.gates);
    for (const entry of trace.windows) {
      if ('error' in entry) continue;
      const rate = (side: typeof entry.canary) =>
        side && side.requests !== null && side.requests > 0 && side.errors !== null
          ? (100 * side.errors) / side.requests
          : null;
      const canary = entry.canary;
      view.windows.push({
        step: bake.step,
        weight: bake.weight,
        canaryErrorRate: rate(canary),
        baselineErrorRate: rate(entry.baseline),
        canaryP99: canary?.p99 ?? null,
        baselineP99: entry.baseline?.p99 ?? null,
        slowShare:
          canary && canary.slow !== undefined && canary.slow !== null && canary.requests
            ? (100 * canary.slow) / canary.requests
            : null,
      });
    }
  }
  return view;
}

function thresholdsOf(gates: Gates): TraceView['thresholds'] {
  return { maxErrorRate: gates.maxErrorRate, maxP99: gates.maxP99Latency };
}

function readSplit(where: string, v: Json, fail: (p: string) => never): { stable: number; canary: number } {
  const ok = (n: Json | undefined) => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 100;
  if (!isObject(v) || !ok(v.stable) || !ok(v.canary))
    fail(`'${where}' must be {stable, canary} in whole percent`);
  const split = v as { stable: number; canary: number };
  return { stable: split.stable, canary: split.canary };
}

interface Readers {
  text: (where: string, v: Json | undefined, nullable?: boolean) => string | null;
  num: (where: string, v: Json | undefined) => number | null;
  fail: (p: string) => never;
}

function readCheck(where: string, raw: Json, r: Readers): CheckView {
  if (!isObject(raw)) return r.fail(`'${where}' must be an object`);
  const interval = raw.interval;
  let range: CheckView['interval'] = null;
  if (interval !== undefined && interval !== null) {
    if (!isObject(interval)) return r.fail(`'${where}.interval' must be {lower, upper} or null`);
    const lower = r.num(`${where}.interval.lower`, interval.lower);
    const upper = r.num(`${where}.interval.upper`, interval.upper);
    range = lower === null || upper === null ? null : { lower, upper };
  }
  return {
    name: r.text(`${where}.name`, raw.name) ?? '',
    phase: r.text(`${where}.phase`, raw.phase) ?? '',
    observed: r.num(`${where}.observed`, raw.observed),
    interval: range,
    threshold: r.num(`${where}.threshold`, raw.threshold),
    message: r.text(`${where}.message`, raw.message, true) ?? '',
  };
}

function readSaga(raw: Json, fail: (p: string) => never): TraceView['saga'] {
  if (!isObject(raw) || !Array.isArray(raw.services)) return fail("'saga' must be an object with 'services'");
  const name = (where: string, v: Json | undefined): string => {
    const problem = fieldProblem('name', v);
    if (problem !== null) fail(`'${where}' ${problem}`);
    return v as string;
  };
  return {
    services: raw.services.map((s, i) => {
      if (!isObject(s)) return fail(`'saga.services[${i}]' must be an object`);
      if (typeof s.status !== 'string' || !WORD.test(s.status))
        fail(`'saga.services[${i}].status' must be a word`);
      return { name: name(`saga.services[${i}].name`, s.name), status: s.status as string };
    }),
    compensated: Array.isArray(raw.compensated)
      ? raw.compensated.map((c, i) => name(`saga.compensated[${i}]`, c))
      : [],
  };
}

function readComparison(
  raw: Json,
  r: Readers & { word: (where: string, v: Json | undefined) => string },
): ComparisonView | null {
  if (raw === null) return null;
  if (!isObject(raw) || !Array.isArray(raw.metrics))
    return r.fail("'comparison' must be an object with 'metrics'");
  return {
    verdict: r.word('comparison.verdict', raw.verdict),
    message: r.text('comparison.message', raw.message, true) ?? '',
    metrics: raw.metrics.map((m, i) => {
      if (!isObject(m)) return r.fail(`'comparison.metrics[${i}]' must be an object`);
      return {
        metric: r.word(`comparison.metrics[${i}].metric`, m.metric),
        a: r.num(`comparison.metrics[${i}].a`, m.a),
        b: r.num(`comparison.metrics[${i}].b`, m.b),
        verdict: r.word(`comparison.metrics[${i}].verdict`, m.verdict),
      };
    }),
  };
}
