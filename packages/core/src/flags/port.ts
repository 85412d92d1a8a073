import type { AppConfigTarget } from './settings';
import type { FlagState } from './state';

/** Where an AppConfig deployment stands, as AppConfig reports it (lower-cased). */
export type FlagDeploymentState =
  'validating' | 'deploying' | 'baking' | 'complete' | 'rolling-back' | 'rolled-back' | 'reverted';

/** States in which AppConfig is still deploying (a new deployment would conflict; a stop applies). */
export const FLAG_DEPLOYMENT_ACTIVE: readonly FlagDeploymentState[] = ['validating', 'deploying', 'baking'];

/** One flag step: the exposure and, with cells, every cell in rollout order. */
export interface FlagExposure {
  exposure: number;
  cells: readonly string[] | null;
}

/** What a started deployment is. */
export interface StartedDeployment {
  number: number;
  version: number;
  /** The enabled variant's rule (null when the flag is on for everyone). */
  rule: string | null;
  cells: string[] | null;
}

/**
 * Sets a feature flag's exposure through a provider that deploys configuration (AWS AppConfig, the
 * simulator). Thin: the document is built by {@link exposureDocument}, the watching, stopping and
 * reverting are decided in the orchestrator. Provider failures throw; a target that does not exist
 * throws an `InputError` (before anything moved).
 */
export interface FlagProvider {
  /** `appconfig` or the simulator's name, for messages. */
  readonly name: string;
  /**
   * Resolves the target's names to ids, checks that the profile is a hosted AWS.AppConfig.FeatureFlags
   * profile defining the flag, and finds the version deployed now (the one a revert returns to). Reads only.
   */
  prepare(target: AppConfigTarget): Promise<FlagState>;
  /** Creates a hosted version with the flag at this exposure (from the previous version) and deploys it. */
  deploy(flag: FlagState, exposure: FlagExposure): Promise<StartedDeployment>;
  /** Reads a deployment's state. */
  status(flag: FlagState, deployment: number): Promise<FlagDeploymentState>;
  /** Stops a deployment in progress (AppConfig rolls the environment back to what it had before it). */
  stop(flag: FlagState, deployment: number): Promise<void>;
  /** Deploys the version from before the rollout again (at once): the flag back where it was. */
  revert(flag: FlagState): Promise<StartedDeployment>;
}
