import { errorMessage, InputError, quote, silentLogger, type Logger, type Sleeper } from '../shared/index';
import { createRolloutState, type RolloutState, type TargetWeight } from '../rollout/index';
import type { Step } from '../strategy/index';

// ─── Port ────────────────────────────────────────────────────────────────────────────────────────

/** A listener's default action (ModifyListener) or a listener rule (ModifyRule). */
export type RouteKind = 'listener' | 'rule';

/**
 * What a router read from one route: the target groups of its forward action, in the order the
 * provider reports them. Adapters return their own subtype carrying whatever else they need to write
 * the route back unchanged (the other actions, the stickiness config); core never looks inside.
 */
export interface RouteReading {
  route: string;
  kind: RouteKind;
  'target-groups': TargetWeight[];
}

/** The exact request a write would send, for dry runs and debug logs. */
export interface WritePreview {
  route: string;
  /** The provider's operation name, e.g. `ModifyListener`. */
  operation: string;
  /** The request parameters, exactly as they would be sent. */
  request: unknown;
}

/**
 * The traffic router port. Adapters are thin: they read and write one route at a time. Compare-and-set,
 * read-back verification, and all-or-nothing changes across routes are done here in core, so every
 * adapter (AWS, the simulator) gets them for free.
 */
export interface TrafficRouter {
  /** Reads the route's forward action. Throws a {@link RouterError} or {@link ForwardActionError}. */
  read(route: string): Promise<RouteReading>;
  /** The request {@link write} would send for this reading and these target groups. */
  preview(reading: RouteReading, targetGroups: TargetWeight[]): WritePreview;
  /**
   * Writes the route as `reading` holds it, with only the forward action's target groups replaced by
   * `targetGroups`; every other action, the action order and the stickiness config are sent back as read.
   */
  write(reading: RouteReading, targetGroups: TargetWeight[]): Promise<void>;
  /** The load balancer a route belongs to. */
  loadBalancerOf(reading: RouteReading): Promise<string>;
}

/**
 * A provider call that failed. `rejected` tells whether the provider certainly refused the request (a
 * 4xx answer: nothing changed) or the outcome is unknown (a 5xx answer, a timeout, a lost response),
 * in which case a write must be checked by reading the route back.
 */
export class RouterError extends Error {
  override name = 'RouterError';
  /** The provider operation, e.g. `ModifyRule`. */
  readonly operation: string;
  /** The route (listener or rule ARN) the call was about. */
  readonly route: string;
  /** The provider's error code (`ListenerNotFound`, `Throttling`, …) or a transport code. */
  readonly code: string;
  /** True when the request was refused and changed nothing; false when its outcome is unknown. */
  readonly rejected: boolean;

  constructor(options: {
    operation: string;
    route: string;
    code: string;
    rejected: boolean;
    message: string;
    cause?: unknown;
  }) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.operation = options.operation;
    this.route = options.route;
    this.code = options.code;
    this.rejected = options.rejected;
  }
}

/** A route's forward action cannot be changed the way it was asked (no forward action, limits, …). */
export class ForwardActionError extends Error {
  override name = 'ForwardActionError';
  readonly route: string;
  readonly reason:
    | 'no-forward-action'
    | 'stable-missing'
    | 'too-many-target-groups'
    | 'inexact-split'
    | 'weight-limit'
    | 'default-rule'
    | 'unreadable';

  constructor(route: string, reason: ForwardActionError['reason'], message: string) {
    super(message);
    this.route = route;
    this.reason = reason;
  }
}

/** The route does not carry the weights the rollout expects: someone else moved traffic. */
export class WeightsChangedError extends Error {
  override name = 'WeightsChangedError';
  readonly route: string;
  readonly found: TargetWeight[];
  constructor(route: string, found: TargetWeight[], message: string) {
    super(message);
    this.route = route;
    this.found = found;
  }
}

/** After a write, the route never read back the written weights within the verification bound. */
export class WeightsNotVerifiedError extends Error {
  override name = 'WeightsNotVerifiedError';
  readonly route: string;
  /** What the last read-back found, or null when every read-back failed. */
  readonly found: TargetWeight[] | null;
  constructor(route: string, found: TargetWeight[] | null, message: string) {
    super(message);
    this.route = route;
    this.found = found;
  }
}

/** The outcome of one route in a change that failed, for the error message and for callers. */
export interface RouteOutcome {
  route: string;
  /** `unchanged`: never written; `put-back`: restored and verified; `changed`: left as changed; `unknown`: could not tell. */
  status: 'unchanged' | 'put-back' | 'changed' | 'unknown';
  /** What the route holds now, when known. */
  now: TargetWeight[] | null;
  detail?: string;
}

/**
 * A change across routes failed. The message says what failed and, route by route, what was put back
 * and what is left behind, so a person can act on it without reading logs.
 */
export class RouteTransactionError extends Error {
  override name = 'RouteTransactionError';
  override readonly cause: unknown;
  readonly outcomes: RouteOutcome[];
  /** Best-effort changes (rollback, restore): the routes that were handled before the error was raised. */
  readonly results: RestoreResult[];
  constructor(message: string, cause: unknown, outcomes: RouteOutcome[], results: RestoreResult[] = []) {
    super(message);
    this.cause = cause;
    this.outcomes = outcomes;
    this.results = results;
  }
}

// ─── Weights ─────────────────────────────────────────────────────────────────────────────────────

/** ALB quota "target groups per action": 5, not adjustable. */
export const MAX_TARGET_GROUPS_PER_ACTION = 5;
/** ELBv2 target group weights range from 0 to 999. */
export const MAX_TARGET_GROUP_WEIGHT = 999;

/** The two target groups a rollout moves traffic between. */
export interface TargetPair {
  stable: string;
  canary: string;
}

/** A stable/canary split in whole percent; the two add up to 100. */
export interface Split {
  stable: number;
  canary: number;
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
  const weights = new Map(a.map((t) => [t['target-group-arn'], t.weight]));
  return weights.size === a.length && b.every((t) => weights.get(t['target-group-arn']) === t.weight);
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
  const weights = pairWeights(total, canaryPercent);
  if (weights.stable > MAX_TARGET_GROUP_WEIGHT || weights.canary > MAX_TARGET_GROUP_WEIGHT) {
    throw new ForwardActionError(
      route,
      'weight-limit',
      `${route}: giving the canary ${canaryPercent}% of the pair's combined weight ${total} needs a weight above ${MAX_TARGET_GROUP_WEIGHT}, the ELBv2 maximum. Lower the weights in the forward action and run again.`,
    );
  }
  return list.map((t) =>
    t['target-group-arn'] === pair.stable
      ? { 'target-group-arn': pair.stable, weight: weights.stable }
      : t['target-group-arn'] === pair.canary
        ? { 'target-group-arn': pair.canary, weight: weights.canary }
        : { ...t },
  );
}

// ─── Expectations (compare-and-set) ──────────────────────────────────────────────────────────────

/** What a route must carry before shiftgate changes it. */
export type Expectation =
  /** Every route sends this split (from the rollout state's `weights`, or `expected-weights`). */
  | { kind: 'split'; split: Split; source: string }
  /** Each route carries exactly these target groups (an earlier step's `weights` output, `initial-weights`). */
  | { kind: 'exact'; routes: Record<string, TargetWeight[]>; source: string };

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
  const routes: Record<string, TargetWeight[]> = {};
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

// ─── Plans ───────────────────────────────────────────────────────────────────────────────────────

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

// ─── Applying plans: compare-and-set, verification, all or nothing ───────────────────────────────

/** Bounds of the read-back after a write. */
export interface VerifyOptions {
  /** Reads at most this many times (the first immediately). */
  attempts: number;
  /** Delay cap before the second read; doubles each time up to `maxDelayMs`. Full jitter is applied. */
  initialDelayMs: number;
  maxDelayMs: number;
}

/** Default read-back: 8 reads; the jittered waits between them add up to at most 15.75 s. */
export const DEFAULT_VERIFY: VerifyOptions = { attempts: 8, initialDelayMs: 250, maxDelayMs: 4000 };

/** What applying plans needs besides the router. */
export interface ApplyOptions {
  /** Skip the compare-and-set check on the re-read before each write (warns instead). */
  force?: boolean;
  /** Names the stable and canary target groups in messages. */
  pair?: TargetPair;
  verify?: VerifyOptions;
  /** Waits between read-backs; the caller's, because core sets no timers. */
  sleep: Sleeper;
  /** Jitter source in [0, 1); injectable for tests. */
  random?: () => number;
  logger?: Logger;
  /**
   * Called once, after every route is planned and before the first write, with the plans that will be
   * written (so an action can save what to restore if the job dies mid-way).
   */
  beforeFirstWrite?: (plans: RoutePlan[]) => void | Promise<void>;
}

/** What one route looks like after a successful change. */
export interface RouteResult {
  route: string;
  before: TargetWeight[];
  /** The verified target groups now on the route. */
  after: TargetWeight[];
  changed: boolean;
}

interface Context {
  router: TrafficRouter;
  force: boolean;
  pair: TargetPair | undefined;
  verify: VerifyOptions;
  sleep: Sleeper;
  random: () => number;
  logger: Logger;
}

function context(router: TrafficRouter, options: ApplyOptions): Context {
  return {
    router,
    force: options.force ?? false,
    pair: options.pair,
    verify: options.verify ?? DEFAULT_VERIFY,
    sleep: options.sleep,
    random: options.random ?? Math.random,
    logger: options.logger ?? silentLogger,
  };
}

/**
 * Reads the route back until it holds `expected` (bounded, jittered). Throws
 * {@link WeightsNotVerifiedError} naming what was found; when that is the `previous` configuration
 * again, the message says the change was reverted or never applied.
 */
export async function verifyRoute(
  ctx: Pick<Context, 'router' | 'verify' | 'sleep' | 'random' | 'logger' | 'pair'>,
  route: string,
  expected: readonly TargetWeight[],
  previous: readonly TargetWeight[] | null,
): Promise<RouteReading> {
  let found: TargetWeight[] | null = null;
  let lastError: unknown = null;
  for (let attempt = 0; attempt < ctx.verify.attempts; attempt++) {
    if (attempt > 0) {
      const cap = Math.min(ctx.verify.maxDelayMs, ctx.verify.initialDelayMs * 2 ** (attempt - 1));
      await ctx.sleep(Math.floor(ctx.random() * cap));
    }
    try {
      const reading = await ctx.router.read(route);
      if (sameTargetGroups(reading['target-groups'], expected)) return reading;
      found = reading['target-groups'];
      ctx.logger.debug(`read-back ${attempt + 1} of ${route}: ${describeTargetGroups(found, ctx.pair)}`);
    } catch (error) {
      lastError = error;
      ctx.logger.debug(`read-back ${attempt + 1} of ${route} failed: ${errorMessage(error)}`);
    }
  }
  const reads = `${ctx.verify.attempts} read${ctx.verify.attempts === 1 ? '' : 's'}`;
  if (found === null) {
    throw new WeightsNotVerifiedError(
      route,
      null,
      `could not read ${route} back after writing it (${reads}): ${errorMessage(lastError)}`,
    );
  }
  const reverted = previous !== null && sameTargetGroups(found, previous);
  throw new WeightsNotVerifiedError(
    route,
    found,
    reverted
      ? `${route} read back its previous weights (${describeTargetGroups(found, ctx.pair)}) after ${reads} instead of ${describeTargetGroups(expected, ctx.pair)}: the change was reverted by someone else or never applied`
      : `${route} read back ${describeTargetGroups(found, ctx.pair)} after ${reads} instead of ${describeTargetGroups(expected, ctx.pair)}: someone else changed the weights`,
  );
}

/**
 * One compare-and-set write: re-read (unless `reading` is the read just taken), check the route still
 * holds `expected`, write, and verify. A write whose outcome is unknown (lost response, 5xx) is settled
 * by the read-back. Returns the verified reading.
 */
async function casWrite(
  ctx: Context,
  route: string,
  expected: readonly TargetWeight[],
  next: TargetWeight[],
  fresh: RouteReading | null,
): Promise<RouteReading> {
  const reading = fresh ?? (await ctx.router.read(route));
  if (!sameTargetGroups(reading['target-groups'], expected)) {
    const message = `${route} changed between reading and writing it: expected ${describeTargetGroups(expected, ctx.pair)}, found ${describeTargetGroups(reading['target-groups'], ctx.pair)}`;
    if (!ctx.force) {
      throw new WeightsChangedError(
        route,
        reading['target-groups'],
        `${message}. Someone else is moving traffic on this route; refusing to overwrite it. Set force: true to overwrite.`,
      );
    }
    ctx.logger.warning(`${message}; overwriting it because force is set`);
  }
  ctx.logger.debug(`request: ${JSON.stringify(ctx.router.preview(reading, next))}`);
  try {
    await ctx.router.write(reading, next);
  } catch (error) {
    if (!(error instanceof RouterError) || error.rejected) throw error;
    // The request may have been applied although its response was lost: the read-back decides.
    ctx.logger.warning(`${errorMessage(error)}; reading the route back to see whether the change applied`);
    try {
      const verified = await verifyRoute(ctx, route, next, reading['target-groups']);
      ctx.logger.warning(`${route} holds the new weights although the write reported an error; continuing`);
      return verified;
    } catch (verifyError) {
      throw new RouterError({
        operation: error.operation,
        route,
        code: error.code,
        rejected: false,
        message: `${error.message}; reading the route back did not show the change either (${errorMessage(verifyError)})`,
        cause: error,
      });
    }
  }
  return verifyRoute(ctx, route, next, reading['target-groups']);
}

/**
 * Applies plans all or nothing: routes in order, each write compare-and-set and verified. When one
 * fails, every route already changed is put back to what it held before, in reverse order (each put-back
 * is itself compare-and-set against what was written, so a route someone else touched since is left
 * alone), and a {@link RouteTransactionError} says what was put back and what is left behind.
 */
export async function applyAllOrNothing(
  router: TrafficRouter,
  plans: RoutePlan[],
  options: ApplyOptions,
): Promise<RouteResult[]> {
  const ctx = context(router, options);
  const results: RouteResult[] = [];
  /** Routes with at least one verified write, and the last list verified on each. */
  const changed: { plan: RoutePlan; last: TargetWeight[] }[] = [];
  if (plans.some((p) => p.writes.length > 0)) await options.beforeFirstWrite?.(plans);
  for (const plan of plans) {
    let expected = plan.before;
    try {
      for (const next of plan.writes) {
        await casWrite(ctx, plan.route, expected, next, null);
        const entry = changed.find((c) => c.plan === plan);
        if (entry) entry.last = next;
        else changed.push({ plan, last: next });
        expected = next;
        ctx.logger.info(`${plan.route}: ${describeTargetGroups(next, ctx.pair)} (verified)`);
      }
      results.push({
        route: plan.route,
        before: plan.before,
        after: expected,
        changed: plan.writes.length > 0,
      });
    } catch (error) {
      const outcomes = await undo(ctx, changed);
      const untouched = plans
        .filter((p) => !changed.some((c) => c.plan === p))
        .map<RouteOutcome>((p) => ({
          route: p.route,
          status: p === plan ? 'unknown' : 'unchanged',
          now: null,
        }));
      // The failing route itself: unchanged when the failure came before any of its writes applied.
      const failing = untouched.find((o) => o.route === plan.route);
      if (failing) {
        const definite =
          error instanceof WeightsChangedError ||
          error instanceof ForwardActionError ||
          (error instanceof RouterError && error.rejected);
        failing.status = definite ? 'unchanged' : 'unknown';
        if (error instanceof WeightsChangedError) failing.now = error.found;
        if (error instanceof WeightsNotVerifiedError) failing.now = error.found;
      }
      const all = plans.map(
        (p) => outcomes.find((o) => o.route === p.route) ?? untouched.find((o) => o.route === p.route)!,
      );
      throw new RouteTransactionError(
        transactionMessage(errorMessage(error), all, plans.length, ctx.pair),
        error,
        all,
      );
    }
  }
  return results;
}

async function undo(
  ctx: Context,
  changed: { plan: RoutePlan; last: TargetWeight[] }[],
): Promise<RouteOutcome[]> {
  const outcomes: RouteOutcome[] = [];
  for (const { plan, last } of [...changed].reverse()) {
    try {
      // Never force a put-back: a route someone else changed since we wrote it is theirs now.
      await casWrite({ ...ctx, force: false }, plan.route, last, plan.before, null);
      ctx.logger.warning(
        `${plan.route}: put back to ${describeTargetGroups(plan.before, ctx.pair)} (verified)`,
      );
      outcomes.push({ route: plan.route, status: 'put-back', now: plan.before });
    } catch (error) {
      const now =
        error instanceof WeightsChangedError
          ? error.found
          : error instanceof WeightsNotVerifiedError
            ? error.found
            : last;
      ctx.logger.warning(`${plan.route}: could not put it back: ${errorMessage(error)}`);
      outcomes.push({ route: plan.route, status: 'changed', now, detail: errorMessage(error) });
    }
  }
  return outcomes;
}

function transactionMessage(
  text: string,
  outcomes: RouteOutcome[],
  routes: number,
  pair: TargetPair | undefined,
): string {
  const cause = text.replace(/\.$/, '');
  const describe = (list: TargetWeight[] | null): string => describeTargetGroups(list ?? [], pair);
  if (routes === 1) {
    const only = outcomes[0]!;
    switch (only.status) {
      case 'unchanged':
        return `${cause}. Nothing was changed.`;
      case 'put-back':
        return `${cause}. ${only.route} was put back to ${describe(only.now)}; nothing is left changed.`;
      case 'changed':
        return `${cause}. Putting ${only.route} back failed too (${only.detail}); it is left at ${describe(only.now)}.`;
      case 'unknown':
        return `${cause}. The state of ${only.route} is unknown${only.now ? ` (last read: ${describe(only.now)})` : ''}; check it before retrying.`;
    }
  }
  const lines = outcomes.map((o) => {
    switch (o.status) {
      case 'unchanged':
        return `${o.route}: not changed`;
      case 'put-back':
        return `${o.route}: put back to ${describe(o.now)} (verified)`;
      case 'changed':
        return `${o.route}: could not be put back (${o.detail}); left at ${describe(o.now)}`;
      case 'unknown':
        return `${o.route}: state unknown${o.now ? ` (last read: ${describe(o.now)})` : ''}; check it before retrying`;
    }
  });
  const clean = outcomes.every((o) => o.status === 'unchanged' || o.status === 'put-back');
  return `${cause}. ${clean ? 'All routes are as they were' : 'Not every route could be put back'} (routes are changed in order and put back in reverse): ${lines.join('; ')}.`;
}

// ─── Shift ───────────────────────────────────────────────────────────────────────────────────────

/** A request to move every route to one split. */
export interface ShiftRequest {
  routes: string[];
  pair: TargetPair;
  /** Percent of the pair's traffic for the canary. */
  canary: number;
  /** What the routes must carry now; null when nothing is known (the first shift). */
  expectation: Expectation | null;
  force: boolean;
  /** Plan and preview only: no write. */
  dryRun: boolean;
  /** Look up the first route's load balancer (for the rollout state); skipped when it is already known. */
  loadBalancer?: boolean;
}

/** What a shift did (or, in a dry run, would do). */
export interface ShiftResult {
  /** Per route, the target groups read before any change. */
  previous: Record<string, TargetWeight[]>;
  /** Per route, the target groups now (verified); in a dry run, the ones that would be written. */
  weights: Record<string, TargetWeight[]>;
  /** True when at least one route was written. */
  changed: boolean;
  plans: RoutePlan[];
  /** Every request that was (or in a dry run would be) sent, in order. */
  requests: WritePreview[];
  /** The first route's load balancer, when it was asked for. */
  loadBalancer: string | null;
}

/**
 * Moves every route to the requested split. All routes are read and planned first, so a route that
 * cannot be changed (no forward action, stable missing, unexpected weights, limits) refuses the whole
 * shift before anything is written. Then the plans are applied all or nothing.
 */
export async function shiftRoutes(
  router: TrafficRouter,
  request: ShiftRequest,
  options: ApplyOptions,
): Promise<ShiftResult> {
  const logger = options.logger ?? silentLogger;
  const readings: RouteReading[] = [];
  for (const route of request.routes) readings.push(await router.read(route));
  const plans: RoutePlan[] = [];
  for (const reading of readings) {
    const target = splitFor(request.canary);
    const already =
      matchesSplit(reading['target-groups'], request.pair, target) &&
      reading['target-groups'].some((t) => t['target-group-arn'] === request.pair.canary);
    if (request.expectation && !already) {
      try {
        checkExpectation(reading, request.pair, request.expectation);
      } catch (error) {
        if (!request.force) throw error;
        logger.warning(`${errorMessage(error)} Overwriting because force is set.`);
      }
    }
    if (already) logger.info(`${reading.route} already sends ${describeSplit(target)}; nothing to change`);
    plans.push(planShift(reading, request.pair, request.canary));
  }
  const loadBalancer =
    request.loadBalancer === false || !readings[0] ? null : await router.loadBalancerOf(readings[0]);
  const previous = Object.fromEntries(plans.map((p) => [p.route, p.before]));
  const requests: WritePreview[] = [];
  for (const plan of plans) {
    const reading = readings.find((r) => r.route === plan.route)!;
    for (const next of plan.writes) requests.push(router.preview(reading, next));
  }
  if (request.dryRun) {
    return {
      previous,
      weights: Object.fromEntries(plans.map((p) => [p.route, p.writes.at(-1) ?? p.before])),
      changed: false,
      plans,
      requests,
      loadBalancer,
    };
  }
  const results = await applyAllOrNothing(router, plans, {
    ...options,
    force: request.force,
    pair: request.pair,
  });
  return {
    previous,
    weights: Object.fromEntries(results.map((r) => [r.route, r.after])),
    changed: results.some((r) => r.changed),
    plans,
    requests,
    loadBalancer,
  };
}

// ─── Restore and rollback (best effort, route by route) ──────────────────────────────────────────

/** What one route was asked to return to, and how it went. */
export interface RestoreResult {
  route: string;
  before: TargetWeight[];
  after: TargetWeight[];
  changed: boolean;
}

/**
 * Puts each route back to `target(reading)` as fast as possible: read, write, one verifying read,
 * route after route (the first route moves before the second is read). A failing route does not stop
 * the others, since undoing a rollback would send traffic back to a bad canary; failures are reported
 * together at the end. `target` returns null to leave a route alone (with a reason logged by it).
 */
export async function restoreRoutes(
  router: TrafficRouter,
  routes: string[],
  target: (reading: RouteReading) => TargetWeight[] | null,
  options: ApplyOptions,
): Promise<RestoreResult[]> {
  const ctx = context(router, options);
  const results: RestoreResult[] = [];
  const failures: RouteOutcome[] = [];
  for (const route of routes) {
    let reading: RouteReading | null = null;
    try {
      reading = await router.read(route);
      const wanted = target(reading);
      const before = reading['target-groups'];
      if (wanted === null || sameTargetGroups(before, wanted)) {
        results.push({ route, before, after: before, changed: false });
        continue;
      }
      const verified = await casWrite(ctx, route, before, wanted, reading);
      ctx.logger.info(`${route}: ${describeTargetGroups(verified['target-groups'], ctx.pair)} (verified)`);
      results.push({ route, before, after: verified['target-groups'], changed: true });
    } catch (error) {
      const now =
        error instanceof WeightsNotVerifiedError ? error.found : (reading?.['target-groups'] ?? null);
      failures.push({ route, status: reading ? 'unknown' : 'unchanged', now, detail: errorMessage(error) });
    }
  }
  if (failures.length > 0) {
    const done = results.map(
      (r) =>
        `${r.route}: ${r.changed ? 'restored to' : 'already at'} ${describeTargetGroups(r.after, ctx.pair)}`,
    );
    throw new RouteTransactionError(
      `${failures.map((f) => f.detail).join('; ')}${done.length > 0 ? `. The other routes were handled: ${done.join('; ')}` : ''}`,
      failures[0],
      [
        ...results.map<RouteOutcome>((r) => ({
          route: r.route,
          status: r.changed ? 'put-back' : 'unchanged',
          now: r.after,
        })),
        ...failures,
      ],
      results,
    );
  }
  return results;
}

/** Where `rollback` sends traffic. */
export type RollbackTarget = 'stable' | 'previous';

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

// ─── Rollout state ───────────────────────────────────────────────────────────────────────────────

/**
 * Resolves the `step` input against a plan: `next` is the first shift step at or after `state.step`; a
 * number is an index into the plan that must be a shift step.
 */
export function resolveShiftStep(
  input: string,
  value: string,
  state: RolloutState,
): { index: number; weight: number } {
  const text = value.trim();
  const shifts = state.plan.flatMap((s, i) => (s.kind === 'shift' ? [i] : []));
  if (text === 'next') {
    const index = shifts.find((i) => i >= state.step);
    if (index === undefined) {
      throw new InputError(
        input,
        value,
        `'next' with a shift step left in the plan, but the plan has none at or after step ${state.step} (of ${state.plan.length}: ${summarizePlan(state.plan)})`,
        {
          message: `Input '${input}' is 'next', but the plan has no shift step at or after step ${state.step} (plan: ${summarizePlan(state.plan)})`,
        },
      );
    }
    return { index, weight: (state.plan[index] as Extract<Step, { kind: 'shift' }>).weight };
  }
  const allowed = `'next' or the index of a shift step in the plan (${shifts.length > 0 ? shifts.join(', ') : 'the plan has none'})`;
  if (!/^\d+$/.test(text)) throw new InputError(input, value, allowed);
  const index = Number(text);
  if (index >= state.plan.length) {
    throw new InputError(input, value, allowed, {
      message: `Input '${input}' must be ${allowed}, got ${quote(value)}: the plan has ${state.plan.length} steps (0 to ${state.plan.length - 1})`,
    });
  }
  const step = state.plan[index]!;
  if (step.kind !== 'shift') {
    throw new InputError(input, value, allowed, {
      message: `Input '${input}' must be ${allowed}, got ${quote(value)}: step ${index} is a ${step.kind} step`,
    });
  }
  return { index, weight: step.weight };
}

function summarizePlan(plan: readonly Step[]): string {
  if (plan.length === 0) return 'empty';
  return plan.map((s, i) => `${i} ${s.kind}${s.kind === 'shift' ? ` ${s.weight}` : ''}`).join(', ');
}

/** What a verified shift changes in the rollout state. */
export interface ShiftRecord {
  routes: string[];
  pair: TargetPair;
  canary: number;
  /** Per route, what it held before this shift (used as `initial-weights` for routes seen the first time). */
  previous: Record<string, TargetWeight[]>;
  /** The first route's load balancer. */
  loadBalancerArn: string | null;
  /** The plan index of the shift step executed, when the shift came from the plan. */
  stepIndex: number | null;
  now: Date;
}

/**
 * The rollout state after a verified shift. `initial-weights` is only ever filled for routes that have
 * no entry yet, so it always holds what was there before shiftgate first touched the route. Without a
 * state, a new one is started (strategy `canary`, a one-step plan of this shift) so that `rollback` can
 * restore exactly what was there.
 */
export function recordShift(state: RolloutState | null, record: ShiftRecord): RolloutState {
  const base =
    state ??
    createRolloutState({
      strategy: 'canary',
      parameters: { 'canary-weight': record.canary },
      plan: [{ kind: 'shift', weight: record.canary }],
      now: record.now,
    });
  const initial: Record<string, TargetWeight[]> = { ...(base['initial-weights'] ?? {}) };
  for (const route of record.routes) {
    if (!initial[route] && record.previous[route])
      initial[route] = record.previous[route]!.map((t) => ({ ...t }));
  }
  const step = record.stepIndex !== null ? record.stepIndex + 1 : state === null ? 1 : base.step;
  return {
    ...base,
    step: Math.min(Math.max(step, 0), base.plan.length),
    status: 'in-progress',
    'load-balancer-arn': base['load-balancer-arn'] ?? record.loadBalancerArn,
    routes: [...record.routes],
    'stable-target-group-arn': record.pair.stable,
    'canary-target-group-arn': record.pair.canary,
    'initial-weights': initial,
    weights: splitFor(record.canary),
    'updated-at': record.now.toISOString(),
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
  let weights: Split = splitFor(0);
  if (to === 'previous') {
    const first = state.routes[0];
    const share =
      first && state['initial-weights']?.[first] ? canaryShare(state['initial-weights'][first]!, pair) : null;
    weights = splitFor(Math.round(share ?? 0));
  }
  return { ...state, status: 'rolled-back', weights, 'updated-at': now.toISOString() };
}

/** Formats a route → target groups record as the `weights`/`previous-weights` outputs carry it. */
export function formatRouteWeights(weights: Record<string, TargetWeight[]>): string {
  return JSON.stringify(weights);
}
