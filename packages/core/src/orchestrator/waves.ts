// Rolling over cells (issue 12): a `batch` step is one wave. Its cells are switched through `cell-steps`
// (each cell all or nothing, compare-and-set, read-back, at most `max-unavailable` at once), then the
// wave bakes: every cell judged against the cells of its region still on the old version (absolute
// gates where none remain), and the wave as a whole. One metric read per region per poll.
import { errorMessage, formatDuration, InputError, parseDuration } from '../shared/index';
import {
  judge,
  overThresholds,
  serializeTrace,
  type AlarmState,
  type Evidence,
  type Gates,
  type Judgement,
  type MetricRange,
  type MetricWindow,
  type OverThresholds,
  type SideStats,
  type Trace,
  type TraceDocument,
} from '../health/index';
import type { RolloutState } from '../rollout/index';
import type { Step } from '../strategy/index';
import { shiftRoutes, splitFor } from '../traffic/index';
import { applyOptions, Cancelled, StepFailure, type RunContext, type StepOutcome } from './context';
import { cellPair } from './cell-scope';
import type { CellTarget } from './types';

type Batch = Extract<Step, { kind: 'batch' }>;

/** Runs one wave: switch its cells through the cell steps, baking the wave after each. */
export async function waveStep(run: RunContext, step: Batch, index: number): Promise<StepOutcome> {
  const { options } = run;
  const parameters = run.state.parameters;
  const cellSteps = (parameters['cell-steps'] as number[] | undefined) ?? [100];
  const limit = (parameters['max-unavailable'] as number | undefined) ?? step.cells.length;
  const bakeTime = options.bakeTime ?? parseDuration('bake-time', String(parameters['bake-time'] ?? '5m'));
  let health: TraceDocument | undefined;
  for (const weight of cellSteps) {
    for (let i = 0; i < step.cells.length; i += limit) {
      await switchCells(run, step.cells.slice(i, i + limit), weight, index);
    }
    run.servingSince = options.clock.now();
    health = await bakeWave(run, step, index, bakeTime);
  }
  const cells = { ...run.state.cells! };
  for (const name of step.cells) cells[name] = { ...cells[name]!, status: 'promoted' };
  run.state = { ...run.state, cells };
  const where = describeWave(run.state, step);
  return {
    message: `wave ${step.batch} (${where}: ${step.cells.join(', ')}) promoted through ${cellSteps.join('% → ')}% after ${formatDuration(bakeTime)} bakes`,
    state: run.state,
    ...(health ? { more: { health } } : {}),
  };
}

function describeWave(state: RolloutState, step: Batch): string {
  const first = state.cells![step.cells[0]!]!;
  const regions = [...new Set(step.cells.map((c) => state.cells![c]!.region))];
  const zones = [...new Set(step.cells.map((c) => state.cells![c]!.zone))];
  return `${regions.join(', ')}${zones.length === 1 && first.zone ? ` ${first.zone}` : ''}`;
}

/** Switches cells concurrently, each all or nothing; every outcome is recorded before a failure ends the wave. */
async function switchCells(run: RunContext, names: string[], weight: number, index: number): Promise<void> {
  const { options } = run;
  const outcomes = await Promise.allSettled(
    names.map(async (name) => {
      const cell = run.state.cells![name]!;
      const pair = cellPair(cell);
      const result = await shiftRoutes(
        options.router,
        {
          routes: cell.routes,
          pair,
          canary: weight,
          expectation:
            cell.status === 'untouched'
              ? null
              : { kind: 'split', split: splitFor(cell.weight), source: 'the rollout state' },
          force: options.force ?? false,
          dryRun: false,
          loadBalancer: false,
        },
        applyOptions(run, pair),
      );
      Object.assign(run.weights, result.after);
      const initial = { ...(run.state['initial-weights'] ?? {}) };
      for (const route of cell.routes) initial[route] ??= result.previous[route]!.map((t) => ({ ...t }));
      run.state = {
        ...run.state,
        status: 'in-progress',
        'initial-weights': initial,
        cells: { ...run.state.cells!, [name]: { ...cell, status: 'in-progress', weight } },
      };
    }),
  );
  const failed = outcomes.flatMap((o, i) =>
    o.status === 'rejected' ? [`${names[i]}: ${errorMessage(o.reason)}`] : [],
  );
  if (failed.length > 0) {
    throw new StepFailure(
      `step ${index + 1}: switching cells to ${weight}% failed (${failed.join('; ')})`,
      'rollback',
    );
  }
}

/** One subject the wave bake judges: a cell, or the wave as a whole. */
interface Subject {
  name: string;
  cells: string[];
  gates: Gates;
  trace: Trace;
  judgement: Judgement | null;
}

/** Bakes a wave; returns the wave's trace when every subject promotes, throws otherwise. */
async function bakeWave(
  run: RunContext,
  step: Batch,
  index: number,
  bakeTime: number,
): Promise<TraceDocument> {
  const { options } = run;
  const { clock, sleep, signal, period, metricDelay, gates } = options;
  const cells = run.state.cells!;
  const wave = step.cells;
  const regions = [...new Set(wave.map((c) => cells[c]!.region))];
  const baselineOf = (region: string) =>
    Object.entries(cells)
      .filter(([name, c]) => c.region === region && c.status === 'untouched' && !wave.includes(name))
      .map(([name]) => name);
  const atFull = wave.every((c) => cells[c]!.weight === 100);
  const subject = (name: string, members: string[], alarms: string[]): Subject => {
    const own = { ...gates, bakeTime, alarms: [...gates.alarms, ...alarms] };
    const region = cells[members[0]!]!.region;
    const baseline = !atFull || baselineOf(region).length > 0;
    return {
      name,
      cells: members,
      gates: own,
      trace: { period, gates: own, ...(baseline ? {} : { baseline: false }), windows: [] },
      judgement: null,
    };
  };
  const subjects = [
    ...wave.map((c) => subject(`cell ${c}`, [c], cells[c]!.alarms)),
    ...(wave.length > 1 ? [subject(`wave ${step.batch}`, wave, [])] : []),
  ];
  const maxBakeTime = Math.max(options.maxBakeTime ?? 5 * bakeTime, bakeTime);
  const maxWindows = Math.max(1, Math.ceil(maxBakeTime / period));
  let next = Math.ceil(run.servingSince / period) * period;
  const limit = next + maxWindows * period;
  for (let poll = 1; ;) {
    const due = next + period + metricDelay;
    if (clock.now() < due) await sleep(due - clock.now(), signal);
    if (signal?.aborted) throw new Cancelled(document(subjects.at(-1)!));
    const end = Math.min(Math.floor((clock.now() - metricDelay) / period) * period, limit);
    if (end <= next) {
      await sleep(period, signal);
      continue;
    }
    let read: Map<string, MetricWindow[]> | null = null;
    let failure = '';
    // The latency-increase test counts requests over thresholds set before the windows are read: the
    // baseline's latest percentile and that × (1 + increase), the same for every cell of the wave, so
    // canary and baseline counts add up across cells exactly (no percentile of percentiles).
    const last = subjects.at(-1)!;
    const over = last.trace.baseline === false ? undefined : overThresholds(last.trace.windows, last.gates);
    try {
      read = await readRegions(run, regions, wave, baselineOf, {
        start: next,
        end,
        ...(over ? { over } : {}),
      });
    } catch (error) {
      if (error instanceof InputError) throw error;
      failure = errorMessage(error);
      run.logger.warning(
        `wave ${step.batch} poll ${poll} failed, retrying in ${formatDuration(period)}: ${failure}`,
      );
    }
    const count = read ? Math.round((end - next) / period) : 0;
    for (const s of subjects) {
      const entries: Evidence[] = read
        ? windowsFor(s, read, baselineOf(cells[s.cells[0]!]!.region), count, over)
        : [{ error: failure, at: new Date(clock.now()).toISOString() }];
      s.trace.windows.push(...entries);
      const windows = s.trace.windows.filter((e) => !('error' in e)).length;
      s.judgement = judge(s.gates, s.trace.windows, {
        period,
        final: windows >= maxWindows,
        ...(s.trace.baseline === false ? { baseline: false } : {}),
      });
    }
    run.emit({
      type: 'poll',
      index,
      report: { poll, newWindows: count, judgement: last.judgement!, trace: last.trace },
    });
    const failed = subjects.find(
      (s) => s.judgement!.decision !== null && s.judgement!.decision !== 'promote',
    );
    if (failed) {
      throw new StepFailure(
        `wave ${step.batch}, ${failed.name}: ${failed.judgement!.message}`,
        failed.judgement!.decision!,
        document(failed),
      );
    }
    if (subjects.every((s) => s.judgement!.decision === 'promote')) return document(last);
    if (read) next += count * period;
    else await sleep(period, signal);
    poll++;
  }
}

function document(s: Subject): TraceDocument {
  return JSON.parse(serializeTrace(s.trace, s.judgement ?? undefined)) as TraceDocument;
}

/** One metric read (and one alarm read) per region for the wave's cells and their baseline cells. */
async function readRegions(
  run: RunContext,
  regions: string[],
  wave: string[],
  baselineOf: (region: string) => string[],
  range: MetricRange,
): Promise<Map<string, MetricWindow[]>> {
  const cells = run.state.cells!;
  const out = new Map<string, MetricWindow[]>();
  await Promise.all(
    regions.map(async (region) => {
      const names = [...wave.filter((c) => cells[c]!.region === region), ...baselineOf(region)];
      const targets: CellTarget[] = names.map((name) => ({
        name,
        region,
        routes: cells[name]!.routes,
        pair: cellPair(cells[name]!),
      }));
      const windows = await run.options.cellMetrics!.windows(region, targets, range);
      const alarmNames = [
        ...new Set([
          ...run.options.gates.alarms,
          ...wave.flatMap((c) => (cells[c]!.region === region ? cells[c]!.alarms : [])),
        ]),
      ];
      let alarms: Record<string, AlarmState> | undefined;
      if (alarmNames.length > 0) alarms = await run.options.cellAlarms!(region).states(alarmNames);
      for (const name of names) {
        const list = windows[name];
        if (!list) throw new Error(`the metric source returned no windows for cell ${name} in ${region}`);
        if (alarms && list.length > 0) list[list.length - 1]!.alarms = alarms;
        out.set(name, list);
      }
    }),
  );
  return out;
}

/** A subject's windows: its cells' canary sides combined, against the region's old-version cells. */
function windowsFor(
  s: Subject,
  read: Map<string, MetricWindow[]>,
  baseline: string[],
  count: number,
  over: OverThresholds | undefined,
): MetricWindow[] {
  const out: MetricWindow[] = [];
  for (let i = 0; i < count; i++) {
    const own = s.cells.map((c) => read.get(c)![i]!);
    const canary = combine(own.map((w) => w.canary));
    const base = baseline.length > 0 ? combine(baseline.map((c) => read.get(c)![i]!.baseline)) : null;
    const alarms = own[0]!.alarms;
    out.push({
      ...(own[0]!.start ? { start: own[0]!.start } : {}),
      canary,
      baseline: s.trace.baseline === false ? null : base,
      ...(alarms ? { alarms } : {}),
      ...(over && s.trace.baseline !== false ? { 'over-thresholds': { ...over } } : {}),
    });
  }
  return out;
}

/**
 * Several target groups' windows as one side: counts (requests, 5xx, hosts, and the requests over a
 * shared threshold, `slow` and `over`) are summed, which is exact. The `p99` of the result is the
 * request-weighted mean of the parts' percentiles: a percentile of a union cannot be had from the parts'
 * percentiles, so it is shown, and chooses the next thresholds, but the latency gates test the counts.
 */
export function combine(sides: readonly (SideStats | null)[]): SideStats | null {
  const present = sides.filter((s): s is SideStats => s !== null);
  if (present.length === 0) return null;
  const sum = (key: 'requests' | 'errors' | 'healthy' | 'unhealthy'): number | null => {
    const values = present.map((s) => s[key]).filter((v): v is number => typeof v === 'number');
    return values.length === 0 ? null : values.reduce((a, b) => a + b, 0);
  };
  // Requests over a threshold: absent when no part counted them; no data when a part that served
  // requests has no count (a partial sum would read as fewer slow requests than there were).
  const counts = (key: 'slow' | 'over'): { [k: string]: number | null } => {
    if (present.every((s) => s[key] === undefined)) return {};
    const serving = present.filter((s) => s.requests !== null && s.requests > 0);
    if (serving.some((s) => typeof s[key] !== 'number')) return { [key]: null };
    return { [key]: serving.reduce((n, s) => n + (s[key] as number), 0) };
  };
  const weighted = present.filter((s) => s.p99 !== null && s.requests !== null && s.requests > 0);
  const total = weighted.reduce((n, s) => n + s.requests!, 0);
  const p99 = total > 0 ? weighted.reduce((n, s) => n + s.p99! * s.requests!, 0) / total : null;
  return {
    requests: sum('requests'),
    errors: sum('errors'),
    p99: p99 === null ? null : Math.round(p99 * 10) / 10,
    ...counts('slow'),
    ...counts('over'),
    healthy: sum('healthy'),
    unhealthy: sum('unhealthy'),
  };
}
