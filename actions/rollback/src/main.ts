import * as core from '@actions/core';
import {
  formatRouteWeights,
  rollbackRollout,
  serializeRolloutState,
  type RuleManager,
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
import { createElbv2Client, Elbv2RuleManager, Elbv2TrafficRouter, regionalRouter } from '@shiftgate/aws';
import { parseInputs, type Inputs } from './inputs';
import { rollbackSummary } from './summary';

/** What the action talks to and waits with (see {@link TrafficDependencies}), and the A/B rule manager. */
export interface Dependencies extends TrafficDependencies {
  rules?: RuleManager;
}

/** The action: validate, move traffic route after route, then report. */
export async function run(deps: Dependencies = {}): Promise<void> {
  await runStep('rollback', async () => {
    const inputs = parseInputs();
    const settings = { caller: 'rollback', retryMode: inputs.retryMode, maxAttempts: inputs.maxAttempts };
    const client = createElbv2Client({ ...settings, region: inputs.region });
    // A rollout over cells spans regions: each route goes to its own region's client.
    const router =
      deps.router ?? (inputs.state?.cells ? regionalRouter(settings) : new Elbv2TrafficRouter(client));
    // An A/B test's audience rule is removed first; only a state that planned one asks for it.
    const rules =
      deps.rules ??
      (inputs.state?.plan.some((s) => s.kind === 'audience') ? new Elbv2RuleManager(client) : undefined);
    await rollback(inputs, router, { ...deps, ...(rules ? { rules } : {}) });
  });
}

async function rollback(inputs: Inputs, router: TrafficRouter, deps: Dependencies): Promise<void> {
  const clock = deps.clock ?? systemClock;
  // Traffic first: nothing is reported before every route has been handled.
  const result = await rollbackRollout({
    router,
    ...(deps.rules ? { rules: deps.rules } : {}),
    routes: inputs.routes,
    pair: inputs.pair,
    ...(inputs.pairs ? { pairs: inputs.pairs } : {}),
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
