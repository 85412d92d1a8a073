import { InputError, parseInteger, quote, type RolloutState, type TargetPair } from '@shiftgate/core';
import { isRegion, parseRetryMode } from './client';
import { parseElbv2Arn, regionOfArn, routeKindOf } from './elbv2-arn';

/** The route inputs shift-traffic and rollback share, validated before any AWS call. */
export interface RouteInputs {
  /** Listener ARNs first, then rule ARNs, in the order given (or as the state records them). */
  routes: string[];
  pair: TargetPair;
  region: string;
  retryMode: 'standard' | 'adaptive';
  maxAttempts: number;
}

/** The code's defaults of the shared AWS inputs; action.yml states the same strings. */
export const AWS_INPUT_DEFAULTS = {
  'aws-region': '',
  'retry-mode': 'standard',
  'max-attempts': '5',
} as const;

/**
 * The code's defaults of the inputs every action that names routes takes: the rollout state that may name
 * them, the routes and target groups, and the AWS client inputs. action.yml states the same strings.
 */
export const ROUTE_INPUT_DEFAULTS = {
  state: '',
  'listener-arn': '',
  'rule-arn': '',
  'stable-target-group-arn': '',
  'canary-target-group-arn': '',
  ...AWS_INPUT_DEFAULTS,
} as const;

/** The AWS client settings of {@link RouteInputs}, as the client factory takes them. */
export type RouteClientSettings = Pick<RouteInputs, 'region' | 'retryMode' | 'maxAttempts'>;

function lines(value: string): string[] {
  return value
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/**
 * Reads `listener-arn`, `rule-arn`, `stable-target-group-arn`, `canary-target-group-arn`, `aws-region`,
 * `retry-mode` and `max-attempts` through `get`. Routes and target groups may come from the rollout
 * state instead; when both are given they must agree, so a workflow cannot quietly point a rollout at
 * another load balancer half-way. With `optional` (a saga, which moves no traffic of its own), giving
 * none of the four and a state that records no routes means no routes.
 */
export function parseRouteInputs(
  get: (name: string) => string,
  env: Record<string, string | undefined>,
  state: RolloutState | null,
  options: { optional?: boolean } = {},
): RouteInputs {
  const listenerLines = lines(get('listener-arn'));
  const ruleLines = lines(get('rule-arn'));
  const regionInput = get('aws-region').trim();
  if (regionInput !== '' && !isRegion(regionInput))
    throw new InputError('aws-region', regionInput, "an AWS region such as 'us-east-1'");
  const named = ['listener-arn', 'rule-arn', 'stable-target-group-arn', 'canary-target-group-arn'].some(
    (name) => get(name).trim() !== '',
  );
  if (options.optional && !named && (state?.routes.length ?? 0) === 0) {
    const region = regionInput || env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || '';
    return {
      routes: [],
      pair: { stable: '', canary: '' },
      region,
      retryMode: parseRetryMode('retry-mode', get('retry-mode') || AWS_INPUT_DEFAULTS['retry-mode']),
      maxAttempts: parseInteger('max-attempts', get('max-attempts') || AWS_INPUT_DEFAULTS['max-attempts'], {
        min: 1,
        max: 10,
      }),
    };
  }
  const firstArn = listenerLines[0] ?? ruleLines[0] ?? state?.routes[0] ?? '';
  const region =
    regionInput || env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || regionOfArn(firstArn) || '';
  if (!isRegion(region)) {
    throw new InputError('aws-region', regionInput, "an AWS region such as 'us-east-1' (or set AWS_REGION)");
  }

  const given = [
    ...listenerLines.map((arn) => parseElbv2Arn('listener-arn', arn, 'listener', region)),
    ...ruleLines.map((arn) => parseElbv2Arn('rule-arn', arn, 'listener-rule', region)),
  ];
  const seen = new Set<string>();
  for (const arn of given) {
    if (seen.has(arn.arn)) {
      throw new InputError(
        arn.resource === 'listener' ? 'listener-arn' : 'rule-arn',
        arn.arn,
        'each route once',
        {
          message: `Input '${arn.resource === 'listener' ? 'listener-arn' : 'rule-arn'}' names ${arn.arn} twice; list each route once`,
        },
      );
    }
    seen.add(arn.arn);
  }
  let routes = given.map((a) => a.arn);
  const recorded = state?.routes ?? [];
  if (recorded.length > 0) {
    if (routes.length === 0) {
      routes = recorded.map(
        (arn) =>
          parseElbv2Arn('state', arn, routeKindOf(arn) === 'rule' ? 'listener-rule' : 'listener', region).arn,
      );
    } else if (routes.length !== recorded.length || !routes.every((r) => recorded.includes(r))) {
      const input = listenerLines.length > 0 ? 'listener-arn' : 'rule-arn';
      throw new InputError(input, get(input), 'empty or the routes the rollout state records', {
        message: `Input '${input}' must be empty or name the routes the rollout state records (${recorded.join(', ')}); got ${quote(routes.join('\n'))}`,
      });
    }
  }
  if (routes.length === 0) {
    throw new InputError(
      'listener-arn',
      '',
      'one or more listener ARNs, one per line (or rule-arn, or a state that records its routes)',
    );
  }

  const pair = {
    stable: targetGroup(get, 'stable-target-group-arn', state?.['stable-target-group-arn'] ?? null, region),
    canary: targetGroup(get, 'canary-target-group-arn', state?.['canary-target-group-arn'] ?? null, region),
  };
  if (pair.stable === pair.canary) {
    throw new InputError(
      'canary-target-group-arn',
      pair.canary,
      'a target group other than the stable target group',
    );
  }
  const accounts = new Set([...routes, pair.stable, pair.canary].map((arn) => arn.split(':')[4]));
  if (accounts.size > 1) {
    throw new InputError('canary-target-group-arn', pair.canary, 'in the same account as the routes', {
      message: `The routes and target groups must be in one account (ELBv2 forwards only to target groups of its own account); got accounts ${[...accounts].join(', ')}`,
    });
  }
  return {
    routes,
    pair,
    region,
    retryMode: parseRetryMode('retry-mode', get('retry-mode') || AWS_INPUT_DEFAULTS['retry-mode']),
    maxAttempts: parseInteger('max-attempts', get('max-attempts') || AWS_INPUT_DEFAULTS['max-attempts'], {
      min: 1,
      max: 10,
    }),
  };
}

function targetGroup(
  get: (name: string) => string,
  input: string,
  recorded: string | null,
  region: string,
): string {
  const value = get(input).trim();
  if (value === '') {
    if (recorded) return parseElbv2Arn('state', recorded, 'targetgroup', region).arn;
    throw new InputError(
      input,
      '',
      'a target group ARN such as arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 (or a state that records it)',
    );
  }
  const arn = parseElbv2Arn(input, value, 'targetgroup', region).arn;
  if (recorded && recorded !== arn) {
    throw new InputError(input, value, `empty or the target group the rollout state records (${recorded})`);
  }
  return arn;
}
