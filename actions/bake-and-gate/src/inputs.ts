import * as core from '@actions/core';
import { isRegion, loadBalancerDimension, targetGroupDimension } from '@shiftgate/aws';
import {
  actionSettings,
  defaultMaxBakeTime,
  InputError,
  parseBoolean,
  parseDuration,
  parseEvidenceSettings,
  parseRolloutState,
  settingDefault,
  type Gates,
  type MetricQuery,
  type RolloutState,
  type SettingName,
  type SourceSettings,
  SECRET_SETTING_NAMES,
} from '@shiftgate/core';

/** Where the canary and its baseline are. */
export interface Target {
  loadBalancerArn: string;
  /** The baseline. */
  stableTargetGroupArn: string;
  canaryTargetGroupArn: string;
}

/** The bake-and-gate inputs, parsed and validated once. */
export interface Inputs {
  gates: Gates;
  target: Target;
  /** The rollout state given as input, or null when the three ARNs were given instead. */
  state: RolloutState | null;
  /** Window length and poll interval, in milliseconds. */
  pollInterval: number;
  metricDelay: number;
  maxBakeTime: number;
  queries: MetricQuery[];
  /** Where the evidence comes from (metric-source and the prometheus-* inputs). */
  source: SourceSettings;
  smokeCommand: string;
  region: string;
  failOnRollback: boolean;
}

/** Defaults of the catalogue settings this action takes; action.yml states the same (a test compares them). */
export const DEFAULTS = Object.fromEntries(
  actionSettings('bake-and-gate').map((name) => [name, settingDefault(name, 'bake-and-gate')]),
) as Record<SettingName, string>;

/** Reads the inputs by name through a getter (tests pass a map), validating each. */
export function parseInputs(get: (name: string) => string = (name) => core.getInput(name)): Inputs {
  // Masked before anything could echo them, a refused input included.
  for (const name of SECRET_SETTING_NAMES) if (get(name).trim() !== '') core.setSecret(get(name).trim());
  const { gates, queries, source, smokeCommand, pollInterval, metricDelay } = parseEvidenceSettings(get, {
    withBakeTime: true,
  });
  const maxText = get('max-bake-time').trim();
  const maxBakeTime =
    maxText === '' ? defaultMaxBakeTime(gates.bakeTime) : parseDuration('max-bake-time', maxText);
  if (maxBakeTime < gates.bakeTime) {
    throw new InputError(
      'max-bake-time',
      maxText,
      `a duration of at least bake-time (${get('bake-time') || DEFAULTS['bake-time']}), or empty for the default`,
    );
  }

  const { state, target } = parseTarget(get);
  const region = get('aws-region').trim();
  if (region !== '' && !isRegion(region))
    throw new InputError('aws-region', region, 'an AWS region such as us-east-1, or empty to use AWS_REGION');

  return {
    gates,
    target,
    state,
    pollInterval,
    metricDelay,
    maxBakeTime,
    queries,
    source,
    smokeCommand,
    region,
    failOnRollback: parseBoolean('fail-on-rollback', get('fail-on-rollback') || DEFAULTS['fail-on-rollback']),
  };
}

const ARN_INPUTS = ['load-balancer-arn', 'stable-target-group-arn', 'canary-target-group-arn'] as const;

function parseTarget(get: (name: string) => string): { state: RolloutState | null; target: Target } {
  const stateText = get('state').trim();
  const explicit = Object.fromEntries(ARN_INPUTS.map((name) => [name, get(name).trim()])) as Record<
    (typeof ARN_INPUTS)[number],
    string
  >;
  const given = ARN_INPUTS.filter((name) => explicit[name] !== '');
  let state: RolloutState | null = null;
  let arns: Record<(typeof ARN_INPUTS)[number], string>;
  if (stateText !== '') {
    if (given.length > 0) {
      throw new InputError(
        given[0]!,
        explicit[given[0]!],
        "empty when 'state' is given (the state already names the load balancer and target groups)",
      );
    }
    state = parseRolloutState('state', stateText);
    const missing = ARN_INPUTS.filter((name) => !state![name]);
    if (missing.length > 0) {
      throw new InputError(
        'state',
        stateText,
        'a rollout state with the load balancer and both target groups',
        {
          message: `Input 'state' has no ${missing.map((m) => `'${m}'`).join(', ')}: run shift-traffic first, or give load-balancer-arn, stable-target-group-arn and canary-target-group-arn instead of state`,
        },
      );
    }
    arns = {
      'load-balancer-arn': state['load-balancer-arn']!,
      'stable-target-group-arn': state['stable-target-group-arn']!,
      'canary-target-group-arn': state['canary-target-group-arn']!,
    };
  } else {
    const missing = ARN_INPUTS.filter((name) => explicit[name] === '');
    if (missing.length > 0) {
      throw new InputError(
        missing[0]!,
        '',
        "an ARN (or give 'state' from shift-traffic instead of the three ARNs)",
      );
    }
    arns = explicit;
  }
  for (const name of ARN_INPUTS) {
    const where = state ? 'state' : name;
    if (name === 'load-balancer-arn') loadBalancerDimension(where, arns[name]);
    else targetGroupDimension(where, arns[name]);
  }
  if (arns['stable-target-group-arn'] === arns['canary-target-group-arn']) {
    throw new InputError(
      state ? 'state' : 'canary-target-group-arn',
      arns['canary-target-group-arn'],
      'a target group other than the stable (baseline) one',
    );
  }
  return {
    state,
    target: {
      loadBalancerArn: arns['load-balancer-arn'],
      stableTargetGroupArn: arns['stable-target-group-arn'],
      canaryTargetGroupArn: arns['canary-target-group-arn'],
    },
  };
}
