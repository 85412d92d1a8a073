// The composite action's expressions, evaluated with GitHub's expression engine against realistic
// contexts, on every path: promoted, a failed gate, a cancelled run, a refused selection, a refused record.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildPlan, createRolloutState, serializeRolloutState, SETTINGS } from '@shiftgate/core';
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
        // select-strategy parses the composite's own settings with the catalogue's parsers.
        'upload-trace': String(
          SETTINGS['upload-trace'].parse('upload-trace', step.with['upload-trace'] || 'true'),
        ),
        'trace-retention-days': step.with['trace-retention-days']
          ? String(
              SETTINGS['trace-retention-days'].parse(
                'trace-retention-days',
                step.with['trace-retention-days'],
              ),
            )
          : '',
      };
    case 'record-deployment':
      // With a status, trace and trace-dir, record-deployment saves <trace-dir>/<deployment-id>.json.
      return step.with.status
        ? {
            record: '{}',
            'deployment-id': step.with['deployment-id'] ?? '',
            ...(step.with['trace-dir'] && step.with.trace
              ? { 'trace-file': `${step.with['trace-dir']}/${step.with['deployment-id']}.json` }
              : {}),
          }
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
    .map((s) => (s.action ? `${s.id.startsWith('__') ? '' : `${s.id}:`}${s.action}` : (s.uses ?? s.id)));
const UPLOAD = 'actions/upload-artifact@v4';
const step = (sim: { steps: SimulatedStep[] }, id: string) => sim.steps.find((s) => s.id === id)!;
const upload = (sim: { steps: SimulatedStep[] }) => sim.steps.find((s) => s.uses === UPLOAD)!;

describe('progressive-deploy', () => {
  it('promotes: select → start → run-plan → succeeded, no rollback', () => {
    const sim = run({});
    expect(ran(sim.steps)).toEqual([
      '__step0',
      'select:select-strategy',
      'start:record-deployment',
      'run:run-plan',
      'succeeded:record-deployment',
      UPLOAD,
    ]);
    expect(step(sim, 'succeeded').with).toMatchObject({ 'deployment-id': '1001', status: 'succeeded' });
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
      'succeeded:record-deployment',
      UPLOAD,
    ]);
    expect(promote.steps.find((s) => s.id === 'run')!.with.state).toBe(paused);
    expect(upload(promote).with.name).toBe('shiftgate-trace-1001');
    expect(step(promote, 'succeeded').with).toMatchObject({
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
      'failed:record-deployment',
      UPLOAD,
    ]);
    const rollback = sim.steps.find((s) => s.id === 'rollback')!;
    expect(rollback.with).toMatchObject({
      'listener-arn': LISTENER,
      'rollback-to': '',
      reason: 'a gate failed',
    });
    expect(rollback.with).not.toHaveProperty('to');
    expect(rollback.with.state).toContain('"rolled-back"');
    expect(step(sim, 'failed').with).toMatchObject({ status: 'rolled_back', 'deployment-id': '1001' });
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
    expect(step(sim, 'failed').ran).toBe(true);
    expect(step(sim, 'failed').with.status).toBe('rolled_back');
    expect(upload(sim).ran).toBe(true);
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
    expect(step(sim, 'failed').ran).toBe(false);
  });

  it('refuses a missing environment or version before anything else', () => {
    const sim = run({ inputs: { version: '' }, fail: '__step0' });
    expect(ran(sim.steps)).toEqual(['__step0']);
    expect(sim.steps[0]!.env).toEqual({ ENVIRONMENT: 'production', VERSION: '' });
  });
});

describe('progressive-deploy saves and uploads the run trace for the dashboard', () => {
  const TRACES = '/home/runner/work/_temp/shiftgate-traces';

  it('saves the trace under the runner temp and uploads it as shiftgate-trace-<deployment-id> after a promotion', () => {
    const sim = run({});
    expect(step(sim, 'select').with).toMatchObject({ 'upload-trace': 'true', 'trace-retention-days': '' });
    expect(step(sim, 'succeeded').with).toMatchObject({ trace: '{"bakes":[]}', 'trace-dir': TRACES });
    expect(upload(sim).ran).toBe(true);
    expect(upload(sim).with).toEqual({
      name: 'shiftgate-trace-1001',
      path: `${TRACES}/1001.json`,
      'retention-days': '',
      overwrite: 'true',
    });
  });

  it.each([
    ['a failed gate (rolled back)', { fail: 'run', decision: 'rollback' }, 'rolled_back'],
    ['run-plan failing without a decision', { fail: 'run', decision: '' }, 'failed'],
    ['a cancelled run', { cancel: 'run', decision: 'rollback' }, 'rolled_back'],
  ])('uploads the trace after %s, once the outcome is recorded', (_name, options, status) => {
    const sim = run(options);
    const ids = ran(sim.steps);
    expect(ids.indexOf(UPLOAD)).toBeGreaterThan(ids.indexOf('failed:record-deployment'));
    expect(step(sim, 'failed').with).toMatchObject({ status, 'trace-dir': TRACES });
    expect(upload(sim).with).toMatchObject({ name: 'shiftgate-trace-1001', path: `${TRACES}/1001.json` });
  });

  it('passes trace-retention-days, checked by select-strategy, to the upload', () => {
    expect(upload(run({ inputs: { 'trace-retention-days': '14' } })).with['retention-days']).toBe('14');
    expect(() => run({ inputs: { 'trace-retention-days': '91' } })).toThrow(
      "Input 'trace-retention-days' must be a whole number from 1 to 90, got '91'",
    );
  });

  it('saves and uploads nothing with upload-trace: false, and records the outcome all the same', () => {
    for (const options of [{}, { fail: 'run', decision: 'rollback' }]) {
      const sim = run({ ...options, inputs: { 'upload-trace': 'false' } });
      const recorded = step(sim, 'succeeded').ran ? step(sim, 'succeeded') : step(sim, 'failed');
      expect(recorded.ran).toBe(true);
      expect(recorded.with['trace-dir']).toBe('');
      expect(upload(sim).ran).toBe(false);
    }
  });

  it('neither fails the deployment nor touches its record when the upload fails (continue-on-error)', () => {
    const sim = simulateComposite(action, {
      inputs: { environment: 'production', version: 'v1' },
      github,
      outcome: (s) => (s.uses === UPLOAD ? 'failure' : 'success'),
      outputs: (s) => outputsOf(s, 'promote'),
    });
    expect(upload(sim).outcome).toBe('failure');
    expect(sim.status).toBe('success');
    expect(sim.outputs.decision).toBe('promote');
    expect(step(sim, 'succeeded').with.status).toBe('succeeded');
    // No second record, no rollback of a promotion.
    expect(step(sim, 'failed').ran).toBe(false);
    expect(step(sim, 'rollback').ran).toBe(false);
  });

  it('uploads nothing when the run never started (selection refused) or recording the outcome failed', () => {
    expect(upload(run({ fail: 'select' })).ran).toBe(false);
    const sim = simulateComposite(action, {
      inputs: { environment: 'production', version: 'v1' },
      github,
      outcome: (s) => (s.id === 'succeeded' ? 'failure' : 'success'),
      // A record step that fails sets no trace-file.
      outputs: (s) => (s.id === 'succeeded' ? {} : outputsOf(s, 'promote')),
    });
    expect(upload(sim).ran).toBe(false);
  });

  it('has no trace to upload when a paused A/B test is rejected (nothing ran in this call)', () => {
    const paused = state.replace('"planned"', '"paused"');
    const sim = run({ inputs: { state: paused, 'deployment-id': '1001', resume: 'rollback' } });
    expect(upload(sim).ran).toBe(false);
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
