// The public shapes of the orchestrator: the ports it adds for steps that do not move traffic on the
// load balancer, what a run returns and reports, and everything a run needs.
import type { Clock, Logger, Random, Sleeper } from '../shared/index';
import type {
  AbMetric,
  AlarmSource,
  Check,
  Decision,
  Gates,
  MetricQuery,
  MetricRange,
  MetricSource,
  MetricWindow,
  Phase,
  PollReport,
  SmokeRunner,
  TraceDocument,
} from '../health/index';
import type { RolloutState, RouteWeights, ServiceStatus } from '../rollout/index';
import type { ServiceSpec, Step, StepKind } from '../strategy/index';
import type { Cell } from '../config/index';
import type { AbComparison } from './ab';
import type { AudienceRule } from './audience';
import type { FlagHooks } from './flags';
import type {
  RestoreResult,
  RollbackTarget,
  RoutePlan,
  RuleManager,
  Split,
  TargetPair,
  TrafficRouter,
  VerifyOptions,
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

/** A saga service command to run: its deploy, its compensation or its smoke check. */
export interface ServiceCommand {
  service: ServiceSpec;
  phase: 'deploy' | 'compensate' | 'smoke';
  /** From this run's `services` input, never from a state. */
  command: string;
  /** SHIFTGATE_* variables for the command's environment. */
  env: Record<string, string>;
  /** 1 for the first try; compensations are retried. */
  attempt: number;
}

/** Runs a saga service command (bash, or the simulator) and resolves to its exit code. */
export type ServiceCommandRunner = (command: ServiceCommand) => Promise<{ 'exit-code': number }>;

/** What a saga run needs: the configured services and a runner for their commands. */
export interface SagaHooks {
  /** From this run's inputs or config only; the plan's service steps must name the same, in order. */
  services: ServiceSpec[];
  run: ServiceCommandRunner;
  /** Tries of each compensation (3 by default). */
  attempts?: number;
  /** Pause after the first failed try of a compensation, doubling after each (1000 ms by default). */
  backoff?: number;
}

/** One service command as it ran. */
export interface SagaCommandRecord {
  service: string;
  phase: ServiceCommand['phase'];
  attempt: number;
  'exit-code': number;
  'duration-ms': number;
  at: string;
  /** Why the command could not run, when it could not. */
  error?: string;
}

/** What a saga did: each service's final status in deployment order, the compensations in order, every command. */
export interface SagaReport {
  services: { name: string; status: ServiceStatus }[];
  /** Service names in the order they were compensated. */
  compensated: string[];
  commands: SagaCommandRecord[];
}

/** Hooks for the plan steps that do not move traffic on the load balancer. */
export interface StepHooks {
  /** Runs `hook` steps with `flagCommand`. */
  command?: CommandRunner;
  /**
   * The command of every hook step, from this run's inputs or config file (`flag-command`). A rollout
   * state is data, never code: the command a state's hook step carries is never run; it must be empty
   * or equal to this one, or the run is refused before anything moves.
   */
  flagCommand?: string;
  batch?: BatchRunner;
  /**
   * Sets the flag steps' exposure through a provider (flag-provider appconfig) instead of `command`:
   * deploys, watches, stops and reverts the flag.
   */
  flags?: FlagHooks;
  /** Deploys, judges and compensates saga services. */
  saga?: SagaHooks;
}

/** A cell whose windows a {@link CellMetricSource} reads. */
export interface CellTarget {
  name: string;
  region: string;
  routes: string[];
  pair: TargetPair;
}

/**
 * Windows for many cells of one region in one provider round (CloudWatch: one GetMetricData per
 * region per poll, split at 500 metrics): per cell, `canary` is its canary target group and `baseline`
 * its stable one, one window per period of `range` as {@link MetricSource} gives them.
 */
export interface CellMetricSource {
  windows(
    region: string,
    cells: readonly CellTarget[],
    range: MetricRange,
  ): Promise<Record<string, MetricWindow[]>>;
}

/**
 * Builds the metric source once the load balancer is known; `queries` are a saga service's own metric
 * queries, read besides the run's.
 */
export type MetricSourceFactory = (where: {
  loadBalancerArn: string;
  pair: TargetPair;
  queries?: readonly MetricQuery[];
}) => MetricSource;

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
  /** An A/B test's hold: A and B compared, with the verdict. */
  comparison?: AbComparison;
  /** An A/B audience step: the listener rule it created (or found). */
  rule?: AudienceRule;
}

/** What a rollback did: at the end of a run, in the rollback action, in `shiftgate rollback`. */
export interface RollbackRecord {
  to: RollbackTarget;
  reason: string;
  at: string;
  /** The routes handled, verified (when restoring failed: those handled before the failure). */
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
  /** Saga runs only. */
  saga?: SagaReport;
  /** A/B runs whose hold ended: A and B compared, with the verdict. */
  comparison?: AbComparison;
  /** A/B runs with an audience: the listener rule that sent it to B. */
  rule?: AudienceRule;
}

/** What {@link runPlan} returns. */
export interface RunResult {
  state: RolloutState;
  decision: RunDecision;
  /** Why the run ended, in one sentence. */
  reason: string;
  /** True when the signal aborted the run (traffic was restored). */
  cancelled: boolean;
  /**
   * False only when a rollback could not restore traffic or could not compensate a saga service
   * (`compensation-failed: <service>`): a person must look.
   */
  restored: boolean;
  /** Per route, the target groups last verified by this run (empty when it moved no traffic). */
  weights: RouteWeights;
  trace: RunTrace;
}

/** Progress, for live output. */
export type RunEvent =
  | { type: 'step-start'; index: number; step: Step; total: number; state: RolloutState }
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
  /** Creates and removes A/B audience rules; required for plans with `audience` steps. */
  rules?: RuleManager;
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
  /** The longest bake per step; null means `defaultMaxBakeTime` of that step's bake time (5×, at most +2h). */
  maxBakeTime?: number | null;
  /** Where a rollback sends traffic; `stable` by default. */
  rollbackTo?: RollbackTarget;
  /** A/B tests: custom metrics compared besides error rate and slow share (the source must read them). */
  abMetrics?: readonly AbMetric[];
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
  /**
   * Called before the first write of every shift, with what will be written (post-step bookkeeping);
   * in a rollout over cells, with the cell's own target groups.
   */
  beforeWrite?: (plans: RoutePlan[], pair?: TargetPair) => void | Promise<void>;
  /** Rolling over cells: their definitions, when the state does not carry them yet. */
  cells?: readonly Cell[] | null;
  /** Rolling over cells: windows of many cells, one read per region per poll. */
  cellMetrics?: CellMetricSource;
  /** Rolling over cells: the alarm source of a region (one read per region per poll). */
  cellAlarms?: (region: string) => AlarmSource;
  /**
   * Rolling over cells: run only this region's waves (the next waves of the state must be in it), then
   * end `paused` before the first wave of another region; the plan's last region ends `promote`. One
   * job per region (the reusable workflow's per-region mode) resumes from the state each time.
   */
  onlyRegion?: string | null;
  onEvent?: (event: RunEvent) => void;
}
