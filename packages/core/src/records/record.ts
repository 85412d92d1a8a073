import { InputError } from '../shared/index';
import { SELECTION_SOURCES, type SelectionSource, type StrategyName } from '../strategy/index';

/**
 * Deployment records: what a deployment was, how it ended and what it shipped, after the seed schema
 * (tables `deployments`, `deployment_artifacts`, `canary_deployments`) with kebab-case keys, as every
 * shiftgate JSON document spells them (`deployment_status` → `deployment-status`). The column widths of
 * the seed (VARCHAR(16) environments, VARCHAR(32) versions) are not enforced: GitHub environment names
 * and image digests are longer, and refusing them would lose records.
 */

/** The record's schema version. */
export const RECORD_SCHEMA_VERSION = 1;

/** Where a deployment stands, as the seed's CHECK constraint spells it. */
export const DEPLOYMENT_STATUSES = ['pending', 'in_progress', 'succeeded', 'failed', 'rolled_back'] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

/** The statuses that end a deployment. Every deployment ends in exactly one. */
export const TERMINAL_STATUSES = ['succeeded', 'failed', 'rolled_back'] as const;
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

/** The statuses a user may record with `record-deployment` (`pending` is GitHub's own, before any status). */
export const RECORDABLE_STATUSES = ['in_progress', 'succeeded', 'failed', 'rolled_back'] as const;
export type RecordableStatus = (typeof RECORDABLE_STATUSES)[number];

/** One deployed file (seed table `deployment_artifacts`); unique per version and type. */
export interface ArtifactRecord {
  /** sha256 of `<version>\0<artifact-type>`: 64 hex digits, stable for the pair the seed makes unique. */
  id: string;
  version: string;
  'artifact-type': string;
  /** Path relative to the workspace, with forward slashes. */
  path: string;
  /** sha256 of the file's bytes, 64 lowercase hex digits. */
  'file-hash': string;
  /** Size in bytes. */
  'file-size': number;
  /** When it was hashed, milliseconds since the epoch. */
  'created-at': number;
}

/** Canary figures at the end of the bake (seed table `canary_deployments`). */
export interface CanaryRecord {
  /** The canary weight the plan was heading for, in percent. */
  'target-traffic-percent': number;
  /** The canary weight when the record was written, in percent. */
  'current-traffic-percent': number;
  /** Canary 5xx responses over requests in the last judged window, in percent (0.5 for 0.5%). */
  'error-rate': number;
  /** Canary p99 latency in the last judged window, in milliseconds. */
  'latency-p99': number;
  'created-at': number;
}

/** A review of a protected environment's deployment for the run, from GitHub's run approvals API. */
export interface ApprovalRecord {
  /** The reviewer's GitHub login. */
  reviewer: string;
  state: 'approved' | 'rejected';
  /** The environments the review covered. */
  environments: string[];
  /** What the reviewer wrote, when anything. */
  comment: string | null;
}

/** Where the strategy choice came from, as select-strategy reports it. */
export const CHOICE_SOURCES = SELECTION_SOURCES;
export type ChoiceSource = SelectionSource;

/** Who or what chose the strategy. */
export interface ChosenBy {
  source: ChoiceSource;
  /**
   * For a label select-strategy checked: whoever added it (read from the event or the pull request's
   * history); otherwise the login whose event started the run (the dispatcher, the pusher), when known.
   */
  actor: string | null;
  /** The pull request label that chose the strategy (source `label`); absent in older records. */
  label?: string | null;
  /**
   * The repository role of the label's adder that select-strategy checked before deploying (`write`,
   * `maintain (a custom role on write)`, …); null when no check ran; absent in older records.
   */
  permission?: string | null;
}

/** One deployment (seed table `deployments`) with its artifacts and canary figures. */
export interface DeploymentRecord {
  'schema-version': typeof RECORD_SCHEMA_VERSION;
  /** A UUID chosen when the deployment starts (before GitHub assigns its numeric id). */
  id: string;
  /** GitHub's deployment id, once known. */
  'deployment-id': number | null;
  version: string;
  environment: string;
  strategy: StrategyName | null;
  ref: string | null;
  sha: string | null;
  'deployment-status': DeploymentStatus;
  /** Milliseconds since the epoch. */
  'started-at': number;
  'completed-at': number | null;
  'duration-ms': number | null;
  'rolled-back': boolean;
  /** Why it ended the way it did (the terminal status's description). */
  reason: string | null;
  artifacts: ArtifactRecord[];
  canary: CanaryRecord | null;
  /**
   * Who approved the protected environment for the run (GitHub's run approvals); empty when nobody had to,
   * null when they could not be read. Absent in records written before it existed.
   */
  approvals?: ApprovalRecord[] | null;
  /** Who or what chose the strategy; absent in older records, null when not given. */
  'chosen-by'?: ChosenBy | null;
}

/** What a new record is made from. */
export interface NewRecordOptions {
  id: string;
  version: string;
  environment: string;
  strategy?: StrategyName | null;
  ref?: string | null;
  sha?: string | null;
  startedAt: number;
  artifacts?: ArtifactRecord[];
  approvals?: ApprovalRecord[] | null;
  chosenBy?: ChosenBy | null;
}

/** The record of a deployment that has just started (`in_progress`). */
export function createDeploymentRecord(options: NewRecordOptions): DeploymentRecord {
  const types = new Set<string>();
  for (const artifact of options.artifacts ?? []) {
    if (types.has(artifact['artifact-type'])) {
      throw new InputError(
        'artifacts',
        artifact['artifact-type'],
        'one file per artifact type (unique per version and type)',
        {
          message: `Input 'artifacts' names the artifact type '${artifact['artifact-type']}' twice; each type is one file per version`,
        },
      );
    }
    types.add(artifact['artifact-type']);
  }
  return {
    'schema-version': RECORD_SCHEMA_VERSION,
    id: options.id,
    'deployment-id': null,
    version: options.version,
    environment: options.environment,
    strategy: options.strategy ?? null,
    ref: options.ref ?? null,
    sha: options.sha ?? null,
    'deployment-status': 'in_progress',
    'started-at': options.startedAt,
    'completed-at': null,
    'duration-ms': null,
    'rolled-back': false,
    reason: null,
    artifacts: options.artifacts ?? [],
    canary: null,
    ...(options.approvals === undefined ? {} : { approvals: options.approvals }),
    ...(options.chosenBy === undefined ? {} : { 'chosen-by': options.chosenBy }),
  };
}

/** True for `succeeded`, `failed` and `rolled_back`. */
export function isTerminal(status: DeploymentStatus): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/**
 * The record after its deployment ended. Refuses a record that already ended: a deployment ends once.
 */
export function completeRecord(
  record: DeploymentRecord,
  outcome: { status: TerminalStatus; at: number; reason?: string | null; canary?: CanaryRecord | null },
): DeploymentRecord {
  if (isTerminal(record['deployment-status'])) {
    throw new Error(`Deployment record ${record.id} already ended as ${record['deployment-status']}`);
  }
  return {
    ...record,
    'deployment-status': outcome.status,
    'completed-at': outcome.at,
    'duration-ms': Math.max(0, outcome.at - record['started-at']),
    'rolled-back': outcome.status === 'rolled_back',
    reason: outcome.reason ?? null,
    canary: outcome.canary ?? record.canary,
  };
}

/** Parses a user's `status` input. */
export function parseRecordableStatus(input: string, value: string): RecordableStatus {
  const text = value.trim();
  if ((RECORDABLE_STATUSES as readonly string[]).includes(text)) return text as RecordableStatus;
  throw new InputError(input, value, `one of ${RECORDABLE_STATUSES.join(', ')}`);
}

/** GitHub's deployment status limit (longer descriptions are refused with 422). */
export const DESCRIPTION_LIMIT = 140;

/**
 * Cuts a description to GitHub's 140 characters (ending with `…`), so the API never refuses a status
 * over a long reason. Reports whether it cut.
 */
export function limitDescription(
  text: string,
  limit = DESCRIPTION_LIMIT,
): { text: string; truncated: boolean } {
  const flat = text.replace(/\s*\r?\n\s*/g, ' ').trim();
  const chars = [...flat];
  if (chars.length <= limit) return { text: flat, truncated: false };
  return { text: `${chars.slice(0, limit - 1).join('')}…`, truncated: true };
}
