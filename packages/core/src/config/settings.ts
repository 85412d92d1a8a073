import { InputError, parseDuration } from '../shared/index';
import {
  GATE_NAMES,
  parseAbMetrics,
  parseGates,
  parseMetricQueries,
  type AbMetric,
  type Gates,
  type MetricQuery,
} from '../health/index';
import {
  parseAlarms,
  parseMetricDelay,
  parsePollInterval,
  RUN_SETTING_DEFAULTS,
  settingDefault,
  type RunSettingName,
  type SettingName,
} from './catalogue';
import { parseSourceSettings, type SourceSettings } from './prometheus';
import type { RolloutState } from '../rollout/index';
import { checkPlanServices, parseServices, type ServiceSpec } from '../strategy/index';
import { parseRollbackTarget, type RollbackTarget } from '../traffic/index';
import { resolveFlagSettings, type FlagSettings } from '../flags/index';

/** Everything about a plan run besides where traffic is: the gates, the timing, the hooks. */
export interface RunSettings {
  gates: Gates;
  /** Overrides every bake step's duration; null keeps the plan's. */
  bakeTime: number | null;
  /** The longest bake per step; null is {@link defaultMaxBakeTime} of the step's bake time. */
  maxBakeTime: number | null;
  /** Window length and poll interval, milliseconds. */
  pollInterval: number;
  metricDelay: number;
  queries: MetricQuery[];
  /** Where the evidence comes from: CloudWatch, or a Prometheus API with its templates. */
  source: SourceSettings;
  smokeCommand: string;
  flagCommand: string;
  /** Who sets the flag steps' exposure, and for AppConfig where the flag lives (inputs, then the plan's parameters). */
  flags: FlagSettings;
  /** Saga services from this run's inputs, in deployment order; empty when none are given. */
  services: ServiceSpec[];
  /** A/B tests: the custom metrics compared besides error rate and slow share; empty when none. */
  abMetrics: AbMetric[];
  rollbackTo: RollbackTarget;
}

/** The evidence settings bake-and-gate and a plan run read alike. */
export interface EvidenceSettings {
  gates: Gates;
  queries: MetricQuery[];
  /** Where the evidence comes from: CloudWatch, or a Prometheus API with its templates. */
  source: SourceSettings;
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
  const text = (name: SettingName) => get(name).trim() || settingDefault(name);
  const alarms = parseAlarms('alarms', get('alarms'));
  const queries = parseMetricQueries('metric-queries', get('metric-queries'));
  const smokeCommand = get('smoke-command').trim();
  const gates = parseGates(
    Object.fromEntries(
      GATE_NAMES.filter((n) => options.withBakeTime || n !== 'bake-time').map((name) => [name, get(name)]),
    ),
    {
      custom: queries.flatMap((q) => (q.gate ? [q.gate] : [])),
      alarms,
      smoke: smokeCommand !== '',
    },
  );
  const pollInterval = parsePollInterval('poll-interval', text('poll-interval'));
  const metricDelay = parseMetricDelay('metric-delay', text('metric-delay'));
  const source = parseSourceSettings(get, queries);
  return { gates, queries, source, smokeCommand, pollInterval, metricDelay };
}

/**
 * Parses the run settings by name through `get` (an action's `getInput`, a CLI's flags), validating
 * each against the plan it will run. An empty value takes its default. Throws an {@link InputError}
 * naming the setting, the value and what is allowed.
 */
export function parseRunSettings(get: (name: RunSettingName) => string, state: RolloutState): RunSettings {
  const { gates, queries, source, smokeCommand, pollInterval, metricDelay } = parseEvidenceSettings(
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
        message: `Input 'max-bake-time' must be at least the longest bake of the plan (${longest / 1000}s), or empty for five times each step's bake time (at most it + 2h); got '${maxText}'`,
      });
    }
  }
  const rollbackTo = parseRollbackTarget(
    'rollback-to',
    get('rollback-to').trim() || RUN_SETTING_DEFAULTS['rollback-to'],
  );
  if (rollbackTo === 'previous' && state.step > 0 && state['initial-weights'] === null) {
    throw new InputError('rollback-to', rollbackTo, "'stable' for this state", {
      message: `Input 'rollback-to' is 'previous', but the state records no weights from before the rollout; use 'stable'`,
    });
  }
  const flagCommand = get('flag-command').trim();
  const flagSteps = state.plan.slice(state.step).some((s) => s.kind === 'hook');
  const flags = resolveFlagSettings({
    given: (name) => (name === 'flag-command' ? flagCommand : get(name as RunSettingName)),
    planned: state.parameters,
    hasFlagSteps: flagSteps,
  });
  const bare = state.plan.slice(state.step).some((s) => s.kind === 'hook' && s.command.trim() === '');
  if (bare && flagCommand === '' && flags.provider === 'command') {
    throw new InputError('flag-command', '', 'the command that sets the feature flag exposure', {
      message:
        "Input 'flag-command' is required: the plan has hook steps without a command of their own (set the feature-flag strategy's flag-command parameter, or this input)",
    });
  }
  const services = parseServices('services', get('services'));
  if (state.strategy === 'saga' && state.step < state.plan.length) {
    if (services.length === 0) {
      throw new InputError('services', '', 'the saga services with their deploy and compensate commands', {
        message:
          "Input 'services' is required for a saga plan: a YAML list of the services with their deploy and compensate commands (a rollout state carries service names only, never commands)",
      });
    }
    checkPlanServices('services', state.plan, services);
  }
  const abMetrics = parseAbMetrics('ab-metrics', get('ab-metrics'));
  if (abMetrics.length > 0 && state.strategy !== 'ab-testing')
    throw new InputError('ab-metrics', get('ab-metrics'), 'empty unless the strategy is ab-testing', {
      message: `Input 'ab-metrics' compares A and B in an A/B test; this is a ${state.strategy} plan, so leave it empty`,
    });
  if (abMetrics.length > 0 && source.kind !== 'cloudwatch')
    throw new InputError('ab-metrics', get('ab-metrics'), "empty with metric-source '" + source.kind + "'", {
      message: `Input 'ab-metrics' names CloudWatch metrics, which metric-source '${source.kind}' does not read; leave it empty or use metric-source cloudwatch`,
    });
  return {
    gates,
    bakeTime,
    maxBakeTime,
    pollInterval,
    metricDelay,
    queries,
    source,
    smokeCommand,
    flagCommand,
    flags,
    services,
    abMetrics,
    rollbackTo,
  };
}
