// A saga's outcome as a deployment record says it: the service whose compensation failed, if one did,
// and where every service ended, so the record alone says what is still deployed.
import type { RolloutState } from '../rollout/index';

/**
 * The description of a saga's terminal status: `compensation-failed: <service>` when a compensation
 * still fails (else the first clause of the run's reason), then each service with its final status in
 * deployment order. Null for a state that records no services.
 */
export function sagaOutcome(state: RolloutState | null, reason: string | null): string | null {
  const services = state?.services;
  if (!services || services.length === 0) return null;
  const failed = services.filter((s) => s.status === 'failed');
  // Compensation runs in reverse and stops at the first that keeps failing: the last one failed.
  const head =
    state.status === 'failed' && failed.length > 0
      ? `compensation-failed: ${failed[failed.length - 1]!.name}`
      : (reason?.split(';')[0]?.trim() ?? '');
  const list = services.map((s) => `${s.name} ${s.status}`).join(', ');
  return head === '' ? `services: ${list}` : `${head}; services: ${list}`;
}
