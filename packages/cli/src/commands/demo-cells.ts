// The demo's third run (issue 12): a bad version rolled out over 12 cells in two regions, caught in the
// one-box; only that cell ever served it. Same orchestrator, simulated cells.
import {
  buildPlan,
  cellsSummary,
  createRolloutState,
  escapeMarkdown as md,
  parseGates,
  planWaves,
  runPlan,
  virtualTime,
  type RunPlanOptions,
  type RunResult,
  type Sleeper,
} from '@shiftgate/core';
import { systemSleep } from '@shiftgate/github';
import type { Io } from '../command';
import { progressReporter } from '../progress';
import { SIMULATION_EPOCH } from '../run-support';
import { createCellSimulation, generateCells, mulberry32 } from '../simulator/index';

/** The third deployment: the layout, the plan, and the command that replays it. */
export const CELLS_DEMO = {
  title: 'Bad over cells',
  cells: 12,
  regions: ['us-east-1', 'eu-west-1'],
  zones: 2,
  bakeTime: '4m',
};

/** What the report shows of the run over cells. */
export interface CellsDemoRun {
  title: string;
  result: RunResult;
  waves: string[][];
  /** Cells whose listener ever sent the new version traffic. */
  served: string[];
  verdictMinute: number;
  command: string;
}

/**
 * The demo's time and run options: simulated time in which every wait also waits 1/speed of it on
 * the wall (so progress reads as it happens), one-minute windows, a seeded jitter, live progress lines.
 */
export function liveTime(o: { seed: number; speed: number; io: Io; signal: AbortSignal }) {
  const time = virtualTime(SIMULATION_EPOCH);
  const sleep: Sleeper = async (ms, s) => {
    await time.sleep(ms, s);
    if (Number.isFinite(o.speed)) await systemSleep(ms / o.speed, s ?? o.signal);
  };
  const options = {
    period: 60_000,
    metricDelay: 120_000,
    clock: time.clock,
    sleep,
    signal: o.signal,
    random: mulberry32(o.seed),
    onEvent: progressReporter(o.io, { prefix: '  ', clock: time.clock }),
  } satisfies Partial<RunPlanOptions>;
  return { time, options };
}

/** Runs the bad version over the demo's cells, live in simulated time. */
export async function deployCells(
  seed: number,
  speed: number,
  io: Io,
  signal: AbortSignal,
  position: string,
): Promise<{ demo: CellsDemoRun; simulatedMs: number }> {
  const live = liveTime({ seed, speed, io, signal });
  const time = live.time;
  const cells = generateCells({
    count: CELLS_DEMO.cells,
    regions: CELLS_DEMO.regions,
    zones: CELLS_DEMO.zones,
  });
  const sim = createCellSimulation({
    seed,
    clock: time.clock,
    cells,
    bad: { everywhere: true, cells: [], zones: [] },
  });
  const plan = buildPlan('rolling', { 'bake-time': CELLS_DEMO.bakeTime }, { cells });
  const gates = parseGates({});
  const state = createRolloutState({
    strategy: 'rolling',
    parameters: plan.parameters,
    plan: plan.steps,
    now: new Date(time.clock.now()),
  });
  const waves = planWaves(plan.steps);
  io.stdout(
    `\n${position} ${CELLS_DEMO.title}: rolling over ${cells.length} cells in ${CELLS_DEMO.regions.join(' then ')}, ${waves.length} waves (${waves.map((w) => w.length).join(', ')} cells), bake ${CELLS_DEMO.bakeTime} (seed ${seed})\n`,
  );
  const start = time.clock.now();
  const result = await runPlan({
    state,
    cells,
    router: sim.router,
    metrics: () => {
      throw new Error('a rollout over cells reads its metrics by region');
    },
    cellMetrics: sim.metrics(60_000, gates.maxP99Latency),
    gates,
    ...live.options,
  });
  const end = time.clock.now();
  const served = sim.everServed();
  io.stdout(
    `  → ${result.reason}\n  cells that ever served the new version: ${served.join(', ') || 'none'}\n`,
  );
  return {
    simulatedMs: end - start,
    demo: {
      title: CELLS_DEMO.title,
      result,
      waves,
      served,
      verdictMinute: Math.ceil((end - start) / 60_000),
      command: `npx shiftgate deploy --simulate --strategy rolling --cells ${CELLS_DEMO.cells} --regions ${CELLS_DEMO.regions.join(',')} --zones ${CELLS_DEMO.zones} --param bake-time=${CELLS_DEMO.bakeTime} --scenario step-regression --seed ${seed}`,
    },
  };
}

/** The report's section on the run over cells: the verdict, the waves, the grid, and who served the version. */
export function cellsDemoSection(run: CellsDemoRun, number: number): string {
  const verdict = run.result.decision === 'rollback' ? 'rolled back' : run.result.decision;
  return [
    `## ${number}. ${md(run.title)}: ${verdict} in the one-box`,
    '',
    `A bad version (6% of requests fail) rolled out with \`rolling\` over ${Object.keys(run.result.state.cells ?? {}).length} cells in ${CELLS_DEMO.regions.join(' then ')}: waves ${run.waves.map((w) => w.length).join(', ')} (cumulative 1, 10%, 50%, 100% per region, never crossing a region).`,
    `Cells that ever served the new version: **${run.served.map(md).join(', ') || 'none'}** (${run.served.length} of ${Object.keys(run.result.state.cells ?? {}).length}).`,
    '',
    md(run.result.reason),
    '',
    cellsSummary(run.result.state),
    `Replay it: \`${run.command}\``,
    '',
  ].join('\n');
}
