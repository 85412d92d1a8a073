// Cells at scale (issue 12): how long planning 10,000 cells takes (target < 100 ms), and a simulated
// healthy rollout of 1,000 cells in 4 regions: per poll, the metric API calls (GetMetricData =
// ⌈metrics / 500⌉ per region), and overall the ModifyListener writes (one per route per switch, plus
// the canary attached at weight 0 on a route's first switch) and reads, wall time and memory.
//   npx tsx bench/cells/run.ts [cells-to-plan] [cells-to-run]
import { buildPlan, createRolloutState, parseGates, runPlan, virtualTime } from '@shiftgate/core';
import {
  createCellSimulation,
  generateCells,
  METRICS_PER_CALL,
  METRICS_PER_CELL,
  mulberry32,
} from '@shiftgate/cli';

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-2'];
const planCount = Number(process.argv[2] ?? 10_000);
const runCount = Number(process.argv[3] ?? 1_000);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

// ─── Planning ────────────────────────────────────────────────────────────────────────────────────
const many = generateCells({ count: planCount, regions: REGIONS, zones: 3 });
const times: number[] = [];
let waves = 0;
for (let i = 0; i < 9; i++) {
  const started = performance.now();
  const plan = buildPlan('rolling', { 'wave-boundary': 'zone' }, { cells: many });
  times.push(performance.now() - started);
  waves = plan.steps.filter((s) => s.kind === 'batch').length;
}
const planMs = median(times);
console.log(
  `planning ${planCount} cells in ${REGIONS.length} regions × 3 zones: ${waves} waves, median ${planMs.toFixed(1)} ms of 9 runs (target < 100 ms: ${planMs < 100 ? 'met' : 'MISSED'})`,
);

// ─── A healthy rollout ───────────────────────────────────────────────────────────────────────────
const cells = generateCells({ count: runCount, regions: REGIONS, zones: 2 });
const time = virtualTime(Date.UTC(2026, 0, 1, 9));
const sim = createCellSimulation({
  seed: 42,
  clock: time.clock,
  cells,
  bad: { everywhere: false, cells: [], zones: [] },
});
const plan = buildPlan('rolling', { 'bake-time': '5m' }, { cells });
const polls: { wave: number; region: string; metrics: number; calls: number }[] = [];
let last = { ...sim.calls.getMetricData };
let lastMetrics = { ...sim.calls.metrics };
const heapBefore = process.memoryUsage().heapUsed;
let heapPeak = heapBefore;
const wallStart = performance.now();
const result = await runPlan({
  state: createRolloutState({
    strategy: 'rolling',
    parameters: plan.parameters,
    plan: plan.steps,
    now: new Date(time.clock.now()),
  }),
  cells,
  router: sim.router,
  metrics: () => {
    throw new Error('a rollout over cells reads its metrics by region');
  },
  cellMetrics: sim.metrics(60_000),
  gates: parseGates({}),
  period: 60_000,
  metricDelay: 120_000,
  clock: time.clock,
  sleep: time.sleep,
  random: mulberry32(42),
  onEvent: (event) => {
    if (event.type !== 'poll') return;
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    const step = plan.steps[event.index];
    for (const region of REGIONS) {
      const calls = (sim.calls.getMetricData[region] ?? 0) - (last[region] ?? 0);
      const metrics = (sim.calls.metrics[region] ?? 0) - (lastMetrics[region] ?? 0);
      if (calls > 0) polls.push({ wave: step?.kind === 'batch' ? step.batch : 0, region, metrics, calls });
    }
    last = { ...sim.calls.getMetricData };
    lastMetrics = { ...sim.calls.metrics };
  },
});
const wallMs = performance.now() - wallStart;
const router = sim.routerCalls();
const routes = cells.reduce((n, c) => n + c.routes.length, 0);
console.log(
  `\nrollout of ${runCount} cells in ${REGIONS.length} regions: ${result.decision} (${Object.values(result.state.cells!).filter((c) => c.status === 'promoted').length} cells promoted) in ${plan.steps.length} waves, ${Math.round((time.clock.now() - Date.UTC(2026, 0, 1, 9)) / 60_000)} simulated minutes, ${(wallMs / 1000).toFixed(2)} s wall, heap +${((heapPeak - heapBefore) / 1e6).toFixed(1)} MB at peak`,
);
console.log('\nwave  region          polls  metrics/poll  GetMetricData/poll  expected ⌈metrics/500⌉');
const byWave = new Map<string, typeof polls>();
for (const p of polls)
  byWave.set(`${p.wave} ${p.region}`, [...(byWave.get(`${p.wave} ${p.region}`) ?? []), p]);
let mismatches = 0;
for (const [key, list] of byWave) {
  const [wave, region] = key.split(' ');
  // The first poll of a wave reads the ten ALB metrics per cell; later ones also count requests over the
  // latency-increase thresholds (two more per cell), so each poll is held to its own ⌈metrics/500⌉.
  const range = (values: number[]) => {
    const low = Math.min(...values);
    const high = Math.max(...values);
    return low === high ? String(low) : `${low}–${high}`;
  };
  const expected = list.map((p) => Math.ceil(p.metrics / METRICS_PER_CALL));
  if (list.some((p, i) => p.calls !== expected[i])) mismatches++;
  console.log(
    `${wave!.padStart(4)}  ${region!.padEnd(14)}  ${String(list.length).padStart(5)}  ${range(list.map((p) => p.metrics)).padStart(12)}  ${range(list.map((p) => p.calls)).padStart(18)}  ${range(expected).padStart(22)}`,
  );
}
console.log(
  `\n(${METRICS_PER_CELL} metrics per cell read: 5 ALB metrics × 2 target groups, plus the canary's PR(:T) at the p99 gate and, once a baseline percentile is known, PR(:T) on both sides for the latency-increase count test; ${mismatches} wave/region rows off the expected count)`,
);
console.log(
  `ModifyListener: ${router.writes} writes for ${routes} routes switched once each (${(router.writes / routes).toFixed(1)} per route: one per switch, plus one attaching the canary at weight 0 on a route's first switch); DescribeListeners: ${router.reads} (${(router.reads / routes).toFixed(1)} per route: the read before the switch, compare-and-set and read-back around each write)`,
);
