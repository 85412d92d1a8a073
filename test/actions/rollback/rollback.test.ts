import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  createRolloutState,
  parseRolloutState,
  serializeRolloutState,
  type RolloutState,
} from '@shiftgate/core';
import { run } from '../../../actions/rollback/src/main';
import { Elbv2Server } from '../../support/elbv2-server';
import { inProcess } from '../shift-traffic/harness';

const ACCOUNT = '123456789012';
const LB = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/shop/50dc6c495c0c9188`;
const LISTENER = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2`;
const RULE = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee`;
const STABLE = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/blue/73e2d6bc24d8a067`;
const CANARY = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/green/83e2d6bc24d8a067`;
const tw = (arn: string, weight: number) => ({ 'target-group-arn': arn, weight });

/** A rollout at 25% on a listener and a rule, both of which started on stable alone. */
function shiftedState(): RolloutState {
  return {
    ...createRolloutState({
      strategy: 'canary',
      parameters: {},
      plan: [{ kind: 'shift', weight: 25 }],
      now: new Date('2026-01-01T00:00:00Z'),
    }),
    step: 1,
    status: 'in-progress',
    routes: [LISTENER, RULE],
    'load-balancer-arn': LB,
    'stable-target-group-arn': STABLE,
    'canary-target-group-arn': CANARY,
    'initial-weights': { [LISTENER]: [tw(STABLE, 1)], [RULE]: [tw(STABLE, 1)] },
    weights: { stable: 75, canary: 25 },
  };
}

let server: Elbv2Server;
beforeAll(async () => {
  server = await Elbv2Server.start();
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  server.addListener({
    ListenerArn: LISTENER,
    LoadBalancerArn: LB,
    DefaultActions: [
      {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: STABLE, Weight: 75 },
            { TargetGroupArn: CANARY, Weight: 25 },
          ],
        },
      },
    ],
  });
  server.addRule({
    RuleArn: RULE,
    ListenerArn: LISTENER,
    Actions: [
      {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: STABLE, Weight: 75 },
            { TargetGroupArn: CANARY, Weight: 25 },
          ],
        },
      },
    ],
  });
});

const rollback = (inputs: Record<string, string>) =>
  inProcess(inputs, () => run({ sleep: async () => {} }), { AWS_ENDPOINT_URL: server.url });

describe('rollback', () => {
  it('sends every route back to stable, verified, then reports with the reason', async () => {
    let reportedBeforeFirstWrite: string | null = null;
    server.onRequest((request) => {
      if (request.action.startsWith('Modify') && reportedBeforeFirstWrite === null) {
        reportedBeforeFirstWrite =
          readFileSync(process.env.GITHUB_STEP_SUMMARY!, 'utf8') +
          readFileSync(process.env.GITHUB_OUTPUT!, 'utf8');
      }
    });
    const result = await rollback({
      state: serializeRolloutState(shiftedState()),
      reason: 'p99 612ms > 500ms',
    });
    expect(result.errors).toEqual([]);
    expect(reportedBeforeFirstWrite).toBe('');
    expect(server.weights(LISTENER)).toEqual([
      [STABLE, 100],
      [CANARY, 0],
    ]);
    expect(server.weights(RULE)).toEqual([
      [STABLE, 100],
      [CANARY, 0],
    ]);
    expect(server.actions()).toEqual([
      'DescribeListeners',
      'ModifyListener',
      'DescribeListeners',
      'DescribeRules',
      'ModifyRule',
      'DescribeRules',
    ]);
    expect(result.outputs['rolled-back']).toBe('true');
    expect(JSON.parse(result.outputs.weights!)).toEqual({
      [LISTENER]: [tw(STABLE, 100), tw(CANARY, 0)],
      [RULE]: [tw(STABLE, 100), tw(CANARY, 0)],
    });
    expect(parseRolloutState('state', result.outputs.state!)).toMatchObject({
      status: 'rolled-back',
      weights: { stable: 100, canary: 0 },
    });
    expect(result.notices).toEqual([
      'Rolled back 2 of 2 routes to stable 100% / canary 0% (verified). Reason: p99 612ms > 500ms',
    ]);
    expect(result.summary).toContain('**Reason:** p99 612ms &gt; 500ms');
    expect(result.summary).toContain(
      '| `listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2` | stable blue 75, canary green 25 | stable blue 100, canary green 0 | rolled back |',
    );
  });

  it("removes an A/B test's audience rule (found by its tag) before traffic, and no other rule", async () => {
    const state = { ...shiftedState(), strategy: 'ab-testing' as const };
    state.plan = [{ kind: 'audience', action: 'route', audience: 'header:X-Experiment=b' }, ...state.plan];
    state.step = 2;
    const tagged = `${RULE.slice(0, -16)}aaaaaaaaaaaaaaaa`;
    server.addRule({
      RuleArn: tagged,
      ListenerArn: LISTENER,
      Priority: '1',
      Actions: [{ Type: 'forward', TargetGroupArn: CANARY }],
    });
    // The fixture rule carries this rollout's tag, as CreateRule would have set it.
    server.tagForTest(tagged, 'shiftgate:audience-of', state['created-at']);
    const result = await rollback({ state: serializeRolloutState(state), reason: 'B is worse' });
    expect(result.errors).toEqual([]);
    expect(server.actions().slice(0, 3)).toEqual(['DescribeRules', 'DescribeTags', 'DeleteRule']);
    expect(server.listenerRules(LISTENER).map(([arn]) => arn)).toEqual([RULE]);
    expect(server.weights(LISTENER)).toEqual([
      [STABLE, 100],
      [CANARY, 0],
    ]);
  });

  it('makes no Modify call and succeeds when run again', async () => {
    const state = serializeRolloutState(shiftedState());
    await rollback({ state });
    server.requests.length = 0;
    const again = await rollback({ state });
    expect(again.errors).toEqual([]);
    expect(server.actions()).toEqual(['DescribeListeners', 'DescribeRules']);
    expect(again.outputs['rolled-back']).toBe('false');
    expect(again.notices).toEqual(['Traffic was already at stable 100% / canary 0%; nothing changed.']);
  });

  it('restores exactly the weights recorded before the rollout with to: previous', async () => {
    const result = await rollback({ state: serializeRolloutState(shiftedState()), to: 'previous' });
    expect(result.errors).toEqual([]);
    expect(server.weights(LISTENER)).toEqual([[STABLE, 1]]);
    expect(server.listener(LISTENER).DefaultActions[0]!.TargetGroupArn).toBe(STABLE);
    expect(server.weights(RULE)).toEqual([[STABLE, 1]]);
  });

  it('works from explicit ARNs without a state', async () => {
    const result = await rollback({
      'rule-arn': RULE,
      'stable-target-group-arn': STABLE,
      'canary-target-group-arn': CANARY,
    });
    expect(result.errors).toEqual([]);
    expect(server.weights(RULE)).toEqual([
      [STABLE, 100],
      [CANARY, 0],
    ]);
    expect(server.weights(LISTENER)).toEqual([
      [STABLE, 75],
      [CANARY, 25],
    ]);
    expect(result.outputs.state).toBe('');
  });

  it('rolls back the other routes when one fails, then fails naming it', async () => {
    server.deny('ModifyListener');
    const result = await rollback({ state: serializeRolloutState(shiftedState()), reason: 'alarm' });
    expect(server.weights(RULE)).toEqual([
      [STABLE, 100],
      [CANARY, 0],
    ]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toContain(
      `rollback failed: ModifyListener on ${LISTENER} failed: access denied; the role needs the IAM permission elasticloadbalancing:ModifyListener`,
    );
    expect(result.errors[0]).toContain(
      `The other routes were handled: ${RULE}: restored to stable blue 100, canary green 0`,
    );
    expect(result.summary).toContain('failed: ModifyListener on');
    expect(result.outputs).toEqual({});
  });

  it('keeps a multi-line reason on one line, so it cannot start a workflow command', async () => {
    const result = await rollback({
      state: serializeRolloutState(shiftedState()),
      reason: 'bad deploy\n::error::injected',
    });
    expect(result.errors).toEqual([]);
    expect(result.stdout.split('\n').some((line) => line.startsWith('::error::injected'))).toBe(false);
    expect(result.notices[0]).toContain('Reason: bad deploy ::error::injected');
  });

  it.each([
    ['an unknown target', { to: 'back' }, "Input 'to' must be 'stable' or 'previous', got 'back'"],
    [
      'previous without a state',
      {
        to: 'previous',
        state: '',
        'listener-arn': LISTENER,
        'stable-target-group-arn': STABLE,
        'canary-target-group-arn': CANARY,
      },
      `Input 'to' is 'previous', but no state was given to say what was there before, for ${LISTENER}; use to: stable, or pass the state emitted by shift-traffic`,
    ],
    [
      'previous without initial weights',
      { to: 'previous', state: serializeRolloutState({ ...shiftedState(), 'initial-weights': null }) },
      `Input 'to' is 'previous', but the state records no weights from before the rollout for ${LISTENER}, ${RULE}`,
    ],
    [
      'a state that is not one',
      { state: '[]' },
      "Input 'state' is not a shiftgate rollout state: expected a JSON object",
    ],
    [
      'stable = canary',
      {
        state: '',
        'listener-arn': LISTENER,
        'stable-target-group-arn': STABLE,
        'canary-target-group-arn': STABLE,
      },
      "Input 'canary-target-group-arn' must be a target group other than the stable target group",
    ],
    [
      'no routes',
      { state: '', 'stable-target-group-arn': STABLE, 'canary-target-group-arn': CANARY },
      "Input 'listener-arn' must be one or more listener ARNs",
    ],
    [
      'no target groups',
      { state: '', 'listener-arn': LISTENER },
      "Input 'stable-target-group-arn' must be a target group ARN such as",
    ],
  ])('refuses %s before any AWS call', async (_name, override, message) => {
    const result = await rollback({ state: serializeRolloutState(shiftedState()), ...override });
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toContain(`rollback failed: ${message}`);
    expect(server.requests).toEqual([]);
  });
});

describe('rollback over cells', () => {
  const EU = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012';
  const EU_LISTENER = `${EU}:listener/app/shop-eu/60dc6c495c0c9188/a2f7dc8efc522ab2`;
  const EU_STABLE = `${EU}:targetgroup/blue-eu/73e2d6bc24d8a067`;
  const EU_CANARY = `${EU}:targetgroup/green-eu/83e2d6bc24d8a067`;
  const cellState = (): RolloutState => ({
    ...createRolloutState({
      strategy: 'rolling',
      parameters: {},
      plan: [
        { kind: 'batch', batch: 1, cells: ['use1'] },
        { kind: 'batch', batch: 2, cells: ['euw1'] },
      ],
      now: new Date('2026-01-01T00:00:00Z'),
    }),
    step: 2,
    status: 'in-progress',
    'initial-weights': { [LISTENER]: [tw(STABLE, 1)], [EU_LISTENER]: [tw(EU_STABLE, 1)] },
    cells: {
      use1: {
        region: 'us-east-1',
        zone: null,
        wave: 1,
        status: 'promoted',
        routes: [LISTENER],
        'stable-target-group-arn': STABLE,
        'canary-target-group-arn': CANARY,
        alarms: [],
        weight: 25,
      },
      euw1: {
        region: 'eu-west-1',
        zone: null,
        wave: 2,
        status: 'in-progress',
        routes: [EU_LISTENER],
        'stable-target-group-arn': EU_STABLE,
        'canary-target-group-arn': EU_CANARY,
        alarms: [],
        weight: 25,
      },
    },
  });

  it('sends every moved cell back through its own region, with the routes from the state', async () => {
    server.addListener({
      ListenerArn: EU_LISTENER,
      LoadBalancerArn: `${EU}:loadbalancer/app/shop-eu/60dc6c495c0c9188`,
      DefaultActions: [
        {
          Type: 'forward',
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: EU_STABLE, Weight: 75 },
              { TargetGroupArn: EU_CANARY, Weight: 25 },
            ],
          },
        },
      ],
    });
    const result = await rollback({ state: serializeRolloutState(cellState()), reason: 'wave 2 failed' });
    expect(result.errors).toEqual([]);
    expect(server.weights(LISTENER)).toEqual([
      [STABLE, 100],
      [CANARY, 0],
    ]);
    expect(server.weights(EU_LISTENER)).toEqual([
      [EU_STABLE, 100],
      [EU_CANARY, 0],
    ]);
    const regions = server.requests.filter((r) => r.action === 'ModifyListener').map((r) => r.region);
    expect(regions.sort()).toEqual(['eu-west-1', 'us-east-1']);
    const state = parseRolloutState('state', result.outputs.state!);
    expect(Object.values(state.cells!).map((c) => c.status)).toEqual(['rolled-back', 'rolled-back']);
  });

  const cellsInput = (stable = EU_STABLE, names = ['use1', 'euw1']) =>
    stringify(
      [
        {
          name: 'use1',
          region: 'us-east-1',
          'listener-arn': LISTENER,
          'stable-target-group-arn': STABLE,
          'canary-target-group-arn': CANARY,
        },
        {
          name: 'euw1',
          region: 'eu-west-1',
          'listener-arn': EU_LISTENER,
          'stable-target-group-arn': stable,
          'canary-target-group-arn': EU_CANARY,
        },
      ].filter((c) => names.includes(c.name)),
    );
  const addEuListener = () =>
    server.addListener({
      ListenerArn: EU_LISTENER,
      LoadBalancerArn: `${EU}:loadbalancer/app/shop-eu/60dc6c495c0c9188`,
      DefaultActions: [
        {
          Type: 'forward',
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: EU_STABLE, Weight: 75 },
              { TargetGroupArn: EU_CANARY, Weight: 25 },
            ],
          },
        },
      ],
    });

  it('takes the routes from the cells input, checked against the state; a second run writes nothing', async () => {
    addEuListener();
    const state = serializeRolloutState(cellState());
    const first = await rollback({ state, cells: cellsInput() });
    expect(first.errors).toEqual([]);
    expect(first.outputs['rolled-back']).toBe('true');
    expect(server.weights(EU_LISTENER)).toEqual([
      [EU_STABLE, 100],
      [EU_CANARY, 0],
    ]);
    const writes = server.requests.filter((r) => r.action === 'ModifyListener').length;
    expect(writes).toBe(2);
    // The same state again (the job re-run): every route is read, already back, and not written.
    const again = await rollback({ state, cells: cellsInput() });
    expect(again.errors).toEqual([]);
    expect(again.outputs['rolled-back']).toBe('false');
    expect(server.requests.filter((r) => r.action === 'ModifyListener')).toHaveLength(writes);
  });

  it.each([
    [
      cellsInput(`${EU}:targetgroup/blue-other/73e2d6bc24d8a067`),
      "Cell 'euw1' has 'stable-target-group-arn'",
    ],
    [
      cellsInput(EU_STABLE, ['use1']),
      "The state's cell 'euw1' is in-progress, but the cells given do not define it",
    ],
  ])('refuses cells that do not match the state before any AWS call (%#)', async (cells, message) => {
    const result = await rollback({ state: serializeRolloutState(cellState()), cells });
    expect(result.errors[0]).toContain(message);
    expect(server.requests).toEqual([]);
  });

  it('refuses a cells input next to a state that is not over cells', async () => {
    const result = await rollback({ state: serializeRolloutState(shiftedState()), cells: cellsInput() });
    expect(result.errors[0]).toContain(
      "Input 'cells' must be empty unless the 'state' is a rollout over cells",
    );
    expect(server.requests).toEqual([]);
  });

  it('refuses route inputs next to a state over cells', async () => {
    const result = await rollback({ state: serializeRolloutState(cellState()), 'listener-arn': LISTENER });
    expect(result.errors[0]).toContain("Input 'listener-arn' must be empty for a rollout over cells");
    expect(server.requests).toEqual([]);
  });
});
