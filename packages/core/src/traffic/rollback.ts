// Rolling back: where a rollback or a post-step restore sends each route, and what it changes in the
// rollout state.
import { InputError } from '../shared/index';
import type { RolloutState, Split, TargetWeight } from '../rollout/index';
import type { RouteReading } from './port';
import {
  canaryShare,
  describeTargetGroups,
  matchesSplit,
  sameTargetGroups,
  sameTraffic,
  splitFor,
  targetGroupsForSplit,
  type TargetPair,
} from './weights';

/** Where `rollback` sends traffic. */
export type RollbackTarget = 'stable' | 'previous';

/** Where a rollback goes when nothing says otherwise. */
export const DEFAULT_ROLLBACK_TARGET: RollbackTarget = 'stable';

/** Parses `rollback-to`: stable or previous. */
export function parseRollbackTarget(input: string, text: string): RollbackTarget {
  const value = text.trim();
  if (value !== 'stable' && value !== 'previous') throw new InputError(input, text, "'stable' or 'previous'");
  return value;
}

/**
 * Reads `rollback-to`, or its deprecated alias `to` (the rollback action's and `shiftgate rollback`'s
 * first name for it), with a warning when the alias is used. Both given and different is an error;
 * neither is stable. `prefix` is put before the names (`--` for flags).
 */
export function parseRollbackTo(
  get: (name: 'rollback-to' | 'to') => string,
  warn: (message: string) => void,
  prefix = '',
): RollbackTarget {
  const name = `${prefix}rollback-to`;
  const alias = `${prefix}to`;
  const value = get('rollback-to').trim();
  const old = get('to').trim();
  if (old !== '') {
    warn(`Input '${alias}' is deprecated and will be removed; use '${name}' instead.`);
    if (value !== '' && value !== old) {
      throw new InputError(name, value, '', {
        message: `Input '${name}' is '${value}' but its deprecated alias '${alias}' is '${old}'; give only '${name}'`,
      });
    }
    if (value === '') return parseRollbackTarget(alias, old);
  }
  return parseRollbackTarget(name, value === '' ? DEFAULT_ROLLBACK_TARGET : value);
}

/**
 * The target groups a rollback writes on a route, or null when the route is already there.
 * `stable`: the pair sends everything to stable (stable 100 / canary 0 when they are alone; with other
 * target groups, the pair's combined weight all goes to stable). `previous`: exactly the target groups
 * recorded before the rollout first touched the route (`initial`).
 */
export function rollbackTargetGroups(
  reading: RouteReading,
  pair: TargetPair,
  to: RollbackTarget,
  initial: readonly TargetWeight[] | null,
): TargetWeight[] | null {
  const current = reading['target-groups'];
  if (to === 'previous') {
    if (!initial)
      throw new InputError(
        'to',
        to,
        `'stable', or 'previous' with a state recording the weights of ${reading.route} before the rollout`,
      );
    return sameTargetGroups(current, initial) ? null : initial.map((t) => ({ ...t }));
  }
  if (matchesSplit(current, pair, splitFor(0))) return null;
  return targetGroupsForSplit(reading.route, current, pair, 0).filter(
    // A canary that was not in the action stays out of it.
    (t) =>
      t['target-group-arn'] !== pair.canary || current.some((c) => c['target-group-arn'] === pair.canary),
  );
}

/**
 * The post-step decision for one route after a failed or cancelled job: `before` is what the route
 * held before this job's step changed it, `written` every list the step wrote. Restores `before` when
 * the route holds something this step wrote; leaves it when it already sends traffic the way it did
 * (for example a rollback step ran), or when someone else changed it since (their change wins).
 */
export function restoreDecision(
  current: readonly TargetWeight[],
  saved: { before: TargetWeight[]; writes: TargetWeight[][] },
  pair: TargetPair,
):
  | { action: 'none'; reason: string }
  | { action: 'restore'; target: TargetWeight[] }
  | { action: 'leave'; reason: string } {
  if (sameTraffic(current, saved.before, pair)) {
    return {
      action: 'none',
      reason: `already sends traffic as before this job (${describeTargetGroups(current, pair)})`,
    };
  }
  if (saved.writes.some((w) => sameTargetGroups(current, w)))
    return { action: 'restore', target: saved.before };
  return {
    action: 'leave',
    reason: `holds ${describeTargetGroups(current, pair)}, which this job did not write; someone else changed it since, so it is left as it is`,
  };
}

/**
 * The rollout state after a rollback. `weights` is the split now on the routes: 100/0 for `stable`;
 * for `previous`, the canary share of the first route's initial weights, rounded to a whole percent.
 */
export function recordRollback(
  state: RolloutState,
  to: RollbackTarget,
  pair: TargetPair,
  now: Date,
): RolloutState {
  let split: Split = splitFor(0);
  if (to === 'previous') {
    const first = state.routes[0];
    const share =
      first && state['initial-weights']?.[first] ? canaryShare(state['initial-weights'][first]!, pair) : null;
    split = splitFor(Math.round(share ?? 0));
  }
  return { ...state, status: 'rolled-back', weights: split, 'updated-at': now.toISOString() };
}
