import {
  errorMessage,
  formatDuration,
  formatPercent,
  InputError,
  silentLogger,
  type Clock,
  type Logger,
  type Random,
  type Sleeper,
} from '../shared/index';
import {
  bake,
  fmtPct,
  serializeTrace,
  worst,
  type AlarmSource,
  type AlarmState,
  type BakeResult,
  type Check,
  type Decision,
  type Gates,
  type MetricSource,
  type MetricWindow,
  type Phase,
  type PollReport,
  type SmokeRunner,
  type TraceDocument,
} from '../health/index';
import type { RolloutState, RouteWeights } from '../rollout/index';
import { assertNever, type Step, type StepKind } from '../strategy/index';
import {
  ForwardActionError,
  recordRollback,
  recordShift,
  restoreRoutes,
  rollbackTargetGroups,
  RouterError,
  RouteTransactionError,
  shiftRoutes,
  WeightsChangedError,
  WeightsNotVerifiedError,
  type RestoreResult,
  type RollbackTarget,
  type RoutePlan,
  type Split,
  type TargetPair,
  type TrafficRouter,
  type VerifyOptions,
} from '../traffic/index';

// ─── Ports the orchestrator adds ─────────────────────────────────────────────────────────────────

/** A `hook` step to run: the command and the SHIFTGATE_* variables it gets. */
export interface HookRun {
  index: number;
  step: Extract<Step, { kind: 'hook' }>;
  command: string;
  /** SHIFTGATE_* variables for the command's environment. */
  env: Record<string, string>;
}

/** Runs a hook command (feature-flag exposure) and resolves to its exit code. */
export type CommandRunner = (run: HookRun) => Promise<{ 'exit-code': number }>;

/** Moves a rolling batch of cells to the new version; throws when it cannot. */
export type BatchRunner = (step: Extract<Step, { kind: 'batch' }>, index: number) => Promise<void>;

/** Deploys a saga service (`compensate: false`) or undoes it (`compensate: true`); throws on failure. */
export type ServiceRunner = (
  step: Extract<Step, { kind: 'service' }>,
  options: { compensate: boolean },
) => Promise<void>;

/** Hooks for the plan steps that do not move traffic on the load balancer. */
export interface StepHooks {
  /** Runs `hook` steps. The command is `flagCommand` when given, else the step's own. */
  command?: CommandRunner;
  /** Overrides every hook step's command (the `flag-command` input). */
  flagCommand?: string;
  batch?: BatchRunner;
  service?: ServiceRunner;
}

/** Builds the metric source once the load balancer is known. */
export type MetricSourceFactory = (where: { loadBalancerArn: string; pair: TargetPair }) => MetricSource;

// ─── Results ─────────────────────────────────────────────────────────────────────────────────────

/** How a run ended: `paused` at an approval step; otherwise the gate's verdict. */
export type RunDecision = Decision | 'paused';

/** What one plan step did. */
export interface StepRecord {
  index: number;
  kind: StepKind;
  step: Step;
  outcome: 'passed' | 'failed' | 'paused' | 'cancelled';
  'started-at': string;
  'ended-at': string;
  /** A sentence a person can act on. */
  message: string;
  /** The verified split after a shift step. */
  weights?: Split;
  /** The bake's health trace with its verdict, or the pre-switch gate's checks. */
  health?: TraceDocument | { checks: Check[]; phase: Phase };
  /** Provider errors that were retried before the step's outcome. */
  retries: string[];
}

/** What the rollback at the end of a run did. */
export interface RollbackRecord {
  to: RollbackTarget;
  reason: string;
  at: string;
  routes: RestoreResult[];
  /** Set when traffic could not be (entirely) restored. */
  error: string | null;
  /** Hooks and compensation run after traffic was restored (flag back to 0, saga undo). */
  undo: string[];
}

/** The whole run, as the `trace` output carries it. */
export interface RunTrace {
  strategy: string;
  decision: RunDecision;
  status: RolloutState['status'];
  reason: string;
  cancelled: boolean;
  'started-at': string;
  'ended-at': string;
  steps: StepRecord[];
  rollback: RollbackRecord | null;
}

/** What {@link runPlan} returns. */
export interface RunResult {
  state: RolloutState;
  decision: RunDecision;
  /** Why the run ended, in one sentence. */
  reason: string;
  /** True when the signal aborted the run (traffic was restored). */
  cancelled: boolean;
  /** False only when a rollback could not restore traffic: a person must look. */
  restored: boolean;
  /** Per route, the target groups last verified by this run (empty when it moved no traffic). */
  weights: RouteWeights;
  trace: RunTrace;
}

/** Progress, for live output. */
export type RunEvent =
  | { type: 'step-start'; index: number; step: Step; total: number }
  | { type: 'step-end'; record: StepRecord; state: RolloutState }
  | { type: 'poll'; index: number; report: PollReport }
  | { type: 'retry'; index: number; attempt: number; error: string; waitMs: number }
  | { type: 'rollback'; reason: string }
  | { type: 'rolled-back'; record: RollbackRecord; state: RolloutState };

/** Everything a run needs. Every wait goes through `sleep`, every timestamp through `clock`. */
export interface RunPlanOptions {
  state: RolloutState;
  /** Routes and target groups, when the state does not name them yet (a state from select-strategy). */
  target?: { routes: string[]; pair: TargetPair } | null;
  router: TrafficRouter;
  metrics: MetricSourceFactory;
  alarms?: AlarmSource;
  smoke?: SmokeRunner;
  hooks?: StepHooks;
  gates: Gates;
  /** Window length and poll interval, in milliseconds. */
  period: number;
  metricDelay: number;
  /** Overrides every bake step's duration (the `bake-time` input); null keeps the plan's. */
  bakeTime?: number | null;
  /** The longest bake per step; null means three times that step's bake time. */
  maxBakeTime?: number | null;
  /** Where a rollback sends traffic; `stable` by default. */
  rollbackTo?: RollbackTarget;
  /** Overwrite weights someone else changed (shift steps only; rollbacks never need it). */
  force?: boolean;
  clock: Clock;
  sleep: Sleeper;
  /** Aborting (SIGINT/SIGTERM) stops the run and restores traffic before it returns. */
  signal?: AbortSignal;
  logger?: Logger;
  verify?: VerifyOptions;
  /** Jitter source for read-back delays. */
  random: Random;
  /** Called before the first write of every shift, with what will be written (post-step bookkeeping). */
  beforeWrite?: (plans: RoutePlan[]) => void | Promise<void>;
  onEvent?: (event: RunEvent) => void;
}

// ─── The run ─────────────────────────────────────────────────────────────────────────────────────

/** A step's failure that ends the run with a rollback. */
class StepFailure extends Error {
  constructor(
    message: string,
    readonly decision: Decision,
    readonly health?: StepRecord['health'],
  ) {
    super(message);
  }
}

/** The run was cancelled during a step. */
class Cancelled extends Error {
  constructor(readonly health?: StepRecord['health']) {
    super('cancelled');
  }
}

/**
 * Runs a rollout state's plan from `state.step`: shift steps through {@link shiftRoutes} (compare-and-set,
 * verified), bake steps through {@link bake}, `gate` steps as one judgement of the idle canary, hook
 * steps through the command runner, approval steps end the run `paused`, batch and service steps
 * through the caller's hooks. The run ends promoted when the plan is done, paused at an approval, or
 * rolled back — after a failed gate, provider errors past `max-consecutive-errors`, a step that failed,
 * or cancellation — with traffic restored (to `stable` by default) before this function returns.
 *
 * Everything that can be checked before traffic moves is checked first (routes, target groups, hooks
 * for every remaining step, alarm names), and refused with an {@link InputError} that changes nothing.
 */
export async function runPlan(options: RunPlanOptions): Promise<RunResult> {
  const logger = options.logger ?? silentLogger;
  const { clock, gates } = options;
  const iso = () => new Date(clock.now()).toISOString();
  const startedAt = iso();
  const { pair, routes } = checkRun(options);
  if (gates.alarms.length > 0) await options.alarms!.states(gates.alarms);

  let state: RolloutState = options.state;
  if (state.routes.length === 0 || !state['stable-target-group-arn']) {
    state = {
      ...state,
      routes: [...routes],
      'stable-target-group-arn': pair.stable,
      'canary-target-group-arn': pair.canary,
    };
  }
  if (!state['load-balancer-arn']) {
    const reading = await options.router.read(routes[0]!);
    state = { ...state, 'load-balancer-arn': await options.router.loadBalancerOf(reading) };
  }
  let metrics: MetricSource | null = null;
  const metricSource = () =>
    (metrics ??= options.metrics({ loadBalancerArn: state['load-balancer-arn']!, pair }));

  const records: StepRecord[] = [];
  const weights: RouteWeights = {};
  const emit = (event: RunEvent) => options.onEvent?.(event);
  // When the canary began serving what it serves now: a run resumed at a bake counts from the
  // state's last update (as bake-and-gate does), never further back than the longest bake.
  let servingSince = Date.parse(state['updated-at']);
  if (!Number.isFinite(servingSince) || servingSince > clock.now()) servingSince = clock.now();

  const finish = (
    decision: RunDecision,
    reason: string,
    extra: { cancelled?: boolean; restored?: boolean; rollback?: RollbackRecord | null } = {},
  ): RunResult => ({
    state,
    decision,
    reason,
    cancelled: extra.cancelled ?? false,
    restored: extra.restored ?? true,
    weights,
    trace: {
      strategy: state.strategy,
      decision,
      status: state.status,
      reason,
      cancelled: extra.cancelled ?? false,
      'started-at': startedAt,
      'ended-at': iso(),
      steps: records,
      rollback: extra.rollback ?? null,
    },
  });

  for (let index = state.step; index < state.plan.length; index++) {
    const step = state.plan[index]!;
    const started = iso();
    const retries: string[] = [];
    const record = (
      outcome: StepRecord['outcome'],
      message: string,
      more: Partial<StepRecord> = {},
    ): StepRecord => {
      const entry: StepRecord = {
        index,
        kind: step.kind,
        step,
        outcome,
        'started-at': started,
        'ended-at': iso(),
        message,
        retries,
        ...more,
      };
      records.push(entry);
      return entry;
    };
    if (options.signal?.aborted) {
      record('cancelled', `cancelled before step ${index + 1}`);
      return rollback(`cancelled before step ${index + 1} of ${state.plan.length}`, 'rollback', true);
    }
    emit({ type: 'step-start', index, step, total: state.plan.length });
    if (step.kind === 'approval') {
      state = { ...state, step: index + 1, status: 'paused', 'updated-at': iso() };
      const entry = record('paused', `waiting for approval: ${step.reason}`);
      emit({ type: 'step-end', record: entry, state });
      return finish('paused', `paused at step ${index + 1} for approval: ${step.reason}`);
    }
    try {
      const outcome = await withRetries(index, retries, () => runStep(index, step));
      state = { ...state, ...outcome.state, step: index + 1, 'updated-at': iso() };
      if (state.status !== 'in-progress') state = { ...state, status: 'in-progress' };
      const entry = record('passed', outcome.message, outcome.more);
      emit({ type: 'step-end', record: entry, state });
    } catch (error) {
      if (error instanceof Cancelled) {
        const entry = record(
          'cancelled',
          `cancelled during step ${index + 1}`,
          error.health ? { health: error.health } : {},
        );
        emit({ type: 'step-end', record: entry, state });
        return rollback(`cancelled during step ${index + 1} (${step.kind})`, 'rollback', true);
      }
      const failure =
        error instanceof StepFailure
          ? error
          : new StepFailure(`step ${index + 1} (${step.kind}) failed: ${errorMessage(error)}`, 'rollback');
      const entry = record('failed', failure.message, failure.health ? { health: failure.health } : {});
      emit({ type: 'step-end', record: entry, state });
      return rollback(failure.message, failure.decision, false);
    }
  }
  state = { ...state, status: 'promoted', step: state.plan.length, 'updated-at': iso() };
  return finish('promote', `promoted: all ${state.plan.length} steps of the ${state.strategy} plan passed`);

  // ─── Steps ───────────────────────────────────────────────────────────────────────────────────

  async function runStep(
    index: number,
    step: Exclude<Step, { kind: 'approval' }>,
  ): Promise<{ message: string; state?: Partial<RolloutState>; more?: Partial<StepRecord> }> {
    switch (step.kind) {
      case 'shift': {
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
          {
            sleep: options.sleep,
            logger,
            pair,
            ...(options.verify ? { verify: options.verify } : {}),
            random: options.random,
            ...(options.beforeWrite ? { beforeFirstWrite: options.beforeWrite } : {}),
          },
        );
        Object.assign(weights, result.after);
        const next = recordShift(state, {
          routes,
          pair,
          canary: step.weight,
          previous: result.previous,
          loadBalancerArn: state['load-balancer-arn'],
          stepIndex: index,
          now: new Date(clock.now()),
        });
        state = next;
        servingSince = clock.now();
        return {
          message: `${result.changed ? 'shifted to' : 'already at'} stable ${100 - step.weight}% / canary ${step.weight}% on ${routes.length} route${routes.length === 1 ? '' : 's'} (verified)`,
          state: next,
          more: { weights: next.weights! },
        };
      }
      case 'bake':
        return bakeStep(index, step);
      case 'gate':
        return gateStep(step);
      case 'hook': {
        const command = (options.hooks?.flagCommand || step.command).trim();
        const { 'exit-code': code } = await options.hooks!.command!({
          index,
          step,
          command,
          env: hookEnv(state, index, step.exposure, step.name, 'rollout'),
        });
        if (code !== 0) {
          throw new StepFailure(
            `${step.name} command exited with code ${code} setting exposure ${step.exposure}%: rollback`,
            'rollback',
          );
        }
        servingSince = clock.now();
        return { message: `${step.name} command set exposure to ${step.exposure}% (exit code 0)` };
      }
      case 'batch':
        await userHook(`batch ${step.batch}`, () => options.hooks!.batch!(step, index));
        servingSince = clock.now();
        return { message: `batch ${step.batch} (${step.cells.join(', ')}) moved to the new version` };
      case 'service':
        await userHook(`deploying service ${step.service}`, () =>
          options.hooks!.service!(step, { compensate: false }),
        );
        servingSince = clock.now();
        return { message: `service ${step.service} deployed` };
      default:
        return assertNever(step, 'step');
    }
  }

  /** Runs the caller's hook; its failure is the step's, never retried as a provider error. */
  async function userHook(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (error) {
      throw new StepFailure(`step ${state.step + 1}: ${what} failed: ${errorMessage(error)}`, 'rollback');
    }
  }

  async function bakeStep(
    index: number,
    step: Extract<Step, { kind: 'bake' }>,
  ): Promise<{ message: string; more: Partial<StepRecord> }> {
    const bakeTime = options.bakeTime ?? step['duration-ms'];
    const maxBakeTime = Math.max(options.maxBakeTime ?? 3 * bakeTime, bakeTime);
    const now = clock.now();
    const start = Math.min(now, Math.max(servingSince, now - maxBakeTime));
    const result: BakeResult = await bake({
      gates: { ...gates, bakeTime },
      period: options.period,
      metricDelay: options.metricDelay,
      maxBakeTime,
      start,
      metrics: metricSource(),
      // After a switch to 100% (blue-green, feature-flag) the stable target group serves nothing to compare with.
      ...(state.weights?.canary === 100 ? { baseline: false } : {}),
      ...(options.alarms && gates.alarms.length > 0 ? { alarms: options.alarms } : {}),
      ...(options.smoke ? { smoke: options.smoke } : {}),
      clock,
      sleep: options.sleep,
      ...(options.signal ? { signal: options.signal } : {}),
      logger,
      onPoll: (report) => emit({ type: 'poll', index, report }),
    });
    const health = JSON.parse(serializeTrace(result.trace, result.judgement)) as TraceDocument;
    if (result.cancelled) throw new Cancelled(health);
    const decision = result.judgement.decision;
    if (decision === 'promote') {
      const passed = step.promote
        ? result.judgement.message
        : result.judgement.message.replace(/^promote:/, 'passed (this bake does not promote):');
      return { message: passed, more: { health } };
    }
    throw new StepFailure(result.judgement.message, decision ?? 'rollback', health);
  }

  async function gateStep(step: Extract<Step, { kind: 'gate' }>): Promise<{
    message: string;
    more: Partial<StepRecord>;
  }> {
    const now = clock.now();
    const end = Math.floor((now - options.metricDelay) / options.period) * options.period;
    const windows = await metricSource().windows({ start: end - 3 * options.period, end });
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

  /**
   * Runs a step, retrying provider errors (throttling after the SDK's own retries, 5xx, lost answers)
   * a period later, at most `max-consecutive-errors` times; anything else fails the step at once.
   */
  async function withRetries<T>(index: number, retries: string[], fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if (error instanceof StepFailure || error instanceof Cancelled || !isTransient(error)) throw error;
        const message = errorMessage(error);
        if (retries.length >= gates.maxConsecutiveErrors) {
          throw new StepFailure(
            `${retries.length + 1} provider errors in a row > max-consecutive-errors ${gates.maxConsecutiveErrors} at step ${index + 1} (${message}): never promoting`,
            'rollback',
          );
        }
        retries.push(message);
        logger.warning(
          `step ${index + 1} failed (${message}); retrying in ${formatDuration(options.period)}`,
        );
        emit({ type: 'retry', index, attempt, error: message, waitMs: options.period });
        await options.sleep(options.period, options.signal);
        if (options.signal?.aborted) throw new Cancelled();
      }
    }
  }

  // ─── Rollback ────────────────────────────────────────────────────────────────────────────────

  async function rollback(reason: string, decision: Decision, cancelled: boolean): Promise<RunResult> {
    const to = options.rollbackTo ?? 'stable';
    emit({ type: 'rollback', reason });
    logger.warning(`rolling back to ${to}: ${reason}`);
    const entry: RollbackRecord = { to, reason, at: iso(), routes: [], error: null, undo: [] };
    const touched = state['initial-weights'] !== null;
    if (touched) {
      const initial = state['initial-weights'] ?? {};
      // A cancelled job has seconds left (the runner's 7.5 s grace): one more try, not a period's wait.
      const attempts = cancelled ? 2 : Math.max(1, gates.maxConsecutiveErrors + 1);
      for (let attempt = 1; attempt <= attempts; attempt++) {
        try {
          entry.routes = await restoreRoutes(
            options.router,
            routes,
            (reading) => rollbackTargetGroups(reading, pair, to, initial[reading.route] ?? null),
            {
              sleep: options.sleep,
              logger,
              pair,
              ...(options.verify ? { verify: options.verify } : {}),
              random: options.random,
            },
          );
          entry.error = null;
          for (const r of entry.routes) weights[r.route] = r.after;
          break;
        } catch (error) {
          entry.error = errorMessage(error);
          logger.warning(`restoring traffic failed (attempt ${attempt} of ${attempts}): ${entry.error}`);
          if (attempt < attempts) await options.sleep(Math.min(1000 * attempt, 5000));
        }
      }
    }
    const restored = entry.error === null;
    if (restored && touched) state = recordRollback(state, to, pair, new Date(clock.now()));
    else state = { ...state, status: restored ? 'rolled-back' : 'failed', 'updated-at': iso() };
    await undoHooks(entry);
    emit({ type: 'rolled-back', record: entry, state });
    const where = touched ? `traffic restored to ${to}` : 'traffic was not moved by this rollout';
    const text = restored
      ? `${reason}; ${where}`
      : `${reason}; restoring traffic to ${to} FAILED, check the routes now: ${entry.error}`;
    return finish(decision, text, { cancelled, restored, rollback: entry });
  }

  /** After traffic is back: flags back to exposure 0, saga services compensated in reverse. */
  async function undoHooks(entry: RollbackRecord): Promise<void> {
    const ran = state.plan.slice(0, Math.max(state.step, lastStarted() + 1));
    const hook = [...ran].reverse().find((s): s is Extract<Step, { kind: 'hook' }> => s.kind === 'hook');
    if (hook && options.hooks?.command) {
      const command = (options.hooks.flagCommand || hook.command).trim();
      try {
        const { 'exit-code': code } = await options.hooks.command({
          index: state.plan.indexOf(hook),
          step: hook,
          command,
          env: hookEnv(state, state.plan.indexOf(hook), 0, hook.name, 'rollback'),
        });
        entry.undo.push(`${hook.name} command set exposure to 0% (exit code ${code})`);
        if (code !== 0) entry.error ??= `${hook.name} command exited with code ${code} setting exposure 0%`;
      } catch (error) {
        entry.undo.push(`${hook.name} command failed to set exposure 0%: ${errorMessage(error)}`);
      }
    }
    const deployed = ran.filter((s): s is Extract<Step, { kind: 'service' }> => s.kind === 'service');
    if (deployed.length > 0 && options.hooks?.service) {
      const highest = Math.max(...deployed.map((s) => s.order));
      for (const undo of state.compensation) {
        if (undo.kind !== 'service' || undo.order > highest) continue;
        try {
          await options.hooks.service(undo, { compensate: true });
          entry.undo.push(`service ${undo.service} compensated`);
        } catch (error) {
          entry.undo.push(`service ${undo.service} could not be compensated: ${errorMessage(error)}`);
          entry.error ??= `compensating ${undo.service} failed: ${errorMessage(error)}`;
        }
      }
    }
  }

  function lastStarted(): number {
    return records.length > 0 ? records[records.length - 1]!.index : state.step - 1;
  }
}

/** The SHIFTGATE_* variables a hook command gets. */
export function hookEnv(
  state: RolloutState,
  index: number,
  exposure: number,
  name: string,
  phase: 'rollout' | 'rollback',
): Record<string, string> {
  return {
    SHIFTGATE_HOOK: name,
    SHIFTGATE_PHASE: phase,
    SHIFTGATE_EXPOSURE: String(exposure),
    // The name the strategy catalogue documents for flag-command.
    SHIFTGATE_FLAG_EXPOSURE: String(exposure),
    SHIFTGATE_STRATEGY: state.strategy,
    SHIFTGATE_STEP: String(index),
    SHIFTGATE_ENVIRONMENT: state.environment ?? '',
    SHIFTGATE_VERSION: state.version ?? '',
    SHIFTGATE_DEPLOYMENT_ID: state['deployment-id'] === null ? '' : String(state['deployment-id']),
    SHIFTGATE_CANARY_WEIGHT: String(state.weights?.canary ?? 0),
  };
}

/**
 * True for failures worth retrying: provider errors whose outcome is unknown or that were throttled,
 * and plain errors from metric or alarm providers. Refusals (bad input, a route without a forward
 * action, weights someone else changed, access denied, not found) are not.
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof RouteTransactionError) return isTransient(error.cause);
  if (
    error instanceof InputError ||
    error instanceof ForwardActionError ||
    error instanceof WeightsChangedError ||
    error instanceof WeightsNotVerifiedError
  ) {
    return false;
  }
  if (error instanceof RouterError)
    return !error.rejected || error.name === 'ThrottledError' || /^Throttl/.test(error.code);
  return error instanceof Error;
}

const NEEDS: Record<'hook' | 'batch' | 'service', string> = {
  hook: 'a command runner and a command (the flag-command input or the plan step’s own)',
  batch: 'a batch hook that moves cells to the new version',
  service: 'a service hook that deploys (and compensates) saga services',
};

/** Checks, before anything is written, that the run can go through and names what is missing. */
/**
 * Throws an {@link InputError} for a state that cannot run: already promoted, rolled back or failed, or
 * with no step left.
 */
export function checkRunnable(state: RolloutState): void {
  if (state.status === 'promoted' || state.status === 'rolled-back' || state.status === 'failed') {
    throw new InputError('state', state.status, 'a rollout that is planned, in progress or paused', {
      message: `Input 'state' is a rollout that is already ${state.status} (step ${state.step} of ${state.plan.length}); start a new rollout with select-strategy`,
    });
  }
  if (state.step >= state.plan.length) {
    throw new InputError('state', state.step, 'a rollout with steps left', {
      message: `Input 'state' has no step left to run (step ${state.step} of ${state.plan.length})`,
    });
  }
}

function checkRun(options: RunPlanOptions): { routes: string[]; pair: TargetPair } {
  const { state } = options;
  checkRunnable(state);
  const fromState =
    state.routes.length > 0 && state['stable-target-group-arn'] && state['canary-target-group-arn']
      ? {
          routes: state.routes,
          pair: { stable: state['stable-target-group-arn'], canary: state['canary-target-group-arn'] },
        }
      : null;
  const given = options.target ?? null;
  if (fromState && given) {
    const same =
      given.routes.join() === fromState.routes.join() &&
      given.pair.stable === fromState.pair.stable &&
      given.pair.canary === fromState.pair.canary;
    if (!same) {
      throw new InputError(
        'state',
        state.routes.join(', '),
        'a state for the same routes and target groups',
        {
          message: `Input 'state' already moves traffic on ${fromState.routes.join(', ')} between ${fromState.pair.stable} and ${fromState.pair.canary}; the routes or target groups given differ. Give either the state or the routes and target groups of a new rollout.`,
        },
      );
    }
  }
  const target = fromState ?? given;
  if (!target || target.routes.length === 0) {
    throw new InputError('listener-arn', '', 'the listener (or rule) ARNs to shift', {
      message:
        "Input 'listener-arn' (or 'rule-arns') is required: the state does not name the routes yet (it comes from select-strategy); give the listener and the stable and canary target group ARNs",
    });
  }
  if (target.pair.stable === target.pair.canary) {
    throw new InputError(
      'canary-target-group-arn',
      target.pair.canary,
      'a target group other than the stable one',
    );
  }
  const hooks = options.hooks ?? {};
  for (let i = state.step; i < state.plan.length; i++) {
    const step = state.plan[i]!;
    const missing =
      (step.kind === 'hook' && (!hooks.command || (hooks.flagCommand || step.command).trim() === '')) ||
      (step.kind === 'batch' && !hooks.batch) ||
      (step.kind === 'service' && !hooks.service);
    if (missing) {
      const kind = step.kind as 'hook' | 'batch' | 'service';
      throw new InputError('state', state.strategy, '', {
        message: `Plan step ${i + 1} of the ${state.strategy} plan is a ${kind} step, which needs ${NEEDS[kind]}; this runner has none, so nothing was changed.${
          kind === 'batch'
            ? " Run each rolling wave as a job of select-strategy's 'waves' matrix instead."
            : kind === 'service'
              ? ' Deploy saga services with your own workflow steps, in order.'
              : " Set the 'flag-command' input."
        }`,
      });
    }
  }
  if (options.gates.alarms.length > 0 && !options.alarms) {
    throw new InputError(
      'alarms',
      options.gates.alarms.join(', '),
      'alarm names with an alarm source to read them',
    );
  }
  if (options.gates.smoke && !options.smoke) {
    throw new InputError('smoke-command', '', 'a smoke command with a runner for it');
  }
  return target;
}

// ─── Pre-switch gate ─────────────────────────────────────────────────────────────────────────────

/** What a pre-switch gate judges: the canary's hosts in recent windows, alarms, the smoke command. */
export interface PreSwitchEvidence {
  windows: MetricWindow[];
  alarms?: Record<string, AlarmState>;
  smoke: { 'exit-code': number } | null;
}

/**
 * Judges a `gate` step once, before traffic moves (blue-green pre-switch checks): the idle canary
 * target group serves no requests, so only what an idle target group shows is judged — its healthy
 * hosts in the latest window that has them, the alarms, and the smoke command. Missing host data is
 * `Inconclusive`, never a pass.
 */
export function preSwitchJudgement(
  gates: Gates,
  evidence: PreSwitchEvidence,
): { phase: Phase; message: string; checks: Check[] } {
  const checks: Check[] = [];
  const base = { interval: null, evidence: null };
  const latest = [...evidence.windows]
    .reverse()
    .find(
      (w) =>
        w.canary &&
        w.canary.healthy !== null &&
        w.canary.unhealthy !== null &&
        w.canary.healthy + w.canary.unhealthy > 0,
    );
  const limit = gates.minHealthyPercent;
  if (!latest) {
    checks.push({
      ...base,
      name: 'min-healthy-percent',
      phase: 'Inconclusive',
      observed: null,
      threshold: limit,
      windows: 0,
      message: `no HealthyHostCount for the canary target group in the last ${evidence.windows.length} windows: attach it to the load balancer (for example with a test listener rule) so its health is published`,
    });
  } else {
    const healthy = latest.canary!.healthy!;
    const total = healthy + latest.canary!.unhealthy!;
    const observed = (100 * healthy) / total;
    const ok = observed >= limit;
    checks.push({
      ...base,
      name: 'min-healthy-percent',
      phase: ok ? 'Successful' : 'Failed',
      observed,
      threshold: limit,
      windows: 1,
      message: `canary healthy hosts ${fmtPct(observed)} (${healthy} of ${total}) ${ok ? '≥' : '<'} min-healthy-percent ${formatPercent(limit)}: ${ok ? 'pass' : 'rollback'}`,
    });
  }
  for (const name of gates.alarms) {
    const value = evidence.alarms?.[name];
    const phase: Phase = value === 'OK' ? 'Successful' : value === 'ALARM' ? 'Failed' : 'Inconclusive';
    checks.push({
      ...base,
      name: `alarms.${name}`,
      phase,
      observed: null,
      threshold: null,
      windows: value ? 1 : 0,
      message:
        value === 'OK'
          ? `alarm '${name}' OK: pass`
          : value === 'ALARM'
            ? `alarm '${name}' in ALARM before the switch: rollback`
            : `alarm '${name}' has ${value ?? 'no state'}: no data`,
    });
  }
  if (gates.smoke) {
    const code = evidence.smoke?.['exit-code'];
    checks.push({
      ...base,
      name: 'smoke-command',
      phase: code === 0 ? 'Successful' : code === undefined ? 'Inconclusive' : 'Failed',
      observed: code ?? null,
      threshold: 0,
      windows: code === undefined ? 0 : 1,
      message:
        code === 0
          ? 'smoke command passed: pass'
          : code === undefined
            ? 'smoke command did not run: no data'
            : `smoke command failed (exit code ${code}): rollback`,
    });
  }
  const phase = worst(checks.map((c) => c.phase));
  const open = checks.filter((c) => c.phase !== 'Successful');
  const message =
    phase === 'Successful'
      ? `every pre-switch check passed (${checks.map((c) => c.message.replace(/: pass$/, '')).join('; ')})`
      : `${phase === 'Inconclusive' ? 'inconclusive, and missing evidence never switches' : 'rollback'}: ${open.map((c) => c.message).join('; ')}`;
  return { phase, message, checks };
}
