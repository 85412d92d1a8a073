import * as core from '@actions/core';
import { parseRetryMode, parseRouteInputs, ROUTE_INPUT_DEFAULTS, type RouteInputs } from '@shiftgate/aws';
import {
  actionSettings,
  InputError,
  parseBoolean,
  parseInteger,
  parseRolloutState,
  parseRunSettings,
  requireActiveState,
  settingDefault,
  parseCellsInput,
  type Cell,
  type RolloutState,
  type RunSettings,
  type SettingName,
} from '@shiftgate/core';

/** The code's defaults; action.yml states the same strings (a test compares them). */
export const DEFAULTS = {
  ...ROUTE_INPUT_DEFAULTS,
  cells: '',
  ...(Object.fromEntries(
    actionSettings('run-plan').map((name) => [name, settingDefault(name, 'run-plan')]),
  ) as Record<SettingName, string>),
} as const;

/** The run-plan inputs, parsed and validated once, before any AWS call. */
export interface Inputs extends RunSettings, RouteInputs {
  state: RolloutState;
  /** Rolling over cells: their definitions (the `cells` input), or null (none, or the state carries them). */
  cells: Cell[] | null;
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
  const cells = parseCellsInput('cells', get('cells'));
  if (cells || state.cells) return { ...cellInputs(get, env, state), cells };
  return {
    cells: null,
    ...parseRunSettings(get, state),
    // A saga deploys in place: its services carry their own commands and gates, not the run's routes.
    ...parseRouteInputs(get, env, state, { optional: state.strategy === 'saga' }),
    state,
    failOnRollback: parseBoolean('fail-on-rollback', get('fail-on-rollback') || DEFAULTS['fail-on-rollback']),
  };
}

/**
 * The inputs of a rollout over cells: each cell names its routes and target groups, so the single-route
 * inputs must stay empty; every region's client takes `retry-mode` and `max-attempts`.
 */
function cellInputs(
  get: (name: string) => string,
  env: Record<string, string | undefined>,
  state: RolloutState,
): Omit<Inputs, 'cells'> {
  for (const name of ['listener-arn', 'rule-arn', 'stable-target-group-arn', 'canary-target-group-arn']) {
    if (get(name).trim() !== '') {
      throw new InputError(name, get(name), 'empty in a rollout over cells', {
        message: `Input '${name}' must be empty in a rollout over cells: each cell names its own routes and target groups in 'cells'`,
      });
    }
  }
  return {
    ...parseRunSettings(get, state),
    state,
    routes: [],
    pair: { stable: '', canary: '' },
    failOnRollback: parseBoolean('fail-on-rollback', get('fail-on-rollback') || DEFAULTS['fail-on-rollback']),
    region: get('aws-region').trim() || env.AWS_REGION?.trim() || '',
    retryMode: parseRetryMode('retry-mode', get('retry-mode') || DEFAULTS['retry-mode']),
    maxAttempts: parseInteger('max-attempts', get('max-attempts') || DEFAULTS['max-attempts'], {
      min: 1,
      max: 10,
    }),
  };
}
