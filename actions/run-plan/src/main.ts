import * as core from '@actions/core';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchAlarmSource,
  CloudWatchCellMetricSource,
  createCloudWatchClient,
  createElbv2Client,
  Elbv2RuleManager,
  Elbv2TrafficRouter,
  metricSourceFactory,
  RegionalClients,
  regionalElbv2Router,
  type MetricSourceOptions,
} from '@shiftgate/aws';
import {
  addRestorePlans,
  cellsSummary,
  describeStep,
  formatDuration,
  formatRouteWeights,
  progressLine,
  runPlan,
  serializeRolloutState,
  type Clock,
  type FlagHooks,
  type FlagProvider,
  type RunEvent,
  type RunResult,
  type Sleeper,
  type TrafficRouter,
  type RestoreRecord,
} from '@shiftgate/core';
import {
  actionsLogger,
  clearRestoreState,
  log,
  runStep,
  saveRestoreState,
  shellCommandRunner,
  shellServiceRunner,
  shellSmokeRunner,
  withCancelSignals,
} from '@shiftgate/github';
import { runnerTime } from './clock';
import { clearRollout, rolloutSaver } from './undo';
import { parseInputs, type Inputs } from './inputs';
import { runSummary } from './summary';
import { saveFlagState } from './restore';

/** Seams for tests; the action itself runs with none. */
export interface Dependencies {
  clock: Clock;
  sleep: Sleeper;
  router?: TrafficRouter;
  cloudwatch?: CloudWatchClient;
  /** Tests: the Prometheus client's fetch, time limits and backoff sleeper, and SigV4 credentials. */
  prometheus?: MetricSourceOptions['prometheus'];
  /** The flag provider of flag-provider appconfig (by default AWS AppConfig). */
  flags?: FlagProvider;
  /** Cancels the run (by default SIGINT/SIGTERM, which the runner sends when a job is cancelled). */
  signal?: AbortSignal;
}

/** The action: run the plan, set the outputs, write the summary, and fail unless it promoted or paused. */
export async function run(overrides: Partial<Dependencies> = {}): Promise<void> {
  await runStep('run-plan', async () => {
    await withCancelSignals(
      async (signal) => {
        const inputs = parseInputs();
        const time = runnerTime(process.env);
        if (time.warning) log.warning(time.warning);
        const deps: Dependencies = {
          clock: overrides.clock ?? time.clock,
          sleep: overrides.sleep ?? time.sleep,
          signal,
          ...(overrides.router ? { router: overrides.router } : {}),
          ...(overrides.cloudwatch ? { cloudwatch: overrides.cloudwatch } : {}),
          ...(overrides.prometheus ? { prometheus: overrides.prometheus } : {}),
          ...(overrides.flags ? { flags: overrides.flags } : {}),
        };
        const result = await deploy(inputs, deps);
        await core.summary.addRaw(runSummary(result, inputs.pair) + cellsSummary(result.state)).write();
        const failure = failureOf(inputs, result);
        if (failure) throw new Error(failure);
      },
      overrides.signal
        ? { signal: overrides.signal }
        : { onSignal: (name) => log.warning(`${name} received: stopping the plan and restoring traffic`) },
    );
  });
}

async function deploy(inputs: Inputs, deps: Dependencies): Promise<RunResult> {
  const aws = {
    region: inputs.region,
    retryMode: inputs.retryMode,
    maxAttempts: inputs.maxAttempts,
  };
  const { state } = inputs;
  const overCells = inputs.cells !== null || Boolean(state.cells);
  // Over cells, every region has its own clients; a route goes to the region its ARN names.
  const regional = new RegionalClients({
    caller: 'run-plan',
    retryMode: aws.retryMode,
    maxAttempts: aws.maxAttempts,
  });
  const elbv2 = createElbv2Client({ caller: 'run-plan', ...aws });
  const router =
    deps.router ??
    // Over cells, and for saga services with targets of their own, each route goes to its ARN's region.
    (overCells || state.strategy === 'saga'
      ? regionalElbv2Router((region) => regional.elbv2(region))
      : new Elbv2TrafficRouter(elbv2));
  const cloudwatch = deps.cloudwatch ?? createCloudWatchClient({ caller: 'run-plan', ...aws });
  const cloudwatchOf = (region: string) => deps.cloudwatch ?? regional.cloudwatch(region);
  const metricSource = metricSourceFactory(inputs.source, {
    ...(inputs.region ? { jobRegion: inputs.region } : {}),
    ...(deps.prometheus ? { prometheus: deps.prometheus } : {}),
  });
  let record: RestoreRecord | null = null;
  // A saga's services and an A/B audience rule: what the post step undoes after a killed job.
  const rollout = rolloutSaver(aws);
  const where = overCells
    ? `${(inputs.cells ?? Object.keys(state.cells ?? {})).length} cells`
    : inputs.routes.join(', ') || 'no routes (the saga services deploy in place)';
  log.info(
    `Running the ${state.strategy} plan from step ${state.step + 1} of ${state.plan.length} on ${where}: ` +
      `${formatDuration(inputs.pollInterval)} windows on ${inputs.source.kind === 'prometheus' ? `Prometheus at ${inputs.source.url}` : 'CloudWatch'}, metric-delay ${formatDuration(inputs.metricDelay)}, rollback to ${inputs.rollbackTo}.`,
  );
  const flags = await flagHooks(inputs, deps);
  const result = await runPlan({
    state,
    ...(overCells ? {} : { target: { routes: inputs.routes, pair: inputs.pair } }),
    router,
    // A/B audience rules: created, found by their tag and removed only by this rollout.
    rules: new Elbv2RuleManager(elbv2),
    metrics: ({ loadBalancerArn, pair, queries }) =>
      metricSource({
        cloudwatch: () => cloudwatch,
        loadBalancerArn,
        pair,
        period: inputs.pollInterval,
        // A saga service's own queries come besides the run's (their ids were checked apart).
        queries: [...inputs.queries, ...(queries ?? [])],
        slowThreshold: inputs.gates.maxP99Latency,
        percentile: inputs.gates.latencyPercentile,
        // An A/B test compares A and B: its custom metrics and both sides' slow requests are read too.
        ...(state.strategy === 'ab-testing' ? { ab: { metrics: inputs.abMetrics } } : {}),
        logger: actionsLogger,
      }),
    ...(inputs.gates.alarms.length > 0 ? { alarms: new CloudWatchAlarmSource(cloudwatch) } : {}),
    ...(overCells
      ? {
          cells: inputs.cells,
          cellMetrics: new CloudWatchCellMetricSource({
            client: cloudwatchOf,
            period: inputs.pollInterval,
            slowThreshold: inputs.gates.maxP99Latency,
            logger: actionsLogger,
          }),
          cellAlarms: (region: string) => new CloudWatchAlarmSource(cloudwatchOf(region)),
          onlyRegion: inputs.onlyRegion,
        }
      : {}),
    ...(inputs.smokeCommand ? { smoke: shellSmokeRunner(inputs.smokeCommand) } : {}),
    hooks: {
      command: shellCommandRunner,
      ...(inputs.flagCommand ? { flagCommand: inputs.flagCommand } : {}),
      ...(flags ? { flags } : {}),
      ...(inputs.services.length > 0 ? { saga: { services: inputs.services, run: shellServiceRunner } } : {}),
    },
    gates: inputs.gates,
    period: inputs.pollInterval,
    metricDelay: inputs.metricDelay,
    bakeTime: inputs.bakeTime,
    maxBakeTime: inputs.maxBakeTime,
    rollbackTo: inputs.rollbackTo,
    ...(inputs.abMetrics.length > 0 ? { abMetrics: inputs.abMetrics } : {}),
    clock: deps.clock,
    sleep: deps.sleep,
    random: Math.random,
    ...(deps.signal ? { signal: deps.signal } : {}),
    logger: actionsLogger,
    // Saved before every shift's first write, so the post step can put traffic back even when this
    // process is killed mid-way.
    beforeWrite: (plans, pair) => {
      record = addRestorePlans(record, { pair: pair ?? inputs.pair }, plans, pair ?? inputs.pair);
      saveRestoreState(aws, record);
    },
    onEvent: (event) => {
      // A flag deployed on AppConfig: the post step takes it back if this process is killed.
      if (flags && event.type === 'step-end' && event.state.flag) saveFlagState(aws, event.state.flag);
      progress(event);
      rollout.onEvent(event);
    },
  });
  // Outputs first: a cancelled job has seconds left.
  core.setOutput('decision', result.decision);
  core.setOutput('state', serializeRolloutState(result.state));
  core.setOutput('trace', JSON.stringify(result.trace));
  core.setOutput('weights', formatRouteWeights(result.weights));
  // The plan is over (promoted, or traffic restored by the run itself): nothing for the post step.
  // Paused keeps the record: a job that fails after an approval pause still puts traffic back.
  if (record && (result.decision === 'promote' || (result.decision !== 'paused' && result.restored)))
    clearRestoreState();
  // The run undid its rule and services itself (or promoted): a pause leaves them to the post step, and
  // so does an audience rule the run could not remove (removing it again is safe: it is found by its
  // tag). A compensation that failed even so is the rollback action's to retry, not the post step's.
  const ruleLeft = !result.restored && result.state.plan.some((s) => s.kind === 'audience');
  if (ruleLeft) rollout.save(result.state);
  else if (result.decision !== 'paused') clearRollout();
  if (flags && (result.decision === 'promote' || (result.decision !== 'paused' && result.restored)))
    saveFlagState(aws, null);
  if (result.decision === 'promote') log.notice(result.reason);
  else if (result.decision === 'paused') log.notice(result.reason);
  else log.warning(result.reason);
  return result;
}

/**
 * flag-provider appconfig on a feature-flag plan: the AppConfig provider, its client imported only
 * here so other plans do not load it.
 */
async function flagHooks(inputs: Inputs, deps: Dependencies): Promise<FlagHooks | null> {
  const target = inputs.flags.appconfig;
  if (inputs.flags.provider !== 'appconfig' || !target || inputs.state.strategy !== 'feature-flag')
    return null;
  const cells = inputs.flagCells;
  if (deps.flags) return { provider: deps.flags, target, cells };
  const { AppConfigFlagProvider, createAppConfigClient } = await import('@shiftgate/aws/appconfig');
  const client = createAppConfigClient({
    caller: 'run-plan',
    region: inputs.region,
    retryMode: inputs.retryMode,
    maxAttempts: inputs.maxAttempts,
  });
  return { provider: new AppConfigFlagProvider(client), target, cells };
}

function failureOf(inputs: Inputs, result: RunResult): string | null {
  if (!result.restored) return result.reason;
  if (result.cancelled) return result.reason;
  if (result.decision === 'inconclusive') return result.reason;
  if (result.decision === 'rollback' && inputs.failOnRollback) return result.reason;
  return null;
}

function progress(event: RunEvent): void {
  switch (event.type) {
    case 'step-start':
      log.info(`Step ${event.index + 1}/${event.total}: ${describeStep(event.step)}`);
      return;
    case 'poll':
      if (event.report.poll > 0 || event.report.judgement.decision !== null)
        log.info(`  ${progressLine(event.report.judgement, event.report.trace)}`);
      return;
    case 'retry':
      log.info(`  provider error, retrying in ${formatDuration(event.waitMs)}: ${event.error}`);
      return;
    case 'step-end':
      log.info(`  ${event.record.outcome}: ${event.record.message}`);
      return;
    case 'rollback':
      log.warning(`Rolling back: ${event.reason.replace(/^rollback: /, '')}`);
      return;
    case 'rolled-back':
      for (const r of event.record.routes)
        log.info(`  ${r.route}: ${r.changed ? 'restored' : 'already restored'} (verified)`);
      return;
  }
}
