import * as core from '@actions/core';
import { AWS_INPUT_DEFAULTS, parseRouteInputs } from '@shiftgate/aws';
import {
  GATE_NAMES,
  InputError,
  parseBoolean,
  parseDuration,
  parseGates,
  parseMetricQueries,
  parseRolloutState,
  type Gates,
  type MetricQuery,
  type RollbackTarget,
  type RolloutState,
  type TargetPair,
} from '@shiftgate/core';

/** The code's defaults; action.yml states the same strings (a test compares them). */
export const DEFAULTS = {
  state: '',
  'listener-arn': '',
  'rule-arn': '',
  'stable-target-group-arn': '',
  'canary-target-group-arn': '',
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
  'fail-on-rollback': 'true',
  ...AWS_INPUT_DEFAULTS,
} as const;

/** The run-plan inputs, parsed and validated once, before any AWS call. */
export interface Inputs {
  state: RolloutState;
  routes: string[];
  pair: TargetPair;
  gates: Gates;
  /** Overrides every bake step's duration; null keeps the plan's. */
  bakeTime: number | null;
  /** The longest bake per step; null is three times the step's bake time. */
  maxBakeTime: number | null;
  pollInterval: number;
  metricDelay: number;
  queries: MetricQuery[];
  smokeCommand: string;
  flagCommand: string;
  rollbackTo: RollbackTarget;
  failOnRollback: boolean;
  region: string;
  retryMode: 'standard' | 'adaptive';
  maxAttempts: number;
}

const ALARM_NAME = /^[^\s,][^,\n]{0,254}$/;
const ACTIVE = ['planned', 'in-progress', 'paused'];

/** Reads the inputs by name through a getter (tests pass a map), validating each. */
export function parseInputs(
  get: (name: string) => string = (name) => core.getInput(name),
  env: Record<string, string | undefined> = process.env,
): Inputs {
  const stateText = get('state').trim();
  if (stateText === '') {
    throw new InputError(
      'state',
      '',
      'the rollout state JSON from select-strategy or an earlier shiftgate step',
    );
  }
  const state = parseRolloutState('state', stateText);
  if (!ACTIVE.includes(state.status)) {
    throw new InputError('state', stateText, 'a rollout in progress', {
      message: `Input 'state' is a rollout that is ${state.status}; run-plan runs a rollout that is ${ACTIVE.join(', ')}. Start a new rollout with select-strategy.`,
    });
  }
  if (state.step >= state.plan.length) {
    throw new InputError('state', stateText, 'a rollout with steps left', {
      message: `Input 'state' has no step left to run (step ${state.step} of ${state.plan.length})`,
    });
  }
  const { routes, pair, region, retryMode, maxAttempts } = parseRouteInputs(get, env, state);

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
    Object.fromEntries(GATE_NAMES.filter((n) => n !== 'bake-time').map((name) => [name, get(name)])),
    {
      custom: queries.flatMap((q) => (q.gate ? [q.gate] : [])),
      alarms: [...new Set(alarms)],
      smoke: smokeCommand !== '',
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

  const pollText = get('poll-interval') || DEFAULTS['poll-interval'];
  const pollInterval = parseDuration('poll-interval', pollText, { min: 60_000 });
  if (pollInterval % 60_000 !== 0 || pollInterval > 3_600_000) {
    throw new InputError(
      'poll-interval',
      pollText,
      "whole minutes from '60s' to '1h' (ALB publishes metrics per minute)",
    );
  }
  const delayText = get('metric-delay') || DEFAULTS['metric-delay'];
  const metricDelay = parseDuration('metric-delay', delayText, { allowZero: true });
  if (metricDelay > 15 * 60_000)
    throw new InputError('metric-delay', delayText, "a duration from '0s' to '15m'");

  const rollbackTo = (get('rollback-to') || DEFAULTS['rollback-to']).trim();
  if (rollbackTo !== 'stable' && rollbackTo !== 'previous')
    throw new InputError('rollback-to', rollbackTo, "'stable' or 'previous'");
  const flagCommand = get('flag-command').trim();
  const hooks = state.plan.slice(state.step).filter((s) => s.kind === 'hook');
  if (hooks.some((s) => s.kind === 'hook' && s.command.trim() === '') && flagCommand === '') {
    throw new InputError('flag-command', '', 'the command that sets the feature flag exposure', {
      message:
        "Input 'flag-command' is required: the plan has hook steps without a command of their own (set the feature-flag strategy's flag-command parameter, or this input)",
    });
  }

  return {
    state,
    routes,
    pair,
    gates,
    bakeTime,
    maxBakeTime,
    pollInterval,
    metricDelay,
    queries,
    smokeCommand,
    flagCommand,
    rollbackTo,
    failOnRollback: parseBoolean('fail-on-rollback', get('fail-on-rollback') || DEFAULTS['fail-on-rollback']),
    region,
    retryMode,
    maxAttempts,
  };
}
