import {
  DEFAULT_PROMETHEUS_QUERIES,
  GATE_NAMES,
  PROMETHEUS_QUERY_MEANINGS,
  PROMETHEUS_SIDE_QUERIES,
  type GateName,
} from '../health/index';
import { TARGET_NAMES } from './model';
import { SETTINGS, VALUE_PATTERNS, type SettingSpec } from './catalogue';
import { STRATEGIES, STRATEGY_ALIASES, STRATEGY_NAMES, type ParameterSpec } from '../strategy/index';

type Schema = Record<string, unknown>;

const WHOLE_PERCENT = VALUE_PATTERNS.wholePercent;
const DURATION = VALUE_PATTERNS.duration;

// Wave sizes: counts and shares, as a comma list or a YAML list.
const WAVE_LIST = [
  { type: 'string', pattern: '^\\s*\\d+%?(\\s*[,\\s]\\s*\\d+%?)*\\s*$' },
  {
    type: 'array',
    items: {
      oneOf: [
        { type: 'integer', minimum: 1 },
        { type: 'string', pattern: '^\\d+%?$' },
      ],
    },
  },
];

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
    case 'choice':
      return { description, type: 'string', enum: [...(param.choices ?? [])] };
    case 'waves':
      return { description, oneOf: [...WAVE_LIST] };
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

/** Saga services: the keys `parseServices` knows, the required ones required (it checks the rest). */
function servicesSchema(): Schema {
  const command = { type: 'string', minLength: 1 };
  return {
    type: 'array',
    minItems: 1,
    description:
      'Saga: the services in deployment order, as the services input takes them (commands come from here or the input, never from a state).',
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'deploy', 'compensate'],
      properties: {
        name: { type: 'string' },
        'deployment-order': { type: 'integer', minimum: 1 },
        deploy: { ...command, description: 'Bash command that deploys the service.' },
        compensate: { ...command, description: 'Bash command that undoes its deploy.' },
        smoke: { ...command, description: 'Bash command that judges the service; non-zero is a breach.' },
        alarms: { type: 'array', items: { type: 'string' } },
        'metric-queries': { type: 'array', items: { type: 'object' } },
        targets: {
          type: 'object',
          description: 'Its own routes: listener-arn and/or rule-arn, stable- and canary-target-group-arn.',
        },
      },
    },
  };
}

/** A list of cells: the keys `parseCells` knows, the required ones required. */
function cellsSchema(): Schema {
  const arn = (resource: string) => ({
    type: 'string',
    pattern: `^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\\d{12}:${resource}/`,
  });
  const arns = (resource: string) => ({
    oneOf: [arn(resource), { type: 'array', items: arn(resource), minItems: 1 }],
  });
  return {
    type: 'array',
    minItems: 1,
    description:
      'Rolling: the cells of this environment, each its own load balancer route set in one region.',
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'region', 'stable-target-group-arn', 'canary-target-group-arn'],
      anyOf: [{ required: ['listener-arn'] }, { required: ['rule-arn'] }],
      properties: {
        name: {
          type: 'string',
          pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$',
          description: 'Unique cell name.',
        },
        region: {
          type: 'string',
          pattern: '^[a-z]{2}(-[a-z]+)+-\\d+$',
          description: 'The AWS region of every ARN of the cell.',
        },
        zone: { type: 'string', description: 'Availability zone (optional): waves can be kept within one.' },
        'listener-arn': { ...arns('listener'), description: 'Listener ARN(s) of the cell.' },
        'rule-arn': { ...arns('listener-rule'), description: 'Listener rule ARN(s) of the cell.' },
        'stable-target-group-arn': {
          ...arn('targetgroup'),
          description: 'The target group serving the current version.',
        },
        'canary-target-group-arn': {
          ...arn('targetgroup'),
          description: 'The target group serving the new version.',
        },
        alarms: {
          type: 'array',
          items: { type: 'string', minLength: 1 },
          description: 'CloudWatch alarms judged for this cell.',
        },
      },
    },
  };
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
      prometheus: {
        type: 'object',
        additionalProperties: false,
        description: 'The Prometheus metric source (metric-source prometheus).',
        properties: {
          queries: {
            type: 'object',
            additionalProperties: false,
            description: SETTINGS['prometheus-queries'].description,
            properties: Object.fromEntries(
              PROMETHEUS_SIDE_QUERIES.map((name) => [
                name,
                {
                  type: 'string',
                  minLength: 1,
                  description: `PromQL template: ${PROMETHEUS_QUERY_MEANINGS[name]}. Default: ${DEFAULT_PROMETHEUS_QUERIES[name]}`,
                },
              ]),
            ),
          },
        },
      },
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
            cells: cellsSchema(),
            services: servicesSchema(),
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
