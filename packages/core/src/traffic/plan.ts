// Route plans: the successive target-group lists to write on one route.
import type { TargetWeight } from '../rollout/index';
import type { RouteReading } from './port';
import { matchesSplit, sameTargetGroups, splitFor, targetGroupsForSplit, type TargetPair } from './weights';

/** What to write on one route, in order, and what it held before. */
export interface RoutePlan {
  route: string;
  /** The target groups the route held when planned; the first write expects exactly these. */
  before: TargetWeight[];
  /** The successive target-group lists to write; each is verified before the next. Empty: nothing to do. */
  writes: TargetWeight[][];
}

/**
 * Plans moving a route to `canaryPercent`: when the canary is not in the forward action yet it is first
 * added at weight 0 (so a limit or association error surfaces before any traffic moves, and the target
 * group becomes active for health checks), then the split is written. No write when the route already
 * sends that split with the canary attached.
 */
export function planShift(reading: RouteReading, pair: TargetPair, canaryPercent: number): RoutePlan {
  const before = reading['target-groups'].map((t) => ({ ...t }));
  const writes: TargetWeight[][] = [];
  let list = before;
  if (!before.some((t) => t['target-group-arn'] === pair.canary)) {
    // Validates stable presence and the target-group limit with the real target before adding anything.
    targetGroupsForSplit(reading.route, before, pair, canaryPercent);
    list = [...before, { 'target-group-arn': pair.canary, weight: 0 }];
    writes.push(list);
  }
  if (!matchesSplit(list, pair, splitFor(canaryPercent)))
    writes.push(targetGroupsForSplit(reading.route, list, pair, canaryPercent));
  return { route: reading.route, before, writes };
}

/** Plans writing exactly `target` on a route; no write when it already holds it (in any order). */
export function planRestore(reading: RouteReading, target: readonly TargetWeight[]): RoutePlan {
  const before = reading['target-groups'].map((t) => ({ ...t }));
  return {
    route: reading.route,
    before,
    writes: sameTargetGroups(before, target) ? [] : [target.map((t) => ({ ...t }))],
  };
}
