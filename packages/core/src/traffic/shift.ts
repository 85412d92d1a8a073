// Shifting: moving every route to one split, and what a verified shift changes in the rollout state.
import { errorMessage, InputError, quote, silentLogger } from '../shared/index';
import { createRolloutState, type RolloutState, type RouteWeights } from '../rollout/index';
import type { Step } from '../strategy/index';
import type { RouteReading, TrafficRouter, WritePreview } from './port';
import { checkExpectation, type Expectation } from './compare-and-set';
import { planShift, type RoutePlan } from './plan';
import { applyAllOrNothing, type ApplyOptions } from './apply';
import { describeSplit, matchesSplit, splitFor, type TargetPair } from './weights';

/** A request to move every route to one split. */
export interface ShiftRequest {
  routes: string[];
  pair: TargetPair;
  /** Percent of the pair's traffic for the canary. */
  canary: number;
  /** What the routes must carry now; null when nothing is known (the first shift). */
  expectation: Expectation | null;
  force: boolean;
  /** Plan and preview only: no write. */
  dryRun: boolean;
  /** Look up the first route's load balancer (for the rollout state); skipped when it is already known. */
  loadBalancer?: boolean;
}

/** What a shift did (or, in a dry run, would do). */
export interface ShiftResult {
  /** Per route, the target groups read before any change. */
  previous: RouteWeights;
  /** Per route, the target groups now (verified); in a dry run, the ones that would be written. */
  after: RouteWeights;
  /** True when at least one route was written. */
  changed: boolean;
  plans: RoutePlan[];
  /** Every request that was (or in a dry run would be) sent, in order. */
  requests: WritePreview[];
  /** The first route's load balancer, when it was asked for. */
  loadBalancer: string | null;
}

/**
 * Moves every route to the requested split. All routes are read and planned first, so a route that
 * cannot be changed (no forward action, stable missing, unexpected weights, limits) refuses the whole
 * shift before anything is written. Then the plans are applied all or nothing.
 */
export async function shiftRoutes(
  router: TrafficRouter,
  request: ShiftRequest,
  options: ApplyOptions,
): Promise<ShiftResult> {
  const logger = options.logger ?? silentLogger;
  const readings: RouteReading[] = [];
  for (const route of request.routes) readings.push(await router.read(route));
  const plans: RoutePlan[] = [];
  for (const reading of readings) {
    const target = splitFor(request.canary);
    const already =
      matchesSplit(reading['target-groups'], request.pair, target) &&
      reading['target-groups'].some((t) => t['target-group-arn'] === request.pair.canary);
    if (request.expectation && !already) {
      try {
        checkExpectation(reading, request.pair, request.expectation);
      } catch (error) {
        if (!request.force) throw error;
        logger.warning(`${errorMessage(error)} Overwriting because force is set.`);
      }
    }
    if (already) logger.info(`${reading.route} already sends ${describeSplit(target)}; nothing to change`);
    plans.push(planShift(reading, request.pair, request.canary));
  }
  const loadBalancer =
    request.loadBalancer === false || !readings[0] ? null : await router.loadBalancerOf(readings[0]);
  const previous = Object.fromEntries(plans.map((p) => [p.route, p.before]));
  const requests: WritePreview[] = [];
  for (const plan of plans) {
    const reading = readings.find((r) => r.route === plan.route)!;
    for (const next of plan.writes) requests.push(router.preview(reading, next));
  }
  if (request.dryRun) {
    return {
      previous,
      after: Object.fromEntries(plans.map((p) => [p.route, p.writes.at(-1) ?? p.before])),
      changed: false,
      plans,
      requests,
      loadBalancer,
    };
  }
  const results = await applyAllOrNothing(router, plans, {
    ...options,
    force: request.force,
    pair: request.pair,
  });
  return {
    previous,
    after: Object.fromEntries(results.map((r) => [r.route, r.after])),
    changed: results.some((r) => r.changed),
    plans,
    requests,
    loadBalancer,
  };
}

/**
 * Resolves the `step` input against a plan: `next` is the first shift step at or after `state.step`; a
 * number is an index into the plan that must be a shift step.
 */
export function resolveShiftStep(
  input: string,
  value: string,
  state: RolloutState,
): { index: number; weight: number } {
  const text = value.trim();
  const shifts = state.plan.flatMap((s, i) => (s.kind === 'shift' ? [i] : []));
  if (text === 'next') {
    const index = shifts.find((i) => i >= state.step);
    if (index === undefined) {
      throw new InputError(
        input,
        value,
        `'next' with a shift step left in the plan, but the plan has none at or after step ${state.step} (of ${state.plan.length}: ${summarizePlan(state.plan)})`,
        {
          message: `Input '${input}' is 'next', but the plan has no shift step at or after step ${state.step} (plan: ${summarizePlan(state.plan)})`,
        },
      );
    }
    return { index, weight: (state.plan[index] as Extract<Step, { kind: 'shift' }>).weight };
  }
  const allowed = `'next' or the index of a shift step in the plan (${shifts.length > 0 ? shifts.join(', ') : 'the plan has none'})`;
  if (!/^\d+$/.test(text)) throw new InputError(input, value, allowed);
  const index = Number(text);
  if (index >= state.plan.length) {
    throw new InputError(input, value, allowed, {
      message: `Input '${input}' must be ${allowed}, got ${quote(value)}: the plan has ${state.plan.length} steps (0 to ${state.plan.length - 1})`,
    });
  }
  const step = state.plan[index]!;
  if (step.kind !== 'shift') {
    throw new InputError(input, value, allowed, {
      message: `Input '${input}' must be ${allowed}, got ${quote(value)}: step ${index} is a ${step.kind} step`,
    });
  }
  return { index, weight: step.weight };
}

function summarizePlan(plan: readonly Step[]): string {
  if (plan.length === 0) return 'empty';
  return plan.map((s, i) => `${i} ${s.kind}${s.kind === 'shift' ? ` ${s.weight}` : ''}`).join(', ');
}

/** What a verified shift changes in the rollout state. */
export interface ShiftRecord {
  routes: string[];
  pair: TargetPair;
  canary: number;
  /** Per route, what it held before this shift (used as `initial-weights` for routes seen the first time). */
  previous: RouteWeights;
  /** The first route's load balancer. */
  loadBalancerArn: string | null;
  /** The plan index of the shift step executed, when the shift came from the plan. */
  stepIndex: number | null;
  now: Date;
}

/**
 * The rollout state after a verified shift. `initial-weights` is only ever filled for routes that have
 * no entry yet, so it always holds what was there before shiftgate first touched the route. Without a
 * state, a new one is started (strategy `canary`, a one-step plan of this shift) so that `rollback` can
 * restore exactly what was there.
 */
export function recordShift(state: RolloutState | null, record: ShiftRecord): RolloutState {
  const base =
    state ??
    createRolloutState({
      strategy: 'canary',
      parameters: { 'canary-weight': record.canary },
      plan: [{ kind: 'shift', weight: record.canary }],
      now: record.now,
    });
  const initial: RouteWeights = { ...(base['initial-weights'] ?? {}) };
  for (const route of record.routes) {
    if (!initial[route] && record.previous[route])
      initial[route] = record.previous[route]!.map((t) => ({ ...t }));
  }
  const step = record.stepIndex !== null ? record.stepIndex + 1 : state === null ? 1 : base.step;
  return {
    ...base,
    step: Math.min(Math.max(step, 0), base.plan.length),
    status: 'in-progress',
    'load-balancer-arn': base['load-balancer-arn'] ?? record.loadBalancerArn,
    routes: [...record.routes],
    'stable-target-group-arn': record.pair.stable,
    'canary-target-group-arn': record.pair.canary,
    'initial-weights': initial,
    weights: splitFor(record.canary),
    'updated-at': record.now.toISOString(),
  };
}
