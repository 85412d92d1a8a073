// The reusable workflow's expressions evaluated against realistic contexts: inputs, secrets, needs and job
// outputs are strict, so a reference to something that does not exist fails here.
import { describe, expect, it } from 'vitest';
import { buildPlan, createRolloutState, serializeRolloutState } from '@shiftgate/core';
import { loadWorkflow, simulateWorkflow, type SimulatedStep } from '../support/composite';
import { runPlanSettings } from '../support/settings';

const workflow = loadWorkflow('.github/workflows/progressive-deploy.yml');
const plan = buildPlan('linear');
const state = serializeRolloutState(
  createRolloutState({
    strategy: 'linear',
    parameters: plan.parameters,
    plan: plan.steps,
    environment: 'production',
    now: new Date(0),
  }),
);
const TARGETS = {
  'listener-arn': 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shop/1/2',
  'stable-target-group-arn': 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/blue/1',
  'canary-target-group-arn': 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/green/2',
};

function outputs(decision: string, parameters: Record<string, unknown> = plan.parameters) {
  return (_job: string, step: SimulatedStep): Record<string, string> => {
    switch (step.action) {
      case 'select-strategy':
        return {
          strategy: 'linear',
          parameters: JSON.stringify(parameters),
          state,
          gates: JSON.stringify({ 'max-error-rate': '2%' }),
          targets: JSON.stringify(TARGETS),
        };
      case 'record-deployment':
        return step.with.status ? {} : { 'deployment-id': '77', state };
      case 'run-plan':
        return { decision, state, trace: '{}' };
      case 'rollback':
        return { 'rolled-back': 'true', state };
      default:
        return {};
    }
  };
}

const inputs = {
  environment: 'production',
  version: 'v2',
  'role-to-assume': 'arn:aws:iam::123456789012:role/deploy',
  'aws-region': 'eu-west-1',
};
const github = { sha: 'abc', token: 'ghs', repository: 'acme/shop' };

describe('the progressive-deploy reusable workflow', () => {
  it('plans, then deploys with the config targets and gates, and reports the outcome', () => {
    const sim = simulateWorkflow(workflow, {
      inputs,
      github,
      secrets: { 'slack-webhook-url': 'https://hooks.example/x' },
      outputs: outputs('promote'),
    });
    const run = sim.jobs.deploy!.steps.find((s) => s.id === 'run')!;
    expect(run.with).toMatchObject({ ...TARGETS, 'max-error-rate': '2%', 'max-p99-latency': '', state });
    // Left empty, run-plan applies the catalogue's default.
    const settings = runPlanSettings(run.with);
    expect(settings.gates).toMatchObject({ maxErrorRate: 2, maxP99Latency: 500, minHealthyPercent: 95 });
    expect(sim.jobs.deploy!.steps.find((s) => s.id === 'rollback')!.ran).toBe(false);
    expect(sim.outputs).toEqual({ strategy: 'linear', decision: 'promote', 'deployment-id': '77', state });
  });

  it('rolls back and records rolled_back when a gate fails', () => {
    const sim = simulateWorkflow(workflow, {
      inputs: {
        ...inputs,
        'listener-arn': 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/other/3/4',
      },
      github,
      outcome: (_job, step) => (step.id === 'run' ? 'failure' : 'success'),
      outputs: outputs('rollback'),
    });
    const steps = sim.jobs.deploy!.steps;
    expect(steps.find((s) => s.id === 'rollback')!.with['listener-arn']).toContain('app/other/3/4');
    expect(steps.at(-1)!.with).toMatchObject({ status: 'rolled_back', 'deployment-id': '77' });
    expect(sim.outputs.decision).toBe('rollback');
  });

  it('records failed, not rolled_back, when a saga compensation still fails in the rollback step', () => {
    const services = '- {name: order, deploy: ./d.sh, compensate: ./c.sh, smoke: ./s.sh}';
    const failedState = state.replace('"planned"', '"failed"');
    const sim = simulateWorkflow(workflow, {
      inputs: { ...inputs, services },
      github,
      // run-plan fails with compensation-failed, and so does the rollback step that retries it.
      outcome: (_job, step) => (step.id === 'run' || step.id === 'rollback' ? 'failure' : 'success'),
      outputs: (job, step) =>
        step.action === 'rollback' ? { state: failedState } : outputs('rollback')(job, step),
    });
    const steps = sim.jobs.deploy!.steps;
    // The rollback step compensates with this run's services, never commands from a state.
    expect(steps.find((s) => s.id === 'rollback')!.with.services).toBe(services);
    expect(steps.at(-1)!.with).toMatchObject({ status: 'failed', 'deployment-id': '77', state: failedState });
  });

  describe('resuming a paused A/B test', () => {
    const paused = state.replace('"planned"', '"paused"');
    const resume = (how: string, outcome?: (job: string, step: SimulatedStep) => 'success' | 'failure') =>
      simulateWorkflow(workflow, {
        inputs: { ...inputs, state: paused, 'deployment-id': '77', resume: how },
        github,
        ...(outcome ? { outcome } : {}),
        outputs: outputs('promote'),
      });
    const ranActions = (sim: ReturnType<typeof resume>) =>
      sim.jobs.deploy!.steps.filter((s) => s.ran && s.action).map((s) => [s.action, s.with.status ?? '']);

    it('promotes from the paused state on the same deployment, starting none', () => {
      const sim = resume('promote');
      expect(sim.jobs.deploy!.steps.find((s) => s.id === 'run')!.with.state).toBe(paused);
      expect(ranActions(sim)).toEqual([
        ['run-plan', ''],
        ['record-deployment', 'succeeded'],
      ]);
      expect(sim.jobs.deploy!.steps.find((s) => s.with.status === 'succeeded')!.with['deployment-id']).toBe(
        '77',
      );
      expect(sim.outputs['deployment-id']).toBe('77');
    });

    it('rolls back a rejected test: the rule removed, traffic to A, recorded rolled_back', () => {
      const sim = resume('rollback');
      expect(ranActions(sim)).toEqual([
        ['rollback', ''],
        ['record-deployment', 'rolled_back'],
      ]);
      const rollback = sim.jobs.deploy!.steps.find((s) => s.id === 'rollback')!;
      expect(rollback.with).toMatchObject({ state: paused, reason: 'the A/B test was not approved' });
    });

    it('rolls back and records it when the resumed promotion fails', () => {
      const sim = resume('promote', (_job, step) => (step.id === 'run' ? 'failure' : 'success'));
      expect(ranActions(sim).map(([action]) => action)).toEqual([
        'run-plan',
        'rollback',
        'record-deployment',
      ]);
      expect(sim.jobs.deploy!.steps.filter((s) => s.ran).at(-1)!.with).toMatchObject({
        'deployment-id': '77',
      });
    });
  });

  it("gives run-plan the plan job's flag-command, never one from a state", () => {
    const flag = buildPlan('feature-flag', { 'flag-command': './set-flag.sh' });
    const sim = simulateWorkflow(workflow, {
      inputs,
      github,
      outputs: outputs('promote', flag.parameters),
    });
    expect(sim.jobs.deploy!.steps.find((s) => s.id === 'run')!.with['flag-command']).toBe('./set-flag.sh');
    const plain = simulateWorkflow(workflow, { inputs, github, outputs: outputs('promote') });
    expect(plain.jobs.deploy!.steps.find((s) => s.id === 'run')!.with['flag-command']).toBe('');
  });

  it('does not deploy when planning fails', () => {
    const sim = simulateWorkflow(workflow, {
      inputs,
      github,
      outcome: (job) => (job === 'plan' ? 'failure' : 'success'),
      outputs: outputs('promote'),
    });
    expect(sim.jobs.deploy!.ran).toBe(false);
  });

  it('refuses inputs the workflow does not declare', () => {
    expect(() => simulateWorkflow(workflow, { inputs: { ...inputs, enviroment: 'x' }, github })).toThrow(
      "input 'enviroment' is not declared",
    );
  });
});
