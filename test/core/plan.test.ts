import { describe, expect, it } from 'vitest';
import {
  STRATEGIES,
  STRATEGY_NAMES,
  buildPlan,
  describeStep,
  parseStrategyName,
  planBakeTime,
  planWaves,
  planWeights,
  validatePlan,
  type Plan,
} from '@shiftgate/core';

describe('the strategy catalogue', () => {
  it('has the seven strategies, each with a description and documented parameters', () => {
    expect(Object.keys(STRATEGIES)).toEqual([...STRATEGY_NAMES]);
    for (const spec of Object.values(STRATEGIES)) {
      expect(spec.description.length).toBeGreaterThan(20);
      for (const param of spec.parameters) expect(param.description).not.toBe('');
    }
  });

  it('accepts saga-pattern as an alias of saga, in any case', () => {
    expect(parseStrategyName('strategy', 'saga-pattern')).toBe('saga');
    expect(parseStrategyName('strategy', 'Canary')).toBe('canary');
  });

  it('refuses an unknown strategy and lists the valid ones', () => {
    expect(() => parseStrategyName('strategy', 'canery')).toThrow(
      "Input 'strategy' must be one of blue-green, canary, linear, rolling, ab-testing, feature-flag, saga (or the alias saga-pattern), got 'canery'",
    );
  });
});

describe('buildPlan', () => {
  it('gives canary the seed defaults: 5 → 10 → 25 → 100 with 5-minute bakes', () => {
    const plan = buildPlan('canary');
    expect(planWeights(plan.steps)).toEqual([5, 10, 25, 100]);
    expect(plan.steps.filter((s) => s.kind === 'bake')).toHaveLength(3);
    expect(plan.steps[1]).toEqual({ kind: 'bake', duration: '5m', 'duration-ms': 300_000, promote: true });
    expect(plan.steps.at(-1)).toEqual({ kind: 'shift', weight: 100 });
  });

  it('is deterministic', () => {
    expect(buildPlan('linear', { 'step-size': 20 })).toEqual(buildPlan('linear', { 'step-size': '20%' }));
  });

  it('builds canary from custom steps', () => {
    expect(planWeights(buildPlan('canary', { steps: '5,25,50,100' }).steps)).toEqual([5, 25, 50, 100]);
  });

  it('generates canary weights from initial-traffic, step-size and max-traffic', () => {
    const plan = buildPlan('canary', { 'initial-traffic': 5, 'step-size': 10, 'max-traffic': 30 });
    expect(planWeights(plan.steps)).toEqual([5, 15, 25, 30, 100]);
    expect(planWeights(buildPlan('canary', { 'step-size': 10 }).steps)).toEqual([10, 20, 30, 40, 50, 100]);
  });

  it.each([
    [
      { steps: '5,25,20,100' },
      "Input 'parameters.steps' must be weights that strictly increase and end at 100",
    ],
    [{ steps: '5,25,50' }, "Input 'parameters.steps' must be weights that strictly increase and end at 100"],
    [{ steps: '0,50,100' }, 'weights above 0'],
    [{ steps: '5,101' }, 'got \'101\' in "5,101"'],
    [{ steps: '5,12.5,100' }, "got '12.5'"],
    [{ steps: '5,25', 'step-size': 10 }, 'sets both steps and step-size'],
    [{ 'max-traffic': 30 }, 'without step-size'],
    [
      { 'step-size': 10, 'initial-traffic': 60 },
      "Input 'parameters.initial-traffic' must be a whole percentage from 1% to max-traffic (50%)",
    ],
    [{ 'step-size': 0 }, "Input 'parameters.step-size' must be a whole percentage from 1% to 99%"],
    [{ 'bake-time': '5 m' }, "Input 'parameters.bake-time' must be a duration"],
    [
      { stepz: '5' },
      "Input 'parameters' has 'stepz', which is not a parameter of canary; its parameters are steps, initial-traffic, step-size, max-traffic, bake-time",
    ],
  ])('refuses canary parameters %j', (params, message) => {
    expect(() => buildPlan('canary', params)).toThrow(message);
  });

  it('builds linear steps of a fixed size, capped at 100', () => {
    expect(planWeights(buildPlan('linear').steps)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(planWeights(buildPlan('linear', { 'step-size': 30 }).steps)).toEqual([30, 60, 90, 100]);
    expect(planBakeTime(buildPlan('linear').steps)).toBe(9 * 60_000);
  });

  it('builds blue-green: pre-switch checks, one switch, a rollback window', () => {
    expect(buildPlan('blue-green').steps).toEqual([
      { kind: 'gate', name: 'pre-switch' },
      { kind: 'shift', weight: 100 },
      { kind: 'bake', duration: '15m', 'duration-ms': 900_000, promote: true },
    ]);
    expect(buildPlan('blue-green', { 'pre-switch-checks': false }).steps[0]).toEqual({
      kind: 'shift',
      weight: 100,
    });
    expect(() => buildPlan('blue-green', { 'pre-switch-checks': 'maybe' })).toThrow(
      "Input 'parameters.pre-switch-checks' must be 'true' or 'false', got 'maybe'",
    );
  });

  it('builds rolling waves over named cells: one-box, then cumulative shares', () => {
    const plan = buildPlan('rolling', { cells: 'eu-1, eu-2\nus-1, us-2' });
    expect(plan.steps).toEqual([
      { kind: 'batch', batch: 1, cells: ['eu-1'] },
      { kind: 'batch', batch: 2, cells: ['eu-2'] },
      { kind: 'batch', batch: 3, cells: ['us-1', 'us-2'] },
    ]);
    expect(plan.warnings).toEqual([
      'the rollout (4 cells) has fewer than 10 cells, so its one-box (a single cell) serves more than 10% of it; that is the smallest one-box possible',
    ]);
  });

  it.each([
    [{}, "Strategy rolling needs cells: define them under 'cells'"],
    [{ cells: 'a,a' }, "a list without repeats ('a' appears twice)"],
    [{ cells: 'a;rm -rf' }, 'no spaces or shell characters'],
    [
      { cells: ['eu-1', 'eu-2\u001b[2J'] },
      "Input 'parameters.cells' must be a list of names, each a name of 1 to 256 letters, digits and . _ : / @ - starting with a letter or digit (no spaces or shell characters); 'eu-2\\u001b[2J' is not",
    ],
    [{ cells: 'x'.repeat(257) }, 'a name of 1 to 256'],
    [
      { cells: 'a', 'max-unavailable': 0 },
      "Input 'parameters.max-unavailable' must be a whole number of at least 1, got '0'",
    ],
    [{ cells: 'a', waves: '1,50%,40%,100%' }, "Input 'parameters.waves' does not grow at 40%"],
    [{ cells: 'a', waves: '1,150%' }, "Input 'parameters.waves' has 150%, which exceeds 100%"],
    [{ cells: 'a', waves: '1,50%' }, "Input 'parameters.waves' must end at 100%"],
    [{ cells: 'a', waves: '2,1,100%' }, "Input 'parameters.waves' does not grow at 1"],
    [
      { cells: 'a', 'wave-boundary': 'planet' },
      "Input 'parameters.wave-boundary' must be one of region, zone, none",
    ],
    [{ cells: 'a', 'on-failure': 'panic' }, "must be one of rollback-all, rollback-wave, halt, got 'panic'"],
    [
      { cells: 'a', 'cell-steps': '10,50' },
      "Input 'parameters.cell-steps' must be weights that strictly increase and end at 100",
    ],
    [
      { cells: 'a,b,c', 'strict-one-box': 'true' },
      "Input 'parameters.strict-one-box' is true and the one-box of all cells (a) holds 1 of 3 cells (33%)",
    ],
  ])('refuses rolling parameters %j', (params, message) => {
    expect(() => buildPlan('rolling', params)).toThrow(message);
  });

  it.each([
    [
      './flag.sh\u0007',
      "Input 'parameters.flag-command' must be a command of 1 to 8192 characters without control characters (tabs and newlines allowed), got './flag.sh\\u0007'",
    ],
    ['./flag.sh \u202e', "Input 'parameters.flag-command' must be a command"],
  ])('refuses a flag command with a control character (%j)', (command, message) => {
    expect(() => buildPlan('feature-flag', { 'flag-command': command })).toThrow(message);
  });

  it('keeps a multi-line flag command', () => {
    const plan = buildPlan('feature-flag', {
      'flag-command': 'set -e\n\t./flag.sh "$SHIFTGATE_FLAG_EXPOSURE"',
    });
    expect(plan.parameters['flag-command']).toBe('set -e\n\t./flag.sh "$SHIFTGATE_FLAG_EXPOSURE"');
  });

  it('builds ab-testing as a held split with no automatic promotion', () => {
    const steps = buildPlan('ab-testing', { split: '90,10', duration: '2h' }).steps;
    expect(steps).toEqual([
      { kind: 'shift', weight: 10 },
      { kind: 'bake', duration: '2h', 'duration-ms': 7_200_000, promote: false },
      expect.objectContaining({ kind: 'approval' }),
    ]);
  });

  it.each([
    ['60,50', 'two weights, stable then new, that sum to 100'],
    ['50,50,0', 'two weights'],
    ['100,0', 'sends some traffic to the new version'],
  ])('refuses the ab-testing split %j', (split, message) => {
    expect(() => buildPlan('ab-testing', { split })).toThrow(message);
  });

  it('builds feature-flag: full traffic, then flag steps through the command', () => {
    const plan = buildPlan('feature-flag', { 'flag-command': './flags.sh', 'flag-steps': '10,100' });
    expect(plan.steps[0]).toEqual({ kind: 'shift', weight: 100 });
    expect(plan.steps.filter((s) => s.kind === 'hook')).toEqual([
      { kind: 'hook', name: 'flag', command: './flags.sh', exposure: 10 },
      { kind: 'hook', name: 'flag', command: './flags.sh', exposure: 100 },
    ]);
    expect(() => buildPlan('feature-flag')).toThrow("Strategy feature-flag needs parameter 'flag-command'");
  });

  it('builds saga steps in order and compensation in reverse', () => {
    const plan = buildPlan('saga', { services: ['orders', 'payments', 'shipping'] });
    expect(
      plan.steps.filter((s) => s.kind === 'service').map((s) => (s.kind === 'service' ? s.service : '')),
    ).toEqual(['orders', 'payments', 'shipping']);
    expect(plan.compensation.map((s) => (s.kind === 'service' ? s.service : ''))).toEqual([
      'shipping',
      'payments',
      'orders',
    ]);
  });

  it('describes every step kind in words', () => {
    for (const name of STRATEGY_NAMES) {
      const params: Record<string, string> =
        name === 'rolling'
          ? { cells: 'a' }
          : name === 'feature-flag'
            ? { 'flag-command': 'x' }
            : name === 'saga'
              ? { services: 'a' }
              : {};
      for (const step of buildPlan(name, params).steps) expect(describeStep(step)).not.toBe('');
    }
  });
});

describe('validatePlan', () => {
  const plan = (steps: Plan['steps']): Plan => ({
    strategy: 'canary',
    parameters: {},
    steps,
    compensation: [],
  });

  it('refuses weights outside 0–100 and shifts that do not increase', () => {
    expect(() => validatePlan(plan([{ kind: 'shift', weight: 101 }]))).toThrow('outside 0–100');
    expect(() =>
      validatePlan(
        plan([
          { kind: 'shift', weight: 50 },
          { kind: 'shift', weight: 50 },
        ]),
      ),
    ).toThrow('not above 50%');
    expect(() => validatePlan(plan([]))).toThrow('no steps');
  });
});

describe('planWaves', () => {
  it('gives the cells of each rolling wave in order', () => {
    expect(planWaves(buildPlan('rolling', { cells: 'c1,c2,c3,c4,c5', waves: '2,4,100%' }).steps)).toEqual([
      ['c1', 'c2'],
      ['c3', 'c4'],
      ['c5'],
    ]);
    expect(planWaves(buildPlan('canary').steps)).toEqual([]);
  });
});
