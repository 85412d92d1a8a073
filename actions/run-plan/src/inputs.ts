import * as core from '@actions/core';
import { AWS_INPUT_DEFAULTS, parseRouteInputs } from '@shiftgate/aws';
import {
  actionSettings,
  InputError,
  parseBoolean,
  parseRolloutState,
  parseRunSettings,
  settingDefault,
  type RolloutState,
  type RunSettings,
  type SettingName,
  type TargetPair,
} from '@shiftgate/core';

/** The code's defaults; action.yml states the same strings (a test compares them). */
export const DEFAULTS = {
  state: '',
  'listener-arn': '',
  'rule-arn': '',
  'stable-target-group-arn': '',
  'canary-target-group-arn': '',
  ...(Object.fromEntries(
    actionSettings('run-plan').map((name) => [name, settingDefault(name, 'run-plan')]),
  ) as Record<SettingName, string>),
  ...AWS_INPUT_DEFAULTS,
} as const;

/** The run-plan inputs, parsed and validated once, before any AWS call. */
export interface Inputs extends RunSettings {
  state: RolloutState;
  routes: string[];
  pair: TargetPair;
  failOnRollback: boolean;
  region: string;
  retryMode: 'standard' | 'adaptive';
  maxAttempts: number;
}

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
  return {
    ...parseRunSettings(get, state),
    state,
    routes,
    pair,
    failOnRollback: parseBoolean('fail-on-rollback', get('fail-on-rollback') || DEFAULTS['fail-on-rollback']),
    region,
    retryMode,
    maxAttempts,
  };
}
