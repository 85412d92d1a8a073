// The one rollback: the end of a failed run, the rollback action and `shiftgate rollback` all send
// traffic back through rollbackRollout(), so they restore, record and undo the same way.
import {
  errorMessage,
  silentLogger,
  type Clock,
  type Logger,
  type Random,
  type Sleeper,
} from '../shared/index';
import type { RolloutState } from '../rollout/index';
import type { Step } from '../strategy/index';
import { checkSagaCompensation, compensateServices, SagaLog, type CompensationOptions } from './saga';

type CompensationTraffic = NonNullable<CompensationOptions['traffic']>;
import {
  AUDIENCE_TAG,
  recordRollback,
  removeAudience,
  restoreRoutes,
  rollbackTargetGroups,
  RouteTransactionError,
  type RollbackTarget,
  type RouteOutcome,
  type RuleManager,
  type TargetPair,
  type TrafficRouter,
  type VerifyOptions,
} from '../traffic/index';
import { isoNow } from './context';
import { disableFlag } from './flags';
import type { FlagProvider } from '../flags/index';
import { hookEnv } from './hook-env';
import type { RollbackRecord, StepHooks } from './types';

/** Everything a rollback needs. */
export interface RollbackOptions {
  router: TrafficRouter;
  /** Removes this rollout's A/B audience rule first (plans with `audience` steps). */
  rules?: RuleManager;
  /**
   * The audience rule's ARN when the caller knows it (the run that created it): named in the error when
   * it cannot be removed. Only rules found by this rollout's tag are ever deleted.
   */
  audienceRule?: string | null;
  /** The routes to send back; empty when the rollout never moved traffic (only the state is marked). */
  routes: string[];
  pair: TargetPair;
  /** Per route, its own target groups when they are not `pair` (a rollout over cells). */
  pairs?: Readonly<Record<string, TargetPair>>;
  to: RollbackTarget;
  /** Why, for the record. */
  reason: string;
  /**
   * The rollout state, or null when the routes are given without one. Its `initial-weights` are what
   * `previous` restores, its plan says which steps to undo; it comes back marked rolled back (or failed).
   */
  state: RolloutState | null;
  clock: Clock;
  sleep: Sleeper;
  logger?: Logger;
  verify?: VerifyOptions;
  /** Jitter source for read-back delays. */
  random: Random;
  /** How many times to try restoring the routes (1 by default), a growing pause apart. */
  attempts?: number;
  /**
   * After traffic is back, undo the steps that do not move it: the last flag hook back to exposure 0,
   * deployed saga services compensated in reverse. `started` is how many plan steps had started; `saga`
   * is the run's saga log (without it, the state's `services` say what is deployed).
   */
  undo?: { hooks: StepHooks; started: number; saga?: SagaLog; traffic?: CompensationTraffic };
  /**
   * The flag provider of a state that records AppConfig flag deployments (`flag`): the emergency
   * disable stops the one in progress and deploys the version from before the rollout again.
   */
  flags?: FlagProvider;
}

/** What {@link rollbackRollout} did. */
export interface RollbackResult {
  record: RollbackRecord;
  /** The state marked `rolled-back`, or `failed` when traffic could not be restored; null without one. */
  state: RolloutState | null;
  /** False when a route could not be restored or a saga service not compensated: a person must look. */
  restored: boolean;
  /** True when at least one route was written. */
  changed: boolean;
  /** The routes that could not be restored, each with what it holds now when known. */
  failures: RouteOutcome[];
}

/**
 * Sends traffic back to `to` on every route, route after route and verified (a failing route does
 * not stop the others), retried up to `attempts` times; a route already there is not written, so a
 * second call makes no change. Then records the rollback in the state and runs the undo hooks.
 */
export async function rollbackRollout(options: RollbackOptions): Promise<RollbackResult> {
  const { clock, pair, to, state } = options;
  const logger = options.logger ?? silentLogger;
  const { sleep } = options;
  const record: RollbackRecord = {
    to,
    reason: options.reason,
    at: isoNow(clock),
    routes: [],
    error: null,
    undo: [],
  };
  // A saga state with services left deployed needs this run's services before anything is written.
  const sagaLog = state?.strategy === 'saga' ? (options.undo?.saga ?? new SagaLog(state)) : null;
  if (state && sagaLog?.pending() && !options.undo?.saga)
    checkSagaCompensation('services', state, options.undo?.hooks.saga?.services ?? []);
  const initial = state?.['initial-weights'] ?? {};
  // A state over cells names its routes per cell: without a scope given, every moved cell goes back.
  if (state?.cells && !options.pairs) {
    const pairs: Record<string, TargetPair> = {};
    for (const cell of Object.values(state.cells)) {
      if (cell.status === 'untouched' || cell.status === 'rolled-back') continue;
      for (const route of cell.routes) {
        pairs[route] = { stable: cell['stable-target-group-arn'], canary: cell['canary-target-group-arn'] };
      }
    }
    options = { ...options, routes: Object.keys(pairs), pairs };
  }
  // The audience rule goes first: until it is gone, its requests still reach the canary.
  const attempts = Math.max(1, options.attempts ?? 1);
  const audienceError = await removeAudienceRule(options, record, attempts, logger);
  let failures: RouteOutcome[] = [];
  for (let attempt = 1; attempt <= attempts && options.routes.length > 0; attempt++) {
    try {
      record.routes = await restoreRoutes(
        options.router,
        options.routes,
        (reading) =>
          rollbackTargetGroups(
            reading,
            options.pairs?.[reading.route] ?? pair,
            to,
            initial[reading.route] ?? null,
          ),
        {
          logger,
          pair,
          sleep,
          ...(options.verify ? { verify: options.verify } : {}),
          random: options.random,
        },
      );
      record.error = null;
      failures = [];
      break;
    } catch (error) {
      record.error = errorMessage(error);
      record.routes = error instanceof RouteTransactionError ? error.results : [];
      failures =
        error instanceof RouteTransactionError ? error.outcomes.filter((o) => o.detail !== undefined) : [];
      // A single attempt reports its failure through the result alone.
      if (attempts > 1)
        logger.warning(`restoring traffic failed (attempt ${attempt} of ${attempts}): ${record.error}`);
      if (attempt < attempts) await sleep(Math.min(1000 * attempt, 5000));
    }
  }
  if (audienceError !== null) record.error ??= audienceError;
  const restored = record.error === null;
  let next = state;
  if (state?.cells) next = markCellsBack(state, options.routes, restored);
  if (state?.cells) {
    if (next) next = { ...next, status: restored ? 'rolled-back' : 'failed', 'updated-at': isoNow(clock) };
  } else if (state && restored && options.routes.length > 0)
    next = recordRollback(state, to, pair, new Date(clock.now()));
  else if (state)
    next = { ...state, status: restored ? 'rolled-back' : 'failed', 'updated-at': isoNow(clock) };
  if (next && options.undo)
    await undoSteps(
      next,
      {
        ...options.undo,
        ...(sagaLog ? { saga: sagaLog } : {}),
        // A saga service's targets go back through this rollback's router.
        traffic: {
          router: options.router,
          random: options.random,
          ...(options.verify ? { verify: options.verify } : {}),
        },
      },
      record,
      {
        clock,
        sleep,
        logger,
      },
    );
  // The state says where every service ended, so a later rollback compensates only what is left.
  if (next && sagaLog) next = { ...next, services: sagaLog.states() };
  let flagFailed = false;
  if (next?.flag && options.flags) {
    const disabled = await disableFlag({ provider: options.flags, flag: next.flag, clock, sleep, logger });
    record.undo.push(...disabled.undo);
    next = { ...next, flag: disabled.flag };
    if (disabled.error !== null) {
      record.error ??= disabled.error;
      flagFailed = true;
      next = { ...next, status: 'failed' };
    }
  }
  // A saga service left deployed after its compensation failed needs a person as much as a route does.
  const compensationFailed = record.error?.startsWith('compensation-failed: ') ?? false;
  if (next && compensationFailed) next = { ...next, status: 'failed' };
  return {
    record,
    state: next,
    restored: restored && !compensationFailed && !flagFailed,
    changed: record.routes.some((r) => r.changed),
    failures,
  };
}

/**
 * Removes the rollout's audience rule (found by its tag), if its plan has one, tried `attempts` times a
 * growing pause apart; resolves to the error, naming the rule when it is known, or null.
 */
async function removeAudienceRule(
  options: RollbackOptions,
  record: RollbackRecord,
  attempts: number,
  logger: Logger,
): Promise<string | null> {
  const { state, rules } = options;
  const route = state?.routes[0];
  if (!state || !rules || !route || !state.plan.some((s) => s.kind === 'audience')) return null;
  let error = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      for (const arn of await removeAudience(rules, route, state['created-at']))
        record.undo.push(`audience rule ${arn} removed`);
      return null;
    } catch (thrown) {
      error = errorMessage(thrown);
      if (attempts > 1)
        logger.warning(`removing the audience rule failed (attempt ${attempt} of ${attempts}): ${error}`);
      if (attempt < attempts) await options.sleep(Math.min(1000 * attempt, 5000));
    }
  }
  const known = options.audienceRule ?? state['audience-rule'] ?? null;
  const rule = known ? ` ${known}` : '';
  return `removing the audience rule${rule} (tagged ${AUDIENCE_TAG}=${state['created-at']}) on ${route} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${error}; requests it matches still reach the new version, delete the rule by hand`;
}

/** A state over cells after a rollback: the cells whose routes were all sent back are `rolled-back`. */
function markCellsBack(state: RolloutState, routes: readonly string[], restored: boolean): RolloutState {
  const cells = { ...state.cells! };
  for (const [name, cell] of Object.entries(cells)) {
    if (restored && cell.routes.every((r) => routes.includes(r)) && cell.status !== 'untouched') {
      cells[name] = { ...cell, status: 'rolled-back', weight: 0 };
    }
  }
  return { ...state, cells };
}

/** After traffic is back: the last flag hook back to exposure 0, saga services compensated in reverse. */
async function undoSteps(
  state: RolloutState,
  undo: NonNullable<RollbackOptions['undo']>,
  record: RollbackRecord,
  { clock, sleep, logger }: { clock: Clock; sleep: Sleeper; logger: Logger },
): Promise<void> {
  const { hooks } = undo;
  const ran = state.plan.slice(0, undo.started);
  const hook = [...ran].reverse().find((s): s is Extract<Step, { kind: 'hook' }> => s.kind === 'hook');
  // Only the configured command ever runs; a state's own command is data.
  if (hook && hooks.command && (hooks.flagCommand ?? '').trim() !== '') {
    const index = state.plan.indexOf(hook);
    try {
      const { 'exit-code': code } = await hooks.command({
        index,
        step: hook,
        command: (hooks.flagCommand ?? '').trim(),
        env: hookEnv(state, index, 0, hook.name, 'rollback'),
      });
      record.undo.push(`${hook.name} command set exposure to 0% (exit code ${code})`);
      if (code !== 0) record.error ??= `${hook.name} command exited with code ${code} setting exposure 0%`;
    } catch (error) {
      record.undo.push(`${hook.name} command failed to set exposure 0%: ${errorMessage(error)}`);
    }
  }
  const log = undo.saga ?? new SagaLog(state);
  if (hooks.saga && log.pending())
    await compensateServices(
      state,
      { saga: hooks.saga, log, clock, sleep, logger, ...(undo.traffic ? { traffic: undo.traffic } : {}) },
      record,
    );
}
