// The real ELBv2 client over the loopback server: awsQuery requests and XML answers are serialized and
// parsed by the SDK, and its retries run for real against throttling, 5xx and dropped connections.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  restoreRoutes,
  rollbackTargetGroups,
  RouteTransactionError,
  shiftRoutes,
  WeightsNotVerifiedError,
  type ApplyOptions,
  type ShiftRequest,
} from '@shiftgate/core';
import { createElbv2Client, Elbv2TrafficRouter, TargetGroupLimitError, ThrottledError } from '@shiftgate/aws';
import { Elbv2Server, type WireAction } from '../support/elbv2-server';

const ACCOUNT = '123456789012';
const LB_A = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/shop/50dc6c495c0c9188`;
const LB_B = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/shop-eu/60dc6c495c0c9188`;
const LISTENER = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2`;
const RULE = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee`;
const LISTENER_B = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener/app/shop-eu/60dc6c495c0c9188/a2f7dc8efc522ab2`;
const STABLE = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/blue/73e2d6bc24d8a067`;
const CANARY = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/green/83e2d6bc24d8a067`;
const STABLE_B = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/blue-eu/74e2d6bc24d8a067`;
const OTHER = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/legacy/93e2d6bc24d8a067`;
const pair = { stable: STABLE, canary: CANARY };

const OIDC: WireAction = {
  Type: 'authenticate-oidc',
  Order: 1,
  AuthenticateOidcConfig: {
    Issuer: 'https://idp.example.com',
    AuthorizationEndpoint: 'https://idp.example.com/authorize',
    TokenEndpoint: 'https://idp.example.com/token',
    UserInfoEndpoint: 'https://idp.example.com/userinfo',
    ClientId: 'shop',
    ClientSecret: 'the-secret',
    SessionCookieName: 'AWSELBAuthSessionCookie',
    Scope: 'openid email',
    SessionTimeout: 3600,
    AuthenticationRequestExtraParams: { prompt: 'login', display: 'page' },
    OnUnauthenticatedRequest: 'deny',
  },
};
const forward = (
  order: number,
  targetGroups: [string, number][],
  stickiness?: { Enabled: boolean; DurationSeconds?: number },
): WireAction => ({
  Type: 'forward',
  Order: order,
  ForwardConfig: {
    TargetGroups: targetGroups.map(([arn, weight]) => ({ TargetGroupArn: arn, Weight: weight })),
    ...(stickiness ? { TargetGroupStickinessConfig: stickiness } : {}),
  },
});

let server: Elbv2Server;
const saved: Record<string, string | undefined> = {};
const ENV = {
  AWS_ENDPOINT_URL: '',
  AWS_ACCESS_KEY_ID: 'AKIDSHIFTGATETEST',
  AWS_SECRET_ACCESS_KEY: 'shiftgate-test-secret',
  AWS_REGION: 'us-east-1',
  AWS_CONFIG_FILE: '/nonexistent/shiftgate/config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/shiftgate/credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
};

beforeAll(async () => {
  server = await Elbv2Server.start();
  for (const [key, value] of Object.entries({ ...ENV, AWS_ENDPOINT_URL: server.url })) {
    saved[key] = process.env[key];
    process.env[key] = value;
  }
});
afterAll(async () => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await server.close();
});

beforeEach(() => {
  server.reset();
  server.addTargetGroup(CANARY).addTargetGroup(STABLE_B);
  server.addListener({
    ListenerArn: LISTENER,
    LoadBalancerArn: LB_A,
    DefaultActions: [OIDC, forward(2, [[STABLE, 1]], { Enabled: true, DurationSeconds: 3600 })],
  });
  server.addRule({
    RuleArn: RULE,
    ListenerArn: LISTENER,
    Priority: '5',
    Actions: [
      {
        Type: 'authenticate-cognito',
        Order: 1,
        AuthenticateCognitoConfig: {
          UserPoolArn: `arn:aws:cognito-idp:us-east-1:${ACCOUNT}:userpool/us-east-1_abc`,
          UserPoolClientId: 'client',
          UserPoolDomain: 'shop',
        },
      },
      forward(2, [
        [STABLE, 100],
        [OTHER, 100],
      ]),
    ],
  });
  server.addListener({
    ListenerArn: LISTENER_B,
    LoadBalancerArn: LB_B,
    DefaultActions: [{ Type: 'forward', TargetGroupArn: STABLE_B }],
  });
});

function router(maxAttempts = 3) {
  return new Elbv2TrafficRouter(createElbv2Client({ caller: 'wire-test', maxAttempts }));
}
const quick: ApplyOptions = {
  sleep: async () => {},
  random: () => 0.5,
  verify: { attempts: 3, initialDelayMs: 1, maxDelayMs: 1 },
};
const shift = (routes: string[], canary: number, extra: Partial<ShiftRequest> = {}): ShiftRequest => ({
  routes,
  pair,
  canary,
  expectation: null,
  force: false,
  dryRun: false,
  ...extra,
});
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('round trip over awsQuery', () => {
  it('changes only the forward weights, keeping every other action, the order and the stickiness', async () => {
    const listenerBefore = server.listener(LISTENER);
    const ruleBefore = server.rule(RULE);
    const result = await shiftRoutes(router(), shift([LISTENER, RULE], 5), quick);

    expect(server.weights(LISTENER)).toEqual([
      [STABLE, 95],
      [CANARY, 5],
    ]);
    // Another target group in the rule keeps its weight, and the pair keeps its total of 100.
    expect(server.weights(RULE)).toEqual([
      [STABLE, 95],
      [OTHER, 100],
      [CANARY, 5],
    ]);
    const listenerAfter = server.listener(LISTENER);
    expect(listenerAfter.DefaultActions[0]).toEqual(listenerBefore.DefaultActions[0]);
    expect(listenerAfter.DefaultActions[1]).toMatchObject({
      Type: 'forward',
      Order: 2,
      ForwardConfig: { TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 3600 } },
    });
    const ruleAfter = server.rule(RULE);
    expect(ruleAfter.Actions[0]).toEqual(ruleBefore.Actions[0]);
    expect(ruleAfter.Conditions).toEqual(ruleBefore.Conditions);
    expect(result.loadBalancer).toBe(LB_A);
  });

  it('sends the OIDC action back with UseExistingClientSecret and without a secret', async () => {
    await shiftRoutes(router(), shift([LISTENER], 10), quick);
    const modify = server.requests.find((r) => r.action === 'ModifyListener')!;
    expect(modify.params['DefaultActions.member.1.AuthenticateOidcConfig.UseExistingClientSecret']).toBe(
      'true',
    );
    expect(
      Object.keys(modify.params).some(
        (k) => k.endsWith('ClientSecret') && !k.endsWith('UseExistingClientSecret'),
      ),
    ).toBe(false);
    expect(
      modify.params[
        'DefaultActions.member.1.AuthenticateOidcConfig.AuthenticationRequestExtraParams.entry.1.key'
      ],
    ).toBeDefined();
  });

  it("signs for elasticloadbalancing in the region, with shiftgate's user agent", async () => {
    await router().read(LISTENER);
    expect(server.requests[0]).toMatchObject({
      region: 'us-east-1',
      service: 'elasticloadbalancing',
      status: 200,
    });
    // The caller goes out as SDK metadata: `shiftgate/0.1.0 md/action#wire-test`.
    expect(server.requests[0]!.userAgent).toMatch(/ shiftgate\/0\.1\.0 md\/action#wire-test$/);
  });

  it('honours AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2 over AWS_ENDPOINT_URL', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
    process.env.AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2 = server.url;
    try {
      expect((await router(1).read(LISTENER))['target-groups']).toEqual([
        { 'target-group-arn': STABLE, weight: 1 },
      ]);
    } finally {
      process.env.AWS_ENDPOINT_URL = server.url;
      delete process.env.AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2;
    }
  });

  it("finds a rule's load balancer from its listener with DescribeListeners", async () => {
    const r = router();
    expect(await r.loadBalancerOf(await r.read(RULE))).toBe(LB_A);
    expect(server.actions()).toEqual(['DescribeRules', 'DescribeListeners']);
  });
});

describe('faults', () => {
  it('retries a short throttling burst and succeeds', async () => {
    server.throttle('*', 2);
    await shiftRoutes(router(), shift([LISTENER], 5), quick);
    expect(server.weights(LISTENER)).toEqual([
      [STABLE, 95],
      [CANARY, 5],
    ]);
    expect(server.requests.slice(0, 3).map((r) => r.status)).toEqual([400, 400, 200]);
  });

  it('gives up on a throttling storm with a clear error, leaving nothing half-changed', async () => {
    server.throttle('ModifyRule');
    const error = (await rejection(
      shiftRoutes(router(), shift([LISTENER, RULE], 5), quick),
    )) as RouteTransactionError;
    expect(error).toBeInstanceOf(RouteTransactionError);
    expect(error.cause).toBeInstanceOf(ThrottledError);
    expect(error.message).toContain(
      `ModifyRule on ${RULE} failed: AWS kept throttling the request after 3 attempts (Throttling: Rate exceeded)`,
    );
    expect(error.message).toContain(`${LISTENER}: put back to stable blue 1 (verified)`);
    expect(error.message).toContain('All routes are as they were');
    expect(server.actions((r) => r.action === 'ModifyRule')).toHaveLength(3);
    expect(server.weights(LISTENER)).toEqual([[STABLE, 1]]);
    expect(server.weights(RULE)).toEqual([
      [STABLE, 100],
      [OTHER, 100],
    ]);
  });

  it('retries a 503 and succeeds', async () => {
    server.fail(
      'ModifyListener',
      { error: { code: 'ServiceUnavailable', message: 'Service is unavailable', status: 503 } },
      1,
    );
    await shiftRoutes(router(), shift([LISTENER], 5), quick);
    expect(server.weights(LISTENER)).toEqual([
      [STABLE, 95],
      [CANARY, 5],
    ]);
  });

  it('fails on persistent 500s after reading back that nothing applied', async () => {
    server.fail('ModifyListener', {
      error: { code: 'InternalFailure', message: 'An internal error occurred', status: 500 },
    });
    const error = await rejection(shiftRoutes(router(), shift([LISTENER], 5), quick));
    expect(error.message).toContain(
      `ModifyListener on ${LISTENER} failed after 3 attempts: the outcome is unknown, InternalFailure: An internal error occurred; reading the route back did not show the change either`,
    );
    expect(server.weights(LISTENER)).toEqual([[STABLE, 1]]);
  });

  it('accepts a Modify that applied although every response was lost, because the read-back shows it', async () => {
    server.fail('ModifyListener', { drop: 'after' });
    const result = await shiftRoutes(router(), shift([LISTENER], 5), quick);
    expect(result.after[LISTENER]).toEqual([
      { 'target-group-arn': STABLE, weight: 95 },
      { 'target-group-arn': CANARY, weight: 5 },
    ]);
    expect(server.weights(LISTENER)).toEqual([
      [STABLE, 95],
      [CANARY, 5],
    ]);
    expect(
      server.requests.filter((r) => r.action === 'ModifyListener').every((r) => r.status === 'dropped'),
    ).toBe(true);
  });

  it('puts the first route back when the second fails (a target group serves one load balancer)', async () => {
    server.addTargetGroup(CANARY, LB_A);
    const error = (await rejection(
      shiftRoutes(
        router(),
        { ...shift([LISTENER, LISTENER_B], 5), pair: { stable: STABLE, canary: CANARY } },
        quick,
      ),
    )) as RouteTransactionError;
    // The second listener forwards to another stable target group, so it is refused before any write.
    expect(error.message).toContain(`${LISTENER_B} does not forward to the stable target group blue`);
    expect(server.actions((r) => r.action.startsWith('Modify'))).toEqual([]);

    server.setWeights(LISTENER_B, [[STABLE, 1]]);
    server.addTargetGroup(STABLE);
    const failed = (await rejection(
      shiftRoutes(router(), shift([LISTENER, LISTENER_B], 5), quick),
    )) as RouteTransactionError;
    expect(failed.cause).toBeInstanceOf(TargetGroupLimitError);
    expect(failed.message).toContain(
      `ModifyListener on ${LISTENER_B} failed: a target group limit was reached`,
    );
    expect(failed.message).toContain(`${LISTENER}: put back to stable blue 1 (verified)`);
    expect(server.weights(LISTENER)).toEqual([[STABLE, 1]]);
    expect(server.weights(LISTENER_B)).toEqual([[STABLE, 1]]);
  });

  it('refuses when someone changes the weights between the read and the write, with no Modify', async () => {
    let describes = 0;
    server.onRequest((request, s) => {
      if (request.action === 'DescribeListeners' && ++describes === 2)
        s.setWeights(LISTENER, [
          [STABLE, 50],
          [CANARY, 50],
        ]);
    });
    const error = await rejection(shiftRoutes(router(), shift([LISTENER], 5), quick));
    expect(error.message).toContain(
      `${LISTENER} changed between reading and writing it: expected stable blue 1, found stable blue 50, canary green 50`,
    );
    expect(server.actions((r) => r.action.startsWith('Modify'))).toEqual([]);
    expect(server.weights(LISTENER)).toEqual([
      [STABLE, 50],
      [CANARY, 50],
    ]);
  });

  it('detects weights reverted by someone else during the read-back', async () => {
    server.setWeights(LISTENER, [
      [STABLE, 100],
      [CANARY, 0],
    ]);
    let modified = false;
    server.onRequest((request, s) => {
      if (request.action === 'ModifyListener') modified = true;
      else if (modified && request.action === 'DescribeListeners')
        s.setWeights(LISTENER, [
          [STABLE, 100],
          [CANARY, 0],
        ]);
    });
    const error = (await rejection(
      shiftRoutes(router(), shift([LISTENER], 25), quick),
    )) as RouteTransactionError;
    expect(error.cause).toBeInstanceOf(WeightsNotVerifiedError);
    expect(error.message).toContain(
      `${LISTENER} read back its previous weights (stable blue 100, canary green 0) after 3 reads instead of stable blue 75, canary green 25: the change was reverted by someone else or never applied`,
    );
  });

  it('names the missing IAM permission and does not retry an access denial', async () => {
    server.deny('ModifyListener');
    const error = await rejection(shiftRoutes(router(), shift([LISTENER], 5), quick));
    expect(error.message).toMatch(
      new RegExp(
        `^ModifyListener on ${LISTENER} failed: access denied; the role needs the IAM permission elasticloadbalancing:ModifyListener on ${LISTENER} \\(AccessDenied: User: arn:aws:sts::123456789012:assumed-role/deploy/github-actions is not authorized`,
      ),
    );
    expect(error.message).toContain('Nothing was changed.');
    expect(server.actions((r) => r.action === 'ModifyListener')).toHaveLength(1);
  });
});

describe('rollback over the wire', () => {
  it('rolls back with one Modify and one verifying read per route, and a second run changes nothing', async () => {
    await shiftRoutes(router(), shift([LISTENER, RULE], 25), quick);
    server.requests.length = 0;
    const back = () =>
      restoreRoutes(router(), [LISTENER, RULE], (r) => rollbackTargetGroups(r, pair, 'stable', null), quick);

    const first = await back();
    expect(first.map((r) => r.changed)).toEqual([true, true]);
    expect(server.actions()).toEqual([
      'DescribeListeners',
      'ModifyListener',
      'DescribeListeners',
      'DescribeRules',
      'ModifyRule',
      'DescribeRules',
    ]);
    expect(server.weights(LISTENER)).toEqual([
      [STABLE, 100],
      [CANARY, 0],
    ]);
    expect(server.weights(RULE)).toEqual([
      [STABLE, 100],
      [OTHER, 100],
      [CANARY, 0],
    ]);

    server.requests.length = 0;
    const second = await back();
    expect(second.map((r) => r.changed)).toEqual([false, false]);
    expect(server.actions()).toEqual(['DescribeListeners', 'DescribeRules']);
  });
});
