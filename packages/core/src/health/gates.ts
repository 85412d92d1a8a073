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
  'max-latency-increase',
  'min-healthy-percent',
  'min-requests',
  'bake-time',
  'confidence',
  'on-inconclusive',
  'max-consecutive-errors',
] as const;
export type GateName = (typeof GATE_NAMES)[number];

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
  maxP99Latency: number;
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

/** Defaults, written as a user writes them (action.yml defaults are these strings). */
export const GATE_DEFAULTS: Record<GateName, string> = {
  'max-error-rate': '1%',
  'max-p99-latency': '500ms',
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

/**
 * Parses gates; a missing or empty value takes its default. Throws an {@link InputError} naming the
 * gate, the value and what is allowed. `prefix` is put before each name in messages (`gates.` for a trace).
 */
export function parseGates(
  raw: RawGates,
  extra: { custom?: CustomGate[]; alarms?: string[]; smoke?: boolean } = {},
  prefix = '',
): Gates {
  const get = (name: GateName): string => {
    const value = raw[name];
    return value === undefined || (typeof value === 'string' && value.trim() === '')
      ? GATE_DEFAULTS[name]
      : String(value);
  };
  const named = (name: GateName) => `${prefix}${name}`;
  const maxErrorRate = parsePercent(named('max-error-rate'), get('max-error-rate'), {
    fraction: true,
    min: 0,
    max: 100,
  });
  if (maxErrorRate <= 0 || maxErrorRate >= 100) {
    throw new InputError(
      named('max-error-rate'),
      get('max-error-rate'),
      'a percentage above 0% and below 100%, such as 1% or 0.5%',
    );
  }
  // A bare number of milliseconds is accepted, as the config file accepts it.
  const p99Text = get('max-p99-latency').trim();
  const maxP99Latency = parseDuration(
    named('max-p99-latency'),
    /^\d+$/.test(p99Text) ? `${p99Text}ms` : p99Text,
  );
  const maxLatencyIncrease = parsePercent(named('max-latency-increase'), get('max-latency-increase'), {
    fraction: true,
    min: 0,
    max: 1000,
  });
  const minHealthyPercent = parsePercent(named('min-healthy-percent'), get('min-healthy-percent'), {
    fraction: true,
    min: 0,
    max: 100,
  });
  const minRequests = parseInteger(named('min-requests'), get('min-requests'), {
    min: 0,
    max: 1_000_000_000,
  });
  const bakeTime = parseDuration(named('bake-time'), get('bake-time'));
  const confidence = parsePercent(named('confidence'), get('confidence'), {
    fraction: true,
    min: 50,
    max: 99.99,
  });
  if (confidence <= 50) {
    throw new InputError(
      named('confidence'),
      get('confidence'),
      'a percentage above 50% and at most 99.99%, such as 95%',
    );
  }
  const onInconclusive = get('on-inconclusive').trim();
  if (!(ON_INCONCLUSIVE as readonly string[]).includes(onInconclusive)) {
    throw new InputError(
      named('on-inconclusive'),
      raw['on-inconclusive'],
      `one of ${ON_INCONCLUSIVE.join(', ')}`,
    );
  }
  const maxConsecutiveErrors = parseInteger(named('max-consecutive-errors'), get('max-consecutive-errors'), {
    min: 0,
    max: 1000,
  });
  return {
    maxErrorRate,
    maxP99Latency,
    maxLatencyIncrease,
    minHealthyPercent,
    minRequests,
    bakeTime,
    confidence,
    onInconclusive: onInconclusive as OnInconclusive,
    maxConsecutiveErrors,
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
