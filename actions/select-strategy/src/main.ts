import { existsSync, readFileSync } from 'node:fs';
import * as core from '@actions/core';
import {
  buildPlan,
  chosenByOf,
  configCells,
  configGates,
  configServices,
  parseServices,
  configParameters,
  createRolloutState,
  displayUntrusted,
  emptyConfig,
  InputError,
  MAX_PLANNED_CELL_STATE,
  planWaves,
  waveRegions,
  planWeights,
  selectStrategy,
  serializeRolloutState,
  withCells,
  type EventFacts,
  type Selection,
  type ShiftgateConfig,
} from '@shiftgate/core';
import {
  actionsLogger,
  confineToWorkspace,
  eventFacts,
  findLabelAdder,
  log,
  readRunnerEvent,
  requireRepositoryPermission,
  runStep,
  selectionSummary,
  type GitHubClientOptions,
} from '@shiftgate/github';
import { parseInputs, type Inputs } from './inputs';

/** Everything select-strategy decides, computed before any output is set. */
interface Outcome {
  outputs: Record<string, string>;
  summary: string;
  notice: string;
}

/** What tests may change: the GitHub client's waits (retry backoff, request time limit). */
export interface Dependencies {
  github?: Pick<GitHubClientOptions, 'retryAfterMs' | 'requestTimeoutMs'>;
}

/** The action: decide everything first, so a refusal leaves no outputs behind; then set outputs and summary. */
export async function run(deps: Dependencies = {}): Promise<void> {
  await runStep('select-strategy', async () => {
    const outcome = await decide(await parseInputs(), process.env, deps);
    for (const [name, value] of Object.entries(outcome.outputs)) core.setOutput(name, value);
    log.notice(outcome.notice);
    await core.summary.addRaw(outcome.summary).write();
  });
}

/** The names of configured services (already validated), in deployment order. */
function serviceNames(text: string): string {
  return parseServices('services', text)
    .sort((a, b) => a['deployment-order'] - b['deployment-order'])
    .map((s) => s.name)
    .join(',');
}

/** Reads the event and config, selects the strategy, checks permission, builds the plan and state. */
export async function decide(
  inputs: Inputs,
  env: Record<string, string | undefined>,
  deps: Dependencies = {},
): Promise<Outcome> {
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
  const adder = selection.needsPermissionCheck
    ? await checkLabelAdder(inputs, env, facts, selection, deps)
    : null;
  const cells = inputs.cells ?? configCells(config, inputs.environment);
  const services = configServices(config, inputs.environment);
  const plan = buildPlan(
    selection.strategy,
    {
      // A saga plans the environment's configured services (in deployment order) unless told otherwise.
      ...(selection.strategy === 'saga' && services ? { services: serviceNames(services) } : {}),
      ...configParameters(config, selection.strategy, inputs.environment),
      ...inputs.parameters,
    },
    { cells },
  );
  for (const warning of plan.warnings ?? []) log.warning(warning);
  const planned = createRolloutState({
    strategy: plan.strategy,
    parameters: plan.parameters,
    plan: plan.steps,
    compensation: plan.compensation,
    environment: inputs.environment,
    now: new Date(),
  });
  // Over cells the state carries them (data: names, regions and ARNs), so later jobs need no cells input.
  const state = plan.strategy === 'rolling' && cells ? withCells(planned, cells) : planned;
  const text = serializeRolloutState(state);
  // A state too large to reach the next actions as an input would fail them before they start, the
  // rollback step included: refused here, before anything moves.
  if (state.cells && text.length > MAX_PLANNED_CELL_STATE) {
    const count = Object.keys(state.cells).length;
    throw new InputError('cells', `${count} cells`, '', {
      message: `Input 'cells' has ${count} cells, whose rollout state is ${text.length} characters: actions receive the state as an environment variable, which Linux caps at 128 KiB, and it grows by about half as cells move, so a planned state may hold at most ${MAX_PLANNED_CELL_STATE} (about 170 cells). Split the cells into several environments, each its own rollout`,
    });
  }
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
      regions: JSON.stringify(waveRegions(state)),
      // The environment's saga services (with their commands: the config file is this run's config), for
      // run-plan's services input; empty when the file defines none or the strategy is not a saga.
      services: plan.strategy === 'saga' && services ? services : '',
      // The config file's PromQL templates, for run-plan and bake-and-gate (which read no config file).
      'prometheus-queries': config.prometheus ? JSON.stringify(config.prometheus.queries) : '',
      state: text,
      gates: JSON.stringify(configGates(config, inputs.environment)),
      targets: JSON.stringify(env_?.targets ?? {}),
      // For record-deployment's chosen-by input: the record and the dashboard show the label and who added it.
      'chosen-by': JSON.stringify(
        chosenByOf({
          source: selection.source,
          runActor: env.GITHUB_TRIGGERING_ACTOR || env.GITHUB_ACTOR,
          label: selection.label,
          adder,
        }),
      ),
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
  // Refused before it is opened when it (or a symlink on the way) leads outside the workspace.
  const path = await confineToWorkspace('config', inputs.config.path, workspace);
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

/**
 * Checks the permission of whoever added the deciding label (not of the event's sender, who may only have
 * merged or pushed). Anything that cannot be read refuses. Returns who it was and their role, or null
 * when no check is asked for.
 */
async function checkLabelAdder(
  inputs: Inputs,
  env: Record<string, string | undefined>,
  facts: EventFacts,
  selection: Selection,
  deps: Dependencies,
): Promise<{ login: string; permission: string } | null> {
  if (inputs.requirePermission === 'none') return null;
  const repository = env.GITHUB_REPOSITORY ?? '';
  const [owner, repo] = repository.split('/');
  if (!owner || !repo)
    throw new Error('GITHUB_REPOSITORY is not set to owner/name; cannot check who added the label');
  if (!inputs.token) {
    throw new Error(
      "Input 'token' is empty; it is needed to check the permission of whoever added the label (or set require-permission: none)",
    );
  }
  const pullRequest = facts.pullRequest;
  if (!pullRequest || !selection.labelName)
    throw new Error('The strategy came from a label, but the event carries no pull request to check it on');
  // Octokit is loaded only on this path: most runs never need it, and it is a third of the bundle. It is
  // the one client factory's: retried through brief 5xx and rate limits, each request time-limited.
  const { createGitHubClient } = await import('@shiftgate/github/octokit');
  const octokit = createGitHubClient({
    token: inputs.token,
    caller: 'select-strategy',
    env,
    logger: actionsLogger,
    ...deps.github,
  });
  const adder = await findLabelAdder(octokit, {
    owner,
    repo,
    number: pullRequest.number,
    label: selection.labelName,
    event: facts,
  });
  const role = await requireRepositoryPermission(octokit, {
    owner,
    repo,
    username: adder.login,
    required: inputs.requirePermission,
    why: `choosing a strategy with label '${selection.label}'`,
    whoNote: ` (who added the label '${selection.label}')`,
  });
  log.info(
    `The label '${selection.label}' was added by ${displayUntrusted(adder.login)}` +
      `${adder.source === 'history' ? " (from the pull request's issue events)" : ''}, who has '${role}' permission (needs '${inputs.requirePermission}').`,
  );
  return { login: adder.login, permission: role };
}
