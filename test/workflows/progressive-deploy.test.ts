// The composite action's expressions, evaluated with GitHub's expression engine against realistic
// contexts, on every path: promoted, a failed gate, a cancelled run, a refused selection, a refused record.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildPlan, createRolloutState, serializeRolloutState } from '@shiftgate/core';
import { loadAction, simulateComposite, type SimulatedStep } from '../support/composite';
import { ROOT } from '../support/runner';
import { runPlanSettings } from '../support/settings';

const action = loadAction('progressive-deploy');
const LISTENER =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2';
const plan = buildPlan('canary');
const state = serializeRolloutState(
  createRolloutState({
    strategy: 'canary',
    parameters: plan.parameters,
    plan: plan.steps,
    environment: 'production',
    now: new Date(0),
  }),
);
const github = {
  token: 'ghs_token',
  sha: 'a1b2c3d',
  event_name: 'workflow_dispatch',
  repository: 'acme/shop',
};

/** Outputs each action sets, shaped like the real ones. */
function outputsOf(step: SimulatedStep, decision: string): Record<string, string> {
  switch (step.action) {
    case 'select-strategy':
      return {
        strategy: 'canary',
        source: 'dispatch',
        'chosen-by': '{"source":"dispatch","actor":"octo-ops","label":null,"permission":null}',
        parameters: JSON.stringify(plan.parameters),
        plan: JSON.stringify(plan.steps),
        weights: '[5,10,25,100]',
        waves: '[]',
        state,
        gates: JSON.stringify({ 'max-error-rate': '0.5%', 'bake-time': '10m' }),
        targets: JSON.stringify({ 'listener-arn': LISTENER }),
      };
    case 'record-deployment':
      return step.with.status
        ? { record: '{}', 'deployment-id': step.with['deployment-id'] ?? '' }
        : { 'deployment-id': '1001', state, record: '{}' };
    case 'run-plan':
      return {
        decision,
        state: state.replace('"planned"', decision === 'promote' ? '"promoted"' : '"rolled-back"'),
        trace: '{"bakes":[]}',
        weights: '{}',
      };
    case 'rollback':
      return { 'rolled-back': 'false', weights: '{}', state };
    default:
      return {};
  }
}

function run(options: {
  fail?: string;
  cancel?: string;
  decision?: string;
  inputs?: Record<string, string>;
}) {
  return simulateComposite(action, {
    inputs: { environment: 'production', version: 'v1.2.3', ...options.inputs },
    github,
    outcome: (step) =>
      step.id === options.fail ? 'failure' : step.id === options.cancel ? 'cancelled' : 'success',
    outputs: (step) => outputsOf(step, options.decision ?? 'promote'),
  });
}

const ran = (steps: SimulatedStep[]) =>
  steps
    .filter((s) => s.ran)
    .map((s) => (s.action ? `${s.id.startsWith('__') ? '' : `${s.id}:`}${s.action}` : s.id));

describe('progressive-deploy', () => {
  it('promotes: select → start → run-plan → succeeded, no rollback', () => {
    const sim = run({});
    expect(ran(sim.steps)).toEqual([
      '__step0',
      'select:select-strategy',
      'start:record-deployment',
      'run:run-plan',
      'record-deployment',
    ]);
    const succeeded = sim.steps.filter((s) => s.ran).at(-1)!;
    expect(succeeded.with).toMatchObject({ 'deployment-id': '1001', status: 'succeeded' });
    // The record says who chose the strategy as select-strategy found it (the label's checked adder).
    expect(sim.steps.find((s) => s.id === 'start')!.with['chosen-by']).toBe(
      '{"source":"dispatch","actor":"octo-ops","label":null,"permission":null}',
    );
    expect(sim.outputs).toMatchObject({ strategy: 'canary', decision: 'promote', 'deployment-id': '1001' });
  });

  it('resumes a paused A/B test on its deployment: promote runs the plan on, rollback removes the rule', () => {
    const paused = state.replace('"planned"', '"paused"');
    const promote = run({ inputs: { state: paused, 'deployment-id': '1001' } });
    expect(ran(promote.steps)).toEqual([
      '__step0',
      '__step1',
      'select:select-strategy',
      'run:run-plan',
      'record-deployment',
    ]);
    expect(promote.steps.find((s) => s.id === 'run')!.with.state).toBe(paused);
    expect(promote.steps.filter((s) => s.ran).at(-1)!.with).toMatchObject({
      'deployment-id': '1001',
      status: 'succeeded',
    });
    const reject = run({ inputs: { state: paused, 'deployment-id': '1001', resume: 'rollback' } });
    expect(ran(reject.steps)).toEqual([
      '__step0',
      '__step1',
      'select:select-strategy',
      'rollback:rollback',
      'record-deployment',
    ]);
    expect(reject.steps.find((s) => s.id === 'rollback')!.with).toMatchObject({
      state: paused,
      reason: 'the A/B test was not approved',
    });
    expect(reject.steps.filter((s) => s.ran).at(-1)!.with).toMatchObject({
      'deployment-id': '1001',
      status: 'rolled_back',
    });
    expect(reject.outputs['deployment-id']).toBe('1001');
  });

  it('passes inputs first, then the config file, and leaves the rest empty for run-plan to default', () => {
    const sim = run({ inputs: { 'max-p99-latency': '300ms' } });
    const runPlan = sim.steps.find((s) => s.action === 'run-plan')!;
    expect(runPlan.with).toMatchObject({
      state,
      'listener-arn': LISTENER,
      'rule-arn': '',
      'max-error-rate': '0.5%',
      'max-p99-latency': '300ms',
      'bake-time': '10m',
      'min-healthy-percent': '',
      'poll-interval': '',
      'rollback-to': '',
    });
    // What run-plan makes of it: the catalogue's defaults fill what neither the inputs nor the file set.
    const settings = runPlanSettings(runPlan.with);
    expect(settings.gates).toMatchObject({
      maxErrorRate: 0.5,
      maxP99Latency: 300,
      minHealthyPercent: 95,
      confidence: 95,
      onInconclusive: 'rollback',
    });
    expect(settings).toMatchObject({ bakeTime: 600_000, pollInterval: 60_000, rollbackTo: 'stable' });
  });

  it('records rolled_back when a gate fails, after making sure traffic is back', () => {
    const sim = run({ fail: 'run', decision: 'rollback' });
    expect(ran(sim.steps)).toEqual([
      '__step0',
      'select:select-strategy',
      'start:record-deployment',
      'run:run-plan',
      'rollback:rollback',
      'record-deployment',
    ]);
    const rollback = sim.steps.find((s) => s.id === 'rollback')!;
    expect(rollback.with).toMatchObject({
      'listener-arn': LISTENER,
      'rollback-to': '',
      reason: 'a gate failed',
    });
    expect(rollback.with).not.toHaveProperty('to');
    expect(rollback.with.state).toContain('"rolled-back"');
    expect(sim.steps.at(-1)!.with).toMatchObject({ status: 'rolled_back', 'deployment-id': '1001' });
    expect(sim.status).toBe('failure');
  });

  it('passes rollback-to to run-plan and the rollback step alike', () => {
    const sim = run({ fail: 'run', decision: 'rollback', inputs: { 'rollback-to': 'previous' } });
    expect(sim.steps.find((s) => s.id === 'run')!.with['rollback-to']).toBe('previous');
    expect(sim.steps.find((s) => s.id === 'rollback')!.with['rollback-to']).toBe('previous');
  });

  it('rolls back and records rolled_back when the run is cancelled mid-plan (run-plan reports rollback)', () => {
    const sim = run({ cancel: 'run', decision: 'rollback' });
    expect(ran(sim.steps)).toContain('rollback:rollback');
    expect(sim.steps.at(-1)!.ran).toBe(true);
    expect(sim.steps.at(-1)!.with.status).toBe('rolled_back');
  });

  it('moves no traffic and records nothing when selection is refused', () => {
    const sim = run({ fail: 'select' });
    expect(ran(sim.steps)).toEqual(['__step0', 'select:select-strategy']);
    expect(sim.outputs.decision).toBe('');
  });

  it('does not roll back a promotion when only recording the success failed', () => {
    const sim = simulateComposite(action, {
      inputs: { environment: 'production', version: 'v1' },
      github,
      outcome: (step) =>
        step.action === 'record-deployment' && step.with.status === 'succeeded' ? 'failure' : 'success',
      outputs: (step) => outputsOf(step, 'promote'),
    });
    expect(sim.steps.find((s) => s.id === 'rollback')!.ran).toBe(false);
    expect(sim.steps.at(-1)!.ran).toBe(false);
  });

  it('refuses a missing environment or version before anything else', () => {
    const sim = run({ inputs: { version: '' }, fail: '__step0' });
    expect(ran(sim.steps)).toEqual(['__step0']);
    expect(sim.steps[0]!.env).toEqual({ ENVIRONMENT: 'production', VERSION: '' });
  });
});

describe('progressive-deploy at an approval step', () => {
  it('leaves the deployment in progress and traffic where it is when run-plan pauses', () => {
    const sim = run({ decision: 'paused' });
    expect(ran(sim.steps)).toEqual([
      '__step0',
      'select:select-strategy',
      'start:record-deployment',
      'run:run-plan',
    ]);
    expect(sim.outputs.decision).toBe('paused');
  });
});

describe('the resume check of the composite and the reusable workflow', () => {
  const scripts = () => {
    const composite = parseYaml(
      readFileSync(join(ROOT, 'actions/progressive-deploy/action.yml'), 'utf8'),
    ) as {
      runs: { steps: { name?: string; run?: string }[] };
    };
    const workflow = parseYaml(
      readFileSync(join(ROOT, '.github/workflows/progressive-deploy.yml'), 'utf8'),
    ) as { jobs: { deploy: { steps: { name?: string; run?: string }[] } } };
    return [composite.runs.steps, workflow.jobs.deploy.steps].map(
      (steps) => steps.find((s) => s.name === 'Check the resume inputs')!.run!,
    );
  };
  const check = (script: string, env: Record<string, string>) =>
    spawnSync('bash', ['-c', script], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });

  it.each([
    [{ RESUME: 'promote', DEPLOYMENT_ID: '1001', HAS_STATE: 'true' }, 0, ''],
    [{ RESUME: 'rollback', DEPLOYMENT_ID: '1001', HAS_STATE: 'true' }, 0, ''],
    [
      { RESUME: 'abandon', DEPLOYMENT_ID: '1001', HAS_STATE: 'true' },
      1,
      "Input 'resume' must be promote or rollback",
    ],
    [{ RESUME: 'rollback', DEPLOYMENT_ID: '', HAS_STATE: 'false' }, 1, "needs 'state'"],
    [{ RESUME: 'promote', DEPLOYMENT_ID: '12; rm -rf /', HAS_STATE: 'true' }, 1, "'deployment-id'"],
  ])('with %j exits %i', (env, code, message) => {
    for (const script of scripts()) {
      const result = check(script, env);
      expect(result.status).toBe(code);
      expect(result.stdout).toContain(message);
    }
  });
});
