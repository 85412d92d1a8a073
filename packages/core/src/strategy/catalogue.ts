import {
  fieldProblem,
  FIELD_RULES,
  formatDuration,
  InputError,
  parseField,
  showValue,
  parseBoolean,
  parseDuration,
  parseInteger,
  parsePercent,
  parseWeightList,
} from '../shared/index';
import type { ParameterValue } from '../rollout/index';
import { STRATEGY_NAMES, type StrategyName } from './steps';
import { ON_FAILURE, parseWaveSizes, formatWaveSizes, WAVE_BOUNDARIES } from './cells';
import {
  DEFAULT_DEPLOYMENT_STRATEGY,
  FLAG_PROVIDERS,
  parseAppConfigApplication,
  parseAppConfigEnvironment,
  parseAppConfigProfile,
  parseDeploymentStrategy,
  parseFlagName,
} from '../flags/index';

/** How a parameter is written and parsed. */
export type ParameterKind =
  'weights' | 'percent' | 'duration' | 'integer' | 'boolean' | 'string' | 'list' | 'choice' | 'waves';

/** One parameter of a strategy, as `shiftgate strategies` and the docs show it. */
export interface ParameterSpec {
  name: string;
  kind: ParameterKind;
  /** Default as the user would write it; `null` means the parameter has no default. */
  default: string | null;
  description: string;
  /** Required for this strategy (no default makes sense). */
  required?: boolean;
  /** The values a `choice` parameter takes. */
  choices?: readonly string[];
  /** A `string` parameter that is not a command: its own parser (names and ids). */
  parse?: (input: string, text: string) => string;
}

/** A strategy's entry in the catalogue. */
export interface StrategySpec {
  name: StrategyName;
  description: string;
  parameters: ParameterSpec[];
}

const bakeTime = (fallback: string, what: string): ParameterSpec => ({
  name: 'bake-time',
  kind: 'duration',
  default: fallback,
  description: what,
});

/**
 * The seven strategies. Defaults follow the seeds where they give one: canary 5→10→25→100 with 5-minute bakes
 * (seed 003's canary job), 50/50 A/B splits, blue-green with a rollback window.
 */
export const STRATEGIES: Record<StrategyName, StrategySpec> = {
  'blue-green': {
    name: 'blue-green',
    description:
      'Check the idle (green) target group, switch 100% of traffic at once, keep blue ready for a rollback window.',
    parameters: [
      {
        name: 'pre-switch-checks',
        kind: 'boolean',
        default: 'true',
        description: "Judge the gates once on the green target group before switching ('true' or 'false').",
      },
      bakeTime('15m', 'Rollback window after the switch: gates are watched and blue is kept for this long.'),
    ],
  },
  canary: {
    name: 'canary',
    description:
      'Send a small, growing share of traffic to the new version, baking and judging after each step.',
    parameters: [
      {
        name: 'steps',
        kind: 'weights',
        default: '5,10,25,100',
        description:
          'Canary weights in order, strictly increasing and ending at 100. Ignored when step-size is set.',
      },
      {
        name: 'initial-traffic',
        kind: 'percent',
        default: null,
        description:
          'First canary weight when the schedule is generated from step-size (default: step-size).',
      },
      {
        name: 'step-size',
        kind: 'percent',
        default: null,
        description: 'Generate the schedule: initial-traffic, then + step-size up to max-traffic, then 100.',
      },
      {
        name: 'max-traffic',
        kind: 'percent',
        default: null,
        description: 'Highest weight of a generated schedule before the final switch to 100 (default 50).',
      },
      bakeTime('5m', 'How long to bake and judge after each step below 100.'),
    ],
  },
  linear: {
    name: 'linear',
    description:
      'Move a fixed share of traffic every interval (CodeDeploy Linear10PercentEvery1Minute style).',
    parameters: [
      { name: 'step-size', kind: 'percent', default: '10', description: 'Percent added at each step.' },
      { name: 'interval', kind: 'duration', default: '1m', description: 'Bake time between steps.' },
    ],
  },
  rolling: {
    name: 'rolling',
    description:
      'Move cells (each its own load balancer route set) to the new version in waves: one-box first, never across a zone or region boundary, region after region.',
    parameters: [
      {
        name: 'cells',
        kind: 'list',
        default: null,
        description:
          "Cell names in rollout order, when the cells are not defined with regions and ARNs in 'cells' (config or input).",
      },
      {
        name: 'waves',
        kind: 'waves',
        default: '1,10%,50%,100%',
        description:
          'Cumulative cells after each wave, per region: a count (1) or a share rounded up (10%), growing and ending at 100%.',
      },
      {
        name: 'wave-boundary',
        kind: 'choice',
        choices: WAVE_BOUNDARIES,
        default: 'region',
        description:
          "A wave never holds cells of two regions ('region'), two zones ('zone'), or either ('none').",
      },
      {
        name: 'regions',
        kind: 'list',
        default: null,
        description: 'Region order (default: order of first appearance among the cells).',
      },
      {
        name: 'max-unavailable',
        kind: 'integer',
        default: null,
        description: 'Cells switched at once inside a wave (default: the whole wave).',
      },
      {
        name: 'cell-steps',
        kind: 'weights',
        default: '100',
        description:
          'Canary weights inside each cell of a wave, ending at 100 (10,100 is a small canary per cell).',
      },
      {
        name: 'on-failure',
        kind: 'choice',
        choices: ON_FAILURE,
        default: 'rollback-all',
        description:
          "When a wave fails: every moved cell goes back ('rollback-all'), only that wave's ('rollback-wave'), or traffic stays for a person to decide ('halt').",
      },
      {
        name: 'approve-regions',
        kind: 'boolean',
        default: 'false',
        description: 'Pause for approval before each new region (the run resumes from the state).',
      },
      {
        name: 'strict-one-box',
        kind: 'boolean',
        default: 'false',
        description: 'Refuse, rather than warn about, a first wave holding more than 10% of its region.',
      },
      bakeTime('5m', 'How long to bake and judge each wave after each cell step.'),
    ],
  },
  'ab-testing': {
    name: 'ab-testing',
    description:
      'Hold a fixed split (such as 50/50) for a duration to compare versions; never promotes on its own.',
    parameters: [
      {
        name: 'split',
        kind: 'weights',
        default: '50,50',
        description:
          'Stable and new weights, summing to 100 (for example 90,10). With an audience it splits the rest of the traffic, and defaults to 100,0 (everyone else stays on A).',
      },
      { name: 'duration', kind: 'duration', default: '1h', description: 'How long to hold the split.' },
      {
        name: 'audience',
        kind: 'string',
        default: null,
        description:
          "Send these requests to B with a listener rule shiftgate creates, tags and removes: conditions separated by ';', each header:<name>=<value>, query:<key>=<value> or cookie:<name>=<value>, values separated by '|' (for example header:X-Experiment=b).",
      },
    ],
  },
  'feature-flag': {
    name: 'feature-flag',
    description:
      'Send traffic to the new version with the feature dark, then raise exposure in flag steps on AWS AppConfig (flag-provider appconfig) or through your command.',
    parameters: [
      {
        name: 'flag-command',
        kind: 'string',
        default: null,
        description:
          'Command run at each flag step with SHIFTGATE_FLAG_EXPOSURE set (for example a LaunchDarkly CLI call). Required with flag-provider command; must be empty with appconfig.',
      },
      {
        name: 'flag-provider',
        kind: 'choice',
        choices: FLAG_PROVIDERS,
        default: null,
        description:
          'Who sets the exposure: command (flag-command, the default when empty) or appconfig (shiftgate deploys the flag on AWS AppConfig).',
      },
      {
        name: 'appconfig-application',
        kind: 'string',
        default: null,
        parse: parseAppConfigApplication,
        description: 'flag-provider appconfig: the AppConfig application, by id or name.',
      },
      {
        name: 'appconfig-environment',
        kind: 'string',
        default: null,
        parse: parseAppConfigEnvironment,
        description: 'flag-provider appconfig: the AppConfig environment, by id or name.',
      },
      {
        name: 'appconfig-profile',
        kind: 'string',
        default: null,
        parse: parseAppConfigProfile,
        description:
          'flag-provider appconfig: the hosted feature-flag configuration profile (AWS.AppConfig.FeatureFlags), by id or name.',
      },
      {
        name: 'flag-name',
        kind: 'string',
        default: null,
        parse: parseFlagName,
        description: "flag-provider appconfig: the flag's key in the profile.",
      },
      {
        name: 'appconfig-deployment-strategy',
        kind: 'string',
        default: null,
        parse: parseDeploymentStrategy,
        description: `flag-provider appconfig: the AppConfig deployment strategy of each flag step, by id or name; empty means ${DEFAULT_DEPLOYMENT_STRATEGY}.`,
      },
      {
        name: 'flag-steps',
        kind: 'weights',
        default: '1,10,50,100',
        description: 'Exposure percentages in order, strictly increasing and ending at 100.',
      },
      bakeTime('5m', 'How long to bake and judge after each flag step.'),
    ],
  },
  saga: {
    name: 'saga',
    description:
      'Deploy services in a declared order; if one fails, compensate the ones already deployed in reverse.',
    parameters: [
      {
        name: 'services',
        kind: 'list',
        default: null,
        required: true,
        description:
          'Services in deployment order (comma or newline separated); compensation runs in reverse.',
      },
      bakeTime('5m', 'How long to bake and judge after each service.'),
    ],
  },
};

/** Aliases accepted wherever a strategy is named. */
export const STRATEGY_ALIASES: Record<string, StrategyName> = { 'saga-pattern': 'saga' };

/** Resolves a strategy name or alias; throws naming the input and listing the valid names. */
export function parseStrategyName(input: string, value: string): StrategyName {
  const text = value.trim().toLowerCase();
  if ((STRATEGY_NAMES as readonly string[]).includes(text)) return text as StrategyName;
  const alias = STRATEGY_ALIASES[text];
  if (alias) return alias;
  throw new InputError(input, value, `one of ${STRATEGY_NAMES.join(', ')} (or the alias saga-pattern)`);
}

/** Parsed parameter values, keyed by parameter name. */
export type Parameters = Record<string, ParameterValue>;

/** A raw parameter value from an input, the config file or the CLI. */
export type RawParameter = string | number | boolean | readonly (string | number)[];

/**
 * Merges raw parameters over the strategy's defaults and parses each one. Unknown names and bad values are
 * refused with the strategy's parameter list in the message. `source` prefixes the input name
 * (`parameters.steps`), so errors point at where the value came from.
 */
export function resolveParameters(
  strategy: StrategyName,
  raw: Readonly<Record<string, RawParameter>>,
  source = 'parameters',
): Parameters {
  const spec = STRATEGIES[strategy];
  const known = spec.parameters.map((p) => p.name);
  for (const name of Object.keys(raw)) {
    if (!known.includes(name)) {
      throw new InputError(`${source}.${name}`, raw[name], '', {
        message: `Input '${source}' has '${name}', which is not a parameter of ${strategy}; its parameters are ${known.join(', ')}`,
      });
    }
  }
  const out: Parameters = {};
  for (const param of spec.parameters) {
    const given = raw[param.name];
    const input = `${source}.${param.name}`;
    if (given === undefined || given === null || given === '') {
      if (param.required) {
        throw new InputError(input, given ?? '', '', {
          message: `Strategy ${strategy} needs parameter '${param.name}': ${param.description}`,
        });
      }
      if (param.default !== null) out[param.name] = parseParameter(param, input, param.default);
      continue;
    }
    out[param.name] = parseParameter(param, input, given);
  }
  return out;
}

function parseParameter(param: ParameterSpec, input: string, value: RawParameter): ParameterValue {
  const scalar = (): string | number => {
    if (typeof value === 'string' || typeof value === 'number') return value;
    if (typeof value === 'boolean') return String(value);
    throw new InputError(input, value, `a single ${param.kind}, not a list`);
  };
  switch (param.kind) {
    case 'weights':
      if (typeof value === 'boolean')
        throw new InputError(input, value, 'a list of whole percentages such as 5,25,50,100');
      return parseWeightList(input, typeof value === 'number' ? String(value) : value);
    case 'percent':
      return parsePercent(input, scalar());
    case 'duration':
      return formatDuration(parseDuration(input, String(scalar())));
    case 'integer':
      return parseInteger(input, scalar(), { min: 1 });
    case 'choice': {
      const text = String(scalar()).trim().toLowerCase();
      const choices = param.choices ?? [];
      if (!choices.includes(text)) throw new InputError(input, value, `one of ${choices.join(', ')}`);
      return text;
    }
    case 'waves':
      if (typeof value === 'boolean') throw new InputError(input, value, 'wave sizes such as 1,10%,50%,100%');
      return formatWaveSizes(parseWaveSizes(input, typeof value === 'number' ? String(value) : value));
    case 'boolean':
      return typeof value === 'boolean' ? value : parseBoolean(input, String(scalar()));
    case 'string':
      // A string parameter is a command (flag-command: the command field rule) unless it has its own parser.
      if (param.parse) return param.parse(input, String(scalar()));
      return parseField('command', input, String(scalar()).trim());
    case 'list': {
      const items = (
        typeof value === 'string' ? value.split(/[,\n]/) : Array.isArray(value) ? value : [scalar()]
      )
        .map((item) => String(item).trim())
        .filter((item) => item !== '');
      if (items.length === 0) throw new InputError(input, value, 'a non-empty list of names');
      const bad = items.find((item) => fieldProblem('name', item) !== null);
      if (bad !== undefined) {
        throw new InputError(input, value, `names, each ${FIELD_RULES.name.allowed}`, {
          message: `Input '${input}' must be a list of names, each ${FIELD_RULES.name.allowed}; ${showValue(bad)} is not`,
        });
      }
      const seen = new Set<string>();
      for (const item of items) {
        if (seen.has(item))
          throw new InputError(input, value, `a list without repeats ('${item}' appears twice)`);
        seen.add(item);
      }
      return items;
    }
  }
}
