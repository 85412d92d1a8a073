import * as core from '@actions/core';
import { parseRouteInputs, ROUTE_INPUT_DEFAULTS, type RouteInputs } from '@shiftgate/aws';
import {
  actionSettings,
  InputError,
  parseBoolean,
  parseRolloutState,
  parseRunSettings,
  requireActiveState,
  settingDefault,
  type RolloutState,
  type RunSettings,
  type SettingName,
} from '@shiftgate/core';

/** The code's defaults; action.yml states the same strings (a test compares them). */
export const DEFAULTS = {
  ...ROUTE_INPUT_DEFAULTS,
  ...(Object.fromEntries(
    actionSettings('run-plan').map((name) => [name, settingDefault(name, 'run-plan')]),
  ) as Record<SettingName, string>),
} as const;

/** The run-plan inputs, parsed and validated once, before any AWS call. */
export interface Inputs extends RunSettings, RouteInputs {
  state: RolloutState;
  failOnRollback: boolean;
}

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
  requireActiveState(state, stateText, 'run-plan runs');
  if (state.step >= state.plan.length) {
    throw new InputError('state', stateText, 'a rollout with steps left', {
      message: `Input 'state' has no step left to run (step ${state.step} of ${state.plan.length})`,
    });
  }
  return {
    ...parseRunSettings(get, state),
    ...parseRouteInputs(get, env, state),
    state,
    failOnRollback: parseBoolean('fail-on-rollback', get('fail-on-rollback') || DEFAULTS['fail-on-rollback']),
  };
}
