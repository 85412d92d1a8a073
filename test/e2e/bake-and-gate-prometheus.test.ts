// The dist/bake-and-gate bundle judging on Prometheus evidence (issue 15), under this machine's node and
// node 24, against the loopback Prometheus fake: a basic-auth password masked and sent, CloudWatch never
// called, a regression rolled back.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRolloutState, parseTrace, replay, serializeRolloutState } from '@shiftgate/core';
import { FakePrometheus, steady, type SideMinute } from '../support/prometheus-server';
import { commandMessages, inputEnv, nodeBinaries, runBundle, stepFiles } from '../support/runner';
import { ConnectionSink } from '../support/connection-sink';

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

let prometheus: FakePrometheus;
let cloudwatch: ConnectionSink;
beforeAll(async () => {
  prometheus = await FakePrometheus.start();
  cloudwatch = await ConnectionSink.start();
});
afterAll(async () => {
  await prometheus.close();
  cloudwatch.close();
});
beforeEach(() => {
  prometheus.reset();
  prometheus.sides.set('web-blue', () => steady(1200));
});

async function bakeAndGate(node: string, inputs: Record<string, string>) {
  const step = stepFiles();
  const run = await runBundle({
    action: 'bake-and-gate',
    node,
    env: {
      ...step.env,
      ...cloudwatch.env,
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'fake-secret',
      AWS_REGION: 'us-east-1',
      ...inputEnv({
        'metric-source': 'prometheus',
        'prometheus-url': prometheus.url,
        'prometheus-auth': 'basic',
        'prometheus-username': 'ops',
        'prometheus-password': 'pw-e2e-secret',
        ...inputs,
      }),
    },
  });
  const result = { ...run, outputs: step.outputs(), summary: step.summaryText() };
  step.cleanup();
  return result;
}

describe.each(nodeBinaries())('dist/bake-and-gate on Prometheus under $name', ({ path: node }) => {
  it('promotes a healthy canary, and the trace replays to the same verdict', async () => {
    prometheus.sides.set('web-green', () => steady(60));
    const run = await bakeAndGate(node, {
      state: stateShiftedAgo(12),
      'bake-time': '5m',
      'min-requests': '200',
    });
    expect(commandMessages(run.stdout, 'error')).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.outputs.decision).toBe('promote');
    const trace = parseTrace(run.outputs.trace!);
    expect(replay(trace.gates, trace.windows, { period: trace.period }).decision).toBe('promote');
    expect(run.stdout).toContain('::add-mask::pw-e2e-secret');
    expect(run.stdout.split('\n').filter((l) => l.includes('pw-e2e-secret'))).toEqual([
      '::add-mask::pw-e2e-secret',
    ]);
    const auth = `Basic ${Buffer.from('ops:pw-e2e-secret').toString('base64')}`;
    expect(prometheus.requests.length).toBe(10);
    expect(prometheus.requests.every((r) => r.headers.authorization === auth)).toBe(true);
    expect(cloudwatch.connections).toBe(0);
  });

  it('rolls back a canary failing 10% of requests and fails the step', async () => {
    prometheus.sides.set('web-green', (): SideMinute => ({ ...steady(60), errors: 6 }));
    const run = await bakeAndGate(node, { state: stateShiftedAgo(8) });
    expect(run.code).toBe(1);
    expect(run.outputs.decision).toBe('rollback');
    expect(commandMessages(run.stdout, 'error')[0]).toMatch(
      /^bake-and-gate failed: rollback: canary error rate 10%/,
    );
  });

  it('keeps a hostile Prometheus error out of the log commands and the summary markup', async () => {
    prometheus.sides.set('web-green', () => steady(60));
    prometheus.faults.push({
      kind: 'status',
      status: 422,
      body: JSON.stringify({
        status: 'error',
        errorType: 'execution',
        error:
          'boom\n::warning::smuggled\r\n::add-mask::x <img src=x onerror=alert(1)>[Approve](https://evil.example)',
      }),
      times: 1_000_000,
    });
    const run = await bakeAndGate(node, { state: stateShiftedAgo(8), 'max-consecutive-errors': '0' });
    expect(run.code).toBe(1);
    expect(run.outputs.decision).not.toBe('promote');
    const lines = run.stdout.split('\n');
    expect(lines.some((l) => /^\s*::(warning|add-mask)::(smuggled|x)/.test(l))).toBe(false);
    expect(run.stdout).toContain('HTTP 422 execution: boom ');
    expect(run.summary).not.toContain('<img');
    expect(run.summary).not.toContain('[Approve](');
    expect(run.summary).toContain('\\[Approve\\](https://evil.example)');
  });
});
