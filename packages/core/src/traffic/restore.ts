// What a post step needs to put traffic back after a failed or cancelled job, shared by every action that
// moves traffic (shift-traffic, run-plan). The main step saves a RestoreRecord before its first write; the
// post step puts each route back only when it still holds something the job wrote: a route already
// sending traffic as before (a rollback step ran) is left alone, and so is one someone else changed since
// (their change wins). Routes are put back in reverse order, like an undo.
import type { Logger, Random, Sleeper } from '../shared/index';
import type { TargetWeight } from '../rollout/index';
import type { RestoreResult, TrafficRouter } from './port';
import type { TargetPair } from './weights';
import type { RoutePlan } from './plan';
import { restoreRoutes } from './apply';
import { restoreDecision } from './rollback';

/**
 * The saved record: which target groups, and per route what it held and what was written. How to
 * reconnect to the provider (region, retries) is the runner's business and is saved next to it there.
 */
export interface RestoreRecord {
  version: 1;
  pair: TargetPair;
  /**
   * Per route what it held and what was written; `pair` when the route's target groups are not the
   * record's (a rollout over cells, each with its own pair).
   */
  routes: { route: string; before: TargetWeight[]; writes: TargetWeight[][]; pair?: TargetPair }[];
}

/** What a new record starts from. */
export interface RestoreSettings {
  pair: TargetPair;
}

/**
 * Adds a shift's plans to the record (a new one when `record` is null): what a route held is kept from
 * its first shift, and the writes accumulate, so several shifts in one job are undone together.
 */
export function addRestorePlans(
  record: RestoreRecord | null,
  settings: RestoreSettings,
  plans: RoutePlan[],
  pair: TargetPair = settings.pair,
): RestoreRecord {
  const next: RestoreRecord = record ?? {
    version: 1,
    pair: settings.pair,
    routes: [],
  };
  for (const plan of plans) {
    if (plan.writes.length === 0) continue;
    const entry = next.routes.find((r) => r.route === plan.route);
    if (entry) entry.writes.push(...plan.writes);
    else {
      const own = pair.stable !== next.pair.stable || pair.canary !== next.pair.canary;
      next.routes.push({
        route: plan.route,
        before: plan.before,
        writes: [...plan.writes],
        ...(own ? { pair: { stable: pair.stable, canary: pair.canary } } : {}),
      });
    }
  }
  return next;
}

/**
 * Reads a saved record back (its JSON text, or the value already parsed), refusing anything malformed
 * (a restore must never guess).
 */
export function parseRestoreRecord(saved: unknown): RestoreRecord {
  const fail = (why: string): never => {
    throw new Error(
      `the state saved by the main step is unreadable (${why}); check the listeners and rules by hand`,
    );
  };
  let doc: unknown = saved;
  if (typeof saved === 'string') {
    try {
      doc = JSON.parse(saved);
    } catch {
      return fail('not JSON');
    }
  }
  const r = doc as Partial<RestoreRecord>;
  if (typeof r !== 'object' || r === null || r.version !== 1) fail('unknown version');
  if (typeof r.pair?.stable !== 'string' || typeof r.pair?.canary !== 'string') fail('no target groups');
  const list = (v: unknown): v is TargetWeight[] =>
    Array.isArray(v) &&
    v.every((t) => typeof t?.['target-group-arn'] === 'string' && Number.isInteger(t?.weight));
  if (
    !Array.isArray(r.routes) ||
    !r.routes.every(
      (x) =>
        typeof x?.route === 'string' &&
        list(x.before) &&
        Array.isArray(x.writes) &&
        x.writes.every(list) &&
        (x.pair === undefined || (typeof x.pair?.stable === 'string' && typeof x.pair?.canary === 'string')),
    )
  ) {
    fail('no routes');
  }
  return r as RestoreRecord;
}

/** What putting back did. */
export interface PutBackResult {
  results: RestoreResult[];
  /** Routes someone else changed since: left as they are. */
  left: string[];
}

/**
 * Puts back every route of the record that still holds something the job wrote, in reverse order,
 * verified. Routes someone else changed are reported in `left` and never written.
 */
export async function putBack(
  router: TrafficRouter,
  record: RestoreRecord,
  options: { logger: Logger; sleep: Sleeper; random: Random },
): Promise<PutBackResult> {
  const routes = [...record.routes].reverse();
  const left: string[] = [];
  const results = await restoreRoutes(
    router,
    routes.map((r) => r.route),
    (reading) => {
      const saved = routes.find((r) => r.route === reading.route)!;
      const decision = restoreDecision(reading['target-groups'], saved, saved.pair ?? record.pair);
      if (decision.action === 'restore') return decision.target;
      if (decision.action === 'leave') {
        options.logger.warning(`${reading.route} ${decision.reason}.`);
        left.push(reading.route);
      } else {
        options.logger.info(`${reading.route} ${decision.reason}.`);
      }
      return null;
    },
    { logger: options.logger, pair: record.pair, sleep: options.sleep, random: options.random },
  );
  return { results, left };
}

/** The notice a post step ends with. */
export function putBackNotice(outcome: PutBackResult, why: string): string {
  const restored = outcome.results.filter((r) => r.changed).length;
  const left = outcome.left.length;
  return restored > 0
    ? `Put back the weights of ${restored} route${restored === 1 ? '' : 's'} (verified) because ${why}.`
    : `No route needed putting back${left > 0 ? `; ${left} changed by someone else ${left === 1 ? 'was' : 'were'} left alone` : ''}.`;
}
