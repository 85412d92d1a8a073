// Runs the committed dist/run-plan bundles (main and post) as the runner does, under this machine's node
// and node 24, against the loopback ELBv2 and CloudWatch fakes (AWS_ENDPOINT_URL_*), the CloudWatch fake
// fed by the simulator's traffic model with the weights the bundle set on the ELBv2 fake. Simulated time
// runs 600 times faster (SHIFTGATE_TEST_TIME_SCALE, honoured only against loopback endpoints).
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CloudWatchServer } from '../support/cloudwatch-server';
import type { Elbv2Server } from '../support/elbv2-server';
import { CANARY, LISTENER, ROUTES, STABLE, useAlbFakes } from '../support/alb-fakes';
import {
  buildPlan,
  createRolloutState,
  parseRolloutState,
  serializeRolloutState,
  type RunTrace,
} from '@shiftgate/core';
import { TrafficModel, type Scenario } from '@shiftgate/cli';
import { actionMetadata, postIfRuns, postStateEnv, type JobStatus } from './traffic-runner';
import { asTargetWeights, modelMetrics } from '../support/model-metrics';
import {
  commandMessages,
  inputEnv,
  nodeBinaries,
  runBundle,
  stderrWithoutSdkNotice,
  stepFiles,
} from '../support/runner';

const POST_IF = actionMetadata('run-plan').runs['post-if']!;

const fakes = useAlbFakes();
let elbv2: Elbv2Server;
let cloudwatch: CloudWatchServer;
beforeAll(() => {
  ({ elbv2, cloudwatch } = fakes);
});

function feed(scenario: Scenario) {
  cloudwatch.metrics = modelMetrics({
    model: new TrafficModel({ seed: 21, start: Date.now(), scenario, at: 0 }),
    pair: { stable: STABLE, canary: CANARY },
    weights: () => asTargetWeights(elbv2.weights(LISTENER)),
  });
}

function canaryState(): string {
  const plan = buildPlan('canary', { steps: '20,100', 'bake-time': '3m' });
  return serializeRolloutState(
    createRolloutState({
      strategy: 'canary',
      parameters: plan.parameters,
      plan: plan.steps,
      now: new Date(),
    }),
  );
}

const env = () => ({
  AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: elbv2.url,
  AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch.url,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDSHIFTGATETEST',
  AWS_SECRET_ACCESS_KEY: 'shiftgate-test-secret',
  AWS_CONFIG_FILE: '/nonexistent/shiftgate/config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/shiftgate/credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
  SHIFTGATE_TEST_TIME_SCALE: '600',
});

async function step(options: {
  node: string;
  entry?: 'index' | 'post';
  inputs: Record<string, string>;
  state?: Record<string, string>;
  onSpawn?: (child: ChildProcess) => void;
}) {
  const files = stepFiles();
  const started = Date.now();
  const run = await runBundle({
    action: 'run-plan',
    entry: options.entry ?? 'index',
    node: options.node,
    env: { ...files.env, ...env(), ...inputEnv(options.inputs), ...options.state },
    ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}),
  });
  const result = {
    ...run,
    wallMs: Date.now() - started,
    outputs: files.outputs(),
    stateFile: readFileSync(files.state, 'utf8'),
    summary: files.summaryText(),
    errors: commandMessages(run.stdout, 'error'),
    notices: commandMessages(run.stdout, 'notice'),
  };
  files.cleanup();
  return result;
}

async function postPhase(node: string, status: JobStatus, main: { stateFile: string }) {
  if (!postIfRuns(POST_IF, status)) return null;
  return step({ node, entry: 'post', inputs: {}, state: postStateEnv(main.stateFile) });
}

/** Calls `then` once the canary first gets `weight` on the listener (the bake starts right after). */
function whenShiftedTo(weight: number, then: () => void): void {
  let done = false;
  elbv2.onRequest((request) => {
    if (done || request.action !== 'DescribeListeners') return;
    const canary = elbv2.weights(LISTENER).find(([arn]) => arn === CANARY);
    if (canary?.[1] === weight) {
      done = true;
      then();
    }
  });
}

describe.each(nodeBinaries())('dist/run-plan under $name', ({ path: node }) => {
  it('promotes a healthy canary, and its post step has nothing to do', async () => {
    feed('healthy');
    const main = await step({ node, inputs: { state: canaryState(), ...ROUTES, 'metric-delay': '1m' } });
    expect(stderrWithoutSdkNotice(main.stderr)).toBe('');
    expect(main.errors).toEqual([]);
    expect(main.code).toBe(0);
    expect(main.outputs.decision).toBe('promote');
    expect(parseRolloutState('state', main.outputs.state!)).toMatchObject({ status: 'promoted', step: 3 });
    expect(elbv2.weights(LISTENER)).toEqual([
      [STABLE, 0],
      [CANARY, 100],
    ]);
    expect(main.summary).toMatch(/^## ✅ run-plan: promote\n/);
    expect(cloudwatch.calls('GetMetricData').length).toBeGreaterThan(0);
    // A failure later in the job must not undo a promotion.
    const post = await postPhase(node, 'failure', main);
    expect(post!.stdout).toContain('nothing to put back');
    expect(elbv2.weights(LISTENER)).toEqual([
      [STABLE, 0],
      [CANARY, 100],
    ]);
  });

  it('rolls back a failing canary to stable and fails the step', async () => {
    feed('step-regression');
    const main = await step({ node, inputs: { state: canaryState(), ...ROUTES, 'metric-delay': '1m' } });
    expect(main.code).toBe(1);
    expect(main.outputs.decision).toBe('rollback');
    expect(main.errors[0]).toMatch(
      /^run-plan failed: rollback: canary error rate .*; traffic restored to stable$/,
    );
    expect(elbv2.weights(LISTENER)).toEqual([
      [STABLE, 100],
      [CANARY, 0],
    ]);
    const trace = JSON.parse(main.outputs.trace!) as RunTrace;
    expect(trace.steps.map((s) => [s.kind, s.outcome])).toEqual([
      ['shift', 'passed'],
      ['bake', 'failed'],
    ]);
  });
});

describe('dist/run-plan when the job is cancelled', () => {
  const node = nodeBinaries().at(-1)!.path;

  it('restores traffic on SIGINT mid-bake and exits well within the 7.5 s grace', async () => {
    feed('healthy');
    let child: ChildProcess | null = null;
    let signalledAt = 0;
    whenShiftedTo(20, () =>
      setTimeout(() => {
        signalledAt = Date.now();
        child?.kill('SIGINT');
      }, 100),
    );
    const main = await step({
      node,
      inputs: { state: canaryState(), ...ROUTES, 'bake-time': '1h' },
      onSpawn: (c) => (child = c),
    });
    expect(signalledAt).toBeGreaterThan(0);
    expect(Date.now() - signalledAt).toBeLessThan(7_500);
    expect(main.code).toBe(1);
    expect(main.outputs.decision).toBe('rollback');
    expect(main.errors[0]).toMatch(
      /^run-plan failed: cancelled (during step 2 \(bake\)|before step 2 of 3); traffic restored to stable$/,
    );
    expect(elbv2.weights(LISTENER)).toEqual([
      [STABLE, 100],
      [CANARY, 0],
    ]);
    const post = await postPhase(node, 'cancelled', main);
    expect(post!.errors).toEqual([]);
    expect(post!.stdout).toContain('nothing to put back');
  });

  it('leaves the restore to the post step when the main step is killed mid-bake', async () => {
    feed('healthy');
    let child: ChildProcess | null = null;
    whenShiftedTo(20, () => setTimeout(() => child?.kill('SIGKILL'), 100));
    const main = await step({
      node,
      inputs: { state: canaryState(), ...ROUTES, 'bake-time': '1h' },
      onSpawn: (c) => (child = c),
    });
    expect(main.signal).toBe('SIGKILL');
    expect(elbv2.weights(LISTENER)).toEqual([
      [STABLE, 80],
      [CANARY, 20],
    ]);
    const post = await postPhase(node, 'cancelled', main);
    expect(post!.errors).toEqual([]);
    expect(post!.notices).toEqual([
      'Put back the weights of 1 route (verified) because the job ended before the plan finished.',
    ]);
    expect(elbv2.weights(LISTENER)).toEqual([[STABLE, 1]]);
  });
});
