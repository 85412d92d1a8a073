import * as core from '@actions/core';
import {
  InputError,
  parseBoolean,
  parseExpectedWeights,
  parseRolloutState,
  parseWeight,
  requireActiveState,
  resolveShiftStep,
  type Expectation,
  type RolloutState,
} from '@shiftgate/core';
import { parseRouteInputs, ROUTE_INPUT_DEFAULTS, type RouteInputs } from '@shiftgate/aws';

/** The code's defaults; action.yml states the same strings (a test compares them). */
export const DEFAULTS = {
  ...ROUTE_INPUT_DEFAULTS,
  'canary-weight': '',
  step: '',
  'expected-weights': '',
  force: 'false',
  'dry-run': 'false',
  'restore-on-failure': 'true',
} as const;

/** The shift-traffic inputs, parsed and validated once, before any AWS call. */
export interface Inputs extends RouteInputs {
  /** Percent of the pair's traffic for the canary. */
  canary: number;
  /** The plan index of the shift step, when `step` chose the weight. */
  stepIndex: number | null;
  state: RolloutState | null;
  /** What the routes must carry now; null when nothing is known yet. */
  expectation: Expectation | null;
  force: boolean;
  dryRun: boolean;
  restoreOnFailure: boolean;
}

/** Reads the inputs by name through a getter (tests pass a map), validating each. */
export function parseInputs(
  get: (name: string) => string = (name) => core.getInput(name),
  env: Record<string, string | undefined> = process.env,
): Inputs {
  const stateText = get('state').trim();
  const state = stateText === '' ? null : parseRolloutState('state', stateText);
  if (state) requireActiveState(state, stateText, 'shift-traffic moves traffic only for');
  const route = parseRouteInputs(get, env, state);
  const { routes } = route;

  const weightText = get('canary-weight').trim();
  const stepText = get('step').trim();
  if (weightText !== '' && stepText !== '') {
    throw new InputError('step', stepText, 'empty when canary-weight is set (give one or the other)');
  }
  let canary: number;
  let stepIndex: number | null = null;
  if (stepText !== '') {
    if (!state)
      throw new InputError('state', '', "a rollout state: step chooses a shift step of the state's plan");
    const step = resolveShiftStep('step', stepText, state);
    canary = step.weight;
    stepIndex = step.index;
  } else if (weightText !== '') {
    canary = parseWeight('canary-weight', weightText);
  } else {
    throw new InputError(
      'canary-weight',
      '',
      'a whole percentage between 0% and 100% (or set state and step)',
    );
  }

  const expectedText = get('expected-weights').trim();
  let expectation: Expectation | null = null;
  if (expectedText !== '') {
    expectation = parseExpectedWeights('expected-weights', expectedText);
    if (expectation.kind === 'exact') {
      const missing = routes.filter(
        (r) => !(expectation as Extract<Expectation, { kind: 'exact' }>).routes[r],
      );
      if (missing.length > 0) {
        throw new InputError('expected-weights', expectedText, 'an entry for every route', {
          message: `Input 'expected-weights' has no entry for ${missing.join(', ')}; give a split such as {"stable":100,"canary":0} or an entry for every route`,
        });
      }
    }
  } else if (state?.weights) {
    expectation = {
      kind: 'split',
      split: state.weights,
      source: "the rollout state's last verified weights",
    };
  } else if (state?.['initial-weights'] && routes.every((r) => state['initial-weights']![r])) {
    expectation = {
      kind: 'exact',
      routes: state['initial-weights'],
      source: "the rollout state's initial weights",
    };
  }

  return {
    ...route,
    canary,
    stepIndex,
    state,
    expectation,
    force: parseBoolean('force', get('force') || DEFAULTS.force),
    dryRun: parseBoolean('dry-run', get('dry-run') || DEFAULTS['dry-run']),
    restoreOnFailure: parseBoolean(
      'restore-on-failure',
      get('restore-on-failure') || DEFAULTS['restore-on-failure'],
    ),
  };
}
