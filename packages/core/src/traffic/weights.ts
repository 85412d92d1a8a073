// The weight shapes and the arithmetic on them: a stable/canary split, the target groups of one route's
// forward action, and the conversions and descriptions between the two.
import type { RouteWeights, Split, TargetWeight } from '../rollout/index';
import { ForwardActionError } from './port';

// Declared with the rollout state (the lowest folder that carries them) and re-exported here, where
// traffic code and its callers look for them.
export type { RouteWeights, Split } from '../rollout/index';

/** ALB quota "target groups per action": 5, not adjustable. */
export const MAX_TARGET_GROUPS_PER_ACTION = 5;
/** ELBv2 target group weights range from 0 to 999. */
export const MAX_TARGET_GROUP_WEIGHT = 999;

/** The two target groups a rollout moves traffic between. */
export interface TargetPair {
  stable: string;
  canary: string;
}

/** The split that sends `canary` percent to the canary. */
export function splitFor(canary: number): Split {
  return { stable: 100 - canary, canary };
}

interface Parts {
  stable: TargetWeight | undefined;
  canary: TargetWeight | undefined;
  others: TargetWeight[];
}

function parts(targetGroups: readonly TargetWeight[], pair: TargetPair): Parts {
  return {
    stable: targetGroups.find((t) => t['target-group-arn'] === pair.stable),
    canary: targetGroups.find((t) => t['target-group-arn'] === pair.canary),
    others: targetGroups.filter(
      (t) => t['target-group-arn'] !== pair.stable && t['target-group-arn'] !== pair.canary,
    ),
  };
}

/**
 * The stable and canary weights for a split of `total`: the canary gets `round(total × canary / 100)`,
 * the stable the rest. With `total` 100 the weights are the percentages themselves.
 */
export function pairWeights(total: number, canaryPercent: number): { stable: number; canary: number } {
  const canary = Math.round((total * canaryPercent) / 100);
  return { stable: total - canary, canary };
}

/**
 * True when the route sends the split's share to the canary: the canary's share of the pair's combined
 * weight is within half a percentage point of the split (so `142`/`8`, written for 5% of 150, matches
 * 5%, and stable `1` alone matches 0% but not 5%). A missing canary counts as weight 0; a pair with no
 * weight at all matches no split.
 */
export function matchesSplit(targetGroups: readonly TargetWeight[], pair: TargetPair, split: Split): boolean {
  const { stable, canary } = parts(targetGroups, pair);
  if (!stable) return false;
  const c = canary?.weight ?? 0;
  const total = stable.weight + c;
  if (total === 0) return false;
  // |c / total × 100 − split| < 0.5, in integers.
  return 2 * Math.abs(100 * c - split.canary * total) < total;
}

/**
 * The canary's share of the pair's traffic in percent (maybe fractional), or null when the stable
 * target group is missing or the pair carries no weight.
 */
export function canaryShare(targetGroups: readonly TargetWeight[], pair: TargetPair): number | null {
  const { stable, canary } = parts(targetGroups, pair);
  if (!stable) return null;
  const total = stable.weight + (canary?.weight ?? 0);
  return total === 0 ? null : ((canary?.weight ?? 0) * 100) / total;
}

/** Same target groups with the same weights, in any order. */
export function sameTargetGroups(a: readonly TargetWeight[], b: readonly TargetWeight[]): boolean {
  if (a.length !== b.length) return false;
  const byArn = new Map(a.map((t) => [t['target-group-arn'], t.weight]));
  return byArn.size === a.length && b.every((t) => byArn.get(t['target-group-arn']) === t.weight);
}

/**
 * True when two forward configurations send every request the same way: the other target groups carry
 * the same weights and the pair splits its share the same way (and, when other target groups exist,
 * the pair's combined weight is the same, so the others' share is too).
 */
export function sameTraffic(
  a: readonly TargetWeight[],
  b: readonly TargetWeight[],
  pair: TargetPair,
): boolean {
  if (sameTargetGroups(a, b)) return true;
  const pa = parts(a, pair);
  const pb = parts(b, pair);
  if (!pa.stable || !pb.stable || !sameTargetGroups(pa.others, pb.others)) return false;
  const ta = pa.stable.weight + (pa.canary?.weight ?? 0);
  const tb = pb.stable.weight + (pb.canary?.weight ?? 0);
  if (ta === 0 || tb === 0) return false;
  if (pa.others.length > 0 && ta !== tb) return false;
  return (pa.canary?.weight ?? 0) * tb === (pb.canary?.weight ?? 0) * ta;
}

/** `listener/app/shop/50dc…/f2f7…` from a full route ARN: short enough for a table, still unique. */
export function shortRoute(arn: string): string {
  return arn.split(':').slice(5).join(':');
}

/** A target group's short name from its ARN (`targetgroup/<name>/<id>`), for messages. */
export function targetGroupName(arn: string): string {
  const match = /:targetgroup\/([^/]+)\//.exec(arn);
  return match?.[1] ?? arn;
}

/** `stable blue 95, canary green 5, other legacy 10`: a forward configuration for people. */
export function describeTargetGroups(targetGroups: readonly TargetWeight[], pair?: TargetPair): string {
  if (targetGroups.length === 0) return 'no target groups';
  return targetGroups
    .map((t) => {
      const arn = t['target-group-arn'];
      const role =
        pair && arn === pair.stable
          ? 'stable '
          : pair && arn === pair.canary
            ? 'canary '
            : pair
              ? 'other '
              : '';
      return `${role}${targetGroupName(arn)} ${t.weight}`;
    })
    .join(', ');
}

/** `stable 95% / canary 5%`. */
export function describeSplit(split: Split): string {
  return `stable ${split.stable}% / canary ${split.canary}%`;
}

/**
 * The forward action's target groups after moving to `canaryPercent`, or the reason it cannot be done.
 *
 * Scaling, exactly:
 * - Only stable and canary in the action: the weights become the percentages (`95`/`5`), so the
 *   console shows the split as it is meant.
 * - Other target groups too: their weights are kept as they are, and so is the pair's combined weight
 *   `T` (stable + canary), so the others keep their share of the traffic. The canary gets
 *   `round(T × canaryPercent / 100)` and the stable `T − canary`. When `T` is below 100 and that
 *   product is not whole, the split cannot be expressed without changing the others' share, and it is
 *   refused rather than rounded to something else (raise the weights, e.g. ×100, to make room).
 * - A canary that is not in the action yet is appended at the end (the caller adds it at weight 0 first).
 */
export function targetGroupsForSplit(
  route: string,
  current: readonly TargetWeight[],
  pair: TargetPair,
  canaryPercent: number,
): TargetWeight[] {
  const { stable, canary, others } = parts(current, pair);
  if (!stable) {
    throw new ForwardActionError(
      route,
      'stable-missing',
      `${route} does not forward to the stable target group ${targetGroupName(pair.stable)} (${pair.stable}); it forwards to ${describeTargetGroups(current)}. Check stable-target-group-arn.`,
    );
  }
  const list = canary ? [...current] : [...current, { 'target-group-arn': pair.canary, weight: 0 }];
  if (list.length > MAX_TARGET_GROUPS_PER_ACTION) {
    throw new ForwardActionError(
      route,
      'too-many-target-groups',
      `${route} already forwards to ${current.length} target groups (${describeTargetGroups(current)}); adding the canary would exceed the ALB limit of ${MAX_TARGET_GROUPS_PER_ACTION} target groups per action.`,
    );
  }
  const total = others.length === 0 ? 100 : stable.weight + (canary?.weight ?? 0);
  if (others.length > 0 && total < 100 && (total * canaryPercent) % 100 !== 0) {
    throw new ForwardActionError(
      route,
      'inexact-split',
      `${route} also forwards to ${describeTargetGroups(others)}, whose weights shiftgate keeps; the stable and canary target groups share a weight of ${total}, too little to give the canary ${canaryPercent}% of it exactly. Raise the weights in the forward action (for example multiply them all by 100) and run again.`,
    );
  }
  const scaled = pairWeights(total, canaryPercent);
  if (scaled.stable > MAX_TARGET_GROUP_WEIGHT || scaled.canary > MAX_TARGET_GROUP_WEIGHT) {
    throw new ForwardActionError(
      route,
      'weight-limit',
      `${route}: giving the canary ${canaryPercent}% of the pair's combined weight ${total} needs a weight above ${MAX_TARGET_GROUP_WEIGHT}, the ELBv2 maximum. Lower the weights in the forward action and run again.`,
    );
  }
  return list.map((t) =>
    t['target-group-arn'] === pair.stable
      ? { 'target-group-arn': pair.stable, weight: scaled.stable }
      : t['target-group-arn'] === pair.canary
        ? { 'target-group-arn': pair.canary, weight: scaled.canary }
        : { ...t },
  );
}

/** Formats a route → target groups record as the `weights`/`previous-weights` outputs carry it. */
export function formatRouteWeights(routeWeights: RouteWeights): string {
  return JSON.stringify(routeWeights);
}
