import type { RolloutState } from '../rollout/index';

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
