// What the run loop shares with the step executors: one context object per run, the outcome an
// executor returns, and the two ways a step ends early.
import type { Clock, Logger } from '../shared/index';
import type { Decision, MetricSource } from '../health/index';
import type { RolloutState, RouteWeights } from '../rollout/index';
import type { Step, StepKind } from '../strategy/index';
import type { ApplyOptions, TargetPair } from '../traffic/index';
import type { SagaLog } from './saga';
import type { RunEvent, RunPlanOptions, StepRecord } from './types';

/** One run: its options, what it moves, and what it has learnt so far. */
export interface RunContext {
  readonly options: RunPlanOptions;
  readonly logger: Logger;
  readonly routes: string[];
  readonly pair: TargetPair;
  /** The state as of the step being run; the loop replaces it after every step. */
  state: RolloutState;
  /** Per route, the target groups last verified by this run. */
  readonly weights: RouteWeights;
  /** When the canary began serving what it serves now (a bake judges from there). */
  servingSince: number;
  readonly records: StepRecord[];
  readonly startedAt: string;
  /** Saga runs: every service command and each service's status. */
  readonly saga: SagaLog | null;
  /** The metric source, built on first use (it needs the load balancer). */
  metrics(): MetricSource;
  emit(event: RunEvent): void;
}

/** What an executor gets: the run, and the step it runs. */
export interface StepContext<K extends StepKind = StepKind> {
  run: RunContext;
  step: Extract<Step, { kind: K }>;
  index: number;
}

/** What a step that did not fail did. */
export interface StepOutcome {
  /** A sentence a person can act on. */
  message: string;
  /** The state after the step, when the step changed it. */
  state?: RolloutState;
  more?: Partial<StepRecord>;
  /** Set by an approval step: the run ends paused, for this reason. */
  pause?: string;
}

/** A step's failure that ends the run with a rollback. */
export class StepFailure extends Error {
  constructor(
    message: string,
    readonly decision: Decision,
    readonly health?: StepRecord['health'],
  ) {
    super(message);
  }
}

/** The run was cancelled during a step. */
export class Cancelled extends Error {
  constructor(readonly health?: StepRecord['health']) {
    super('cancelled');
  }
}

/** The clock's time as an ISO timestamp. */
export function isoNow(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}

/** How a run's shifts write a route set with these target groups: its sleeper, logger, verify and hook. */
export function applyOptions(run: RunContext, pair: TargetPair): ApplyOptions {
  const { options } = run;
  return {
    sleep: options.sleep,
    logger: run.logger,
    pair,
    ...(options.verify ? { verify: options.verify } : {}),
    random: options.random,
    ...(options.beforeWrite ? { beforeFirstWrite: (plans) => options.beforeWrite!(plans, pair) } : {}),
  };
}
