import { Ajv } from 'ajv';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigError, configGates, configJsonSchema, configParameters, parseConfig } from '@shiftgate/core';

const FULL = `# shiftgate settings
version: 1
default-strategy: canary
gates:
  max-error-rate: 1%
  max-p99-latency: 500ms
strategies:
  canary:
    steps: 5,25,50,100
    bake-time: 10m
environments:
  production:
    allowed-strategies: [canary, blue-green]
    default-strategy: canary
    gates:
      max-error-rate: 0.5%
    targets:
      listener-arn: arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shop/1/2
    strategies:
      canary:
        bake-time: 15m
  staging:
    strategies:
      saga-pattern:
        services: [orders, payments]
`;

describe('parseConfig', () => {
  it('reads every section', () => {
    const config = parseConfig(FULL);
    expect(config['default-strategy']).toBe('canary');
    expect(config.environments.production?.['allowed-strategies']).toEqual(['canary', 'blue-green']);
    expect(config.environments.staging?.strategies.saga).toEqual({ services: ['orders', 'payments'] });
    expect(configParameters(config, 'canary', 'production')).toEqual({
      steps: '5,25,50,100',
      'bake-time': '15m',
    });
    expect(configParameters(config, 'canary', null)).toEqual({ steps: '5,25,50,100', 'bake-time': '10m' });
    expect(configGates(config, 'production')).toEqual({
      'max-error-rate': '0.5%',
      'max-p99-latency': '500ms',
    });
  });

  it('treats an empty file as no settings', () => {
    expect(parseConfig('').environments).toEqual({});
    expect(parseConfig('# nothing yet\n').gates).toEqual({});
  });

  it.each([
    [
      'environments:\n  production:\n    allowed-strategies: [canary, canery]\n',
      ".github/shiftgate.yml:3:34: 'environments.production.allowed-strategies[1]' must be one of blue-green, canary, linear, rolling, ab-testing, feature-flag, saga, got 'canery'",
    ],
    [
      'gates:\n  max-error-rate: 1O%\n',
      ".github/shiftgate.yml:2:19: 'gates.max-error-rate' must be a percentage between 0% and 100%, got '1O%'",
    ],
    [
      'gates:\n  max-eror-rate: 1%\n',
      ".github/shiftgate.yml:2:3: 'gates.max-eror-rate' is not a gate; gates are max-error-rate,",
    ],
    [
      'strategies:\n  canary:\n    stepz: 5\n',
      ".github/shiftgate.yml:3:5: 'strategies.canary.stepz' is not a parameter of canary; its parameters are steps,",
    ],
    [
      'strategies:\n  canary:\n    steps: 5,101\n',
      ".github/shiftgate.yml:3:12: 'strategies.canary.steps' must be a list of whole percentages",
    ],
    ['strategies:\n  yolo: {}\n', ".github/shiftgate.yml:2:3: 'strategies.yolo' must be one of blue-green"],
    ['version: 2\n', ".github/shiftgate.yml:1:10: 'version' must be 1, got '2'"],
    ['colour: blue\n', ".github/shiftgate.yml:1:1: 'colour' is not a setting"],
    [
      'environments:\n  prod:\n    gatez: {}\n',
      ".github/shiftgate.yml:3:5: 'environments.prod.gatez' is not an environment setting",
    ],
    [
      'environments:\n  prod:\n    allowed-strategies: [canary]\n    default-strategy: linear\n',
      "'environments.prod.default-strategy' is linear, which allowed-strategies (canary) does not allow",
    ],
    [
      'environments:\n  prod:\n    targets:\n      listener: x\n',
      "'environments.prod.targets.listener' is not a target",
    ],
    ['gates: [\n', '.github/shiftgate.yml:2:1: is not valid YAML'],
    ['a: 1\na: 2\n', 'is not valid YAML: Map keys must be unique'],
    ['- canary\n', '.github/shiftgate.yml:1:1: must be a mapping'],
  ])('locates the error in %j', (text, message) => {
    expect(() => parseConfig(text)).toThrow(ConfigError);
    expect(() => parseConfig(text)).toThrow(message);
  });

  it('names the file it was given', () => {
    expect(() => parseConfig('version: 3', 'deploy/shiftgate.yml')).toThrow(/^deploy\/shiftgate\.yml:1:10:/);
  });
});

describe('the JSON Schema', () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(configJsonSchema());

  it('is committed exactly as generated (npm run schema)', () => {
    const committed = JSON.parse(
      readFileSync('packages/core/schema/shiftgate.schema.json', 'utf8'),
    ) as unknown;
    expect(committed).toEqual(configJsonSchema());
  });

  it('accepts what the parser accepts', () => {
    expect(validate(parseYaml(FULL))).toBe(true);
  });

  it.each([
    'colour: blue\n',
    'gates:\n  max-eror-rate: 1%\n',
    'strategies:\n  canary:\n    stepz: 5\n',
    'version: 2\n',
  ])('rejects what the parser rejects: %j', (text) => {
    expect(() => parseConfig(text)).toThrow();
    expect(validate(parseYaml(text))).toBe(false);
  });
});
