import { describe, expect, it } from 'vitest';
import {
  buildPlan,
  createRolloutState,
  hasControlCharacters,
  parseDeploymentRecord,
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
      "'created-at' must be an ISO 8601 UTC timestamp",
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

describe('the rollout state as untrusted data', () => {
  const withChange = (change: (doc: Record<string, unknown>) => void): string => {
    const plan = buildPlan('feature-flag', { 'flag-command': './flag.sh' });
    const state = createRolloutState({
      strategy: 'feature-flag',
      parameters: plan.parameters,
      plan: plan.steps,
      environment: 'production',
      version: 'v1.2.3',
      now,
    });
    const doc = JSON.parse(serializeRolloutState(state)) as Record<string, unknown>;
    change(doc);
    return JSON.stringify(doc);
  };
  const hook = (doc: Record<string, unknown>) =>
    (doc.plan as Record<string, unknown>[]).find((s) => s.kind === 'hook')!;

  it.each([
    [
      'a step name that would become a workflow command',
      (d: Record<string, unknown>) => (hook(d).name = 'flag\n::warning::x'),
      "'plan[1].name' must be a name of 1 to 256 letters, digits",
      'flag\\u000a::warning::x',
    ],
    [
      'a version with a newline',
      (d: Record<string, unknown>) => (d.version = 'v1\necho pwned'),
      "'version' must be a version of 1 to 256",
      'v1\\u000aecho pwned',
    ],
    [
      'a version with HTML and a Markdown link',
      (d: Record<string, unknown>) => (d.version = 'v1<img src=x>[Approve](https://x)'),
      "'version' must be a version",
      'v1<img src=x>',
    ],
    [
      'an environment with ESC',
      (d: Record<string, unknown>) => (d.environment = 'prod\u001b[2J'),
      "'environment' must be an environment name",
      'prod\\u001b[2J',
    ],
    [
      'an environment with a bidi override',
      (d: Record<string, unknown>) => (d.environment = 'prod\u202euction'),
      "'environment' must be an environment name",
      'prod\\u202euction',
    ],
    [
      'an environment too long',
      (d: Record<string, unknown>) => (d.environment = 'e'.repeat(256)),
      'an environment name of 1 to 255 letters',
      'eeee',
    ],
    [
      'a route that is not an ARN',
      (d: Record<string, unknown>) => (d.routes = ['arn:aws:x', 'listener\n']),
      "'routes[1]' must be an ARN",
      'listener\\u000a',
    ],
    [
      'a target group ARN with a space',
      (d: Record<string, unknown>) => (d['canary-target-group-arn'] = 'arn:aws:tg x'),
      "'canary-target-group-arn' must be an ARN",
      'arn:aws:tg x',
    ],
    [
      'a parameter with a control character',
      (d: Record<string, unknown>) => ((d.parameters as Record<string, unknown>)['flag-command'] = 'x\u0007'),
      "'parameters.flag-command' must be a command",
      'x\\u0007',
    ],
    [
      'a parameter whose name is not kebab-case',
      (d: Record<string, unknown>) => ((d.parameters as Record<string, unknown>)['Flag Command'] = 'x'),
      "'parameters' has a key that is not a parameter name",
      'Flag Command',
    ],
    [
      'an approval reason on two lines',
      (d: Record<string, unknown>) =>
        ((d.plan as unknown[])[0] = { kind: 'approval', reason: 'ok\n::stop-commands::x' }),
      "'plan[0].reason' must be text of 1 to 1024 characters on one line",
      'ok\\u000a::stop-commands::x',
    ],
    [
      'a cell name with a shell character',
      (d: Record<string, unknown>) =>
        ((d.plan as unknown[])[0] = { kind: 'batch', batch: 1, cells: ['a', 'b;rm'] }),
      "'plan[0].cells[1]' must be a name",
      'b;rm',
    ],
    [
      'a timestamp that is not UTC ISO 8601',
      (d: Record<string, unknown>) => (d['updated-at'] = 'Tue, 01 Dec 2026 10:00:00 GMT'),
      "'updated-at' must be an ISO 8601 UTC timestamp",
      'Tue, 01 Dec 2026',
    ],
  ])('refuses %s, showing the value escaped', (_what, change, problem, shown) => {
    const text = withChange(change);
    let message = '';
    try {
      parseRolloutState('state', text);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("Input 'state' is not a shiftgate rollout state: ");
    expect(message).toContain(problem);
    expect(message).toContain(shown);
    // The message itself is one line without control characters: safe in a log and an annotation.
    expect(hasControlCharacters(message)).toBe(false);
  });

  it('accepts versions as tags, digests and build metadata', () => {
    for (const version of ['v1.2.3', '1.2.3+build.4', 'app@sha256:' + 'a'.repeat(64), 'ghcr.io/o/app:1.0']) {
      expect(
        parseRolloutState(
          'state',
          withChange((d) => (d.version = version)),
        ).version,
      ).toBe(version);
    }
  });
});

describe('reading a file that is not a state', () => {
  it.each([
    ['a state', (text: string) => parseRolloutState('--state', text)],
    ['a record', (text: string) => parseDeploymentRecord('record', text)],
  ])('never quotes the text of a file that is not JSON (%s)', (_what, parse) => {
    const error = (() => {
      try {
        parse('root:x:0:0:root:/root:/bin/bash\n');
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(error?.message).toContain('it is not JSON');
    expect(error?.message).not.toContain('root');
  });
});

describe('cells in a state', () => {
  const withCell = (name: string, over: Record<string, unknown>) => {
    const state = JSON.parse(serializeRolloutState(fresh())) as Record<string, unknown>;
    state.cells = {
      [name]: {
        region: 'us-east-1',
        zone: null,
        wave: 1,
        status: 'untouched',
        routes: ['arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/a/1/2'],
        'stable-target-group-arn': 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/s/1',
        'canary-target-group-arn': 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/c/2',
        alarms: [],
        weight: 0,
        ...over,
      },
    };
    return JSON.stringify(state);
  };

  it('reads a well-formed cell', () => {
    expect(parseRolloutState('state', withCell('use1-a', {})).cells?.['use1-a']?.region).toBe('us-east-1');
  });

  it.each([
    ['a cell name with a workflow command', 'a\n::warning::x', {}],
    ['a region with an escape', 'a', { region: 'us-east-1\u001b[31m' }],
    ['a route that is no ARN', 'a', { routes: ['$(touch pwned)'] }],
  ])('refuses %s', (_what, name, over) => {
    expect(() => parseRolloutState('state', withCell(name, over))).toThrow(/cells|cell name/);
  });
});
