import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  DEFAULT_CONFIG_PATH,
  InputError,
  buildPlan,
  configCells,
  configParameters,
  describeStep,
  emptyConfig,
  formatDuration,
  parseConfig,
  parseEnvironmentName,
  parseStrategyName,
  planBakeTime,
  planWaves,
  planWeights,
  type RawParameter,
} from '@shiftgate/core';
import { parse as parseYaml } from 'yaml';
import { parseFlags } from '../args';
import { EXIT, UsageError, type Command } from '../command';

/** `shiftgate plan`: the steps a strategy would run, with the same parameters the action takes. */
export const planCommand: Command = {
  name: 'plan',
  summary: 'Show the plan a strategy and parameters produce',
  help: `Usage: shiftgate plan --strategy <name> [--param <name>=<value> ...] [--parameters <yaml>]
                      [--environment <name>] [--config <file>] [--json]

Builds the plan exactly as the select-strategy action does and prints its steps.

Options:
  --strategy      blue-green, canary, linear, rolling, ab-testing, feature-flag or saga (required)
  --param         one parameter override, e.g. --param steps=5,25,50,100 (repeatable)
  --parameters    overrides as a YAML or JSON map, e.g. '{bake-time: 10m}'
  --environment   apply this environment's overrides from the config file
  --config        config file (default ${DEFAULT_CONFIG_PATH}; missing is fine unless given)
  --json          print {strategy, parameters, steps, compensation, weights} as JSON; rolling adds
                  waves (cell names per wave, in order)

Exit codes: 0 planned, 2 invalid strategy, parameter, flag or config file.`,
  async run(argv, io) {
    const { values } = parseFlags('plan', argv, {
      strategy: { type: 'string' },
      param: { type: 'string', multiple: true },
      parameters: { type: 'string' },
      environment: { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (!values.strategy) throw new UsageError("missing --strategy. See 'shiftgate plan --help'.");
    const strategy = parseStrategyName('--strategy', values.strategy);
    const configPath = resolve(io.cwd, values.config ?? DEFAULT_CONFIG_PATH);
    let config = emptyConfig();
    if (existsSync(configPath))
      config = parseConfig(readFileSync(configPath, 'utf8'), values.config ?? DEFAULT_CONFIG_PATH);
    else if (values.config) throw new UsageError(`--config ${values.config} does not exist`);
    const overrides: Record<string, RawParameter> = {};
    if (values.parameters) {
      const doc = parseYaml(values.parameters) as unknown;
      if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
        throw new InputError(
          '--parameters',
          values.parameters,
          'a YAML or JSON map such as {steps: "5,25,100"}',
        );
      }
      Object.assign(overrides, doc);
    }
    for (const pair of values.param ?? []) {
      const at = pair.indexOf('=');
      if (at < 1) throw new InputError('--param', pair, 'name=value, e.g. steps=5,25,50,100');
      overrides[pair.slice(0, at)] = pair.slice(at + 1);
    }
    const environment =
      values.environment === undefined ? null : parseEnvironmentName('--environment', values.environment);
    const plan = buildPlan(
      strategy,
      { ...configParameters(config, strategy, environment), ...overrides },
      { cells: configCells(config, environment) },
    );
    if (values.json) {
      const waves = planWaves(plan.steps);
      io.stdout(
        `${JSON.stringify({ ...plan, weights: planWeights(plan.steps), ...(waves.length > 0 ? { waves } : {}) }, null, 2)}\n`,
      );
      return EXIT.ok;
    }
    const lines = [
      `${plan.strategy}: ${plan.steps.length} steps, ${formatDuration(planBakeTime(plan.steps))} of baking`,
      '',
      ...plan.steps.map((step, i) => `  ${String(i + 1).padStart(2)}. ${describeStep(step)}`),
    ];
    for (const warning of plan.warnings ?? []) lines.push('', `  warning: ${warning}`);
    if (plan.compensation.length > 0) {
      lines.push(
        '',
        '  on failure, compensate:',
        ...plan.compensation.map((s) => `      ${describeStep(s).replace('deploy', 'undo')}`),
      );
    }
    io.stdout(`${lines.join('\n')}\n`);
    return EXIT.ok;
  },
};
