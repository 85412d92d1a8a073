// The one catalogue of settings: every gate, timing and hook setting an action input, a `shiftgate` flag
// or the config file takes is declared here once, with its parser, default and description. action.yml
// files, the CLI's flags and help, and the config file's JSON Schema are generated from or checked against
// it (test/core/settings-catalogue.test.ts), so a default or a rule is changed in one place.
import { InputError, parseBoolean, parseDuration } from '../shared/index';
import { GATE_DEFAULTS, GATE_PARSERS, parseAbMetrics, parseMetricQueries } from '../health/index';
import { DEFAULT_ROLLBACK_TARGET, parseRollbackTarget } from '../traffic/index';
import { parseServices } from '../strategy/index';
import { SOURCE_SETTINGS } from './prometheus';
import { TRACE_SETTINGS } from './trace-settings';
import {
  DEFAULT_DEPLOYMENT_STRATEGY,
  parseAppConfigApplication,
  parseAppConfigEnvironment,
  parseAppConfigProfile,
  parseDeploymentStrategy,
  parseFlagName,
  parseFlagProvider,
} from '../flags/index';

/** JSON Schema patterns of values as a user writes them in the config file. */
export const VALUE_PATTERNS = {
  percent: '^\\d+(\\.\\d+)?%?$',
  wholePercent: '^\\d+%?$',
  duration: '^(\\d+ms|(\\d+h)?(\\d+m)?(\\d+s)?)$',
} as const;

/** The JavaScript actions that take catalogue settings as inputs. */
export type SettingAction = 'bake-and-gate' | 'run-plan' | 'rollback' | 'select-strategy';
/** The `shiftgate` commands that take catalogue settings as flags. */
export type SettingCommand = 'deploy' | 'rollback';

/** How one action takes a setting, where it differs from the catalogue's default or description. */
export interface SettingUse {
  default?: string;
  description?: string;
}

/** One setting: its parser, default and description, and who takes it. */
export interface SettingSpec<T = unknown> {
  /** As a user writes it; '' when empty means something computed, which the description says. */
  default: string;
  /** One or two sentences for action.yml, `--help` and the JSON Schema. */
  description: string;
  /** Parses a non-empty value; `input` names it in the {@link InputError} for a refused value. */
  parse: (input: string, text: string) => T;
  /** The actions that take it as an input, with their own default or description where they differ. */
  actions: Partial<Record<SettingAction, SettingUse>>;
  /** The `shiftgate` commands that take it as a flag (with the run-plan action's default). */
  cli: readonly SettingCommand[];
  /** The JSON Schema of its value under the config file's `gates`; absent when the file does not take it. */
  config?: Record<string, unknown>;
  /**
   * True for a setting of the progressive-deploy composite and reusable workflow themselves (not of a plan
   * run): both take it as an input with the catalogue's default and description, and select-strategy,
   * their first step, parses it before anything moves and passes the parsed value on as an output.
   */
  workflows?: true;
}

const HOUR = 3_600_000;

/** Parses `poll-interval`: whole minutes from 60s to 1h. */
export function parsePollInterval(input: string, text: string): number {
  const ms = parseDuration(input, text, { min: 60_000 });
  if (ms % 60_000 !== 0 || ms > HOUR)
    throw new InputError(input, text, "whole minutes from '60s' to '1h' (ALB publishes metrics per minute)");
  return ms;
}

/** Parses `metric-delay`: a duration from 0s to 15m. */
export function parseMetricDelay(input: string, text: string): number {
  const ms = parseDuration(input, text, { allowZero: true });
  if (ms > 15 * 60_000) throw new InputError(input, text, "a duration from '0s' to '15m'");
  return ms;
}

const ALARM_NAME = /^[^\s,][^,\n]{0,254}$/;

/** Parses `alarms`: CloudWatch alarm names separated by commas or new lines, at most 100, deduplicated. */
export function parseAlarms(input: string, text: string): string[] {
  const alarms = text
    .split(/[,\n]/)
    .map((a) => a.trim())
    .filter((a) => a !== '');
  for (const alarm of alarms) {
    if (!ALARM_NAME.test(alarm))
      throw new InputError(input, alarm, 'CloudWatch alarm names separated by commas or new lines');
  }
  if (alarms.length > 100) throw new InputError(input, text, 'at most 100 alarm names');
  return [...new Set(alarms)];
}

const trimmed = (_input: string, text: string): string => text.trim();

const gate = <K extends keyof typeof GATE_PARSERS>(name: K) => ({
  default: GATE_DEFAULTS[name],
  parse: GATE_PARSERS[name],
});
const BOTH = { 'bake-and-gate': {}, 'run-plan': {} } as const;
const DEPLOY = ['deploy'] as const;
const COUNT = {
  oneOf: [
    { type: 'integer', minimum: 0 },
    { type: 'string', pattern: '^\\d+$' },
  ],
};

/** Every setting, by the name it has in action.yml, on the command line and in the config file. */
export const SETTINGS = {
  'max-error-rate': {
    ...gate('max-error-rate'),
    description:
      'Highest canary 5xx rate (HTTPCode_Target_5XX_Count / RequestCount), for example 1% or 0.5%.',
    actions: BOTH,
    cli: DEPLOY,
    config: { type: 'string', pattern: VALUE_PATTERNS.percent },
  },
  'max-p99-latency': {
    ...gate('max-p99-latency'),
    description: 'Highest canary p99 TargetResponseTime, for example 500ms or 2s.',
    actions: BOTH,
    cli: DEPLOY,
    config: {
      oneOf: [
        { type: 'string', pattern: VALUE_PATTERNS.duration },
        { type: 'integer', minimum: 1 },
      ],
    },
  },
  'latency-percentile': {
    ...gate('latency-percentile'),
    description:
      'The percentile the latency gates judge: p50, p90, p95, p99 or p99.9. max-p99-latency is its threshold (at most 10% of requests slower for p90), and max-latency-increase compares it with the baseline.',
    actions: BOTH,
    cli: DEPLOY,
    config: { type: 'string', enum: ['p50', 'p90', 'p95', 'p99', 'p99.9'] },
  },
  'max-latency-increase': {
    ...gate('max-latency-increase'),
    description:
      "Highest increase of the canary's latency percentile (latency-percentile, p99 by default) over the baseline's, for example 20%.",
    actions: BOTH,
    cli: DEPLOY,
    config: { type: 'string', pattern: VALUE_PATTERNS.percent },
  },
  'min-healthy-percent': {
    ...gate('min-healthy-percent'),
    description: 'Lowest share of healthy canary hosts (HealthyHostCount versus UnHealthyHostCount).',
    actions: BOTH,
    cli: DEPLOY,
    config: { type: 'string', pattern: VALUE_PATTERNS.percent },
  },
  'min-requests': {
    ...gate('min-requests'),
    description: 'Canary requests needed in each bake before it can pass.',
    actions: {
      'bake-and-gate': { description: 'Canary requests needed before promotion.' },
      'run-plan': {},
    },
    cli: DEPLOY,
    config: COUNT,
  },
  'bake-time': {
    ...gate('bake-time'),
    description: 'How long the canary must be judged before it can be promoted, for example 5m or 1h.',
    actions: {
      'bake-and-gate': {},
      // A plan's bake steps carry their own durations; this input only overrides them.
      'run-plan': {
        default: '',
        description:
          "How long every bake step must judge the canary before it can pass, for example 10m. Empty uses each bake step's own duration from the plan (the strategy's bake-time parameter).",
      },
    },
    cli: DEPLOY,
    config: { type: 'string', pattern: VALUE_PATTERNS.duration },
  },
  'max-bake-time': {
    default: '',
    parse: (input: string, text: string) => parseDuration(input, text),
    description:
      'The longest bake. A bake that has found no breach by then passes when it saw min-requests canary requests and data for every gate; otherwise on-inconclusive decides. Empty means five times the bake time, at most the bake time + 2h.',
    actions: BOTH,
    cli: DEPLOY,
  },
  confidence: {
    ...gate('confidence'),
    description:
      "Confidence a breach must reach before rolling back, for example 95% or 99%: a healthy canary is rolled back with probability at most 1 − confidence over the whole plan (run-plan and shiftgate deploy split it over the plan's bakes) or over the one bake (bake-and-gate).",
    actions: BOTH,
    cli: DEPLOY,
    config: { type: 'string', pattern: VALUE_PATTERNS.percent },
  },
  'on-inconclusive': {
    ...gate('on-inconclusive'),
    description:
      'What to do when a bake ends with too little evidence (no data, or fewer than min-requests canary requests by max-bake-time): rollback, fail (decision inconclusive; traffic is restored and the step fails) or promote. Missing evidence never promotes.',
    actions: {
      'bake-and-gate': {
        description:
          'What to do when the bake ends with too little evidence (no data, or fewer than min-requests canary requests by max-bake-time): rollback, fail (decision inconclusive, the step fails) or promote. Missing evidence never promotes.',
      },
      'run-plan': {},
    },
    cli: DEPLOY,
    config: { enum: ['rollback', 'fail', 'promote'] },
  },
  'max-consecutive-errors': {
    ...gate('max-consecutive-errors'),
    description:
      "AWS errors tolerated in a row (after the SDK's own retries) in a bake or a shift before the plan rolls back.",
    actions: {
      'bake-and-gate': {
        description:
          "CloudWatch errors tolerated in a row (after the SDK's own retries) before the bake ends with Error.",
      },
      'run-plan': {},
    },
    cli: DEPLOY,
    config: COUNT,
  },
  'poll-interval': {
    default: '60s',
    parse: parsePollInterval,
    description: 'Length of one metric window and how often CloudWatch is read; whole minutes.',
    actions: BOTH,
    cli: DEPLOY,
  },
  'metric-delay': {
    default: '2m',
    parse: parseMetricDelay,
    description:
      'How long CloudWatch takes to publish a minute; a window is judged only this long after it ends.',
    actions: BOTH,
    cli: DEPLOY,
  },
  'metric-queries': {
    default: '',
    parse: parseMetricQueries,
    description:
      'Extra queries as a YAML list, each with an id, either namespace + metric (+ dimensions, stat) or an expression (CloudWatch), or a PromQL query with {{canary}}, {{baseline}} and {{window}} placeholders (metric-source prometheus), and a max or min threshold, for example ECS CPUUtilization with max 80.',
    actions: BOTH,
    cli: DEPLOY,
  },
  alarms: {
    default: '',
    parse: parseAlarms,
    description:
      'CloudWatch alarm names (commas or new lines). One in ALARM rolls back; one already in ALARM before a bake refuses the deployment; one that does not exist is an input error, found before any traffic moves.',
    actions: {
      'bake-and-gate': {
        description:
          'CloudWatch alarm names (commas or new lines). One in ALARM rolls back; one already in ALARM before the bake refuses the deployment; one that does not exist is an input error.',
      },
      'run-plan': {},
    },
    cli: DEPLOY,
  },
  'smoke-command': {
    default: '',
    parse: trimmed,
    description:
      'Shell command (bash) run at the start and at every poll of each bake; a non-zero exit is a breach.',
    actions: {
      'bake-and-gate': {
        description: 'Shell command (bash) run at the start and at every poll; a non-zero exit is a breach.',
      },
      'run-plan': {},
    },
    cli: DEPLOY,
  },
  'flag-command': {
    default: '',
    parse: trimmed,
    description:
      "Shell command (bash) for the plan's hook steps (feature-flag exposure), run with SHIFTGATE_EXPOSURE (also as SHIFTGATE_FLAG_EXPOSURE), SHIFTGATE_PHASE, SHIFTGATE_HOOK, SHIFTGATE_STEP, SHIFTGATE_STRATEGY, SHIFTGATE_ENVIRONMENT, SHIFTGATE_VERSION, SHIFTGATE_DEPLOYMENT_ID and SHIFTGATE_CANARY_WEIGHT; on rollback it runs once more with exposure 0. Required for flag steps: a rollout state is data, never code, so the command a state's step carries never runs; it must be empty or this very command.",
    actions: { 'run-plan': {} },
    cli: DEPLOY,
  },
  'flag-provider': {
    default: '',
    parse: parseFlagProvider,
    description:
      "Who sets the exposure of the plan's flag steps: command (flag-command) or appconfig (shiftgate creates a hosted configuration version of the AWS AppConfig feature-flag profile per step, deploys it, watches the deployment with the gates, and stops and reverts it on a rollback). Empty takes the strategy's flag-provider parameter, then command.",
    actions: { 'run-plan': {} },
    cli: DEPLOY,
  },
  'appconfig-application': {
    default: '',
    parse: parseAppConfigApplication,
    description:
      "flag-provider appconfig: the AppConfig application, by id or name. Empty takes the strategy's parameter of the same name.",
    actions: { 'run-plan': {} },
    cli: DEPLOY,
  },
  'appconfig-environment': {
    default: '',
    parse: parseAppConfigEnvironment,
    description:
      "flag-provider appconfig: the AppConfig environment, by id or name. Empty takes the strategy's parameter of the same name.",
    actions: { 'run-plan': {} },
    cli: DEPLOY,
  },
  'appconfig-profile': {
    default: '',
    parse: parseAppConfigProfile,
    description:
      "flag-provider appconfig: the hosted feature-flag configuration profile (type AWS.AppConfig.FeatureFlags), by id or name; one that does not exist is an input error before anything moves. Empty takes the strategy's parameter of the same name.",
    actions: { 'run-plan': {} },
    cli: DEPLOY,
  },
  'flag-name': {
    default: '',
    parse: parseFlagName,
    description:
      "flag-provider appconfig: the flag's key in the profile; every other flag of the profile is left as it is. Empty takes the strategy's parameter of the same name.",
    actions: { 'run-plan': {} },
    cli: DEPLOY,
  },
  'appconfig-deployment-strategy': {
    default: '',
    parse: parseDeploymentStrategy,
    description: `flag-provider appconfig: the AppConfig deployment strategy of each flag step, by id or name. Empty takes the strategy's parameter of the same name, then ${DEFAULT_DEPLOYMENT_STRATEGY} (every target at once, then AppConfig watches the environment's alarms for 10 minutes).`,
    actions: { 'run-plan': {} },
    cli: DEPLOY,
  },
  services: {
    default: '',
    parse: parseServices,
    description:
      'Saga services as a YAML list, each with name, deploy and compensate (bash commands) and optionally deployment-order, alarms, smoke and metric-queries (its gate after its deploy) and targets (its own listener-arn and/or rule-arn with stable- and canary-target-group-arn, switched to its canary after its deploy and back before its compensation). Commands run with SHIFTGATE_SERVICE, SHIFTGATE_PHASE (deploy, smoke or compensate), SHIFTGATE_VERSION and SHIFTGATE_ENVIRONMENT; on a failure the failing service and every deployed one are compensated in reverse, each compensation retried 3 times. Required for saga plans: a rollout state carries service names only, never commands.',
    actions: {
      'run-plan': {},
      rollback: {
        description:
          'Saga services as a YAML list, as run-plan takes them: the compensate commands of the services the `state` records as deployed or failing run in reverse deployment order (each retried 3 times). Required when the state records such services: a state carries service names only, never commands.',
      },
    },
    cli: ['deploy', 'rollback'],
  },
  'ab-metrics': {
    default: '',
    parse: parseAbMetrics,
    description:
      "A/B tests: up to 5 custom CloudWatch count metrics compared per request besides the error rate and the slow-request share, as a YAML list, each with name, better (higher or lower), namespace, metric (read as Sum), optionally dimensions, and optionally 'a' and 'b' (each side's own dimensions; without them each side is read by its TargetGroup). Each gets A, B, the effect B − A with its anytime-valid interval, and a verdict.",
    actions: { 'run-plan': {} },
    cli: DEPLOY,
  },
  'rollback-to': {
    default: DEFAULT_ROLLBACK_TARGET,
    parse: parseRollbackTarget,
    description:
      "Where a rollback sends traffic: stable (the stable target group gets all of the pair's traffic) or previous (exactly the weights recorded before the rollout began).",
    actions: {
      'run-plan': {},
      // Empty, so that a workflow still giving the deprecated `to` is not contradicted by a default.
      rollback: {
        default: '',
        description:
          "Where traffic goes: stable (the stable target group gets all of the pair's traffic: stable 100 / canary 0) or previous (exactly the weights recorded before the rollout began; needs a `state`). Empty means stable.",
      },
    },
    cli: ['deploy', 'rollback'],
  },
  'fail-on-rollback': {
    default: 'true',
    parse: parseBoolean,
    description:
      'Fail the step when the decision is rollback (traffic is restored either way), so that `if: failure()` steps run.',
    actions: {
      'bake-and-gate': {
        description:
          'Fail the step when the decision is rollback, so that `if: failure()` rollback steps run.',
      },
      'run-plan': {},
    },
    cli: [],
  },
  ...SOURCE_SETTINGS,
  ...TRACE_SETTINGS,
} as const satisfies Record<string, SettingSpec>;

/** A setting's name. */
export type SettingName = keyof typeof SETTINGS;
/** The names of the settings a `shiftgate` command takes as flags. */
export type CommandSettingName<C extends SettingCommand> = {
  [K in SettingName]: C extends (typeof SETTINGS)[K]['cli'][number] ? K : never;
}[SettingName];
/** The settings of a plan run: the `shiftgate deploy` flags, each also a run-plan input. */
export type RunSettingName = CommandSettingName<'deploy'>;

/** Every setting's name, in catalogue order. */
export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

/** The default of a setting as `action` states it (the catalogue's own when no action is named). */
export function settingDefault(name: SettingName, action?: SettingAction): string {
  const spec: SettingSpec = SETTINGS[name];
  return (action ? spec.actions[action]?.default : undefined) ?? spec.default;
}

/** The description of a setting as `action` states it (the catalogue's own when no action is named). */
export function settingDescription(name: SettingName, action?: SettingAction): string {
  const spec: SettingSpec = SETTINGS[name];
  return (action ? spec.actions[action]?.description : undefined) ?? spec.description;
}

/** The settings an action takes as inputs, in catalogue order. */
export function actionSettings(action: SettingAction): SettingName[] {
  return SETTING_NAMES.filter((name) => action in SETTINGS[name].actions);
}

/**
 * The settings of the progressive-deploy composite and reusable workflow themselves (trace upload), in
 * catalogue order: both state them with the catalogue's default and description.
 */
export function workflowSettings(): SettingName[] {
  return SETTING_NAMES.filter((name) => (SETTINGS[name] as SettingSpec).workflows === true);
}

/** The settings a `shiftgate` command takes as flags, in catalogue order. */
export function commandSettings<C extends SettingCommand>(command: C): CommandSettingName<C>[] {
  return SETTING_NAMES.filter((name) =>
    (SETTINGS[name].cli as readonly string[]).includes(command),
  ) as CommandSettingName<C>[];
}

/**
 * Defaults of the settings a plan run takes, written as a user writes them: the run-plan action's inputs
 * and the `shiftgate deploy` flags share these names and defaults.
 */
export const RUN_SETTING_DEFAULTS = Object.fromEntries(
  commandSettings('deploy').map((name) => [name, settingDefault(name, 'run-plan')]),
) as Record<RunSettingName, string>;
