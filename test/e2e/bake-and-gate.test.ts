// Runs the committed dist/bake-and-gate bundle as the runner does, under this machine's node and node 24,
// against the loopback CloudWatch fake (AWS_ENDPOINT_URL, fake static credentials).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createRolloutState,
  parseRolloutState,
  parseTrace,
  replay,
  serializeRolloutState,
} from '@shiftgate/core';
import { albMetrics, CloudWatchServer } from '../support/cloudwatch-server';
import {
  commandMessages,
  inputEnv,
  nodeBinaries,
  runBundle,
  stderrWithoutSdkNotice,
  stepFiles,
} from '../support/runner';

const LB = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188';
const STABLE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-blue/73e2d6bc24d8a067';
const CANARY = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-green/943f017f100becff';
const MIN = 60_000;

/** A state as shift-traffic leaves it: the canary has served its weight for the last `minutes`. */
function stateShiftedAgo(minutes: number): string {
  const state = createRolloutState({
    strategy: 'canary',
    parameters: {},
    plan: [{ kind: 'shift', weight: 5 }],
    now: new Date(Date.now() - 60 * MIN),
  });
  return serializeRolloutState({
    ...state,
    status: 'in-progress',
    step: 1,
    'load-balancer-arn': LB,
    routes: [
      'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2',
    ],
    'stable-target-group-arn': STABLE,
    'canary-target-group-arn': CANARY,
    weights: { stable: 95, canary: 5 },
    'updated-at': new Date(Date.now() - minutes * MIN).toISOString(),
  });
}

let cloudwatch: CloudWatchServer;
beforeAll(async () => {
  cloudwatch = await CloudWatchServer.start();
});
afterAll(() => cloudwatch.close());
beforeEach(() => {
  cloudwatch.requests.length = 0;
  cloudwatch.alarms.clear();
  cloudwatch.faults.length = 0;
});

function healthy(errorsPerMinute: number) {
  return albMetrics({
    'targetgroup/web-green/943f017f100becff': () => ({
      requests: 60,
      errors: errorsPerMinute,
      p99: 210,
      healthy: 2,
      unhealthy: 0,
    }),
    'targetgroup/web-blue/73e2d6bc24d8a067': () => ({
      requests: 1140,
      errors: 1,
      p99: 200,
      healthy: 18,
      unhealthy: 0,
    }),
  });
}

async function bakeAndGate(node: string, inputs: Record<string, string>) {
  const step = stepFiles();
  const run = await runBundle({
    action: 'bake-and-gate',
    node,
    env: {
      ...step.env,
      AWS_ENDPOINT_URL: cloudwatch.url,
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'fake-secret',
      AWS_REGION: 'us-east-1',
      ...inputEnv(inputs),
    },
  });
  const result = { ...run, outputs: step.outputs(), summary: step.summaryText() };
  step.cleanup();
  return result;
}

describe.each(nodeBinaries())('dist/bake-and-gate under $name', ({ path: node }) => {
  it('promotes a healthy canary whose bake-time has already been served, and replays to the same verdict', async () => {
    cloudwatch.metrics = healthy(0);
    const state = stateShiftedAgo(12);
    const run = await bakeAndGate(node, { state, 'bake-time': '5m', 'min-requests': '200' });
    expect(stderrWithoutSdkNotice(run.stderr)).toBe('');
    expect(run.code).toBe(0);
    expect(run.outputs.decision).toBe('promote');
    const out = parseRolloutState('state', run.outputs.state!);
    const before = parseRolloutState('state', state);
    expect({ ...out, 'updated-at': before['updated-at'] }).toEqual(before);
    expect(Date.parse(out['updated-at'])).toBeGreaterThan(Date.parse(before['updated-at']));
    const trace = parseTrace(run.outputs.trace!);
    expect(trace.windows).toHaveLength(5);
    expect(replay(trace.gates, trace.windows, { period: trace.period }).decision).toBe('promote');
    expect(run.stdout).toMatch(
      /\[5m\/5m\] canary 300 req, 0% err \(≤1%\), p99 210ms \(≤500ms, \+5% vs baseline\) — promote: every gate passed/,
    );
    expect(run.summary).toMatch(/^## ✅ bake-and-gate: promote\n/);
    expect(run.summary).toContain('xychart-beta');
    expect(cloudwatch.calls('GetMetricData')).toHaveLength(1);
    expect(cloudwatch.requests[0]!.headers['user-agent']).toMatch(/shiftgate\/0\.1\.0.*bake-and-gate/);
  });

  it('rolls back a canary failing 10% of requests and fails the step so rollback steps run', async () => {
    cloudwatch.metrics = healthy(6);
    const run = await bakeAndGate(node, { state: stateShiftedAgo(8) });
    expect(run.code).toBe(1);
    expect(run.outputs.decision).toBe('rollback');
    const [error] = commandMessages(run.stdout, 'error');
    expect(error).toMatch(
      /^bake-and-gate failed: rollback: canary error rate 10% \([\d.]+% interval [\d.]+%–[\d.]+%, \d+ requests\) > max-error-rate 1%/,
    );
    expect(run.summary).toMatch(/^## ❌ bake-and-gate: rollback\n/);
  });

  it('reports rollback without failing when fail-on-rollback is false', async () => {
    cloudwatch.metrics = healthy(6);
    const run = await bakeAndGate(node, { state: stateShiftedAgo(8), 'fail-on-rollback': 'false' });
    expect(run.code).toBe(0);
    expect(run.outputs.decision).toBe('rollback');
  });
});

describe('dist/bake-and-gate refusals', () => {
  const node = process.execPath;

  it('refuses the deployment when an alarm is already in ALARM before the bake', async () => {
    cloudwatch.metrics = healthy(0);
    cloudwatch.alarms.set('web-5xx-high', 'ALARM');
    const run = await bakeAndGate(node, { state: stateShiftedAgo(12), alarms: 'web-5xx-high' });
    expect(run.code).toBe(1);
    expect(commandMessages(run.stdout, 'error')).toEqual([
      "bake-and-gate failed: rollback: alarm 'web-5xx-high' was already in ALARM before the bake started: refusing the deployment (traffic is left as it is: run the rollback action in an 'if: failure()' step)",
    ]);
    expect(cloudwatch.calls('GetMetricData')).toHaveLength(0);
  });

  it('refuses an alarm that does not exist', async () => {
    const run = await bakeAndGate(node, { state: stateShiftedAgo(12), alarms: 'no-such-alarm' });
    expect(run.code).toBe(1);
    expect(commandMessages(run.stdout, 'error')).toEqual([
      "bake-and-gate failed: Input 'alarms' must name existing CloudWatch alarms in this account and region; not found: 'no-such-alarm'",
    ]);
    expect(run.outputs.decision).toBeUndefined();
  });

  it('refuses bad input before calling AWS', async () => {
    const run = await bakeAndGate(node, { state: stateShiftedAgo(12), 'max-error-rate': '1O%' });
    expect(run.code).toBe(1);
    expect(commandMessages(run.stdout, 'error')).toEqual([
      "bake-and-gate failed: Input 'max-error-rate' must be a percentage between 0% and 100%, got '1O%'",
    ]);
    expect(cloudwatch.requests).toHaveLength(0);
    expect(run.outputs).toEqual({});
  });
});
