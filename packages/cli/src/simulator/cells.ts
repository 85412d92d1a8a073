// Many simulated cells (issue 12): each its own listener, stable and canary target groups and seeded
// traffic model, so a bad version hurts exactly the cells that run it. The metric source reads cells
// by region and counts the calls CloudWatch would get (one GetMetricData per region per poll, split
// at 500 metrics).
import {
  InputError,
  type AlarmSource,
  type AlarmState,
  type Cell,
  type CellMetricSource,
  type CellTarget,
  type Clock,
  type MetricRange,
  type MetricWindow,
  type TrafficRouter,
  routerByRoute,
} from '@shiftgate/core';
import { FaultPlan, type Fault } from './faults';
import { TrafficModel } from './model';
import { SimulatedMetricSource, SimulatedRouter } from './providers';

/** Metrics CloudWatch reads per cell and poll: requests, 5xx, p99, healthy and unhealthy hosts, per target group. */
export const METRICS_PER_CELL = 10;

/**
 * Metrics one cell adds to a poll, as the CloudWatch cell source queries them: the ten ALB metrics, the
 * canary's `PR(:T)` at the latency gate, and both sides' `PR(:T)` when the latency-increase test counts.
 */
export function metricsPerCell(slowThreshold: number | undefined, range: MetricRange): number {
  return METRICS_PER_CELL + (slowThreshold !== undefined ? 1 : 0) + (range.over ? 2 : 0);
}
/** The most metrics one GetMetricData call takes. */
export const METRICS_PER_CALL = 500;

const ACCOUNT = '123456789012';

/** 16 hex digits from a number, as ELBv2 ids are. */
function hexId(n: number, salt: number): string {
  return (
    ((n * 2654435761 + salt * 40503) >>> 0).toString(16).padStart(8, '0') +
    (n + salt * 7919).toString(16).padStart(8, '0')
  );
}

/** What {@link generateCells} makes: `count` cells spread over regions, and zones within each region. */
export interface CellLayout {
  count: number;
  regions: readonly string[];
  /** Zones per region (1 to 6), named `<region>a`, `<region>b`, … */
  zones: number;
}

/**
 * Generates cells shaped like real ones, spread evenly over the regions (in order) and their zones,
 * named `<region><zone letter>-<n>`: `us-east-1a-1`.
 */
export function generateCells(layout: CellLayout): Cell[] {
  const { count, regions, zones } = layout;
  if (!Number.isInteger(count) || count < 1 || count > 100_000)
    throw new InputError('--cells', count, 'a whole number of cells from 1 to 100000');
  if (regions.length === 0 || regions.length > count)
    throw new InputError(
      '--regions',
      regions.join(','),
      `1 to ${count} regions (no more regions than cells)`,
    );
  if (!Number.isInteger(zones) || zones < 1 || zones > 6)
    throw new InputError('--zones', zones, 'a whole number from 1 to 6');
  const cells: Cell[] = [];
  regions.forEach((region, r) => {
    const inRegion = Math.floor(count / regions.length) + (r < count % regions.length ? 1 : 0);
    for (let i = 0; i < inRegion; i++) {
      const zone = `${region}${String.fromCharCode(97 + Math.floor((i * zones) / inRegion))}`;
      const n = cells.length + 1;
      const name = `${zone}-${i + 1}`;
      const lb = `cell-${n}`;
      const lbId = hexId(n, 1);
      const prefix = `arn:aws:elasticloadbalancing:${region}:${ACCOUNT}`;
      cells.push({
        name,
        region,
        zone,
        routes: [`${prefix}:listener/app/${lb}/${lbId}/${hexId(n, 2)}`],
        'stable-target-group-arn': `${prefix}:targetgroup/${lb}-blue/${hexId(n, 3)}`,
        'canary-target-group-arn': `${prefix}:targetgroup/${lb}-green/${hexId(n, 4)}`,
        alarms: [],
      });
    }
  });
  return cells;
}

/** Which cells run a bad version: all of them (`everywhere`), named cells, or the cells of named zones. */
export interface BadVersion {
  everywhere: boolean;
  cells: readonly string[];
  zones: readonly string[];
}

/** What to simulate. */
export interface CellSimulationOptions {
  seed: number;
  clock: Clock;
  cells: readonly Cell[];
  bad: BadVersion;
  rpm?: number;
  /** Faults per region: each region's providers count their own calls. */
  faults?: readonly Fault[];
  /** Cells whose alarms (their `alarms`) go to ALARM once their canary takes traffic (`--alarm-cell`). */
  alarmCells?: readonly string[];
}

/** API calls the simulated providers received, per region. */
export interface CellCalls {
  getMetricData: Record<string, number>;
  /** DescribeAlarms calls per region (one per poll of a wave whose cells have alarms). */
  describeAlarms: Record<string, number>;
  polls: Record<string, number>;
  metrics: Record<string, number>;
}

/** Simulated cells and the ports over them. */
export interface CellSimulation {
  cells: Cell[];
  router: CellRouter;
  metrics(period: number, slowThreshold?: number): CellMetricSource;
  /** The alarm source of a region: the alarms its cells name (`<cell>-alarm` for `--alarm-cell`). */
  alarms(region: string): AlarmSource;
  calls: CellCalls;
  /** The canary's share on each cell's listener now, in percent. */
  shares(): Record<string, number>;
  /** The cells whose listener ever sent the canary any traffic, in cell order. */
  everServed(): string[];
  /** Router calls so far, over every region: reads (DescribeListeners) and writes (ModifyListener). */
  routerCalls(): { reads: number; writes: number };
}

/** One router over many cells' routers: each call goes to the cell that owns the route. */
export type CellRouter = TrafficRouter & {
  /** Every write that reached any cell. */
  writes(): number;
};

function cellRouter(byRoute: ReadonlyMap<string, SimulatedRouter>): CellRouter {
  const router = routerByRoute((route) => {
    const owner = byRoute.get(route);
    if (!owner) throw new InputError('route', route, 'a route of a simulated cell');
    return owner;
  });
  return Object.assign(router, {
    writes: () => [...new Set(byRoute.values())].reduce((n, r) => n + r.applied.length, 0),
  });
}

/** Builds cells with their own models, routers and metric sources. */
export function createCellSimulation(options: CellSimulationOptions): CellSimulation {
  const { clock, bad } = options;
  const regionFaults = new Map<string, FaultPlan>();
  const faultsOf = (region: string) => {
    if (!regionFaults.has(region)) regionFaults.set(region, new FaultPlan(options.faults ?? []));
    return regionFaults.get(region)!;
  };
  const byRoute = new Map<string, SimulatedRouter>();
  const parts = options.cells.map((cell, i) => {
    const hurt =
      bad.everywhere ||
      bad.cells.includes(cell.name) ||
      (cell.zone !== null && bad.zones.includes(cell.zone));
    const model = new TrafficModel({
      seed: (options.seed + i * 7919) >>> 0,
      start: clock.now(),
      scenario: hurt ? 'step-regression' : 'healthy',
      at: 0,
      ...(options.rpm !== undefined ? { rpm: options.rpm } : {}),
    });
    const pair = { stable: cell['stable-target-group-arn'], canary: cell['canary-target-group-arn'] };
    const faults = faultsOf(cell.region);
    const router = new SimulatedRouter({
      model,
      clock,
      pair,
      loadBalancerArn: cell.routes[0]!.replace(
        /:listener\/(app\/[^/]+\/[0-9a-f]+)\/[0-9a-f]+$/,
        ':loadbalancer/$1',
      ),
      routes: Object.fromEntries(
        cell.routes.map((r) => [r, [{ 'target-group-arn': pair.stable, weight: 1 }]]),
      ),
      faults,
    });
    for (const route of cell.routes) byRoute.set(route, router);
    return { cell, model, router, faults };
  });
  const calls: CellCalls = { getMetricData: {}, describeAlarms: {}, polls: {}, metrics: {} };
  const canaryShare = (cell: Cell, r: SimulatedRouter) => {
    const list = r.current(cell.routes[0]!);
    const total = list.reduce((n, t) => n + t.weight, 0);
    const canary = list.find((t) => t['target-group-arn'] === cell['canary-target-group-arn'])?.weight ?? 0;
    return total === 0 ? 0 : Math.round((100 * canary) / total);
  };
  const router = cellRouter(byRoute);
  return {
    cells: [...options.cells],
    router,
    calls,
    routerCalls: () => {
      const plans = [...regionFaults.values()];
      return {
        reads: plans.reduce((n, p) => n + p.count('read'), 0),
        writes: plans.reduce((n, p) => n + p.count('write'), 0),
      };
    },
    everServed: () =>
      parts
        .filter(({ cell, router: r }) =>
          r.applied.some((write) =>
            write['target-groups'].some(
              (t) => t['target-group-arn'] === cell['canary-target-group-arn'] && t.weight > 0,
            ),
          ),
        )
        .map(({ cell }) => cell.name),
    shares: () => Object.fromEntries(parts.map(({ cell, router: r }) => [cell.name, canaryShare(cell, r)])),
    alarms: (region) => ({
      async states(names) {
        const owners = new Map(
          parts
            .filter(({ cell }) => cell.region === region)
            .flatMap((p) => p.cell.alarms.map((a) => [a, p] as const)),
        );
        for (const name of names) {
          if (!owners.has(name)) throw new InputError('alarms', name, `an alarm of a cell in ${region}`);
        }
        calls.describeAlarms[region] = (calls.describeAlarms[region] ?? 0) + 1;
        const fault = faultsOf(region).call('alarms');
        if (fault) {
          throw new Error(
            `DescribeAlarms in ${region} failed: ${fault.kind === 'throttle' ? 'Throttling: Rate exceeded' : 'InternalFailure: simulated provider error'} (simulated)`,
          );
        }
        const firing = options.alarmCells ?? [];
        return Object.fromEntries(
          names.map((name): [string, AlarmState] => {
            const { cell, router: r } = owners.get(name)!;
            return [name, firing.includes(cell.name) && canaryShare(cell, r) > 0 ? 'ALARM' : 'OK'];
          }),
        );
      },
    }),
    metrics: (period, slowThreshold) => {
      const sources = new Map(
        parts.map((p) => [
          p.cell.name,
          new SimulatedMetricSource({
            model: p.model,
            clock,
            period,
            faults: new FaultPlan([]),
            settle: () => p.router.settle(),
            ...(slowThreshold !== undefined ? { slowThreshold } : {}),
          }),
        ]),
      );
      return {
        async windows(region: string, targets: readonly CellTarget[], range: MetricRange) {
          const metrics = targets.length * metricsPerCell(slowThreshold, range);
          calls.polls[region] = (calls.polls[region] ?? 0) + 1;
          calls.metrics[region] = (calls.metrics[region] ?? 0) + metrics;
          calls.getMetricData[region] =
            (calls.getMetricData[region] ?? 0) + Math.ceil(metrics / METRICS_PER_CALL);
          const fault = faultsOf(region).call('metrics');
          if (fault) {
            throw new Error(
              `GetMetricData in ${region} failed: ${fault.kind === 'throttle' ? 'Throttling: Rate exceeded' : 'InternalFailure: simulated provider error'} (simulated)`,
            );
          }
          const out: Record<string, MetricWindow[]> = {};
          for (const target of targets) {
            const source = sources.get(target.name);
            if (!source) throw new Error(`no simulated cell named ${target.name}`);
            out[target.name] = await source.windows(range);
          }
          return out;
        },
      };
    },
  };
}
