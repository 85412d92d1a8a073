import {
  limitDescription,
  type DeploymentStatus,
  type RecordableStatus,
  type TerminalStatus,
} from './record';

/**
 * The `DeploymentStore` port: where deployments and their statuses live. The GitHub adapter
 * (`@shiftgate/github`) implements it over the Deployments API; states are GitHub's, because that is
 * what people see on the Environments page and what other tools write.
 * https://docs.github.com/en/rest/deployments/statuses#create-a-deployment-status
 */

/** A deployment status state as GitHub spells it. */
export const STORE_STATES = [
  'error',
  'failure',
  'inactive',
  'in_progress',
  'queued',
  'pending',
  'success',
] as const;
export type StoreState = (typeof STORE_STATES)[number];

/** One status of a stored deployment. */
export interface StoredStatus {
  id: number;
  state: StoreState;
  description: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  logUrl: string;
  environmentUrl: string;
}

/** A stored deployment with its statuses, oldest status first. */
export interface StoredDeployment {
  id: number;
  sha: string;
  ref: string;
  environment: string;
  description: string | null;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** The payload as stored (shiftgate writes a {@link DeploymentPayload}; other tools write anything). */
  payload: unknown;
  statuses: StoredStatus[];
  productionEnvironment: boolean;
  transientEnvironment: boolean;
}

/** A deployment to create. */
export interface NewDeployment {
  ref: string;
  environment: string;
  description: string;
  payload: unknown;
  productionEnvironment: boolean | null;
  transientEnvironment: boolean;
  /**
   * Finds the deployment again when a create request failed in a way that may have created it
   * (a 5xx or a dropped connection), so a retry never leaves a duplicate behind.
   */
  matches(candidate: StoredDeployment): boolean;
}

/** A status to add. */
export interface NewStatus {
  state: StoreState;
  description: string;
  logUrl: string;
  environmentUrl: string;
  /** GitHub marks earlier successful deployments of the environment inactive (only on `success`). */
  autoInactive: boolean;
}

/** Which deployments {@link DeploymentStore.listDeployments} returns. */
export interface DeploymentQuery {
  environment: string | null;
  limit: number;
  /** Milliseconds since the epoch: older deployments are left out (and not paged through). */
  createdAfter?: number;
}

/** Where deployments live. Every method throws an Error whose message says what was being done. */
export interface DeploymentStore {
  /** Creates a deployment (without statuses). One write. */
  createDeployment(deployment: NewDeployment): Promise<StoredDeployment>;
  /** Adds a status. One write. */
  addStatus(deploymentId: number, status: NewStatus): Promise<StoredStatus>;
  /** One deployment with its statuses. */
  getDeployment(deploymentId: number): Promise<StoredDeployment>;
  /**
   * The newest `limit` deployments of an environment (of every environment when `environment` is null),
   * newest first, with their statuses; with `createdAfter`, only those created at or after it.
   */
  listDeployments(query: DeploymentQuery): Promise<StoredDeployment[]>;
  /** When a commit was made (committer date), or null when the commit cannot be found. */
  commitTime(sha: string): Promise<number | null>;
}

/**
 * GitHub allows about 80 content-creating requests a minute per token, so a deployment costs at most
 * this many writes: create, `in_progress`, one progress update, the terminal status.
 */
export const MAX_WRITES_PER_DEPLOYMENT = 4;

/** Why a deployment ended with `failed`, for choosing between GitHub's `failure` and `error`. */
export type FailureCause = 'failure' | 'cancelled';

/** The GitHub state a status is written as. `rolled_back` is `inactive` with a description. */
export function storeStateFor(status: RecordableStatus, cause: FailureCause = 'failure'): StoreState {
  switch (status) {
    case 'in_progress':
      return 'in_progress';
    case 'succeeded':
      return 'success';
    case 'failed':
      return cause === 'cancelled' ? 'error' : 'failure';
    case 'rolled_back':
      return 'inactive';
  }
}

/** How a stored deployment stands, read from its statuses. */
export interface Outcome {
  status: DeploymentStatus;
  /** The status that ended it, when it ended. */
  terminal: StoredStatus | null;
  /** Milliseconds since the epoch when it ended. */
  completedAt: number | null;
  reason: string | null;
}

/**
 * Reads a deployment's outcome from its statuses: the first terminal status wins. `success` is
 * succeeded, `failure` and `error` are failed, and `inactive` before any success is rolled back. An
 * `inactive` after a success is GitHub's `auto_inactive` (a later deployment replaced it), not a
 * rollback — the confusion behind chrnorm/deployment-status#27 and #45.
 */
export function outcomeOf(statuses: readonly StoredStatus[]): Outcome {
  const ordered = [...statuses].sort((a, b) => a.id - b.id);
  for (const status of ordered) {
    const ended = terminalFor(status.state);
    if (ended) {
      return {
        status: ended,
        terminal: status,
        completedAt: status.createdAt,
        reason: reasonFrom(ended, status.description),
      };
    }
  }
  const last = ordered.at(-1);
  const status: DeploymentStatus =
    last === undefined || last.state === 'pending' || last.state === 'queued' ? 'pending' : 'in_progress';
  return { status, terminal: null, completedAt: null, reason: null };
}

function terminalFor(state: StoreState): TerminalStatus | null {
  switch (state) {
    case 'success':
      return 'succeeded';
    case 'failure':
    case 'error':
      return 'failed';
    case 'inactive':
      return 'rolled_back';
    case 'in_progress':
    case 'queued':
    case 'pending':
      return null;
  }
}

/** Prefix of the description of a rolled-back deployment's `inactive` status. */
export const ROLLED_BACK_PREFIX = 'Rolled back';

/** The description written with a terminal status. */
export function statusDescription(
  status: RecordableStatus,
  reason: string | null,
  cause: FailureCause = 'failure',
): string {
  const text = reason?.trim() ?? '';
  switch (status) {
    case 'in_progress':
      return text || 'Deploying';
    case 'succeeded':
      return text || 'Deployed';
    case 'failed':
      return text || (cause === 'cancelled' ? 'Cancelled' : 'Failed');
    case 'rolled_back':
      // The prefix counts against GitHub's 140 characters too.
      return text ? limitDescription(`${ROLLED_BACK_PREFIX}: ${text}`).text : ROLLED_BACK_PREFIX;
  }
}

/** The reason as the user gave it, from a stored description (drops the `Rolled back: ` prefix and the defaults). */
export function reasonFrom(status: DeploymentStatus, description: string | null): string | null {
  if (description === null || description === '') return null;
  // The descriptions written when no reason was given say nothing more than the status.
  if (['Deploying', 'Deployed', 'Failed', 'Cancelled'].includes(description)) return null;
  if (status === 'rolled_back') {
    if (description === ROLLED_BACK_PREFIX) return null;
    if (description.startsWith(`${ROLLED_BACK_PREFIX}: `))
      return description.slice(ROLLED_BACK_PREFIX.length + 2);
  }
  return description;
}
