import * as core from '@actions/core';
import {
  InputError,
  parseRollbackTo,
  parseRolloutState,
  settingDefault,
  type RollbackTarget,
  type RolloutState,
} from '@shiftgate/core';
import { log } from '@shiftgate/github';
import { parseRouteInputs, ROUTE_INPUT_DEFAULTS, type RouteInputs } from '@shiftgate/aws';

/** The code's defaults; action.yml states the same strings (a test compares them). */
export const DEFAULTS = {
  ...ROUTE_INPUT_DEFAULTS,
  reason: '',
  'rollback-to': settingDefault('rollback-to', 'rollback'),
  // The deprecated alias of rollback-to: empty, so that only a workflow that gives it gets the warning.
  to: '',
} as const;

/** The rollback inputs, parsed and validated once, before any AWS call. */
export interface Inputs extends RouteInputs {
  to: RollbackTarget;
  /** One line, at most 500 characters. */
  reason: string;
  state: RolloutState | null;
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
  const { routes, pair, region, retryMode, maxAttempts } = parseRouteInputs(get, env, state);
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
  // The reason ends up in a notice and the summary: one line, so it cannot start a workflow command.
  const reason = get('reason').replace(/\s+/g, ' ').trim().slice(0, 500);
  return { routes, pair, to: toText, reason, state, region, retryMode, maxAttempts };
}
