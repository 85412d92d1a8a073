// Rolling over cells: which cells go in which wave. Waves are cumulative sizes per region (a count or a
// share, rounded up), never cross the chosen boundary, and regions go one after the other (issue 12).
import { InputError, quote } from '../shared/index';

/** Where a cell is: the part of a cell the wave planner needs. */
export interface CellPlace {
  name: string;
  region: string;
  zone: string | null;
}

/** A wave may not hold cells of two regions (`region`), of two zones (`zone`), or either (`none`). */
export const WAVE_BOUNDARIES = ['region', 'zone', 'none'] as const;
export type WaveBoundary = (typeof WAVE_BOUNDARIES)[number];

/** What a failing wave sends back: every moved cell, the failing wave's cells, or nothing (stop). */
export const ON_FAILURE = ['rollback-all', 'rollback-wave', 'halt'] as const;
export type OnFailure = (typeof ON_FAILURE)[number];

/** One cumulative wave size: a number of cells, or a share of the cells (rounded up). */
export type WaveSize = { count: number } | { percent: number };

/** The largest share of a region (or zone) a one-box may hold. */
export const ONE_BOX_MAX_SHARE = 10;

const WAVES_ALLOWED =
  'cumulative wave sizes that grow and end at 100%, each a count (1) or a percent (10%), such as 1,10%,50%,100%';

/** Parses `waves` (`1,10%,50%,100%`): counts and percents, each growing over the last of its kind, ending at 100%. */
export function parseWaveSizes(input: string, value: string | readonly (string | number)[]): WaveSize[] {
  const items = (typeof value === 'string' ? value.split(/[,\s]+/) : value.map(String))
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw new InputError(input, value, WAVES_ALLOWED);
  const sizes: WaveSize[] = [];
  let lastCount = 0;
  let lastPercent = 0;
  for (const item of items) {
    const match = /^(\d+)(%?)$/.exec(item);
    if (!match) throw new InputError(input, value, WAVES_ALLOWED);
    const n = Number(match[1]);
    if (match[2] === '%') {
      if (n > 100) {
        throw new InputError(input, value, WAVES_ALLOWED, {
          message: `Input '${input}' has ${item}, which exceeds 100%; waves are cumulative shares of the cells (${WAVES_ALLOWED}), got ${quote(value)}`,
        });
      }
      if (n <= lastPercent || n === 0) {
        throw new InputError(input, value, WAVES_ALLOWED, {
          message: `Input '${input}' does not grow at ${item}: waves are cumulative, each share above the last (${WAVES_ALLOWED}), got ${quote(value)}`,
        });
      }
      lastPercent = n;
      sizes.push({ percent: n });
    } else {
      if (n <= lastCount) {
        throw new InputError(input, value, WAVES_ALLOWED, {
          message: `Input '${input}' does not grow at ${item}: waves are cumulative, each count above the last (${WAVES_ALLOWED}), got ${quote(value)}`,
        });
      }
      lastCount = n;
      sizes.push({ count: n });
    }
  }
  const last = sizes[sizes.length - 1]!;
  if (!('percent' in last) || last.percent !== 100) {
    throw new InputError(input, value, WAVES_ALLOWED, {
      message: `Input '${input}' must end at 100% so every cell is reached (${WAVES_ALLOWED}), got ${quote(value)}`,
    });
  }
  return sizes;
}

/** Formats wave sizes back the way they are written. */
export function formatWaveSizes(sizes: readonly WaveSize[]): string {
  return sizes.map((s) => ('count' in s ? String(s.count) : `${s.percent}%`)).join(',');
}

/** One wave of a cell rollout. */
export interface Wave {
  /** 1-based, across regions. */
  wave: number;
  /** The region of the wave's cells (`*` when `wave-boundary` is `none` and it spans regions). */
  region: string;
  /** The zone of every cell of the wave, when they share one. */
  zone: string | null;
  cells: string[];
}

/** What the wave planner takes. */
export interface WavePlanRequest {
  cells: readonly CellPlace[];
  sizes: readonly WaveSize[];
  boundary: WaveBoundary;
  /** Region order; null: order of first appearance. */
  regions: readonly string[] | null;
  /** Refuse (rather than warn about) a one-box above 10% of its region or zone. */
  strictOneBox: boolean;
}

/** The waves, in order, and what the planner warns about. */
export interface WavePlan {
  waves: Wave[];
  regions: string[];
  warnings: string[];
}

/**
 * Splits cells into waves: per region in order (or all cells as one pool with `wave-boundary: none`),
 * cumulative sizes rounded up; with `zone`, a wave is split where the zone changes. Refuses duplicate
 * names, a cell in a region missing from `regions`, and (with `strict-one-box`) a one-box above 10%.
 */
export function planCellWaves(request: WavePlanRequest): WavePlan {
  const { cells, sizes, boundary } = request;
  if (cells.length === 0) throw new InputError('cells', '', 'at least one cell');
  const seen = new Set<string>();
  for (const cell of cells) {
    if (seen.has(cell.name)) {
      throw new InputError(`cells.${cell.name}.name`, cell.name, 'a name no other cell has', {
        message: `Input 'cells' has two cells named '${cell.name}'; cell names must be unique`,
      });
    }
    seen.add(cell.name);
  }
  const appearing = [...new Set(cells.map((c) => c.region))];
  const regions = request.regions ? [...request.regions] : appearing;
  for (const cell of cells) {
    if (!regions.includes(cell.region)) {
      throw new InputError(
        `cells.${cell.name}.region`,
        cell.region,
        `one of the regions (${regions.join(', ')})`,
        {
          message: `Cell '${cell.name}' is in region '${cell.region}', which 'parameters.regions' (${regions.join(', ')}) does not list; add it to regions or remove the cell`,
        },
      );
    }
  }
  for (const region of regions) {
    if (!appearing.includes(region)) {
      throw new InputError('parameters.regions', regions.join(','), 'regions that have cells', {
        message: `Input 'parameters.regions' lists '${region}', which no cell is in (cells are in ${appearing.join(', ')})`,
      });
    }
  }
  const warnings: string[] = [];
  const pools: { region: string; cells: CellPlace[] }[] =
    boundary === 'none'
      ? [{ region: '*', cells: regions.flatMap((r) => orderByZone(cells.filter((c) => c.region === r))) }]
      : regions.map((region) => ({ region, cells: orderByZone(cells.filter((c) => c.region === region)) }));
  const waves: Wave[] = [];
  const small: string[] = [];
  for (const pool of pools) {
    const total = pool.cells.length;
    let done = 0;
    let oneBox = true;
    for (const size of sizes) {
      const target = Math.min(
        total,
        'count' in size ? size.count : Math.ceil((size.percent * total) / 100 - 1e-9),
      );
      if (target <= done) continue;
      const slice = pool.cells.slice(done, target);
      const parts = boundary === 'zone' ? splitByZone(slice) : [slice];
      for (const part of parts) {
        if (oneBox) checkOneBox(part, pool, { boundary, strict: request.strictOneBox, warnings, small });
        oneBox = false;
        const zones = [...new Set(part.map((c) => c.zone))];
        const partRegions = [...new Set(part.map((c) => c.region))];
        waves.push({
          wave: waves.length + 1,
          region: partRegions.length === 1 ? partRegions[0]! : '*',
          zone: zones.length === 1 ? (zones[0] ?? null) : null,
          cells: part.map((c) => c.name),
        });
      }
      done = target;
    }
  }
  // A pool of fewer than 10 cells cannot have a one-box of 10% or less: said once, not once per region.
  if (small.length > 0) {
    warnings.push(
      `${small.join(', ')} ${small.length === 1 ? 'has' : 'have'} fewer than ${100 / ONE_BOX_MAX_SHARE} cells, so ${small.length === 1 ? 'its' : 'each'} one-box (a single cell) serves more than ${ONE_BOX_MAX_SHARE}% of it; that is the smallest one-box possible`,
    );
  }
  return { waves, regions, warnings };
}

function orderByZone(cells: CellPlace[]): CellPlace[] {
  const zones = [...new Set(cells.map((c) => c.zone))];
  return zones.flatMap((zone) => cells.filter((c) => c.zone === zone));
}

function splitByZone(cells: CellPlace[]): CellPlace[][] {
  const parts: CellPlace[][] = [];
  for (const cell of cells) {
    const last = parts[parts.length - 1];
    if (last && last[0]!.zone === cell.zone) last.push(cell);
    else parts.push([cell]);
  }
  return parts;
}

function checkOneBox(
  box: CellPlace[],
  pool: { region: string; cells: CellPlace[] },
  rules: { boundary: WaveBoundary; strict: boolean; warnings: string[]; small: string[] },
): void {
  const share = (100 * box.length) / pool.cells.length;
  if (share <= ONE_BOX_MAX_SHARE) return;
  // Cells named without a region (the `cells` parameter alone) are one unnamed pool.
  const where = rules.boundary === 'none' || pool.region === '-' ? 'all cells' : `region ${pool.region}`;
  const message = `the one-box of ${where} (${box.map((c) => c.name).join(', ')}) holds ${box.length} of ${pool.cells.length} cells (${Math.round(share)}%), more than ${ONE_BOX_MAX_SHARE}%`;
  if (rules.strict) {
    throw new InputError('parameters.strict-one-box', 'true', '', {
      message: `Input 'parameters.strict-one-box' is true and ${message}; add cells to the region or set strict-one-box to false`,
    });
  }
  // A single cell is the smallest one-box there is: above 10% only because the pool is small.
  if (box.length === 1) {
    const count = `${pool.cells.length} cell${pool.cells.length === 1 ? '' : 's'}`;
    rules.small.push(where === 'all cells' ? `the rollout (${count})` : `${where} (${count})`);
    return;
  }
  const fits = Math.max(1, Math.floor((ONE_BOX_MAX_SHARE * pool.cells.length) / 100));
  rules.warnings.push(
    `${message}; a one-box of ${fits} cell${fits === 1 ? '' : 's'} would hold at most ${ONE_BOX_MAX_SHARE}% (set the first of 'waves' to ${fits})`,
  );
}
