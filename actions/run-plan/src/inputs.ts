import * as core from '@actions/core';
import { AWS_INPUT_DEFAULTS, parseRetryMode, parseRouteInputs } from '@shiftgate/aws';
import {
  actionSettings,
  InputError,
  parseBoolean,
  parseInteger,
  parseRolloutState,
  parseRunSettings,
  settingDefault,
  parseCellsInput,
  type Cell,
  type RolloutState,
  type RunSettings,
  type SettingName,
  type TargetPair,
} from '@shiftgate/core';

/** The code's defaults; action.yml states the same strings (a test compares them). */
export const DEFAULTS = {
  state: '',
  cells: '',
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
  /** Rolling over cells: their definitions (the `cells` input), or null (none, or the state carries them). */
  cells: Cell[] | null;
  /** Empty in a rollout over cells: each cell names its own routes. */
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
  const cells = parseCellsInput('cells', get('cells'));
  if (cells || state.cells) return { ...cellInputs(get, env, state), cells };
  const { routes, pair, region, retryMode, maxAttempts } = parseRouteInputs(get, env, state);
  return {
    cells: null,
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
