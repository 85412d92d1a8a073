import { describe, expect, it } from 'vitest';
import {
  addRestorePlans,
  buildPlan,
  createRolloutState,
  parseGates,
  parseRolloutState,
  putBack,
  runPlan,
  serializeRolloutState,
  silentLogger,
  virtualTime,
  type Cell,
  type RawParameter,
  type RestoreRecord,
  type RunPlanOptions,
} from '@shiftgate/core';
import { createCellSimulation, generateCells, type BadVersion } from '../../packages/cli/src/simulator/index';

const MIN = 60_000;
const HEALTHY: BadVersion = { everywhere: false, cells: [], zones: [] };

function setup(
  cells: Cell[],
  bad: BadVersion,
  params: Record<string, RawParameter> = {},
  more: Partial<RunPlanOptions> = {},
) {
  const time = virtualTime(Date.UTC(2026, 0, 1, 9));
  const sim = createCellSimulation({ seed: 7, clock: time.clock, cells, bad });
  const plan = buildPlan('rolling', { 'bake-time': '5m', ...params }, { cells });
  const state = createRolloutState({
    strategy: 'rolling',
    parameters: plan.parameters,
    plan: plan.steps,
    now: new Date(time.clock.now()),
  });
  const options: RunPlanOptions = {
    state,
    cells,
    router: sim.router,
    metrics: () => {
      throw new Error('a rollout over cells reads cells, not one pair');
    },
    cellMetrics: sim.metrics(MIN),
    gates: parseGates({ 'min-requests': '100' }),
    period: MIN,
    metricDelay: 2 * MIN,
    clock: time.clock,
    sleep: time.sleep,
    random: () => 0,
    ...more,
  };
  return { sim, plan, options, time };
}

const statuses = (cells: Record<string, { status: string }> | null | undefined) =>
  Object.fromEntries(Object.entries(cells ?? {}).map(([name, c]) => [name, c.status]));

describe('rolling over cells', () => {
  const twelve = generateCells({ count: 12, regions: ['us-east-1', 'eu-west-1'], zones: 2 });

  it('promotes every cell of a healthy version wave by wave', async () => {
    const { sim, plan, options } = setup(twelve, HEALTHY);
    const result = await runPlan(options);
    expect(result.decision).toBe('promote');
    expect(plan.steps.map((s) => (s.kind === 'batch' ? s.cells.length : s.kind))).toEqual([1, 2, 3, 1, 2, 3]);
    expect(Object.values(sim.shares())).toEqual(Array(12).fill(100));
    expect(new Set(Object.values(statuses(result.state.cells)))).toEqual(new Set(['promoted']));
  });

  it('stops a bad version in the one-box: no other cell is ever touched', async () => {
    const { sim, options } = setup(twelve, { ...HEALTHY, everywhere: true });
    const result = await runPlan(options);
    expect(result.decision).toBe('rollback');
    expect(result.reason).toMatch(/^wave 1, cell us-east-1a-1: rollback: canary error rate/);
    expect(Object.values(sim.shares())).toEqual(Array(12).fill(0));
    const touched = statuses(result.state.cells);
    expect(touched['us-east-1a-1']).toBe('rolled-back');
    expect(Object.values(touched).filter((s) => s === 'untouched')).toHaveLength(11);
  });

  it('stops a bad zone in its wave and sends every moved cell back with rollback-all', async () => {
    const cells = generateCells({ count: 20, regions: ['us-east-1'], zones: 2 });
    const { sim, options } = setup(cells, { ...HEALTHY, zones: ['us-east-1b'] }, { 'wave-boundary': 'zone' });
    const result = await runPlan(options);
    expect(result.decision).toBe('rollback');
    expect(result.reason).toMatch(/cell us-east-1b-/);
    expect(Object.values(sim.shares())).toEqual(Array(20).fill(0));
    const s = statuses(result.state.cells);
    expect(
      Object.entries(s)
        .filter(([n]) => n.startsWith('us-east-1a'))
        .every(([, v]) => v === 'rolled-back'),
    ).toBe(true);
  });
});
