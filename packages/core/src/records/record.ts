import { InputError, isObject, type Json } from '../shared/index';
import { isPollError, parseTrace, type Trace } from '../health/index';
import type { RolloutState } from '../rollout/index';
import { STRATEGY_NAMES, type StrategyName } from '../strategy/index';

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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const RECORD_KEYS = [
  'schema-version',
  'id',
  'deployment-id',
  'version',
  'environment',
  'strategy',
  'ref',
  'sha',
  'deployment-status',
  'started-at',
  'completed-at',
  'duration-ms',
  'rolled-back',
  'reason',
  'artifacts',
  'canary',
] as const;
const ARTIFACT_KEYS = [
  'id',
  'version',
  'artifact-type',
  'path',
  'file-hash',
  'file-size',
  'created-at',
] as const;
const CANARY_KEYS = [
  'target-traffic-percent',
  'current-traffic-percent',
  'error-rate',
  'latency-p99',
  'created-at',
] as const;

/**
 * Parses a deployment record strictly (a JSON text or an already parsed value, as found in a
 * deployment payload). `input` names where it came from, for the error message.
 */
export function parseDeploymentRecord(input: string, value: unknown): DeploymentRecord {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const fail = (problem: string): never => {
    throw new InputError(input, text, 'a deployment record written by record-deployment', {
      message: `Input '${input}' is not a shiftgate deployment record: ${problem}`,
    });
  };
  let doc: Json;
  if (typeof value === 'string') {
    try {
      doc = JSON.parse(value) as Json;
    } catch (error) {
      return fail(`it is not JSON (${(error as Error).message})`);
    }
  } else {
    doc = value as Json;
  }
  if (!isObject(doc)) return fail('expected a JSON object');
  exactKeys(doc, RECORD_KEYS, '', fail);
  if (doc['schema-version'] !== RECORD_SCHEMA_VERSION) {
    fail(`'schema-version' must be ${RECORD_SCHEMA_VERSION}, got ${JSON.stringify(doc['schema-version'])}`);
  }
  if (typeof doc.id !== 'string' || !UUID.test(doc.id))
    fail(`'id' must be a UUID, got ${JSON.stringify(doc.id)}`);
  const deploymentId = doc['deployment-id'];
  if (deploymentId !== null && !isPositiveInt(deploymentId))
    fail(`'deployment-id' must be null or a positive whole number`);
  for (const key of ['version', 'environment'] as const) {
    if (typeof doc[key] !== 'string' || doc[key] === '') fail(`'${key}' must be a non-empty string`);
  }
  const strategy = doc.strategy;
  if (strategy !== null && !(STRATEGY_NAMES as readonly unknown[]).includes(strategy)) {
    fail(`'strategy' must be null or one of ${STRATEGY_NAMES.join(', ')}`);
  }
  for (const key of ['ref', 'sha', 'reason'] as const) {
    if (doc[key] !== null && typeof doc[key] !== 'string') fail(`'${key}' must be null or a string`);
  }
  const status = doc['deployment-status'];
  if (!(DEPLOYMENT_STATUSES as readonly unknown[]).includes(status)) {
    fail(
      `'deployment-status' must be one of ${DEPLOYMENT_STATUSES.join(', ')}, got ${JSON.stringify(status)}`,
    );
  }
  if (!isTime(doc['started-at'])) fail("'started-at' must be milliseconds since the epoch");
  const terminal = isTerminal(status as DeploymentStatus);
  if (terminal) {
    if (!isTime(doc['completed-at'])) fail(`'completed-at' must be set when the status is ${String(status)}`);
    if (!isNonNegativeInt(doc['duration-ms']))
      fail(`'duration-ms' must be set when the status is ${String(status)}`);
  } else if (doc['completed-at'] !== null || doc['duration-ms'] !== null) {
    fail(`'completed-at' and 'duration-ms' must be null while the status is ${String(status)}`);
  }
  if (doc['rolled-back'] !== (status === 'rolled_back'))
    fail("'rolled-back' must be true exactly when the status is rolled_back");
  if (!Array.isArray(doc.artifacts)) return fail("'artifacts' must be a list");
  const types = new Set<string>();
  doc.artifacts.forEach((artifact, index) => {
    const where = `artifacts[${index}]`;
    if (!isObject(artifact)) return fail(`'${where}' must be an object`);
    exactKeys(artifact, ARTIFACT_KEYS, `${where}.`, fail);
    if (typeof artifact.id !== 'string' || !HEX64.test(artifact.id))
      fail(`'${where}.id' must be 64 hex digits`);
    if (artifact.version !== doc.version) fail(`'${where}.version' must equal the record's version`);
    for (const key of ['artifact-type', 'path'] as const) {
      if (typeof artifact[key] !== 'string' || artifact[key] === '')
        fail(`'${where}.${key}' must be a non-empty string`);
    }
    if (typeof artifact['file-hash'] !== 'string' || !HEX64.test(artifact['file-hash'])) {
      fail(`'${where}.file-hash' must be a sha256 in 64 lowercase hex digits`);
    }
    if (!isNonNegativeInt(artifact['file-size']))
      fail(`'${where}.file-size' must be a whole number of bytes`);
    if (!isTime(artifact['created-at'])) fail(`'${where}.created-at' must be milliseconds since the epoch`);
    const type = artifact['artifact-type'] as string;
    if (types.has(type)) fail(`artifact type '${type}' appears twice (unique per version and type)`);
    types.add(type);
  });
  const canary = doc.canary;
  if (canary !== null) {
    if (!isObject(canary)) return fail("'canary' must be null or an object");
    exactKeys(canary, CANARY_KEYS, 'canary.', fail);
    for (const key of ['target-traffic-percent', 'current-traffic-percent'] as const) {
      const v = canary[key];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 100)
        fail(`'canary.${key}' must be a whole percent from 0 to 100`);
    }
    const rate = canary['error-rate'];
    if (typeof rate !== 'number' || rate < 0 || rate > 100)
      fail("'canary.error-rate' must be a percent from 0 to 100");
    if (!isNonNegativeInt(canary['latency-p99'])) fail("'canary.latency-p99' must be whole milliseconds");
    if (!isTime(canary['created-at'])) fail("'canary.created-at' must be milliseconds since the epoch");
  }
  return doc as unknown as DeploymentRecord;
}

function exactKeys(
  doc: { [key: string]: Json },
  keys: readonly string[],
  prefix: string,
  fail: (p: string) => never,
): void {
  for (const key of Object.keys(doc)) if (!keys.includes(key)) fail(`unknown key '${prefix}${key}'`);
  for (const key of keys) if (!(key in doc)) fail(`missing key '${prefix}${key}'`);
}

function isPositiveInt(value: Json | undefined): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function isNonNegativeInt(value: Json | undefined): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isTime(value: Json | undefined): boolean {
  return isNonNegativeInt(value);
}

/** One line of the `artifacts` input: an artifact type and the path or glob of its one file. */
export interface ArtifactSpec {
  type: string;
  pattern: string;
}

const ARTIFACT_TYPE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

/**
 * Parses the `artifacts` input: one `type=path-or-glob` per line (blank lines ignored), for example
 * `image=dist/image.tar` or `bundle=build/app-*.zip`. Types are 1 to 32 letters, digits, `.`, `_`
 * or `-` (the seed's VARCHAR(32)), each at most once; paths are relative to the workspace and stay in it.
 */
export function parseArtifactList(input: string, value: string): ArtifactSpec[] {
  const allowed = "lines of 'type=path-or-glob' such as 'image=dist/image.tar', relative to the workspace";
  const specs: ArtifactSpec[] = [];
  for (const raw of value.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    const eq = line.indexOf('=');
    const type = eq < 0 ? '' : line.slice(0, eq).trim();
    const pattern =
      eq < 0
        ? ''
        : line
            .slice(eq + 1)
            .trim()
            .replace(/\\/g, '/');
    const refuse = (problem: string): never => {
      throw new InputError(input, value, allowed, {
        message: `Input '${input}' must be ${allowed}; ${problem}, got '${line}'`,
      });
    };
    if (eq < 0 || pattern === '') refuse("each line needs 'type=path'");
    if (!ARTIFACT_TYPE.test(type))
      refuse('the type must be 1 to 32 letters, digits, dots, dashes or underscores');
    if (pattern.startsWith('/') || /^[A-Za-z]:/.test(pattern))
      refuse('the path must be relative to the workspace');
    if (pattern.split('/').includes('..')) refuse("the path must stay inside the workspace (no '..')");
    if (specs.some((s) => s.type === type)) {
      refuse(`the type '${type}' appears twice (one file per artifact type and version)`);
    }
    specs.push({ type, pattern });
  }
  return specs;
}

/**
 * Canary figures from the health judge's trace and the rollout state: the target is the plan's
 * highest canary weight, the current weight the last verified split; the error rate is the canary's
 * 5xx over requests across all judged windows, and p99 the worst window's canary p99 (a record keeps
 * the figure that would have been judged). Null when no window carried canary data.
 */
export function canaryFromTrace(trace: Trace, state: RolloutState, at: number): CanaryRecord | null {
  let requests = 0;
  let errors = 0;
  let p99: number | null = null;
  let seen = false;
  for (const entry of trace.windows) {
    if (isPollError(entry) || entry.canary === null) continue;
    const side = entry.canary;
    if (side.requests !== null && side.errors !== null) {
      requests += side.requests;
      errors += side.errors;
      seen = true;
    }
    if (side.p99 !== null) {
      p99 = Math.max(p99 ?? 0, side.p99);
      seen = true;
    }
  }
  if (!seen) return null;
  const shifts = state.plan.flatMap((step) => (step.kind === 'shift' ? [step.weight] : []));
  return {
    'target-traffic-percent': shifts.length > 0 ? Math.max(...shifts) : 100,
    'current-traffic-percent': state.weights?.canary ?? 0,
    'error-rate': requests === 0 ? 0 : Number(((errors / requests) * 100).toFixed(4)),
    'latency-p99': Math.round(p99 ?? 0),
    'created-at': at,
  };
}

/**
 * Reads the `trace` input for canary figures: bake-and-gate's trace (one bake), or run-plan's run
 * trace, whose bakes' traces (`steps[].health`) are joined window after window. Null when a run trace
 * holds no bake (nothing was judged on metrics).
 */
export function parseCanaryTrace(input: string, text: string): Trace | null {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return parseTrace(text, `input '${input}'`);
  }
  const steps =
    typeof doc === 'object' && doc !== null && !Array.isArray(doc)
      ? (doc as { steps?: unknown }).steps
      : undefined;
  if (!Array.isArray(steps)) return parseTrace(text, `input '${input}'`);
  let joined: Trace | null = null;
  steps.forEach((step, index) => {
    const health =
      typeof step === 'object' && step !== null ? (step as { health?: unknown }).health : undefined;
    if (typeof health !== 'object' || health === null || !('windows' in health)) return;
    const trace = parseTrace(JSON.stringify(health), `input '${input}' steps[${index}].health`);
    joined = joined === null ? trace : { ...joined, windows: [...joined.windows, ...trace.windows] };
  });
  return joined;
}

/** The one-sentence reason a run-plan trace gives for how the run ended; null for other documents. */
export function runTraceReason(text: string): string | null {
  try {
    const doc = JSON.parse(text) as { steps?: unknown; reason?: unknown };
    return Array.isArray(doc?.steps) && typeof doc.reason === 'string' && doc.reason.trim() !== ''
      ? doc.reason.trim()
      : null;
  } catch {
    return null;
  }
}
