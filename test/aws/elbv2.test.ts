import {
  DescribeListenersCommand,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
  ElasticLoadBalancingV2ServiceException,
  InvalidConfigurationRequestException,
  ListenerNotFoundException,
  ModifyListenerCommand,
  ModifyRuleCommand,
  RuleNotFoundException,
  TargetGroupAssociationLimitException,
  TooManyTargetGroupsException,
  type Action,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { ForwardActionError, shiftRoutes, type RouterError, type TargetWeight } from '@shiftgate/core';
import {
  AccessDeniedError,
  actionsWithTargetGroups,
  Elbv2Error,
  Elbv2TrafficRouter,
  InvalidConfigurationError,
  ListenerNotFoundError,
  RuleNotFoundError,
  TargetGroupLimitError,
  ThrottledError,
  toRouterError,
} from '@shiftgate/aws';

const ACCOUNT = '123456789012';
const LB = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/shop/50dc6c495c0c9188`;
const LISTENER = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2`;
const RULE = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee`;
const STABLE = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/blue/73e2d6bc24d8a067`;
const CANARY = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/green/83e2d6bc24d8a067`;
const tw = (arn: string, weight: number): TargetWeight => ({ 'target-group-arn': arn, weight });

const OIDC: Action = {
  Type: 'authenticate-oidc',
  Order: 1,
  AuthenticateOidcConfig: {
    Issuer: 'https://idp.example.com',
    AuthorizationEndpoint: 'https://idp.example.com/authorize',
    TokenEndpoint: 'https://idp.example.com/token',
    UserInfoEndpoint: 'https://idp.example.com/userinfo',
    ClientId: 'shop',
    SessionCookieName: 'AWSELBAuthSessionCookie',
    Scope: 'openid',
    SessionTimeout: 604800,
    AuthenticationRequestExtraParams: { prompt: 'login' },
    OnUnauthenticatedRequest: 'authenticate',
  },
};
const FORWARD: Action = {
  Type: 'forward',
  Order: 2,
  TargetGroupArn: STABLE,
  ForwardConfig: {
    TargetGroups: [{ TargetGroupArn: STABLE, Weight: 1 }],
    TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 3600 },
  },
};

const elb = mockClient(ElasticLoadBalancingV2Client);
const client = () =>
  new ElasticLoadBalancingV2Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
  });

beforeEach(() => {
  elb.reset();
});

function listenerWith(actions: Action[]) {
  elb.on(DescribeListenersCommand, { ListenerArns: [LISTENER] }).resolves({
    Listeners: [
      { ListenerArn: LISTENER, LoadBalancerArn: LB, Port: 443, Protocol: 'HTTPS', DefaultActions: actions },
    ],
  });
}

describe('Elbv2TrafficRouter.read', () => {
  it("reads a listener's forward target groups, whatever the other actions", async () => {
    listenerWith([OIDC, FORWARD]);
    const reading = await new Elbv2TrafficRouter(client()).read(LISTENER);
    expect(reading).toMatchObject({
      route: LISTENER,
      kind: 'listener',
      'target-groups': [tw(STABLE, 1)],
      loadBalancerArn: LB,
      forwardIndex: 1,
    });
    expect(elb).toHaveReceivedCommandWith(DescribeListenersCommand, { ListenerArns: [LISTENER] });
  });

  it('reads the single-target-group form as weight 1', async () => {
    listenerWith([{ Type: 'forward', TargetGroupArn: STABLE }]);
    expect((await new Elbv2TrafficRouter(client()).read(LISTENER))['target-groups']).toEqual([tw(STABLE, 1)]);
  });

  it("reads a rule's actions with DescribeRules", async () => {
    elb
      .on(DescribeRulesCommand, { RuleArns: [RULE] })
      .resolves({ Rules: [{ RuleArn: RULE, Priority: '10', IsDefault: false, Actions: [FORWARD] }] });
    const reading = await new Elbv2TrafficRouter(client()).read(RULE);
    expect(reading).toMatchObject({ kind: 'rule', 'target-groups': [tw(STABLE, 1)] });
    expect(elb).toHaveReceivedCommandTimes(DescribeRulesCommand, 1);
    expect(elb).not.toHaveReceivedCommand(DescribeListenersCommand);
  });

  it('refuses the default rule, pointing at its listener', async () => {
    elb
      .on(DescribeRulesCommand)
      .resolves({ Rules: [{ RuleArn: RULE, IsDefault: true, Actions: [FORWARD] }] });
    await expect(new Elbv2TrafficRouter(client()).read(RULE)).rejects.toThrow(
      `pass ${LISTENER} as listener-arn instead`,
    );
  });

  it('refuses a route without a forward action, listing its actions', async () => {
    listenerWith([{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', StatusCode: 'HTTP_301' } }]);
    const error = await new Elbv2TrafficRouter(client()).read(LISTENER).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForwardActionError);
    expect((error as Error).message).toBe(
      `${LISTENER} has no forward action to weight (its actions: redirect); point shiftgate at the listener or rule that forwards to the stable target group`,
    );
  });

  it('maps ListenerNotFound to a typed error naming the call and the listener', async () => {
    elb.on(DescribeListenersCommand).rejects(
      new ListenerNotFoundException({
        message: 'One or more listeners not found',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const error = await new Elbv2TrafficRouter(client()).read(LISTENER).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ListenerNotFoundError);
    expect((error as Error).message).toBe(
      `DescribeListeners on ${LISTENER} failed: the listener does not exist in this account and region (ListenerNotFound: One or more listeners not found)`,
    );
  });
});

describe('Elbv2TrafficRouter.write', () => {
  it('sends back every action, with only the forward target groups changed and the stickiness kept', async () => {
    listenerWith([OIDC, FORWARD]);
    elb.on(ModifyListenerCommand).resolves({});
    const router = new Elbv2TrafficRouter(client());
    const reading = await router.read(LISTENER);
    await router.write(reading, [tw(STABLE, 95), tw(CANARY, 5)]);
    expect(elb).toHaveReceivedCommandExactlyOnceWith(ModifyListenerCommand, {
      ListenerArn: LISTENER,
      DefaultActions: [
        {
          ...OIDC,
          AuthenticateOidcConfig: { ...OIDC.AuthenticateOidcConfig!, UseExistingClientSecret: true },
        },
        {
          Type: 'forward',
          Order: 2,
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: STABLE, Weight: 95 },
              { TargetGroupArn: CANARY, Weight: 5 },
            ],
            TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 3600 },
          },
        },
      ],
    });
    const sent = elb.commandCalls(ModifyListenerCommand)[0]!.args[0].input;
    expect(sent.DefaultActions![1]).not.toHaveProperty('TargetGroupArn');
    expect(sent.DefaultActions![0]!.AuthenticateOidcConfig).not.toHaveProperty('ClientSecret');
    expect(sent).not.toHaveProperty('Port');
    expect(sent).not.toHaveProperty('Certificates');
  });

  it('sends a rule with ModifyRule and only its actions (conditions stay as they are)', async () => {
    elb.on(DescribeRulesCommand).resolves({
      Rules: [
        {
          RuleArn: RULE,
          Priority: '10',
          Conditions: [{ Field: 'path-pattern', Values: ['/api/*'] }],
          Actions: [FORWARD],
        },
      ],
    });
    elb.on(ModifyRuleCommand).resolves({});
    const router = new Elbv2TrafficRouter(client());
    await router.write(await router.read(RULE), [tw(STABLE, 75), tw(CANARY, 25)]);
    const sent = elb.commandCalls(ModifyRuleCommand)[0]!.args[0].input;
    expect(Object.keys(sent).sort()).toEqual(['Actions', 'RuleArn']);
    expect(sent.Actions![0]!.ForwardConfig!.TargetGroups).toEqual([
      { TargetGroupArn: STABLE, Weight: 75 },
      { TargetGroupArn: CANARY, Weight: 25 },
    ]);
  });

  it('keeps the single-target-group form when one target group is left', async () => {
    listenerWith([
      {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: STABLE, Weight: 95 },
            { TargetGroupArn: CANARY, Weight: 5 },
          ],
        },
      },
    ]);
    const router = new Elbv2TrafficRouter(client());
    const reading = await router.read(LISTENER);
    const [forward] = actionsWithTargetGroups(reading, [tw(STABLE, 1)]);
    expect(forward).toEqual({
      Type: 'forward',
      TargetGroupArn: STABLE,
      ForwardConfig: { TargetGroups: [{ TargetGroupArn: STABLE, Weight: 1 }] },
    });
  });

  it('never changes the reading it was given', async () => {
    listenerWith([OIDC, FORWARD]);
    const router = new Elbv2TrafficRouter(client());
    const reading = await router.read(LISTENER);
    const before = structuredClone(reading.actions);
    actionsWithTargetGroups(reading, [tw(STABLE, 50), tw(CANARY, 50)]);
    expect(reading.actions).toEqual(before);
  });

  it.each([
    [
      new TargetGroupAssociationLimitException({
        message: 'The following target groups cannot be associated with more than one load balancer',
        $metadata: { httpStatusCode: 400 },
      }),
      TargetGroupLimitError,
      /a target group limit was reached/,
    ],
    [
      new TooManyTargetGroupsException({ message: 'too many', $metadata: { httpStatusCode: 400 } }),
      TargetGroupLimitError,
      /a target group limit was reached/,
    ],
    [
      new InvalidConfigurationRequestException({ message: 'bad', $metadata: { httpStatusCode: 400 } }),
      InvalidConfigurationError,
      /ELBv2 refused the listener's configuration/,
    ],
    [
      new ElasticLoadBalancingV2ServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        message:
          'User: arn:aws:sts::123456789012:assumed-role/deploy/gha is not authorized to perform: elasticloadbalancing:ModifyListener',
        $metadata: { httpStatusCode: 403 },
      }),
      AccessDeniedError,
      /the role needs the IAM permission elasticloadbalancing:ModifyListener/,
    ],
  ])('maps %s to a typed refusal', async (thrown, type, message) => {
    listenerWith([FORWARD]);
    elb.on(ModifyListenerCommand).rejects(thrown);
    const router = new Elbv2TrafficRouter(client());
    const error = await router
      .write(await router.read(LISTENER), [tw(STABLE, 95), tw(CANARY, 5)])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect((error as RouterError).rejected).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(new RegExp(`^ModifyListener on ${LISTENER} failed: `));
  });
});

describe('Elbv2TrafficRouter.loadBalancerOf', () => {
  it("finds a rule's load balancer through its listener, once", async () => {
    listenerWith([FORWARD]);
    elb.on(DescribeRulesCommand).resolves({ Rules: [{ RuleArn: RULE, Actions: [FORWARD] }] });
    const router = new Elbv2TrafficRouter(client());
    const reading = await router.read(RULE);
    expect(await router.loadBalancerOf(reading)).toBe(LB);
    expect(await router.loadBalancerOf(reading)).toBe(LB);
    expect(elb).toHaveReceivedCommandTimes(DescribeListenersCommand, 1);
  });

  it("uses the listener's own answer without another call", async () => {
    listenerWith([FORWARD]);
    const router = new Elbv2TrafficRouter(client());
    expect(await router.loadBalancerOf(await router.read(LISTENER))).toBe(LB);
    expect(elb).toHaveReceivedCommandTimes(DescribeListenersCommand, 1);
  });
});

describe('shiftRoutes over the ELBv2 router', () => {
  it('adds the canary at 0, then writes 95/5, verifying each, and keeps the authentication action', async () => {
    let current: Action[] = [OIDC, FORWARD];
    elb.on(DescribeListenersCommand).callsFake(() => ({
      Listeners: [{ ListenerArn: LISTENER, LoadBalancerArn: LB, DefaultActions: structuredClone(current) }],
    }));
    elb.on(ModifyListenerCommand).callsFake((input: { DefaultActions: Action[] }) => {
      current = input.DefaultActions.map((a) => (a.Type === 'authenticate-oidc' ? OIDC : a));
      return {};
    });
    const result = await shiftRoutes(
      new Elbv2TrafficRouter(client()),
      {
        routes: [LISTENER],
        pair: { stable: STABLE, canary: CANARY },
        canary: 5,
        expectation: null,
        force: false,
        dryRun: false,
      },
      { sleep: async () => {}, random: () => 0.5 },
    );
    expect(result.after[LISTENER]).toEqual([tw(STABLE, 95), tw(CANARY, 5)]);
    expect(elb).toHaveReceivedCommandTimes(ModifyListenerCommand, 2);
    expect(elb).toHaveReceivedNthCommandWith(ModifyListenerCommand, 1, {
      DefaultActions: [
        expect.objectContaining({ Type: 'authenticate-oidc' }),
        expect.objectContaining({
          ForwardConfig: expect.objectContaining({
            TargetGroups: [
              { TargetGroupArn: STABLE, Weight: 1 },
              { TargetGroupArn: CANARY, Weight: 0 },
            ],
          }),
        }),
      ],
    });
    expect(current[0]).toEqual(OIDC);
  });
});

describe('toRouterError', () => {
  const ctx = { operation: 'ModifyRule', route: RULE };

  it('maps an exhausted throttling error, naming the attempts', () => {
    const throttled = new ElasticLoadBalancingV2ServiceException({
      name: 'Throttling',
      $fault: 'client',
      message: 'Rate exceeded',
      $metadata: { httpStatusCode: 400, attempts: 5 },
    });
    const error = toRouterError(throttled, ctx);
    expect(error).toBeInstanceOf(ThrottledError);
    expect(error.message).toBe(
      `ModifyRule on ${RULE} failed: AWS kept throttling the request after 5 attempts (Throttling: Rate exceeded); raise max-attempts, set retry-mode: adaptive, or run fewer deployments at once in this account and region`,
    );
  });

  it('marks a 5xx answer and a dropped connection as unknown outcomes', () => {
    const server = new ElasticLoadBalancingV2ServiceException({
      name: 'InternalFailure',
      $fault: 'server',
      message: 'An internal error occurred',
      $metadata: { httpStatusCode: 500, attempts: 3 },
    });
    const dropped = Object.assign(new Error('socket hang up'), {
      code: 'ECONNRESET',
      $metadata: { attempts: 3 },
    });
    for (const error of [toRouterError(server, ctx), toRouterError(dropped, ctx)]) {
      expect(error).toBeInstanceOf(Elbv2Error);
      expect(error.rejected).toBe(false);
      expect(error.message).toContain('after 3 attempts: the outcome is unknown');
    }
  });

  it('maps RuleNotFound and missing credentials', () => {
    expect(
      toRouterError(
        new RuleNotFoundException({ message: 'One or more rules not found', $metadata: {} }),
        ctx,
      ),
    ).toBeInstanceOf(RuleNotFoundError);
    const credentials = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    expect(toRouterError(credentials, ctx).message).toContain(
      'run aws-actions/configure-aws-credentials before this step',
    );
  });
});
