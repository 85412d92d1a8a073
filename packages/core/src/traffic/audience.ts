// A/B audiences: a listener rule that sends the requests matching a header, a query string or a cookie
// to B. shiftgate creates the rule at a free priority, tags it as its own, never touches another rule,
// and removes only rules tagged with its rollout. ALB limits are checked before anything is written.
import { InputError } from '../shared/index';
import { ALB_LIMITS, formatAudience, type AudienceCondition } from '../strategy/index';

/** A rule on a listener, as the rule manager reads it (the default action is not a rule). */
export interface ListenerRule {
  arn: string;
  priority: number;
  tags: Record<string, string>;
  /**
   * The rule's conditions as an audience, when the manager reads them: null for conditions an audience
   * cannot express (a path pattern, a host header), absent when the manager does not say.
   */
  conditions?: AudienceCondition[] | null;
}

/** The rule-manager port: read a listener's rules, create one forwarding to one target group, delete one. */
export interface RuleManager {
  /** The listener a route (a listener or rule ARN) belongs to, and its rules with their tags. */
  rules(route: string): Promise<{ listener: string; rules: ListenerRule[] }>;
  /** Creates a rule and resolves to its ARN. */
  create(request: {
    listener: string;
    priority: number;
    conditions: AudienceCondition[];
    targetGroup: string;
    tags: Record<string, string>;
  }): Promise<string>;
  /** Deletes a rule; a rule that no longer exists is not an error. */
  remove(rule: string): Promise<void>;
}

/** The tag that marks a rule as shiftgate's, with the rollout it belongs to (its `created-at`). */
export const AUDIENCE_TAG = 'shiftgate:audience-of';

/** Where the audience rule would go: the listener, a free priority, and our rules already there. */
export interface AudiencePlacement {
  listener: string;
  priority: number;
  /** Rules this rollout created earlier (a resumed run reuses one rather than adding another). */
  ours: ListenerRule[];
}

/**
 * Finds where the audience rule goes on the listener of `route` without writing anything: the lowest
 * free priority (evaluated before every other rule), which must come before `route` itself when the
 * route is a rule. Throws an {@link InputError} when the listener is at ALB's rule limit or no priority
 * is free before the route.
 */
export async function placeAudience(
  manager: RuleManager,
  route: string,
  rollout: string,
): Promise<AudiencePlacement> {
  const { listener, rules } = await manager.rules(route);
  const ours = rules.filter((r) => r.tags[AUDIENCE_TAG] === rollout);
  const taken = new Set(rules.map((r) => r.priority));
  if (ours.length === 0 && rules.length >= ALB_LIMITS.rulesPerListener) {
    throw new InputError('audience', listener, '', {
      message: `Input 'audience': listener ${listener} already has ${rules.length} rules, ALB's limit per listener; shiftgate needs one free for the A/B audience rule. Nothing was changed.`,
    });
  }
  const routeRule = rules.find((r) => r.arn === route);
  const before = routeRule ? routeRule.priority : ALB_LIMITS.maxPriority + 1;
  let priority = 1;
  while (taken.has(priority)) priority++;
  if (ours.length === 0 && priority >= before) {
    throw new InputError('audience', route, '', {
      message: `Input 'audience': no free rule priority before rule ${route} (priority ${before}) on listener ${listener}, so an audience rule could not be evaluated before it. Free a priority below ${before}. Nothing was changed.`,
    });
  }
  return { listener, priority, ours };
}

/** Creates the audience rule (or finds the one this rollout made before) and resolves to its ARN and priority. */
export async function routeAudience(
  manager: RuleManager,
  options: { route: string; rollout: string; conditions: AudienceCondition[]; targetGroup: string },
): Promise<{ arn: string; priority: number; listener: string; created: boolean }> {
  const place = await placeAudience(manager, options.route, options.rollout);
  const existing = place.ours[0];
  if (existing)
    return { arn: existing.arn, priority: existing.priority, listener: place.listener, created: false };
  let arn: string;
  try {
    arn = await manager.create({
      listener: place.listener,
      priority: place.priority,
      conditions: options.conditions,
      targetGroup: options.targetGroup,
      tags: { [AUDIENCE_TAG]: options.rollout },
    });
  } catch (error) {
    // A lost answer: the SDK sends CreateRule again, which the first one's rule answers with
    // PriorityInUse. Our tag (and our conditions) on a rule of the listener says it was created after all.
    const adopted = await adoptCreated(manager, options);
    if (!adopted) throw error;
    return { ...adopted, created: true };
  }
  return { arn, priority: place.priority, listener: place.listener, created: true };
}

/**
 * After a CreateRule that failed, the rule this rollout created all the same (its tag), when there is
 * one; a rule with our tag and other conditions is never adopted (an error names it).
 */
async function adoptCreated(
  manager: RuleManager,
  options: { route: string; rollout: string; conditions: AudienceCondition[] },
): Promise<{ arn: string; priority: number; listener: string } | null> {
  let listener: string;
  let ours: ListenerRule | undefined;
  try {
    const read = await manager.rules(options.route);
    listener = read.listener;
    ours = read.rules.find((r) => r.tags[AUDIENCE_TAG] === options.rollout);
  } catch {
    return null;
  }
  if (!ours) return null;
  if (ours.conditions !== undefined) {
    const want = formatAudience(options.conditions);
    const found =
      ours.conditions === null ? '(conditions an audience cannot express)' : formatAudience(ours.conditions);
    if (found !== want)
      throw new Error(
        `rule ${ours.arn} on ${listener} carries this rollout's tag but matches ${found}, not ${want}; it was not adopted: check it by hand`,
      );
  }
  return { arn: ours.arn, priority: ours.priority, listener };
}

/** Deletes every rule of the listener tagged as this rollout's audience rule; resolves to their ARNs. */
export async function removeAudience(
  manager: RuleManager,
  route: string,
  rollout: string,
): Promise<string[]> {
  const { rules } = await manager.rules(route);
  const ours = rules.filter((r) => r.tags[AUDIENCE_TAG] === rollout);
  for (const rule of ours) await manager.remove(rule.arn);
  return ours.map((r) => r.arn);
}
