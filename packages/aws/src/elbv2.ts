import {
  DescribeListenersCommand,
  DescribeRulesCommand,
  ModifyListenerCommand,
  ModifyRuleCommand,
  type Action,
  type ElasticLoadBalancingV2Client,
  type ModifyListenerCommandInput,
  type ModifyRuleCommandInput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  ForwardActionError,
  type RouteReading,
  type TargetWeight,
  type TrafficRouter,
  type WritePreview,
} from '@shiftgate/core';
import { createElbv2Client, type AwsClientOptions } from './client';
import { listenerOfRule, routeKindOf } from './elbv2-arn';
import { ListenerNotFoundError, RuleNotFoundError, toRouterError } from './errors';

/**
 * Every ELBv2 API action the router calls. The actions' README IAM policies list exactly these, and a
 * test checks that the commands sent on the wire are this set.
 */
export const ELBV2_ROUTER_ACTIONS = [
  'DescribeListeners',
  'DescribeRules',
  'ModifyListener',
  'ModifyRule',
] as const;

/** A reading of an ELBv2 route: the whole action list as described, so a write can send it all back. */
export class Elbv2Reading implements RouteReading {
  readonly route: string;
  readonly kind: 'listener' | 'rule';
  readonly 'target-groups': TargetWeight[];
  /** The actions exactly as DescribeListeners/DescribeRules returned them. */
  readonly actions: readonly Action[];
  /** Index of the forward action in `actions`. */
  readonly forwardIndex: number;
  /** The listener's load balancer (listeners only; rules find it through their listener). */
  readonly loadBalancerArn: string | null;

  constructor(options: { route: string; actions: Action[]; loadBalancerArn: string | null }) {
    this.route = options.route;
    this.kind = routeKindOf(options.route);
    this.actions = options.actions;
    this.loadBalancerArn = options.loadBalancerArn;
    const forwards = options.actions.flatMap((a, i) => (a.Type === 'forward' ? [i] : []));
    if (forwards.length === 0) {
      const types = options.actions.map((a) => a.Type ?? 'unknown').join(', ') || 'none';
      throw new ForwardActionError(
        options.route,
        'no-forward-action',
        `${options.route} has no forward action to weight (its actions: ${types}); point shiftgate at the listener or rule that forwards to the stable target group`,
      );
    }
    if (forwards.length > 1) {
      throw new ForwardActionError(
        options.route,
        'unreadable',
        `${options.route} has ${forwards.length} forward actions; expected one`,
      );
    }
    this.forwardIndex = forwards[0]!;
    this['target-groups'] = forwardTargetGroups(options.route, options.actions[this.forwardIndex]!);
  }
}

function forwardTargetGroups(route: string, forward: Action): TargetWeight[] {
  const tuples = forward.ForwardConfig?.TargetGroups ?? [];
  if (tuples.length > 0) {
    return tuples.map((t) => {
      if (typeof t.TargetGroupArn !== 'string' || typeof t.Weight !== 'number') {
        throw new ForwardActionError(
          route,
          'unreadable',
          `${route}: a target group in the forward action has no ARN or no weight (${JSON.stringify(t)})`,
        );
      }
      return { 'target-group-arn': t.TargetGroupArn, weight: t.Weight };
    });
  }
  // The single-target-group form: ELBv2 weighs it 1.
  if (forward.TargetGroupArn) return [{ 'target-group-arn': forward.TargetGroupArn, weight: 1 }];
  throw new ForwardActionError(route, 'unreadable', `${route}: the forward action names no target group`);
}

/**
 * The actions to send back: every action as described, in the same order with the same `Order`, with
 * only the forward action's target groups replaced. ModifyListener and ModifyRule replace the whole
 * list (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_ModifyRule.html:
 * "you must provide the entire list"), so dropping an action here would delete it on the load balancer.
 */
export function actionsWithTargetGroups(
  reading: Elbv2Reading,
  targetGroups: readonly TargetWeight[],
): Action[] {
  return reading.actions.map((action, index) => {
    const copy = structuredClone(action);
    if (index === reading.forwardIndex) {
      copy.ForwardConfig = {
        ...copy.ForwardConfig,
        TargetGroups: targetGroups.map((t) => ({ TargetGroupArn: t['target-group-arn'], Weight: t.weight })),
      };
      // TargetGroupArn may accompany ForwardConfig only when both name the same single target group.
      if (targetGroups.length === 1) copy.TargetGroupArn = targetGroups[0]!['target-group-arn'];
      else delete copy.TargetGroupArn;
    }
    if (copy.Type === 'authenticate-oidc' && copy.AuthenticateOidcConfig) {
      // Describe never returns the OIDC client secret, and ELBv2 refuses a secret together with
      // UseExistingClientSecret, so the action goes back with the flag and without the secret
      // (API_AuthenticateOidcActionConfig: "you can omit this parameter if you set UseExistingClientSecret").
      delete copy.AuthenticateOidcConfig.ClientSecret;
      copy.AuthenticateOidcConfig.UseExistingClientSecret = true;
    }
    return copy;
  });
}

/** The ELBv2 adapter of the {@link TrafficRouter} port: one listener or rule per call. */
export class Elbv2TrafficRouter implements TrafficRouter {
  private readonly loadBalancers = new Map<string, string>();

  constructor(private readonly client: ElasticLoadBalancingV2Client) {}

  async read(route: string): Promise<Elbv2Reading> {
    if (routeKindOf(route) === 'rule') {
      const operation = 'DescribeRules';
      const output = await this.call(operation, route, () =>
        this.client.send(new DescribeRulesCommand({ RuleArns: [route] })),
      );
      const rule = output.Rules?.find((r) => r.RuleArn === route);
      if (!rule) {
        throw new RuleNotFoundError({
          operation,
          route,
          code: 'RuleNotFound',
          rejected: true,
          message: `${operation} on ${route} failed: the rule was not in the answer`,
        });
      }
      if (rule.IsDefault) {
        throw new ForwardActionError(
          route,
          'default-rule',
          `${route} is the listener's default rule, which ELBv2 changes through its listener: pass ${listenerOfRule(route)} as listener-arn instead`,
        );
      }
      return new Elbv2Reading({ route, actions: rule.Actions ?? [], loadBalancerArn: null });
    }
    const operation = 'DescribeListeners';
    const output = await this.call(operation, route, () =>
      this.client.send(new DescribeListenersCommand({ ListenerArns: [route] })),
    );
    const listener = output.Listeners?.find((l) => l.ListenerArn === route);
    if (!listener) {
      throw new ListenerNotFoundError({
        operation,
        route,
        code: 'ListenerNotFound',
        rejected: true,
        message: `${operation} on ${route} failed: the listener was not in the answer`,
      });
    }
    if (listener.LoadBalancerArn) this.loadBalancers.set(route, listener.LoadBalancerArn);
    return new Elbv2Reading({
      route,
      actions: listener.DefaultActions ?? [],
      loadBalancerArn: listener.LoadBalancerArn ?? null,
    });
  }

  preview(reading: RouteReading, targetGroups: TargetWeight[]): WritePreview {
    const r = this.own(reading);
    const actions = actionsWithTargetGroups(r, targetGroups);
    if (r.kind === 'rule') {
      const request: ModifyRuleCommandInput = { RuleArn: r.route, Actions: actions };
      return { route: r.route, operation: 'ModifyRule', request };
    }
    const request: ModifyListenerCommandInput = { ListenerArn: r.route, DefaultActions: actions };
    return { route: r.route, operation: 'ModifyListener', request };
  }

  async write(reading: RouteReading, targetGroups: TargetWeight[]): Promise<void> {
    const { operation, request } = this.preview(reading, targetGroups);
    await this.call(operation, reading.route, () =>
      operation === 'ModifyRule'
        ? this.client.send(new ModifyRuleCommand(request as ModifyRuleCommandInput))
        : this.client.send(new ModifyListenerCommand(request as ModifyListenerCommandInput)),
    );
  }

  /** The load balancer: DescribeListeners' `LoadBalancerArn`; for a rule, its listener's (one call, cached). */
  async loadBalancerOf(reading: RouteReading): Promise<string> {
    const listener = reading.kind === 'rule' ? listenerOfRule(reading.route) : reading.route;
    const known = this.loadBalancers.get(listener);
    if (known) return known;
    const operation = 'DescribeListeners';
    const output = await this.call(operation, listener, () =>
      this.client.send(new DescribeListenersCommand({ ListenerArns: [listener] })),
    );
    const arn = output.Listeners?.find((l) => l.ListenerArn === listener)?.LoadBalancerArn;
    if (!arn) {
      throw new ListenerNotFoundError({
        operation,
        route: listener,
        code: 'ListenerNotFound',
        rejected: true,
        message: `${operation} on ${listener} failed: the listener was not in the answer`,
      });
    }
    this.loadBalancers.set(listener, arn);
    return arn;
  }

  private own(reading: RouteReading): Elbv2Reading {
    if (!(reading instanceof Elbv2Reading)) throw new TypeError(`not an ELBv2 reading: ${reading.route}`);
    return reading;
  }

  private async call<T>(operation: string, route: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw toRouterError(error, { operation, route });
    }
  }
}

/**
 * The ELBv2 router over a client from the shared factory, for `caller` with the region and retry settings
 * of its inputs (or of a saved restore record): what every action that moves traffic builds.
 */
export function createElbv2Router(
  caller: string,
  settings: Pick<AwsClientOptions, 'region' | 'retryMode' | 'maxAttempts'>,
): Elbv2TrafficRouter {
  return new Elbv2TrafficRouter(
    createElbv2Client({
      caller,
      region: settings.region,
      retryMode: settings.retryMode,
      maxAttempts: settings.maxAttempts,
    }),
  );
}
