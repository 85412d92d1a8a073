// The post step. The runner evaluates `post-if: failure() || cancelled()` against the job's status when
// the job ends, so this only runs when the job failed or was cancelled; a JavaScript action cannot read
// the job's status itself. The main step saved, before its first write, what each route held and every
// list it was going to write. Here each route is put back only when it still holds something this step
// wrote: a route already sending traffic as before (for example because a rollback step ran) is left
// alone, and so is a route someone else changed since (their change wins). Routes are put back in
// reverse order, like an undo.
import * as core from '@actions/core';
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
import { createElbv2Client, Elbv2TrafficRouter } from '@shiftgate/aws';
import type { Inputs } from './inputs';
import { actionsLogger } from './logger';
import { restoreSummary } from './summary';

/** The `core.saveState` key holding the {@link RestoreRecord}. */
export const RESTORE_STATE = 'restore';

/** What the post step needs to put the weights back, saved by the main step before its first write. */
export interface RestoreRecord {
  version: 1;
  region: string;
  'retry-mode': 'standard' | 'adaptive';
  'max-attempts': number;
  pair: TargetPair;
  routes: { route: string; before: TargetWeight[]; writes: TargetWeight[][] }[];
}

/** The record for the routes this step is about to write. */
export function restoreRecord(
  inputs: Pick<Inputs, 'region' | 'retryMode' | 'maxAttempts' | 'pair'>,
  plans: RoutePlan[],
): RestoreRecord {
  return {
    version: 1,
    region: inputs.region,
    'retry-mode': inputs.retryMode,
    'max-attempts': inputs.maxAttempts,
    pair: inputs.pair,
    routes: plans
      .filter((p) => p.writes.length > 0)
      .map((p) => ({ route: p.route, before: p.before, writes: p.writes })),
  };
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

/** The post step: puts back what this step changed, verified, when the job failed or was cancelled. */
export async function post(options: PostOptions = {}): Promise<void> {
  try {
    const text = core.getState(RESTORE_STATE);
    if (text === '') {
      core.info('This step moved no traffic (or restore-on-failure is false); nothing to put back.');
      return;
    }
    const record = parseRestoreRecord(text);
    const router =
      options.router ??
      new Elbv2TrafficRouter(
        createElbv2Client({
          caller: 'shift-traffic',
          region: record.region,
          retryMode: record['retry-mode'],
          maxAttempts: record['max-attempts'],
        }),
      );
    const routes = [...record.routes].reverse();
    const left: string[] = [];
    const results = await core.group(
      'The job failed or was cancelled: putting back the weights this step changed',
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
        ? `Put back the weights of ${restored.length} route${restored.length === 1 ? '' : 's'} (verified) because the job failed or was cancelled.`
        : `No route needed putting back${left.length > 0 ? `; ${left.length} changed by someone else ${left.length === 1 ? 'was' : 'were'} left alone` : ''}.`,
    );
    await core.summary.addRaw(restoreSummary(results, left, record.pair)).write();
  } catch (error) {
    core.setFailed(`shift-traffic post failed: ${errorMessage(error)}`);
  }
}
