import * as core from '@actions/core';
import {
  formatRouteWeights,
  rollbackRollout,
  serializeRolloutState,
  type FlagProvider,
  type RuleManager,
  type ServiceCommandRunner,
  type TrafficRouter,
} from '@shiftgate/core';
import {
  actionsLogger,
  log,
  runStep,
  shellServiceRunner,
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
  /** Runs saga service commands; bash by default. */
  services?: ServiceCommandRunner;
  /** The flag provider of a state with an AppConfig flag (by default AWS AppConfig). */
  flags?: FlagProvider;
}

/** The action: validate, move traffic route after route, then report. */
export async function run(deps: Dependencies = {}): Promise<void> {
  await runStep('rollback', async () => {
    const inputs = parseInputs();
    const settings = { caller: 'rollback', retryMode: inputs.retryMode, maxAttempts: inputs.maxAttempts };
    const client = createElbv2Client({ ...settings, region: inputs.region });
    // A rollout over cells spans regions: each route goes to its own region's client.
    const router =
      deps.router ??
      (inputs.state?.cells || inputs.state?.strategy === 'saga'
        ? regionalRouter(settings)
        : new Elbv2TrafficRouter(client));
    // An A/B test's audience rule is removed first; only a state that planned one asks for it.
    const rules =
      deps.rules ??
      (inputs.state?.plan.some((s) => s.kind === 'audience') ? new Elbv2RuleManager(client) : undefined);
    // A flag on AppConfig (the state records its deployments): the emergency disable stops and reverts it.
    const flags = deps.flags ?? (inputs.state?.flag ? await appConfigProvider(inputs) : undefined);
    await rollback(inputs, router, { ...deps, ...(rules ? { rules } : {}), ...(flags ? { flags } : {}) });
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
    // A saga's services left deployed are compensated in reverse with this run's commands.
    ...(inputs.services.length > 0 && inputs.state
      ? {
          undo: {
            hooks: { saga: { services: inputs.services, run: deps.services ?? shellServiceRunner } },
            started: inputs.state.step,
          },
        }
      : {}),
    ...(deps.flags ? { flags: deps.flags } : {}),
  });
  for (const line of result.record.undo) log.info(line);
  const { routes: results, error } = result.record;
  const summary = {
    reason: inputs.reason,
    to: inputs.to,
    pair: inputs.pair,
    results,
    undo: result.record.undo,
  };
  if (!result.restored) {
    // The state says where each saga service ended, for the record, even when the rollback failed.
    if (result.state?.services) core.setOutput('state', serializeRolloutState(result.state));
    if (result.failures.length > 0 || result.record.undo.length > 0)
      await core.summary.addRaw(rollbackSummary({ ...summary, failures: result.failures })).write();
    throw new Error(error!);
  }
  // Undoing an audience rule or compensating saga services is a rollback as much as moving traffic.
  const undone = result.record.undo.length > 0;
  core.setOutput('rolled-back', String(result.changed || undone));
  core.setOutput('weights', formatRouteWeights(Object.fromEntries(results.map((r) => [r.route, r.after]))));
  core.setOutput('state', result.state ? serializeRolloutState(result.state) : '');
  const target =
    inputs.to === 'stable' ? 'stable 100% / canary 0%' : 'the weights recorded before the rollout';
  const because = inputs.reason ? ` Reason: ${inputs.reason}` : '';
  const moved =
    results.length === 0
      ? 'No route to move.'
      : result.changed
        ? `Rolled back ${results.filter((r) => r.changed).length} of ${results.length} route${results.length === 1 ? '' : 's'} to ${target} (verified).`
        : `Traffic was already at ${target}; nothing changed.`;
  const also = undone ? ` ${result.record.undo.join('; ')}.` : '';
  log.notice(`${moved}${also}${because}`);
  await core.summary.addRaw(rollbackSummary(summary)).write();
}

/** AWS AppConfig with this step's client settings; its client is loaded only for a state with a flag. */
async function appConfigProvider(inputs: Inputs): Promise<FlagProvider> {
  const { AppConfigFlagProvider, createAppConfigClient } = await import('@shiftgate/aws/appconfig');
  return new AppConfigFlagProvider(
    createAppConfigClient({
      caller: 'rollback',
      region: inputs.region,
      retryMode: inputs.retryMode,
      maxAttempts: inputs.maxAttempts,
    }),
  );
}
