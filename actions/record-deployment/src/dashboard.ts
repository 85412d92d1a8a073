import {
  chosenByOf,
  dailySummary,
  errorMessage,
  escapeMarkdown,
  renderSite,
  type ApprovalRecord,
  type ChosenBy,
} from '@shiftgate/core';
import {
  actionsLogger,
  confineToWorkspace,
  fetchDashboard,
  GitHubApiError,
  log,
  postWebhook,
  readRunApprovals,
  readTraceDir,
  writeSite,
  type GitHubClient,
  type GitHubDeploymentStore,
} from '@shiftgate/github';
import * as core from '@actions/core';
import type { Inputs } from './inputs';

/** The most deployments the dashboard reads per environment when `history-limit` is empty. */
const DASHBOARD_LIMIT = 1000;

/**
 * `dashboard` mode: reads the deployments of the window (every environment, or `environment`), writes the
 * static site to `dashboard-dir` and, with `slack-webhook-url`, posts the daily summary. Returns the job
 * summary. Both directories must lie inside the workspace.
 */
export async function buildDashboardSite(options: {
  inputs: Inputs;
  store: GitHubDeploymentStore;
  repository: string;
  workspace: string;
  now: number;
  /** GitHub's web address, which run links in statuses start with. */
  serverUrl: string;
}): Promise<string> {
  const { inputs } = options;
  const dir = await confineToWorkspace('dashboard-dir', inputs.dashboard.dir, options.workspace);
  const tracesDir =
    inputs.dashboard.traces === null
      ? null
      : await confineToWorkspace('dashboard-traces', inputs.dashboard.traces, options.workspace);
  const traces = tracesDir === null ? new Map<number, string>() : await readTraceDir(tracesDir);
  const dashboard = await fetchDashboard(options.store, {
    repository: options.repository,
    environments: inputs.environment === null ? null : [inputs.environment],
    sinceMs: inputs.dashboard.sinceMs,
    now: options.now,
    limit: inputs.historyLimit ?? DASHBOARD_LIMIT,
    traces,
    serverUrl: options.serverUrl,
    logger: actionsLogger,
  });
  const files = renderSite(dashboard);
  await writeSite(dir, files);
  const count = dashboard.environments.reduce((n, e) => n + e.deployments.length, 0);
  core.setOutput('dashboard-dir', dir);
  log.notice(
    `Dashboard written: ${files.length} files for ${count} deployments (${inputs.dashboard.dir}/index.html)`,
  );
  if (inputs.slackWebhookUrl) {
    try {
      await postWebhook(inputs.slackWebhookUrl, dailySummary(dashboard, { url: inputs.dashboard.url }));
      log.info('Daily summary posted.');
    } catch (error) {
      log.warning(`${errorMessage(error)} (the dashboard is written all the same)`);
    }
  }
  return [
    '### Deployment dashboard',
    '',
    `${files.length} files for ${count} deployments to ${dashboard.environments.map((e) => escapeMarkdown(e.name)).join(', ') || 'no environment'}, written to \`${escapeMarkdown(inputs.dashboard.dir)}\`.`,
    '',
  ].join('\n');
}

/**
 * Who approved the protected environment for this run, read when the deployment starts (the reviews
 * happen before the job runs). A failure to read them is a warning and leaves them unknown (null): it
 * never stops a deployment.
 */
export async function runApprovals(
  client: GitHubClient,
  repository: string,
  env: Record<string, string | undefined>,
): Promise<ApprovalRecord[] | null> {
  const runId = env.GITHUB_RUN_ID ?? '';
  if (!/^[1-9]\d{0,15}$/.test(runId)) return null;
  try {
    return await readRunApprovals(client, repository, Number(runId));
  } catch (error) {
    const message = `${errorMessage(error)}; the record says who approved as unknown`;
    // A job without `actions: read` (the reusable workflow cannot ask its callers for more) would warn on
    // every deployment; that is a choice, said once in the log. Anything else is a warning.
    if (error instanceof GitHubApiError && error.kind === 'permission') log.info(message);
    else log.warning(message);
    return null;
  }
}

/**
 * Who or what chose the strategy: select-strategy's chosen-by output (with the label and its checked
 * adder) when given, else its source output with the login that started the run.
 */
export function chosenBy(inputs: Inputs, env: Record<string, string | undefined>): ChosenBy | null {
  if (inputs.chosenBy) return inputs.chosenBy;
  if (inputs.strategySource === null) return null;
  return chosenByOf({
    source: inputs.strategySource,
    runActor: env.GITHUB_TRIGGERING_ACTOR || env.GITHUB_ACTOR,
  });
}
