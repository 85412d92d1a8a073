// The real AppConfig client over the loopback REST-JSON server: requests are serialized, signed and
// retried by the SDK, answers parsed by it. A flag rollout moves the exposure step by step, a breach
// stops the deployment and deploys the version before the rollout again, and faults are retried or
// turned into typed errors naming the IAM action.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buildPlan,
  createRolloutState,
  disableFlag,
  GATE_DEFAULTS,
  InputError,
  parseGates,
  runPlan,
  silentLogger,
  virtualTime,
  type AppConfigTarget,
  type RunPlanOptions,
} from '@shiftgate/core';
import { AppConfigError, AppConfigFlagProvider, createAppConfigClient } from '@shiftgate/aws/appconfig';
import { createSimulation, mulberry32, type Scenario } from '@shiftgate/cli';
import { AppConfigServer } from '../support/appconfig-server';
import { appConfigActionsInSource, documentedPolicy } from '../e2e/traffic-runner';

const BASE = JSON.stringify({
  version: '1',
  flags: {
    checkout: { name: 'Checkout', attributes: { colour: { constraints: { type: 'string' } } } },
    'dark-mode': { name: 'Dark mode' },
  },
  values: { checkout: { enabled: false, colour: 'blue' }, 'dark-mode': { enabled: true } },
});
const TARGET: AppConfigTarget = {
  application: 'shop',
  environment: 'prod',
  profile: 'flags',
  flag: 'checkout',
  deploymentStrategy: 'AppConfig.AllAtOnce',
};

let server: AppConfigServer;
const saved: Record<string, string | undefined> = {};
beforeAll(async () => {
  server = await AppConfigServer.start();
  const env = {
    AWS_ENDPOINT_URL: server.url,
    AWS_ACCESS_KEY_ID: 'AKIDSHIFTGATETEST',
    AWS_SECRET_ACCESS_KEY: 'shiftgate-test-secret',
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/nonexistent/shiftgate/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/shiftgate/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  for (const [key, value] of Object.entries(env)) {
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
beforeEach(() => server.seed(BASE));

const provider = (maxAttempts = 3) =>
  new AppConfigFlagProvider(createAppConfigClient({ caller: 'wire-test', maxAttempts }));
const version = (n: number) =>
  JSON.parse(server.versions.get('prf3ghi')![n - 1]!) as {
    values: Record<
      string,
      { enabled?: boolean; _variants?: { name: string; enabled: boolean; rule?: string }[] }
    >;
  };

/** A feature-flag rollout on the simulated load balancer, its flag on the loopback AppConfig. */
async function rollout(scenario: Scenario, at = 8, flags = provider()) {
  const time = virtualTime(Date.UTC(2026, 0, 1, 9));
  const sim = createSimulation({ seed: 7, scenario, clock: time.clock, at });
  const plan = buildPlan('feature-flag', {
    'flag-provider': 'appconfig',
    'flag-steps': '10,50,100',
    'bake-time': '5m',
  });
  const state = createRolloutState({
    strategy: plan.strategy,
    parameters: plan.parameters,
    plan: plan.steps,
    now: new Date(time.clock.now()),
  });
  const gates = parseGates({ ...GATE_DEFAULTS, 'bake-time': '5m' }, { custom: [], alarms: [], smoke: false });
  const options: RunPlanOptions = {
    state,
    target: { routes: sim.routes, pair: sim.pair },
    router: sim.router,
    metrics: () => sim.metrics(60_000, gates.maxP99Latency),
    hooks: { flags: { provider: flags, target: TARGET } },
    gates,
    period: 60_000,
    metricDelay: 120_000,
    clock: time.clock,
    sleep: time.sleep,
    random: mulberry32(7),
  };
  return runPlan(options);
}

describe('AppConfig flag rollout over the wire', () => {
  it('moves the exposure step by step, one hosted version and one deployment per step, other flags untouched', async () => {
    const result = await rollout('healthy');
    expect(result.decision).toBe('promote');
    const starts = server.calls('StartDeployment').map((r) => JSON.parse(r.body) as Record<string, string>);
    expect(starts.map((s) => s.ConfigurationVersion)).toEqual(['2', '3', '4']);
    expect(
      starts.every(
        (s) => s.DeploymentStrategyId === 'AppConfig.AllAtOnce' && s.ConfigurationProfileId === 'prf3ghi',
      ),
    ).toBe(true);
    expect(
      server
        .calls('CreateHostedConfigurationVersion')
        .every((r) => r.headers['content-type'] === 'application/json'),
    ).toBe(true);
    expect(version(2).values.checkout!._variants).toEqual([
      { name: 'shiftgate-rollout', enabled: true, rule: '(split by::$userId pct::10)', colour: 'blue' },
      { name: 'default', colour: 'blue', enabled: false },
    ]);
    expect(version(3).values.checkout!._variants![0]!.rule).toBe('(split by::$userId pct::50)');
    expect(version(4).values.checkout).toEqual({ colour: 'blue', enabled: true });
    for (const n of [2, 3, 4]) expect(version(n).values['dark-mode']).toEqual({ enabled: true });
    // Each step started only once the one before was complete.
    expect(server.deployments.map((d) => d.State)).toEqual(['COMPLETE', 'COMPLETE', 'COMPLETE']);
    expect(result.state.flag).toMatchObject({
      application: 'app1abc',
      environment: 'env2def',
      profile: 'prf3ghi',
      'previous-version': 1,
    });
    expect(result.state.flag!.deployments.map((d) => d.exposure)).toEqual([10, 50, 100]);
    expect(
      server.requests.every((r) => r.service === 'appconfig' && r.userAgent.includes('md/action#wire-test')),
    ).toBe(true);
  });

  it('stops the deployment in progress on a breach and deploys the version before the rollout again', async () => {
    server.deployingReads = 50;
    const result = await rollout('step-regression', 1);
    expect(result.decision).toBe('rollback');
    expect(server.calls('StopDeployment')).toHaveLength(1);
    const starts = server.calls('StartDeployment').map((r) => JSON.parse(r.body) as Record<string, string>);
    // 10% never completed; stopping it returns the environment to version 1 with no redeploy needed.
    expect(starts.map((s) => s.ConfigurationVersion)).toEqual(['2']);
    expect(server.deployments[0]!.State).toBe('ROLLED_BACK');
    expect(server.live()).toBeNull();
    expect(result.trace.rollback!.undo.join('\n')).toContain('deployment #1 stopped');
  });

  it('reverts to the version before the rollout when an exposure had completed', async () => {
    server.rollBack.add(2);
    const result = await rollout('healthy');
    expect(result.decision).toBe('rollback');
    expect(result.reason).toContain('deployment #2 ended rolled-back');
    const starts = server.calls('StartDeployment').map((r) => JSON.parse(r.body) as Record<string, string>);
    expect(starts.map((s) => s.ConfigurationVersion)).toEqual(['2', '3', '1']);
    expect(server.live()).toBe('1');
    expect(result.state.flag!.deployments.at(-1)).toMatchObject({ exposure: 0, version: 1 });
  });
});

describe('AppConfig flag preflight', () => {
  it('refuses a profile that does not exist, naming it, before any write', async () => {
    const error = await provider()
      .prepare({ ...TARGET, profile: 'flagz' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain("'appconfig-profile' is 'flagz'");
    expect(server.calls('CreateHostedConfigurationVersion')).toHaveLength(0);
    expect(server.calls('StartDeployment')).toHaveLength(0);
  });

  it('refuses a profile that is not a hosted feature-flag profile', async () => {
    server.seed(BASE, 'AWS.Freeform');
    await expect(provider().prepare(TARGET)).rejects.toThrow(/type AWS.Freeform.*AWS.AppConfig.FeatureFlags/);
  });

  it('refuses a flag the profile does not define', async () => {
    await expect(provider().prepare({ ...TARGET, flag: 'search' })).rejects.toThrow(
      /'flag-name' is 'search'.*checkout, dark-mode/,
    );
  });

  it('takes ids as well as names', async () => {
    const flag = await provider().prepare({
      ...TARGET,
      application: 'app1abc',
      environment: 'env2def',
      profile: 'prf3ghi',
    });
    expect(flag).toMatchObject({ application: 'app1abc', environment: 'env2def', profile: 'prf3ghi' });
  });
});

describe('AppConfig faults', () => {
  it('retries throttling and 5xx answers through the SDK', async () => {
    let throttled = 0;
    let failed = 0;
    server.hooks.push((r) => {
      if (r.operation === 'ListApplications' && throttled++ < 2)
        return { error: { code: 'ThrottlingException', message: 'Rate exceeded', status: 429 } };
      if (r.operation === 'CreateHostedConfigurationVersion' && failed++ < 1)
        return { error: { code: 'InternalServerException', message: 'oops', status: 500 } };
    });
    const p = provider();
    const flag = await p.prepare(TARGET);
    const started = await p.deploy(flag, { exposure: 10, cells: null });
    expect(started).toMatchObject({ number: 1, version: 2 });
    expect(server.calls('ListApplications')).toHaveLength(3);
    expect(server.calls('CreateHostedConfigurationVersion')).toHaveLength(2);
  });

  it('turns throttling past the retries into a typed error naming the IAM action', async () => {
    server.hooks.push((r) =>
      r.operation === 'GetDeployment'
        ? { error: { code: 'ThrottlingException', message: 'Rate exceeded', status: 429 } }
        : undefined,
    );
    const p = provider(2);
    const flag = await p.prepare(TARGET);
    const error = await p.status(flag, 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppConfigError);
    expect(error).toMatchObject({ throttled: true, iamAction: 'appconfig:GetDeployment' });
    expect(server.calls('GetDeployment')).toHaveLength(2);
  });

  it('names the missing permission on access denied', async () => {
    server.hooks.push((r) =>
      r.operation === 'StartDeployment'
        ? { error: { code: 'AccessDeniedException', message: 'no', status: 403 } }
        : undefined,
    );
    const p = provider();
    const flag = await p.prepare(TARGET);
    await expect(p.deploy(flag, { exposure: 10, cells: null })).rejects.toThrow(
      /IAM permission appconfig:StartDeployment/,
    );
  });

  it('finds its own deployment when the StartDeployment answer is lost', async () => {
    let lost = 0;
    server.hooks.push((r) =>
      r.operation === 'StartDeployment' && lost++ < 1 ? { drop: 'after' } : undefined,
    );
    const p = provider();
    const flag = await p.prepare(TARGET);
    const started = await p.deploy(flag, { exposure: 10, cells: null });
    expect(started.number).toBe(1);
    expect(server.deployments).toHaveLength(1);
    expect(server.calls('StartDeployment').map((r) => r.status)).toEqual(['dropped', 409]);
  });

  it('stops a deployment in progress and reverts (the emergency disable)', async () => {
    server.deployingReads = 50;
    const p = provider();
    let flag = await p.prepare(TARGET);
    const first = await p.deploy(flag, { exposure: 10, cells: null });
    flag = {
      ...flag,
      deployments: [{ number: first.number, version: first.version, exposure: 10, cells: null }],
    };
    server.deployments[0]!.State = 'COMPLETE';
    const second = await p.deploy(flag, { exposure: 50, cells: null });
    flag = {
      ...flag,
      deployments: [
        ...flag.deployments,
        { number: second.number, version: second.version, exposure: 50, cells: null },
      ],
    };
    const time = virtualTime();
    const result = await disableFlag({
      provider: p,
      flag,
      clock: time.clock,
      sleep: time.sleep,
      logger: silentLogger,
    });
    expect(result.error).toBeNull();
    expect(server.calls('StopDeployment')).toHaveLength(1);
    expect(server.deployments.map((d) => [d.ConfigurationVersion, d.DeploymentStrategyId])).toEqual([
      ['2', 'AppConfig.AllAtOnce'],
      ['3', 'AppConfig.AllAtOnce'],
      ['1', 'AppConfig.AllAtOnce'],
    ]);
    expect(result.flag.deployments.at(-1)).toMatchObject({ exposure: 0, version: 1 });
  });

  it('writes cell-aware rules naming the cells that have the flag', async () => {
    const p = provider();
    const flag = await p.prepare(TARGET);
    const started = await p.deploy(flag, { exposure: 50, cells: ['use1-a', 'use1-b', 'euw1-a', 'euw1-b'] });
    expect(started.cells).toEqual(['use1-a', 'use1-b']);
    expect(version(2).values.checkout!._variants![0]!.rule).toBe('(in $cell ["use1-a", "use1-b"])');
  });
});

describe('the documented IAM policy', () => {
  it('allows every AppConfig call a rollout, a breach and an emergency disable send', async () => {
    server.deployingReads = 50;
    await rollout('step-regression', 1);
    server.seed(BASE);
    server.rollBack.add(2);
    await rollout('healthy');
    const sent = new Set(server.requests.map((r) => `appconfig:${r.operation}`));
    const policy = documentedPolicy('run-plan');
    for (const action of sent) expect(policy, action).toContain(action);
    // And the policy names exactly what the adapter can send.
    expect(policy.filter((a) => a.startsWith('appconfig:'))).toEqual(appConfigActionsInSource());
  });
});
