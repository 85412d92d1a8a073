import { describe, expect, it } from 'vitest';
import {
  buildPlan,
  createRolloutState,
  parseRolloutState,
  serializeRolloutState,
  type RolloutState,
} from '@shiftgate/core';

const now = new Date('2026-11-21T10:00:00Z');
const fresh = (): RolloutState => {
  const plan = buildPlan('canary');
  return createRolloutState({
    strategy: 'canary',
    parameters: plan.parameters,
    plan: plan.steps,
    environment: 'production',
    now,
  });
};

describe('the rollout state document', () => {
  it('starts planned, at step 0, with nothing touched', () => {
    const state = fresh();
    expect(state).toMatchObject({
      'schema-version': 1,
      strategy: 'canary',
      step: 0,
      status: 'planned',
      environment: 'production',
      routes: [],
      'initial-weights': null,
      'created-at': '2026-11-21T10:00:00.000Z',
    });
  });

  it('round-trips through JSON exactly', () => {
    const state: RolloutState = {
      ...fresh(),
      step: 2,
      status: 'in-progress',
      routes: [
        'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2',
      ],
      'initial-weights': {
        'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2':
          [
            {
              'target-group-arn': 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/blue/1',
              weight: 1,
            },
          ],
      },
      weights: { stable: 95, canary: 5 },
      'deployment-id': 42,
    };
    expect(parseRolloutState('state', serializeRolloutState(state))).toEqual(state);
  });

  const broken = (change: (doc: Record<string, unknown>) => void): string => {
    const doc = JSON.parse(serializeRolloutState(fresh())) as Record<string, unknown>;
    change(doc);
    return JSON.stringify(doc);
  };

  it.each([
    ['not JSON', '{"schema-version":', "Input 'state' is not a shiftgate rollout state: it is not JSON"],
    ['an array', '[]', 'expected a JSON object'],
    ['no version', broken((d) => delete d['schema-version']), "it has no 'schema-version'"],
    [
      'a newer version',
      broken((d) => (d['schema-version'] = 2)),
      "'schema-version' 2 was written by a newer shiftgate; this one reads 1",
    ],
    ['an unknown key', broken((d) => (d.extra = 1)), "unknown key 'extra'"],
    ['a missing key', broken((d) => delete d.routes), "missing key 'routes'"],
    ['an unknown strategy', broken((d) => (d.strategy = 'yolo')), "'strategy' must be one of"],
    [
      'a step past the plan',
      broken((d) => (d.step = 99)),
      "'step' must be a whole number from 0 to 7 (the plan's length), got 99",
    ],
    [
      'a bad step',
      broken((d) => ((d.plan as unknown[])[0] = { kind: 'teleport' })),
      "'plan[0]' must be a step with 'kind'",
    ],
    [
      'a weight of 101',
      broken((d) => ((d.plan as unknown[])[0] = { kind: 'shift', weight: 101 })),
      "'plan[0].weight' must be a whole percentage",
    ],
    [
      'a step with extra keys',
      broken((d) => ((d.plan as unknown[])[0] = { kind: 'shift', weight: 5, x: 1 })),
      "has unknown key 'x'",
    ],
    ['bad weights', broken((d) => (d.weights = { stable: 50, canary: 60.5 })), "'weights' must be null or"],
    [
      'a bad timestamp',
      broken((d) => (d['created-at'] = 'yesterday')),
      "'created-at' must be an ISO 8601 timestamp",
    ],
    [
      'a bad deployment id',
      broken((d) => (d['deployment-id'] = -3)),
      "'deployment-id' must be null or a positive whole number",
    ],
  ])('refuses %s', (_what, text, message) => {
    expect(() => parseRolloutState('state', text)).toThrow(message);
  });
});
