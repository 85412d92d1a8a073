// The post step. As for shift-traffic, the runner evaluates `post-if: failure() || cancelled()` when the
// job ends, so this runs only after a failure or a cancellation. The main step saved, before each shift's
// first write, what every route held before this run first changed it and every list it wrote. A route
// is put back only when it still holds something this run wrote: one already sending traffic as before
// (the main step's own rollback ran) is left alone, and so is one someone else changed since.
import * as core from '@actions/core';
import { createElbv2Client, Elbv2TrafficRouter } from '@shiftgate/aws';
import {
  errorMessage,
  restoreDecision,
  restoreRoutes,
  type RoutePlan,
  type Sleeper,
  type TargetPair,
  type TargetWeight,
  type TrafficRouter,
} from '@shiftgate/core';
import type { Inputs } from './inputs';
import { actionsLogger } from './logger';

/** The `core.saveState` key of the {@link RestoreRecord}; empty once the plan finished. */
export const RESTORE_STATE = 'restore';

/** What the post step needs to put the weights back. */
export interface RestoreRecord {
  version: 1;
  region: string;
  'retry-mode': 'standard' | 'adaptive';
  'max-attempts': number;
  pair: TargetPair;
  routes: { route: string; before: TargetWeight[]; writes: TargetWeight[][] }[];
}

/** Adds a shift's plans to the record: `before` is kept from the first shift, writes accumulate. */
export function addPlans(
  record: RestoreRecord | null,
  inputs: Pick<Inputs, 'region' | 'retryMode' | 'maxAttempts' | 'pair'>,
  plans: RoutePlan[],
): RestoreRecord {
  const next: RestoreRecord = record ?? {
    version: 1,
    region: inputs.region,
    'retry-mode': inputs.retryMode,
    'max-attempts': inputs.maxAttempts,
    pair: inputs.pair,
    routes: [],
  };
  for (const plan of plans) {
    if (plan.writes.length === 0) continue;
    const entry = next.routes.find((r) => r.route === plan.route);
    if (entry) entry.writes.push(...plan.writes);
    else next.routes.push({ route: plan.route, before: plan.before, writes: [...plan.writes] });
  }
  return next;
}

/** Reads a saved record back, refusing anything malformed (a restore must never guess). */
export function parseRestoreRecord(text: string): RestoreRecord {
  const fail = (why: string): never => {
    throw new Error(
      `the state saved by the main step is unreadable (${why}); check the listeners and rules by hand`,
    );
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return fail('not JSON');
  }
  const r = doc as Partial<RestoreRecord>;
  if (typeof r !== 'object' || r === null || r.version !== 1) fail('unknown version');
  if (
    typeof r.region !== 'string' ||
    (r['retry-mode'] !== 'standard' && r['retry-mode'] !== 'adaptive') ||
    typeof r['max-attempts'] !== 'number'
  )
    fail('no AWS settings');
  if (typeof r.pair?.stable !== 'string' || typeof r.pair?.canary !== 'string') fail('no target groups');
  const list = (v: unknown): v is TargetWeight[] =>
    Array.isArray(v) &&
    v.every((t) => typeof t?.['target-group-arn'] === 'string' && Number.isInteger(t?.weight));
  if (
    !Array.isArray(r.routes) ||
    !r.routes.every(
      (x) =>
        typeof x?.route === 'string' && list(x.before) && Array.isArray(x.writes) && x.writes.every(list),
    )
  ) {
    fail('no routes');
  }
  return r as RestoreRecord;
}

/** Seams for tests; the post step itself runs with none. */
export interface PostOptions {
  router?: TrafficRouter;
  sleep?: Sleeper;
}

/** The post step: puts back what the run changed, verified, when the job failed or was cancelled first. */
export async function post(options: PostOptions = {}): Promise<void> {
  try {
    const text = core.getState(RESTORE_STATE);
    if (text === '') {
      core.info('The plan finished (or moved no traffic); nothing to put back.');
      return;
    }
    const record = parseRestoreRecord(text);
    const router =
      options.router ??
      new Elbv2TrafficRouter(
        createElbv2Client({
          caller: 'run-plan',
          region: record.region,
          retryMode: record['retry-mode'],
          maxAttempts: record['max-attempts'],
        }),
      );
    const routes = [...record.routes].reverse();
    const left: string[] = [];
    const results = await core.group(
      'The job ended before the plan finished: putting back the weights this run changed',
      () =>
        restoreRoutes(
          router,
          routes.map((r) => r.route),
          (reading) => {
            const saved = routes.find((r) => r.route === reading.route)!;
            const decision = restoreDecision(reading['target-groups'], saved, record.pair);
            if (decision.action === 'restore') return decision.target;
            if (decision.action === 'leave') {
              core.warning(`${reading.route} ${decision.reason}.`);
              left.push(reading.route);
            } else {
              core.info(`${reading.route} ${decision.reason}.`);
            }
            return null;
          },
          { logger: actionsLogger, pair: record.pair, ...(options.sleep ? { sleep: options.sleep } : {}) },
        ),
    );
    const restored = results.filter((r) => r.changed);
    core.notice(
      restored.length > 0
        ? `Put back the weights of ${restored.length} route${restored.length === 1 ? '' : 's'} (verified) because the job ended before the plan finished.`
        : `No route needed putting back${left.length > 0 ? `; ${left.length} changed by someone else ${left.length === 1 ? 'was' : 'were'} left alone` : ''}.`,
    );
  } catch (error) {
    core.setFailed(`run-plan post failed: ${errorMessage(error)}`);
  }
}
