import { GATE_NAMES, type GateName } from '../health/index';
import { TARGET_NAMES } from './model';
import { SETTINGS, VALUE_PATTERNS, type SettingSpec } from './catalogue';
import { STRATEGIES, STRATEGY_ALIASES, STRATEGY_NAMES, type ParameterSpec } from '../strategy/index';

type Schema = Record<string, unknown>;

const WHOLE_PERCENT = VALUE_PATTERNS.wholePercent;
const DURATION = VALUE_PATTERNS.duration;

function parameterSchema(param: ParameterSpec): Schema {
  const description = param.description + (param.default !== null ? ` Default: ${param.default}.` : '');
  switch (param.kind) {
    case 'weights':
      return {
        description,
        oneOf: [
          { type: 'string', pattern: '^\\s*\\d+%?(\\s*[,\\s]\\s*\\d+%?)*\\s*$' },
          {
            type: 'array',
            items: {
              oneOf: [
                { type: 'integer', minimum: 0, maximum: 100 },
                { type: 'string', pattern: WHOLE_PERCENT },
              ],
            },
          },
        ],
      };
    case 'percent':
      return {
        description,
        oneOf: [
          { type: 'integer', minimum: 0, maximum: 100 },
          { type: 'string', pattern: WHOLE_PERCENT },
        ],
      };
    case 'duration':
      return { description, type: 'string', pattern: DURATION };
    case 'integer':
      return {
        description,
        oneOf: [
          { type: 'integer', minimum: 1 },
          { type: 'string', pattern: '^\\d+$' },
        ],
      };
    case 'boolean':
      return { description, type: 'boolean' };
    case 'string':
      return { description, type: 'string', minLength: 1 };
    case 'list':
      return {
        description,
        oneOf: [
          { type: 'string', minLength: 1 },
          { type: 'array', items: { type: 'string' }, minItems: 1 },
        ],
      };
  }
}

/** A gate's schema: its catalogue value schema, described by its catalogue description and default. */
function gateSchema(name: GateName): Schema {
  const spec: SettingSpec = SETTINGS[name];
  if (!spec.config) throw new Error(`setting ${name} is a gate but has no config schema in the catalogue`);
  return { ...spec.config, description: `${spec.description} Default: ${spec.default}.` };
}

/**
 * The JSON Schema of `.github/shiftgate.yml`, generated from the same catalogue the parser uses so the two
 * cannot drift. Editors (YAML language server) use it for completion and validation.
 */
export function configJsonSchema(): Schema {
  const strategyName = { enum: [...STRATEGY_NAMES, ...Object.keys(STRATEGY_ALIASES)] };
  const gates: Schema = {
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(GATE_NAMES.map((name) => [name, gateSchema(name)])),
  };
  const strategies: Schema = {
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(
      [...STRATEGY_NAMES, ...Object.keys(STRATEGY_ALIASES)].map((name) => {
        const spec = STRATEGIES[(STRATEGY_ALIASES[name] ?? name) as keyof typeof STRATEGIES];
        return [
          name,
          {
            type: 'object',
            description: spec.description,
            additionalProperties: false,
            properties: Object.fromEntries(spec.parameters.map((p) => [p.name, parameterSchema(p)])),
          },
        ];
      }),
    ),
  };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'shiftgate configuration (.github/shiftgate.yml)',
    type: 'object',
    additionalProperties: false,
    properties: {
      version: { const: 1, description: 'Schema version of this file.' },
      'default-strategy': {
        ...strategyName,
        description: 'Strategy used when no input, dispatch or label chooses one.',
      },
      gates: { ...gates, description: 'Health gates for every environment.' },
      strategies: { ...strategies, description: 'Parameter overrides per strategy, for every environment.' },
      environments: {
        type: 'object',
        description: 'Settings per deployment environment.',
        additionalProperties: {
          type: 'object',
          additionalProperties: false,
          properties: {
            'allowed-strategies': {
              type: 'array',
              items: strategyName,
              minItems: 1,
              description: 'Strategies allowed here.',
            },
            'default-strategy': { ...strategyName, description: "This environment's default strategy." },
            gates: { ...gates, description: "This environment's gates, over the file-wide ones." },
            strategies: { ...strategies, description: "This environment's parameter overrides." },
            targets: {
              type: 'object',
              additionalProperties: false,
              description: 'Where traffic lives: the same names as the shift-traffic inputs.',
              properties: Object.fromEntries(
                TARGET_NAMES.map((name) => [name, { type: 'string', minLength: 1 }]),
              ),
            },
          },
        },
      },
    },
  };
}
