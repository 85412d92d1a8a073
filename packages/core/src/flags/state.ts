// What a rollout state records of an AppConfig flag rollout: the resolved ids, the version to return to,
// and every deployment shiftgate started. Data, read as untrusted like the rest of a state.
import { fieldProblem, isObject, showValue, type Json } from '../shared/index';
import { APPCONFIG_ID, FLAG_KEY } from './settings';

/** One AppConfig deployment shiftgate started: a flag step's exposure, or a revert (exposure 0). */
export interface FlagDeploymentRecord {
  /** AppConfig's deployment number in the environment. */
  number: number;
  /** The hosted configuration version it deploys. */
  version: number;
  /** The flag's exposure in percent (0 for a revert to the version before the rollout). */
  exposure: number;
  /** With cells: the cells that have the flag; null without cells. */
  cells: string[] | null;
}

/** The `flag` of a rollout state: where the AppConfig flag is, and what shiftgate deployed there. */
export interface FlagState {
  provider: 'appconfig';
  /** Ids, resolved from the names once, before the first step. */
  application: string;
  environment: string;
  profile: string;
  'flag-name': string;
  'deployment-strategy': string;
  /** The hosted configuration version that was deployed before the first step: a revert deploys it again. */
  'previous-version': number;
  deployments: FlagDeploymentRecord[];
}

const isCount = (v: Json | undefined, min: number) =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= min;

/** Reads a state's `flag`: null, or a {@link FlagState} with every field checked. */
export function parseFlagState(value: Json, fail: (problem: string) => never): FlagState | null {
  if (value === null) return null;
  if (!isObject(value)) return fail("'flag' must be null or an object");
  const keys = [
    'provider',
    'application',
    'environment',
    'profile',
    'flag-name',
    'deployment-strategy',
    'previous-version',
    'deployments',
  ];
  for (const key of Object.keys(value)) if (!keys.includes(key)) fail(`'flag' has unknown key '${key}'`);
  if (value.provider !== 'appconfig')
    fail(`'flag.provider' must be 'appconfig', got ${showValue(value.provider)}`);
  for (const key of ['application', 'environment', 'profile'] as const) {
    const v = value[key];
    if (typeof v !== 'string' || !APPCONFIG_ID.test(v))
      fail(
        `'flag.${key}' must be an AppConfig id (4 to 7 lowercase letters and digits), got ${showValue(v)}`,
      );
  }
  if (typeof value['flag-name'] !== 'string' || !FLAG_KEY.test(value['flag-name']))
    fail(`'flag.flag-name' must be a flag key, got ${showValue(value['flag-name'])}`);
  const strategy = fieldProblem('name', value['deployment-strategy']);
  if (strategy !== null) fail(`'flag.deployment-strategy' ${strategy}`);
  if (!isCount(value['previous-version'], 1))
    fail("'flag.previous-version' must be a hosted configuration version number (1 or more)");
  const deployments = value.deployments;
  if (!Array.isArray(deployments)) return fail("'flag.deployments' must be a list");
  deployments.forEach((d, i) => {
    const where = `'flag.deployments[${i}]'`;
    if (!isObject(d)) return fail(`${where} must be an object`);
    if (Object.keys(d).sort().join() !== 'cells,exposure,number,version')
      fail(`${where} must have exactly number, version, exposure and cells`);
    if (!isCount(d.number, 1) || !isCount(d.version, 1))
      fail(`${where} must have a deployment number and a version of 1 or more`);
    if (!isCount(d.exposure, 0) || (d.exposure as number) > 100)
      fail(`${where}.exposure must be a whole percentage from 0 to 100`);
    if (d.cells !== null) {
      if (!Array.isArray(d.cells)) fail(`${where}.cells must be null or a list of cell names`);
      for (const cell of d.cells as Json[]) {
        const problem = fieldProblem('name', cell);
        if (problem !== null) fail(`${where}.cells ${problem}`);
      }
    }
    return undefined;
  });
  return value as unknown as FlagState;
}
