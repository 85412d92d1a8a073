// run-plan's run() and post() in this process, with virtual time, against the loopback ELBv2 and
// CloudWatch fakes (real SDK clients through AWS_ENDPOINT_URL_*), the CloudWatch fake fed by the
// simulator's traffic model.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { CloudWatchServer } from '../../support/cloudwatch-server';
import type { Elbv2Server } from '../../support/elbv2-server';
import { CANARY, LB, LISTENER, ROUTES, STABLE, useAlbFakes } from '../../support/alb-fakes';
import {
  buildPlan,
  createRolloutState,
  parseRolloutState,
  serializeRolloutState,
  virtualTime,
  type RawParameter,
  type RunTrace,
  type StrategyName,
} from '@shiftgate/core';
import { TrafficModel, type Scenario } from '@shiftgate/cli';
import { ELBV2_ROUTER_ACTIONS, ELBV2_RULE_ACTIONS } from '@shiftgate/aws';
import { run } from '../../../actions/run-plan/src/main';
import { post } from '../../../actions/run-plan/src/restore';
import { DEFAULTS, parseInputs } from '../../../actions/run-plan/src/inputs';
import { runnerTime } from '../../../actions/run-plan/src/clock';
import {
  actionMetadata,
  appConfigActionsInSource,
  documentedPolicy,
  postIfRuns,
} from '../../e2e/traffic-runner';
import { asTargetWeights, modelMetrics } from '../../support/model-metrics';
import { commandMessages, inputEnv, parseCommandFile } from '../../support/runner';
import { LOOPBACK_CREDENTIALS, useStepEnv } from '../../support/step-env';

const NOW = Date.UTC(2026, 3, 1, 9, 0, 30);

const fakes = useAlbFakes();
let elbv2: Elbv2Server;
let cloudwatch: CloudWatchServer;
// @actions/core's summary keeps the first GITHUB_STEP_SUMMARY path it sees: one file for the whole file.
const SUMMARY = join(mkdtempSync(join(tmpdir(), 'shiftgate-run-plan-')), 'summary.md');

beforeAll(() => {
  ({ elbv2, cloudwatch } = fakes);
});
const currentStep = useStepEnv(
  () => ({
    GITHUB_STEP_SUMMARY: SUMMARY,
    AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: elbv2.url,
    AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch.url,
    ...LOOPBACK_CREDENTIALS,
    AWS_REGION: 'us-east-1',
  }),
  () => {
    writeFileSync(SUMMARY, '');
    cloudwatch.alarms.clear();
  },
);

function stateFor(strategy: StrategyName, parameters: Record<string, RawParameter>): string {
  const plan = buildPlan(strategy, parameters);
  return serializeRolloutState(
    createRolloutState({
      strategy,
      parameters: plan.parameters,
      plan: plan.steps,
      compensation: plan.compensation,
      environment: 'production',
      version: 'v2.4.0',
      now: new Date(NOW - 60_000),
    }),
  );
}

function feed(scenario: Scenario, seed = 7) {
  const model = new TrafficModel({ seed, start: NOW, scenario, at: 8 });
  cloudwatch.metrics = modelMetrics({
    model,
    pair: { stable: STABLE, canary: CANARY },
    weights: () => asTargetWeights(elbv2.weights(LISTENER)),
  });
}

async function runAction(inputs: Record<string, string>, options: { signalAfterSleeps?: number } = {}) {
  for (const [k, v] of Object.entries(inputEnv(inputs))) vi.stubEnv(k, v);
  const time = virtualTime(NOW);
  const controller = new AbortController();
  let sleeps = 0;
  let stdout = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  try {
    await run({
      clock: time.clock,
      sleep: async (ms, signal) => {
        await time.sleep(ms, signal);
        if (++sleeps === options.signalAfterSleeps) controller.abort();
      },
      signal: controller.signal,
    });
  } finally {
    spy.mockRestore();
  }
  const outputs = parseCommandFile(readFileSync(currentStep().output, 'utf8'));
  return {
    outputs,
    saved: parseCommandFile(readFileSync(currentStep().state, 'utf8')),
    trace: outputs.trace ? (JSON.parse(outputs.trace) as RunTrace) : null,
    errors: commandMessages(stdout, 'error'),
    stdout,
    summary: readFileSync(SUMMARY, 'utf8'),
    exitCode: process.exitCode,
    minutes: (time.clock.now() - NOW) / 60_000,
  };
}

const modifies = () => elbv2.actions((r) => r.action.startsWith('Modify'));

describe('run-plan', () => {
  it('promotes a healthy canary through every step and clears what the post step would restore', async () => {
    feed('healthy');
    const result = await runAction({
      state: stateFor('canary', { steps: '10,50,100', 'bake-time': '5m' }),
      ...ROUTES,
    });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBeUndefined();
    expect(result.outputs.decision).toBe('promote');
    expect(parseRolloutState('state', result.outputs.state!)).toMatchObject({
      status: 'promoted',
      step: 5,
      weights: { stable: 0, canary: 100 },
      'load-balancer-arn': LB,
      'initial-weights': { [LISTENER]: [{ 'target-group-arn': STABLE, weight: 1 }] },
    });
    expect(elbv2.weights(LISTENER)).toEqual([
      [STABLE, 0],
      [CANARY, 100],
    ]);
    expect(JSON.parse(result.outputs.weights!)).toEqual({
      [LISTENER]: [
        { 'target-group-arn': STABLE, weight: 0 },
        { 'target-group-arn': CANARY, weight: 100 },
      ],
    });
    expect(result.trace!.steps.map((s) => s.outcome)).toEqual([
      'passed',
      'passed',
      'passed',
      'passed',
      'passed',
    ]);
    expect(result.saved.restore).toBe('');
    expect(result.stdout).toMatch(/Step 2\/5: bake 5m and judge the gates/);
    expect(result.stdout).toMatch(
      /\[5m\/5m\] canary \d+ req, [\d.]+% err \(≤1%\).* — promote: every gate passed/,
    );
    expect(result.summary).toMatch(/^## ✅ run-plan: promote\n/);
    expect(cloudwatch.requests[0]!.headers['user-agent']).toMatch(/shiftgate\/0\.1\.0.*run-plan/);
    // Two bakes of five minutes each, two minutes of metric delay: simulated, not waited for.
    expect(result.minutes).toBeGreaterThanOrEqual(10);
  });

  it('rolls back a regressing canary to stable and fails the step so if: failure() steps run', async () => {
    feed('step-regression');
    const result = await runAction({
      state: stateFor('canary', { steps: '10,50,100', 'bake-time': '5m' }),
      ...ROUTES,
    });
    expect(result.outputs.decision).toBe('rollback');
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(
      /^run-plan failed: rollback: canary error rate [\d.]+% .*> max-error-rate 1% with [\d.]+% confidence .*: rollback; traffic restored to stable$/,
    );
    expect(elbv2.weights(LISTENER)).toEqual([
      [STABLE, 100],
      [CANARY, 0],
    ]);
    expect(parseRolloutState('state', result.outputs.state!)).toMatchObject({
      status: 'rolled-back',
      weights: { stable: 100, canary: 0 },
    });
    expect(result.trace!.rollback).toMatchObject({ to: 'stable', error: null });
    expect(result.saved.restore).toBe('');
    expect(result.summary).toMatch(/^## ❌ run-plan: rollback\n/);
    expect(result.summary).toContain('### Rollback to stable');
  });

  it('restores traffic when the job is cancelled mid-bake, then fails', async () => {
    feed('healthy');
    const result = await runAction(
      { state: stateFor('canary', { steps: '10,50,100', 'bake-time': '5m' }), ...ROUTES },
      { signalAfterSleeps: 4 },
    );
    expect(result.outputs.decision).toBe('rollback');
    expect(result.errors[0]).toMatch(
      /^run-plan failed: cancelled during step 2 \(bake\); traffic restored to stable$/,
    );
    expect(elbv2.weights(LISTENER)).toEqual([
      [STABLE, 100],
      [CANARY, 0],
    ]);
    expect(result.saved.restore).toBe('');
  });

  it('ends paused at an A/B test approval with traffic left at the split, keeping the restore record', async () => {
    feed('healthy');
    const result = await runAction({
      state: stateFor('ab-testing', { split: '80,20', duration: '5m' }),
      ...ROUTES,
    });
    expect(result.errors).toEqual([]);
    expect(result.outputs.decision).toBe('paused');
    expect(elbv2.weights(LISTENER)).toEqual([
      [STABLE, 80],
      [CANARY, 20],
    ]);
    expect(JSON.parse(result.saved.restore!).record).toMatchObject({
      routes: [{ route: LISTENER, before: [{ 'target-group-arn': STABLE, weight: 1 }] }],
    });
    // A and B are compared on the bake's evidence; the verdict is in the trace, the reason and the summary.
    expect(result.trace?.comparison?.metrics[0]).toMatchObject({ metric: 'error-rate', better: 'lower' });
    expect(result.trace?.reason).toContain('A/B verdict: ');
    expect(result.summary).toMatch(/### A\/B verdict: (B better|A better|no detectable difference)/);
    expect(result.summary).toContain('| error-rate (lower is better) |');
  });

  it('compares A and B on error rate, slow share and ab-metrics read from CloudWatch, in the summary', async () => {
    feed('healthy');
    const model = cloudwatch.metrics;
    // Orders per side: A 5 a minute, B 30 (far more per request): B better on orders.
    cloudwatch.metrics = (query, timestamp) =>
      query.metric?.name === 'OrdersPlaced'
        ? CANARY.endsWith(`:${query.metric.dimensions.TargetGroup}`)
          ? 30
          : 5
        : model(query, timestamp);
    const result = await runAction({
      state: stateFor('ab-testing', { split: '50,50', duration: '10m' }),
      ...ROUTES,
      'max-latency-increase': '1000%',
      'ab-metrics': '- {name: orders, better: higher, namespace: Shop, metric: OrdersPlaced}',
    });
    expect(result.errors).toEqual([]);
    expect(result.outputs.decision).toBe('paused');
    const metrics = result.trace!.comparison!.metrics;
    expect(metrics.map((m) => m.metric)).toEqual(['error-rate', 'slow-share', 'orders']);
    expect(metrics[2]).toMatchObject({ better: 'higher', verdict: 'b-better' });
    expect(result.summary).toContain('| slow-share (lower is better) |');
    expect(result.summary).toMatch(
      /\| orders \(higher is better\) \| [\d.]+% \| [\d.]+% \| \+[\d.]+ pp \| .* \| B better \|/,
    );
    expect(result.summary).toContain("orders: each side's count per 100 requests.");
  });

  it('creates one tagged audience rule for an A/B test, pauses with the verdict, and removes it on promote', async () => {
    feed('healthy');
    const state = stateFor('ab-testing', {
      split: '50,50',
      duration: '5m',
      audience: 'header:X-Experiment=b',
    });
    const first = await runAction({ state, ...ROUTES, 'max-latency-increase': '1000%' });
    expect(first.outputs.decision).toBe('paused');
    const rules = elbv2.listenerRules(LISTENER);
    expect(rules).toHaveLength(1);
    expect(elbv2.rule(rules[0]![0]).Conditions).toEqual([
      { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Experiment', Values: ['b'] } },
    ]);
    expect(first.trace?.rule?.arn).toBe(rules[0]![0]);
    expect(first.summary).toContain('### A/B verdict: ');
    const second = await runAction({ state: first.outputs.state!, ...ROUTES });
    expect(second.outputs.decision).toBe('promote');
    expect(elbv2.listenerRules(LISTENER)).toEqual([]);
    expect(elbv2.weights(LISTENER)).toEqual([
      [STABLE, 0],
      [CANARY, 100],
    ]);
  });

  it('runs the flag command with SHIFTGATE_* variables for each exposure', async () => {
    feed('healthy');
    const log = join(currentStep().dir, 'flag.log');
    const command = `echo "$SHIFTGATE_PHASE $SHIFTGATE_EXPOSURE $SHIFTGATE_STRATEGY $SHIFTGATE_VERSION" >> ${log}; test "$SHIFTGATE_EXPOSURE" != 100`;
    const result = await runAction({
      state: stateFor('feature-flag', { 'flag-command': command, 'flag-steps': '25,100' }),
      ...ROUTES,
      'flag-command': command,
      'max-latency-increase': '1000%',
    });
    expect(readFileSync(log, 'utf8').trim().split('\n')[0]).toBe('rollout 25 feature-flag v2.4.0');
    expect(readFileSync(log, 'utf8').trim().split('\n').at(-1)).toBe('rollback 0 feature-flag v2.4.0');
    expect(result.outputs.decision).toBe('rollback');
    expect(elbv2.weights(LISTENER)).toEqual([
      [STABLE, 100],
      [CANARY, 0],
    ]);
  });

  it("deploys saga services with this run's commands and compensates them in reverse, in the summary too", async () => {
    const log = join(currentStep().dir, 'saga.log');
    const services = ['order', 'payment', 'inventory']
      .map(
        (name) =>
          `- name: ${name}\n  deploy: echo "$SHIFTGATE_PHASE $SHIFTGATE_SERVICE $SHIFTGATE_VERSION" >> ${log}\n` +
          `  compensate: echo "$SHIFTGATE_PHASE $SHIFTGATE_SERVICE" >> ${log}\n` +
          `  smoke: ${name === 'inventory' ? 'exit 5' : 'exit 0'}\n`,
      )
      .join('');
    const result = await runAction({
      state: stateFor('saga', { services: 'order,payment,inventory', 'bake-time': '2m' }),
      ...ROUTES,
      services,
    });
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([
      'deploy order v2.4.0',
      'deploy payment v2.4.0',
      'deploy inventory v2.4.0',
      'compensate inventory',
      'compensate payment',
      'compensate order',
    ]);
    expect(result.outputs.decision).toBe('rollback');
    expect(result.trace?.saga?.compensated).toEqual(['inventory', 'payment', 'order']);
    expect(result.summary).toContain('| inventory | ↩️ compensated |');
    expect(result.summary).toContain('Compensated, in this order: inventory → payment → order.');
    expect(result.summary).toMatch(/\| inventory \| smoke \| 1 \| 5 \|/);
    expect(modifies()).toEqual([]);
  });

  it('refuses saga services that differ from the plan before running any command', async () => {
    const result = await runAction({
      state: stateFor('saga', { services: 'order,payment' }),
      ...ROUTES,
      services:
        '- {name: payment, deploy: touch pwned, compensate: c, smoke: s}\n- {name: order, deploy: d, compensate: c, smoke: s}',
    });
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toContain(
      "Input 'services' declares the services payment, order but the saga plan deploys order, payment",
    );
  });

  it.each([
    [{ state: '' }, "run-plan failed: Input 'state' must be the rollout state JSON from select-strategy"],
    [
      { 'poll-interval': '90s' },
      "run-plan failed: Input 'poll-interval' must be whole minutes from '60s' to '1h'",
    ],
    [{ 'max-error-rate': '1O%' }, "run-plan failed: Input 'max-error-rate' must be"],
    [
      { 'rollback-to': 'blue' },
      "run-plan failed: Input 'rollback-to' must be 'stable' or 'previous', got 'blue'",
    ],
    [{ 'listener-arn': '' }, "run-plan failed: Input 'listener-arn' must be one or more listener ARNs"],
    [
      { state: stateFor('rolling', { cells: 'a,b' }) },
      'run-plan failed: Plan step 1 of the rolling plan is a batch step, which needs a batch hook',
    ],
    [
      { state: stateFor('feature-flag', { 'flag-command': 'touch pwned' }) },
      "run-plan failed: Plan step 2 is a flag step, which runs this run's 'flag-command'; it is empty, so nothing was changed. The rollout state carries a command of its own, which shiftgate never runs",
    ],
    [
      { state: stateFor('feature-flag', { 'flag-command': 'touch pwned' }), 'flag-command': './set-flag.sh' },
      "run-plan failed: Plan step 2 of the rollout state carries a flag command that differs from this run's 'flag-command'",
    ],
    [
      {
        state: stateFor('feature-flag', { 'flag-command': './set-flag.sh' }).replace(
          '"name":"flag"',
          '"name":"flag\\n::warning::x"',
        ),
        'flag-command': './set-flag.sh',
      },
      "run-plan failed: Input 'state' is not a shiftgate rollout state: 'plan[1].name' must be a name of 1 to 256 letters, digits and . _ : / @ - starting with a letter or digit (no spaces or shell characters), got 'flag\\u000a::warning::x'",
    ],
    [
      {
        state: stateFor('canary', { steps: '10,100' }).replace(
          '"version":"v2.4.0"',
          '"version":"v1\\necho pwned"',
        ),
      },
      "run-plan failed: Input 'state' is not a shiftgate rollout state: 'version' must be a version",
    ],
  ])('refuses %j with no AWS write', async (overrides, message) => {
    const result = await runAction({
      state: stateFor('canary', { steps: '10,100' }),
      ...ROUTES,
      ...overrides,
    });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toContain(message);
    expect(modifies()).toEqual([]);
    expect(result.saved.restore).toBeUndefined();
  });

  it('refuses an alarm that does not exist before moving traffic', async () => {
    feed('healthy');
    cloudwatch.alarms.set('shop-5xx', 'OK');
    const result = await runAction({
      state: stateFor('canary', { steps: '10,100' }),
      ...ROUTES,
      alarms: 'shop-5xx, shop-typo',
    });
    expect(result.errors[0]).toMatch(/^run-plan failed: Input 'alarms'.*shop-typo/);
    expect(modifies()).toEqual([]);
  });
});

describe('run-plan post step', () => {
  async function postWith(saved: string) {
    vi.stubEnv('STATE_restore', saved);
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
    return { stdout, errors: commandMessages(stdout, 'error'), notices: commandMessages(stdout, 'notice') };
  }
  const record = (writes: [string, number][][]) =>
    JSON.stringify({
      version: 1,
      client: { region: 'us-east-1', 'retry-mode': 'standard', 'max-attempts': 5 },
      record: {
        version: 1,
        pair: { stable: STABLE, canary: CANARY },
        routes: [
          {
            route: LISTENER,
            before: [{ 'target-group-arn': STABLE, weight: 1 }],
            writes: writes.map((w) => asTargetWeights(w)),
          },
        ],
      },
    });

  it('puts back a route that holds what the run wrote', async () => {
    elbv2.setWeights(LISTENER, [
      [STABLE, 50],
      [CANARY, 50],
    ]);
    const result = await postWith(
      record([
        [
          [STABLE, 1],
          [CANARY, 0],
        ],
        [
          [STABLE, 90],
          [CANARY, 10],
        ],
        [
          [STABLE, 50],
          [CANARY, 50],
        ],
      ]),
    );
    expect(result.errors).toEqual([]);
    expect(elbv2.weights(LISTENER)).toEqual([[STABLE, 1]]);
    expect(result.notices[0]).toMatch(/^Put back the weights of 1 route \(verified\)/);
  });

  it('leaves a route someone else changed since, and does nothing after a finished plan', async () => {
    elbv2.setWeights(LISTENER, [
      [STABLE, 70],
      [CANARY, 30],
    ]);
    const result = await postWith(
      record([
        [
          [STABLE, 90],
          [CANARY, 10],
        ],
      ]),
    );
    expect(result.stdout).toMatch(/which this job did not write; someone else changed it since/);
    expect(elbv2.weights(LISTENER)).toEqual([
      [STABLE, 70],
      [CANARY, 30],
    ]);
    elbv2.requests.length = 0;
    const finished = await postWith('');
    expect(finished.stdout).toContain('The plan finished (or moved no traffic); nothing to put back.');
    expect(elbv2.requests).toEqual([]);
  });

  it('refuses a malformed record rather than guessing', async () => {
    const result = await postWith('{"version":2}');
    expect(result.errors[0]).toMatch(/^run-plan post failed: the state saved by the main step is unreadable/);
  });
});

describe('run-plan metadata and inputs', () => {
  const action = actionMetadata('run-plan');

  it("states the code's defaults, describes everything, and runs on node 24 with a failure-only post step", () => {
    expect(
      Object.fromEntries(Object.entries(action.inputs).map(([name, spec]) => [name, spec.default])),
    ).toEqual(DEFAULTS);
    for (const [name, spec] of [...Object.entries(action.inputs), ...Object.entries(action.outputs)])
      expect(spec.description?.trim(), name).toBeTruthy();
    expect(Object.keys(action.outputs).sort()).toEqual(['decision', 'state', 'trace', 'weights']);
    expect(action.runs).toMatchObject({
      using: 'node24',
      main: '../../dist/run-plan/index.js',
      post: '../../dist/run-plan/post.js',
    });
    expect(postIfRuns(action.runs['post-if']!, 'cancelled')).toBe(true);
    expect(postIfRuns(action.runs['post-if']!, 'failure')).toBe(true);
    expect(postIfRuns(action.runs['post-if']!, 'success')).toBe(false);
  });

  it('documents the ELBv2, CloudWatch and AppConfig permissions it needs', () => {
    expect(documentedPolicy('run-plan')).toEqual(
      [
        ...appConfigActionsInSource(),
        'cloudwatch:DescribeAlarms',
        'cloudwatch:GetMetricData',
        ...[...new Set([...ELBV2_ROUTER_ACTIONS, ...ELBV2_RULE_ACTIONS])].map(
          (a) => `elasticloadbalancing:${a}`,
        ),
      ].sort(),
    );
  });

  it('keeps each bake step its own duration unless bake-time is given', () => {
    const base = { state: stateFor('canary', { steps: '10,100', 'bake-time': '7m' }), ...ROUTES };
    const get = (extra: Record<string, string>) => (name: string) =>
      (({ ...base, ...extra }) as Record<string, string>)[name] ?? '';
    expect(parseInputs(get({}), { AWS_REGION: 'us-east-1' }).bakeTime).toBeNull();
    expect(parseInputs(get({ 'bake-time': '10m' }), { AWS_REGION: 'us-east-1' }).bakeTime).toBe(600_000);
    expect(() => parseInputs(get({ 'max-bake-time': '5m' }), { AWS_REGION: 'us-east-1' })).toThrow(
      "Input 'max-bake-time' must be at least the longest bake of the plan (420s)",
    );
  });

  it('speeds time up only against loopback endpoints', () => {
    expect(
      runnerTime({ SHIFTGATE_TEST_TIME_SCALE: '600', AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' }).scale,
    ).toBe(600);
    const real = runnerTime({ SHIFTGATE_TEST_TIME_SCALE: '600' });
    expect(real.scale).toBe(1);
    expect(real.warning).toMatch(/only honoured against loopback AWS endpoints/);
    expect(
      runnerTime({
        SHIFTGATE_TEST_TIME_SCALE: '600',
        AWS_ENDPOINT_URL: 'https://elasticloadbalancing.us-east-1.amazonaws.com',
      }).scale,
    ).toBe(1);
    expect(
      runnerTime({ SHIFTGATE_TEST_TIME_SCALE: 'fast', AWS_ENDPOINT_URL: 'http://127.0.0.1:1' }).warning,
    ).toMatch(/must be a whole number/);
    expect(runnerTime({}).scale).toBe(1);
  });
});
