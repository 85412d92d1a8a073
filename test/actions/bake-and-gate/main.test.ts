import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCloudWatchClient } from '@shiftgate/aws';
import { createRolloutState, parseTrace, serializeRolloutState, virtualTime } from '@shiftgate/core';
import { run } from '../../../actions/bake-and-gate/src/main';
import { parseInputs } from '../../../actions/bake-and-gate/src/inputs';
import { albMetrics, CloudWatchServer } from '../../support/cloudwatch-server';
import { inputEnv, parseCommandFile } from '../../support/runner';
import { useStepEnv } from '../../support/step-env';

const LB = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188';
const STABLE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-blue/73e2d6bc24d8a067';
const CANARY = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-green/943f017f100becff';
const MIN = 60_000;
const NOW = Date.UTC(2026, 3, 1, 9, 0, 30);

let cloudwatch: CloudWatchServer;
beforeAll(async () => {
  cloudwatch = await CloudWatchServer.start();
});
afterAll(() => cloudwatch.close());
const currentStep = useStepEnv(
  () => ({
    AWS_ENDPOINT_URL: cloudwatch.url,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'x',
    AWS_REGION: 'us-east-1',
  }),
  () => {
    cloudwatch.requests.length = 0;
    cloudwatch.alarms.clear();
  },
);

function state(updatedAt: number): string {
  const s = createRolloutState({
    strategy: 'canary',
    parameters: {},
    plan: [{ kind: 'shift', weight: 5 }],
    now: new Date(updatedAt - 10 * MIN),
  });
  return serializeRolloutState({
    ...s,
    'load-balancer-arn': LB,
    'stable-target-group-arn': STABLE,
    'canary-target-group-arn': CANARY,
    'updated-at': new Date(updatedAt).toISOString(),
  });
}

function inputs(values: Record<string, string>) {
  for (const [k, v] of Object.entries(inputEnv(values))) vi.stubEnv(k, v);
}

async function runWithVirtualTime(signal?: AbortSignal) {
  const time = virtualTime(NOW);
  const client = createCloudWatchClient({ caller: 'test' });
  await run({ clock: time.clock, sleep: time.sleep, cloudwatch: client, ...(signal ? { signal } : {}) });
  client.destroy();
  return {
    outputs: parseCommandFile(readFileSync(currentStep().output, 'utf8')),
    summary: currentStep().summaryText(),
    elapsed: time.clock.now() - NOW,
  };
}

const canaryAt = (f: (minute: number) => { requests?: number; errors?: number; p99?: number }) =>
  albMetrics({
    'targetgroup/web-green/943f017f100becff': (t) => ({
      requests: 60,
      errors: 0,
      p99: 220,
      healthy: 2,
      unhealthy: 0,
      ...f((t - NOW) / MIN),
    }),
    'targetgroup/web-blue/73e2d6bc24d8a067': () => ({
      requests: 1140,
      errors: 2,
      p99: 210,
      healthy: 18,
      unhealthy: 0,
    }),
  });

describe('bake-and-gate run()', () => {
  it('bakes for 30 minutes on a virtual clock in milliseconds and promotes', async () => {
    cloudwatch.metrics = canaryAt(() => ({}));
    inputs({ state: state(NOW), 'bake-time': '30m' });
    const started = Date.now();
    const { outputs, summary, elapsed } = await runWithVirtualTime();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(process.exitCode).toBeUndefined();
    expect(outputs.decision).toBe('promote');
    expect(elapsed).toBeGreaterThanOrEqual(32 * MIN);
    expect(cloudwatch.calls('GetMetricData')).toHaveLength(30);
    expect(parseTrace(outputs.trace!).windows).toHaveLength(30);
    expect(summary.indexOf('promote')).toBeLessThan(summary.indexOf('| Check |'));
  });

  it('rolls back a regression that starts mid-bake and fails the step', async () => {
    cloudwatch.metrics = canaryAt((m) => (m >= 4 ? { errors: 9 } : {}));
    inputs({ state: state(NOW), 'bake-time': '30m' });
    const { outputs } = await runWithVirtualTime();
    expect(outputs.decision).toBe('rollback');
    expect(process.exitCode).toBe(1);
    const trace = JSON.parse(outputs.trace!) as { 'decided-at-window': number };
    expect(trace['decided-at-window']).toBeLessThan(10);
  });

  it('never reports promote when cancelled', async () => {
    cloudwatch.metrics = canaryAt(() => ({}));
    inputs({ state: state(NOW), 'bake-time': '30m' });
    const controller = new AbortController();
    const origin = cloudwatch.metrics;
    cloudwatch.metrics = (q, t) => {
      if (t >= NOW + 5 * MIN) controller.abort();
      return origin(q, t);
    };
    const { outputs } = await runWithVirtualTime(controller.signal);
    expect(outputs.decision).toBe('inconclusive');
    expect(process.exitCode).toBe(1);
  });

  it('emits the state unchanged except updated-at', async () => {
    cloudwatch.metrics = canaryAt(() => ({}));
    const input = state(NOW - 20 * MIN);
    inputs({ state: input });
    const { outputs } = await runWithVirtualTime();
    const before = JSON.parse(input) as Record<string, unknown>;
    const after = JSON.parse(outputs.state!) as Record<string, unknown>;
    expect({ ...after, 'updated-at': null }).toEqual({ ...before, 'updated-at': null });
    expect(after['updated-at']).not.toBe(before['updated-at']);
  });
});

describe('bake-and-gate inputs', () => {
  const base = {
    'load-balancer-arn': LB,
    'stable-target-group-arn': STABLE,
    'canary-target-group-arn': CANARY,
  };
  const get = (values: Record<string, string>) => (name: string) => values[name] ?? '';

  it('takes the three ARNs instead of a state, with the documented defaults', () => {
    const parsed = parseInputs(get(base));
    expect(parsed).toMatchObject({
      pollInterval: MIN,
      metricDelay: 2 * MIN,
      maxBakeTime: 25 * MIN,
      failOnRollback: true,
      state: null,
    });
    expect(parsed.target).toEqual({
      loadBalancerArn: LB,
      stableTargetGroupArn: STABLE,
      canaryTargetGroupArn: CANARY,
    });
  });

  it.each([
    [
      { ...base, 'poll-interval': '90s' },
      "Input 'poll-interval' must be whole minutes from '60s' to '1h' (ALB publishes metrics per minute), got '90s'",
    ],
    [
      { ...base, 'max-bake-time': '1m' },
      "Input 'max-bake-time' must be a duration of at least bake-time (5m), or empty for the default, got '1m'",
    ],
    [
      { ...base, 'canary-target-group-arn': STABLE },
      `Input 'canary-target-group-arn' must be a target group other than the stable (baseline) one, got '${STABLE}'`,
    ],
    [
      { 'load-balancer-arn': LB },
      "Input 'stable-target-group-arn' must be an ARN (or give 'state' from shift-traffic instead of the three ARNs), got ''",
    ],
    [
      { ...base, state: state(NOW) },
      "Input 'load-balancer-arn' must be empty when 'state' is given (the state already names the load balancer and target groups), got '" +
        LB +
        "'",
    ],
    [{ ...base, 'fail-on-rollback': 'yes' }, "Input 'fail-on-rollback' must be 'true' or 'false', got 'yes'"],
    [
      { ...base, 'metric-queries': '- id: cpu\n  namespace: AWS/ECS\n  metric: CPUUtilization' },
      "Input 'metric-queries' must be a YAML list of queries, each with an id, either namespace + metric (+ dimensions, stat), an expression or a PromQL query (metric-source prometheus), and a max or min threshold: no query has a 'max' or 'min' threshold, so none would be judged",
    ],
  ])('refuses %j', (values, message) => {
    expect(() => parseInputs(get(values))).toThrow(message);
  });

  it('refuses a state that has no canary yet', () => {
    const s = JSON.parse(state(NOW)) as Record<string, unknown>;
    s['canary-target-group-arn'] = null;
    expect(() => parseInputs(get({ state: JSON.stringify(s) }))).toThrow(
      "Input 'state' has no 'canary-target-group-arn': run shift-traffic first, or give load-balancer-arn, stable-target-group-arn and canary-target-group-arn instead of state",
    );
  });

  it('keeps action.yml defaults equal to the code', () => {
    const yml = readFileSync(new URL('../../../actions/bake-and-gate/action.yml', import.meta.url), 'utf8');
    for (const [name, value] of Object.entries({
      'max-error-rate': '1%',
      'max-p99-latency': '500ms',
      'max-latency-increase': '20%',
      'min-healthy-percent': '95%',
      'min-requests': "'100'",
      'bake-time': '5m',
      confidence: '95%',
      'on-inconclusive': 'rollback',
      'max-consecutive-errors': "'4'",
      'poll-interval': '60s',
      'metric-delay': '2m',
      'fail-on-rollback': "'true'",
    })) {
      expect(yml).toMatch(
        new RegExp(`\\n  ${name}:\\n(?:    .*\\n)*?    default: ${value.replace(/[%']/g, (c) => c)}\\n`),
      );
    }
    writeFileSync(currentStep().output, '');
  });
});
