import * as core from '@actions/core';
import {
  errorMessage,
  formatRouteWeights,
  recordRollback,
  restoreRoutes,
  rollbackTargetGroups,
  RouteTransactionError,
  serializeRolloutState,
  type RestoreResult,
  type Sleeper,
  type TrafficRouter,
} from '@shiftgate/core';
import { actionsLogger, log, safeLogText, systemSleep } from '@shiftgate/github';
import { createElbv2Client, Elbv2TrafficRouter } from '@shiftgate/aws';
import { parseInputs, type Inputs } from './inputs';
import { rollbackSummary } from './summary';

/** Seams for tests; the action itself runs with none. */
export interface RunOptions {
  router?: TrafficRouter;
  sleep?: Sleeper;
  now?: () => Date;
}

/** The action: validate, move traffic route after route, then report. */
export async function run(options: RunOptions = {}): Promise<void> {
  try {
    const inputs = parseInputs();
    const router =
      options.router ??
      new Elbv2TrafficRouter(
        createElbv2Client({
          caller: 'rollback',
          region: inputs.region,
          retryMode: inputs.retryMode,
          maxAttempts: inputs.maxAttempts,
        }),
      );
    await rollback(inputs, router, options);
  } catch (error) {
    core.setFailed(safeLogText(`rollback failed: ${errorMessage(error)}`));
  }
}

async function rollback(inputs: Inputs, router: TrafficRouter, options: RunOptions): Promise<void> {
  const initial = inputs.state?.['initial-weights'] ?? {};
  let results: RestoreResult[];
  try {
    // Traffic first: nothing is reported before every route has been handled.
    results = await restoreRoutes(
      router,
      inputs.routes,
      (reading) => rollbackTargetGroups(reading, inputs.pair, inputs.to, initial[reading.route] ?? null),
      {
        logger: actionsLogger,
        pair: inputs.pair,
        sleep: options.sleep ?? systemSleep,
      },
    );
  } catch (error) {
    if (error instanceof RouteTransactionError) {
      const done = error.results;
      const failures = error.outcomes.filter((o) => o.detail !== undefined);
      await core.summary
        .addRaw(
          rollbackSummary({
            reason: inputs.reason,
            to: inputs.to,
            pair: inputs.pair,
            results: done,
            failures,
          }),
        )
        .write();
    }
    throw error;
  }
  const changed = results.some((r) => r.changed);
  core.setOutput('rolled-back', String(changed));
  core.setOutput('weights', formatRouteWeights(Object.fromEntries(results.map((r) => [r.route, r.after]))));
  core.setOutput(
    'state',
    inputs.state
      ? serializeRolloutState(
          recordRollback(inputs.state, inputs.to, inputs.pair, (options.now ?? (() => new Date()))()),
        )
      : '',
  );
  const target =
    inputs.to === 'stable' ? 'stable 100% / canary 0%' : 'the weights recorded before the rollout';
  const because = inputs.reason ? ` Reason: ${inputs.reason}` : '';
  log.notice(
    changed
      ? `Rolled back ${results.filter((r) => r.changed).length} of ${results.length} route${results.length === 1 ? '' : 's'} to ${target} (verified).${because}`
      : `Traffic was already at ${target}; nothing changed.${because}`,
  );
  await core.summary
    .addRaw(rollbackSummary({ reason: inputs.reason, to: inputs.to, pair: inputs.pair, results }))
    .write();
}
