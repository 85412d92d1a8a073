// run-plan with flag-provider appconfig, in this process on virtual time: the ELBv2 and CloudWatch fakes
// and the loopback AppConfig, each reached by the real SDK client the action builds (the AppConfig one
// imported lazily). A rollout moves the flag step by step; a breach stops and reverts it; a killed job's
// post step takes the flag back.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CANARY, LISTENER, ROUTES, STABLE, useAlbFakes } from '../../support/alb-fakes';
import {
  buildPlan,
  createRolloutState,
  parseRolloutState,
  serializeRolloutState,
  virtualTime,
} from '@shiftgate/core';
import { TrafficModel, type Scenario } from '@shiftgate/cli';
import { run } from '../../../actions/run-plan/src/main';
import { post } from '../../../actions/run-plan/src/restore';
import { asTargetWeights, modelMetrics } from '../../support/model-metrics';
import { commandMessages, inputEnv, parseCommandFile } from '../../support/runner';
import { LOOPBACK_CREDENTIALS, useStepEnv } from '../../support/step-env';
import { AppConfigServer } from '../../support/appconfig-server';

const NOW = Date.UTC(2026, 3, 1, 9, 0, 30);
const fakes = useAlbFakes();
const SUMMARY = join(mkdtempSync(join(tmpdir(), 'shiftgate-run-plan-flag-')), 'summary.md');
const BASE = JSON.stringify({
  version: '1',
  flags: { checkout: { name: 'Checkout' }, 'dark-mode': { name: 'Dark mode' } },
  values: { checkout: { enabled: false }, 'dark-mode': { enabled: true } },
});
let appconfig: AppConfigServer;
beforeAll(async () => {
  appconfig = await AppConfigServer.start();
});
afterAll(async () => appconfig.close());
beforeEach(() => appconfig.seed(BASE));

const currentStep = useStepEnv(
  () => ({
    GITHUB_STEP_SUMMARY: SUMMARY,
    AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: fakes.elbv2.url,
    AWS_ENDPOINT_URL_CLOUDWATCH: fakes.cloudwatch.url,
    AWS_ENDPOINT_URL_APPCONFIG: appconfig.url,
    ...LOOPBACK_CREDENTIALS,
    AWS_REGION: 'us-east-1',
  }),
  () => {
    writeFileSync(SUMMARY, '');
    fakes.cloudwatch.alarms.clear();
  },
);

const PLAN = {
  'flag-provider': 'appconfig',
  'appconfig-application': 'shop',
  'appconfig-environment': 'prod',
  'appconfig-profile': 'flags',
  'flag-name': 'checkout',
  'flag-steps': '10,100',
  'bake-time': '3m',
};

function state(parameters: Record<string, string> = PLAN): string {
  const plan = buildPlan('feature-flag', parameters);
  return serializeRolloutState(
    createRolloutState({
      strategy: 'feature-flag',
      parameters: plan.parameters,
      plan: plan.steps,
      now: new Date(NOW - 60_000),
    }),
  );
}

function feed(scenario: Scenario, at = 8) {
  const model = new TrafficModel({ seed: 7, start: NOW, scenario, at });
  fakes.cloudwatch.metrics = modelMetrics({
    model,
    pair: { stable: STABLE, canary: CANARY },
    weights: () => asTargetWeights(fakes.elbv2.weights(LISTENER)),
  });
}

async function runAction(inputs: Record<string, string>, killAfterSleeps?: number) {
  for (const [k, v] of Object.entries(inputEnv(inputs))) vi.stubEnv(k, v);
  const time = virtualTime(NOW);
  let sleeps = 0;
  let stdout = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  try {
    await new Promise<void>((resolve, reject) => {
      run({
        clock: time.clock,
        sleep: async (ms, signal) => {
          await time.sleep(ms, signal);
          if (++sleeps === killAfterSleeps) {
            // The runner died: the step never resumes; only what it saved survives.
            resolve();
            await new Promise(() => undefined);
          }
        },
      }).then(resolve, reject);
    });
  } finally {
    spy.mockRestore();
  }
  const outputs = parseCommandFile(readFileSync(currentStep().output, 'utf8'));
  return {
    outputs,
    saved: parseCommandFile(readFileSync(currentStep().state, 'utf8')),
    errors: commandMessages(stdout, 'error'),
  };
}

const starts = () =>
  appconfig
    .calls('StartDeployment')
    .map((r) => (JSON.parse(r.body) as { ConfigurationVersion: string }).ConfigurationVersion);

/** Four cells in two regions, each its own listener and target groups. */
const CELLS = JSON.stringify(
  ['use1-a', 'use1-b', 'euw1-a', 'euw1-b'].map((name, i) => {
    const region = name.startsWith('use1') ? 'us-east-1' : 'eu-west-1';
    const arn = (base: string) => base.replace('us-east-1', region).replace(/[0-9a-f]{4}$/, `c0d${i}`);
    return {
      name,
      region,
      'listener-arn': arn(LISTENER),
      'stable-target-group-arn': arn(STABLE),
      'canary-target-group-arn': arn(CANARY),
    };
  }),
);

describe('run-plan with flag-provider appconfig', () => {
  it('shifts to the new version, then deploys the flag at each exposure and promotes', async () => {
    feed('healthy');
    const result = await runAction({ state: state(), ...ROUTES });
    expect(result.errors).toEqual([]);
    expect(result.outputs.decision).toBe('promote');
    expect(starts()).toEqual(['2', '3']);
    const flag = parseRolloutState('state', result.outputs.state!).flag!;
    expect(flag.deployments.map((d) => d.exposure)).toEqual([10, 100]);
    // A finished rollout leaves nothing for the post step to take back.
    expect(result.saved.flag).toBe('');
  });

  it("is cell-aware with a cells input: each step's rule names the cells that have the flag", async () => {
    feed('healthy');
    const cells = CELLS;
    const result = await runAction({
      state: state({ ...PLAN, 'flag-steps': '50,100' }),
      ...ROUTES,
      cells,
    });
    expect(result.errors).toEqual([]);
    expect(result.outputs.decision).toBe('promote');
    // Traffic moved on the one listener of the inputs, not over the cells' routes.
    expect(
      fakes.elbv2
        .weights(LISTENER)
        .filter(([, w]) => w > 0)
        .map(([g]) => g),
    ).toEqual([CANARY]);
    const flag = parseRolloutState('state', result.outputs.state!).flag!;
    expect(flag.deployments.map((d) => d.cells)).toEqual([
      ['use1-a', 'use1-b'],
      ['use1-a', 'use1-b', 'euw1-a', 'euw1-b'],
    ]);
    const second = JSON.parse(appconfig.versions.get('prf3ghi')![1]!) as {
      values: Record<string, { _variants?: { rule?: string }[] }>;
    };
    expect(second.values.checkout!._variants![0]!.rule).toBe('(in $cell ["use1-a", "use1-b"])');
  });

  it('refuses a cells input for a strategy that neither waves cells nor flags them, before anything moves', async () => {
    feed('healthy');
    const plan = buildPlan('canary', { steps: '10,100', 'bake-time': '3m' });
    const canary = serializeRolloutState(
      createRolloutState({
        strategy: 'canary',
        parameters: plan.parameters,
        plan: plan.steps,
        now: new Date(NOW - 60_000),
      }),
    );
    const refused = await runAction({ state: canary, ...ROUTES, cells: CELLS });
    expect(refused.errors[0]).toMatch(/Input 'cells' applies to the rolling strategy .* not to canary/);
    expect(refused.outputs).toEqual({});
    expect(fakes.elbv2.actions((r) => r.action.startsWith('Modify'))).toEqual([]);
  });

  it('refuses a profile that does not exist before any traffic or flag moves', async () => {
    feed('healthy');
    appconfig.profiles.length = 0;
    const refused = await runAction({ state: state(), ...ROUTES });
    expect(refused.errors[0]).toMatch(
      /run-plan failed: Input 'appconfig-profile' is 'flags', but application app1abc has no configuration profile/,
    );
    expect(refused.outputs).toEqual({});
    expect(fakes.elbv2.actions((r) => r.action.startsWith('Modify'))).toEqual([]);
    expect(appconfig.calls('CreateHostedConfigurationVersion')).toHaveLength(0);
  });

  it('stops the deployment and reverts the flag when the gate breaches', async () => {
    appconfig.deployingReads = 50;
    feed('step-regression', 1);
    const result = await runAction({ state: state(), ...ROUTES });
    expect(result.outputs.decision).toBe('rollback');
    expect(appconfig.calls('StopDeployment')).toHaveLength(1);
    expect(appconfig.live()).toBeNull();
    expect(
      fakes.elbv2
        .weights(LISTENER)
        .filter(([, w]) => w > 0)
        .map(([g]) => g),
    ).toEqual([STABLE]);
  });

  it('has the post step of a killed job stop the deployment it started', async () => {
    appconfig.deployingReads = 500;
    feed('healthy');
    // Killed during the bake after the 10% step, its deployment still in progress.
    const killed = await runAction({ state: state(), ...ROUTES }, 3);
    expect(killed.saved.flag).toContain('"flag-name":"checkout"');
    expect(appconfig.deployments.map((d) => d.State)).toEqual(['DEPLOYING']);
    vi.stubEnv('STATE_restore', killed.saved.restore ?? '');
    vi.stubEnv('STATE_flag', killed.saved.flag!);
    let stdout = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      return true;
    });
    try {
      await post({ sleep: async () => {} });
    } finally {
      spy.mockRestore();
    }
    expect(commandMessages(stdout, 'error')).toEqual([]);
    expect(appconfig.calls('StopDeployment')).toHaveLength(1);
    expect(appconfig.deployments[0]!.State).toBe('ROLLED_BACK');
    expect(stdout).toContain("flag 'checkout' taken back");
  });
});
