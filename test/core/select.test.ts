import { describe, expect, it } from 'vitest';
import {
  SelectionError,
  displayUntrusted,
  emptyConfig,
  hasPermission,
  parseConfig,
  parseRequiredPermission,
  selectStrategy,
  type EventFacts,
  type SelectOptions,
} from '@shiftgate/core';

const pr = (labels: string[], fork = false, name = 'pull_request'): EventFacts => ({
  name,
  dispatchStrategy: null,
  sender: 'alice',
  action: 'labeled',
  addedLabel: labels.at(-1) ?? null,
  pullRequest: {
    number: 7,
    labels,
    headRepository: fork ? 'mallory/shop' : 'acme/shop',
    baseRepository: 'acme/shop',
  },
});
const dispatch = (strategy: string | null): EventFacts => ({
  name: 'workflow_dispatch',
  dispatchStrategy: strategy,
  sender: 'alice',
  action: null,
  addedLabel: null,
  pullRequest: null,
});
const push: EventFacts = {
  name: 'push',
  dispatchStrategy: null,
  sender: 'alice',
  action: null,
  addedLabel: null,
  pullRequest: null,
};

const options = (over: Partial<SelectOptions>): SelectOptions => ({
  strategyInput: '',
  event: push,
  labelPrefix: 'deploy:',
  config: emptyConfig(),
  environment: null,
  defaultStrategy: 'blue-green',
  allowForks: false,
  ...over,
});

const config = parseConfig(`
default-strategy: linear
environments:
  production:
    allowed-strategies: [canary, blue-green]
    default-strategy: canary
  staging:
    allowed-strategies: [rolling, canary]
`);

describe('selectStrategy precedence', () => {
  it.each<[string, Partial<SelectOptions>, string, string]>([
    [
      'the input over everything',
      { strategyInput: 'linear', event: pr(['deploy:canary']), config },
      'linear',
      'input',
    ],
    ['dispatch over labels and config', { event: dispatch('ab-testing'), config }, 'ab-testing', 'dispatch'],
    ['a label over config', { event: pr(['bug', 'deploy:canary']), config }, 'canary', 'label'],
    ['the environment default', { event: push, config, environment: 'production' }, 'canary', 'config'],
    ['the file default', { event: push, config }, 'linear', 'config'],
    [
      'the first allowed strategy when the fallback is not allowed',
      { config, environment: 'staging' },
      'rolling',
      'config',
    ],
    ['the default-strategy input last', { event: push }, 'blue-green', 'default'],
    ['an empty dispatch input falls through', { event: dispatch('') }, 'blue-green', 'default'],
    ['a label with the saga-pattern alias', { event: pr(['deploy:saga-pattern']) }, 'saga', 'label'],
    [
      'labels are ignored with an empty prefix',
      { event: pr(['deploy:canary']), labelPrefix: '' },
      'blue-green',
      'default',
    ],
    [
      'labels are ignored outside pull request events',
      { event: { ...pr(['deploy:canary']), name: 'push' } },
      'blue-green',
      'default',
    ],
    [
      'pull_request_target labels count',
      { event: { ...pr(['deploy:linear']), name: 'pull_request_target' } },
      'linear',
      'label',
    ],
    [
      'the same label twice is one label',
      { event: pr(['deploy:canary', 'deploy:canary']) },
      'canary',
      'label',
    ],
  ])('takes %s', (_what, over, strategy, source) => {
    const selection = selectStrategy(options(over));
    expect(selection.strategy).toBe(strategy);
    expect(selection.source).toBe(source);
    expect(selection.needsPermissionCheck).toBe(source === 'label');
  });
});

describe('selectStrategy refusals', () => {
  it.each<[string, Partial<SelectOptions>, string]>([
    [
      'two deploy labels',
      { event: pr(['deploy:canary', 'deploy:blue-green']) },
      "Pull request #7 has two deploy labels, 'deploy:canary' and 'deploy:blue-green'; keep exactly one deploy:<strategy> label and run again.",
    ],
    [
      'an unknown deploy label',
      { event: pr(['deploy:yolo']) },
      "Pull request #7 has the label 'deploy:yolo', which names no strategy. Valid labels: deploy:blue-green, deploy:canary, deploy:linear, deploy:rolling, deploy:ab-testing, deploy:feature-flag, deploy:saga, deploy:saga-pattern. Remove it or replace it with one of those.",
    ],
    [
      'a forbidden strategy',
      { event: pr(['deploy:linear']), config, environment: 'production' },
      "Strategy linear (from label 'deploy:linear') is not allowed in environment 'production'; .github/shiftgate.yml allows canary, blue-green. Pick one of those (change the label), or add linear to environments.production.allowed-strategies.",
    ],
    [
      'a forbidden input',
      { strategyInput: 'saga', config, environment: 'production' },
      "Strategy saga (from input 'strategy') is not allowed in environment 'production'",
    ],
    [
      'a fork',
      { event: pr(['deploy:canary'], true) },
      "Pull request #7 comes from a fork (mallory/shop); shiftgate does not deploy fork pull requests unless 'allow-forks' is 'true'.",
    ],
    [
      'an unknown dispatch strategy',
      { event: dispatch('yolo') },
      "The workflow_dispatch input 'strategy' must be one of blue-green, canary, linear, rolling, ab-testing, feature-flag, saga, got 'yolo'",
    ],
    ['an unknown input', { strategyInput: 'yolo' }, "Input 'strategy' must be one of blue-green, canary"],
  ])('refuses %s', (_what, over, message) => {
    expect(() => selectStrategy(options(over))).toThrow(message);
  });

  it.each(['pull_request', 'pull_request_target', 'pull_request_review', 'pull_request_review_comment'])(
    'refuses a fork pull request on %s, whatever chose the strategy',
    (name) => {
      expect(() => selectStrategy(options({ event: pr(['deploy:canary'], true, name) }))).toThrow(
        'comes from a fork (mallory/shop)',
      );
      expect(() => selectStrategy(options({ event: pr([], true, name), strategyInput: 'canary' }))).toThrow(
        'comes from a fork (mallory/shop)',
      );
    },
  );

  it('keeps the raw label for the adder look-up and shows only the neutralised one', () => {
    const selection = selectStrategy(options({ event: pr(['Deploy:Canary'], false, 'pull_request_review') }));
    expect(selection).toMatchObject({
      strategy: 'canary',
      label: 'Deploy:Canary',
      labelName: 'Deploy:Canary',
      needsPermissionCheck: true,
    });
  });

  it('lets a fork through when allowed', () => {
    expect(selectStrategy(options({ event: pr(['deploy:canary'], true), allowForks: true })).strategy).toBe(
      'canary',
    );
  });

  it('throws SelectionError for refusals a person must act on', () => {
    expect(() => selectStrategy(options({ event: pr(['deploy:a', 'deploy:b']) }))).toThrow(SelectionError);
  });

  it('neutralises control characters and workflow commands in labels it shows', () => {
    const label = 'deploy:x\n::set-output name=strategy::canary';
    expect(() => selectStrategy(options({ event: pr([label]) }))).toThrow(
      "'deploy:x?: :set-output name=strategy: :canary'",
    );
    expect(displayUntrusted('a'.repeat(100))).toHaveLength(65);
  });
});

describe('permissions', () => {
  it.each([
    ['admin', 'write', true],
    ['maintain', 'write', true],
    ['write', 'write', true],
    ['triage', 'write', false],
    ['read', 'triage', false],
    ['none', 'read', false],
    ['triage', 'triage', true],
  ] as const)('%s meets %s: %s', (actual, required, ok) => {
    expect(hasPermission(actual, required)).toBe(ok);
  });

  it('parses require-permission', () => {
    expect(parseRequiredPermission('require-permission', 'Write')).toBe('write');
    expect(parseRequiredPermission('require-permission', 'none')).toBe('none');
    expect(() => parseRequiredPermission('require-permission', 'owner')).toThrow(
      "Input 'require-permission' must be one of read, triage, write, maintain, admin or none, got 'owner'",
    );
  });
});
