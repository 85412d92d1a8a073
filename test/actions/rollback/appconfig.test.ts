// The rollback action as the emergency disable of a flag on AWS AppConfig: the state records the flag's
// deployments; the action puts traffic back, then deploys the version from before the rollout again,
// through the real AppConfig client it imports only for such a state (loopback AppConfig and ELBv2).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createRolloutState,
  parseRolloutState,
  serializeRolloutState,
  type FlagState,
  type RolloutState,
} from '@shiftgate/core';
import { AppConfigFlagProvider, createAppConfigClient } from '@shiftgate/aws/appconfig';
import { run } from '../../../actions/rollback/src/main';
import { Elbv2Server } from '../../support/elbv2-server';
import { AppConfigServer } from '../../support/appconfig-server';
import { inProcess } from '../shift-traffic/harness';

const ACCOUNT = '123456789012';
const LB = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/shop/50dc6c495c0c9188`;
const LISTENER = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2`;
const STABLE = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/blue/73e2d6bc24d8a067`;
const CANARY = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/green/83e2d6bc24d8a067`;
const BASE = JSON.stringify({
  version: '1',
  flags: { checkout: { name: 'Checkout' } },
  values: { checkout: { enabled: false } },
});

let elbv2: Elbv2Server;
let appconfig: AppConfigServer;
beforeAll(async () => {
  elbv2 = await Elbv2Server.start();
  appconfig = await AppConfigServer.start();
});
afterAll(async () => {
  await elbv2.close();
  await appconfig.close();
});
beforeEach(() => {
  elbv2.reset();
  elbv2.addListener({
    ListenerArn: LISTENER,
    LoadBalancerArn: LB,
    DefaultActions: [
      {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: STABLE, Weight: 0 },
            { TargetGroupArn: CANARY, Weight: 1 },
          ],
        },
      },
    ],
  });
  appconfig.seed(BASE);
});

const ENV = () => ({ AWS_ENDPOINT_URL: elbv2.url, AWS_ENDPOINT_URL_APPCONFIG: appconfig.url });

/** A promoted feature-flag rollout whose flag is on for everyone (deployments 1 and 2 complete). */
async function promoted(): Promise<RolloutState> {
  const saved = { ...process.env };
  Object.assign(process.env, ENV(), {
    AWS_ACCESS_KEY_ID: 'AKIDTEST',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_REGION: 'us-east-1',
  });
  try {
    const p = new AppConfigFlagProvider(createAppConfigClient({ caller: 'test' }));
    let flag: FlagState = await p.prepare({
      application: 'shop',
      environment: 'prod',
      profile: 'flags',
      flag: 'checkout',
      deploymentStrategy: 'AppConfig.AllAtOnce',
    });
    for (const exposure of [10, 100]) {
      const d = await p.deploy(flag, { exposure, cells: null });
      appconfig.deployments.at(-1)!.State = 'COMPLETE';
      flag = {
        ...flag,
        deployments: [...flag.deployments, { number: d.number, version: d.version, exposure, cells: null }],
      };
    }
    return {
      ...createRolloutState({
        strategy: 'feature-flag',
        parameters: { 'flag-provider': 'appconfig' },
        plan: [{ kind: 'shift', weight: 100 }],
        now: new Date('2026-01-01T00:00:00Z'),
      }),
      step: 1,
      status: 'promoted',
      routes: [LISTENER],
      'load-balancer-arn': LB,
      'stable-target-group-arn': STABLE,
      'canary-target-group-arn': CANARY,
      'initial-weights': { [LISTENER]: [{ 'target-group-arn': STABLE, weight: 1 }] },
      weights: { stable: 0, canary: 100 },
      flag,
    };
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

describe('rollback of a state with a flag on AppConfig', () => {
  it('puts traffic back and deploys the version from before the rollout again', async () => {
    const state = await promoted();
    appconfig.requests.length = 0;
    const result = await inProcess(
      { state: serializeRolloutState(state), reason: 'checkout errors' },
      () => run({ sleep: async () => {} }),
      ENV(),
    );
    expect(result.errors).toEqual([]);
    expect(
      elbv2
        .weights(LISTENER)
        .filter(([, w]) => w > 0)
        .map(([g]) => g),
    ).toEqual([STABLE]);
    expect(appconfig.requests.map((r) => r.operation)).toEqual(['GetDeployment', 'StartDeployment']);
    expect(JSON.parse(appconfig.calls('StartDeployment')[0]!.body)).toMatchObject({
      ConfigurationVersion: '1',
      DeploymentStrategyId: 'AppConfig.AllAtOnce',
    });
    expect(parseRolloutState('state', result.outputs.state!).flag!.deployments.at(-1)).toMatchObject({
      exposure: 0,
      version: 1,
      number: 3,
    });
  });

  it('fails loudly, naming the flag and the IAM action, when AppConfig refuses', async () => {
    const state = await promoted();
    appconfig.hooks.push((r) =>
      r.operation === 'StartDeployment'
        ? { error: { code: 'AccessDeniedException', message: 'no', status: 403 } }
        : undefined,
    );
    const result = await inProcess(
      { state: serializeRolloutState(state) },
      () => run({ sleep: async () => {} }),
      ENV(),
    );
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(
      /disabling flag 'checkout' on appconfig failed: .*appconfig:StartDeployment/,
    );
  });
});
