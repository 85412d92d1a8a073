import {
  formatDuration,
  formatPercent,
  InputError,
  parseDuration,
  parseInteger,
  parsePercent,
} from '../shared/index';

/** Gate names as they are written in the config file, action inputs, the CLI and trace files. */
export const GATE_NAMES = [
  'max-error-rate',
  'max-p99-latency',
  'latency-percentile',
  'max-latency-increase',
  'min-healthy-percent',
  'min-requests',
  'bake-time',
  'confidence',
  'on-inconclusive',
  'max-consecutive-errors',
] as const;
export type GateName = (typeof GATE_NAMES)[number];

/** The percentiles the latency gates may judge (`latency-percentile`). */
export const LATENCY_PERCENTILES = ['p50', 'p90', 'p95', 'p99', 'p99.9'] as const;

/** `p99` for 99: the CloudWatch statistic name of a latency percentile. */
export function formatLatencyPercentile(percentile: number): string {
  return `p${percentile}`;
}

/** The share of requests (a fraction) that may be slower than the percentile: 0.01 for p99. */
export function slowShare(percentile: number): number {
  return Number((1 - percentile / 100).toFixed(6));
}

/** What to do when the evidence runs out before a verdict. */
export const ON_INCONCLUSIVE = ['rollback', 'fail', 'promote'] as const;
export type OnInconclusive = (typeof ON_INCONCLUSIVE)[number];

/** A threshold on a custom metric query: its value per window must stay at most `max` or at least `min`. */
export interface CustomGate {
  id: string;
  label: string;
  direction: 'max' | 'min';
  limit: number;
}

/** The gates, parsed. Percentages are in percent (1 for `1%`), durations in milliseconds. */
export interface Gates {
  maxErrorRate: number;
  /** The latency gate's threshold, ms: the `latency-percentile` must stay at most this. */
  maxP99Latency: number;
  /** The percentile the latency gates judge (99 for p99): at most `100 − percentile` % of requests may be slower. */
  latencyPercentile: number;
  maxLatencyIncrease: number;
  minHealthyPercent: number;
  minRequests: number;
  bakeTime: number;
  confidence: number;
  onInconclusive: OnInconclusive;
  maxConsecutiveErrors: number;
  /** Custom metric thresholds (from `metric-queries`). */
  custom: CustomGate[];
  /** Names of CloudWatch alarms that must not be in ALARM. */
  alarms: string[];
  /** Whether a smoke command runs (its failures are breaches). */
  smoke: boolean;
}

/**
 * Defaults, written as a user writes them. The settings catalogue (config/) takes them from here, since
 * health must not import config; action.yml defaults are checked against the catalogue.
 */
export const GATE_DEFAULTS: Record<GateName, string> = {
  'max-error-rate': '1%',
  'max-p99-latency': '500ms',
  'latency-percentile': 'p99',
  'max-latency-increase': '20%',
  'min-healthy-percent': '95%',
  'min-requests': '100',
  'bake-time': '5m',
  confidence: '95%',
  'on-inconclusive': 'rollback',
  'max-consecutive-errors': '4',
};

/** Raw gate values by name: strings from action inputs, strings or numbers from JSON documents. */
export type RawGates = Partial<Record<GateName, string | number>>;

/** The parsed value of each gate, as {@link Gates} holds it. */
export interface GateValues {
  'max-error-rate': number;
  'max-p99-latency': number;
  'latency-percentile': number;
  'max-latency-increase': number;
  'min-healthy-percent': number;
  'min-requests': number;
  'bake-time': number;
  confidence: number;
  'on-inconclusive': OnInconclusive;
  'max-consecutive-errors': number;
}

/**
 * The one parser of each gate: `input` names it in errors, `text` is the value as written (never empty:
 * an empty value takes its default before it gets here). The action inputs, the CLI, traces and the
 * config file's validation all call these, so they accept and refuse exactly the same values.
 */
export const GATE_PARSERS: { [K in GateName]: (input: string, text: string) => GateValues[K] } = {
  'max-error-rate': (input, text) => {
    const n = parsePercent(input, text, { fraction: true, min: 0, max: 100 });
    // 0% rolls back on any error and 100% never does: neither is a gate anyone means.
    if (n <= 0 || n >= 100)
      throw new InputError(input, text, 'a percentage above 0% and below 100%, such as 1% or 0.5%');
    return n;
  },
  // A bare number of milliseconds is accepted, as the config file accepts it.
  'max-p99-latency': (input, text) =>
    parseDuration(input, /^\d+$/.test(text.trim()) ? `${text.trim()}ms` : text.trim()),
  'latency-percentile': (input, text) => {
    const value = text.trim();
    if (!(LATENCY_PERCENTILES as readonly string[]).includes(value))
      throw new InputError(input, text, `one of ${LATENCY_PERCENTILES.join(', ')}`);
    return Number(value.slice(1));
  },
  'max-latency-increase': (input, text) => parsePercent(input, text, { fraction: true, min: 0, max: 1000 }),
  'min-healthy-percent': (input, text) => parsePercent(input, text, { fraction: true, min: 0, max: 100 }),
  'min-requests': (input, text) => parseInteger(input, text, { min: 0, max: 1_000_000_000 }),
  'bake-time': (input, text) => parseDuration(input, text),
  confidence: (input, text) => {
    const n = parsePercent(input, text, { fraction: true, min: 50, max: 99.99 });
    // At 50% a coin toss is evidence enough to roll back.
    if (n <= 50) throw new InputError(input, text, 'a percentage above 50% and at most 99.99%, such as 95%');
    return n;
  },
  'on-inconclusive': (input, text) => {
    const value = text.trim();
    if (!(ON_INCONCLUSIVE as readonly string[]).includes(value))
      throw new InputError(input, text, `one of ${ON_INCONCLUSIVE.join(', ')}`);
    return value as OnInconclusive;
  },
  'max-consecutive-errors': (input, text) => parseInteger(input, text, { min: 0, max: 1000 }),
};

/**
 * Parses gates; a missing or empty value takes its default. Throws an {@link InputError} naming the
 * gate, the value and what is allowed. `prefix` is put before each name in messages (`gates.` for a trace).
 */
export function parseGates(
  raw: RawGates,
  extra: { custom?: CustomGate[]; alarms?: string[]; smoke?: boolean } = {},
  prefix = '',
): Gates {
  const parse = <K extends GateName>(name: K): GateValues[K] => {
    const value = raw[name];
    const text =
      value === undefined || (typeof value === 'string' && value.trim() === '')
        ? GATE_DEFAULTS[name]
        : String(value);
    return GATE_PARSERS[name](`${prefix}${name}`, text);
  };
  return {
    maxErrorRate: parse('max-error-rate'),
    maxP99Latency: parse('max-p99-latency'),
    latencyPercentile: parse('latency-percentile'),
    maxLatencyIncrease: parse('max-latency-increase'),
    minHealthyPercent: parse('min-healthy-percent'),
    minRequests: parse('min-requests'),
    bakeTime: parse('bake-time'),
    confidence: parse('confidence'),
    onInconclusive: parse('on-inconclusive'),
    maxConsecutiveErrors: parse('max-consecutive-errors'),
    custom: extra.custom ?? [],
    alarms: extra.alarms ?? [],
    smoke: extra.smoke ?? false,
  };
}

/** The gates as a user writes them, for traces and summaries (round-trips through {@link parseGates}). */
export function formatGates(gates: Gates): Record<GateName, string | number> {
  return {
    'max-error-rate': formatPercent(gates.maxErrorRate),
    'max-p99-latency': formatDuration(gates.maxP99Latency),
    'latency-percentile': formatLatencyPercentile(gates.latencyPercentile),
    'max-latency-increase': formatPercent(gates.maxLatencyIncrease),
    'min-healthy-percent': formatPercent(gates.minHealthyPercent),
    'min-requests': gates.minRequests,
    'bake-time': formatDuration(gates.bakeTime),
    confidence: formatPercent(gates.confidence),
    'on-inconclusive': gates.onInconclusive,
    'max-consecutive-errors': gates.maxConsecutiveErrors,
  };
}

/** Latency for people: `500ms`, `1.2s`. */
export function formatLatency(ms: number): string {
  if (ms >= 10_000) return `${Number((ms / 1000).toFixed(1))}s`;
  if (ms >= 1000) return `${Number((ms / 1000).toFixed(2))}s`;
  return `${Math.round(ms)}ms`;
}
