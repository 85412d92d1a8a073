import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRolloutState, parseRolloutState, serializeRolloutState } from '@shiftgate/core';
import { run } from '../../../actions/shift-traffic/src/main';
import { post } from '../../../actions/shift-traffic/src/restore';
import { Elbv2Server, type WireAction } from '../../support/elbv2-server';
import { inProcess } from './harness';

const ACCOUNT = '123456789012';
const LB = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/shop/50dc6c495c0c9188`;
const LISTENER = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2`;
const RULE = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee`;
const STABLE = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/blue/73e2d6bc24d8a067`;
const CANARY = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/green/83e2d6bc24d8a067`;
const tw = (arn: string, weight: number) => ({ 'target-group-arn': arn, weight });

const FIXED: WireAction = {
  Type: 'fixed-response',
  Order: 1,
  FixedResponseConfig: { StatusCode: '503', ContentType: 'text/plain', MessageBody: 'down' },
};
const BASE = {
  'listener-arn': LISTENER,
  'stable-target-group-arn': STABLE,
  'canary-target-group-arn': CANARY,
};

let server: Elbv2Server;
beforeAll(async () => {
  server = await Elbv2Server.start();
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  server.addTargetGroup(CANARY);
  server.addListener({
    ListenerArn: LISTENER,
    LoadBalancerArn: LB,
    DefaultActions: [{ Type: 'forward', TargetGroupArn: STABLE }],
  });
  server.addRule({
    RuleArn: RULE,
    ListenerArn: LISTENER,
    Actions: [
      { Type: 'forward', Order: 1, ForwardConfig: { TargetGroups: [{ TargetGroupArn: STABLE, Weight: 1 }] } },
    ],
  });
});

const shift = (inputs: Record<string, string>) =>
  inProcess(inputs, () => run({ sleep: async () => {} }), { AWS_ENDPOINT_URL: server.url });
const postStep = (saved: Record<string, string>) =>
  inProcess({}, () => post({ sleep: async () => {} }), {
    AWS_ENDPOINT_URL: server.url,
    ...Object.fromEntries(Object.entries(saved).map(([k, v]) => [`STATE_${k}`, v])),
  });

describe('shift-traffic run', () => {
  it('shifts, verifies, and emits the weights, the changed flag and a new rollout state', async () => {
    const result = await shift({ ...BASE, 'canary-weight': '10' });
    expect(result.errors).toEqual([]);
    expect(JSON.parse(result.outputs['previous-weights']!)).toEqual({ [LISTENER]: [tw(STABLE, 1)] });
    expect(JSON.parse(result.outputs.weights!)).toEqual({ [LISTENER]: [tw(STABLE, 90), tw(CANARY, 10)] });
    expect(result.outputs.changed).toBe('true');
    const state = parseRolloutState('state', result.outputs.state!);
    expect(state).toMatchObject({
      strategy: 'canary',
      status: 'in-progress',
      routes: [LISTENER],
      'load-balancer-arn': LB,
      'initial-weights': { [LISTENER]: [tw(STABLE, 1)] },
      weights: { stable: 90, canary: 10 },
    });
    expect(result.notices).toEqual(['Traffic is at stable 90% / canary 10% on 1 route (verified).']);
    expect(result.summary).toContain(
      '| `listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2` | stable blue 1 | stable blue 90, canary green 10 |',
    );
    expect(server.weights(LISTENER)).toEqual([
      [STABLE, 90],
      [CANARY, 10],
    ]);
  });

  it('saves what to put back before its first write', async () => {
    let savedAtFirstWrite = '';
    server.onRequest((request) => {
      if (request.action === 'ModifyListener' && savedAtFirstWrite === '')
        savedAtFirstWrite = readFileSync(process.env.GITHUB_STATE!, 'utf8');
    });
    const result = await shift({ ...BASE, 'canary-weight': '10' });
    expect(savedAtFirstWrite).toContain('restore<<');
    const saved = JSON.parse(result.saved.restore!);
    expect(saved).toMatchObject({
      version: 1,
      client: { region: 'us-east-1', 'retry-mode': 'standard', 'max-attempts': 5 },
      record: { version: 1, pair: { stable: STABLE, canary: CANARY } },
    });
    expect(saved.record.routes).toEqual([
      {
        route: LISTENER,
        before: [tw(STABLE, 1)],
        writes: [
          [tw(STABLE, 1), tw(CANARY, 0)],
          [tw(STABLE, 90), tw(CANARY, 10)],
        ],
      },
    ]);
  });

  it('follows the plan with step: next, expecting the weights the state verified last', async () => {
    const planned = createRolloutState({
      strategy: 'canary',
      parameters: {},
      plan: [
        { kind: 'shift', weight: 5 },
        { kind: 'bake', duration: '5m', 'duration-ms': 300000, promote: true },
        { kind: 'shift', weight: 50 },
      ],
      now: new Date('2026-01-01T00:00:00Z'),
    });
    const first = await shift({
      ...BASE,
      'rule-arn': RULE,
      state: serializeRolloutState(planned),
      step: 'next',
    });
    expect(first.errors).toEqual([]);
    const afterFirst = parseRolloutState('state', first.outputs.state!);
    expect(afterFirst).toMatchObject({
      step: 1,
      weights: { stable: 95, canary: 5 },
      routes: [LISTENER, RULE],
    });

    const second = await shift({ state: first.outputs.state!, step: 'next' });
    expect(second.errors).toEqual([]);
    expect(parseRolloutState('state', second.outputs.state!)).toMatchObject({
      step: 3,
      weights: { stable: 50, canary: 50 },
      'initial-weights': afterFirst['initial-weights'],
    });
    expect(server.weights(RULE)).toEqual([
      [STABLE, 50],
      [CANARY, 50],
    ]);

    // Someone else moves the rule: the next step with the old state is refused, and nothing changes.
    server.setWeights(RULE, [
      [STABLE, 20],
      [CANARY, 80],
    ]);
    server.requests.length = 0;
    const third = await shift({ state: first.outputs.state!, step: '2' });
    expect(third.errors[0]).toContain(
      `shift-traffic failed: ${RULE} does not carry the expected weights: expected stable 95% / canary 5% (from the rollout state's last verified weights), found stable blue 20, canary green 80`,
    );
    expect(server.actions((r) => r.action.startsWith('Modify'))).toEqual([]);
  });

  it('prints the exact requests in a dry run and changes nothing', async () => {
    const result = await shift({ ...BASE, 'canary-weight': '25', 'dry-run': 'true' });
    expect(result.errors).toEqual([]);
    expect(server.actions((r) => r.action.startsWith('Modify'))).toEqual([]);
    expect(result.outputs.changed).toBe('false');
    expect(JSON.parse(result.outputs.weights!)).toEqual({ [LISTENER]: [tw(STABLE, 75), tw(CANARY, 25)] });
    expect(result.saved).toEqual({});
    expect(result.stdout).toContain(
      `ModifyListener {\n  "ListenerArn": "${LISTENER}",\n  "DefaultActions": [`,
    );
    expect(result.stdout).toContain('"Weight": 75');
    expect(result.notices).toEqual([
      'Dry run: 2 requests would be sent to move to stable 75% / canary 25%; nothing was changed.',
    ]);
  });

  it('changes nothing when the routes already carry the weights', async () => {
    server.setWeights(LISTENER, [
      [STABLE, 75],
      [CANARY, 25],
    ]);
    const result = await shift({ ...BASE, 'canary-weight': '25' });
    expect(result.outputs.changed).toBe('false');
    expect(result.saved).toEqual({});
    expect(server.actions((r) => r.action.startsWith('Modify'))).toEqual([]);
    expect(result.notices).toEqual(['Traffic was already at stable 75% / canary 25%; nothing changed.']);
  });

  it('refuses a listener that forwards nowhere, before writing any route', async () => {
    const down = LISTENER.replace('f2f7dc8efc522ab2', 'd0d0dc8efc522ab2');
    server.addListener({ ListenerArn: down, LoadBalancerArn: LB, DefaultActions: [FIXED] });
    const result = await shift({ ...BASE, 'listener-arn': `${LISTENER}\n${down}`, 'canary-weight': '10' });
    expect(result.errors).toEqual([
      `shift-traffic failed: ${down} has no forward action to weight (its actions: fixed-response); point shiftgate at the listener or rule that forwards to the stable target group`,
    ]);
    expect(server.actions((r) => r.action.startsWith('Modify'))).toEqual([]);
  });

  it('saves nothing to restore with restore-on-failure: false', async () => {
    const result = await shift({ ...BASE, 'canary-weight': '100', 'restore-on-failure': 'false' });
    expect(result.errors).toEqual([]);
    expect(result.saved).toEqual({});
  });

  it('fails with the typed error of the load balancer and leaves nothing changed', async () => {
    server.addTargetGroup(
      CANARY,
      `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/other/70dc6c495c0c9188`,
    );
    const result = await shift({ ...BASE, 'canary-weight': '10' });
    expect(result.errors).toEqual([
      `shift-traffic failed: ModifyListener on ${LISTENER} failed: a target group limit was reached (a target group can serve one load balancer; an action holds at most 5 target groups) (TargetGroupAssociationLimit: The following target groups cannot be associated with more than one load balancer: ${CANARY}). Nothing was changed.`,
    ]);
    expect(server.weights(LISTENER)).toEqual([[STABLE, 1]]);
  });
});

describe('shift-traffic post step', () => {
  it('puts back what the step changed when the job failed', async () => {
    const main = await shift({ ...BASE, 'rule-arn': RULE, 'canary-weight': '30' });
    expect(server.weights(RULE)).toEqual([
      [STABLE, 70],
      [CANARY, 30],
    ]);
    server.requests.length = 0;
    const result = await postStep(main.saved);
    expect(result.errors).toEqual([]);
    expect(server.weights(LISTENER)).toEqual([[STABLE, 1]]);
    expect(server.weights(RULE)).toEqual([[STABLE, 1]]);
    // Reverse order, one read, one write, one verifying read per route.
    expect(server.actions()).toEqual([
      'DescribeRules',
      'ModifyRule',
      'DescribeRules',
      'DescribeListeners',
      'ModifyListener',
      'DescribeListeners',
    ]);
    expect(result.notices).toEqual([
      'Put back the weights of 2 routes (verified) because the job failed or was cancelled.',
    ]);
    expect(result.summary).toContain('put back (verified)');
  });

  it('chains back to the start when two shift steps of a failed job run their posts in reverse order', async () => {
    const first = await shift({ ...BASE, 'canary-weight': '10' });
    const second = await shift({ ...BASE, 'canary-weight': '50', state: first.outputs.state! });
    expect(server.weights(LISTENER)).toEqual([
      [STABLE, 50],
      [CANARY, 50],
    ]);
    await postStep(second.saved);
    expect(server.weights(LISTENER)).toEqual([
      [STABLE, 90],
      [CANARY, 10],
    ]);
    await postStep(first.saved);
    expect(server.weights(LISTENER)).toEqual([[STABLE, 1]]);
  });

  it('does nothing when a rollback step already sent traffic back', async () => {
    const main = await shift({ ...BASE, 'canary-weight': '30' });
    server.setWeights(LISTENER, [
      [STABLE, 100],
      [CANARY, 0],
    ]);
    server.requests.length = 0;
    const result = await postStep(main.saved);
    expect(server.actions((r) => r.action.startsWith('Modify'))).toEqual([]);
    expect(result.notices).toEqual(['No route needed putting back.']);
  });

  it('leaves a route someone else changed since, with a warning', async () => {
    const main = await shift({ ...BASE, 'canary-weight': '30' });
    server.setWeights(LISTENER, [
      [STABLE, 40],
      [CANARY, 60],
    ]);
    const result = await postStep(main.saved);
    expect(result.warnings).toEqual([
      `${LISTENER} holds stable blue 40, canary green 60, which this job did not write; someone else changed it since, so it is left as it is.`,
    ]);
    expect(server.weights(LISTENER)).toEqual([
      [STABLE, 40],
      [CANARY, 60],
    ]);
    expect(result.errors).toEqual([]);
  });

  it('has nothing to do when the step saved nothing', async () => {
    const result = await postStep({});
    expect(server.requests).toEqual([]);
    expect(result.stdout).toContain(
      'This step moved no traffic (or restore-on-failure is false); nothing to put back.',
    );
  });

  it('refuses an unreadable saved state without calling AWS', async () => {
    const result = await postStep({ restore: '{"version":2}' });
    expect(result.errors).toEqual([
      'shift-traffic post failed: the state saved by the main step is unreadable (unknown version); check the listeners and rules by hand',
    ]);
    expect(server.requests).toEqual([]);
  });
});
