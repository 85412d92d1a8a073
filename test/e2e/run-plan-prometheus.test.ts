// The dist/run-plan bundle baking on Prometheus evidence (issue 15): against the real `prometheus`
// binary when it is installed (series from the simulator covering the run's accelerated time), and
// against the loopback Prometheus fake everywhere. ELBv2 is the loopback fake, time runs 600 times faster.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPlan, createRolloutState, parseRolloutState, serializeRolloutState } from '@shiftgate/core';
import { CANARY, LISTENER, ROUTES, STABLE, useAlbFakes } from '../support/alb-fakes';
import { FakePrometheus, steady } from '../support/prometheus-server';
import { commandMessages, inputEnv, nodeBinaries, runBundle, stepFiles } from '../support/runner';
import { HAVE_PROMETHEUS, startPrometheus, type RealPrometheus } from '../prometheus/harness';

const fakes = useAlbFakes();
let fake: FakePrometheus;
let real: RealPrometheus | null = null;
beforeAll(async () => {
  fake = await FakePrometheus.start();
  // The canary (shop-green) and the baseline (shop-blue), healthy.
  fake.sides.set('shop-green', () => steady(300));
  fake.sides.set('shop-blue', () => steady(1500));
  if (HAVE_PROMETHEUS) {
    // From 10 minutes ago for two hours: the accelerated run reads about 10 minutes ahead of now.
    const start = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
    real = await startPrometheus({
      start,
      minutes: 120,
      services: [{ seed: 5, scenario: 'healthy', share: 20, canary: 'shop-green', baseline: 'shop-blue' }],
    });
  }
});
afterAll(async () => {
  await fake?.close();
  await real?.stop();
});

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

async function runPlan(node: string, url: string, extra: Record<string, string> = {}) {
  const files = stepFiles();
  const run = await runBundle({
    action: 'run-plan',
    entry: 'index',
    node,
    env: {
      ...files.env,
      AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: fakes.elbv2.url,
      AWS_ENDPOINT_URL_CLOUDWATCH: fakes.cloudwatch.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDSHIFTGATETEST',
      AWS_SECRET_ACCESS_KEY: 'shiftgate-test-secret',
      AWS_CONFIG_FILE: '/nonexistent/shiftgate/config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/shiftgate/credentials',
      AWS_EC2_METADATA_DISABLED: 'true',
      SHIFTGATE_TEST_TIME_SCALE: '600',
      ...inputEnv({
        state: canaryState(),
        ...ROUTES,
        'metric-source': 'prometheus',
        'prometheus-url': url,
        'metric-delay': '1m',
        ...extra,
      }),
    },
  });
  const result = {
    ...run,
    outputs: files.outputs(),
    errors: commandMessages(run.stdout, 'error'),
    summary: files.summaryText(),
  };
  files.cleanup();
  return result;
}

describe.each(nodeBinaries())('dist/run-plan on Prometheus under $name', ({ path: node }) => {
  it('promotes a healthy canary on the loopback Prometheus API, sending the bearer token, never CloudWatch', async () => {
    fake.reset();
    const main = await runPlan(node, fake.url, {
      'prometheus-auth': 'bearer',
      'prometheus-token': 'tok-e2e',
    });
    expect(main.errors).toEqual([]);
    expect(main.code).toBe(0);
    expect(main.outputs.decision).toBe('promote');
    expect(parseRolloutState('state', main.outputs.state!)).toMatchObject({ status: 'promoted' });
    expect(fakes.elbv2.weights(LISTENER)).toEqual([
      [STABLE, 0],
      [CANARY, 100],
    ]);
    expect(fake.requests.length).toBeGreaterThan(0);
    expect(fake.requests.every((r) => r.headers.authorization === 'Bearer tok-e2e')).toBe(true);
    expect(main.stdout).toContain('::add-mask::tok-e2e');
    expect(main.stdout).toContain(`on Prometheus at ${fake.url}`);
    expect(fakes.cloudwatch.calls('GetMetricData')).toEqual([]);
  });

  it('rolls back when every Prometheus read fails, and never promotes', async () => {
    fake.reset();
    fake.faults.push({ kind: 'status', status: 503, body: 'down', times: 1_000_000 });
    const main = await runPlan(node, fake.url, { 'max-consecutive-errors': '1' });
    expect(main.code).toBe(1);
    expect(main.outputs.decision).not.toBe('promote');
    expect(main.errors[0]).toMatch(/Prometheus query_range .* HTTP 503/);
    expect(fakes.elbv2.weights(LISTENER)).toEqual([
      [STABLE, 100],
      [CANARY, 0],
    ]);
  });

  it.skipIf(!HAVE_PROMETHEUS)('promotes a healthy canary on the real Prometheus', async () => {
    const main = await runPlan(node, real!.url);
    expect(main.errors).toEqual([]);
    expect(main.outputs.decision).toBe('promote');
    expect(main.summary).toMatch(/run-plan: promote/);
  });
});
