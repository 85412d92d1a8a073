import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import * as core from '@actions/core';
import {
  buildPlan,
  configGates,
  configParameters,
  createRolloutState,
  emptyConfig,
  errorMessage,
  planWaves,
  planWeights,
  selectStrategy,
  serializeRolloutState,
  type ShiftgateConfig,
} from '@shiftgate/core';
import {
  eventFacts,
  log,
  readRunnerEvent,
  requireRepositoryPermission,
  safeLogText,
  selectionSummary,
} from '@shiftgate/github';
import { parseInputs, type Inputs } from './inputs';

/** Everything select-strategy decides, computed before any output is set. */
interface Outcome {
  outputs: Record<string, string>;
  summary: string;
  notice: string;
}

/** The action: decide everything first, so a refusal leaves no outputs behind; then set outputs and summary. */
export async function run(): Promise<void> {
  try {
    const outcome = await decide(await parseInputs(), process.env);
    for (const [name, value] of Object.entries(outcome.outputs)) core.setOutput(name, value);
    log.notice(outcome.notice);
    await core.summary.addRaw(outcome.summary).write();
  } catch (error) {
    core.setFailed(safeLogText(`select-strategy failed: ${errorMessage(error)}`));
  }
}

/** Reads the event and config, selects the strategy, checks permission, builds the plan and state. */
export async function decide(inputs: Inputs, env: Record<string, string | undefined>): Promise<Outcome> {
  if (inputs.token) core.setSecret(inputs.token);
  const event = readRunnerEvent(env);
  const facts = eventFacts(event);
  const config = await loadConfig(inputs, env);
  const selection = selectStrategy({
    strategyInput: inputs.strategy,
    event: facts,
    labelPrefix: inputs.labelPrefix,
    config,
    environment: inputs.environment,
    defaultStrategy: inputs.defaultStrategy,
    allowForks: inputs.allowForks,
  });
  if (selection.needsPermissionCheck && inputs.requirePermission !== 'none') {
    const repository = env.GITHUB_REPOSITORY ?? '';
    const [owner, repo] = repository.split('/');
    if (!owner || !repo)
      throw new Error('GITHUB_REPOSITORY is not set to owner/name; cannot check the label sender');
    if (!facts.sender)
      throw new Error(
        'The event has no sender, so the permission of whoever added the label cannot be checked',
      );
    if (!inputs.token) {
      throw new Error(
        "Input 'token' is empty; it is needed to check the label sender's permission (or set require-permission: none)",
      );
    }
    // Octokit is loaded only on this path: most runs never need it, and it is a third of the bundle.
    const { getOctokit } = await import('@actions/github');
    const octokit = getOctokit(inputs.token, { baseUrl: env.GITHUB_API_URL || 'https://api.github.com' });
    const role = await requireRepositoryPermission(octokit, {
      owner,
      repo,
      username: facts.sender,
      required: inputs.requirePermission,
      why: `choosing a strategy with label '${selection.label}'`,
    });
    log.info(`The label sender has '${role}' permission (needs '${inputs.requirePermission}').`);
  }
  const plan = buildPlan(selection.strategy, {
    ...configParameters(config, selection.strategy, inputs.environment),
    ...inputs.parameters,
  });
  const state = createRolloutState({
    strategy: plan.strategy,
    parameters: plan.parameters,
    plan: plan.steps,
    compensation: plan.compensation,
    environment: inputs.environment,
    now: new Date(),
  });
  const env_ = inputs.environment ? config.environments[inputs.environment] : undefined;
  log.debug(`plan: ${JSON.stringify(plan)}`);
  return {
    outputs: {
      strategy: plan.strategy,
      source: selection.source,
      parameters: JSON.stringify(plan.parameters),
      plan: JSON.stringify(plan.steps),
      weights: JSON.stringify(planWeights(plan.steps)),
      waves: JSON.stringify(planWaves(plan.steps)),
      state: serializeRolloutState(state),
      gates: JSON.stringify(configGates(config, inputs.environment)),
      targets: JSON.stringify(env_?.targets ?? {}),
    },
    notice: `Strategy ${plan.strategy} (from ${selection.source}${selection.label ? ` '${selection.label}'` : ''}): ${plan.steps.length} steps, weights ${planWeights(plan.steps).join(' → ') || 'unchanged'}`,
    summary: selectionSummary({
      plan,
      source: selection.source,
      label: selection.label,
      environment: inputs.environment,
    }),
  };
}

async function loadConfig(inputs: Inputs, env: Record<string, string | undefined>): Promise<ShiftgateConfig> {
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  const path = isAbsolute(inputs.config.path) ? inputs.config.path : resolve(workspace, inputs.config.path);
  if (!existsSync(path)) {
    if (inputs.config.required) {
      throw new Error(
        `Input 'config' names ${inputs.config.path}, which does not exist in the workspace. Check the path, or remove the input to run without a config file.`,
      );
    }
    log.info(`No ${inputs.config.path}; using built-in defaults.`);
    return emptyConfig();
  }
  // The YAML parser loads only when there is a file to read: most runs start faster without it.
  const { parseConfig } = await import('@shiftgate/core/config-file');
  return parseConfig(readFileSync(path, 'utf8'), inputs.config.path);
}
