// What every action.yml must state for the catalogue settings it takes, derived from the catalogue alone:
// the JS actions state the catalogue's default and description; the composite passes empty through so
// that run-plan applies its default, and says where an empty value is taken from.
import {
  actionSettings,
  commandSettings,
  GATE_NAMES,
  parseRolloutState,
  parseRunSettings,
  settingDefault,
  settingDescription,
  type SettingAction,
  type RunSettings,
  type SettingName,
  workflowSettings,
} from '@shiftgate/core';

/** An input as action.yml states it, its description's whitespace collapsed. */
export interface StatedInput {
  description: string;
  default: string;
}

/** Collapses the line breaks of a folded YAML string, as GitHub and the README tables show it. */
export const oneLine = (text: string | undefined): string => (text ?? '').replace(/\s+/g, ' ').trim();

const isGate = (name: SettingName) => (GATE_NAMES as readonly string[]).includes(name);

/** The catalogue settings the progressive-deploy composite takes: those of a plan run. */
export function compositeSettings(): SettingName[] {
  return commandSettings('deploy');
}

/** The sentence the composite adds to run-plan's description: where an empty value comes from. */
export function compositeFallback(name: SettingName): string {
  const value = settingDefault(name, 'run-plan');
  if (isGate(name))
    return ` Empty takes the environment's gate from the config file, then ${value || 'the run-plan default'}.`;
  if (name === 'flag-command')
    return " Empty takes the flag-command parameter this run's select-strategy chose (config file or parameters input).";
  // An empty default is explained by run-plan's own description.
  return value === '' ? '' : ` Empty means ${value}.`;
}

/** The default and description each catalogue setting must have in `actions/<action>/action.yml`. */
export function expectedInputs(action: SettingAction | 'progressive-deploy'): Record<string, StatedInput> {
  if (action === 'progressive-deploy') {
    return Object.fromEntries([
      ...compositeSettings().map((name) => [
        name,
        {
          description: `${settingDescription(name, 'run-plan')}${compositeFallback(name)}`,
          default: '',
        },
      ]),
      // The composite's own settings: the catalogue's default and description as they are.
      ...workflowSettings().map((name) => [
        name,
        { description: settingDescription(name), default: settingDefault(name) },
      ]),
    ]);
  }
  return Object.fromEntries(
    actionSettings(action).map((name) => [
      name,
      { description: settingDescription(name, action), default: settingDefault(name, action) },
    ]),
  );
}

/** What run-plan makes of the `with:` a composite or workflow passes it: empty values take their defaults. */
export function runPlanSettings(inputs: Record<string, string>): RunSettings {
  return parseRunSettings((name) => inputs[name] ?? '', parseRolloutState('state', inputs.state ?? ''));
}
