import { randomUUID } from 'node:crypto';
import * as core from '@actions/core';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { createCloudWatchClient, publishDeploymentMetrics } from '@shiftgate/aws';
import {
  createDeploymentRecord,
  errorMessage,
  escapeMarkdown,
  InputError,
  isTerminal,
  limitDescription,
  readPayload,
  renderHistoryMarkdown,
  renderRecordMarkdown,
  startDeployment,
  updateDeployment,
  type ApprovalRecord,
  type Clock,
  type DeploymentRecord,
  type Sleeper,
} from '@shiftgate/core';
import {
  actionsLogger,
  artifactRecords,
  confineToWorkspace,
  createGitHubClient,
  fetchHistory,
  GitHubDeploymentStore,
  hashArtifacts,
  historyDocument,
  log,
  notificationLine,
  postWebhook,
  runStep,
  runUrl,
  systemClock,
  systemSleep,
  verifyArtifacts,
  githubServerUrl,
  type GitHubClient,
  type HashedFile,
} from '@shiftgate/github';
import { buildDashboardSite, chosenBy, runApprovals } from './dashboard';
import { parseInputs, type Inputs } from './inputs';
import { saveTrace } from './trace-file';

/** The action's name, in failure messages and the user agent. */
export const ACTION = 'record-deployment';

/** What the action talks to; tests replace parts (a client with short retry waits, a fixed clock). */
export interface Dependencies {
  env: Record<string, string | undefined>;
  client: GitHubClient | null;
  cloudwatch: CloudWatchClient | null;
  clock: Clock;
  sleep: Sleeper;
  uuid: () => string;
}

/** Fills in the real clock, sleep, environment and ids. */
export function withDefaults(deps: Partial<Dependencies>): Dependencies {
  return {
    env: deps.env ?? process.env,
    client: deps.client ?? null,
    cloudwatch: deps.cloudwatch ?? null,
    clock: deps.clock ?? systemClock,
    sleep: deps.sleep ?? systemSleep,
    uuid: deps.uuid ?? randomUUID,
  };
}

/** The main step: the one catch. */
export async function run(deps: Partial<Dependencies> = {}): Promise<void> {
  await runStep(ACTION, async () => {
    const inputs = parseInputs();
    const summary = await execute(inputs, withDefaults(deps));
    await core.summary.addRaw(summary).write();
  });
}

/** The repository the run belongs to. */
export function repositoryOf(env: Record<string, string | undefined>): string {
  const repository = env.GITHUB_REPOSITORY ?? '';
  if (!/^[^/\s]+\/[^/\s]+$/.test(repository)) {
    throw new Error(`GITHUB_REPOSITORY must be owner/name, got '${repository}' (the runner sets it)`);
  }
  return repository;
}

/** Builds the GitHub client for the run's repository. */
export function clientFor(token: string, deps: Dependencies): GitHubClient {
  if (!token) {
    throw new InputError('token', '', 'a token that can write deployments', {
      message:
        "Input 'token' is empty; the default is the job's GITHUB_TOKEN, which needs 'deployments: write'",
    });
  }
  return deps.client ?? createGitHubClient({ token, caller: ACTION, env: deps.env, logger: actionsLogger });
}

/** Builds the store for the run's repository. */
export function storeFor(
  token: string,
  deps: Dependencies,
  client = clientFor(token, deps),
): GitHubDeploymentStore {
  return new GitHubDeploymentStore({
    client,
    repository: repositoryOf(deps.env),
    logger: actionsLogger,
    sleep: deps.sleep,
  });
}

/** Does what the inputs ask, sets outputs as they become known, and returns the job summary. */
export async function execute(inputs: Inputs, deps: Dependencies): Promise<string> {
  const repository = repositoryOf(deps.env);
  const service = inputs.publishMetrics ? (inputs.service ?? repository.split('/')[1]!) : null;
  const workspace = deps.env.GITHUB_WORKSPACE || process.cwd();
  // Local work first: a missing artifact fails before anything is written.
  const files =
    inputs.artifacts.length > 0 ? await hashArtifacts('artifacts', workspace, inputs.artifacts) : [];
  const client = clientFor(inputs.token, deps);
  const store = storeFor(inputs.token, deps, client);
  // Checked before anything is written: a trace directory outside the workspace (and the runner's temp,
  // where the composite and the reusable workflow keep it) changes nothing.
  const traceDir =
    inputs.traceDir === null
      ? null
      : await confineToWorkspace('trace-dir', inputs.traceDir, workspace, { temp: deps.env.RUNNER_TEMP });
  const parts: string[] = [];
  if (inputs.mode === 'dashboard') {
    return buildDashboardSite({
      inputs,
      store,
      repository,
      workspace,
      now: deps.clock.now(),
      serverUrl: githubServerUrl(deps.env),
    });
  }
  // History covers the environment named, or the one of the deployment just recorded.
  let historyEnvironment = inputs.environment;

  if (inputs.verifyArtifacts !== null) {
    parts.push(
      await verify(store, inputs.verifyArtifacts, workspace, inputs.artifacts.length > 0 ? files : undefined),
    );
  }
  if (inputs.mode === 'record') {
    const logUrl = runUrl(deps.env);
    if (inputs.descriptionCut) {
      log.warning(
        `Input 'description' is ${inputs.descriptionCut.from} characters; GitHub keeps ${[...inputs.description].length}, so it was cut to '${inputs.description}'`,
      );
    }
    const record =
      inputs.operation === 'start'
        ? await start(store, inputs, deps, files, logUrl, await runApprovals(client, repository, deps.env))
        : await update(store, inputs, deps, logUrl);
    core.setOutput('record', JSON.stringify(record));
    if (traceDir !== null && inputs.traceText !== null && record['deployment-id'] !== null) {
      await saveTrace(traceDir, record['deployment-id'], inputs.traceText);
    }
    historyEnvironment = record.environment;
    parts.push(renderRecordMarkdown({ repository, record }));
    if (isTerminal(record['deployment-status'])) {
      await announce({ repository, record, logUrl, inputs, service, deps });
    }
  }
  if (inputs.historyLimit !== null && historyEnvironment !== null) {
    try {
      const history = await fetchHistory(store, {
        environment: historyEnvironment,
        limit: inputs.historyLimit,
        windowMs: inputs.doraWindowMs,
        now: deps.clock.now(),
        logger: actionsLogger,
      });
      core.setOutput('history', JSON.stringify(history.entries));
      core.setOutput('dora', JSON.stringify(history.dora));
      core.setOutput('last-good', history.lastGood === null ? '' : JSON.stringify(history.lastGood));
      log.debug(`history: ${JSON.stringify(historyDocument(repository, history))}`);
      parts.push(
        renderHistoryMarkdown({
          repo: repository,
          environment: historyEnvironment,
          entries: history.entries,
          dora: history.dora,
        }),
      );
    } catch (error) {
      // Reading history never undoes a record: in record mode a failure here is a warning.
      if (inputs.mode === 'history') throw error;
      log.warning(`The deployment was recorded, but reading the history failed: ${errorMessage(error)}`);
    }
  }
  return parts.join('\n');
}

async function verify(
  store: GitHubDeploymentStore,
  deploymentId: number,
  workspace: string,
  files: HashedFile[] | undefined,
): Promise<string> {
  const deployment = await store.getDeployment(deploymentId);
  const payload = readPayload(deployment.id, deployment.payload);
  if (payload === null) {
    throw new InputError(
      'verify-artifacts',
      String(deploymentId),
      'the id of a deployment started by record-deployment',
      {
        message: `Input 'verify-artifacts' must be the id of a deployment started by record-deployment, got '${deploymentId}': its payload has no shiftgate record`,
      },
    );
  }
  const { verified } = await verifyArtifacts({
    deploymentId,
    recorded: payload.record.artifacts,
    workspace,
    ...(files ? { files } : {}),
  });
  log.notice(
    `${verified} artifact${verified === 1 ? '' : 's'} match deployment ${deploymentId}'s record (sha256)`,
  );
  return `### Artifacts verified\n\n${verified} artifact${verified === 1 ? '' : 's'} match deployment ${deploymentId}'s record (${escapeMarkdown(payload.record.version)}).\n`;
}

async function start(
  store: GitHubDeploymentStore,
  inputs: Inputs,
  deps: Dependencies,
  files: HashedFile[],
  logUrl: string,
  approvals: ApprovalRecord[] | null,
): Promise<DeploymentRecord> {
  const version = inputs.version!;
  const environment = inputs.environment!;
  const now = deps.clock.now();
  const record = createDeploymentRecord({
    id: deps.uuid(),
    version,
    environment,
    strategy: inputs.strategy,
    ref: inputs.ref,
    startedAt: now,
    artifacts: artifactRecords(version, files, now),
    approvals,
    chosenBy: chosenBy(inputs, deps.env),
  });
  const description =
    inputs.description ||
    limitDescription(`Deploy ${version}${inputs.strategy ? ` (${inputs.strategy})` : ''}`).text;
  const started = await startDeployment(store, {
    record,
    rolloutState: inputs.state,
    ref: inputs.ref,
    description,
    environmentUrl: inputs.environmentUrl,
    logUrl,
    productionEnvironment: inputs.productionEnvironment,
    transientEnvironment: inputs.transientEnvironment,
    onCreated: (deployment) => {
      // Remembered before the first status is written: if anything after this fails, the post step
      // records the outcome, so the deployment never stays in progress forever.
      core.saveState('deployment-id', String(deployment.id));
      core.setOutput('deployment-id', String(deployment.id));
    },
  });
  if (started.rolloutState) core.setOutput('state', JSON.stringify(started.rolloutState));
  log.notice(
    `Deployment ${started.deployment.id} of ${version} to ${environment} started${logUrl ? ` (${logUrl})` : ''}`,
  );
  return started.record;
}

async function update(
  store: GitHubDeploymentStore,
  inputs: Inputs,
  deps: Dependencies,
  logUrl: string,
): Promise<DeploymentRecord> {
  const deploymentId = inputs.deploymentId!;
  core.setOutput('deployment-id', String(deploymentId));
  // This job now answers for the outcome: if it fails before one is recorded, its post step records it.
  core.saveState('deployment-id', String(deploymentId));
  const result = await updateDeployment(store, {
    deploymentId,
    status: inputs.status!,
    reason: inputs.description || null,
    logUrl,
    environmentUrl: inputs.environmentUrl,
    trace: inputs.trace,
    state: inputs.state,
    environment: inputs.environment,
  });
  for (const warning of result.warnings) log.warning(warning);
  if (!result.written) log.warning(`Status '${inputs.status}' was not recorded: ${result.skipped}`);
  else
    log.notice(
      `Deployment ${deploymentId}: ${result.record['deployment-status']}${result.record.reason ? ` (${result.record.reason})` : ''}`,
    );
  return result.record;
}

/** Notification and metrics for a terminal status. Neither ever fails the record: both are warnings. */
export async function announce(options: {
  repository: string;
  record: DeploymentRecord;
  logUrl: string;
  inputs: { slackWebhookUrl: string | null; publishMetrics: boolean; awsRegion: string | null };
  service: string | null;
  deps: Dependencies;
}): Promise<void> {
  const { inputs, record } = options;
  if (inputs.slackWebhookUrl) {
    try {
      await postWebhook(inputs.slackWebhookUrl, notificationLine(options));
      log.info('Notification posted.');
    } catch (error) {
      log.warning(`${errorMessage(error)} (the deployment is recorded all the same)`);
    }
  }
  if (inputs.publishMetrics && options.service) {
    try {
      const client =
        options.deps.cloudwatch ??
        createCloudWatchClient({ caller: ACTION, ...(inputs.awsRegion ? { region: inputs.awsRegion } : {}) });
      await publishDeploymentMetrics(client, record, options.service);
      log.info(`Metrics published to CloudWatch namespace Shiftgate (service ${options.service}).`);
    } catch (error) {
      log.warning(`${errorMessage(error)} (the deployment is recorded all the same)`);
    }
  }
}
