import { InputError } from '../shared/index';
import type { Trace } from '../health/index';
import {
  completeRecord,
  isTerminal,
  type CanaryRecord,
  type DeploymentRecord,
  type RecordableStatus,
} from './record';
import { parseDeploymentRecord } from './parse-record';
import { canaryFromTrace } from './canary';
import {
  MAX_WRITES_PER_DEPLOYMENT,
  outcomeOf,
  statusDescription,
  storeStateFor,
  type DeploymentStore,
  type FailureCause,
  type StoredDeployment,
  type StoredStatus,
} from './store';
import { parseRolloutState, type RolloutState } from '../rollout/index';
import { STRATEGY_NAMES, type StrategyName } from '../strategy/index';

/**
 * The rules of recording, over the {@link DeploymentStore} port: a deployment starts once, writes at most
 * {@link MAX_WRITES_PER_DEPLOYMENT} times, and ends in exactly one terminal status.
 */

/** The payload schema version. */
export const PAYLOAD_SCHEMA_VERSION = 1;

/**
 * What shiftgate stores in a GitHub deployment's payload. GitHub never lets a payload change after the
 * deployment is created, so the record here is the record as the deployment started; how it ended is
 * read from the statuses ({@link outcomeOf}).
 */
export interface DeploymentPayload {
  'schema-version': typeof PAYLOAD_SCHEMA_VERSION;
  version: string;
  strategy: StrategyName | null;
  'rollout-state': RolloutState | null;
  record: DeploymentRecord;
}

/** Builds the payload of a new deployment. */
export function createPayload(
  record: DeploymentRecord,
  rolloutState: RolloutState | null,
): DeploymentPayload {
  return {
    'schema-version': PAYLOAD_SCHEMA_VERSION,
    version: record.version,
    strategy: record.strategy,
    'rollout-state': rolloutState,
    record,
  };
}

/**
 * Reads a payload written by shiftgate; null for a deployment some other tool created (its payload has
 * no `record`). A payload that claims to be shiftgate's but is malformed is an error.
 */
export function readPayload(deploymentId: number, payload: unknown): DeploymentPayload | null {
  let doc = payload;
  if (typeof doc === 'string') {
    try {
      doc = JSON.parse(doc);
    } catch {
      return null;
    }
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || !('record' in doc)) return null;
  const where = `payload of deployment ${deploymentId}`;
  const raw = doc as Record<string, unknown>;
  const fail = (problem: string): never => {
    throw new InputError(where, raw, 'a shiftgate deployment payload', {
      message: `The ${where} is not a shiftgate deployment payload: ${problem}`,
    });
  };
  if (raw['schema-version'] !== PAYLOAD_SCHEMA_VERSION) {
    fail(`'schema-version' must be ${PAYLOAD_SCHEMA_VERSION}, got ${JSON.stringify(raw['schema-version'])}`);
  }
  const record = parseDeploymentRecord(`${where}: record`, raw.record);
  if (raw.version !== record.version) fail("'version' must equal the record's version");
  const strategy = raw.strategy ?? null;
  if (strategy !== null && !(STRATEGY_NAMES as readonly unknown[]).includes(strategy))
    fail("'strategy' is not a strategy");
  const state = raw['rollout-state'] ?? null;
  const rolloutState =
    state === null ? null : parseRolloutState(`${where}: rollout-state`, JSON.stringify(state));
  return {
    'schema-version': PAYLOAD_SCHEMA_VERSION,
    version: record.version,
    strategy: strategy as StrategyName | null,
    'rollout-state': rolloutState,
    record,
  };
}

/** What starting a deployment needs. */
export interface StartOptions {
  /** The record as the deployment starts ({@link createDeploymentRecord}). */
  record: DeploymentRecord;
  rolloutState: RolloutState | null;
  ref: string;
  /** At most 140 characters ({@link limitDescription}). */
  description: string;
  environmentUrl: string;
  logUrl: string;
  /** null lets GitHub decide (true for an environment named production). */
  productionEnvironment: boolean | null;
  transientEnvironment: boolean;
  /**
   * Called as soon as the deployment exists, before its first status is written, so a caller can
   * remember it (the post step finishes it if the status write or anything later fails).
   */
  onCreated?(deployment: StoredDeployment): void | Promise<void>;
}

/** A started deployment. */
export interface StartResult {
  deployment: StoredDeployment;
  status: StoredStatus;
  /** The record with GitHub's deployment id and commit. */
  record: DeploymentRecord;
  /** The rollout state with the deployment id, when one was given. */
  rolloutState: RolloutState | null;
}

/** Creates the deployment and its `in_progress` status: two writes. */
export async function startDeployment(store: DeploymentStore, options: StartOptions): Promise<StartResult> {
  const payload = createPayload(options.record, options.rolloutState);
  const deployment = await store.createDeployment({
    ref: options.ref,
    environment: options.record.environment,
    description: options.description,
    payload,
    productionEnvironment: options.productionEnvironment,
    transientEnvironment: options.transientEnvironment,
    matches: (candidate) => readPayloadQuietly(candidate)?.record.id === options.record.id,
  });
  await options.onCreated?.(deployment);
  const status = await store.addStatus(deployment.id, {
    state: 'in_progress',
    description: options.description || statusDescription('in_progress', null),
    logUrl: options.logUrl,
    environmentUrl: options.environmentUrl,
    autoInactive: false,
  });
  const record: DeploymentRecord = { ...options.record, 'deployment-id': deployment.id, sha: deployment.sha };
  const rolloutState =
    options.rolloutState === null
      ? null
      : {
          ...options.rolloutState,
          'deployment-id': deployment.id,
          'updated-at': new Date(status.createdAt).toISOString(),
        };
  return { deployment: { ...deployment, statuses: [status] }, status, record, rolloutState };
}

function readPayloadQuietly(deployment: StoredDeployment): DeploymentPayload | null {
  try {
    return readPayload(deployment.id, deployment.payload);
  } catch {
    return null;
  }
}

/** A deployment that already ended was asked to change. */
export class DeploymentEndedError extends Error {
  override readonly name = 'DeploymentEndedError';
}

/** What recording a status needs. */
export interface UpdateOptions {
  deploymentId: number;
  status: RecordableStatus;
  /** Why (at most 140 characters with the `Rolled back: ` prefix; see {@link limitDescription}). */
  reason: string | null;
  /** `cancelled` writes GitHub's `error` instead of `failure` for a failed deployment. */
  cause?: FailureCause;
  logUrl: string;
  /** Empty keeps the environment URL of the latest status (GitHub shows the latest one). */
  environmentUrl: string;
  /** The health judge's trace, for the record's canary figures. */
  trace?: Trace | null;
  /** The latest rollout state (for the traffic split); the one stored at the start is used otherwise. */
  state?: RolloutState | null;
  /** When set, the deployment must be of this environment (the `environment` input). */
  environment?: string | null;
}

/** The result of recording a status. */
export interface UpdateResult {
  /** False when a progress update was skipped to keep the write budget. */
  written: boolean;
  /** Why nothing was written. */
  skipped: string | null;
  status: StoredStatus | null;
  record: DeploymentRecord;
  deployment: StoredDeployment;
  payload: DeploymentPayload;
  /** Things ignored along the way, for warnings. */
  warnings: string[];
}

/**
 * Records a status on a deployment shiftgate started. A terminal status is written only when the
 * deployment has none (a deployment ends once); a progress update is skipped, not written, when it
 * would leave no room in the write budget for the terminal status.
 */
export async function updateDeployment(
  store: DeploymentStore,
  options: UpdateOptions,
): Promise<UpdateResult> {
  const deployment = await store.getDeployment(options.deploymentId);
  const payload = readPayload(deployment.id, deployment.payload);
  if (payload === null) {
    throw new InputError(
      'deployment-id',
      String(options.deploymentId),
      'the id of a deployment started by record-deployment',
      {
        message: `Input 'deployment-id' must be the id of a deployment started by record-deployment, got '${options.deploymentId}': its payload has no shiftgate record`,
      },
    );
  }
  if (options.environment && options.environment !== deployment.environment) {
    throw new InputError(
      'environment',
      options.environment,
      `empty or '${deployment.environment}', the environment of deployment ${deployment.id}`,
    );
  }
  const outcome = outcomeOf(deployment.statuses);
  const base: DeploymentRecord = { ...payload.record, 'deployment-id': deployment.id, sha: deployment.sha };
  const warnings: string[] = [];
  const canaryAt = (at: number): CanaryRecord | null => {
    if (!options.trace) return null;
    const state = options.state ?? payload['rollout-state'];
    if (state === null) {
      warnings.push(
        "Input 'trace' was given without a rollout state (input 'state' or one stored at the start), so the record has no canary figures: they need the traffic split",
      );
      return null;
    }
    const canary = canaryFromTrace(options.trace, state, at);
    if (canary === null)
      warnings.push("Input 'trace' has no canary data in any window, so the record has no canary figures");
    return canary;
  };
  if (outcome.terminal !== null) {
    const when = new Date(outcome.terminal.createdAt).toISOString();
    const why = outcome.reason ? ` (${outcome.reason})` : '';
    throw new DeploymentEndedError(
      `Deployment ${deployment.id} already ended as ${outcome.status}${why} at ${when}; a deployment records exactly one outcome, so '${options.status}' was not recorded`,
    );
  }
  const writes = 1 + deployment.statuses.length;
  const environmentUrl = options.environmentUrl || (deployment.statuses.at(-1)?.environmentUrl ?? '');
  if (options.status === 'in_progress') {
    if (writes + 1 > MAX_WRITES_PER_DEPLOYMENT - 1) {
      return {
        written: false,
        skipped: `deployment ${deployment.id} already has ${writes} writes; the last of its ${MAX_WRITES_PER_DEPLOYMENT} is kept for the outcome`,
        status: null,
        record: base,
        deployment,
        payload,
        warnings,
      };
    }
    const status = await store.addStatus(deployment.id, {
      state: 'in_progress',
      description: statusDescription('in_progress', options.reason),
      logUrl: options.logUrl,
      environmentUrl,
      autoInactive: false,
    });
    const canary = canaryAt(status.createdAt);
    const record = canary ? { ...base, canary } : base;
    return {
      written: true,
      skipped: null,
      status,
      record,
      deployment: withStatus(deployment, status),
      payload,
      warnings,
    };
  }
  const cause = options.cause ?? 'failure';
  const status = await store.addStatus(deployment.id, {
    state: storeStateFor(options.status, cause),
    description: statusDescription(options.status, options.reason, cause),
    logUrl: options.logUrl,
    environmentUrl,
    // Only a success replaces what was live; GitHub then marks the previous success inactive.
    autoInactive: options.status === 'succeeded',
  });
  const record = completeRecord(base, {
    status: options.status,
    at: status.createdAt,
    reason: options.reason,
    canary: canaryAt(status.createdAt),
  });
  return {
    warnings,
    written: true,
    skipped: null,
    status,
    record,
    deployment: withStatus(deployment, status),
    payload,
  };
}

function withStatus(deployment: StoredDeployment, status: StoredStatus): StoredDeployment {
  return { ...deployment, statuses: [...deployment.statuses, status] };
}

/** A job's status as `${{ job.status }}` spells it. */
export const JOB_STATUSES = ['success', 'failure', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Parses a job status. */
export function parseJobStatus(input: string, value: string): JobStatus {
  const text = value.trim();
  if ((JOB_STATUSES as readonly string[]).includes(text)) return text as JobStatus;
  throw new InputError(input, value, `one of ${JOB_STATUSES.join(', ')} (the value of \${{ job.status }})`);
}

/** What the post step did. */
export type EnsureResult =
  | { action: 'none'; why: string; record: DeploymentRecord | null }
  | { action: 'recorded'; result: UpdateResult };

/**
 * The post step's guarantee: when the job ended failed or cancelled and the deployment it started has
 * no terminal status, record `failed` (GitHub `failure`, or `error` on cancel) with that reason. A job
 * that succeeded leaves an unfinished deployment to a later step or job.
 */
export async function ensureTerminal(
  store: DeploymentStore,
  options: { deploymentId: number; jobStatus: JobStatus; logUrl: string },
): Promise<EnsureResult> {
  const deployment = await store.getDeployment(options.deploymentId);
  const outcome = outcomeOf(deployment.statuses);
  const payload = readPayloadQuietly(deployment);
  const record = payload ? { ...payload.record, 'deployment-id': deployment.id, sha: deployment.sha } : null;
  if (outcome.terminal !== null) {
    const ended =
      record && isTerminal(outcome.status)
        ? completeRecord(record, {
            status: outcome.status,
            at: outcome.terminal.createdAt,
            reason: outcome.reason,
          })
        : record;
    return {
      action: 'none',
      why: `deployment ${deployment.id} already ended as ${outcome.status}`,
      record: ended,
    };
  }
  if (options.jobStatus === 'success') {
    return {
      action: 'none',
      why: `the job succeeded; deployment ${deployment.id} stays ${outcome.status} for a later step or job to finish`,
      record,
    };
  }
  const cancelled = options.jobStatus === 'cancelled';
  const result = await updateDeployment(store, {
    deploymentId: deployment.id,
    status: 'failed',
    reason: cancelled
      ? 'The job was cancelled before recording an outcome'
      : 'The job failed before recording an outcome',
    cause: cancelled ? 'cancelled' : 'failure',
    logUrl: options.logUrl,
    environmentUrl: '',
  });
  return { action: 'recorded', result };
}
