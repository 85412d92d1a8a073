// The run loop: each plan step goes to its executor (steps.ts) through the retry plumbing (retry.ts);
// a failure, a cancellation or provider errors past the limit end the run with the one rollback.
import { errorMessage, InputError, silentLogger } from '../shared/index';
import type { Decision, MetricSource } from '../health/index';
import type { RolloutState } from '../rollout/index';
import { Cancelled, isoNow, StepFailure, type RunContext } from './context';
import { checkAudience, checkRun } from './preflight';
import { withRetries } from './retry';
import { rollbackRollout } from './rollback';
import type { AbComparison } from './ab';
import type { AudienceRule } from './audience';
import { SagaLog } from './saga';
import { checkServiceTargets } from './saga-targets';
import { executeStep } from './steps';
import { prepareFlag } from './flags';
import {
  cellRollbackScope,
  checkCellAlarms,
  checkOnlyRegion,
  isCellRun,
  leavesRegion,
  withCells,
} from './cell-scope';
import type { RollbackRecord, RunDecision, RunPlanOptions, RunResult, StepRecord } from './types';

/**
 * Runs a rollout state's plan from `state.step`: shift steps through `shiftRoutes` (compare-and-set,
 * verified), bake steps through `bake`, `gate` steps as one judgement of the idle canary, hook
 * steps through the command runner, approval steps end the run `paused`, batch and service steps
 * through the caller's hooks. The run ends promoted when the plan is done, paused at an approval, or
 * rolled back — after a failed gate, provider errors past `max-consecutive-errors`, a step that failed,
 * or cancellation — with traffic restored (to `stable` by default) before this function returns.
 *
 * Everything that can be checked before traffic moves is checked first (routes, target groups, hooks
 * for every remaining step, alarm names), and refused with an `InputError` that changes nothing.
 */
export async function runPlan(options: RunPlanOptions): Promise<RunResult> {
  const run = await startRun(options);
  const { plan } = run.state;
  for (let index = run.state.step; index < plan.length; index++) {
    const leaving = options.onlyRegion ? leavesRegion(run.state, index, options.onlyRegion) : null;
    if (leaving) {
      run.state = { ...run.state, step: index, status: 'paused', 'updated-at': isoNow(options.clock) };
      return finish(run, 'paused', leaving);
    }
    const ended = await runStep(run, index);
    if (ended) return ended;
  }
  run.state = { ...run.state, status: 'promoted', step: plan.length, 'updated-at': isoNow(options.clock) };
  return finish(
    run,
    'promote',
    `promoted: all ${plan.length} steps of the ${run.state.strategy} plan passed`,
  );
}

/** Checks the run, completes the state with its routes and load balancer, and builds the context. */
async function startRun(options: RunPlanOptions): Promise<RunContext> {
  const { clock } = options;
  const startedAt = isoNow(clock);
  const { pair, routes } = checkRun(options);
  // Alarms are read once before anything moves, so a name that does not exist refuses the run: over
  // cells, in every region, the run's alarms with the alarms of that region's cells.
  if (isCellRun(options)) await checkCellAlarms(options, withCells(options.state, options.cells));
  else if (options.gates.alarms.length > 0) await options.alarms!.states(options.gates.alarms);
  if (routes.length > 0) await checkAudience(options, routes[0]!);
  const saga = options.hooks?.saga;
  if (saga && options.state.strategy === 'saga') {
    const log = new SagaLog(options.state);
    await checkServiceTargets(options.router, saga.services, (name) => log.get(name) === 'untouched');
  }

  let state: RolloutState = options.state;
  // A flag set by a provider: its ids and the version to return to, found before anything moves.
  if (options.hooks?.flags && state.strategy === 'feature-flag')
    state = await prepareFlag(state, options.hooks.flags);
  if (options.onlyRegion && !isCellRun(options)) {
    throw new InputError('only-region', options.onlyRegion, 'empty unless the rollout runs over cells');
  }
  if (isCellRun(options)) {
    state = withCells(state, options.cells);
    if (options.onlyRegion) checkOnlyRegion(state, options.onlyRegion);
  } else if (routes.length > 0 && (state.routes.length === 0 || !state['stable-target-group-arn'])) {
    state = {
      ...state,
      routes: [...routes],
      'stable-target-group-arn': pair.stable,
      'canary-target-group-arn': pair.canary,
    };
  }
  if (!state['load-balancer-arn'] && !state.cells && routes.length > 0) {
    const reading = await options.router.read(routes[0]!);
    state = { ...state, 'load-balancer-arn': await options.router.loadBalancerOf(reading) };
  }
  // A run resumed at a bake counts from the state's last update, never from the future.
  let servingSince = Date.parse(state['updated-at']);
  if (!Number.isFinite(servingSince) || servingSince > clock.now()) servingSince = clock.now();
  let metrics: MetricSource | null = null;
  const run: RunContext = {
    options,
    logger: options.logger ?? silentLogger,
    routes,
    pair,
    state,
    weights: {},
    servingSince,
    records: [],
    startedAt,
    saga: options.hooks?.saga && state.strategy === 'saga' ? new SagaLog(state) : null,
    metrics: () => (metrics ??= options.metrics({ loadBalancerArn: run.state['load-balancer-arn']!, pair })),
    emit: (event) => options.onEvent?.(event),
  };
  return run;
}

/** Runs plan step `index`; returns the run's result when the run ends there, null to go on. */
async function runStep(run: RunContext, index: number): Promise<RunResult | null> {
  const { options } = run;
  const step = run.state.plan[index]!;
  const total = run.state.plan.length;
  const started = isoNow(options.clock);
  const retries: string[] = [];
  const record = (outcome: StepRecord['outcome'], message: string, more: Partial<StepRecord> = {}) => {
    const entry: StepRecord = {
      index,
      kind: step.kind,
      step,
      outcome,
      'started-at': started,
      'ended-at': isoNow(options.clock),
      message,
      retries,
      ...more,
    };
    run.records.push(entry);
    return entry;
  };
  const ended = (...args: Parameters<typeof record>) =>
    run.emit({ type: 'step-end', record: record(...args), state: run.state });
  if (options.signal?.aborted) {
    record('cancelled', `cancelled before step ${index + 1}`);
    return rollBack(run, `cancelled before step ${index + 1} of ${total}`, 'rollback', true);
  }
  // A service whose deploy has started may be half deployed: until it passes, it counts as failing, so a
  // post step after a killed job compensates it too.
  if (run.saga && step.kind === 'service') {
    run.saga.set(step.service, 'failed');
    withServices(run);
  }
  run.emit({ type: 'step-start', index, step, total, state: run.state });
  try {
    const outcome = await withRetries(run, { index, retries }, () => executeStep(run, step, index));
    const updatedAt = isoNow(options.clock);
    if (outcome.pause !== undefined) {
      run.state = { ...run.state, step: index + 1, status: 'paused', 'updated-at': updatedAt };
      ended('paused', outcome.message);
      return finish(run, 'paused', outcome.pause);
    }
    run.state = { ...(outcome.state ?? run.state), step: index + 1, 'updated-at': updatedAt };
    if (run.state.status !== 'in-progress') run.state = { ...run.state, status: 'in-progress' };
    withServices(run);
    ended('passed', outcome.message, outcome.more);
    return null;
  } catch (error) {
    if (error instanceof Cancelled) {
      ended('cancelled', `cancelled during step ${index + 1}`, error.health ? { health: error.health } : {});
      return rollBack(run, `cancelled during step ${index + 1} (${step.kind})`, 'rollback', true);
    }
    const failure =
      error instanceof StepFailure
        ? error
        : new StepFailure(`step ${index + 1} (${step.kind}) failed: ${errorMessage(error)}`, 'rollback');
    ended('failed', failure.message, failure.health ? { health: failure.health } : {});
    return rollBack(run, failure.message, failure.decision, false);
  }
}

/** Ends the run with the one rollback, then says in one sentence what happened to traffic. */
async function rollBack(
  run: RunContext,
  reason: string,
  decision: Decision,
  cancelled: boolean,
): Promise<RunResult> {
  const { options, logger, records, state } = run;
  const to = options.rollbackTo ?? 'stable';
  run.emit({ type: 'rollback', reason });
  logger.warning(`rolling back to ${to}: ${reason}`);
  const touched = state['initial-weights'] !== null;
  const cells = cellRollbackScope(run, cancelled);
  if (cells?.halt) {
    run.state = { ...state, status: 'paused', 'updated-at': isoNow(options.clock) };
    const text = `${reason}; halted (on-failure: halt): traffic was left where it is; resume with the state, or send every moved cell back with the rollback action`;
    return finish(run, decision, text, { cancelled, restored: true });
  }
  const lastStarted = records.length > 0 ? records[records.length - 1]!.index : state.step - 1;
  const result = await rollbackRollout({
    router: options.router,
    ...(options.rules ? { rules: options.rules, audienceRule: ruleOf(run).rule?.arn ?? null } : {}),
    routes: cells ? cells.routes : touched ? run.routes : [],
    pair: run.pair,
    ...(cells ? { pairs: cells.pairs } : {}),
    to,
    reason,
    state,
    clock: options.clock,
    sleep: options.sleep,
    logger,
    ...(options.verify ? { verify: options.verify } : {}),
    random: options.random,
    // A cancelled job has seconds left (the runner's 7.5 s grace): one more try, not a period's wait.
    attempts: cancelled ? 2 : Math.max(1, options.gates.maxConsecutiveErrors + 1),
    ...(options.hooks?.flags ? { flags: options.hooks.flags.provider } : {}),
    ...(options.hooks
      ? {
          undo: {
            hooks: options.hooks,
            started: Math.max(state.step, lastStarted + 1),
            ...(run.saga ? { saga: run.saga } : {}),
          },
        }
      : {}),
  });
  run.state = result.state!;
  if (result.restored) for (const r of result.record.routes) run.weights[r.route] = r.after;
  run.emit({ type: 'rolled-back', record: result.record, state: run.state });
  const moved = touched ? `traffic restored to ${to}` : 'traffic was not moved by this rollout';
  // The record's reason names the compensations, in order: that is what a saga's rollback did.
  const undone = run.saga?.compensated ?? [];
  const where = undone.length > 0 ? `compensated ${undone.join(', ')}; ${moved}` : moved;
  const compensationFailed = result.record.error?.startsWith('compensation-failed: ') ?? false;
  const text = compensationFailed
    ? `${reason}; ${where}; ${result.record.error} (retried and still failing): that service and the ones deployed before it were not compensated, check them now`
    : result.restored
      ? `${reason}; ${where}`
      : `${reason}; restoring traffic to ${to} FAILED, check the routes now: ${result.record.error}`;
  return finish(run, decision, text, { cancelled, restored: result.restored, rollback: result.record });
}

/** Writes where each saga service stands into the run's state (names and statuses, never commands). */
function withServices(run: RunContext): void {
  if (run.saga) run.state = { ...run.state, services: run.saga.states() };
}

/** The run's result and trace. */
function finish(
  run: RunContext,
  decision: RunDecision,
  reason: string,
  extra: { cancelled?: boolean; restored?: boolean; rollback?: RollbackRecord | null } = {},
): RunResult {
  withServices(run);
  const { state } = run;
  const cancelled = extra.cancelled ?? false;
  return {
    state,
    decision,
    reason,
    cancelled,
    restored: extra.restored ?? true,
    weights: run.weights,
    trace: {
      strategy: state.strategy,
      decision,
      status: state.status,
      reason,
      cancelled,
      'started-at': run.startedAt,
      'ended-at': isoNow(run.options.clock),
      steps: run.records,
      rollback: extra.rollback ?? null,
      ...(run.saga ? { saga: run.saga.report() } : {}),
      ...comparisonOf(run),
      ...ruleOf(run),
    },
  };
}

/** The last A/B comparison of the run, for the trace. */
function comparisonOf(run: RunContext): { comparison?: AbComparison } {
  const comparison = [...run.records].reverse().find((r) => r.comparison)?.comparison;
  return comparison ? { comparison } : {};
}

/** The audience rule the run created or found, for the trace. */
function ruleOf(run: RunContext): { rule?: AudienceRule } {
  const rule = run.records.find((r) => r.rule)?.rule;
  return rule ? { rule } : {};
}
