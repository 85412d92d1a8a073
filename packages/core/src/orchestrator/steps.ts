// One executor per plan step kind. Each takes one StepContext, returns what the step did, or throws a
// StepFailure (the run rolls back), a Cancelled, or a provider error (retried by the loop).
import { errorMessage } from '../shared/index';
import { bake, defaultMaxBakeTime, serializeTrace, type Decision, type TraceDocument } from '../health/index';
import { assertNever, type Step } from '../strategy/index';
import { recordShift, shiftRoutes } from '../traffic/index';
import {
  applyOptions,
  Cancelled,
  StepFailure,
  type RunContext,
  type StepContext,
  type StepOutcome,
} from './context';
import { hookEnv } from './hook-env';
import { compareAB } from './ab';
import { audienceStep } from './audience';
import { preSwitchJudgement } from './preflight';
import { serviceGateStep, serviceStep } from './saga';
import { waveStep } from './waves';
import { providerFlagStep, usesFlagProvider, watchFlag } from './flags';

/** Runs one plan step with the executor for its kind. */
export function executeStep(run: RunContext, step: Step, index: number): Promise<StepOutcome> {
  switch (step.kind) {
    case 'shift':
      return shiftStep({ run, step, index });
    case 'bake':
      return bakeStep({ run, step, index });
    case 'gate':
      return gateStep({ run, step, index });
    case 'hook':
      return hookStep({ run, step, index });
    case 'approval':
      return approvalStep({ run, step, index });
    case 'batch':
      return run.state.cells ? waveStep(run, step, index) : batchStep({ run, step, index });
    case 'service':
      return serviceStep(run, step);
    case 'audience':
      return audienceStep(run, step);
    default:
      return assertNever(step, 'step');
  }
}

/** Moves every route to the step's split: compare-and-set against the state's weights, verified. */
async function shiftStep({ run, step, index }: StepContext<'shift'>): Promise<StepOutcome> {
  const { options, routes, pair, state } = run;
  const result = await shiftRoutes(
    options.router,
    {
      routes,
      pair,
      canary: step.weight,
      expectation: state.weights
        ? { kind: 'split', split: state.weights, source: 'the rollout state' }
        : null,
      force: options.force ?? false,
      dryRun: false,
      loadBalancer: false,
    },
    applyOptions(run, pair),
  );
  Object.assign(run.weights, result.after);
  const next = recordShift(state, {
    routes,
    pair,
    canary: step.weight,
    previous: result.previous,
    loadBalancerArn: state['load-balancer-arn'],
    stepIndex: index,
    now: new Date(options.clock.now()),
  });
  run.servingSince = options.clock.now();
  return {
    message: `${result.changed ? 'shifted to' : 'already at'} stable ${100 - step.weight}% / canary ${step.weight}% on ${routes.length} route${routes.length === 1 ? '' : 's'} (verified)`,
    state: next,
    more: { weights: next.weights! },
  };
}

/** Bakes and judges the canary; a bake that does not promote passes with its own wording. */
async function bakeStep({ run, step, index }: StepContext<'bake'>): Promise<StepOutcome> {
  const { options, state } = run;
  // A saga deploys in place: its bakes judge each service's own gate, not a canary target group.
  if (state.strategy === 'saga') return serviceGateStep(run, step, index);
  const { clock, gates } = options;
  const bakeTime = options.bakeTime ?? step['duration-ms'];
  const maxBakeTime = Math.max(options.maxBakeTime ?? defaultMaxBakeTime(bakeTime), bakeTime);
  const now = clock.now();
  // A run resumed at a bake counts from the state's last update (as bake-and-gate does), never
  // further back than the longest bake.
  const start = Math.min(now, Math.max(run.servingSince, now - maxBakeTime));
  // The plan's error budget is spent evenly over its bakes, so a healthy rollout is rolled back by any
  // of them with probability at most 1 − confidence (not that much per bake).
  const bakes = Math.max(1, state.plan.filter((s) => s.kind === 'bake').length);
  // After a flag step set by a provider, every poll also reads the flag's deployment.
  const flag = watchFlag(run);
  const signal = flag ? flag.signal : options.signal;
  const result = await bake({
    gates: { ...gates, bakeTime },
    alpha: (1 - gates.confidence / 100) / bakes,
    period: options.period,
    metricDelay: options.metricDelay,
    maxBakeTime,
    start,
    metrics: flag ? flag.metrics(run.metrics()) : run.metrics(),
    // After a switch to 100% (blue-green, feature-flag) the stable target group serves nothing to compare with.
    ...(state.weights?.canary === 100 ? { baseline: false } : {}),
    ...(options.alarms && gates.alarms.length > 0 ? { alarms: options.alarms } : {}),
    ...(options.smoke ? { smoke: options.smoke } : {}),
    clock,
    sleep: options.sleep,
    ...(signal ? { signal } : {}),
    logger: run.logger,
    onPoll: (report) => run.emit({ type: 'poll', index, report }),
  });
  const health = JSON.parse(serializeTrace(result.trace, result.judgement)) as TraceDocument;
  const breach = flag?.breach();
  if (breach) throw new StepFailure(breach, 'rollback', health);
  if (result.cancelled) throw new Cancelled(health);
  const decision = result.judgement.decision;
  if (decision === 'promote') {
    // The flag's deployment must be complete before the next exposure (one deployment at a time).
    if (flag) await flag.finish();
    if (state.strategy === 'ab-testing' && !step.promote) {
      // The hold is over and no gate was breached: compare A and B, and let a person decide.
      const comparison = compareAB(result.trace.windows, gates.confidence, options.abMetrics ?? []);
      return { message: comparison.message, more: { health, comparison } };
    }
    const passed = step.promote
      ? result.judgement.message
      : result.judgement.message.replace(/^promote:/, 'passed (this bake does not promote):');
    return { message: passed, more: { health } };
  }
  throw new StepFailure(result.judgement.message, decision ?? 'rollback', health);
}

/** Judges the idle canary once, before traffic moves (blue-green pre-switch checks). */
async function gateStep({ run, step }: StepContext<'gate'>): Promise<StepOutcome> {
  const { options } = run;
  const { gates } = options;
  const end = Math.floor((options.clock.now() - options.metricDelay) / options.period) * options.period;
  const windows = await run.metrics().windows({ start: end - 3 * options.period, end });
  const alarms =
    options.alarms && gates.alarms.length > 0 ? await options.alarms.states(gates.alarms) : undefined;
  const smoke = options.smoke ? await options.smoke() : undefined;
  const verdict = preSwitchJudgement(gates, { windows, alarms, smoke: smoke ?? null });
  const health = { checks: verdict.checks, phase: verdict.phase };
  if (verdict.phase === 'Successful')
    return { message: `${step.name} gate: ${verdict.message}`, more: { health } };
  const decision: Decision =
    verdict.phase === 'Inconclusive' && gates.onInconclusive === 'fail' ? 'inconclusive' : 'rollback';
  throw new StepFailure(`${step.name} gate: ${verdict.message}`, decision, health);
}

/** Runs the hook command (feature-flag exposure); a non-zero exit code fails the step. */
async function hookStep({ run, step, index }: StepContext<'hook'>): Promise<StepOutcome> {
  if (usesFlagProvider(run)) return providerFlagStep(run, step);
  const hooks = run.options.hooks!;
  // Never the state's own command: preflight made sure it is empty or this very one.
  const command = (hooks.flagCommand ?? '').trim();
  const { 'exit-code': code } = await hooks.command!({
    index,
    step,
    command,
    env: hookEnv(run.state, index, step.exposure, step.name, 'rollout'),
  });
  if (code !== 0) {
    throw new StepFailure(
      `${step.name} command exited with code ${code} setting exposure ${step.exposure}%: rollback`,
      'rollback',
    );
  }
  run.servingSince = run.options.clock.now();
  return { message: `${step.name} command set exposure to ${step.exposure}% (exit code 0)` };
}

/** Ends the run paused until a person approves; the next run resumes after this step. */
async function approvalStep({ run, step, index }: StepContext<'approval'>): Promise<StepOutcome> {
  const comparison = [...run.records].reverse().find((r) => r.comparison)?.comparison;
  const verdict = comparison ? ` ${comparison.message}` : '';
  return {
    message: `waiting for approval: ${step.reason}${verdict}`,
    pause: `paused at step ${index + 1} for approval: ${step.reason}${verdict}`,
  };
}

/** Moves a rolling batch of cells with the caller's batch hook. */
async function batchStep({ run, step, index }: StepContext<'batch'>): Promise<StepOutcome> {
  await userHook(run, `batch ${step.batch}`, () => run.options.hooks!.batch!(step, index));
  run.servingSince = run.options.clock.now();
  return { message: `batch ${step.batch} (${step.cells.join(', ')}) moved to the new version` };
}

/** Runs the caller's hook; its failure is the step's, never retried as a provider error. */
async function userHook(run: RunContext, what: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    throw new StepFailure(`step ${run.state.step + 1}: ${what} failed: ${errorMessage(error)}`, 'rollback');
  }
}
