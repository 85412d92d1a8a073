// The reusable workflow's expressions evaluated against realistic contexts: inputs, secrets, needs and job
// outputs are strict, so a reference to something that does not exist fails here.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPlan, createRolloutState, serializeRolloutState, SETTINGS } from '@shiftgate/core';
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
          ...traceSettings(step),
        };
      case 'record-deployment':
        return step.with.status ? recorded(step) : { 'deployment-id': '77', state };
      case 'run-plan':
        return { decision, state, trace: '{}' };
      case 'rollback':
        return { 'rolled-back': 'true', state };
      default:
        return {};
    }
  };
}

/** select-strategy's outputs of the workflow's own settings: parsed with the catalogue's parsers. */
function traceSettings(step: SimulatedStep): Record<string, string> {
  const days = step.with['trace-retention-days'] ?? '';
  return {
    'upload-trace': String(
      SETTINGS['upload-trace'].parse('upload-trace', step.with['upload-trace'] || 'true'),
    ),
    'trace-retention-days':
      days === '' ? '' : String(SETTINGS['trace-retention-days'].parse('trace-retention-days', days)),
  };
}

/** record-deployment with a status: the deployment id, and with trace and trace-dir the saved file. */
function recorded(step: SimulatedStep): Record<string, string> {
  const id = step.with['deployment-id'] ?? '';
  return {
    'deployment-id': id,
    ...(step.with['trace-dir'] && step.with.trace
      ? { 'trace-file': `${step.with['trace-dir']}/${id}.json` }
      : {}),
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
    expect(steps.find((s) => s.id === 'failed')!.with).toMatchObject({
      status: 'rolled_back',
      'deployment-id': '77',
    });
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
    expect(steps.find((s) => s.id === 'failed')!.with).toMatchObject({
      status: 'failed',
      'deployment-id': '77',
      state: failedState,
    });
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
      expect(sim.jobs.deploy!.steps.find((s) => s.id === 'failed')!.with).toMatchObject({
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

describe('the progressive-deploy reusable workflow, one job per region (per-region)', () => {
  const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];
  const perRegion = { ...inputs, strategy: 'rolling', 'per-region': true as unknown as string };

  /** Each region job's run-plan returns its own state; `decide` says how each region ends. */
  function regionOutputs(decide: (region: string) => string, regions = REGIONS) {
    return (job: string, step: SimulatedStep): Record<string, string> => {
      switch (step.action) {
        case 'select-strategy':
          return {
            strategy: 'rolling',
            parameters: JSON.stringify({ 'on-failure': 'rollback-all' }),
            state: 'planned-state',
            gates: '{}',
            targets: '{}',
            regions: JSON.stringify(regions),
            ...traceSettings(step),
          };
        case 'record-deployment':
          return step.with.status ? recorded(step) : { 'deployment-id': '77', state: 'started-state' };
        case 'run-plan':
          return {
            decision: decide(step.with['only-region']!),
            state: `state-after-${job}`,
            trace: `{"steps":[],"job":"${job}"}`,
          };
        case 'rollback':
          return { 'rolled-back': 'true', state: `rolled-back-in-${job}` };
        default:
          return {};
      }
    };
  }

  it('runs the regions in order, each in its own environment, the state passing from job to job', () => {
    const sim = simulateWorkflow(workflow, {
      inputs: perRegion,
      github,
      outputs: regionOutputs((region) => (region === 'eu-west-1' ? 'promote' : 'paused')),
    });
    expect(sim.jobs.deploy!.ran).toBe(false);
    const ran = Object.keys(sim.jobs).filter((j) => j.startsWith('region-') && sim.jobs[j]!.ran);
    expect(ran).toEqual(['region-1', 'region-2', 'region-3']);
    expect(ran.map((j) => sim.jobs[j]!.environment)).toEqual([
      'production-us-east-1',
      'production-us-west-2',
      'production-eu-west-1',
    ]);
    const run = (job: string) => sim.jobs[job]!.steps.find((s) => s.id === 'run')!.with;
    expect(ran.map((j) => run(j)['only-region'])).toEqual(REGIONS);
    expect(ran.map((j) => run(j).state)).toEqual([
      'started-state',
      'state-after-region-1',
      'state-after-region-2',
    ]);
    // Each cell names its routes: the single-route inputs are never given to run-plan here.
    expect(run('region-2')).not.toHaveProperty('listener-arn');
    // Only the last region records the success, on the deployment the first one started.
    const recorded = ran.flatMap((j) =>
      sim.jobs[j]!.steps.filter((s) => s.ran && s.action === 'record-deployment' && s.with.status),
    );
    expect(recorded.map((s) => [s.with.status, s.with['deployment-id']])).toEqual([['succeeded', '77']]);
    // The state output is the last region's (what a later call would resume from).
    const { state: last, ...rest } = sim.outputs;
    expect(rest).toEqual({ strategy: 'rolling', decision: 'promote', 'deployment-id': '77' });
    expect(last).not.toBe('');
  });

  it('stops the chain at a failing region and records the rollback run-plan did', () => {
    const sim = simulateWorkflow(workflow, {
      inputs: perRegion,
      github,
      outcome: (job, step) => (job === 'region-2' && step.id === 'run' ? 'failure' : 'success'),
      outputs: regionOutputs((region) => (region === 'us-west-2' ? 'rollback' : 'paused')),
    });
    expect(sim.jobs['region-3']!.ran).toBe(false);
    const steps = sim.jobs['region-2']!.steps;
    // run-plan decided and sent traffic back itself (on-failure): no second rollback.
    expect(steps.find((s) => s.id === 'rollback')!.ran).toBe(false);
    expect(steps.find((s) => s.id === 'failed')!.with).toMatchObject({
      status: 'rolled_back',
      'deployment-id': '77',
      state: 'state-after-region-2',
    });
    expect(sim.outputs.decision).toBe('rollback');
  });

  it('rolls back every cell the state lists when run-plan dies without a decision', () => {
    const sim = simulateWorkflow(workflow, {
      inputs: perRegion,
      github,
      outcome: (job, step) => (job === 'region-2' && step.id === 'run' ? 'failure' : 'success'),
      outputs: (job, step) =>
        job === 'region-2' && step.action === 'run-plan' ? {} : regionOutputs(() => 'paused')(job, step),
    });
    const rollback = sim.jobs['region-2']!.steps.find((s) => s.id === 'rollback')!;
    expect(rollback.ran).toBe(true);
    expect(rollback.with.state).toBe('state-after-region-1');
    expect(sim.jobs['region-2']!.steps.find((s) => s.id === 'failed')!.with).toMatchObject({
      status: 'rolled_back',
    });
    expect(sim.jobs['region-3']!.ran).toBe(false);
  });

  it('skips the region jobs the plan does not need, and never runs them without per-region', () => {
    const two = simulateWorkflow(workflow, {
      inputs: perRegion,
      github,
      outputs: regionOutputs(
        (region) => (region === 'us-west-2' ? 'promote' : 'paused'),
        REGIONS.slice(0, 2),
      ),
    });
    expect(Object.keys(two.jobs).filter((j) => two.jobs[j]!.ran)).toEqual(['plan', 'region-1', 'region-2']);
    const plain = simulateWorkflow(workflow, { inputs, github, outputs: outputs('promote') });
    expect(Object.keys(plain.jobs).filter((j) => plain.jobs[j]!.ran)).toEqual(['plan', 'deploy']);
  });

  it('holds a chain of 8 region jobs, each after the one before', () => {
    const regionJobs = Object.keys(workflow.jobs).filter((j) => j.startsWith('region-'));
    expect(regionJobs).toEqual(Array.from({ length: 8 }, (_, i) => `region-${i + 1}`));
    regionJobs
      .slice(1)
      .forEach((job, i) => expect(workflow.jobs[job]!.needs).toEqual(['plan', `region-${i + 1}`]));
  });

  it('refuses a plan of more than 8 regions, or none, in the plan job (the check runs in bash)', () => {
    const check = workflow.jobs.plan!.steps.find((s) => s.name === 'Check the region chain')!;
    const run = (regions: string[]) =>
      spawnSync('bash', ['-c', check.run!], {
        env: { ...process.env, REGIONS: JSON.stringify(regions) },
        encoding: 'utf8',
      });
    expect(run(['us-east-1', 'eu-west-1']).status).toBe(0);
    const nine = run(Array.from({ length: 9 }, (_, i) => `r-${i}`));
    expect(nine.status).toBe(1);
    expect(nine.stdout).toContain(
      '::error::per-region runs at most 8 regions, one job each; this plan has 9',
    );
    expect(run([]).stdout).toContain('::error::per-region needs a rolling plan over cells');
  });
});

describe('the progressive-deploy reusable workflow saves and uploads the run trace for the dashboard', () => {
  const TRACES = '/home/runner/work/_temp/shiftgate-traces';
  const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];
  const perRegion = { ...inputs, strategy: 'rolling', 'per-region': true as unknown as string };
  const UPLOAD = 'actions/upload-artifact@v4';

  /** Every artifact the run uploaded, as [job, name, path]. */
  const uploads = (sim: ReturnType<typeof simulateWorkflow>) =>
    Object.entries(sim.jobs).flatMap(([job, r]) =>
      r.steps.filter((s) => s.ran && s.uses === UPLOAD).map((s) => [job, s.with.name, s.with.path]),
    );
  /** The names examples/dashboard.yml collects (`pattern: shiftgate-trace-*`). */
  const collected = (sim: ReturnType<typeof simulateWorkflow>) =>
    uploads(sim).filter(([, name]) => /^shiftgate-trace-/.test(name!));

  it('uploads the deploy job’s trace as shiftgate-trace-<deployment-id>, from the runner temp', () => {
    const sim = simulateWorkflow(workflow, {
      inputs: { ...inputs, 'trace-retention-days': '30' },
      github,
      outputs: outputs('promote'),
    });
    const steps = sim.jobs.deploy!.steps;
    expect(steps.find((s) => s.id === 'succeeded')!.with['trace-dir']).toBe(TRACES);
    expect(steps.find((s) => s.uses === UPLOAD)!.with).toEqual({
      name: 'shiftgate-trace-77',
      path: `${TRACES}/77.json`,
      'retention-days': '30',
      overwrite: 'true',
    });
    expect(collected(sim)).toEqual([['deploy', 'shiftgate-trace-77', `${TRACES}/77.json`]]);
  });

  it.each([
    ['a failed gate', 'rollback', 'rolled_back'],
    ['run-plan failing without a decision', '', 'failed'],
  ])('uploads it after %s, once the outcome is recorded', (_name, decision, status) => {
    const sim = simulateWorkflow(workflow, {
      inputs,
      github,
      outcome: (_job, step) => (step.id === 'run' ? 'failure' : 'success'),
      outputs: (job, step) =>
        step.action === 'rollback' ? { 'rolled-back': 'false', state } : outputs(decision)(job, step),
    });
    const steps = sim.jobs.deploy!.steps;
    expect(steps.find((s) => s.id === 'failed')!.with).toMatchObject({ status, 'trace-dir': TRACES });
    const at = (pred: (s: SimulatedStep) => boolean) => steps.findIndex(pred);
    expect(at((s) => s.uses === UPLOAD)).toBeGreaterThan(at((s) => s.id === 'failed'));
    expect(collected(sim)).toEqual([['deploy', 'shiftgate-trace-77', `${TRACES}/77.json`]]);
  });

  it('saves and uploads nothing with upload-trace: false', () => {
    const off = { 'upload-trace': false as unknown as string };
    const plain = simulateWorkflow(workflow, {
      inputs: { ...inputs, ...off },
      github,
      outputs: outputs('promote'),
    });
    expect(plain.jobs.plan!.steps.find((s) => s.id === 'select')!.with['upload-trace']).toBe('false');
    expect(plain.jobs.deploy!.steps.find((s) => s.id === 'succeeded')!.with['trace-dir']).toBe('');
    const chain = simulateWorkflow(workflow, {
      inputs: { ...perRegion, ...off },
      github,
      outputs: regionOutputs((region) => (region === 'eu-west-1' ? 'promote' : 'paused')),
    });
    expect(uploads(plain)).toEqual([]);
    expect(uploads(chain)).toEqual([]);
    expect(chain.jobs['region-3']!.steps.find((s) => s.id === 'succeeded')!.ran).toBe(true);
  });

  it('keeps a failed upload from failing the job or changing its outputs (continue-on-error)', () => {
    const sim = simulateWorkflow(workflow, {
      inputs,
      github,
      outcome: (_job, step) => (step.uses === UPLOAD ? 'failure' : 'success'),
      outputs: outputs('promote'),
    });
    expect(sim.jobs.deploy!.status).toBe('success');
    expect(sim.jobs.deploy!.steps.find((s) => s.id === 'failed')!.ran).toBe(false);
    expect(sim.outputs).toMatchObject({ decision: 'promote', 'deployment-id': '77' });
  });

  /** A chain of regions; each run-plan's trace names its job, so where each went can be told. */
  function regionOutputs(decide: (region: string) => string) {
    return (job: string, step: SimulatedStep): Record<string, string> => {
      switch (step.action) {
        case 'select-strategy':
          return {
            strategy: 'rolling',
            parameters: '{}',
            state: 'planned-state',
            gates: '{}',
            targets: '{}',
            regions: JSON.stringify(REGIONS),
            ...traceSettings(step),
          };
        case 'record-deployment':
          return step.with.status ? recorded(step) : { 'deployment-id': '77', state: 'started-state' };
        case 'run-plan':
          return {
            decision: decide(step.with['only-region']!),
            state: `state-after-${job}`,
            trace: `{"steps":[],"job":"${job}"}`,
          };
        default:
          return {};
      }
    };
  }

  it('over regions: each paused region keeps its part, the last joins them and uploads the one trace', () => {
    const sim = simulateWorkflow(workflow, {
      inputs: perRegion,
      github,
      outputs: regionOutputs((region) => (region === 'eu-west-1' ? 'promote' : 'paused')),
    });
    for (const [k, job] of ['region-1', 'region-2'].entries()) {
      const keep = sim.jobs[job]!.steps.find((s) => s.id === 'keep-trace')!;
      expect(keep.ran).toBe(true);
      expect(keep.env).toEqual({
        TRACE: `{"steps":[],"job":"${job}"}`,
        DEPLOYMENT_ID: '77',
        PART: String(k + 1),
      });
      // Paused: no outcome, so nothing recorded and no trace collected by the dashboard from this job.
      expect(
        sim.jobs[job]!.steps.filter((s) => s.ran && s.action === 'record-deployment' && s.with.status),
      ).toEqual([]);
    }
    const parts = uploads(sim).filter(([, name]) => name!.startsWith('shiftgate-region-trace-'));
    expect(parts).toEqual([
      ['region-1', 'shiftgate-region-trace-77-1', '/home/runner/work/_temp/shiftgate-trace-parts'],
      ['region-2', 'shiftgate-region-trace-77-2', '/home/runner/work/_temp/shiftgate-trace-parts'],
    ]);
    // The last region fetches the parts into the directory its record step saves to, before it records.
    const last = sim.jobs['region-3']!.steps;
    const collect = last.find((s) => s.uses === 'actions/download-artifact@v4')!;
    expect(collect.ran).toBe(true);
    expect(collect.with).toEqual({
      pattern: 'shiftgate-region-trace-77-*',
      'merge-multiple': 'true',
      path: TRACES,
    });
    expect(last.indexOf(collect)).toBeLessThan(last.findIndex((s) => s.id === 'succeeded'));
    expect(last.find((s) => s.id === 'succeeded')!.with['trace-dir']).toBe(TRACES);
    expect(last.find((s) => s.id === 'keep-trace')!.ran).toBe(false);
    // Exactly one artifact per deployment for the dashboard.
    expect(collected(sim)).toEqual([['region-3', 'shiftgate-trace-77', `${TRACES}/77.json`]]);
  });

  it('over regions: a failing region joins the earlier parts and uploads the trace of the rollback', () => {
    const sim = simulateWorkflow(workflow, {
      inputs: perRegion,
      github,
      outcome: (job, step) => (job === 'region-2' && step.id === 'run' ? 'failure' : 'success'),
      outputs: regionOutputs((region) => (region === 'us-west-2' ? 'rollback' : 'paused')),
    });
    const steps = sim.jobs['region-2']!.steps;
    expect(steps.find((s) => s.uses === 'actions/download-artifact@v4')!.ran).toBe(true);
    expect(steps.find((s) => s.id === 'failed')!.with).toMatchObject({
      status: 'rolled_back',
      'trace-dir': TRACES,
    });
    expect(collected(sim)).toEqual([['region-2', 'shiftgate-trace-77', `${TRACES}/77.json`]]);
    expect(sim.jobs['region-3']!.ran).toBe(false);
  });

  it('over regions: a part that fails to save or upload never stops the chain', () => {
    const sim = simulateWorkflow(workflow, {
      inputs: perRegion,
      github,
      outcome: (job, step) =>
        job === 'region-1' && (step.id === 'keep-trace' || step.uses === UPLOAD) ? 'failure' : 'success',
      outputs: regionOutputs((region) => (region === 'eu-west-1' ? 'promote' : 'paused')),
    });
    expect(sim.jobs['region-1']!.status).toBe('success');
    expect(sim.jobs['region-3']!.steps.find((s) => s.id === 'succeeded')!.ran).toBe(true);
    expect(sim.outputs.decision).toBe('promote');
  });

  it('keeps a part with the bash step as <deployment-id>.part-<k>.json, and refuses an id that is not a number', () => {
    const keep = workflow.jobs['region-2']!.steps.find((s) => s.id === 'keep-trace')!;
    const temp = mkdtempSync(join(tmpdir(), 'shiftgate-runner-temp-'));
    const script = (env: Record<string, string>) =>
      spawnSync('bash', ['-c', keep.run!], {
        env: { PATH: process.env.PATH ?? '', RUNNER_TEMP: temp, PART: '2', ...env },
        encoding: 'utf8',
      });
    const trace = '{"steps":[{"index":0}],"reason":"it\'s $(done) `now`"}';
    expect(script({ TRACE: trace, DEPLOYMENT_ID: '77' }).status).toBe(0);
    expect(readFileSync(join(temp, 'shiftgate-trace-parts', '77.part-2.json'), 'utf8')).toBe(trace);
    const bad = script({ TRACE: trace, DEPLOYMENT_ID: '../../x' });
    expect(bad.status).toBe(1);
    expect(readdirSync(join(temp, 'shiftgate-trace-parts'))).toEqual(['77.part-2.json']);
  });
});
