import * as core from '@actions/core';
import {
  cellRollbackRoutes,
  checkSagaCompensation,
  InputError,
  parseCellsInput,
  parseInteger,
  parseServices,
  parseRollbackTo,
  parseRolloutState,
  type RollbackTarget,
  type RolloutState,
  type ServiceSpec,
  type TargetPair,
} from '@shiftgate/core';
import { log } from '@shiftgate/github';
import { parseRetryMode, parseRouteInputs, ROUTE_INPUT_DEFAULTS, type RouteInputs } from '@shiftgate/aws';

/** The code's defaults; action.yml states the same strings (a test compares them). */
export const DEFAULTS = {
  ...ROUTE_INPUT_DEFAULTS,
  reason: '',
  cells: '',
  // Empty means stable (the catalogue states the same default; a test compares them).
  'rollback-to': '',
  // The deprecated alias of rollback-to: empty, so that only a workflow that gives it gets the warning.
  to: '',
  services: '',
} as const;

/** The rollback inputs, parsed and validated once, before any AWS call. */
export interface Inputs extends RouteInputs {
  to: RollbackTarget;
  /** One line, at most 500 characters. */
  reason: string;
  state: RolloutState | null;
  /** Saga services (their compensate commands), from this run's input only; empty without one. */
  services: ServiceSpec[];
  /** A state over cells: each moved cell's routes with its own target groups (null otherwise). */
  pairs: Record<string, TargetPair> | null;
}

/**
 * Reads the inputs by name through a getter (tests pass a map), validating each. `warn` hears of
 * deprecated inputs that were used.
 */
export function parseInputs(
  get: (name: string) => string = (name) => core.getInput(name),
  env: Record<string, string | undefined> = process.env,
  warn: (message: string) => void = (message) => log.warning(message),
): Inputs {
  const stateText = get('state').trim();
  const state = stateText === '' ? null : parseRolloutState('state', stateText);
  const toText = parseRollbackTo(get, warn);
  // Errors about the target name the input the workflow gave.
  const toName = get('rollback-to').trim() === '' && get('to').trim() !== '' ? 'to' : 'rollback-to';
  // The reason ends up in a notice and the summary: one line, so it cannot start a workflow command.
  const reason = get('reason').replace(/\s+/g, ' ').trim().slice(0, 500);
  // A rollout over cells: every moved cell goes back, its routes from the `cells` input when given
  // (checked against the state), else from the state; all checked before any AWS call.
  // Commands come from this input only; a saga state with services left to undo needs them.
  const services = parseServices('services', get('services'));
  if (state) checkSagaCompensation('services', state, services);
  const cells = parseCellsInput('cells', get('cells'));
  if (state?.cells) {
    const scope = cellRollbackRoutes(state, cells);
    return {
      ...cellRouteInputs(get, env),
      routes: scope.routes,
      pairs: scope.pairs,
      to: toText,
      reason,
      state,
      services,
    };
  }
  if (cells) {
    throw new InputError('cells', get('cells'), '', {
      message:
        "Input 'cells' must be empty unless the 'state' is a rollout over cells (strategy rolling with cells)",
    });
  }
  // A saga state without routes: the rollback compensates its services and moves no traffic.
  const { routes, pair, region, retryMode, maxAttempts } = parseRouteInputs(get, env, state, {
    optional: state?.strategy === 'saga',
  });
  if (toText === 'previous') {
    const missing = routes.filter((r) => !state?.['initial-weights']?.[r]);
    if (missing.length > 0) {
      throw new InputError(
        toName,
        toText,
        "'stable', or 'previous' with a state recording the weights before the rollout",
        {
          message: `Input '${toName}' is 'previous', but ${state ? 'the state records no weights from before the rollout for' : 'no state was given to say what was there before, for'} ${missing.join(', ')}; use ${toName}: stable, or pass the state emitted by shift-traffic`,
        },
      );
    }
  }
  return { routes, pair, pairs: null, to: toText, reason, state, services, region, retryMode, maxAttempts };
}

/** Over cells the routes and target groups come from the state's cells; the route inputs must be empty. */
function cellRouteInputs(
  get: (name: string) => string,
  env: Record<string, string | undefined>,
): Pick<Inputs, 'routes' | 'pair' | 'region' | 'retryMode' | 'maxAttempts'> {
  for (const name of ['listener-arn', 'rule-arn', 'stable-target-group-arn', 'canary-target-group-arn']) {
    if (get(name).trim() !== '') {
      throw new InputError(name, get(name), 'empty for a rollout over cells', {
        message: `Input '${name}' must be empty for a rollout over cells: the state names every cell's routes and target groups`,
      });
    }
  }
  return {
    routes: [],
    pair: { stable: '', canary: '' },
    region: get('aws-region').trim() || env.AWS_REGION?.trim() || '',
    retryMode: parseRetryMode('retry-mode', get('retry-mode') || DEFAULTS['retry-mode']),
    maxAttempts: parseInteger('max-attempts', get('max-attempts') || DEFAULTS['max-attempts'], {
      min: 1,
      max: 10,
    }),
  };
}
