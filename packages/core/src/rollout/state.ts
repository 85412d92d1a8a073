import { isWeight, parseCellStates, type CellState } from './cells';
import { parseServiceStates, type ServiceState } from './services';
import {
  fieldProblem,
  InputError,
  isObject,
  notJson,
  showValue,
  type FieldKind,
  type Json,
} from '../shared/index';
import { STRATEGY_NAMES, type Step, type StrategyName } from '../strategy/index';
import { parseFlagState, type FlagState } from '../flags/index';

/** The rollout state's schema version. Bumped on any change that an older reader would misread. */
export const ROLLOUT_STATE_VERSION = 1;

/** A parameter value as it appears in a plan: numbers, strings, lists of either, booleans. */
export type ParameterValue = string | number | boolean | readonly number[] | readonly string[];

/** One target group's weight in a forward action, exactly as ELBv2 reports it. */
export interface TargetWeight {
  'target-group-arn': string;
  weight: number;
}

/** A stable/canary split in whole percent; the two add up to 100. */
export interface Split {
  stable: number;
  canary: number;
}

/** Per route (listener or rule ARN), the target groups of its forward action and their weights. */
export type RouteWeights = Record<string, TargetWeight[]>;

/** Where a rollout stands. */
export const ROLLOUT_STATUSES = [
  'planned',
  'in-progress',
  'paused',
  'promoted',
  'rolled-back',
  'failed',
] as const;
export type RolloutStatus = (typeof ROLLOUT_STATUSES)[number];

/**
 * The one document every action takes and emits, so steps and jobs chain and rollback can restore
 * exactly what was there. Stored in the GitHub deployment payload too. Keys are kebab-case.
 */
export interface RolloutState {
  'schema-version': typeof ROLLOUT_STATE_VERSION;
  strategy: StrategyName;
  parameters: Record<string, ParameterValue>;
  plan: Step[];
  /** Saga only: the steps that undo the plan, in the order they run (reverse of deployment). */
  compensation: Step[];
  /** Index of the next plan step to run; equals `plan.length` when the plan is done. */
  step: number;
  status: RolloutStatus;
  environment: string | null;
  /** The application version being deployed, as the user names it (tag, image digest, sha). */
  version: string | null;
  'deployment-id': number | null;
  'load-balancer-arn': string | null;
  /** Listener or rule ARNs whose forward action carries the stable and canary target groups. */
  routes: string[];
  'stable-target-group-arn': string | null;
  'canary-target-group-arn': string | null;
  /** Per route, the forward action's weights before shiftgate first touched it. */
  'initial-weights': RouteWeights | null;
  /** The last verified canary/stable split. */
  weights: Split | null;
  /**
   * Rolling over cells: each cell by name, in rollout order; null otherwise. Optional in a parsed
   * document, so states written before cells existed still read.
   */
  cells?: Record<string, CellState> | null;
  /**
   * Saga only: each service by name, in deployment order, with where it stands (never its commands);
   * absent or null before a run recorded any. Optional, so states written before it still read.
   */
  services?: ServiceState[] | null;
  /**
   * A/B only: the audience rule the run created, for messages (it is removed only when found by this
   * rollout's tag, never by this value: a state is data). Optional, so older states still read.
   */
  'audience-rule'?: string | null;
  /**
   * Feature flags on AWS AppConfig: the flag's ids, the version to return to and the deployments
   * started; absent otherwise (optional, so states written before it still read).
   */
  flag?: FlagState | null;
  'created-at': string;
  'updated-at': string;
}

/** What a new rollout state is made from. */
export interface NewStateOptions {
  strategy: StrategyName;
  parameters: Record<string, ParameterValue>;
  plan: Step[];
  compensation?: Step[];
  environment?: string | null;
  version?: string | null;
  now: Date;
}

/** Creates the state of a rollout that has been planned and not started. */
export function createRolloutState(options: NewStateOptions): RolloutState {
  const at = options.now.toISOString();
  return {
    'schema-version': ROLLOUT_STATE_VERSION,
    strategy: options.strategy,
    parameters: options.parameters,
    plan: options.plan,
    compensation: options.compensation ?? [],
    step: 0,
    status: 'planned',
    environment: options.environment ?? null,
    version: options.version ?? null,
    'deployment-id': null,
    'load-balancer-arn': null,
    routes: [],
    'stable-target-group-arn': null,
    'canary-target-group-arn': null,
    'initial-weights': null,
    weights: null,
    'created-at': at,
    'updated-at': at,
  };
}

/** Serialises a state compactly (it travels through step outputs and deployment payloads). */
export function serializeRolloutState(state: RolloutState): string {
  return JSON.stringify(state);
}

const KEYS: Record<keyof RolloutState, true> = {
  'schema-version': true,
  strategy: true,
  parameters: true,
  plan: true,
  compensation: true,
  step: true,
  status: true,
  environment: true,
  version: true,
  'deployment-id': true,
  'load-balancer-arn': true,
  routes: true,
  'stable-target-group-arn': true,
  'canary-target-group-arn': true,
  'initial-weights': true,
  weights: true,
  cells: true,
  services: true,
  'audience-rule': true,
  flag: true,
  'created-at': true,
  'updated-at': true,
};

/**
 * Parses a rollout state strictly: valid JSON, the current schema version, every key known and of the
 * right type, a valid plan, and every name, version, environment, ARN and text within the field rules
 * an input is held to (bounded, no control characters). A state is data, never code: it may come from
 * a deployment payload anyone with `deployments: write` can write. `input` names the input or file it
 * came from, for the error message.
 */
export function parseRolloutState(input: string, text: string): RolloutState {
  const fail = (problem: string): never => {
    throw new InputError(input, text, 'a rollout state emitted by a shiftgate action', {
      message: `Input '${input}' is not a shiftgate rollout state: ${problem}`,
    });
  };
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch (error) {
    return fail(notJson(error));
  }
  if (!isObject(doc)) return fail('expected a JSON object');
  const version = doc['schema-version'];
  if (version === undefined) return fail("it has no 'schema-version'");
  if (version !== ROLLOUT_STATE_VERSION) {
    return fail(
      typeof version === 'number' && version > ROLLOUT_STATE_VERSION
        ? `'schema-version' ${version} was written by a newer shiftgate; this one reads ${ROLLOUT_STATE_VERSION}`
        : `'schema-version' must be ${ROLLOUT_STATE_VERSION}, got ${JSON.stringify(version)}`,
    );
  }
  for (const key of Object.keys(doc)) {
    if (!(key in KEYS)) fail(`unknown key '${key}'`);
  }
  for (const key of Object.keys(KEYS)) {
    if (!(key in doc) && key !== 'cells' && key !== 'services' && key !== 'audience-rule' && key !== 'flag')
      fail(`missing key '${key}'`);
  }
  const str = (key: string): string => {
    const v = doc[key];
    return typeof v === 'string' && v !== '' ? v : fail(`'${key}' must be a non-empty string`);
  };
  const field = (key: string, kind: FieldKind): string | null => {
    if (doc[key] === null) return null;
    const problem = fieldProblem(kind, doc[key]);
    return problem === null ? (doc[key] as string) : fail(`'${key}' ${problem}`);
  };
  const strategy = str('strategy');
  if (!(STRATEGY_NAMES as readonly string[]).includes(strategy)) {
    fail(`'strategy' must be one of ${STRATEGY_NAMES.join(', ')}, got ${showValue(strategy)}`);
  }
  const status = str('status');
  if (!(ROLLOUT_STATUSES as readonly string[]).includes(status)) {
    fail(`'status' must be one of ${ROLLOUT_STATUSES.join(', ')}, got ${showValue(status)}`);
  }
  const parameters = parseParameters(doc.parameters, fail);
  const plan = parseSteps('plan', doc.plan, fail);
  const compensation = parseSteps('compensation', doc.compensation, fail);
  const step = doc.step;
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0 || step > plan.length) {
    fail(
      `'step' must be a whole number from 0 to ${plan.length} (the plan's length), got ${JSON.stringify(step)}`,
    );
  }
  const deploymentId = doc['deployment-id'];
  if (
    deploymentId !== null &&
    (typeof deploymentId !== 'number' || !Number.isSafeInteger(deploymentId) || deploymentId < 1)
  ) {
    fail(`'deployment-id' must be null or a positive whole number, got ${JSON.stringify(deploymentId)}`);
  }
  const routes = doc.routes;
  if (!Array.isArray(routes)) return fail("'routes' must be a list of listener or rule ARNs");
  routes.forEach((route, index) => {
    const problem = fieldProblem('arn', route);
    if (problem !== null) fail(`'routes[${index}]' ${problem}`);
  });
  const initial = doc['initial-weights'];
  if (initial !== null) {
    if (!isObject(initial)) fail("'initial-weights' must be null or an object of route ARN to weights");
    for (const [route, list] of Object.entries(initial as Record<string, Json>)) {
      const problem = fieldProblem('arn', route);
      if (problem !== null) fail(`a route of 'initial-weights' ${problem}`);
      if (!Array.isArray(list) || !list.every(isTargetWeight)) {
        fail(
          `'initial-weights' of '${route}' must be a list of {"target-group-arn", "weight"} with target group ARNs and weights 0 to 999`,
        );
      }
    }
  }
  const weights = doc.weights;
  if (weights !== null) {
    if (
      !isObject(weights) ||
      Object.keys(weights).sort().join() !== 'canary,stable' ||
      !isWeight(weights.stable) ||
      !isWeight(weights.canary)
    ) {
      fail(`'weights' must be null or {"stable": 0-100, "canary": 0-100}, got ${JSON.stringify(weights)}`);
    }
  }
  for (const key of ['created-at', 'updated-at']) {
    const v = str(key);
    if (!ISO_TIME.test(v) || Number.isNaN(Date.parse(v)))
      fail(
        `'${key}' must be an ISO 8601 UTC timestamp such as 2026-01-10T14:05:00.000Z, got ${showValue(v)}`,
      );
  }
  const cells = parseCellStates(doc.cells ?? null, fail);
  const services = parseServiceStates(doc.services ?? null, plan, fail);
  const flag = parseFlagState(doc.flag ?? null, fail);
  return {
    'schema-version': ROLLOUT_STATE_VERSION,
    strategy: strategy as StrategyName,
    parameters,
    plan,
    compensation,
    step: step as number,
    status: status as RolloutStatus,
    environment: field('environment', 'environment'),
    version: field('version', 'version'),
    'deployment-id': deploymentId as number | null,
    'load-balancer-arn': field('load-balancer-arn', 'arn'),
    routes: routes as string[],
    'stable-target-group-arn': field('stable-target-group-arn', 'arn'),
    'canary-target-group-arn': field('canary-target-group-arn', 'arn'),
    'initial-weights': initial as RouteWeights | null,
    weights: weights as Split | null,
    ...(cells ? { cells } : {}),
    ...(services ? { services } : {}),
    ...(doc['audience-rule'] !== undefined && doc['audience-rule'] !== null
      ? { 'audience-rule': field('audience-rule', 'arn') }
      : {}),
    ...(flag ? { flag } : {}),
    'created-at': str('created-at'),
    'updated-at': str('updated-at'),
  };
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;
const PARAMETER_NAME = /^[a-z][a-z0-9-]{0,63}$/;

/**
 * A state's parameters: kebab-case names; numbers, booleans, strings and lists. Strings are held to the
 * command rule (a parameter may be a command, which preflight compares with this run's), list items to
 * the name rule (cells and services).
 */
function parseParameters(
  value: Json | undefined,
  fail: (problem: string) => never,
): Record<string, ParameterValue> {
  if (!isObject(value)) return fail("'parameters' must be an object");
  for (const [name, v] of Object.entries(value)) {
    if (!PARAMETER_NAME.test(name))
      fail(`'parameters' has a key that is not a parameter name: ${showValue(name)}`);
    const where = `'parameters.${name}'`;
    if (typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) fail(`${where} must be a finite number`);
    } else if (typeof v === 'string') {
      const problem = fieldProblem('command', v);
      if (problem !== null) fail(`${where} ${problem}`);
    } else if (Array.isArray(v) && v.every((item) => typeof item === 'number' && Number.isFinite(item))) {
      continue;
    } else if (Array.isArray(v) && v.every((item) => typeof item === 'string')) {
      v.forEach((item, index) => {
        const problem = fieldProblem('name', item);
        if (problem !== null) fail(`'parameters.${name}[${index}]' ${problem}`);
      });
    } else {
      fail(`${where} must be a number, boolean, string or a list of numbers or of names`);
    }
  }
  return value as Record<string, ParameterValue>;
}

function isTargetWeight(value: Json): boolean {
  return (
    isObject(value) &&
    Object.keys(value).sort().join() === 'target-group-arn,weight' &&
    fieldProblem('arn', value['target-group-arn']) === null &&
    typeof value.weight === 'number' &&
    Number.isInteger(value.weight) &&
    value.weight >= 0 &&
    value.weight <= 999
  );
}

const STEP_FIELDS: Record<Step['kind'], Record<string, 'number' | 'string' | 'boolean' | 'string[]'>> = {
  shift: { weight: 'number' },
  bake: { duration: 'string', 'duration-ms': 'number', promote: 'boolean' },
  gate: { name: 'string' },
  hook: { name: 'string', command: 'string', exposure: 'number' },
  approval: { reason: 'string' },
  batch: { batch: 'number', cells: 'string[]' },
  service: { service: 'string', order: 'number' },
  audience: { action: 'string', audience: 'string' },
};

/** The rule each text field of a step is held to; list fields (cells) hold names. */
const STEP_TEXT: Record<string, FieldKind> = {
  duration: 'name',
  name: 'name',
  command: 'command',
  reason: 'text',
  service: 'name',
};

function parseSteps(key: string, value: Json | undefined, fail: (problem: string) => never): Step[] {
  if (!Array.isArray(value)) return fail(`'${key}' must be a list of steps`);
  return value.map((raw, index) => {
    if (!isObject(raw) || typeof raw.kind !== 'string' || !(raw.kind in STEP_FIELDS)) {
      return fail(
        `'${key}[${index}]' must be a step with 'kind' one of ${Object.keys(STEP_FIELDS).join(', ')}`,
      );
    }
    const fields = STEP_FIELDS[raw.kind as Step['kind']];
    for (const field of Object.keys(raw)) {
      if (field !== 'kind' && !(field in fields))
        fail(`'${key}[${index}]' (${raw.kind}) has unknown key '${field}'`);
    }
    for (const [field, type] of Object.entries(fields)) {
      const v = raw[field];
      const ok =
        type === 'string[]' ? Array.isArray(v) && v.every((s) => typeof s === 'string') : typeof v === type;
      if (!ok) fail(`'${key}[${index}].${field}' must be a ${type}`);
      const kind = STEP_TEXT[field];
      // A flag step of another provider (AppConfig) carries no command: empty is fine, never run.
      const none = field === 'command' && v === '';
      for (const [at, text] of (Array.isArray(v) ? v : kind && !none ? [v] : []).entries()) {
        const problem = fieldProblem(kind ?? 'name', text);
        const path = Array.isArray(v) ? `${field}[${at}]` : field;
        if (problem !== null) fail(`'${key}[${index}].${path}' ${problem}`);
      }
    }
    if (raw.kind === 'audience' && raw.action !== 'route' && raw.action !== 'remove')
      fail(`'${key}[${index}].action' must be 'route' or 'remove', got ${JSON.stringify(raw.action)}`);
    if (raw.kind === 'shift' && !isWeight(raw.weight)) {
      fail(
        `'${key}[${index}].weight' must be a whole percentage from 0 to 100, got ${JSON.stringify(raw.weight)}`,
      );
    }
    return raw as unknown as Step;
  });
}

/** The statuses of a rollout that traffic may still move for. */
export const ACTIVE_STATUSES: readonly RolloutStatus[] = ['planned', 'in-progress', 'paused'];

/**
 * Refuses (input `state`) a rollout that is no longer active: promoted, rolled back or failed. `doing`
 * completes the message, e.g. `run-plan runs` or `shift-traffic moves traffic only for`.
 */
export function requireActiveState(state: RolloutState, text: string, doing: string): void {
  if (ACTIVE_STATUSES.includes(state.status)) return;
  throw new InputError('state', text, 'a rollout in progress', {
    message: `Input 'state' is a rollout that is ${state.status}; ${doing} a rollout that is ${ACTIVE_STATUSES.join(', ')}. Start a new rollout with select-strategy.`,
  });
}
