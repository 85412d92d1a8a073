import * as core from '@actions/core';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchAlarmSource,
  createCloudWatchClient,
  metricSourceFactory,
  type MetricSourceOptions,
} from '@shiftgate/aws';
import {
  bake,
  formatDuration,
  jobSummary,
  progressLine,
  serializeRolloutState,
  serializeTrace,
  type BakeResult,
  type Clock,
  type Sleeper,
} from '@shiftgate/core';
import {
  actionsLogger,
  log,
  runStep,
  shellSmokeRunner,
  systemClock,
  systemSleep,
  withCancelSignals,
} from '@shiftgate/github';
import { parseInputs, type Inputs } from './inputs';

/** What the action talks to; tests replace the clock, the sleeper and the client. */
export interface Dependencies {
  clock: Clock;
  sleep: Sleeper;
  /** A CloudWatch client; by default one from the shared factory. */
  cloudwatch?: CloudWatchClient;
  /** Tests: the Prometheus client's fetch, time limits and backoff sleeper, and SigV4 credentials. */
  prometheus?: MetricSourceOptions['prometheus'];
  /** Cancels the bake (by default SIGINT/SIGTERM, which the runner sends when a job is cancelled). */
  signal?: AbortSignal;
}

/** The action: judge the canary until a verdict, then set outputs, write the summary and fail on rollback. */
export async function run(overrides: Partial<Dependencies> = {}): Promise<void> {
  await runStep('bake-and-gate', async () => {
    await withCancelSignals(
      async (signal) => {
        const inputs = parseInputs();
        const deps: Dependencies = {
          clock: overrides.clock ?? systemClock,
          sleep: overrides.sleep ?? systemSleep,
          signal,
          ...(overrides.cloudwatch ? { cloudwatch: overrides.cloudwatch } : {}),
          ...(overrides.prometheus ? { prometheus: overrides.prometheus } : {}),
        };
        const outcome = await gate(inputs, deps);
        await core.summary.addRaw(outcome.summary).write();
        if (outcome.failure) throw new Error(outcome.failure);
      },
      overrides.signal ? { signal: overrides.signal } : {},
    );
  });
}

/** How the step ends: the summary to write, and why it must fail (or null). */
interface Outcome {
  summary: string;
  failure: string | null;
}

/** Bakes and sets the outputs. */
async function gate(inputs: Inputs, deps: Dependencies): Promise<Outcome> {
  let cloudwatch = deps.cloudwatch;
  // Made on first use: a Prometheus bake without alarms needs no CloudWatch client.
  const client = () =>
    (cloudwatch ??= createCloudWatchClient({
      caller: 'bake-and-gate',
      ...(inputs.region ? { region: inputs.region } : {}),
    }));
  const jobRegion = inputs.region || process.env.AWS_REGION?.trim() || process.env.AWS_DEFAULT_REGION?.trim();
  const metrics = metricSourceFactory(
    inputs.source,
    jobRegion ? { jobRegion } : {},
  )({
    cloudwatch: client,
    loadBalancerArn: inputs.target.loadBalancerArn,
    pair: { stable: inputs.target.stableTargetGroupArn, canary: inputs.target.canaryTargetGroupArn },
    period: inputs.pollInterval,
    queries: inputs.queries,
    slowThreshold: inputs.gates.maxP99Latency,
    percentile: inputs.gates.latencyPercentile,
    logger: actionsLogger,
  });
  const now = deps.clock.now();
  const start = bakeStart(inputs, now);
  log.info(
    `Judging canary ${inputs.target.canaryTargetGroupArn} against baseline ${inputs.target.stableTargetGroupArn} on ${inputs.source.kind === 'prometheus' ? `Prometheus at ${inputs.source.url}` : 'CloudWatch'}: ` +
      `${formatDuration(inputs.pollInterval)} windows from ${new Date(start).toISOString()}, bake-time ${formatDuration(inputs.gates.bakeTime)}, ` +
      `at most ${formatDuration(inputs.maxBakeTime)}, metric-delay ${formatDuration(inputs.metricDelay)}, confidence ${inputs.gates.confidence}%.`,
  );
  const result = await bake({
    gates: inputs.gates,
    period: inputs.pollInterval,
    metricDelay: inputs.metricDelay,
    maxBakeTime: inputs.maxBakeTime,
    start,
    metrics,
    // With all traffic on the canary (after a blue-green switch) there is no baseline to compare with.
    ...(inputs.state?.weights?.canary === 100 ? { baseline: false } : {}),
    ...(inputs.gates.alarms.length > 0 ? { alarms: new CloudWatchAlarmSource(client()) } : {}),
    ...(inputs.smokeCommand ? { smoke: shellSmokeRunner(inputs.smokeCommand) } : {}),
    clock: deps.clock,
    sleep: deps.sleep,
    ...(deps.signal ? { signal: deps.signal } : {}),
    logger: actionsLogger,
    onPoll: (report) => {
      if (report.poll > 0 || report.judgement.decision !== null)
        log.info(progressLine(report.judgement, report.trace));
    },
  });
  return finish(inputs, result, deps.clock.now());
}

/**
 * The bake counts from when the canary began serving at its weight: the state's `updated-at`, which
 * shift-traffic sets when it has verified the new weights. Never in the future, and never further back
 * than `max-bake-time`. Without a state, from now.
 */
function bakeStart(inputs: Inputs, now: number): number {
  if (!inputs.state) return now;
  const shifted = Date.parse(inputs.state['updated-at']);
  return Math.min(now, Math.max(shifted, now - inputs.maxBakeTime));
}

function finish(inputs: Inputs, result: BakeResult, now: number): Outcome {
  const { judgement, trace } = result;
  const decision = result.cancelled ? 'inconclusive' : (judgement.decision ?? 'inconclusive');
  core.setOutput('decision', decision);
  core.setOutput('trace', serializeTrace(trace, judgement));
  if (inputs.state) {
    core.setOutput(
      'state',
      serializeRolloutState({ ...inputs.state, 'updated-at': new Date(now).toISOString() }),
    );
  }
  const notes: string[] = [];
  let failure: string | null = null;
  if (result.cancelled) {
    failure = `cancelled after ${formatDuration(judgement.elapsed)} judged; not promoting`;
    notes.push(`The job was cancelled: ${failure}.`);
  } else if (decision === 'rollback') {
    if (inputs.failOnRollback) {
      failure = `${judgement.message} (traffic is left as it is: run the rollback action in an 'if: failure()' step)`;
      notes.push('fail-on-rollback is true: the step fails so that `if: failure()` steps roll back.');
    } else {
      notes.push('fail-on-rollback is false: the step succeeds; read the `decision` output to roll back.');
    }
  } else if (decision === 'inconclusive') {
    failure = `${judgement.message}`;
  }
  if (decision === 'promote') log.notice(judgement.message);
  else if (!result.cancelled) log.warning(judgement.message);
  return {
    summary: jobSummary({
      title: 'bake-and-gate',
      judgement,
      trace,
      decision: result.cancelled ? null : decision,
      notes,
    }),
    failure,
  };
}
