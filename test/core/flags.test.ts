// The AppConfig flag document and settings, table-driven over literal values.
import { describe, expect, it } from 'vitest';
import {
  buildPlan,
  createRolloutState,
  exposedCells,
  exposureDocument,
  parseRolloutState,
  resolveFlagSettings,
  serializeRolloutState,
} from '@shiftgate/core';

const BASE = JSON.stringify({
  version: '1',
  flags: { checkout: { name: 'Checkout' }, search: { name: 'Search' } },
  values: {
    checkout: {
      enabled: false,
      colour: 'blue',
      _variants: [
        { name: 'qa', enabled: true, rule: '(ends_with $email "@qa.example.com")' },
        { name: 'shiftgate-rollout', enabled: true, rule: '(split by::$userId pct::1)' },
        { name: 'Default', enabled: false },
      ],
    },
    search: { enabled: true, engine: 'v2' },
  },
});
const doc = (exposure: number, cells: string[] | null = null) =>
  JSON.parse(exposureDocument({ base: BASE, flag: 'checkout', exposure, cells, where: 'test' }).content) as {
    version: string;
    flags: unknown;
    values: Record<string, { enabled?: boolean; _variants?: Record<string, unknown>[] }>;
  };

describe('exposureDocument', () => {
  it.each([1, 10, 50, 99])(
    'puts the shiftgate variant first at %i%%, keeping the flag’s own variants',
    (pct) => {
      const variants = doc(pct).values.checkout!._variants!;
      expect(variants[0]).toEqual({
        name: 'shiftgate-rollout',
        enabled: true,
        rule: `(split by::$userId pct::${pct})`,
        colour: 'blue',
      });
      expect(variants.slice(1).map((v) => v.name)).toEqual(['qa', 'Default']);
    },
  );

  it('enables the flag for everyone at 100%, attributes kept', () => {
    expect(doc(100).values.checkout).toEqual({ colour: 'blue', enabled: true });
  });

  it('never touches another flag, the definitions or the version', () => {
    for (const pct of [1, 100]) {
      const d = doc(pct);
      expect(d.values.search).toEqual({ enabled: true, engine: 'v2' });
      expect(d.flags).toEqual(JSON.parse(BASE).flags);
      expect(d.version).toBe('1');
    }
  });

  it.each([
    [0, []],
    [1, ['a']],
    [25, ['a']],
    [26, ['a', 'b']],
    [50, ['a', 'b']],
    [100, ['a', 'b', 'c', 'd']],
  ] as const)('exposes %i%% of four cells as %j', (pct, cells) => {
    expect(exposedCells(['a', 'b', 'c', 'd'], pct)).toEqual(cells);
  });

  it('names the cells that have the flag in the rule', () => {
    expect(doc(50, ['a', 'b', 'c', 'd']).values.checkout!._variants![0]!.rule).toBe('(in $cell ["a", "b"])');
    expect(doc(100, ['a', 'b']).values.checkout).toEqual({ colour: 'blue', enabled: true });
  });

  it('refuses a flag the document does not define, and a document that is not feature flags', () => {
    expect(() =>
      exposureDocument({ base: BASE, flag: 'cart', exposure: 10, cells: null, where: 'p' }),
    ).toThrow(/'flag-name' is 'cart'.*checkout, search/);
    expect(() =>
      exposureDocument({ base: '{"a":1}', flag: 'cart', exposure: 10, cells: null, where: 'p' }),
    ).toThrow(/not an AWS.AppConfig.FeatureFlags document/);
    expect(() =>
      exposureDocument({ base: 'nope', flag: 'cart', exposure: 10, cells: null, where: 'p' }),
    ).toThrow(/not JSON/);
  });
});

describe('resolveFlagSettings', () => {
  const given = (map: Record<string, string>) => (name: string) => map[name] ?? '';
  const planned = {
    'flag-provider': 'appconfig',
    'appconfig-application': 'shop',
    'appconfig-environment': 'prod',
    'appconfig-profile': 'flags',
    'flag-name': 'checkout',
  };

  it('takes the plan’s parameters, with AppConfig.AllAtOnce by default', () => {
    expect(resolveFlagSettings({ given: given({}), planned, hasFlagSteps: true }).appconfig).toEqual({
      application: 'shop',
      environment: 'prod',
      profile: 'flags',
      flag: 'checkout',
      deploymentStrategy: 'AppConfig.AllAtOnce',
    });
  });

  it.each([
    [{ 'appconfig-application': 'other' }, planned, /plan's parameter 'appconfig-application' is 'shop'/],
    [{ 'flag-command': 'echo on' }, planned, /'flag-provider' is appconfig/],
    [{ 'flag-provider': 'appconfig' }, {}, /'appconfig-application' is required/],
    [{ 'flag-name': 'checkout' }, {}, /'flag-provider' is command/],
    [{ 'flag-provider': 'appconfig', 'appconfig-profile': 'a|b' }, planned, /appconfig-profile/],
  ] as const)('refuses %j over the plan %j', (inputs, plan, message) => {
    expect(() => resolveFlagSettings({ given: given(inputs), planned: plan, hasFlagSteps: true })).toThrow(
      message,
    );
  });

  it('is command by default', () => {
    expect(resolveFlagSettings({ given: given({}), planned: {}, hasFlagSteps: true })).toEqual({
      provider: 'command',
      appconfig: null,
    });
  });
});

describe('a state with an AppConfig flag', () => {
  const plan = buildPlan('feature-flag', { 'flag-provider': 'appconfig' });
  const state = createRolloutState({
    strategy: plan.strategy,
    parameters: plan.parameters,
    plan: plan.steps,
    now: new Date('2026-01-01T00:00:00Z'),
  });
  const flag = {
    provider: 'appconfig',
    application: 'app1abc',
    environment: 'env2def',
    profile: 'prf3ghi',
    'flag-name': 'checkout',
    'deployment-strategy': 'AppConfig.AllAtOnce',
    'previous-version': 3,
    deployments: [{ number: 7, version: 4, exposure: 10, cells: null }],
  };

  it('reads back what it wrote', () => {
    const text = serializeRolloutState({ ...state, flag: flag as never });
    expect(parseRolloutState('state', text).flag).toEqual(flag);
  });

  it.each([
    ['application', 'App 1', /'flag.application' must be an AppConfig id/],
    ['flag-name', 'Check out', /'flag.flag-name' must be a flag key/],
    ['previous-version', 0, /previous-version/],
    [
      'deployments',
      [{ number: 1, version: 2, exposure: 150, cells: null }],
      /exposure must be a whole percentage/,
    ],
    ['deployments', [{ number: 1, version: 2, exposure: 10, cells: ['a b'] }], /cells/],
  ] as const)('refuses a flag whose %s is %j', (key, value, message) => {
    const text = serializeRolloutState({ ...state, flag: { ...flag, [key]: value } as never });
    expect(() => parseRolloutState('state', text)).toThrow(message);
  });
});
