import { describe, expect, it } from 'vitest';
import {
  canaryShare,
  checkExpectation,
  createRolloutState,
  ForwardActionError,
  InputError,
  matchesSplit,
  pairWeights,
  parseExpectedWeights,
  planRestore,
  planShift,
  recordRollback,
  recordShift,
  resolveShiftStep,
  restoreDecision,
  rollbackTargetGroups,
  sameTargetGroups,
  sameTraffic,
  targetGroupsForSplit,
  WeightsChangedError,
  type RouteReading,
  type TargetWeight,
} from '@shiftgate/core';

const TG = (name: string) =>
  `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${name}/0123456789abcdef`;
const STABLE = TG('blue');
const CANARY = TG('green');
const OTHER = TG('legacy');
const pair = { stable: STABLE, canary: CANARY };
const ROUTE =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2';

const tw = (arn: string, weight: number): TargetWeight => ({ 'target-group-arn': arn, weight });
const reading = (targetGroups: TargetWeight[]): RouteReading => ({
  route: ROUTE,
  kind: 'listener',
  'target-groups': targetGroups,
});

describe('pairWeights', () => {
  it.each([
    [100, 0, 100, 0],
    [100, 5, 95, 5],
    [100, 100, 0, 100],
    [150, 5, 142, 8],
    [150, 50, 75, 75],
    [1, 0, 1, 0],
    [1, 100, 0, 1],
    [20, 5, 19, 1],
    [999, 1, 989, 10],
  ])(
    'splits a combined weight of %i at canary %i percent into stable %i / canary %i',
    (total, canary, s, c) => {
      expect(pairWeights(total, canary)).toEqual({ stable: s, canary: c });
    },
  );
});

describe('matchesSplit', () => {
  it.each([
    ['stable alone at weight 1 sends 0% to the canary', [tw(STABLE, 1)], 0, true],
    ['stable alone does not send 5%', [tw(STABLE, 1)], 5, false],
    ['95/5 sends 5%', [tw(STABLE, 95), tw(CANARY, 5)], 5, true],
    ['95/5 does not send 6%', [tw(STABLE, 95), tw(CANARY, 5)], 6, false],
    ['190/10 sends 5% (ratio, not absolute)', [tw(STABLE, 190), tw(CANARY, 10)], 5, true],
    [
      '142/8 next to another target group sends 5% of 150',
      [tw(STABLE, 142), tw(CANARY, 8), tw(OTHER, 50)],
      5,
      true,
    ],
    ['0/0 sends no split at all', [tw(STABLE, 0), tw(CANARY, 0)], 0, false],
    ['no stable target group sends no split', [tw(CANARY, 100)], 100, false],
    ['0/100 sends 100%', [tw(STABLE, 0), tw(CANARY, 100)], 100, true],
  ])('%s', (_name, targetGroups, canary, expected) => {
    expect(matchesSplit(targetGroups, pair, { stable: 100 - canary, canary })).toBe(expected);
  });
});

describe('targetGroupsForSplit', () => {
  it('writes the percentages as weights when stable and canary are alone', () => {
    expect(targetGroupsForSplit(ROUTE, [tw(STABLE, 1), tw(CANARY, 0)], pair, 5)).toEqual([
      tw(STABLE, 95),
      tw(CANARY, 5),
    ]);
  });

  it('appends a missing canary after the existing target groups', () => {
    expect(targetGroupsForSplit(ROUTE, [tw(STABLE, 1)], pair, 25)).toEqual([tw(STABLE, 75), tw(CANARY, 25)]);
  });

  it('keeps other target groups and the pair total, so the others keep their share', () => {
    const result = targetGroupsForSplit(ROUTE, [tw(OTHER, 50), tw(STABLE, 150), tw(CANARY, 0)], pair, 5);
    expect(result).toEqual([tw(OTHER, 50), tw(STABLE, 142), tw(CANARY, 8)]);
  });

  it('splits a small pair total exactly when the product is whole', () => {
    expect(targetGroupsForSplit(ROUTE, [tw(STABLE, 20), tw(CANARY, 0), tw(OTHER, 20)], pair, 5)).toEqual([
      tw(STABLE, 19),
      tw(CANARY, 1),
      tw(OTHER, 20),
    ]);
  });

  it('refuses a split a small pair total cannot express instead of rounding it away', () => {
    expect(() => targetGroupsForSplit(ROUTE, [tw(STABLE, 1), tw(OTHER, 1)], pair, 5)).toThrow(
      /share a weight of 1, too little to give the canary 5% of it exactly/,
    );
  });

  it('refuses when the stable target group is not in the forward action', () => {
    const error = catchError(() => targetGroupsForSplit(ROUTE, [tw(OTHER, 1)], pair, 5));
    expect(error).toBeInstanceOf(ForwardActionError);
    expect((error as ForwardActionError).reason).toBe('stable-missing');
    expect(error.message).toContain('does not forward to the stable target group blue');
  });

  it('refuses a sixth target group (the ALB limit is 5 per action)', () => {
    const five = [STABLE, TG('a'), TG('b'), TG('c'), TG('d')].map((arn) => tw(arn, 100));
    const error = catchError(() => targetGroupsForSplit(ROUTE, five, pair, 5));
    expect((error as ForwardActionError).reason).toBe('too-many-target-groups');
    expect(error.message).toContain('limit of 5 target groups per action');
    expect(targetGroupsForSplit(ROUTE, five.slice(0, 4), pair, 5)).toHaveLength(5);
  });

  it('refuses a weight above 999', () => {
    const error = catchError(() =>
      targetGroupsForSplit(ROUTE, [tw(STABLE, 999), tw(CANARY, 999), tw(OTHER, 1)], pair, 100),
    );
    expect((error as ForwardActionError).reason).toBe('weight-limit');
  });
});

describe('planShift', () => {
  it('adds a missing canary at weight 0 before writing the split', () => {
    const plan = planShift(reading([tw(STABLE, 1)]), pair, 5);
    expect(plan.writes).toEqual([
      [tw(STABLE, 1), tw(CANARY, 0)],
      [tw(STABLE, 95), tw(CANARY, 5)],
    ]);
    expect(plan.before).toEqual([tw(STABLE, 1)]);
  });

  it('only attaches the canary when the split is 0', () => {
    expect(planShift(reading([tw(STABLE, 1)]), pair, 0).writes).toEqual([[tw(STABLE, 1), tw(CANARY, 0)]]);
  });

  it('writes nothing when the route already sends the split', () => {
    expect(planShift(reading([tw(STABLE, 95), tw(CANARY, 5)]), pair, 5).writes).toEqual([]);
  });

  it('refuses before planning any write when the canary cannot be added', () => {
    const full = [STABLE, TG('a'), TG('b'), TG('c'), TG('d')].map((arn) => tw(arn, 1));
    expect(() => planShift(reading(full), pair, 0)).toThrow(ForwardActionError);
  });
});

describe('planRestore', () => {
  it('writes the exact target list, in its recorded order', () => {
    expect(planRestore(reading([tw(CANARY, 5), tw(STABLE, 95)]), [tw(STABLE, 1)]).writes).toEqual([
      [tw(STABLE, 1)],
    ]);
  });

  it('writes nothing when the route holds the same target groups in another order', () => {
    expect(
      planRestore(reading([tw(CANARY, 0), tw(STABLE, 1)]), [tw(STABLE, 1), tw(CANARY, 0)]).writes,
    ).toEqual([]);
  });
});

describe('parseExpectedWeights', () => {
  it('reads a split', () => {
    expect(parseExpectedWeights('expected-weights', '{"stable":95,"canary":5}')).toMatchObject({
      kind: 'split',
      split: { stable: 95, canary: 5 },
    });
  });

  it('reads the weights output of an earlier step', () => {
    const text = JSON.stringify({ [ROUTE]: [tw(STABLE, 95), tw(CANARY, 5)] });
    expect(parseExpectedWeights('expected-weights', text)).toMatchObject({
      kind: 'exact',
      routes: { [ROUTE]: [tw(STABLE, 95), tw(CANARY, 5)] },
    });
  });

  it.each([
    ['not JSON', '95/5'],
    ['a split that does not add up', '{"stable":90,"canary":5}'],
    ['a fractional split', '{"stable":94.5,"canary":5.5}'],
    ['an empty object', '{}'],
    ['weights above 999', JSON.stringify({ [ROUTE]: [tw(STABLE, 1000)] })],
    ['extra keys in a target group', JSON.stringify({ [ROUTE]: [{ ...tw(STABLE, 1), name: 'x' }] })],
    ['a list', '[95,5]'],
  ])('refuses %s, naming the input', (_name, text) => {
    const error = catchError(() => parseExpectedWeights('expected-weights', text));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(/^Input 'expected-weights' must be /);
  });
});

describe('checkExpectation', () => {
  it('accepts a route carrying the expected split', () => {
    expect(() =>
      checkExpectation(reading([tw(STABLE, 95), tw(CANARY, 5)]), pair, {
        kind: 'split',
        split: { stable: 95, canary: 5 },
        source: 'the rollout state',
      }),
    ).not.toThrow();
  });

  it('refuses a route carrying another split, saying what was expected and found', () => {
    const error = catchError(() =>
      checkExpectation(reading([tw(STABLE, 50), tw(CANARY, 50)]), pair, {
        kind: 'split',
        split: { stable: 95, canary: 5 },
        source: 'the rollout state',
      }),
    );
    expect(error).toBeInstanceOf(WeightsChangedError);
    expect(error.message).toBe(
      `${ROUTE} does not carry the expected weights: expected stable 95% / canary 5% (from the rollout state), found stable blue 50, canary green 50. Someone else may be moving traffic on this route; refusing to change it. Set force: true to overwrite.`,
    );
  });

  it('refuses a route an exact expectation does not mention', () => {
    expect(() =>
      checkExpectation(reading([tw(STABLE, 1)]), pair, {
        kind: 'exact',
        routes: {},
        source: "'expected-weights'",
      }),
    ).toThrow(/an entry for this route \(there is none\)/);
  });
});

describe('sameTargetGroups and sameTraffic', () => {
  it('compares target groups regardless of order', () => {
    expect(sameTargetGroups([tw(STABLE, 1), tw(CANARY, 0)], [tw(CANARY, 0), tw(STABLE, 1)])).toBe(true);
    expect(sameTargetGroups([tw(STABLE, 1)], [tw(STABLE, 1), tw(CANARY, 0)])).toBe(false);
    expect(sameTargetGroups([tw(STABLE, 1), tw(STABLE, 1)], [tw(STABLE, 1), tw(CANARY, 1)])).toBe(false);
  });

  it('treats stable 1 alone and stable 100 / canary 0 as the same traffic', () => {
    expect(sameTraffic([tw(STABLE, 1)], [tw(STABLE, 100), tw(CANARY, 0)], pair)).toBe(true);
    expect(sameTraffic([tw(STABLE, 1)], [tw(STABLE, 95), tw(CANARY, 5)], pair)).toBe(false);
  });

  it('counts a change of the pair total as a change when other target groups share the traffic', () => {
    expect(
      sameTraffic([tw(STABLE, 100), tw(OTHER, 100)], [tw(STABLE, 200), tw(CANARY, 0), tw(OTHER, 100)], pair),
    ).toBe(false);
    expect(
      sameTraffic([tw(STABLE, 100), tw(OTHER, 100)], [tw(STABLE, 100), tw(CANARY, 0), tw(OTHER, 100)], pair),
    ).toBe(true);
  });
});

describe('canaryShare', () => {
  it('is the canary share of the pair, or null without stable weight', () => {
    expect(canaryShare([tw(STABLE, 95), tw(CANARY, 5), tw(OTHER, 900)], pair)).toBe(5);
    expect(canaryShare([tw(STABLE, 1)], pair)).toBe(0);
    expect(canaryShare([tw(STABLE, 0)], pair)).toBeNull();
    expect(canaryShare([tw(CANARY, 1)], pair)).toBeNull();
  });
});

describe('restoreDecision', () => {
  const saved = {
    before: [tw(STABLE, 1)],
    writes: [
      [tw(STABLE, 1), tw(CANARY, 0)],
      [tw(STABLE, 95), tw(CANARY, 5)],
    ],
  };

  it('restores a route that holds what the step wrote', () => {
    expect(restoreDecision([tw(CANARY, 5), tw(STABLE, 95)], saved, pair)).toEqual({
      action: 'restore',
      target: [tw(STABLE, 1)],
    });
    expect(restoreDecision([tw(STABLE, 1), tw(CANARY, 0)], saved, pair)).toMatchObject({ action: 'none' });
  });

  it('does nothing when traffic already flows as before (a rollback step ran)', () => {
    expect(restoreDecision([tw(STABLE, 100), tw(CANARY, 0)], saved, pair)).toMatchObject({ action: 'none' });
  });

  it('leaves a route someone else changed since', () => {
    expect(restoreDecision([tw(STABLE, 50), tw(CANARY, 50)], saved, pair)).toMatchObject({ action: 'leave' });
  });
});

describe('rollbackTargetGroups', () => {
  it('sends everything to stable, keeping the canary attached at 0', () => {
    expect(rollbackTargetGroups(reading([tw(STABLE, 75), tw(CANARY, 25)]), pair, 'stable', null)).toEqual([
      tw(STABLE, 100),
      tw(CANARY, 0),
    ]);
  });

  it('keeps other target groups and gives the whole pair total to stable', () => {
    expect(
      rollbackTargetGroups(reading([tw(STABLE, 142), tw(CANARY, 8), tw(OTHER, 50)]), pair, 'stable', null),
    ).toEqual([tw(STABLE, 150), tw(CANARY, 0), tw(OTHER, 50)]);
  });

  it('is null when the route already sends nothing to the canary', () => {
    expect(rollbackTargetGroups(reading([tw(STABLE, 1)]), pair, 'stable', null)).toBeNull();
    expect(rollbackTargetGroups(reading([tw(STABLE, 100), tw(CANARY, 0)]), pair, 'stable', null)).toBeNull();
  });

  it('restores exactly the recorded weights for previous, dropping a canary that was not there', () => {
    expect(
      rollbackTargetGroups(reading([tw(STABLE, 75), tw(CANARY, 25)]), pair, 'previous', [tw(STABLE, 1)]),
    ).toEqual([tw(STABLE, 1)]);
    expect(rollbackTargetGroups(reading([tw(STABLE, 1)]), pair, 'previous', [tw(STABLE, 1)])).toBeNull();
  });

  it('refuses previous without recorded weights', () => {
    expect(() => rollbackTargetGroups(reading([tw(STABLE, 1)]), pair, 'previous', null)).toThrow(InputError);
  });
});

describe('resolveShiftStep', () => {
  const state = {
    ...createRolloutState({
      strategy: 'canary',
      parameters: {},
      plan: [
        { kind: 'shift', weight: 5 },
        { kind: 'bake', duration: '5m', 'duration-ms': 300000, promote: true },
        { kind: 'shift', weight: 25 },
        { kind: 'bake', duration: '5m', 'duration-ms': 300000, promote: true },
      ],
      now: new Date('2026-01-01T00:00:00Z'),
    }),
    step: 1,
  };

  it("resolves 'next' to the first shift at or after the current step", () => {
    expect(resolveShiftStep('step', 'next', state)).toEqual({ index: 2, weight: 25 });
    expect(resolveShiftStep('step', 'next', { ...state, step: 0 })).toEqual({ index: 0, weight: 5 });
  });

  it('resolves an index of a shift step', () => {
    expect(resolveShiftStep('step', '0', state)).toEqual({ index: 0, weight: 5 });
  });

  it.each([
    [
      'past the end of the plan',
      '4',
      "Input 'step' must be 'next' or the index of a shift step in the plan (0, 2), got '4': the plan has 4 steps (0 to 3)",
    ],
    [
      'a bake step',
      '1',
      "Input 'step' must be 'next' or the index of a shift step in the plan (0, 2), got '1': step 1 is a bake step",
    ],
    [
      'not a number',
      'last',
      "Input 'step' must be 'next' or the index of a shift step in the plan (0, 2), got 'last'",
    ],
    [
      'negative',
      '-1',
      "Input 'step' must be 'next' or the index of a shift step in the plan (0, 2), got '-1'",
    ],
  ])('refuses a step %s', (_name, value, message) => {
    const error = catchError(() => resolveShiftStep('step', value, state));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe(message);
  });

  it("refuses 'next' when no shift step is left", () => {
    expect(() => resolveShiftStep('step', 'next', { ...state, step: 3 })).toThrow(
      "Input 'step' is 'next', but the plan has no shift step at or after step 3 (plan: 0 shift 5, 1 bake, 2 shift 25, 3 bake)",
    );
  });
});

describe('recordShift and recordRollback', () => {
  const now = new Date('2026-02-01T10:00:00Z');
  const record = {
    routes: [ROUTE],
    pair,
    canary: 5,
    previous: { [ROUTE]: [tw(STABLE, 1)] },
    loadBalancerArn:
      'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188',
    stepIndex: 0,
    now,
  };

  it('fills the routes, target groups, load balancer, initial weights, split, step and status', () => {
    const state = createRolloutState({
      strategy: 'canary',
      parameters: {},
      plan: [
        { kind: 'shift', weight: 5 },
        { kind: 'shift', weight: 100 },
      ],
      now: new Date('2026-01-01T00:00:00Z'),
    });
    const next = recordShift(state, record);
    expect(next).toMatchObject({
      routes: [ROUTE],
      'stable-target-group-arn': STABLE,
      'canary-target-group-arn': CANARY,
      'load-balancer-arn': record.loadBalancerArn,
      'initial-weights': { [ROUTE]: [tw(STABLE, 1)] },
      weights: { stable: 95, canary: 5 },
      step: 1,
      status: 'in-progress',
      'updated-at': now.toISOString(),
    });
  });

  it('never overwrites initial weights already recorded for a route', () => {
    const first = recordShift(null, record);
    const second = recordShift(first, {
      ...record,
      canary: 25,
      previous: { [ROUTE]: [tw(STABLE, 95), tw(CANARY, 5)] },
      stepIndex: null,
    });
    expect(second['initial-weights']).toEqual({ [ROUTE]: [tw(STABLE, 1)] });
    expect(second.weights).toEqual({ stable: 75, canary: 25 });
  });

  it('starts a one-step canary state when there was none', () => {
    const state = recordShift(null, { ...record, stepIndex: null });
    expect(state).toMatchObject({
      strategy: 'canary',
      plan: [{ kind: 'shift', weight: 5 }],
      step: 1,
      'created-at': now.toISOString(),
    });
  });

  it('marks a rollback with the split now on the routes', () => {
    const shifted = recordShift(null, record);
    expect(recordRollback(shifted, 'stable', pair, now)).toMatchObject({
      status: 'rolled-back',
      weights: { stable: 100, canary: 0 },
    });
    const weighted = { ...shifted, 'initial-weights': { [ROUTE]: [tw(STABLE, 90), tw(CANARY, 10)] } };
    expect(recordRollback(weighted, 'previous', pair, now).weights).toEqual({ stable: 90, canary: 10 });
  });
});

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}
