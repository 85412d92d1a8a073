// One deployment's trace from several runs. The reusable workflow's per-region chain runs one job per
// region, each run-plan trace holding that region's steps only; the job that records the outcome joins the
// earlier regions' traces before its own, so the dashboard reads one complete `<deployment-id>.json`.
import { isObject, type Json } from '../shared/index';

/** A trace to join: its text, and where it came from (for a problem's message). */
export interface TracePart {
  name: string;
  text: string;
}

/** The joined trace, and the parts left out with why. */
export interface JoinedTrace {
  text: string;
  problems: string[];
}

/** The parts one deployment's traces are joined from: at most one per region job of the chain. */
export const MAX_TRACE_PARTS = 16;

/**
 * Joins run-plan traces of one deployment, earlier runs first and `last` (this run's) at the end: the
 * steps in run order, `started-at` of the first, and how it ended (decision, status, reason, rollback)
 * from `last`; an A/B comparison, its rule or a saga report from the latest run that had one. A part
 * that is not a run-plan trace (no `steps` list) is left out and named in `problems`; when `last` is not
 * one either, it is returned as it is and every part left out.
 */
export function joinRunTraces(earlier: readonly TracePart[], last: string): JoinedTrace {
  const problems: string[] = [];
  const own = runTrace(last);
  if (own === null) {
    if (earlier.length > 0)
      problems.push(
        `this run's trace is not a run-plan trace, so the ${earlier.length} earlier trace(s) were not joined`,
      );
    return { text: last, problems };
  }
  if (earlier.length > MAX_TRACE_PARTS) {
    problems.push(`${earlier.length} earlier traces is more than ${MAX_TRACE_PARTS}; none were joined`);
    return { text: last, problems };
  }
  const parts: { [key: string]: Json }[] = [];
  for (const part of earlier) {
    const doc = runTrace(part.text);
    if (doc === null) problems.push(`${part.name} is not a run-plan trace (a JSON object with a steps list)`);
    else parts.push(doc);
  }
  if (parts.length === 0) return { text: last, problems };
  const first = parts[0]!;
  // What a run reports only when it happened in it (an A/B verdict, its rule, a saga) is kept from the
  // latest run that reported it.
  const carried: { [key: string]: Json } = {};
  for (const key of CARRIED) {
    const from = [...parts].reverse().find((p) => p[key] !== undefined);
    if (own[key] === undefined && from) carried[key] = from[key]!;
  }
  const joined: { [key: string]: Json } = {
    ...carried,
    ...own,
    ...(first['started-at'] !== undefined ? { 'started-at': first['started-at'] } : {}),
    steps: [...parts.flatMap((p) => p.steps as Json[]), ...(own.steps as Json[])],
  };
  return { text: JSON.stringify(joined), problems };
}

const CARRIED = ['comparison', 'rule', 'saga'] as const;

function runTrace(text: string): { [key: string]: Json } | null {
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch {
    return null;
  }
  return isObject(doc) && Array.isArray(doc.steps) ? doc : null;
}
