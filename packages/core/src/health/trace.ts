import { formatDuration, InputError, isObject, notJson, parseDuration, type Json } from '../shared/index';
import {
  ALARM_STATES,
  type AlarmState,
  type Evidence,
  type MetricWindow,
  type Preflight,
  type SideStats,
  type SmokeResult,
} from './evidence';
import { GATE_NAMES, formatGates, parseGates, type CustomGate, type Gates, type RawGates } from './gates';
import type { Check } from './check';
import type { JudgeOptions, Judgement } from './judge';

/** Everything the judge needs to reach a verdict again: `shiftgate judge --trace` replays it. */
export interface Trace {
  /** Length of one window, in milliseconds. */
  period: number;
  gates: Gates;
  preflight?: Preflight;
  /** False when the baseline took no traffic (canary at 100%): see `JudgeOptions.baseline`. */
  baseline?: boolean;
  /** The bake's share of the plan's error budget (`JudgeOptions.alpha`); absent: 1 − confidence. */
  alpha?: number;
  /** The most windows the bake could judge (`JudgeOptions.horizon`); absent: from bake-time. */
  horizon?: number;
  /** Windows and failed polls, in the order they arrived. */
  windows: Evidence[];
}

/** The trace as a JSON document (kebab-case keys; gates as a user writes them). */
export interface TraceDocument {
  /** 2 since judge v2 (error budget, horizon, `over` counts); absent in version 1. */
  version?: number;
  period: string;
  gates: Record<string, unknown>;
  preflight?: Preflight;
  /** `false` when the stable target group took no traffic, so the baseline comparison did not apply. */
  baseline?: boolean;
  /** The bake's share of the plan's error budget, a fraction. */
  alpha?: number;
  /** The most windows the bake could judge. */
  horizon?: number;
  windows: Evidence[];
  /** The verdict reached when the trace was written; informational, a replay recomputes it. */
  decision?: string | null;
  'decided-at-window'?: number | null;
  message?: string;
  checks?: Check[];
}

/** The trace format this version writes; version 1 (no `version` key) is still read. */
export const TRACE_VERSION = 2;

const TOP_KEYS = new Set([
  'version',
  'alpha',
  'horizon',
  'period',
  'gates',
  'preflight',
  'baseline',
  'windows',
  'decision',
  'decided-at-window',
  'message',
  'checks',
]);
const SIDE_KEYS: (keyof SideStats)[] = ['requests', 'errors', 'p99', 'slow', 'over', 'healthy', 'unhealthy'];
const QUERY_ID = /^[a-z][a-zA-Z0-9_]*$/;

/**
 * Parses a trace strictly. Every problem is an {@link InputError} whose message names where in the
 * document it is (`windows[3].canary.errors`) and what is allowed. `source` names the file.
 */
export function parseTrace(text: string, source = 'trace'): Trace {
  const fail = (problem: string): never => {
    throw new InputError(source, text, 'a shiftgate trace', {
      message: `Trace ${source} is invalid: ${problem}`,
    });
  };
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch (error) {
    return fail(notJson(error));
  }
  if (!isObject(doc)) return fail('expected a JSON object with "period", "gates" and "windows"');
  for (const key of Object.keys(doc)) if (!TOP_KEYS.has(key)) fail(`unknown key '${key}'`);

  if (typeof doc.period !== 'string')
    fail(`'period' must be a duration such as "60s", got ${show(doc.period)}`);
  let period = 0;
  try {
    period = parseDuration('period', doc.period as string);
  } catch (error) {
    fail(reason(error));
  }

  const gates = parseTraceGates(doc.gates, fail);
  const preflight =
    doc.preflight === undefined || doc.preflight === null ? undefined : parsePreflight(doc.preflight, fail);
  if (!Array.isArray(doc.windows)) return fail(`'windows' must be a list, got ${show(doc.windows)}`);
  const windows = doc.windows.map((raw, i) => parseEntry(raw, `windows[${i}]`, fail));
  if (doc.baseline !== undefined && typeof doc.baseline !== 'boolean') {
    fail(`'baseline' must be true or false, got ${show(doc.baseline)}`);
  }
  if (doc.version !== undefined && doc.version !== 1 && doc.version !== TRACE_VERSION)
    fail(`'version' must be 1 or ${TRACE_VERSION}, got ${show(doc.version)}`);
  if (doc.alpha !== undefined && !(typeof doc.alpha === 'number' && doc.alpha > 0 && doc.alpha < 0.5))
    fail(`'alpha' must be a number above 0 and below 0.5, got ${show(doc.alpha)}`);
  if (
    doc.horizon !== undefined &&
    !(typeof doc.horizon === 'number' && Number.isInteger(doc.horizon) && doc.horizon >= 1)
  )
    fail(`'horizon' must be a whole number of windows of at least 1, got ${show(doc.horizon)}`);
  return {
    period,
    gates,
    ...(preflight ? { preflight } : {}),
    ...(doc.baseline === false ? { baseline: false } : {}),
    ...(typeof doc.alpha === 'number' ? { alpha: doc.alpha } : {}),
    ...(typeof doc.horizon === 'number' ? { horizon: doc.horizon } : {}),
    windows,
  };
}

/** How a trace's windows were judged, for {@link replay}: period, pre-flight, baseline, budget, horizon. */
export function traceJudgeOptions(trace: Trace): Omit<JudgeOptions, 'final'> {
  return {
    period: trace.period,
    ...(trace.preflight ? { preflight: trace.preflight } : {}),
    ...(trace.baseline === false ? { baseline: false } : {}),
    ...(trace.alpha !== undefined ? { alpha: trace.alpha } : {}),
    ...(trace.horizon !== undefined ? { horizon: trace.horizon } : {}),
  };
}

/** Serialises a trace, with the verdict reached, as the `trace` output and file. */
export function serializeTrace(trace: Trace, judgement?: Judgement): string {
  const doc: TraceDocument = {
    version: TRACE_VERSION,
    period: formatDuration(trace.period),
    gates: {
      ...formatGates(trace.gates),
      ...(trace.gates.custom.length > 0
        ? {
            'metric-queries': trace.gates.custom.map((g) => ({
              id: g.id,
              label: g.label,
              [g.direction]: g.limit,
            })),
          }
        : {}),
      ...(trace.gates.alarms.length > 0 ? { alarms: trace.gates.alarms } : {}),
      ...(trace.gates.smoke ? { 'smoke-command': true } : {}),
    },
    ...(trace.preflight ? { preflight: trace.preflight } : {}),
    ...(trace.baseline === false ? { baseline: false } : {}),
    ...(trace.alpha !== undefined ? { alpha: trace.alpha } : {}),
    ...(trace.horizon !== undefined ? { horizon: trace.horizon } : {}),
    windows: trace.windows,
    ...(judgement
      ? {
          decision: judgement.decision,
          'decided-at-window': judgement.decidedAtWindow,
          message: judgement.message,
          checks: judgement.checks,
        }
      : {}),
  };
  return JSON.stringify(doc);
}

function parseTraceGates(raw: Json | undefined, fail: (problem: string) => never): Gates {
  if (raw === undefined || raw === null) return parseGates({});
  if (!isObject(raw)) return fail(`'gates' must be an object, got ${show(raw)}`);
  const plain: RawGates = {};
  for (const [key, value] of Object.entries(raw)) {
    if ((GATE_NAMES as readonly string[]).includes(key)) {
      if (value === null) continue;
      if (typeof value !== 'string' && typeof value !== 'number')
        fail(`'gates.${key}' must be a string or number, got ${show(value)}`);
      plain[key as keyof RawGates] = value as string | number;
    } else if (!['metric-queries', 'alarms', 'smoke-command'].includes(key)) {
      fail(
        `unknown gate 'gates.${key}' (gates are ${[...GATE_NAMES, 'metric-queries', 'alarms', 'smoke-command'].join(', ')})`,
      );
    }
  }
  const custom: CustomGate[] = [];
  const queries = raw['metric-queries'];
  if (queries !== undefined && queries !== null) {
    if (!Array.isArray(queries)) fail("'gates.metric-queries' must be a list of {id, max} or {id, min}");
    (queries as Json[]).forEach((q, i) => {
      const where = `gates.metric-queries[${i}]`;
      if (!isObject(q) || typeof q.id !== 'string' || !QUERY_ID.test(q.id))
        fail(`'${where}.id' must match ${QUERY_ID}`);
      const query = q as { [key: string]: Json };
      for (const key of Object.keys(query))
        if (!['id', 'label', 'max', 'min'].includes(key)) fail(`'${where}' has unknown key '${key}'`);
      const hasMax = typeof query.max === 'number' && Number.isFinite(query.max);
      const hasMin = typeof query.min === 'number' && Number.isFinite(query.min);
      if (hasMax === hasMin) fail(`'${where}' must have exactly one numeric 'max' or 'min'`);
      if (query.label !== undefined && typeof query.label !== 'string')
        fail(`'${where}.label' must be a string`);
      custom.push({
        id: query.id as string,
        label: (query.label as string | undefined) ?? (query.id as string),
        direction: hasMax ? 'max' : 'min',
        limit: (hasMax ? query.max : query.min) as number,
      });
    });
  }
  const alarms = raw.alarms;
  if (
    alarms !== undefined &&
    alarms !== null &&
    (!Array.isArray(alarms) || !alarms.every((a) => typeof a === 'string' && a !== ''))
  ) {
    fail("'gates.alarms' must be a list of alarm names");
  }
  const smoke = raw['smoke-command'];
  if (smoke !== undefined && smoke !== null && typeof smoke !== 'boolean' && typeof smoke !== 'string') {
    fail("'gates.smoke-command' must be true, false or the command");
  }
  try {
    return parseGates(
      plain,
      {
        custom,
        alarms: (alarms as string[] | undefined | null) ?? [],
        smoke: typeof smoke === 'string' ? smoke !== '' : smoke === true,
      },
      'gates.',
    );
  } catch (error) {
    return fail(reason(error));
  }
}

function parsePreflight(raw: Json, fail: (problem: string) => never): Preflight {
  if (!isObject(raw)) return fail(`'preflight' must be an object, got ${show(raw)}`);
  for (const key of Object.keys(raw))
    if (key !== 'alarms' && key !== 'smoke') fail(`'preflight' has unknown key '${key}'`);
  const out: Preflight = {};
  if (raw.alarms !== undefined && raw.alarms !== null)
    out.alarms = parseAlarms(raw.alarms, 'preflight.alarms', fail);
  if (raw.smoke !== undefined) out.smoke = parseSmoke(raw.smoke, 'preflight.smoke', fail);
  return out;
}

function parseEntry(raw: Json, where: string, fail: (problem: string) => never): Evidence {
  if (!isObject(raw)) return fail(`'${where}' must be an object, got ${show(raw)}`);
  if ('error' in raw) {
    for (const key of Object.keys(raw))
      if (key !== 'error' && key !== 'at') fail(`'${where}' (a failed poll) has unknown key '${key}'`);
    if (typeof raw.error !== 'string' || raw.error === '')
      fail(`'${where}.error' must be a non-empty message`);
    if (raw.at !== undefined && typeof raw.at !== 'string')
      fail(`'${where}.at' must be an ISO 8601 timestamp`);
    return { error: raw.error as string, ...(typeof raw.at === 'string' ? { at: raw.at } : {}) };
  }
  for (const key of Object.keys(raw)) {
    if (
      !['start', 'canary', 'baseline', 'over-thresholds', 'custom', 'ab-metrics', 'alarms', 'smoke'].includes(
        key,
      )
    )
      fail(`'${where}' has unknown key '${key}'`);
  }
  const window: MetricWindow = {
    canary: parseSide(raw.canary, `${where}.canary`, fail),
    baseline: parseSide(raw.baseline, `${where}.baseline`, fail),
  };
  if (raw.start !== undefined) {
    if (typeof raw.start !== 'string' || Number.isNaN(Date.parse(raw.start)))
      fail(`'${where}.start' must be an ISO 8601 timestamp`);
    window.start = raw.start as string;
  }
  const over = raw['over-thresholds'];
  if (over !== undefined && over !== null) {
    const ok = (v: Json | undefined) => typeof v === 'number' && Number.isFinite(v) && v > 0;
    if (
      !isObject(over) ||
      Object.keys(over).sort().join() !== 'baseline,canary' ||
      !ok(over.canary) ||
      !ok(over.baseline)
    )
      fail(
        `'${where}.over-thresholds' must be {"canary": <ms>, "baseline": <ms>} with values above 0, got ${show(over)}`,
      );
    window['over-thresholds'] = {
      canary: (over as { canary: number }).canary,
      baseline: (over as { baseline: number }).baseline,
    };
  }
  if (raw.custom !== undefined && raw.custom !== null) {
    if (!isObject(raw.custom)) fail(`'${where}.custom' must be an object of query id to number or null`);
    const custom: Record<string, number | null> = {};
    for (const [id, v] of Object.entries(raw.custom as { [key: string]: Json })) {
      if (v !== null && (typeof v !== 'number' || !Number.isFinite(v)))
        fail(`'${where}.custom.${id}' must be a number or null, got ${show(v)}`);
      custom[id] = v as number | null;
    }
    window.custom = custom;
  }
  const ab = raw['ab-metrics'];
  if (ab !== undefined && ab !== null) {
    if (!isObject(ab)) fail(`'${where}.ab-metrics' must be an object of metric name to {"a", "b"}`);
    const count = (v: Json | undefined) =>
      v === null || (typeof v === 'number' && Number.isFinite(v) && v >= 0);
    const metrics: NonNullable<MetricWindow['ab-metrics']> = {};
    for (const [name, v] of Object.entries(ab as { [key: string]: Json })) {
      if (!isObject(v) || Object.keys(v).sort().join() !== 'a,b' || !count(v.a) || !count(v.b))
        fail(
          `'${where}.ab-metrics.${name}' must be {"a": <count or null>, "b": <count or null>}, got ${show(v)}`,
        );
      metrics[name] = { a: (v as { a: number | null }).a, b: (v as { b: number | null }).b };
    }
    window['ab-metrics'] = metrics;
  }
  if (raw.alarms !== undefined && raw.alarms !== null)
    window.alarms = parseAlarms(raw.alarms, `${where}.alarms`, fail);
  if (raw.smoke !== undefined) window.smoke = parseSmoke(raw.smoke, `${where}.smoke`, fail);
  return window;
}

function parseSide(raw: Json | undefined, where: string, fail: (problem: string) => never): SideStats | null {
  if (raw === undefined || raw === null) return null;
  if (!isObject(raw)) return fail(`'${where}' must be an object or null, got ${show(raw)}`);
  for (const key of Object.keys(raw)) {
    if (!(SIDE_KEYS as string[]).includes(key))
      fail(`'${where}' has unknown key '${key}' (fields are ${SIDE_KEYS.join(', ')})`);
  }
  const side = {} as SideStats;
  for (const key of SIDE_KEYS) {
    const v = raw[key];
    // `slow` and `over` are newer than the format: absent stays absent, so old traces replay as they were judged.
    if ((key === 'slow' || key === 'over') && v === undefined) continue;
    if (v === undefined || v === null) {
      side[key] = null;
      continue;
    }
    const whole = key !== 'p99';
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (whole && !Number.isInteger(v))) {
      fail(
        `'${where}.${key}' must be ${whole ? 'a whole number' : 'a number of milliseconds'} of at least 0 or null, got ${show(v)}`,
      );
    }
    side[key] = v as number;
  }
  if (side.requests !== null && side.errors !== null && side.errors > side.requests) {
    fail(`'${where}.errors' (${side.errors}) must not exceed '${where}.requests' (${side.requests})`);
  }
  for (const key of ['slow', 'over'] as const) {
    const v = side[key];
    if (typeof v === 'number' && side.requests !== null && v > side.requests)
      fail(`'${where}.${key}' (${v}) must not exceed '${where}.requests' (${side.requests})`);
  }
  return side;
}

function parseAlarms(raw: Json, where: string, fail: (problem: string) => never): Record<string, AlarmState> {
  if (!isObject(raw)) return fail(`'${where}' must be an object of alarm name to state`);
  const out: Record<string, AlarmState> = {};
  for (const [name, state] of Object.entries(raw)) {
    if (typeof state !== 'string' || !(ALARM_STATES as readonly string[]).includes(state)) {
      fail(`'${where}.${name}' must be one of ${ALARM_STATES.join(', ')}, got ${show(state)}`);
    }
    out[name] = state as AlarmState;
  }
  return out;
}

function parseSmoke(
  raw: Json | undefined,
  where: string,
  fail: (problem: string) => never,
): SmokeResult | null {
  if (raw === null || raw === undefined) return null;
  if (
    !isObject(raw) ||
    Object.keys(raw).join() !== 'exit-code' ||
    typeof raw['exit-code'] !== 'number' ||
    !Number.isInteger(raw['exit-code'])
  ) {
    return fail(`'${where}' must be {"exit-code": <whole number>} or null, got ${show(raw)}`);
  }
  return { 'exit-code': raw['exit-code'] };
}

function show(value: Json | undefined): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message.replace(/^Input /, '') : String(error);
}
