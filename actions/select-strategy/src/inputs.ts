import * as core from '@actions/core';
import {
  DEFAULT_CONFIG_PATH,
  InputError,
  parseBoolean,
  parseEnvironmentName,
  parseRequiredPermission,
  parseStrategyName,
  settingDefault,
  SETTINGS,
  type Cell,
  type PermissionLevel,
  type RawParameter,
  type StrategyName,
} from '@shiftgate/core';

/** The select-strategy inputs, parsed and validated once. */
export interface Inputs {
  /** Raw `strategy` input; validated during selection so its error names the input. */
  strategy: string;
  parameters: Record<string, RawParameter>;
  environment: string | null;
  config: { path: string; required: boolean };
  defaultStrategy: StrategyName;
  labelPrefix: string;
  token: string;
  requirePermission: PermissionLevel | 'none';
  allowForks: boolean;
  /** Rolling over cells: the `cells` input (over the config environment's), or null. */
  cells: Cell[] | null;
  /** The progressive-deploy composite's and reusable workflow's own settings, checked here first. */
  uploadTrace: boolean;
  /** Days the trace artifact is kept; null for the repository's setting. */
  traceRetentionDays: number | null;
}

/** Reads the inputs by name through a getter (so tests can pass a map), validating each. */
export async function parseInputs(
  get: (name: string) => string = (name) => core.getInput(name),
): Promise<Inputs> {
  const strategy = get('strategy');
  if (strategy.trim() !== '') parseStrategyName('strategy', strategy);
  const environment = get('environment').trim();
  if (environment !== '') parseEnvironmentName('environment', environment);
  const configPath = get('config').trim() || DEFAULT_CONFIG_PATH;
  const retention = get('trace-retention-days').trim();
  const labelPrefix = get('label-prefix');
  if (/\s/.test(labelPrefix.trim()) || labelPrefix.length > 50) {
    throw new InputError('label-prefix', labelPrefix, 'a label prefix without spaces, such as deploy:');
  }
  return {
    strategy,
    parameters: await parseParameters(get('parameters')),
    environment: environment === '' ? null : environment,
    config: { path: configPath, required: configPath !== DEFAULT_CONFIG_PATH },
    defaultStrategy: parseStrategyName('default-strategy', get('default-strategy') || 'blue-green'),
    labelPrefix: labelPrefix.trim(),
    token: get('token'),
    requirePermission: parseRequiredPermission('require-permission', get('require-permission') || 'write'),
    allowForks: parseBoolean('allow-forks', get('allow-forks') || 'false'),
    cells: await parseCells(get('cells')),
    uploadTrace: SETTINGS['upload-trace'].parse(
      'upload-trace',
      get('upload-trace').trim() || settingDefault('upload-trace'),
    ),
    traceRetentionDays:
      retention === '' ? null : SETTINGS['trace-retention-days'].parse('trace-retention-days', retention),
  };
}

/** Parses the `parameters` input: a YAML or JSON map of parameter name to a value or a list of values. */
export async function parseParameters(text: string): Promise<Record<string, RawParameter>> {
  if (text.trim() === '') return {};
  const allowed =
    'a YAML or JSON map of parameter names to values, such as {steps: "5,25,100", bake-time: 10m}';
  // Loaded only when there are parameters to read: most runs start faster without the YAML parser.
  const { parse: parseYaml } = await import('yaml');
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new InputError('parameters', text, allowed, {
      message: `Input 'parameters' must be ${allowed}; it is not valid YAML: ${(error as Error).message.split('\n')[0]}`,
    });
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    throw new InputError('parameters', text, allowed);
  const out: Record<string, RawParameter> = {};
  for (const [name, value] of Object.entries(doc as Record<string, unknown>)) {
    const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
    if (scalar(value)) out[name] = value as RawParameter;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) {
      out[name] = value as (string | number)[];
    } else {
      throw new InputError(`parameters.${name}`, JSON.stringify(value), 'a value or a list of values');
    }
  }
  return out;
}

/** Parses the `cells` input (YAML), loading the YAML reader only when there are cells. */
async function parseCells(text: string): Promise<Cell[] | null> {
  if (text.trim() === '') return null;
  const { parseCellsInput } = await import('@shiftgate/core/config-file');
  return parseCellsInput('cells', text);
}
