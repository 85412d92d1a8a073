import * as core from '@actions/core';
import {
  formatRouteWeights,
  rollbackRollout,
  serializeRolloutState,
  type TrafficRouter,
} from '@shiftgate/core';
import {
  actionsLogger,
  log,
  runStep,
  systemClock,
  systemSleep,
  type TrafficDependencies,
} from '@shiftgate/github';
import { createElbv2Router } from '@shiftgate/aws';
import { parseInputs, type Inputs } from './inputs';
import { rollbackSummary } from './summary';

/** What the action talks to and waits with (see {@link TrafficDependencies}). */
export type Dependencies = TrafficDependencies;

/** The action: validate, move traffic route after route, then report. */
export async function run(deps: Dependencies = {}): Promise<void> {
  await runStep('rollback', async () => {
    const inputs = parseInputs();
    const router = deps.router ?? createElbv2Router('rollback', inputs);
    await rollback(inputs, router, deps);
  });
}

async function rollback(inputs: Inputs, router: TrafficRouter, deps: Dependencies): Promise<void> {
  const clock = deps.clock ?? systemClock;
  // Traffic first: nothing is reported before every route has been handled.
  const result = await rollbackRollout({
    router,
    routes: inputs.routes,
    pair: inputs.pair,
    to: inputs.to,
    reason: inputs.reason,
    state: inputs.state,
    clock,
    logger: actionsLogger,
    sleep: deps.sleep ?? systemSleep,
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
