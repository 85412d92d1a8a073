// The ELBv2 rule manager: A/B audience rules on a listener. Reads rules with DescribeRules (paged) and
// their tags with DescribeTags (20 ARNs a call), creates a rule with its tags in one CreateRule call
// (which needs elasticloadbalancing:AddTags too: tag-on-create is authorised as AddTags), deletes with
// DeleteRule. It never modifies a rule.
import {
  CreateRuleCommand,
  DeleteRuleCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  type ElasticLoadBalancingV2Client,
  type RuleCondition,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AudienceCondition, ListenerRule, RuleManager } from '@shiftgate/core';
import { listenerOfRule, routeKindOf } from './elbv2-arn';
import { RuleNotFoundError, toRouterError } from './errors';

/**
 * Every IAM action the rule manager needs: the API calls it sends, and AddTags, which CreateRule with
 * Tags is authorised as. The run-plan and rollback READMEs' policies list these; a test checks them
 * against the commands sent on the wire.
 */
export const ELBV2_RULE_ACTIONS = [
  'DescribeRules',
  'DescribeTags',
  'CreateRule',
  'AddTags',
  'DeleteRule',
] as const;

/** ELBv2's conditions for an audience: headers and cookies as http-header, query strings as query-string. */
export function ruleConditions(conditions: readonly AudienceCondition[]): RuleCondition[] {
  return conditions.map((c): RuleCondition => {
    switch (c.field) {
      case 'http-header':
        return { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: c.name, Values: [...c.values] } };
      case 'cookie':
        // ALB has no cookie condition: the Cookie header, matched with wildcards around name=value.
        return {
          Field: 'http-header',
          HttpHeaderConfig: { HttpHeaderName: 'Cookie', Values: c.values.map((v) => `*${c.name}=${v}*`) },
        };
      case 'query-string':
        return {
          Field: 'query-string',
          QueryStringConfig: { Values: c.values.map((v) => ({ Key: c.name, Value: v })) },
        };
    }
  });
}

/**
 * The audience a rule's ELBv2 conditions express (the reverse of {@link ruleConditions}), or null when
 * they express something else (a path pattern, a host header, a query string over several keys).
 */
export function audienceOf(conditions: readonly RuleCondition[]): AudienceCondition[] | null {
  const out: AudienceCondition[] = [];
  for (const c of conditions) {
    if (c.Field === 'http-header' && c.HttpHeaderConfig?.HttpHeaderName) {
      const name = c.HttpHeaderConfig.HttpHeaderName;
      const values = c.HttpHeaderConfig.Values ?? [];
      const cookies = values.map((v) => /^\*([^=*]+)=(.*)\*$/.exec(v));
      if (name.toLowerCase() === 'cookie' && cookies.every((m) => m !== null && m[1] === cookies[0]![1])) {
        out.push({ field: 'cookie', name: cookies[0]![1]!, values: cookies.map((m) => m![2]!) });
      } else out.push({ field: 'http-header', name, values: [...values] });
    } else if (c.Field === 'query-string' && c.QueryStringConfig?.Values?.length) {
      const pairs = c.QueryStringConfig.Values;
      const key = pairs[0]!.Key;
      if (!key || pairs.some((p) => p.Key !== key)) return null;
      out.push({ field: 'query-string', name: key, values: pairs.map((p) => p.Value ?? '') });
    } else return null;
  }
  return out;
}

/** Listener rules through ELBv2. */
export class Elbv2RuleManager implements RuleManager {
  constructor(private readonly client: ElasticLoadBalancingV2Client) {}

  async rules(route: string): Promise<{ listener: string; rules: ListenerRule[] }> {
    const listener = routeKindOf(route) === 'rule' ? listenerOfRule(route) : route;
    const found: { arn: string; priority: number; conditions: AudienceCondition[] | null }[] = [];
    let marker: string | undefined;
    do {
      const page = await this.client
        .send(
          new DescribeRulesCommand({
            ListenerArn: listener,
            PageSize: 400,
            ...(marker ? { Marker: marker } : {}),
          }),
        )
        .catch((error: unknown) => {
          throw toRouterError(error, { operation: 'DescribeRules', route: listener });
        });
      for (const rule of page.Rules ?? []) {
        if (rule.IsDefault || !rule.RuleArn) continue;
        found.push({
          arn: rule.RuleArn,
          priority: Number(rule.Priority),
          conditions: audienceOf(rule.Conditions ?? []),
        });
      }
      marker = page.NextMarker;
    } while (marker);
    const tags = new Map<string, Record<string, string>>();
    for (let i = 0; i < found.length; i += 20) {
      const arns = found.slice(i, i + 20).map((r) => r.arn);
      const answer = await this.client
        .send(new DescribeTagsCommand({ ResourceArns: arns }))
        .catch((error: unknown) => {
          throw toRouterError(error, { operation: 'DescribeTags', route: listener });
        });
      for (const d of answer.TagDescriptions ?? [])
        tags.set(
          d.ResourceArn ?? '',
          Object.fromEntries((d.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
        );
    }
    return { listener, rules: found.map((r) => ({ ...r, tags: tags.get(r.arn) ?? {} })) };
  }

  async create(request: Parameters<RuleManager['create']>[0]): Promise<string> {
    const answer = await this.client
      .send(
        new CreateRuleCommand({
          ListenerArn: request.listener,
          Priority: request.priority,
          Conditions: ruleConditions(request.conditions),
          Actions: [
            {
              Type: 'forward',
              ForwardConfig: { TargetGroups: [{ TargetGroupArn: request.targetGroup, Weight: 1 }] },
            },
          ],
          Tags: Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      )
      .catch((error: unknown) => {
        throw toRouterError(error, { operation: 'CreateRule', route: request.listener });
      });
    const arn = answer.Rules?.[0]?.RuleArn;
    if (!arn) throw new Error(`CreateRule on ${request.listener} answered without a rule ARN`);
    return arn;
  }

  async remove(rule: string): Promise<void> {
    try {
      await this.client.send(new DeleteRuleCommand({ RuleArn: rule }));
    } catch (error) {
      const typed = toRouterError(error, { operation: 'DeleteRule', route: rule });
      // Already gone: what a second removal (or someone else) leaves is what we wanted.
      if (typed instanceof RuleNotFoundError) return;
      throw typed;
    }
  }
}
