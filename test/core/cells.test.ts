import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import {
  buildPlan,
  configCells,
  configJsonSchema,
  createRolloutState,
  parseCells,
  parseCellsInput,
  parseConfig,
  parseRolloutState,
  parseWaveSizes,
  planCellWaves,
  serializeRolloutState,
  type CellPlace,
} from '@shiftgate/core';
import { parse as parseYaml } from 'yaml';

const ARN = (
  region: string,
  kind: 'listener' | 'targetgroup' | 'listener-rule',
  n: number,
  account = '123456789012',
) =>
  kind === 'targetgroup'
    ? `arn:aws:elasticloadbalancing:${region}:${account}:targetgroup/tg-${n}/0123456789abcde${n}`
    : kind === 'listener'
      ? `arn:aws:elasticloadbalancing:${region}:${account}:listener/app/lb-${n}/0123456789abcdef/0123456789abcde${n}`
      : `arn:aws:elasticloadbalancing:${region}:${account}:listener-rule/app/lb-${n}/0123456789abcdef/0123456789abcde${n}/0123456789abcdef`;

const cell = (name: string, region: string, n: number, more: Record<string, unknown> = {}) => ({
  name,
  region,
  'listener-arn': ARN(region, 'listener', n),
  'stable-target-group-arn': ARN(region, 'targetgroup', n),
  'canary-target-group-arn': ARN(region, 'targetgroup', n + 5),
  ...more,
});

const CONFIG = `version: 1
environments:
  production:
    cells:
      - name: use1-a
        region: us-east-1
        zone: us-east-1a
        listener-arn: ${ARN('us-east-1', 'listener', 1)}
        stable-target-group-arn: ${ARN('us-east-1', 'targetgroup', 1)}
        canary-target-group-arn: ${ARN('us-east-1', 'targetgroup', 2)}
      - name: euw1-a
        region: eu-west-1
        rule-arn: [${ARN('eu-west-1', 'listener-rule', 3)}]
        stable-target-group-arn: ${ARN('eu-west-1', 'targetgroup', 3)}
        canary-target-group-arn: ${ARN('eu-west-1', 'targetgroup', 4)}
        alarms: [euw1-5xx]
`;

describe('parseCells', () => {
  it('reads cells with their routes, target groups and alarms', () => {
    const cells = parseCells('cells', [cell('a', 'us-east-1', 1, { zone: 'us-east-1a', alarms: ['x'] })]);
    expect(cells).toEqual([
      {
        name: 'a',
        region: 'us-east-1',
        zone: 'us-east-1a',
        routes: [ARN('us-east-1', 'listener', 1)],
        'stable-target-group-arn': ARN('us-east-1', 'targetgroup', 1),
        'canary-target-group-arn': ARN('us-east-1', 'targetgroup', 6),
        alarms: ['x'],
      },
    ]);
  });

  it.each<[string, unknown, string]>([
    [
      'duplicate names',
      [cell('a', 'us-east-1', 1), cell('a', 'us-east-1', 2)],
      "Input 'cells' has two cells named 'a'",
    ],
    [
      'an ARN in another region',
      [cell('a', 'us-east-1', 1, { 'listener-arn': ARN('eu-west-1', 'listener', 1) })],
      "Cell 'a' is in us-east-1 but its 'listener-arn'",
    ],
    [
      'two accounts',
      [
        cell('a', 'us-east-1', 1),
        cell('b', 'us-east-1', 2, {
          'stable-target-group-arn': ARN('us-east-1', 'targetgroup', 2, '210987654321'),
        }),
      ],
      "Cell 'b' has 'stable-target-group-arn' in account 210987654321, but cell 'a' is in account 123456789012",
    ],
    [
      'no route',
      [{ ...cell('a', 'us-east-1', 1), 'listener-arn': undefined }],
      "Cell 'a' has no 'listener-arn' or 'rule-arn'",
    ],
    [
      'no stable target group',
      [{ ...cell('a', 'us-east-1', 1), 'stable-target-group-arn': undefined }],
      "Cell 'a' has no 'stable-target-group-arn'",
    ],
    [
      'more than 5 target groups',
      [
        cell('a', 'us-east-1', 1, {
          'canary-target-group-arn': [1, 2, 3, 4, 5].map((n) => ARN('us-east-1', 'targetgroup', n)),
        }),
      ],
      "Cell 'a' names 6 target groups; a forward action carries at most 5",
    ],
    [
      'an unknown field',
      [cell('a', 'us-east-1', 1, { weight: 5 })],
      "Cell 'a' has 'weight', which is not a cell field",
    ],
    [
      'a bad region',
      [cell('a', 'moon-1', 1)],
      "Input 'cells.a.region' must be an AWS region such as us-east-1, got 'moon-1'",
    ],
    [
      'a route shared by two cells',
      [
        cell('a', 'us-east-1', 1),
        cell('b', 'us-east-1', 2, { 'listener-arn': ARN('us-east-1', 'listener', 1) }),
      ],
      "Cell 'b' lists route",
    ],
    ['no list', { name: 'a' }, "Input 'cells' must be a non-empty list of cells"],
  ])('refuses %s, naming the cell and the field', (_, doc, message) => {
    expect(() => parseCells('cells', doc)).toThrow(message);
  });

  it('reads the cells input as YAML, empty meaning none', () => {
    expect(parseCellsInput('cells', '  ')).toBeNull();
    expect(parseCellsInput('cells', JSON.stringify([cell('a', 'us-east-1', 1)]))).toHaveLength(1);
    expect(() => parseCellsInput('cells', '[a: b: c')).toThrow("Input 'cells' is not valid YAML");
  });
});

describe('cells in the config file', () => {
  it('reads an environment’s cells and plans rolling waves region by region', () => {
    const config = parseConfig(CONFIG);
    const cells = configCells(config, 'production')!;
    expect(cells.map((c) => [c.name, c.region, c.zone, c.alarms])).toEqual([
      ['use1-a', 'us-east-1', 'us-east-1a', []],
      ['euw1-a', 'eu-west-1', null, ['euw1-5xx']],
    ]);
    expect(configCells(config, 'staging')).toBeNull();
    const plan = buildPlan('rolling', { 'approve-regions': 'true' }, { cells });
    expect(plan.steps).toEqual([
      { kind: 'batch', batch: 1, cells: ['use1-a'] },
      { kind: 'approval', reason: 'approve region eu-west-1 (1 cells) before its first wave' },
      { kind: 'batch', batch: 2, cells: ['euw1-a'] },
    ]);
  });

  it('points at the line of a bad cell', () => {
    expect(() => parseConfig(CONFIG.replace('region: eu-west-1', 'region: us-east-1'))).toThrow(
      /^\.github\/shiftgate\.yml:\d+:\d+: 'environments\.production\.cells' Cell 'euw1-a' is in us-east-1 but its 'rule-arn'/,
    );
  });

  it('is covered by the JSON Schema', () => {
    const validate = new Ajv({ strict: false }).compile(configJsonSchema());
    expect(validate(parseYaml(CONFIG))).toBe(true);
    const broken = parseYaml(CONFIG) as {
      environments: { production: { cells: Record<string, unknown>[] } };
    };
    delete broken.environments.production.cells[0]!['stable-target-group-arn'];
    expect(validate(broken)).toBe(false);
  });
});

describe('planCellWaves', () => {
  const places = (spec: string): CellPlace[] =>
    spec.split(' ').map((s) => {
      const [name, region, zone] = s.split('/');
      return { name: name!, region: region!, zone: zone ?? null };
    });
  const twenty = places(
    Array.from({ length: 20 }, (_, i) => `c${i + 1}/r1/${i < 10 ? 'z1' : 'z2'}`).join(' '),
  );

  it('grows cumulative waves per region, one-box first, rounding shares up', () => {
    const plan = planCellWaves({
      cells: twenty,
      sizes: parseWaveSizes('waves', '1,10%,50%,100%'),
      boundary: 'region',
      regions: null,
      strictOneBox: true,
    });
    expect(plan.waves.map((w) => w.cells.length)).toEqual([1, 1, 8, 10]);
    expect(plan.warnings).toEqual([]);
  });

  it('warns about a one-box above 10% only when a smaller one-box is possible', () => {
    const plan = (sizes: string, cells = twenty) =>
      planCellWaves({
        cells,
        sizes: parseWaveSizes('waves', sizes),
        boundary: 'region',
        regions: null,
        strictOneBox: false,
      });
    // 2 of 20 is exactly 10%: allowed.
    expect(plan('2,50%,100%').warnings).toEqual([]);
    // 3 of 20 is 15%, and a one-box of 2 would do.
    expect(plan('3,50%,100%').warnings).toEqual([
      "the one-box of region r1 (c1, c2, c3) holds 3 of 20 cells (15%), more than 10%; a one-box of 2 cells would hold at most 10% (set the first of 'waves' to 2)",
    ]);
    // 2 of 9 is 22%, and a single cell would do.
    const nine = twenty.slice(0, 9);
    expect(plan('2,100%', nine).warnings).toEqual([
      "the one-box of region r1 (c1, c2) holds 2 of 9 cells (22%), more than 10%; a one-box of 1 cell would hold at most 10% (set the first of 'waves' to 1)",
    ]);
  });

  it('says once that small regions cannot have a one-box under 10%, and strict-one-box still refuses', () => {
    const cells = places('a/r1 b/r1 c/r2 d/r2 e/r2 f/r3');
    const request = {
      cells,
      sizes: parseWaveSizes('waves', '1,100%'),
      boundary: 'region' as const,
      regions: null,
    };
    expect(planCellWaves({ ...request, strictOneBox: false }).warnings).toEqual([
      'region r1 (2 cells), region r2 (3 cells), region r3 (1 cell) have fewer than 10 cells, so each one-box (a single cell) serves more than 10% of it; that is the smallest one-box possible',
    ]);
    expect(() => planCellWaves({ ...request, strictOneBox: true })).toThrow(
      "Input 'parameters.strict-one-box' is true and the one-box of region r1 (a) holds 1 of 2 cells (50%), more than 10%",
    );
    // Twelve cells in one region: a one-box of one cell is under 10%, nothing to say.
    const twelve = places(Array.from({ length: 12 }, (_, i) => `x${i}/r1`).join(' '));
    expect(planCellWaves({ ...request, cells: twelve, strictOneBox: false }).warnings).toEqual([]);
  });

  it('never lets a wave cross a zone with wave-boundary zone', () => {
    const plan = planCellWaves({
      cells: twenty,
      sizes: parseWaveSizes('waves', '1,25%,75%,100%'),
      boundary: 'zone',
      regions: null,
      strictOneBox: false,
    });
    expect(plan.waves.map((w) => [w.zone, w.cells.length])).toEqual([
      ['z1', 1],
      ['z1', 4],
      ['z1', 5],
      ['z2', 5],
      ['z2', 5],
    ]);
  });

  it('orders regions as given, and refuses cells of an unlisted region', () => {
    const cells = places('a/us-east-1 b/eu-west-1 c/us-east-1');
    const sizes = parseWaveSizes('waves', '100%');
    expect(
      planCellWaves({
        cells,
        sizes,
        boundary: 'region',
        regions: ['eu-west-1', 'us-east-1'],
        strictOneBox: false,
      }).waves.map((w) => w.cells),
    ).toEqual([['b'], ['a', 'c']]);
    expect(() =>
      planCellWaves({ cells, sizes, boundary: 'region', regions: ['us-east-1'], strictOneBox: false }),
    ).toThrow("Cell 'b' is in region 'eu-west-1', which 'parameters.regions' (us-east-1) does not list");
  });

  it('takes all cells as one pool with wave-boundary none', () => {
    const cells = places('a/r1 b/r2 c/r1 d/r2');
    const plan = planCellWaves({
      cells,
      sizes: parseWaveSizes('waves', '1,100%'),
      boundary: 'none',
      regions: null,
      strictOneBox: false,
    });
    expect(plan.waves.map((w) => [w.region, w.cells])).toEqual([
      ['r1', ['a']],
      ['*', ['c', 'b', 'd']],
    ]);
  });
});

describe('the rollout state over cells', () => {
  const base = () => {
    const plan = buildPlan('rolling', { cells: 'a' });
    return createRolloutState({
      strategy: 'rolling',
      parameters: plan.parameters,
      plan: plan.steps,
      now: new Date('2026-01-01T00:00:00Z'),
    });
  };

  it('reads states written before cells existed', () => {
    const state = base();
    expect(parseRolloutState('state', serializeRolloutState(state)).cells).toBeUndefined();
  });

  it('round-trips cells and refuses a malformed one', () => {
    const state = {
      ...base(),
      cells: {
        a: {
          region: 'us-east-1',
          zone: null,
          wave: 1,
          status: 'promoted' as const,
          routes: [ARN('us-east-1', 'listener', 1)],
          'stable-target-group-arn': ARN('us-east-1', 'targetgroup', 1),
          'canary-target-group-arn': ARN('us-east-1', 'targetgroup', 2),
          alarms: [],
          weight: 100,
        },
      },
    };
    expect(parseRolloutState('state', serializeRolloutState(state))).toEqual(state);
    const bad = JSON.parse(serializeRolloutState(state)) as { cells: { a: { status: string } } };
    bad.cells.a.status = 'done';
    expect(() => parseRolloutState('state', JSON.stringify(bad))).toThrow(
      "'cells.a.status' is missing or malformed",
    );
  });
});
