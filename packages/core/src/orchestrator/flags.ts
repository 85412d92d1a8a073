// Flag steps set by a provider (AWS AppConfig, the simulator's): each step deploys the flag at its
// exposure, the bake after it watches the deployment (AppConfig rolling it back is a breach), a step
// moves on only once its deployment is COMPLETE, and a rollback (or an emergency disable) stops what is
// in progress and deploys the version from before the rollout again.
import { errorMessage, InputError, type Clock, type Logger, type Sleeper } from '../shared/index';
import type { MetricSource } from '../health/index';
import {
  FLAG_DEPLOYMENT_ACTIVE,
  type AppConfigTarget,
  type FlagDeploymentState,
  type FlagProvider,
  type FlagState,
} from '../flags/index';
import type { RolloutState } from '../rollout/index';
import type { Step } from '../strategy/index';
import { StepFailure, type RunContext, type StepOutcome } from './context';

/** What a run whose flag steps a provider sets needs. */
export interface FlagHooks {
  provider: FlagProvider;
  /** From this run's inputs or config (names or ids); a state's record must name the same flag. */
  target: AppConfigTarget;
  /** Cell-aware flags: every cell in rollout order (the flag's rule names the cells that have it). */
  cells?: readonly string[] | null;
  /** The longest wait for a deployment to complete after its bake passed (1 hour by default). */
  maxWait?: number;
}

const DEFAULT_MAX_WAIT = 3_600_000;

/** Whether the run's flag steps go to a provider rather than a command. */
export function usesFlagProvider(run: RunContext): boolean {
  return Boolean(run.options.hooks?.flags) && run.state.strategy === 'feature-flag';
}

/**
 * Before anything moves: resolves the flag's ids and the version to return to (a new rollout), or
 * checks that the state's record is for the configured flag (a resumed one). Reads only.
 */
export async function prepareFlag(state: RolloutState, hooks: FlagHooks): Promise<RolloutState> {
  const rest = state.plan.slice(state.step);
  if (!rest.some((s) => s.kind === 'hook')) return state;
  const { target } = hooks;
  if (state.flag) {
    if (state.flag['flag-name'] !== target.flag)
      throw new InputError('flag-name', target.flag, '', {
        message: `Input 'flag-name' is '${target.flag}', but the rollout state rolls out flag '${state.flag['flag-name']}'; resume it with the same flag, or start a new rollout. Nothing was changed.`,
      });
    return state;
  }
  return { ...state, flag: await hooks.provider.prepare(target) };
}

/** A flag step: deploys the flag at the step's exposure once the previous deployment is complete. */
export async function providerFlagStep(
  run: RunContext,
  step: Extract<Step, { kind: 'hook' }>,
): Promise<StepOutcome> {
  const hooks = run.options.hooks!.flags!;
  const flag = run.state.flag!;
  // One deployment at a time per environment: a resumed run may find the last one still baking.
  await settle(run, flag);
  const started = await hooks.provider.deploy(flag, { exposure: step.exposure, cells: hooks.cells ?? null });
  run.servingSince = run.options.clock.now();
  const next: FlagState = {
    ...flag,
    deployments: [
      ...flag.deployments,
      { number: started.number, version: started.version, exposure: step.exposure, cells: started.cells },
    ],
  };
  const who = started.cells
    ? `cells ${started.cells.length > 0 ? started.cells.join(', ') : '(none yet)'}`
    : `${step.exposure}% of users`;
  return {
    message: `${hooks.provider.name} deployment #${started.number} of version ${started.version} started: flag '${flag['flag-name']}' on for ${who}${started.rule ? ` (rule ${started.rule})` : ''}`,
    state: { ...run.state, flag: next },
  };
}

/** Waits until the last deployment is no longer in progress; one AppConfig rolled back fails the step. */
async function settle(run: RunContext, flag: FlagState): Promise<void> {
  const last = flag.deployments[flag.deployments.length - 1];
  if (!last) return;
  const state = await waitForDeployment(run, flag, last.number);
  if (state !== 'complete') throw new StepFailure(rolledBackMessage(run, last.number, state), 'rollback');
}

/**
 * Polls a deployment each poll interval until it leaves the deploying and baking states, for at most
 * `maxWait`; a deployment still in progress then fails the step (traffic and the flag are rolled back).
 */
async function waitForDeployment(
  run: RunContext,
  flag: FlagState,
  number: number,
): Promise<FlagDeploymentState> {
  const hooks = run.options.hooks!.flags!;
  const { clock, sleep, period, signal } = run.options;
  const deadline = clock.now() + (hooks.maxWait ?? DEFAULT_MAX_WAIT);
  for (;;) {
    const state = await hooks.provider.status(flag, number);
    if (!FLAG_DEPLOYMENT_ACTIVE.includes(state)) return state;
    if (clock.now() >= deadline)
      throw new StepFailure(
        `${hooks.provider.name} deployment #${number} is still ${state} after ${Math.round((hooks.maxWait ?? DEFAULT_MAX_WAIT) / 60_000)} minutes: rollback`,
        'rollback',
      );
    await sleep(period, signal);
    if (signal?.aborted) return state;
  }
}

function rolledBackMessage(run: RunContext, number: number, state: FlagDeploymentState): string {
  const name = run.options.hooks!.flags!.provider.name;
  return `${name} deployment #${number} ended ${state}: AppConfig rolled it back (an alarm of the environment or a stop): rollback`;
}

/**
 * The bake after a flag step watches the step's deployment: every poll reads its state, and AppConfig
 * rolling it back ends the bake as a breach. `finish` waits for the deployment to complete after a
 * bake that passed.
 */
export function watchFlag(run: RunContext): {
  metrics: (inner: MetricSource) => MetricSource;
  signal: AbortSignal | undefined;
  breach: () => string | null;
  finish: () => Promise<void>;
} | null {
  if (!usesFlagProvider(run) || !run.state.flag) return null;
  const flag = run.state.flag;
  const last = flag.deployments[flag.deployments.length - 1];
  if (!last || last.exposure === 0) return null;
  const provider = run.options.hooks!.flags!.provider;
  const controller = new AbortController();
  const outer = run.options.signal;
  if (outer) {
    if (outer.aborted) controller.abort();
    else outer.addEventListener('abort', () => controller.abort(), { once: true });
  }
  let breach: string | null = null;
  return {
    metrics: (inner) => ({
      windows: async (range) => {
        const state = await provider.status(flag, last.number);
        if (!FLAG_DEPLOYMENT_ACTIVE.includes(state) && state !== 'complete') {
          breach = rolledBackMessage(run, last.number, state);
          controller.abort();
        }
        return inner.windows(range);
      },
    }),
    signal: controller.signal,
    breach: () => breach,
    finish: async () => {
      const state = await waitForDeployment(run, flag, last.number);
      if (state !== 'complete' && !run.options.signal?.aborted)
        throw new StepFailure(rolledBackMessage(run, last.number, state), 'rollback');
    },
  };
}

/** What {@link disableFlag} needs. */
export interface DisableOptions {
  provider: FlagProvider;
  flag: FlagState;
  clock: Clock;
  sleep: Sleeper;
  logger: Logger;
}

/**
 * The emergency disable (and a rollback's undo): stops the last deployment if AppConfig is still
 * deploying it (AppConfig then rolls the environment back to the version before it), and deploys the
 * version from before the rollout again whenever an exposure may still be live. Resolves to the record
 * with the revert's deployment, the lines for the rollback record, and the error when it could not.
 */
export async function disableFlag(
  options: DisableOptions,
): Promise<{ flag: FlagState; undo: string[]; error: string | null }> {
  const { provider, logger } = options;
  let flag = options.flag;
  const undo: string[] = [];
  const ours = flag.deployments.filter((d) => d.exposure > 0);
  const last = flag.deployments[flag.deployments.length - 1];
  if (!last || ours.length === 0) return { flag, undo, error: null };
  const name = provider.name;
  try {
    let state: FlagDeploymentState | null = null;
    try {
      state = await provider.status(flag, last.number);
    } catch (error) {
      logger.warning(`reading ${name} deployment #${last.number} failed: ${errorMessage(error)}`);
    }
    if (
      last.exposure === 0 &&
      (state === 'complete' || (state !== null && FLAG_DEPLOYMENT_ACTIVE.includes(state)))
    ) {
      undo.push(
        `${name} deployment #${last.number} already returns flag '${flag['flag-name']}' to version ${flag['previous-version']} (${state})`,
      );
      return { flag, undo, error: null };
    }
    if (state === null || FLAG_DEPLOYMENT_ACTIVE.includes(state)) {
      await provider.stop(flag, last.number);
      undo.push(
        `${name} deployment #${last.number} stopped: AppConfig rolls the environment back to the version before it`,
      );
      state = await untilSettled(options, last.number);
    }
    // Only the first exposure stopped before it completed leaves the environment at the old version.
    const live = state === 'complete' || ours.length > 1 || last.exposure === 0;
    if (!live) {
      undo.push(
        `flag '${flag['flag-name']}' is back at version ${flag['previous-version']} (the deployment before the rollout)`,
      );
      return { flag, undo, error: null };
    }
    const revert = await provider.revert(flag);
    flag = {
      ...flag,
      deployments: [
        ...flag.deployments,
        { number: revert.number, version: revert.version, exposure: 0, cells: null },
      ],
    };
    undo.push(
      `${name} deployment #${revert.number} deploys version ${flag['previous-version']} again: flag '${flag['flag-name']}' back where it was before the rollout`,
    );
    return { flag, undo, error: null };
  } catch (error) {
    const message = `disabling flag '${flag['flag-name']}' on ${name} failed: ${errorMessage(error)}`;
    undo.push(message);
    return { flag, undo, error: message };
  }
}

/** Waits (bounded, about a minute) for a stopped deployment to finish rolling back. */
async function untilSettled(options: DisableOptions, number: number): Promise<FlagDeploymentState> {
  let state: FlagDeploymentState = 'rolling-back';
  for (let attempt = 1; attempt <= 12; attempt++) {
    state = await options.provider.status(options.flag, number);
    if (state !== 'rolling-back' && !FLAG_DEPLOYMENT_ACTIVE.includes(state)) return state;
    await options.sleep(Math.min(1000 * attempt, 10_000));
  }
  return state;
}
