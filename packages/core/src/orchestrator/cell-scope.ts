// A rollout over cells, outside the waves themselves: which cells a run has (from the state or their
// definitions), the order of regions and `only-region`, and what a failed, cancelled or later rollback
// sends back.
import { InputError, quote } from '../shared/index';
import type { CellState, RolloutState } from '../rollout/index';
import type { OnFailure, Step } from '../strategy/index';
import type { TargetPair } from '../traffic/index';
import type { Cell } from '../config/index';
import type { RunContext } from './context';
import type { RunPlanOptions } from './types';

type Batch = Extract<Step, { kind: 'batch' }>;

/** True when the run moves cells: the state has them, or the run was given their definitions. */
export function isCellRun(options: RunPlanOptions): boolean {
  return Boolean(options.state.cells ?? (options.cells && options.cells.length > 0));
}

/**
 * The state with its cells: from the state when it has them (the given definitions must then name the
 * same cells), else from the definitions and the plan's waves. Refuses a wave naming an unknown cell.
 */
export function withCells(state: RolloutState, defined: readonly Cell[] | null | undefined): RolloutState {
  const waveOf = new Map<string, number>();
  for (const step of state.plan)
    if (step.kind === 'batch') for (const c of step.cells) waveOf.set(c, step.batch);
  if (state.cells) {
    const known = Object.keys(state.cells);
    const given = (defined ?? []).map((c) => c.name);
    if (given.length > 0 && given.sort().join() !== [...known].sort().join()) {
      throw new InputError('cells', given.join(', '), `the cells of the state (${known.join(', ')})`);
    }
    return state;
  }
  const cells: Record<string, CellState> = {};
  const byName = new Map((defined ?? []).map((c) => [c.name, c]));
  for (const [name] of waveOf) {
    const cell = byName.get(name);
    if (!cell) {
      throw new InputError('cells', name, '', {
        message: `The plan's waves name cell '${name}', which the 'cells' given do not define (they define ${(defined ?? []).map((c) => c.name).join(', ') || 'none'}); nothing was changed`,
      });
    }
    cells[name] = {
      region: cell.region,
      zone: cell.zone,
      wave: waveOf.get(name)!,
      status: 'untouched',
      routes: [...cell.routes],
      'stable-target-group-arn': cell['stable-target-group-arn'],
      'canary-target-group-arn': cell['canary-target-group-arn'],
      alarms: [...cell.alarms],
      weight: 0,
    };
  }
  return { ...state, cells };
}

/** The region of each remaining wave's cells: `*` for a wave over several regions (`wave-boundary: none`). */
function waveRegion(state: RolloutState, step: Batch): string {
  const regions = [...new Set(step.cells.map((c) => state.cells?.[c]?.region ?? '-'))];
  return regions.length === 1 ? regions[0]! : '*';
}

/** The regions of a rollout over cells in the order its waves reach them (the workflow's region jobs). */
export function waveRegions(state: RolloutState): string[] {
  if (!state.cells) return [];
  const order: string[] = [];
  for (const step of state.plan) {
    if (step.kind !== 'batch') continue;
    for (const cell of step.cells) {
      const region = state.cells[cell]?.region;
      if (region !== undefined && !order.includes(region)) order.push(region);
    }
  }
  return order;
}

/**
 * `only-region`: refuses, before anything moves, a region whose waves are not next in the state (a
 * region job run out of order, or one whose region is done), and a plan whose waves cross regions.
 */
export function checkOnlyRegion(state: RolloutState, region: string): void {
  const regions = waveRegions(state);
  if (!regions.includes(region)) {
    throw new InputError('only-region', region, `a region of the rollout's cells (${regions.join(', ')})`);
  }
  const next = state.plan.slice(state.step).find((s): s is Batch => s.kind === 'batch');
  const at = next ? waveRegion(state, next) : null;
  if (at === '*') {
    throw new InputError('only-region', region, '', {
      message: `Input 'only-region' is '${region}', but wave ${next!.batch} holds cells of several regions (wave-boundary: none); run such a plan without only-region`,
    });
  }
  if (at !== region) {
    throw new InputError('only-region', region, '', {
      message: `Input 'only-region' is '${region}', but the state's next wave ${next ? `(${next.batch}) is in ${at}` : 'does not exist: every wave has run'}; run the regions in order (${regions.join(', ')}), each resuming from the state the one before it returned`,
    });
  }
}

/**
 * With `only-region`, whether step `index` is a wave of another region: the run ends `paused` there,
 * for the next region's job (an approval before a region pauses by itself, past the approval). Returns
 * the reason, or null to go on.
 */
export function leavesRegion(state: RolloutState, index: number, region: string): string | null {
  const step = state.plan[index];
  if (step?.kind !== 'batch') return null;
  const at = waveRegion(state, step);
  if (at === region) return null;
  const done = state.plan
    .slice(0, index)
    .filter((s): s is Batch => s.kind === 'batch' && waveRegion(state, s) === region)
    .map((s) => s.batch);
  return `paused: region ${region} is done (wave${done.length === 1 ? '' : 's'} ${done.join(', ')} promoted); wave ${step.batch} is in ${at}: run-plan with only-region ${at} resumes from the state`;
}

/** The pair of target groups of a cell. */
export function cellPair(cell: CellState): TargetPair {
  return { stable: cell['stable-target-group-arn'], canary: cell['canary-target-group-arn'] };
}

/** What a failed or cancelled cell run sends back, per `on-failure` (a cancel always sends back all). */
export function cellRollbackScope(
  run: RunContext,
  cancelled: boolean,
): { routes: string[]; pairs: Record<string, TargetPair>; halt: boolean } | null {
  const cells = run.state.cells;
  if (!cells) return null;
  const onFailure = (run.state.parameters['on-failure'] as OnFailure | undefined) ?? 'rollback-all';
  const moved = Object.values(cells).filter((c) => c.status === 'in-progress' || c.status === 'promoted');
  const chosen =
    cancelled || onFailure === 'rollback-all'
      ? moved
      : onFailure === 'rollback-wave'
        ? moved.filter((c) => c.status === 'in-progress')
        : [];
  const pairs: Record<string, TargetPair> = {};
  for (const cell of chosen) for (const route of cell.routes) pairs[route] = cellPair(cell);
  return { routes: Object.keys(pairs), pairs, halt: !cancelled && onFailure === 'halt' };
}

const ARN_REGION = /^arn:aws(?:-[a-z]+)*:elasticloadbalancing:([a-z0-9-]+):/;

/**
 * What a rollback of a state over cells sends back: every moved cell's routes (in progress or
 * promoted), each with its own target groups. With `defined` (the config environment's cells or a
 * `cells` input), the routes and target groups come from there, and each moved cell's must be the ones
 * the state records: a cell the definitions lack, or an ARN that differs, is refused before anything
 * moves. Every ARN must be in its cell's region. Rolled-back and untouched cells are left alone, so a
 * second rollback changes nothing.
 */
export function cellRollbackRoutes(
  state: RolloutState,
  defined: readonly Cell[] | null,
  input = 'cells',
): { routes: string[]; pairs: Record<string, TargetPair>; cells: string[] } {
  const pairs: Record<string, TargetPair> = {};
  const names: string[] = [];
  for (const [name, cell] of Object.entries(state.cells ?? {})) {
    if (cell.status !== 'in-progress' && cell.status !== 'promoted') continue;
    let routes = cell.routes;
    let pair = cellPair(cell);
    if (defined) {
      const def = defined.find((c) => c.name === name);
      if (!def) {
        throw new InputError(`${input}.${name}`, '', '', {
          message: `The state's cell '${name}' is ${cell.status}, but the ${input} given do not define it (they define ${defined.map((c) => c.name).join(', ') || 'none'}); nothing was changed`,
        });
      }
      const differs = (field: string, recorded: string, given: string) => {
        throw new InputError(`${input}.${name}.${field}`, given, '', {
          message: `Cell '${name}' has '${field}' ${quote(given)} in the ${input} given, but the state records ${quote(recorded)}; nothing was changed`,
        });
      };
      const sorted = (list: readonly string[]) => [...list].sort().join('\n');
      if (sorted(def.routes) !== sorted(cell.routes))
        differs('listener-arn', cell.routes.join(', '), def.routes.join(', '));
      if (def['stable-target-group-arn'] !== cell['stable-target-group-arn'])
        differs('stable-target-group-arn', cell['stable-target-group-arn'], def['stable-target-group-arn']);
      if (def['canary-target-group-arn'] !== cell['canary-target-group-arn'])
        differs('canary-target-group-arn', cell['canary-target-group-arn'], def['canary-target-group-arn']);
      routes = def.routes;
      pair = { stable: def['stable-target-group-arn'], canary: def['canary-target-group-arn'] };
    }
    for (const arn of [...routes, pair.stable, pair.canary]) {
      const region = ARN_REGION.exec(arn)?.[1];
      if (region !== cell.region) {
        throw new InputError('state', arn, '', {
          message: `Cell '${name}' is in ${cell.region}, but the state names ${quote(arn)}${region ? ` in ${region}` : ', which is not an ELBv2 ARN'}; a cell's ARNs are in its region, so nothing was changed`,
        });
      }
    }
    for (const route of routes) pairs[route] = pair;
    names.push(name);
  }
  return { routes: Object.keys(pairs), pairs, cells: names };
}

/**
 * Reads, once per region before anything moves, the run's alarms and the alarms of that region's cells:
 * an alarm that does not exist (an `InputError` from the source) refuses the run with nothing changed.
 */
export async function checkCellAlarms(options: RunPlanOptions, state: RolloutState): Promise<void> {
  const cells = Object.values(state.cells ?? {});
  for (const region of [...new Set(cells.map((c) => c.region))]) {
    const names = [
      ...new Set([
        ...options.gates.alarms,
        ...cells.filter((c) => c.region === region).flatMap((c) => c.alarms),
      ]),
    ];
    if (names.length > 0) await options.cellAlarms!(region).states(names);
  }
}
