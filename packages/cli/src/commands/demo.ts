import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import {
  buildPlan,
  createRolloutState,
  InputError,
  parseGates,
  parseInteger,
  renderRunReport,
  runPlan,
} from '@shiftgate/core';
import { withCancelSignals } from '@shiftgate/github';
import { parseFlags } from '../args';
import { EXIT, type Command, type Io } from '../command';
import { chartPoints, demoChart, demoReport, type DemoRun } from '../report/demo-report';
import { createSimulation, type Scenario } from '../simulator/index';
import { CELLS_DEMO, cellsDemoSection, deployCells, liveTime, type CellsDemoRun } from './demo-cells';

/** The demo's two deployments: the plan, the gates and the scenarios `deploy --simulate` replays. */
export const DEMO = {
  steps: '5,25,50,100',
  bakeTime: '4m',
  deployments: [
    { title: 'Healthy canary', scenario: 'healthy' as Scenario, at: 10 },
    { title: 'Bad canary', scenario: 'step-regression' as Scenario, at: 9 },
  ],
  out: 'reports/shiftgate-demo.md',
  /** Simulated time runs this many times faster than the clock on the wall. */
  speed: 600,
};

/** The demo's runs: the two canaries, then a bad version over cells. */
const TOTAL = DEMO.deployments.length + 1;

/**
 * `shiftgate demo`: a healthy canary promoted, a bad one rolled back, and a bad version over 12 cells
 * stopped in the one-box, live in simulated time.
 */
export const demoCommand: Command = {
  name: 'demo',
  summary:
    'Watch a healthy canary get promoted, a bad one rolled back, and a bad version stopped in one cell (simulated, no AWS)',
  help: `Usage: shiftgate demo [--seed <n>] [--speed <x>|max] [--out <file>] [--json]

Runs two canary deployments (${DEMO.steps}, bake ${DEMO.bakeTime} after each weight) against the built-in
simulator with the same orchestrator as the run-plan action: a healthy canary that is promoted, and one
that starts failing 6% of requests at minute ${DEMO.deployments[1]!.at} and is rolled back. A third run rolls a bad
version over ${CELLS_DEMO.cells} cells in ${CELLS_DEMO.regions.join(' and ')}, wave by wave: the one-box catches it, and no other cell ever serves it. Progress is shown live in
simulated time (progress bars on a terminal, plain lines otherwise); then the report is written and its
path printed: a Markdown file whose charts of weights, error rate and p99 over time are SVG files beside
it (so it renders on github.com), and the same report as a web page (<name>.html with style.css).

Options:
  --seed    the traffic model's seed (default 42); the same seed shows the same demo
  --speed   how many times faster than real time simulated time runs (default ${DEMO.speed}: the demo
            takes a few seconds); max runs without waiting
  --out     where to write the Markdown report (default ${DEMO.out}, relative to the working directory);
            the charts and the web page go beside it
  --json    print {report, deployments: [{title, scenario, decision, reason, minutes}], cells: {title,
            decision, reason, minutes, waves, served}} as JSON on stdout
            (progress goes to stderr)

Exit codes: 0 the healthy canary was promoted, the bad one rolled back and the bad version over cells
stopped in its one-box, 1 otherwise, 2 invalid flags.`,
  async run(argv, io) {
    const { values } = parseFlags('demo', argv, {
      seed: { type: 'string' },
      speed: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
    });
    const seed = parseInteger('--seed', values.seed ?? '42', { min: 0, max: 4294967295 });
    const speedText = values.speed ?? String(DEMO.speed);
    if (speedText !== 'max' && !/^\d+$/.test(speedText))
      throw new InputError('--speed', speedText, "a whole number from 1 to 1000000, or 'max'");
    const speed =
      speedText === 'max'
        ? Number.POSITIVE_INFINITY
        : parseInteger('--speed', speedText, { min: 1, max: 1_000_000 });
    const out = values.json ? { ...io, stdout: io.stderr, isTty: false } : io;
    const wallStart = Date.now();
    const runs: DemoRun[] = [];
    let simulated = 0;
    for (const [i, deployment] of DEMO.deployments.entries()) {
      const run = await withCancelSignals((signal) => deploy(deployment, seed, speed, out, signal, i));
      runs.push(run.demo);
      simulated += run.simulatedMs;
      if (run.demo.result.cancelled) break;
    }
    let cells: CellsDemoRun | null = null;
    if (runs.length === DEMO.deployments.length && !runs.some((r) => r.result.cancelled)) {
      const run = await withCancelSignals((signal) =>
        deployCells(seed, speed, out, signal, `${TOTAL}/${TOTAL}`),
      );
      cells = run.demo;
      simulated += run.simulatedMs;
    }
    const wallMs = Date.now() - wallStart;
    const path = resolve(io.cwd, values.out ?? DEMO.out);
    writeDemoReport(path, runs, cells, { wallMs, simulatedMs: simulated });
    const shown = relative(io.cwd, path) || path;
    const expected =
      runs.length === 2 &&
      runs[0]!.result.decision === 'promote' &&
      runs[1]!.result.decision === 'rollback' &&
      cells?.result.decision === 'rollback' &&
      cells.served.length === 1;
    if (values.json) {
      io.stdout(
        `${JSON.stringify(
          {
            report: shown,
            deployments: runs.map((r) => ({
              title: r.title,
              scenario: r.scenario,
              decision: r.result.decision,
              reason: r.result.reason,
              minutes: r.verdictMinute,
            })),
            ...(cells
              ? {
                  cells: {
                    title: cells.title,
                    decision: cells.result.decision,
                    reason: cells.result.reason,
                    minutes: cells.verdictMinute,
                    waves: cells.waves,
                    served: cells.served,
                  },
                }
              : {}),
          },
          null,
          2,
        )}\n`,
      );
      return expected ? EXIT.ok : EXIT.failed;
    }
    const lines = [
      '',
      ...runs.map(
        (r) =>
          `${r.title.padEnd(16)} ${(r.result.decision === 'promote' ? 'promoted' : r.result.decision === 'rollback' ? 'rolled back' : r.result.decision).padEnd(12)} after ${String(r.verdictMinute).padStart(2)} simulated minutes`,
      ),
      ...(cells
        ? [
            `${cells.title.padEnd(16)} ${(cells.result.decision === 'rollback' ? 'rolled back' : cells.result.decision).padEnd(12)} after ${String(cells.verdictMinute).padStart(2)} simulated minutes; served by ${cells.served.length} of ${CELLS_DEMO.cells} cells (${cells.served.join(', ')})`,
          ]
        : []),
      '',
      `${Math.round(simulated / 60_000)} simulated minutes in ${(wallMs / 1000).toFixed(1)} s.`,
      `Report: ${shown}`,
    ];
    io.stdout(`${lines.join('\n')}\n`);
    return expected ? EXIT.ok : EXIT.failed;
  },
};

/**
 * Writes the report: the Markdown file at `path` with each chart as an SVG file beside it
 * (`<name>-<n>.svg`), and the same report as a page of the dashboard's site (`<name>.html`, `style.css`).
 */
function writeDemoReport(
  path: string,
  runs: DemoRun[],
  cells: CellsDemoRun | null,
  meta: { wallMs: number; simulatedMs: number },
): void {
  const dir = dirname(path);
  const name = basename(path).replace(/\.md$/i, '') || 'report';
  mkdirSync(dir, { recursive: true });
  const chartFile = (i: number) => `${name}-${i + 1}.svg`;
  runs.forEach((run, i) => writeFileSync(join(dir, chartFile(i)), `${demoChart(run).svg}\n`));
  writeFileSync(
    path,
    demoReport(runs, { ...meta, chartFile, page: `${name}.html` }) +
      (cells ? `\n${cellsDemoSection(cells, TOTAL)}` : ''),
  );
  const site = renderRunReport({
    name,
    title: 'shiftgate demo',
    intro: [
      'Deployments against the built-in simulator: the same orchestrator as the run-plan action shifted the traffic, baked and judged each step on simulated CloudWatch metrics, and promoted or rolled back.',
    ],
    runs: [
      ...runs.map((run) => ({
        title: run.title,
        verdict: run.result.reason,
        state: run.result.state,
        trace: run.result.trace,
        chart: demoChart(run),
        notes: [`Replay it: ${run.command}`],
      })),
      ...(cells
        ? [
            {
              title: cells.title,
              verdict: cells.result.reason,
              state: cells.result.state,
              trace: cells.result.trace,
              notes: [
                `Cells that ever served the new version: ${cells.served.join(', ') || 'none'}.`,
                `Replay it: ${cells.command}`,
              ],
            },
          ]
        : []),
    ],
    generatedAt: Date.now(),
  });
  for (const file of site) {
    if (file.path.endsWith('.html') || file.path === 'style.css')
      writeFileSync(join(dir, file.path), file.content);
  }
}

async function deploy(
  deployment: (typeof DEMO.deployments)[number],
  seed: number,
  speed: number,
  io: Io,
  signal: AbortSignal,
  index: number,
): Promise<{ demo: DemoRun; simulatedMs: number }> {
  const { time, options } = liveTime({ seed, speed, io, signal });
  const sim = createSimulation({ seed, scenario: deployment.scenario, clock: time.clock, at: deployment.at });
  const plan = buildPlan('canary', { steps: DEMO.steps, 'bake-time': DEMO.bakeTime });
  const gates = parseGates({});
  const state = createRolloutState({
    strategy: 'canary',
    parameters: plan.parameters,
    plan: plan.steps,
    now: new Date(time.clock.now()),
  });
  io.stdout(
    `\n${index + 1}/${TOTAL} ${deployment.title}: canary ${DEMO.steps.replace(/,/g, '→')}%, bake ${DEMO.bakeTime} after each step (scenario ${deployment.scenario}, seed ${seed})\n`,
  );
  const start = time.clock.now();
  const result = await runPlan({
    state,
    target: { routes: sim.routes, pair: sim.pair },
    router: sim.router,
    metrics: () => sim.metrics(60_000, gates.maxP99Latency, gates.latencyPercentile),
    alarms: sim.alarms,
    gates,
    ...options,
  });
  const end = time.clock.now();
  const verdictMinute = Math.ceil((end - start) / 60_000);
  io.stdout(`  → ${result.reason}\n`);
  return {
    simulatedMs: end - start,
    demo: {
      title: deployment.title,
      scenario: deployment.scenario,
      at: deployment.at,
      seed,
      result,
      gates,
      // Two minutes past the verdict, so the chart shows where traffic went.
      points: chartPoints(sim.model, start, end + 2 * 60_000),
      verdictMinute,
      command: `npx shiftgate deploy --simulate --strategy canary --param steps=${DEMO.steps} --param bake-time=${DEMO.bakeTime} --scenario ${deployment.scenario} --at ${deployment.at} --seed ${seed}`,
    },
  };
}
