// Reading a deployment record back strictly: a payload or an input is data, never trusted, and a
// record that does not match the schema exactly, or whose version, environment, ref, sha, reason or
// artifact fields break the field rules inputs are held to, is refused rather than half read.
import { fieldProblem, InputError, isObject, notJson, type FieldKind, type Json } from '../shared/index';
import { STRATEGY_NAMES } from '../strategy/index';
import {
  CHOICE_SOURCES,
  DEPLOYMENT_STATUSES,
  isTerminal,
  RECORD_SCHEMA_VERSION,
  type ChoiceSource,
  type ChosenBy,
  type DeploymentRecord,
  type DeploymentStatus,
} from './record';

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
/** Keys added after schema version 1 was first written: absent in older records. */
const OPTIONAL_RECORD_KEYS = ['approvals', 'chosen-by'] as const;
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
      return fail(notJson(error));
    }
  } else {
    doc = value as Json;
  }
  if (!isObject(doc)) return fail('expected a JSON object');
  exactKeys(doc, RECORD_KEYS, '', fail, OPTIONAL_RECORD_KEYS);
  if (doc['schema-version'] !== RECORD_SCHEMA_VERSION) {
    fail(`'schema-version' must be ${RECORD_SCHEMA_VERSION}, got ${JSON.stringify(doc['schema-version'])}`);
  }
  if (typeof doc.id !== 'string' || !UUID.test(doc.id))
    fail(`'id' must be a UUID, got ${JSON.stringify(doc.id)}`);
  const deploymentId = doc['deployment-id'];
  if (deploymentId !== null && !isPositiveInt(deploymentId))
    fail(`'deployment-id' must be null or a positive whole number`);
  const field = (key: string, value: Json | undefined, kind: FieldKind, nullable: boolean): void => {
    if (value === null && nullable) return;
    const problem = fieldProblem(kind, value);
    if (problem !== null)
      fail(`'${key}' ${nullable ? problem.replace(/^must be /, 'must be null or ') : problem}`);
  };
  field('version', doc.version, 'version', false);
  field('environment', doc.environment, 'environment', false);
  const strategy = doc.strategy;
  if (strategy !== null && !(STRATEGY_NAMES as readonly unknown[]).includes(strategy)) {
    fail(`'strategy' must be null or one of ${STRATEGY_NAMES.join(', ')}`);
  }
  field('ref', doc.ref, 'ref', true);
  field('sha', doc.sha, 'sha', true);
  field('reason', doc.reason, 'text', true);
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
    field(`${where}.artifact-type`, artifact['artifact-type'], 'name', false);
    field(`${where}.path`, artifact.path, 'text', false);
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
  checkApprovals(doc.approvals, field, fail);
  checkChosenBy(doc['chosen-by'], fail);
  return doc as unknown as DeploymentRecord;
}

type FieldCheck = (key: string, value: Json | undefined, kind: FieldKind, nullable: boolean) => void;

/** `approvals`: absent, null, or at most 100 reviews with a login, a state, environments and a comment. */
function checkApprovals(value: Json | undefined, field: FieldCheck, fail: (p: string) => never): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value) || value.length > 100) fail("'approvals' must be null or a list of at most 100");
  (value as Json[]).forEach((approval, index) => {
    const where = `approvals[${index}]`;
    if (!isObject(approval)) return fail(`'${where}' must be an object`);
    exactKeys(approval, ['reviewer', 'state', 'environments', 'comment'], `${where}.`, fail);
    if (typeof approval.reviewer !== 'string' || !LOGIN.test(approval.reviewer))
      fail(`'${where}.reviewer' must be a GitHub login (letters, digits and -, at most 39, or a [bot] name)`);
    if (approval.state !== 'approved' && approval.state !== 'rejected')
      fail(`'${where}.state' must be approved or rejected`);
    const environments = approval.environments;
    if (!Array.isArray(environments) || environments.length > 50)
      return fail(`'${where}.environments' must be a list of at most 50 names`);
    environments.forEach((env, i) => field(`${where}.environments[${i}]`, env, 'environment', false));
    field(`${where}.comment`, approval.comment, 'text', true);
  });
}

/** `chosen-by`: absent, null, or a source, the actor and (newer records) the label and its adder's role. */
function checkChosenBy(value: Json | undefined, fail: (p: string) => never): void {
  if (value === undefined || value === null) return;
  if (!isObject(value)) return fail("'chosen-by' must be null or an object");
  exactKeys(value, ['source', 'actor'], 'chosen-by.', fail, ['label', 'permission']);
  if (!(CHOICE_SOURCES as readonly unknown[]).includes(value.source))
    fail(`'chosen-by.source' must be one of ${CHOICE_SOURCES.join(', ')}`);
  if (value.actor !== null && (typeof value.actor !== 'string' || !LOGIN.test(value.actor)))
    fail("'chosen-by.actor' must be null or a GitHub login");
  for (const key of ['label', 'permission'] as const) {
    const text = value[key];
    const problem = text === undefined || text === null ? null : fieldProblem('text', text);
    if (problem !== null) fail(`'chosen-by.${key}' must be null or text: it ${problem}`);
  }
  if (value.label !== undefined && value.label !== null && value.source !== 'label')
    fail("'chosen-by.label' must be null unless 'chosen-by.source' is label");
}

/**
 * Parses select-strategy's `chosen-by` output given to an action as `input` (JSON text), strictly: the
 * same rules a stored record's `chosen-by` is held to.
 */
export function parseChosenBy(input: string, text: string): ChosenBy {
  const fail = (problem: string): never => {
    throw new InputError(input, text, "select-strategy's chosen-by output (a JSON object)", {
      message: `Input '${input}' is not select-strategy's chosen-by output: ${problem.replace(/'chosen-by\.?/g, "'")}`,
    });
  };
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch {
    return fail('it is not JSON');
  }
  if (value === null) return fail('it is null');
  checkChosenBy(value, fail);
  return value as unknown as ChosenBy;
}

/** What {@link chosenByOf} is told (untrusted strings: checked here). */
export interface ChoiceFacts {
  source: ChoiceSource;
  /** The login whose event started the run (`GITHUB_TRIGGERING_ACTOR`). */
  runActor: string | undefined;
  /** The deciding label, as shown (source `label`). */
  label?: string | null;
  /** Whoever added the label and the role select-strategy checked, when it checked. */
  adder?: { login: string; permission: string } | null;
}

/**
 * Who or what chose the strategy, for the record: a checked label's adder (and role), else the run's
 * actor. Anything that does not fit the record's field rules is left out (null), never stored.
 */
export function chosenByOf(facts: ChoiceFacts): ChosenBy {
  const login = (value: string | undefined): string | null =>
    value !== undefined && LOGIN.test(value) ? value : null;
  const text = (value: string | null | undefined): string | null =>
    value !== undefined && value !== null && fieldProblem('text', value) === null ? value : null;
  const adder = facts.source === 'label' ? (facts.adder ?? null) : null;
  const adderLogin = adder ? login(adder.login) : null;
  return {
    source: facts.source,
    actor: adderLogin ?? login(facts.runActor),
    label: facts.source === 'label' ? text(facts.label) : null,
    permission: adderLogin && adder ? text(adder.permission) : null,
  };
}

/** A GitHub login: 1 to 39 letters, digits and single hyphens, or an app's `name[bot]`. */
export const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;

function exactKeys(
  doc: { [key: string]: Json },
  keys: readonly string[],
  prefix: string,
  fail: (p: string) => never,
  optional: readonly string[] = [],
): void {
  for (const key of Object.keys(doc))
    if (!keys.includes(key) && !optional.includes(key)) fail(`unknown key '${prefix}${key}'`);
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
