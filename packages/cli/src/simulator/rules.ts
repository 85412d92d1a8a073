// The simulated listener's rules: an A/B audience rule shiftgate creates sends a fixed share of the
// requests (those that match) to the canary; removing it sends them back to the weights.
import { InputError, type ListenerRule, type RuleManager } from '@shiftgate/core';
import type { SimulatedRouter } from './providers';

/** The share of requests a simulated audience matches, in percent. */
export const SIMULATED_AUDIENCE_SHARE = 20;

/** A listener's rules in memory; `seed` rules are someone else's and are never touched. */
export class SimulatedRuleManager implements RuleManager {
  readonly created: { arn: string; priority: number; conditions: unknown; tags: Record<string, string> }[] =
    [];
  readonly removed: string[] = [];
  private readonly table = new Map<string, ListenerRule>();
  private next = 1;

  constructor(
    private readonly options: { listener: string; router: SimulatedRouter; seed?: ListenerRule[] },
  ) {
    for (const rule of options.seed ?? []) this.table.set(rule.arn, { ...rule, tags: { ...rule.tags } });
  }

  async rules(route: string): Promise<{ listener: string; rules: ListenerRule[] }> {
    if (route !== this.options.listener && !this.table.has(route))
      throw new InputError(
        'listener-arn',
        route,
        `the simulated listener ${this.options.listener} or one of its rules`,
      );
    return { listener: this.options.listener, rules: [...this.table.values()].map((r) => ({ ...r })) };
  }

  async create(request: Parameters<RuleManager['create']>[0]): Promise<string> {
    const arn = `${this.options.listener.replace(':listener/', ':listener-rule/')}/5ca1ab1e${String(this.next++).padStart(8, '0')}`;
    this.table.set(arn, { arn, priority: request.priority, tags: { ...request.tags } });
    this.created.push({
      arn,
      priority: request.priority,
      conditions: request.conditions,
      tags: request.tags,
    });
    this.options.router.setAudience(SIMULATED_AUDIENCE_SHARE);
    return arn;
  }

  async remove(rule: string): Promise<void> {
    if (!this.table.delete(rule)) return;
    this.removed.push(rule);
    this.options.router.setAudience(0);
  }

  /** The rules on the listener now. */
  current(): ListenerRule[] {
    return [...this.table.values()];
  }
}
