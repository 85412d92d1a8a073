import { describe, expect, it } from 'vitest';
import {
  addRestorePlans,
  buildPlan,
  combine,
  createRolloutState,
  parseGates,
  parseRolloutState,
  putBack,
  runPlan,
  serializeRolloutState,
  silentLogger,
  virtualTime,
  type Cell,
  type CellMetricSource,
  type MetricRange,
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

  it('keeps the waves that passed with rollback-wave and sends back only the failing wave', async () => {
    const cells = generateCells({ count: 10, regions: ['us-east-1'], zones: 1 });
    const bad = cells[3]!.name;
    const { sim, options } = setup(cells, { ...HEALTHY, cells: [bad] }, { 'on-failure': 'rollback-wave' });
    const result = await runPlan(options);
    expect(result.decision).toBe('rollback');
    const s = statuses(result.state.cells);
    expect(s[cells[0]!.name]).toBe('promoted');
    expect(s[bad]).toBe('rolled-back');
    expect(sim.shares()[cells[0]!.name]).toBe(100);
    expect(sim.shares()[bad]).toBe(0);
    expect(result.state.status).toBe('rolled-back');
  });

  it('leaves traffic where it is with halt, paused for a person', async () => {
    const cells = generateCells({ count: 10, regions: ['us-east-1'], zones: 1 });
    const bad = cells[3]!.name;
    const { sim, options } = setup(cells, { ...HEALTHY, cells: [bad] }, { 'on-failure': 'halt' });
    const result = await runPlan(options);
    expect(result.decision).toBe('rollback');
    expect(result.reason).toMatch(/halted \(on-failure: halt\)/);
    expect(result.state.status).toBe('paused');
    expect(sim.shares()[bad]).toBe(100);
    expect(statuses(result.state.cells)[bad]).toBe('in-progress');
  });

  it('restores every moved cell when cancelled mid-wave, whatever on-failure says', async () => {
    const controller = new AbortController();
    const { sim, options } = setup(
      twelve,
      HEALTHY,
      { 'on-failure': 'halt' },
      {
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'poll' && e.index === 1) controller.abort();
        },
      },
    );
    const result = await runPlan(options);
    expect(result.cancelled).toBe(true);
    expect(result.restored).toBe(true);
    expect(Object.values(sim.shares())).toEqual(Array(12).fill(0));
    expect(result.state.status).toBe('rolled-back');
  });

  it('pauses before each new region with approve-regions and resumes from the state', async () => {
    const { sim, options, plan } = setup(twelve, HEALTHY, { 'approve-regions': 'true' });
    expect(plan.steps.filter((s) => s.kind === 'approval')).toEqual([
      { kind: 'approval', reason: 'approve region eu-west-1 (6 cells) before its first wave' },
    ]);
    const first = await runPlan(options);
    expect(first.decision).toBe('paused');
    expect(sim.shares()['us-east-1a-1']).toBe(100);
    expect(sim.shares()['eu-west-1a-1']).toBe(0);
    const state = parseRolloutState('state', serializeRolloutState(first.state));
    const second = await runPlan({ ...options, state, cells: null });
    expect(second.decision).toBe('promote');
    expect(Object.values(sim.shares())).toEqual(Array(12).fill(100));
  });

  it('reads metrics once per region per poll, whatever the number of cells', async () => {
    const cells = generateCells({ count: 40, regions: ['us-east-1', 'us-west-2'], zones: 2 });
    const { sim, options } = setup(cells, HEALTHY, { waves: '1,50%,100%' });
    const polls: number[] = [];
    const result = await runPlan({ ...options, onEvent: (e) => e.type === 'poll' && polls.push(e.index) });
    expect(result.decision).toBe('promote');
    expect(sim.calls.getMetricData).toEqual(sim.calls.polls);
    expect(sim.calls.polls['us-east-1']! + sim.calls.polls['us-west-2']!).toBe(polls.length);
  });

  it('refuses cells the plan names but the definitions lack, before anything moves', async () => {
    const { sim, options } = setup(twelve, HEALTHY);
    await expect(runPlan({ ...options, cells: twelve.slice(1) })).rejects.toThrow(
      /waves name cell 'us-east-1a-1', which the 'cells' given do not define/,
    );
    expect(sim.router.writes()).toBe(0);
  });

  it('refuses a cell run without a metric source that reads cells', async () => {
    const { options } = setup(twelve, HEALTHY);
    const { cellMetrics: _, ...rest } = options;
    await expect(runPlan(rest)).rejects.toThrow(/needs a metric source that reads cells by region/);
  });
});

describe('only-region: one job per region', () => {
  const twelve = generateCells({ count: 12, regions: ['us-east-1', 'eu-west-1'], zones: 2 });
  const again = (state: Parameters<typeof serializeRolloutState>[0]) =>
    parseRolloutState('state', serializeRolloutState(state));

  it("runs one region's waves, pauses before the next region, and the next job resumes there", async () => {
    const { sim, options } = setup(twelve, HEALTHY);
    const first = await runPlan({ ...options, onlyRegion: 'us-east-1' });
    expect(first.decision).toBe('paused');
    expect(first.reason).toBe(
      'paused: region us-east-1 is done (waves 1, 2, 3 promoted); wave 4 is in eu-west-1: run-plan with only-region eu-west-1 resumes from the state',
    );
    expect(first.state.status).toBe('paused');
    const shares = sim.shares();
    expect(twelve.map((c) => shares[c.name])).toEqual([...Array(6).fill(100), ...Array(6).fill(0)]);
    const second = await runPlan({
      ...options,
      state: again(first.state),
      cells: null,
      onlyRegion: 'eu-west-1',
    });
    expect(second.decision).toBe('promote');
    expect(Object.values(sim.shares())).toEqual(Array(12).fill(100));
  });

  it('refuses a region out of order, or one that is not a region of the cells, before anything moves', async () => {
    const { sim, options } = setup(twelve, HEALTHY);
    await expect(runPlan({ ...options, onlyRegion: 'eu-west-1' })).rejects.toThrow(
      "Input 'only-region' is 'eu-west-1', but the state's next wave (1) is in us-east-1; run the regions in order (us-east-1, eu-west-1)",
    );
    await expect(runPlan({ ...options, onlyRegion: 'ap-south-1' })).rejects.toThrow(
      "Input 'only-region' must be a region of the rollout's cells (us-east-1, eu-west-1), got 'ap-south-1'",
    );
    expect(sim.router.writes()).toBe(0);
  });

  it('passes an approve-regions pause to the next region job', async () => {
    const { sim, options } = setup(twelve, HEALTHY, { 'approve-regions': 'true' });
    const first = await runPlan({ ...options, onlyRegion: 'us-east-1' });
    expect(first.decision).toBe('paused');
    expect(first.reason).toMatch(/approve region eu-west-1/);
    const second = await runPlan({
      ...options,
      state: again(first.state),
      cells: null,
      onlyRegion: 'eu-west-1',
    });
    expect(second.decision).toBe('promote');
    expect(Object.values(sim.shares())).toEqual(Array(12).fill(100));
  });

  it("sends the earlier regions' cells back too when a later region fails (rollback-all)", async () => {
    const { sim, options } = setup(twelve, { ...HEALTHY, cells: ['eu-west-1a-2'] });
    const first = await runPlan({ ...options, onlyRegion: 'us-east-1' });
    expect(first.decision).toBe('paused');
    const second = await runPlan({
      ...options,
      state: again(first.state),
      cells: null,
      onlyRegion: 'eu-west-1',
    });
    expect(second.decision).toBe('rollback');
    expect(second.reason).toMatch(/cell eu-west-1a-2/);
    expect(Object.values(sim.shares())).toEqual(Array(12).fill(0));
    const s = statuses(second.state.cells);
    expect(s['us-east-1a-1']).toBe('rolled-back');
    expect(s['eu-west-1b-6']).toBe('untouched');
  });
});

describe('per-cell alarms', () => {
  it("stops a cell's wave when its alarm fires, one DescribeAlarms per region per poll", async () => {
    const generated = generateCells({ count: 12, regions: ['us-east-1', 'eu-west-1'], zones: 1 });
    const alarmed = 'us-east-1a-2';
    const cells = generated.map((c) => (c.name === alarmed ? { ...c, alarms: [`${c.name}-alarm`] } : c));
    const time = virtualTime(Date.UTC(2026, 0, 1, 9));
    const sim = createCellSimulation({
      seed: 7,
      clock: time.clock,
      cells,
      bad: HEALTHY,
      alarmCells: [alarmed],
    });
    const { options, plan } = setup(cells, HEALTHY);
    const wave2 = plan.steps.findIndex((s) => s.kind === 'batch' && s.cells.includes(alarmed));
    let polls = 0;
    const result = await runPlan({
      ...options,
      router: sim.router,
      cellMetrics: sim.metrics(MIN),
      cellAlarms: (region) => sim.alarms(region),
      clock: time.clock,
      sleep: time.sleep,
      onEvent: (e) => {
        if (e.type === 'poll' && e.index === wave2) polls++;
      },
    });
    expect(result.decision).toBe('rollback');
    expect(result.reason).toMatch(new RegExp(`^wave 2, cell ${alarmed}: .*${alarmed}-alarm`));
    expect(Object.values(sim.shares())).toEqual(Array(12).fill(0));
    // Once before anything moved (the name exists), then once per poll of the wave that has the alarm.
    expect(sim.calls.describeAlarms).toEqual({ 'us-east-1': 1 + polls });
    expect(polls).toBeGreaterThan(0);
  });

  it('refuses an alarm no cell of the region has, before anything moves', async () => {
    const cells = generateCells({ count: 4, regions: ['us-east-1'], zones: 1 });
    const time = virtualTime(Date.UTC(2026, 0, 1, 9));
    const sim = createCellSimulation({ seed: 7, clock: time.clock, cells, bad: HEALTHY });
    const { options } = setup(cells, HEALTHY);
    await expect(
      runPlan({
        ...options,
        router: sim.router,
        gates: parseGates({ 'min-requests': '100' }, { alarms: ['no-such-alarm'] }),
        cellAlarms: (region) => sim.alarms(region),
      }),
    ).rejects.toThrow("Input 'alarms' must be an alarm of a cell in us-east-1, got 'no-such-alarm'");
    expect(sim.router.writes()).toBe(0);
  });
});

describe('cross-cell baseline: the latency-increase test counts requests', () => {
  const cells = generateCells({ count: 12, regions: ['us-east-1'], zones: 1 });
  /** Every cell serves 1000 requests a minute per side; `slower` cells' canary is 30% slower. */
  function source(slower: readonly string[], ranges: MetricRange[]): CellMetricSource {
    // Latencies spread evenly over 100–200 ms (old) or 130–260 ms (slower): the share over T is exact.
    const over = (t: number, low: number, high: number) =>
      Math.round(1000 * Math.min(1, Math.max(0, (high - t) / (high - low))));
    return {
      async windows(_region, targets, range) {
        ranges.push(range);
        const out: Record<string, ReturnType<typeof window>[]> = {};
        const window = (name: string, start: number) => {
          const [low, high] = slower.includes(name) ? [130, 260] : [100, 200];
          const side = (lo: number, hi: number, threshold?: number) => ({
            requests: 1000,
            errors: 0,
            p99: lo + 0.99 * (hi - lo),
            slow: 0,
            ...(threshold !== undefined ? { over: over(threshold, lo, hi) } : {}),
            healthy: 2,
            unhealthy: 0,
          });
          return {
            start: new Date(start).toISOString(),
            canary: side(low, high, range.over?.canary),
            baseline: side(100, 200, range.over?.baseline),
          };
        };
        for (const t of targets) {
          out[t.name] = [];
          for (let at = range.start; at < range.end; at += MIN) out[t.name]!.push(window(t.name, at));
        }
        return out;
      },
    };
  }

  it('rolls back a cell 30% slower than the old cells (max-latency-increase 20%), from counts', async () => {
    const ranges: MetricRange[] = [];
    const bad = cells[0]!.name;
    const { sim, options } = setup(cells, HEALTHY, {}, { cellMetrics: source([bad], ranges) });
    const result = await runPlan(options);
    expect(result.decision).toBe('rollback');
    expect(result.reason).toMatch(
      new RegExp(`^wave 1, cell ${bad}: .*canary requests over \\(1 \\+ 20%\\) × the baseline p99`),
    );
    expect(sim.shares()[bad]).toBe(0);
    // The first poll knows no baseline percentile; every later one counts over the last one seen.
    expect(ranges[0]!.over).toBeUndefined();
    expect(ranges[1]!.over).toEqual({ baseline: 199, canary: 238.8 });
  });

  it('promotes cells as slow as the old ones', async () => {
    const { options } = setup(cells, HEALTHY, { waves: '1,100%' }, { cellMetrics: source([], []) });
    const result = await runPlan(options);
    expect(result.decision).toBe('promote');
  });

  it('sums counts over cells exactly, and a serving part without its count is no data', () => {
    const side = (requests: number, p99: number, over?: number | null) => ({
      requests,
      errors: 0,
      p99,
      healthy: 1,
      unhealthy: 0,
      ...(over !== undefined ? { over } : {}),
    });
    expect(combine([side(100, 200, 3), side(300, 100, 5)])).toMatchObject({
      requests: 400,
      over: 8,
      p99: 125,
    });
    expect(combine([side(100, 200, 3), side(300, 100, null)])).toMatchObject({ over: null });
    expect(combine([side(100, 200), side(300, 100)])).not.toHaveProperty('over');
  });
});

describe('post-step restore over cells', () => {
  it('puts back every route of every cell, each with its own target groups', async () => {
    const cells = generateCells({ count: 3, regions: ['us-east-1', 'us-west-2', 'eu-west-1'], zones: 1 });
    let record: RestoreRecord | null = null;
    const { sim, options } = setup(
      cells,
      HEALTHY,
      { waves: '100%' },
      {
        beforeWrite: (plans, pair) => {
          record = addRestorePlans(record, { pair: pair! }, plans, pair);
        },
      },
    );
    await runPlan(options);
    expect(Object.values(sim.shares())).toEqual([100, 100, 100]);
    expect(record!.routes).toHaveLength(3);
    const outcome = await putBack(sim.router, record!, {
      logger: silentLogger,
      sleep: async () => {},
      random: () => 0,
    });
    expect(outcome.results.filter((r) => r.changed)).toHaveLength(3);
    expect(Object.values(sim.shares())).toEqual([0, 0, 0]);
  });
});
