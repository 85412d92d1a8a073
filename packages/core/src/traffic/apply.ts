// Applying plans: compare-and-set writes, bounded read-back, all or nothing across routes; and the
// best-effort, route-by-route variant that rollbacks and restores use.
import { errorMessage, silentLogger, type Logger, type Random, type Sleeper } from '../shared/index';
import type { TargetWeight } from '../rollout/index';
import {
  ForwardActionError,
  RouterError,
  RouteTransactionError,
  WeightsChangedError,
  WeightsNotVerifiedError,
  type RestoreResult,
  type RouteOutcome,
  type RouteReading,
  type TrafficRouter,
} from './port';
import type { RoutePlan } from './plan';
import { describeTargetGroups, sameTargetGroups, type TargetPair } from './weights';

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
  /** Waits between read-backs; required so core never sleeps on a real timer of its own choosing. */
  sleep: Sleeper;
  /** Jitter for the read-back waits; required so core never draws randomness of its own. */
  random: Random;
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
  random: Random;
  logger: Logger;
}

function context(router: TrafficRouter, options: ApplyOptions): Context {
  return {
    router,
    force: options.force ?? false,
    pair: options.pair,
    verify: options.verify ?? DEFAULT_VERIFY,
    sleep: options.sleep,
    random: options.random,
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
