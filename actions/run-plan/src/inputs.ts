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
  SECRET_SETTING_NAMES,
  type Cell,
  type RolloutState,
  type RunSettings,
  type SettingName,
} from '@shiftgate/core';

/** The code's defaults; action.yml states the same strings (a test compares them). */
export const DEFAULTS = {
  ...ROUTE_INPUT_DEFAULTS,
  cells: '',
  'only-region': '',
  ...(Object.fromEntries(
    actionSettings('run-plan').map((name) => [name, settingDefault(name, 'run-plan')]),
  ) as Record<SettingName, string>),
} as const;

/** The run-plan inputs, parsed and validated once, before any AWS call. */
export interface Inputs extends RunSettings, RouteInputs {
  state: RolloutState;
  /** Rolling over cells: their definitions (the `cells` input), or null (none, or the state carries them). */
  cells: Cell[] | null;
  /** Rolling over cells: run only this region's waves (one job per region), or null for every region. */
  onlyRegion: string | null;
  /** A feature flag over cells: the cell names in rollout order (the flag's rule names those that have it). */
  flagCells: string[] | null;
  failOnRollback: boolean;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** Reads the inputs by name through a getter (tests pass a map), validating each. */
export function parseInputs(
  get: (name: string) => string = (name) => core.getInput(name),
  env: Record<string, string | undefined> = process.env,
): Inputs {
  // Masked before anything could echo them, a refused input included.
  for (const name of SECRET_SETTING_NAMES) if (get(name).trim() !== '') core.setSecret(get(name).trim());
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
  const onlyRegion = get('only-region').trim() || null;
  if (onlyRegion !== null && !REGION.test(onlyRegion)) {
    throw new InputError(
      'only-region',
      onlyRegion,
      "an AWS region of the rollout's cells, such as us-east-1",
    );
  }
  // Cells are waves of routes for rolling, the audience of a cell-aware flag for feature-flag.
  const flagCells = cells && state.strategy === 'feature-flag' ? cells.map((c) => c.name) : null;
  if (cells && !flagCells && state.strategy !== 'rolling') {
    throw new InputError('cells', get('cells'), '', {
      message: `Input 'cells' applies to the rolling strategy (waves of cells) and to feature-flag (cell-aware flags), not to ${state.strategy}; leave it empty`,
    });
  }
  if (
    ((cells && !flagCells) || state.cells) &&
    (get('metric-source').trim() || 'cloudwatch') !== 'cloudwatch'
  )
    throw new InputError('metric-source', get('metric-source'), "'cloudwatch' in a rollout over cells", {
      message: `Input 'metric-source' must be 'cloudwatch' in a rollout over cells (cells are judged on their regions' CloudWatch metrics), got '${get('metric-source').trim()}'`,
    });
  if ((cells && !flagCells) || state.cells)
    return { ...cellInputs(get, env, state), cells, onlyRegion, flagCells: null };
  if (onlyRegion !== null) {
    throw new InputError('only-region', onlyRegion, '', {
      message: `Input 'only-region' must be empty unless the rollout runs over cells (strategy rolling with cells), got '${onlyRegion}'`,
    });
  }
  return {
    cells: null,
    onlyRegion: null,
    flagCells,
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
): Omit<Inputs, 'cells' | 'onlyRegion' | 'flagCells'> {
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
