import { InputError, parseDuration } from '../shared/index';
import { GATE_NAMES, parseGates, parseMetricQueries, type Gates, type MetricQuery } from '../health/index';
import type { RolloutState } from '../rollout/index';
import type { RollbackTarget } from '../traffic/index';

/**
 * Defaults of the settings a plan run takes, written as a user writes them. The run-plan action's
 * inputs and the `shiftgate deploy` flags share these names and defaults.
 */
export const RUN_SETTING_DEFAULTS = {
  'max-error-rate': '1%',
  'max-p99-latency': '500ms',
  'max-latency-increase': '20%',
  'min-healthy-percent': '95%',
  'min-requests': '100',
  'bake-time': '',
  'max-bake-time': '',
  confidence: '95%',
  'on-inconclusive': 'rollback',
  'max-consecutive-errors': '4',
  'poll-interval': '60s',
  'metric-delay': '2m',
  'metric-queries': '',
  alarms: '',
  'smoke-command': '',
  'flag-command': '',
  'rollback-to': 'stable',
} as const;

/** The names of {@link RUN_SETTING_DEFAULTS}. */
export type RunSettingName = keyof typeof RUN_SETTING_DEFAULTS;

/** Everything about a plan run besides where traffic is: the gates, the timing, the hooks. */
export interface RunSettings {
  gates: Gates;
  /** Overrides every bake step's duration; null keeps the plan's. */
  bakeTime: number | null;
  /** The longest bake per step; null is three times the step's bake time. */
  maxBakeTime: number | null;
  /** Window length and poll interval, milliseconds. */
  pollInterval: number;
  metricDelay: number;
  queries: MetricQuery[];
  smokeCommand: string;
  flagCommand: string;
  rollbackTo: RollbackTarget;
}

const ALARM_NAME = /^[^\s,][^,\n]{0,254}$/;

/** The evidence settings bake-and-gate and a plan run read alike. */
export interface EvidenceSettings {
  gates: Gates;
  queries: MetricQuery[];
  smokeCommand: string;
  /** Window length and poll interval, milliseconds. */
  pollInterval: number;
  metricDelay: number;
}

/**
 * Parses the gates, `metric-queries`, `alarms`, `smoke-command`, `poll-interval` and `metric-delay` by
 * name. `bake-time` is one of the gates only when `withBakeTime` (bake-and-gate); a plan run reads it as
 * an override of each bake step instead. Empty values take their defaults.
 */
export function parseEvidenceSettings(
  get: (name: string) => string,
  options: { withBakeTime: boolean },
): EvidenceSettings {
  const value = (name: 'poll-interval' | 'metric-delay') => get(name).trim() || RUN_SETTING_DEFAULTS[name];
  const alarms = get('alarms')
    .split(/[,\n]/)
    .map((a) => a.trim())
    .filter((a) => a !== '');
  for (const alarm of alarms) {
    if (!ALARM_NAME.test(alarm))
      throw new InputError('alarms', alarm, 'CloudWatch alarm names separated by commas or new lines');
  }
  if (alarms.length > 100) throw new InputError('alarms', get('alarms'), 'at most 100 alarm names');
  const queries = parseMetricQueries('metric-queries', get('metric-queries'));
  const smokeCommand = get('smoke-command').trim();
  const gates = parseGates(
    Object.fromEntries(
      GATE_NAMES.filter((n) => options.withBakeTime || n !== 'bake-time').map((name) => [name, get(name)]),
    ),
    {
      custom: queries.flatMap((q) => (q.gate ? [q.gate] : [])),
      alarms: [...new Set(alarms)],
      smoke: smokeCommand !== '',
    },
  );
  const pollText = value('poll-interval');
  const pollInterval = parseDuration('poll-interval', pollText, { min: 60_000 });
  if (pollInterval % 60_000 !== 0 || pollInterval > 3_600_000) {
    throw new InputError(
      'poll-interval',
      pollText,
      "whole minutes from '60s' to '1h' (ALB publishes metrics per minute)",
    );
  }
  const delayText = value('metric-delay');
  const metricDelay = parseDuration('metric-delay', delayText, { allowZero: true });
  if (metricDelay > 15 * 60_000)
    throw new InputError('metric-delay', delayText, "a duration from '0s' to '15m'");
  return { gates, queries, smokeCommand, pollInterval, metricDelay };
}

/**
 * Parses the run settings by name through `get` (an action's `getInput`, a CLI's flags), validating
 * each against the plan it will run. An empty value takes its default. Throws an {@link InputError}
 * naming the setting, the value and what is allowed.
 */
export function parseRunSettings(get: (name: RunSettingName) => string, state: RolloutState): RunSettings {
  const value = (name: RunSettingName) => {
    const text = get(name).trim();
    return text === '' ? RUN_SETTING_DEFAULTS[name] : text;
  };
  const { gates, queries, smokeCommand, pollInterval, metricDelay } = parseEvidenceSettings(
    (name) => get(name as RunSettingName),
    {
      withBakeTime: false,
    },
  );
  const bakeText = get('bake-time').trim();
  const bakeTime = bakeText === '' ? null : parseDuration('bake-time', bakeText);
  const maxText = get('max-bake-time').trim();
  const maxBakeTime = maxText === '' ? null : parseDuration('max-bake-time', maxText);
  if (maxBakeTime !== null) {
    const longest = Math.max(
      bakeTime ?? 0,
      ...state.plan.flatMap((s) => (s.kind === 'bake' && bakeTime === null ? [s['duration-ms']] : [])),
    );
    if (maxBakeTime < longest) {
      throw new InputError('max-bake-time', maxText, '', {
        message: `Input 'max-bake-time' must be at least the longest bake of the plan (${longest / 1000}s), or empty for three times each step's bake time; got '${maxText}'`,
      });
    }
  }
  const rollbackTo = value('rollback-to');
  if (rollbackTo !== 'stable' && rollbackTo !== 'previous')
    throw new InputError('rollback-to', rollbackTo, "'stable' or 'previous'");
  if (rollbackTo === 'previous' && state.step > 0 && state['initial-weights'] === null) {
    throw new InputError('rollback-to', rollbackTo, "'stable' for this state", {
      message: `Input 'rollback-to' is 'previous', but the state records no weights from before the rollout; use 'stable'`,
    });
  }
  const flagCommand = get('flag-command').trim();
  const bare = state.plan.slice(state.step).some((s) => s.kind === 'hook' && s.command.trim() === '');
  if (bare && flagCommand === '') {
    throw new InputError('flag-command', '', 'the command that sets the feature flag exposure', {
      message:
        "Input 'flag-command' is required: the plan has hook steps without a command of their own (set the feature-flag strategy's flag-command parameter, or this input)",
    });
  }
  return {
    gates,
    bakeTime,
    maxBakeTime,
    pollInterval,
    metricDelay,
    queries,
    smokeCommand,
    flagCommand,
    rollbackTo,
  };
}
