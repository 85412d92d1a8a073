import * as core from '@actions/core';
import { parseRegion, parseServiceName } from '@shiftgate/aws';
import {
  CHOICE_SOURCES,
  fieldProblem,
  InputError,
  parseChosenBy,
  parseDashboardUrl,
  parseSince,
  type ChoiceSource,
  type ChosenBy,
  limitDescription,
  parseArtifactList,
  parseBoolean,
  parseCanaryTrace,
  parseDuration,
  parseEnvironmentName,
  parseHistoryLimit,
  parseInteger,
  parseJobStatus,
  parseRecordableStatus,
  parseRef,
  parseRolloutState,
  parseStrategyName,
  parseVersion,
  runTraceReason,
  sagaOutcome,
  type ArtifactSpec,
  type JobStatus,
  type RecordableStatus,
  type RolloutState,
  type StrategyName,
  type Trace,
} from '@shiftgate/core';

/** What the step does. */
export const MODES = ['record', 'history', 'verify', 'dashboard'] as const;
export type Mode = (typeof MODES)[number];

/** Defaults, as action.yml writes them (expressions are the runner's, so the code has no default for those). */
export const DEFAULTS = {
  mode: 'record',
  'transient-environment': 'false',
  'publish-metrics': 'false',
  'dora-window': '720h',
  'dashboard-dir': 'dashboard',
  'dashboard-since': '90d',
} as const;

/** The record-deployment inputs of the main step, parsed and validated once. */
export interface Inputs {
  token: string;
  mode: Mode;
  /** What `record` mode does: start a deployment, or record a status on one. */
  operation: 'start' | 'update' | null;
  environment: string | null;
  version: string | null;
  strategy: StrategyName | null;
  state: RolloutState | null;
  ref: string;
  /** At most 140 characters; `descriptionCut` tells whether it was cut. */
  description: string;
  descriptionCut: { from: number } | null;
  environmentUrl: string;
  productionEnvironment: boolean | null;
  transientEnvironment: boolean;
  deploymentId: number | null;
  status: RecordableStatus | null;
  trace: Trace | null;
  /** The `trace` input as given, and where to save it for the dashboard (relative to the workspace). */
  traceText: string | null;
  traceDir: string | null;
  artifacts: ArtifactSpec[];
  verifyArtifacts: number | null;
  slackWebhookUrl: string | null;
  publishMetrics: boolean;
  service: string | null;
  awsRegion: string | null;
  historyLimit: number | null;
  doraWindowMs: number;
  /** Who or what chose the strategy (select-strategy's `source` output), for the record. */
  strategySource: ChoiceSource | null;
  /** select-strategy's `chosen-by` output (source, label, its checked adder), for the record. */
  chosenBy: ChosenBy | null;
  /** `dashboard` mode: where the site goes (relative to the workspace), its window and traces. */
  dashboard: DashboardInputs;
}

/** The inputs of `dashboard` mode. */
export interface DashboardInputs {
  dir: string;
  sinceMs: number;
  /** A directory of `<deployment-id>.json` run traces, relative to the workspace; null for none. */
  traces: string | null;
  url: string | null;
}

/** The post step's inputs (the same `with:`, re-evaluated by the runner when the post step runs). */
export interface PostInputs {
  token: string;
  jobStatus: JobStatus;
  slackWebhookUrl: string | null;
  publishMetrics: boolean;
  service: string | null;
  awsRegion: string | null;
}

type Getter = (name: string) => string;
const fromCore: Getter = (name) => core.getInput(name);

/** Reads and checks every main-step input by name; throws an {@link InputError} before anything is written. */
export function parseInputs(get: Getter = fromCore): Inputs {
  const token = get('token');
  if (token) core.setSecret(token);
  const slackWebhookUrl = parseWebhook(get);
  const mode = get('mode').trim() || DEFAULTS.mode;
  if (!(MODES as readonly string[]).includes(mode))
    throw new InputError('mode', mode, `one of ${MODES.join(', ')}`);

  const stateText = get('state');
  const state = stateText.trim() === '' ? null : parseRolloutState('state', stateText);
  const environmentInput = get('environment').trim();
  if (environmentInput !== '') parseEnvironmentName('environment', environmentInput);
  const environment = agree('environment', environmentInput || null, state?.environment ?? null);
  const versionInput = get('version').trim();
  if (versionInput !== '') parseVersion('version', versionInput);
  const version = agree('version', versionInput || null, state?.version ?? null);
  const ref = get('ref').trim();
  if (ref !== '') parseRef('ref', ref);
  const strategyInput = get('strategy').trim();
  const strategy = agree(
    'strategy',
    strategyInput === '' ? null : parseStrategyName('strategy', strategyInput),
    state?.strategy ?? null,
  );

  const statusText = get('status').trim();
  const status = statusText === '' ? null : parseRecordableStatus('status', statusText);
  const idText = get('deployment-id').trim();
  const deploymentIdInput = idText === '' ? null : parseInteger('deployment-id', idText, { min: 1 });
  const stateId = state?.['deployment-id'] ?? null;
  if (deploymentIdInput !== null && stateId !== null && deploymentIdInput !== stateId) {
    throw new InputError('deployment-id', idText, `the deployment the state names (${stateId}), or empty`);
  }

  const traceText = get('trace');
  // Without a description, a run-plan trace's reason says why the run ended as it did; a saga's says
  // which compensation failed, if one did, and where each service ended.
  const reason = statusText === '' ? null : runTraceReason(traceText);
  const descriptionText =
    get('description').trim() ||
    (statusText === '' || statusText === 'in_progress'
      ? (reason ?? '')
      : (sagaOutcome(state, reason) ?? reason ?? ''));
  const limited = limitDescription(descriptionText);
  const artifacts = parseArtifactList('artifacts', get('artifacts'));
  const verifyText = get('verify-artifacts').trim();
  const verifyArtifacts = verifyText === '' ? null : parseInteger('verify-artifacts', verifyText, { min: 1 });
  const trace = traceText.trim() === '' ? null : parseCanaryTrace('trace', traceText);
  const traceDir = get('trace-dir').trim();
  if (traceDir !== '') {
    if (fieldProblem('text', traceDir) !== null)
      throw new InputError('trace-dir', traceDir, 'a directory path inside the workspace');
    // Without a trace (the run never started) there is nothing to save, and the outcome must still be
    // recorded; without a status, trace-dir is a mistake.
    if (statusText === '')
      throw new InputError('trace-dir', traceDir, "empty unless 'status' is set", {
        message: `Input 'trace-dir' ('${traceDir}') saves the run's trace when its outcome is recorded: set 'status' (and 'trace') with it, or leave it empty`,
      });
  }
  const historyText = get('history-limit').trim();
  const historyLimit =
    historyText === '' ? (mode === 'history' ? 50 : null) : parseHistoryLimit('history-limit', historyText);
  const production = get('production-environment').trim();
  const service = get('service').trim();
  const sourceText = get('strategy-source').trim();
  if (sourceText !== '' && !(CHOICE_SOURCES as readonly string[]).includes(sourceText))
    throw new InputError(
      'strategy-source',
      sourceText,
      `one of ${CHOICE_SOURCES.join(', ')} (select-strategy's source output)`,
    );
  const chosenText = get('chosen-by').trim();
  const chosenBy = chosenText === '' ? null : parseChosenBy('chosen-by', chosenText);
  if (chosenBy && sourceText !== '' && chosenBy.source !== sourceText)
    throw new InputError('strategy-source', sourceText, `empty, or '${chosenBy.source}' as chosen-by says`, {
      message: `Input 'strategy-source' ('${sourceText}') disagrees with input 'chosen-by' (source '${chosenBy.source}'): give select-strategy's chosen-by output alone, or both from the same select-strategy step`,
    });
  const dashboardDir = get('dashboard-dir').trim() || DEFAULTS['dashboard-dir'];
  if (fieldProblem('text', dashboardDir) !== null)
    throw new InputError('dashboard-dir', dashboardDir, 'a directory path inside the workspace');
  const tracesDir = get('dashboard-traces').trim();
  if (tracesDir !== '' && fieldProblem('text', tracesDir) !== null)
    throw new InputError('dashboard-traces', tracesDir, 'a directory path inside the workspace');

  const inputs: Inputs = {
    token,
    mode: mode as Mode,
    operation: null,
    environment,
    version,
    strategy,
    state,
    ref,
    description: limited.text,
    descriptionCut: limited.truncated ? { from: [...descriptionText.trim()].length } : null,
    environmentUrl: parseUrl('environment-url', get('environment-url')),
    productionEnvironment: production === '' ? null : parseBoolean('production-environment', production),
    transientEnvironment: parseBoolean(
      'transient-environment',
      get('transient-environment') || DEFAULTS['transient-environment'],
    ),
    deploymentId: deploymentIdInput ?? stateId,
    status,
    trace,
    traceText: traceText.trim() === '' ? null : traceText,
    traceDir: traceDir === '' ? null : traceDir,
    artifacts,
    verifyArtifacts,
    slackWebhookUrl,
    publishMetrics: parseBoolean('publish-metrics', get('publish-metrics') || DEFAULTS['publish-metrics']),
    service: service === '' ? null : parseServiceName('service', service),
    awsRegion: parseRegion('aws-region', get('aws-region')),
    historyLimit,
    doraWindowMs: parseDuration('dora-window', get('dora-window') || DEFAULTS['dora-window'], {
      min: 3_600_000,
    }),
    strategySource: sourceText === '' ? null : (sourceText as ChoiceSource),
    chosenBy,
    dashboard: {
      dir: dashboardDir,
      sinceMs: parseSince('dashboard-since', get('dashboard-since') || DEFAULTS['dashboard-since']),
      traces: tracesDir === '' ? null : tracesDir,
      url: parseDashboardUrl('dashboard-url', get('dashboard-url')),
    },
  };
  return checkMode(inputs, { idText, deploymentIdInput });
}

/** The combinations each mode needs, so a wrong one is refused before any request. */
function checkMode(inputs: Inputs, raw: { idText: string; deploymentIdInput: number | null }): Inputs {
  const requireEnvironment = (why: string) => {
    if (inputs.environment === null) {
      throw new InputError('environment', '', `an environment name ${why}`, {
        message: `Input 'environment' is required ${why}`,
      });
    }
  };
  switch (inputs.mode) {
    case 'history':
      requireEnvironment('to read its history');
      return inputs;
    case 'dashboard':
      return inputs;
    case 'verify':
      if (inputs.verifyArtifacts === null) {
        throw new InputError(
          'verify-artifacts',
          '',
          'the id of the deployment whose recorded artifacts to check',
          {
            message:
              "Input 'verify-artifacts' is required in mode 'verify': the id of the deployment whose recorded artifacts to check",
          },
        );
      }
      return inputs;
    case 'record':
      break;
  }
  if (inputs.status === null) {
    // Start a deployment.
    if (raw.deploymentIdInput !== null) {
      throw new InputError(
        'status',
        '',
        `one of in_progress, succeeded, failed, rolled_back when 'deployment-id' is set`,
        {
          message: `Input 'status' is required with 'deployment-id' (${raw.idText}): one of in_progress, succeeded, failed, rolled_back. Leave 'deployment-id' empty to start a new deployment`,
        },
      );
    }
    if (inputs.state !== null && inputs.state['deployment-id'] !== null) {
      throw new InputError('status', '', 'a status for the deployment the state names', {
        message: `Input 'state' already names deployment ${inputs.state['deployment-id']}; set 'status' to record its progress or outcome instead of starting another`,
      });
    }
    requireEnvironment('to start a deployment');
    if (inputs.version === null) {
      throw new InputError('version', '', 'the version being deployed', {
        message:
          "Input 'version' is required to start a deployment (or a 'state' that names one): the version being deployed, such as a tag or image digest",
      });
    }
    if (inputs.ref === '') {
      throw new InputError('ref', '', 'a branch, tag or commit sha', {
        message:
          "Input 'ref' is required to start a deployment: a branch, tag or commit sha (the default is the run's commit)",
      });
    }
    return { ...inputs, operation: 'start' };
  }
  if (inputs.deploymentId === null) {
    throw new InputError(
      'deployment-id',
      '',
      'the id of the deployment to update (the deployment-id output of the step that started it)',
      {
        message: `Input 'deployment-id' is required to record status '${inputs.status}': the deployment-id output of the step that started it (or a 'state' that names it)`,
      },
    );
  }
  if (inputs.artifacts.length > 0) {
    throw new InputError('artifacts', 'set', 'empty when recording a status', {
      message:
        "Input 'artifacts' is recorded when a deployment starts; GitHub never changes a deployment's payload afterwards, so it must be empty when 'status' is set",
    });
  }
  return { ...inputs, operation: 'update' };
}

/** Parses the post step's inputs; the job status comes from `${{ job.status }}` evaluated when the post step runs. */
export function parsePostInputs(get: Getter = fromCore): PostInputs {
  const token = get('token');
  if (token) core.setSecret(token);
  const service = get('service').trim();
  return {
    token,
    jobStatus: parseJobStatus('job-status', get('job-status')),
    slackWebhookUrl: parseWebhook(get),
    publishMetrics: parseBoolean('publish-metrics', get('publish-metrics') || DEFAULTS['publish-metrics']),
    service: service === '' ? null : parseServiceName('service', service),
    awsRegion: parseRegion('aws-region', get('aws-region')),
  };
}

/** Two sources of one value (an input and the state) must agree; either may be absent. */
function agree<T extends string>(input: string, given: T | null, fromState: T | null): T | null {
  if (given !== null && fromState !== null && given !== fromState) {
    throw new InputError(input, given, `empty or equal to the state's ${input} '${fromState}'`);
  }
  return given ?? fromState;
}

function parseUrl(input: string, value: string): string {
  const text = value.trim();
  if (text === '') return '';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InputError(input, value, 'an http:// or https:// URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new InputError(input, value, 'an http:// or https:// URL');
  return text;
}

/**
 * The Slack webhook URL is a secret: masked before anything could echo it, and never quoted in an
 * error. Plain http is allowed only to this machine (a local relay).
 */
function parseWebhook(get: Getter): string | null {
  const text = get('slack-webhook-url').trim();
  if (text === '') return null;
  core.setSecret(text);
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch {
    url = null;
  }
  const loopback = url !== null && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url === null || !(url.protocol === 'https:' || (url.protocol === 'http:' && loopback))) {
    throw new InputError('slack-webhook-url', '***', 'an https:// incoming webhook URL', {
      message:
        "Input 'slack-webhook-url' must be an https:// incoming webhook URL (the value is a secret and is not shown)",
    });
  }
  return text;
}
