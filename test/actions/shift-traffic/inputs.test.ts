import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { createRolloutState, serializeRolloutState } from '@shiftgate/core';
import { parseInputs } from '../../../actions/shift-traffic/src/inputs';
import { run } from '../../../actions/shift-traffic/src/main';
import { inProcess } from './harness';

const ACCOUNT = '123456789012';
const LISTENER = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2`;
const RULE = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee`;
const STABLE = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/blue/73e2d6bc24d8a067`;
const CANARY = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/green/83e2d6bc24d8a067`;

const BASE = {
  'listener-arn': LISTENER,
  'stable-target-group-arn': STABLE,
  'canary-target-group-arn': CANARY,
  'canary-weight': '5',
};

const plannedState = () =>
  createRolloutState({
    strategy: 'canary',
    parameters: {},
    plan: [
      { kind: 'shift', weight: 5 },
      { kind: 'bake', duration: '5m', 'duration-ms': 300000, promote: true },
      { kind: 'shift', weight: 50 },
      { kind: 'shift', weight: 100 },
    ],
    now: new Date('2026-01-01T00:00:00Z'),
  });

const getter = (inputs: Record<string, string>) => (name: string) => inputs[name] ?? '';
const env = { AWS_REGION: 'us-east-1' };

describe('shift-traffic inputs', () => {
  it('reads routes, target groups and a weight', () => {
    const inputs = parseInputs(getter({ ...BASE, 'rule-arn': RULE }), env);
    expect(inputs).toMatchObject({
      routes: [LISTENER, RULE],
      pair: { stable: STABLE, canary: CANARY },
      canary: 5,
      stepIndex: null,
      expectation: null,
      force: false,
      dryRun: false,
      restoreOnFailure: true,
      region: 'us-east-1',
      retryMode: 'standard',
      maxAttempts: 5,
    });
  });

  it('takes several routes, one per line, and the region from the ARNs when nothing else says it', () => {
    const second = LISTENER.replace('f2f7dc8efc522ab2', 'a2f7dc8efc522ab2');
    expect(
      parseInputs(getter({ ...BASE, 'listener-arn': `${LISTENER}\n\n  ${second}  \n` }), {}).routes,
    ).toEqual([LISTENER, second]);
  });

  it('takes the weight and the routes from the state with step', () => {
    const state = {
      ...plannedState(),
      step: 1,
      routes: [LISTENER],
      'stable-target-group-arn': STABLE,
      'canary-target-group-arn': CANARY,
      weights: { stable: 95, canary: 5 },
    };
    const inputs = parseInputs(getter({ state: serializeRolloutState(state), step: 'next' }), env);
    expect(inputs).toMatchObject({
      routes: [LISTENER],
      canary: 50,
      stepIndex: 2,
      expectation: { kind: 'split', split: { stable: 95, canary: 5 } },
    });
  });

  it('prefers expected-weights over the state', () => {
    const state = { ...plannedState(), weights: { stable: 95, canary: 5 } };
    const inputs = parseInputs(
      getter({
        ...BASE,
        state: serializeRolloutState(state),
        'expected-weights': '{"stable":100,"canary":0}',
      }),
      env,
    );
    expect(inputs.expectation).toMatchObject({ kind: 'split', split: { stable: 100, canary: 0 } });
  });
});

const elb = mockClient(ElasticLoadBalancingV2Client);
beforeEach(() => elb.reset());

const past = serializeRolloutState(plannedState());
const rolledBack = serializeRolloutState({ ...plannedState(), status: 'rolled-back' });

describe('shift-traffic refuses bad input before any AWS call', () => {
  it.each([
    [
      'another service',
      { 'listener-arn': 'arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0' },
      "Input 'listener-arn' must be an Application Load Balancer listener ARN such as arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/my-alb/50dc6c495c0c9188/f2f7dc8efc522ab2, got 'arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0': that is an ARN of the ec2 service, not Elastic Load Balancing",
    ],
    [
      'another resource',
      { 'listener-arn': STABLE },
      `Input 'listener-arn' must be an Application Load Balancer listener ARN such as arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/my-alb/50dc6c495c0c9188/f2f7dc8efc522ab2, got '${STABLE}': that is a targetgroup ARN`,
    ],
    ['a rule as a listener', { 'listener-arn': RULE }, 'that is a listener rule; pass it as rule-arn'],
    [
      'another region',
      { 'listener-arn': LISTENER.replace('us-east-1', 'eu-west-1') },
      `Input 'listener-arn' must be an Application Load Balancer listener ARN in region us-east-1 (the region shiftgate calls; set aws-region to change it), got '${LISTENER.replace('us-east-1', 'eu-west-1')}' in region eu-west-1`,
    ],
    [
      'a target group in another region',
      { 'canary-target-group-arn': CANARY.replace('us-east-1', 'us-west-2') },
      "Input 'canary-target-group-arn' must be a target group ARN in region us-east-1",
    ],
    [
      'stable = canary',
      { 'canary-target-group-arn': STABLE },
      `Input 'canary-target-group-arn' must be a target group other than the stable target group, got '${STABLE}'`,
    ],
    [
      'weight 101',
      { 'canary-weight': '101' },
      "Input 'canary-weight' must be a whole percentage between 0% and 100%, got '101'",
    ],
    [
      'weight -1',
      { 'canary-weight': '-1' },
      "Input 'canary-weight' must be a whole percentage between 0% and 100%, got '-1'",
    ],
    [
      'weight abc',
      { 'canary-weight': 'abc' },
      "Input 'canary-weight' must be a whole percentage between 0% and 100%, got 'abc'",
    ],
    [
      'weight 12.5',
      { 'canary-weight': '12.5' },
      "Input 'canary-weight' must be a whole percentage between 0% and 100%, got '12.5'",
    ],
    [
      'weight 1e2',
      { 'canary-weight': '1e2' },
      "Input 'canary-weight' must be a whole percentage between 0% and 100%, got '1e2'",
    ],
    [
      'weight 0x10',
      { 'canary-weight': '0x10' },
      "Input 'canary-weight' must be a whole percentage between 0% and 100%, got '0x10'",
    ],
    [
      'no weight and no step',
      { 'canary-weight': '' },
      "Input 'canary-weight' must be a whole percentage between 0% and 100% (or set state and step), got ''",
    ],
    [
      'a weight and a step',
      { step: 'next', state: past },
      "Input 'step' must be empty when canary-weight is set (give one or the other), got 'next'",
    ],
    [
      'a step without a state',
      { 'canary-weight': '', step: 'next' },
      "Input 'state' must be a rollout state: step chooses a shift step of the state's plan, got ''",
    ],
    [
      'a state that is not JSON',
      { state: 'canary please' },
      "Input 'state' is not a shiftgate rollout state: it is not JSON",
    ],
    [
      'a state that is not a rollout state',
      { state: '{"strategy":"canary"}' },
      "Input 'state' is not a shiftgate rollout state: it has no 'schema-version'",
    ],
    [
      'a step past the end of the plan',
      { 'canary-weight': '', state: past, step: '4' },
      "Input 'step' must be 'next' or the index of a shift step in the plan (0, 2, 3), got '4': the plan has 4 steps (0 to 3)",
    ],
    ['a step that is not a shift', { 'canary-weight': '', state: past, step: '1' }, 'step 1 is a bake step'],
    [
      'a rolled-back state',
      { state: rolledBack },
      "Input 'state' is a rollout that is rolled-back; shift-traffic moves traffic only for a rollout that is planned, in-progress, paused. Start a new rollout with select-strategy.",
    ],
    [
      'routes that differ from the state',
      { state: serializeRolloutState({ ...plannedState(), routes: [RULE] }) },
      `Input 'listener-arn' must be empty or name the routes the rollout state records (${RULE})`,
    ],
    [
      'expected weights that do not add up',
      { 'expected-weights': '{"stable":90,"canary":5}' },
      "Input 'expected-weights' must be a split of whole percentages that add up to 100",
    ],
    [
      'a duplicate route',
      { 'listener-arn': `${LISTENER}\n${LISTENER}` },
      `Input 'listener-arn' names ${LISTENER} twice; list each route once`,
    ],
    ['force yes', { force: 'yes' }, "Input 'force' must be 'true' or 'false', got 'yes'"],
    ['dry-run 1', { 'dry-run': '1' }, "Input 'dry-run' must be 'true' or 'false', got '1'"],
    [
      'retry-mode fast',
      { 'retry-mode': 'fast' },
      "Input 'retry-mode' must be 'standard' or 'adaptive', got 'fast'",
    ],
    [
      'max-attempts 0',
      { 'max-attempts': '0' },
      "Input 'max-attempts' must be a whole number from 1 to 10, got '0'",
    ],
    [
      'aws-region mars',
      { 'aws-region': 'mars' },
      "Input 'aws-region' must be an AWS region such as 'us-east-1', got 'mars'",
    ],
    [
      'no routes',
      { 'listener-arn': '' },
      "Input 'listener-arn' must be one or more listener ARNs, one per line (or rule-arn, or a state that records its routes), got ''",
    ],
  ])('refuses %s', async (_name, override, message) => {
    const result = await inProcess({ ...BASE, ...override }, () => run());
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/^shift-traffic failed: Input '[a-z-]+' /);
    expect(result.errors[0]).toContain(message);
    expect(elb).not.toHaveReceivedAnyCommand();
    expect(result.outputs).toEqual({});
    expect(result.saved).toEqual({});
  });
});
