// The flag provider settings: which provider sets a feature-flag exposure, and for AWS AppConfig where the
// flag lives. Formats are checked up front, so a bad name is refused before anything moves.
import { InputError, showValue } from '../shared/index';

/** Who sets the exposure of a feature-flag plan's flag steps. */
export const FLAG_PROVIDERS = ['command', 'appconfig'] as const;
export type FlagProviderName = (typeof FLAG_PROVIDERS)[number];

/**
 * The AppConfig deployment strategy used when none is named: AppConfig's predefined `AllAtOnce` deploys to
 * every target at once (shiftgate already stages the exposure step by step) and then watches the
 * environment's CloudWatch alarms for 10 minutes before the deployment is COMPLETE.
 */
export const DEFAULT_DEPLOYMENT_STRATEGY = 'AppConfig.AllAtOnce';

/** The deployment strategy a revert (a rollback or an emergency disable) uses: at once, to every target. */
export const REVERT_DEPLOYMENT_STRATEGY = 'AppConfig.AllAtOnce';

/** An AppConfig resource id (application, environment, configuration profile, deployment strategy). */
export const APPCONFIG_ID = /^[a-z0-9]{4,7}$/;
/** A predefined deployment strategy, which StartDeployment takes by name. */
const PREDEFINED_STRATEGY = /^AppConfig\.[A-Za-z0-9]{9,40}$/;
// Names as shiftgate accepts them: letters, digits, spaces and . _ -, no shell, Markdown or HTML character.
const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9 ._-]*[A-Za-z0-9._-])?$/;
/** A flag key, as the AWS.AppConfig.FeatureFlags schema allows it. */
export const FLAG_KEY = /^[a-z][a-zA-Z\d_-]{0,63}$/;

/** Parses `flag-provider`: command or appconfig. */
export function parseFlagProvider(input: string, text: string): FlagProviderName {
  const value = text.trim().toLowerCase();
  if ((FLAG_PROVIDERS as readonly string[]).includes(value)) return value as FlagProviderName;
  throw new InputError(input, text, FLAG_PROVIDERS.join(' or '));
}

const nameOrId = (what: string, max: number) => (input: string, text: string) => {
  const value = text.trim();
  if (value.length <= max && NAME.test(value)) return value;
  throw new InputError(
    input,
    text,
    `the ${what}'s id (4 to 7 lowercase letters and digits) or name (1 to ${max} letters, digits, spaces and . _ - starting with a letter or digit)`,
  );
};

/** Parses `appconfig-application`: an application id or name. */
export const parseAppConfigApplication = nameOrId('AppConfig application', 64);
/** Parses `appconfig-environment`: an environment id or name. */
export const parseAppConfigEnvironment = nameOrId('AppConfig environment', 64);
/** Parses `appconfig-profile`: a configuration profile id or name. */
export const parseAppConfigProfile = nameOrId('AppConfig configuration profile', 128);

/** Parses `appconfig-deployment-strategy`: an id, a predefined strategy (AppConfig.…) or a name. */
export function parseDeploymentStrategy(input: string, text: string): string {
  const value = text.trim();
  if (PREDEFINED_STRATEGY.test(value) || (value.length <= 64 && NAME.test(value))) return value;
  throw new InputError(
    input,
    text,
    `a deployment strategy id, a predefined strategy such as ${DEFAULT_DEPLOYMENT_STRATEGY}, or a strategy name (1 to 64 letters, digits, spaces and . _ -)`,
  );
}

/** Parses `flag-name`: a flag key of the feature-flag profile. */
export function parseFlagName(input: string, text: string): string {
  const value = text.trim();
  if (FLAG_KEY.test(value)) return value;
  throw new InputError(
    input,
    text,
    'a flag key of 1 to 64 characters: a lowercase letter, then letters, digits, _ and - (as AppConfig feature flags allow)',
  );
}

/** Whether a value is an AppConfig id rather than a name. */
export function isAppConfigId(value: string): boolean {
  return APPCONFIG_ID.test(value);
}

/** Where an AppConfig flag lives, as configured (names or ids). */
export interface AppConfigTarget {
  application: string;
  environment: string;
  profile: string;
  flag: string;
  deploymentStrategy: string;
}

/** The flag settings of a run: the provider, and for AppConfig where the flag lives. */
export interface FlagSettings {
  provider: FlagProviderName;
  /** Set exactly when the provider is `appconfig`. */
  appconfig: AppConfigTarget | null;
}

/** The AppConfig settings by name, with their parsers (settings catalogue and strategy parameters alike). */
export const APPCONFIG_SETTINGS = {
  'appconfig-application': parseAppConfigApplication,
  'appconfig-environment': parseAppConfigEnvironment,
  'appconfig-profile': parseAppConfigProfile,
  'flag-name': parseFlagName,
  'appconfig-deployment-strategy': parseDeploymentStrategy,
} as const;
export type AppConfigSettingName = keyof typeof APPCONFIG_SETTINGS;
/** Every flag-provider setting name. */
export const FLAG_SETTING_NAMES = ['flag-provider', ...Object.keys(APPCONFIG_SETTINGS)] as readonly string[];

/**
 * The flag settings of a run from two sources: this run's inputs (`given`, action inputs or CLI flags)
 * and the plan's parameters (`planned`, from the config file or select-strategy's parameters). A value
 * given in both must be the same; one given in either counts. With `flag-provider: appconfig`, the
 * application, environment, profile and flag name are required and `flag-command` must be empty in both.
 * `hasFlagSteps` says whether the plan has flag steps left (no requirement applies otherwise).
 */
export function resolveFlagSettings(options: {
  given: (name: string) => string;
  planned: Readonly<Record<string, unknown>>;
  hasFlagSteps: boolean;
}): FlagSettings {
  const { given, planned } = options;
  const parsers: Record<string, (input: string, text: string) => string> = {
    ...APPCONFIG_SETTINGS,
    'flag-provider': parseFlagProvider,
  };
  const pick = (name: string): { value: string; input: string } | null => {
    const own = given(name).trim();
    // The input's own format first: a bad value is named as such, not as a mismatch.
    if (own !== '' && parsers[name]) parsers[name](name, own);
    const raw = planned[name];
    const fromPlan = typeof raw === 'string' ? raw.trim() : '';
    if (own !== '' && fromPlan !== '' && own !== fromPlan) {
      throw new InputError(name, own, '', {
        message: `Input '${name}' is ${showValue(own)} but the plan's parameter '${name}' is ${showValue(fromPlan)}; give it in one place (or the same in both). Nothing was changed.`,
      });
    }
    if (own !== '') return { value: own, input: name };
    if (fromPlan !== '') return { value: fromPlan, input: `parameters.${name}` };
    return null;
  };
  const chosen = pick('flag-provider');
  const provider = chosen ? parseFlagProvider(chosen.input, chosen.value) : 'command';
  if (provider === 'command') {
    for (const name of Object.keys(APPCONFIG_SETTINGS)) {
      const set = pick(name);
      if (set) {
        throw new InputError(set.input, set.value, '', {
          message: `Input '${set.input}' is an AWS AppConfig setting, but 'flag-provider' is command; set 'flag-provider' to appconfig, or leave '${name}' empty. Nothing was changed.`,
        });
      }
    }
    return { provider, appconfig: null };
  }
  const command = pick('flag-command');
  if (command) {
    throw new InputError(command.input, command.value, '', {
      message: `Input '${command.input}' is set, but 'flag-provider' is appconfig: shiftgate sets the flag's exposure in AWS AppConfig itself, so a flag command would set it twice. Leave 'flag-command' empty, or use 'flag-provider: command'. Nothing was changed.`,
    });
  }
  const value = (name: AppConfigSettingName): string => {
    const set = pick(name);
    if (set) return APPCONFIG_SETTINGS[name](set.input, set.value);
    if (name === 'appconfig-deployment-strategy') return DEFAULT_DEPLOYMENT_STRATEGY;
    if (!options.hasFlagSteps) return '';
    throw new InputError(name, '', '', {
      message: `Input '${name}' is required with 'flag-provider: appconfig' (the ${APPCONFIG_WHAT[name]}). Nothing was changed.`,
    });
  };
  return {
    provider,
    appconfig: {
      application: value('appconfig-application'),
      environment: value('appconfig-environment'),
      profile: value('appconfig-profile'),
      flag: value('flag-name'),
      deploymentStrategy: value('appconfig-deployment-strategy'),
    },
  };
}

const APPCONFIG_WHAT: Record<AppConfigSettingName, string> = {
  'appconfig-application': 'AppConfig application, by id or name',
  'appconfig-environment': 'AppConfig environment, by id or name',
  'appconfig-profile': 'feature-flag configuration profile, by id or name',
  'flag-name': "flag's key in that profile",
  'appconfig-deployment-strategy': 'deployment strategy',
};
