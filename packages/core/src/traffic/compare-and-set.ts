// Expectations: what a route must carry before shiftgate changes it, so a shift never overwrites
// traffic someone else moved.
import { InputError } from '../shared/index';
import type { RouteWeights, Split, TargetWeight } from '../rollout/index';
import { WeightsChangedError, type RouteReading } from './port';
import {
  describeSplit,
  describeTargetGroups,
  matchesSplit,
  MAX_TARGET_GROUP_WEIGHT,
  sameTargetGroups,
  type TargetPair,
} from './weights';

/** What a route must carry before shiftgate changes it. */
export type Expectation =
  /** Every route sends this split (from the rollout state's `weights`, or `expected-weights`). */
  | { kind: 'split'; split: Split; source: string }
  /** Each route carries exactly these target groups (an earlier step's `weights` output, `initial-weights`). */
  | { kind: 'exact'; routes: RouteWeights; source: string };

/**
 * Parses `expected-weights`: either a split such as `{"stable":95,"canary":5}`, or a route → target
 * groups object exactly as the `weights` output of an earlier shift-traffic step emits it.
 */
export function parseExpectedWeights(input: string, text: string): Expectation {
  const allowed = `JSON such as {"stable":95,"canary":5}, or the 'weights' output of an earlier shift-traffic step`;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new InputError(input, text, allowed);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new InputError(input, text, allowed);
  const record = doc as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  if (keys.join() === 'canary,stable') {
    const { stable, canary } = record;
    const whole = (v: unknown): v is number =>
      typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 100;
    if (!whole(stable) || !whole(canary) || stable + canary !== 100) {
      throw new InputError(
        input,
        text,
        'a split of whole percentages that add up to 100, such as {"stable":95,"canary":5}',
      );
    }
    return { kind: 'split', split: { stable, canary }, source: `'${input}'` };
  }
  if (keys.length === 0) throw new InputError(input, text, allowed);
  const routes: RouteWeights = {};
  for (const [route, list] of Object.entries(record)) {
    if (!Array.isArray(list) || list.length === 0 || !list.every(isTargetWeight))
      throw new InputError(input, text, allowed);
    routes[route] = list.map((t) => ({ 'target-group-arn': t['target-group-arn'], weight: t.weight }));
  }
  return { kind: 'exact', routes, source: `'${input}'` };
}

function isTargetWeight(value: unknown): value is TargetWeight {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    Object.keys(v).sort().join() === 'target-group-arn,weight' &&
    typeof v['target-group-arn'] === 'string' &&
    typeof v.weight === 'number' &&
    Number.isInteger(v.weight) &&
    v.weight >= 0 &&
    v.weight <= MAX_TARGET_GROUP_WEIGHT
  );
}

/**
 * Throws {@link WeightsChangedError} when the route does not carry what the expectation says.
 * A route missing from an exact expectation is refused too: nothing is known about it.
 */
export function checkExpectation(reading: RouteReading, pair: TargetPair, expectation: Expectation): void {
  const found = reading['target-groups'];
  const ok =
    expectation.kind === 'split'
      ? matchesSplit(found, pair, expectation.split)
      : expectation.routes[reading.route] !== undefined &&
        sameTargetGroups(found, expectation.routes[reading.route]!);
  if (ok) return;
  const wanted =
    expectation.kind === 'split'
      ? describeSplit(expectation.split)
      : expectation.routes[reading.route]
        ? describeTargetGroups(expectation.routes[reading.route]!, pair)
        : 'an entry for this route (there is none)';
  throw new WeightsChangedError(
    reading.route,
    found,
    `${reading.route} does not carry the expected weights: expected ${wanted} (from ${expectation.source}), found ${describeTargetGroups(found, pair)}. Someone else may be moving traffic on this route; refusing to change it. Set force: true to overwrite.`,
  );
}
