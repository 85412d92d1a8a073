import * as core from '@actions/core';
import {
  addRestorePlans,
  describeSplit,
  formatRouteWeights,
  recordShift,
  serializeRolloutState,
  shiftRoutes,
  splitFor,
  type RoutePlan,
  type TrafficRouter,
} from '@shiftgate/core';
import { createElbv2Router } from '@shiftgate/aws';
import {
  actionsLogger,
  log,
  runStep,
  saveRestoreState,
  systemClock,
  systemSleep,
  type ClientSettings,
  type TrafficDependencies,
} from '@shiftgate/github';
import { parseInputs, type Inputs } from './inputs';
import { shiftSummary } from './summary';

/** What the action talks to and waits with (see {@link TrafficDependencies}). */
export type Dependencies = TrafficDependencies;

/** The action: validate every input, then shift all routes or none, then set outputs and the summary. */
export async function run(deps: Dependencies = {}): Promise<void> {
  await runStep('shift-traffic', async () => {
    const inputs = parseInputs();
    const router = deps.router ?? createElbv2Router('shift-traffic', inputs);
    await shift(inputs, router, deps);
  });
}

async function shift(inputs: Inputs, router: TrafficRouter, deps: Dependencies): Promise<void> {
  const target = splitFor(inputs.canary);
  const result = await log.group(
    `${inputs.dryRun ? 'Plan' : 'Shift'} ${inputs.routes.length} route${inputs.routes.length === 1 ? '' : 's'} to ${describeSplit(target)}`,
    () =>
      shiftRoutes(
        router,
        {
          routes: inputs.routes,
          pair: inputs.pair,
          canary: inputs.canary,
          expectation: inputs.expectation,
          force: inputs.force,
          dryRun: inputs.dryRun,
          loadBalancer: !inputs.state?.['load-balancer-arn'],
        },
        {
          logger: actionsLogger,
          sleep: deps.sleep ?? systemSleep,
          random: Math.random,
          beforeFirstWrite: (plans) => saveRestore(inputs, plans),
        },
      ),
  );
  core.setOutput('previous-weights', formatRouteWeights(result.previous));
  core.setOutput('weights', formatRouteWeights(result.after));
  core.setOutput('changed', String(result.changed));

  if (inputs.dryRun) {
    await log.group('Dry run: the requests that would be sent', async () => {
      for (const request of result.requests)
        log.info(`${request.operation} ${JSON.stringify(request.request, null, 2)}`);
    });
    core.setOutput('state', inputs.state ? serializeRolloutState(inputs.state) : '');
    log.notice(
      `Dry run: ${result.requests.length} request${result.requests.length === 1 ? '' : 's'} would be sent to move to ${describeSplit(target)}; nothing was changed.`,
    );
  } else {
    const state = recordShift(inputs.state, {
      routes: inputs.routes,
      pair: inputs.pair,
      canary: inputs.canary,
      previous: result.previous,
      loadBalancerArn: inputs.state?.['load-balancer-arn'] ?? result.loadBalancer,
      stepIndex: inputs.stepIndex,
      now: new Date((deps.clock ?? systemClock).now()),
    });
    core.setOutput('state', serializeRolloutState(state));
    log.notice(
      result.changed
        ? `Traffic is at ${describeSplit(target)} on ${inputs.routes.length} route${inputs.routes.length === 1 ? '' : 's'} (verified).`
        : `Traffic was already at ${describeSplit(target)}; nothing changed.`,
    );
  }
  await core.summary
    .addRaw(shiftSummary({ result, pair: inputs.pair, target, dryRun: inputs.dryRun }))
    .write();
}

/**
 * Saved before the first write, so the post step can put the weights back even when this step is
 * killed mid-way by a cancellation.
 */
function saveRestore(inputs: Inputs, plans: RoutePlan[]): void {
  if (!inputs.restoreOnFailure) {
    log.info('restore-on-failure is false: if the job fails, traffic stays where this step leaves it.');
    return;
  }
  const client: ClientSettings = {
    region: inputs.region,
    retryMode: inputs.retryMode,
    maxAttempts: inputs.maxAttempts,
  };
  saveRestoreState(client, addRestorePlans(null, inputs, plans));
}
