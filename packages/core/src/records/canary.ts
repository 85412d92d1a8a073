// Canary figures for a record, from the health judge's trace (bake-and-gate) or a run trace (run-plan).
import { isPollError, parseTrace, type Trace } from '../health/index';
import type { RolloutState } from '../rollout/index';
import type { CanaryRecord } from './record';

/**
 * Canary figures from the health judge's trace and the rollout state: the target is the plan's
 * highest canary weight, the current weight the last verified split; the error rate is the canary's
 * 5xx over requests across all judged windows, and p99 the worst window's canary p99 (a record keeps
 * the figure that would have been judged). Null when no window carried canary data.
 */
export function canaryFromTrace(trace: Trace, state: RolloutState, at: number): CanaryRecord | null {
  let requests = 0;
  let errors = 0;
  let p99: number | null = null;
  let seen = false;
  for (const entry of trace.windows) {
    if (isPollError(entry) || entry.canary === null) continue;
    const side = entry.canary;
    if (side.requests !== null && side.errors !== null) {
      requests += side.requests;
      errors += side.errors;
      seen = true;
    }
    if (side.p99 !== null) {
      p99 = Math.max(p99 ?? 0, side.p99);
      seen = true;
    }
  }
  if (!seen) return null;
  const shifts = state.plan.flatMap((step) => (step.kind === 'shift' ? [step.weight] : []));
  return {
    'target-traffic-percent': shifts.length > 0 ? Math.max(...shifts) : 100,
    'current-traffic-percent': state.weights?.canary ?? 0,
    'error-rate': requests === 0 ? 0 : Number(((errors / requests) * 100).toFixed(4)),
    'latency-p99': Math.round(p99 ?? 0),
    'created-at': at,
  };
}

/**
 * Reads the `trace` input for canary figures: bake-and-gate's trace (one bake), or run-plan's run
 * trace, whose bakes' traces (`steps[].health`) are joined window after window. Null when a run trace
 * holds no bake (nothing was judged on metrics).
 */
export function parseCanaryTrace(input: string, text: string): Trace | null {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return parseTrace(text, `input '${input}'`);
  }
  const steps =
    typeof doc === 'object' && doc !== null && !Array.isArray(doc)
      ? (doc as { steps?: unknown }).steps
      : undefined;
  if (!Array.isArray(steps)) return parseTrace(text, `input '${input}'`);
  let joined: Trace | null = null;
  steps.forEach((step, index) => {
    const health =
      typeof step === 'object' && step !== null ? (step as { health?: unknown }).health : undefined;
    if (typeof health !== 'object' || health === null || !('windows' in health)) return;
    const trace = parseTrace(JSON.stringify(health), `input '${input}' steps[${index}].health`);
    joined = joined === null ? trace : { ...joined, windows: [...joined.windows, ...trace.windows] };
  });
  return joined;
}

/** The one-sentence reason a run-plan trace gives for how the run ended; null for other documents. */
export function runTraceReason(text: string): string | null {
  try {
    const doc = JSON.parse(text) as { steps?: unknown; reason?: unknown };
    return Array.isArray(doc?.steps) && typeof doc.reason === 'string' && doc.reason.trim() !== ''
      ? doc.reason.trim()
      : null;
  } catch {
    return null;
  }
}
