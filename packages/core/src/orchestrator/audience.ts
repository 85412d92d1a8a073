// The executor of `audience` steps (A/B): create the listener rule that sends the audience to B, or
// remove it once B is promoted. Rules are found by their tag, so a resumed or retried run never adds a
// second one, and only this rollout's rule is ever removed.
import { parseAudience, type AudienceCondition, type Step } from '../strategy/index';
import { removeAudience, routeAudience } from '../traffic/index';
import type { RunContext, StepOutcome } from './context';

/** The audience rule a run created, for the trace and `--json`. */
export interface AudienceRule {
  arn: string;
  listener: string;
  priority: number;
  conditions: AudienceCondition[];
}

/** Runs an `audience` step with the run's rule manager (preflight made sure there is one). */
export async function audienceStep(
  run: RunContext,
  step: Extract<Step, { kind: 'audience' }>,
): Promise<StepOutcome> {
  const manager = run.options.rules!;
  const route = run.routes[0]!;
  const rollout = run.state['created-at'];
  if (step.action === 'remove') {
    const removed = await removeAudience(manager, route, rollout);
    return {
      message:
        removed.length > 0
          ? `audience rule ${removed.join(', ')} removed: everyone is on the new version`
          : 'no audience rule of this rollout was left to remove',
    };
  }
  const conditions = parseAudience('audience', step.audience);
  const rule = await routeAudience(manager, { route, rollout, conditions, targetGroup: run.pair.canary });
  run.servingSince = run.options.clock.now();
  const made = rule.created ? 'created' : 'found (created by an earlier run of this rollout)';
  return {
    message: `audience rule ${rule.arn} ${made} at priority ${rule.priority} on ${rule.listener}: ${step.audience} goes to the new version`,
    state: { ...run.state, 'audience-rule': rule.arn },
    more: { rule: { arn: rule.arn, listener: rule.listener, priority: rule.priority, conditions } },
  };
}
