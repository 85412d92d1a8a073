import * as core from '@actions/core';
import {
  errorMessage,
  formatRouteWeights,
  rollbackRollout,
  serializeRolloutState,
  type Sleeper,
  type TrafficRouter,
} from '@shiftgate/core';
import { actionsLogger, log, safeLogText, systemSleep } from '@shiftgate/github';
import { createElbv2Client, Elbv2TrafficRouter, regionalRouter } from '@shiftgate/aws';
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
    const client = { caller: 'rollback', retryMode: inputs.retryMode, maxAttempts: inputs.maxAttempts };
    const router =
      options.router ??
      (inputs.state?.cells
        ? regionalRouter(client)
        : new Elbv2TrafficRouter(createElbv2Client({ ...client, region: inputs.region })));
    await rollback(inputs, router, options);
  } catch (error) {
    core.setFailed(safeLogText(`rollback failed: ${errorMessage(error)}`));
  }
}

async function rollback(inputs: Inputs, router: TrafficRouter, options: RunOptions): Promise<void> {
  const now = options.now ?? (() => new Date());
  // Traffic first: nothing is reported before every route has been handled.
  const result = await rollbackRollout({
    router,
    routes: inputs.routes,
    pair: inputs.pair,
    to: inputs.to,
    reason: inputs.reason,
    state: inputs.state,
    clock: { now: () => now().getTime() },
    logger: actionsLogger,
    sleep: options.sleep ?? systemSleep,
    random: Math.random,
  });
  const { routes: results, error } = result.record;
  const summary = { reason: inputs.reason, to: inputs.to, pair: inputs.pair, results };
  if (!result.restored) {
    if (result.failures.length > 0)
      await core.summary.addRaw(rollbackSummary({ ...summary, failures: result.failures })).write();
    throw new Error(error!);
  }
  core.setOutput('rolled-back', String(result.changed));
  core.setOutput('weights', formatRouteWeights(Object.fromEntries(results.map((r) => [r.route, r.after]))));
  core.setOutput('state', result.state ? serializeRolloutState(result.state) : '');
  const target =
    inputs.to === 'stable' ? 'stable 100% / canary 0%' : 'the weights recorded before the rollout';
  const because = inputs.reason ? ` Reason: ${inputs.reason}` : '';
  log.notice(
    result.changed
      ? `Rolled back ${results.filter((r) => r.changed).length} of ${results.length} route${results.length === 1 ? '' : 's'} to ${target} (verified).${because}`
      : `Traffic was already at ${target}; nothing changed.${because}`,
  );
  await core.summary.addRaw(rollbackSummary(summary)).write();
}
