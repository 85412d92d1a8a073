// Rollout states as select-strategy plans them, for the hardening tables; `edit` changes the JSON
// afterwards, as someone holding a deployment payload or a step output could. Pure data: no vitest here.
import { buildPlan, createRolloutState, serializeRolloutState, type StrategyName } from '@shiftgate/core';

/** A planned rollout of `strategy` to production, version v2.4.0, serialised. */
export function plannedState(
  strategy: StrategyName,
  parameters: Record<string, string> = {},
  edit: (doc: Record<string, unknown>) => void = () => undefined,
  now = new Date('2026-04-01T09:00:00Z'),
): string {
  const { steps, ...plan } = buildPlan(strategy, parameters);
  const doc = JSON.parse(
    serializeRolloutState(
      createRolloutState({ ...plan, plan: steps, environment: 'production', version: 'v2.4.0', now }),
    ),
  ) as Record<string, unknown>;
  edit(doc);
  return JSON.stringify(doc);
}
