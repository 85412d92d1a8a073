// The cells of a rolling rollout as the state records them: where each is, its wave, its status and the
// routes it switches. Read as untrusted data, like the rest of a state.
import { fieldProblem, isObject, type Json } from '../shared/index';

/** A whole percentage from 0 to 100, as a forward action's weight. */
export function isWeight(value: Json | undefined): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 100;
}

/**
 * The largest planned state over cells the actions can carry, in characters. Every action receives the
 * state as an input, which the runner passes as an environment variable (`INPUT_STATE`), and Linux refuses
 * to start a process with one longer than 128 KiB (MAX_ARG_STRLEN: "Argument list too long"). The state
 * grows by about half as cells record the weights they had, so at most two thirds of it can be planned:
 * about 170 cells with ARNs of the usual length.
 */
export const MAX_PLANNED_CELL_STATE = 85_000;

/** Where a cell stands: not reached yet, switched in a running (or halted) wave, done, or sent back. */
export const CELL_STATUSES = ['untouched', 'in-progress', 'promoted', 'rolled-back'] as const;
export type CellStatus = (typeof CELL_STATUSES)[number];

/** One cell of a rolling rollout: where it is, its wave, its status, and the routes it switches. */
export interface CellState {
  region: string;
  zone: string | null;
  wave: number;
  status: CellStatus;
  /** Listener and rule ARNs, switched together. */
  routes: string[];
  'stable-target-group-arn': string;
  'canary-target-group-arn': string;
  alarms: string[];
  /** The canary weight last verified on the cell's routes. */
  weight: number;
}

const CELL_FIELDS: Record<keyof CellState, (v: Json | undefined) => boolean> = {
  region: (v) => typeof v === 'string' && v !== '',
  zone: (v) => v === null || (typeof v === 'string' && v !== ''),
  wave: (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1,
  status: (v) => typeof v === 'string' && (CELL_STATUSES as readonly string[]).includes(v),
  routes: (v) => Array.isArray(v) && v.length > 0 && v.every((r) => typeof r === 'string' && r !== ''),
  'stable-target-group-arn': (v) => typeof v === 'string' && v !== '',
  'canary-target-group-arn': (v) => typeof v === 'string' && v !== '',
  alarms: (v) => Array.isArray(v) && v.every((a) => typeof a === 'string'),
  weight: isWeight,
};

/** Reads a state's `cells`: null, or cell name → {@link CellState}, every field checked. */
export function parseCellStates(
  value: Json,
  fail: (problem: string) => never,
): Record<string, CellState> | null {
  if (value === null) return null;
  if (!isObject(value)) return fail("'cells' must be null or an object of cell name to cell");
  for (const [name, cell] of Object.entries(value)) {
    // A state is untrusted data: cell names, regions, zones and ARNs are held to the field rules too.
    const nameProblem = fieldProblem('name', name);
    if (nameProblem) fail(`a cell name ${nameProblem}`);
    if (!isObject(cell)) fail(`'cells.${name}' must be an object`);
    const fields = cell as Record<string, Json>;
    for (const key of ['region', 'zone'] as const) {
      const problem = fields[key] === null ? null : fieldProblem('name', fields[key]);
      if (problem) fail(`'cells.${name}.${key}' ${problem}`);
    }
    for (const arn of [
      ...(Array.isArray(fields.routes) ? fields.routes : []),
      fields['stable-target-group-arn'],
      fields['canary-target-group-arn'],
    ]) {
      const problem = typeof arn === 'string' ? fieldProblem('arn', arn) : null;
      if (problem) fail(`'cells.${name}' ${problem}`);
    }
    for (const alarm of Array.isArray(fields.alarms) ? fields.alarms : []) {
      const problem = fieldProblem('text', alarm);
      if (problem) fail(`'cells.${name}.alarms' ${problem}`);
    }
    const entry = cell as Record<string, Json>;
    for (const key of Object.keys(entry)) {
      if (!(key in CELL_FIELDS)) fail(`'cells.${name}' has unknown key '${key}'`);
    }
    for (const [key, ok] of Object.entries(CELL_FIELDS)) {
      if (!ok(entry[key])) fail(`'cells.${name}.${key}' is missing or malformed`);
    }
  }
  return value as unknown as Record<string, CellState>;
}
