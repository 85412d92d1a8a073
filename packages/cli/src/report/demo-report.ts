import {
  describeStep,
  escapeMarkdown as cell,
  formatDuration,
  formatLatency,
  formatPercent,
  type Gates,
  type RunResult,
} from '@shiftgate/core';
import { SCENARIO_DESCRIPTIONS, type Scenario, type TrafficModel } from '../simulator/index';
import { renderChart, type ChartPoint } from './chart';

const MIN = 60_000;

/** One deployment of the demo, as the report shows it. */
export interface DemoRun {
  title: string;
  scenario: Scenario;
  /** The minute the scenario's regression starts. */
  at: number;
  seed: number;
  result: RunResult;
  gates: Gates;
  points: ChartPoint[];
  /** Minutes from the start to the verdict. */
  verdictMinute: number;
  /** The `shiftgate deploy --simulate` command that replays this deployment exactly. */
  command: string;
}

/** The per-minute truth of a simulated deployment, from its start to its end (epoch ms). */
export function chartPoints(model: TrafficModel, start: number, end: number): ChartPoint[] {
  const points: ChartPoint[] = [];
  const first = Math.floor(start / MIN) * MIN;
  for (let t = first; t < end; t += MIN) {
    const canary = model.minute('canary', t);
    const baseline = model.minute('baseline', t);
    const rate = (m: typeof canary) =>
      m.requests === null || m.requests === 0 ? null : (100 * (m.errors ?? 0)) / m.requests;
    points.push({
      minute: (t - first) / MIN,
      weight: Math.round(model.averageShare(t) * 10) / 10,
      canaryErrorRate: rate(canary),
      baselineErrorRate: rate(baseline),
      canaryP99: canary.p99,
      baselineP99: baseline.p99,
    });
  }
  return points;
}

const VERDICT: Record<RunResult['decision'], string> = {
  promote: 'promoted',
  rollback: 'rolled back',
  inconclusive: 'inconclusive, rolled back',
  paused: 'paused',
};

/** A deployment's chart (weights, 5xx rate and p99 over time, with the thresholds), as an SVG file. */
export function demoChart(run: DemoRun): { title: string; svg: string } {
  const title = `${run.title}: ${VERDICT[run.result.decision]} after ${run.verdictMinute} min`;
  return {
    title,
    svg: renderChart({
      title,
      points: run.points,
      maxErrorRate: run.gates.maxErrorRate,
      maxP99: run.gates.maxP99Latency,
      verdict: {
        minute: run.verdictMinute,
        label: VERDICT[run.result.decision],
        good: run.result.decision === 'promote',
      },
    }),
  };
}

/**
 * The demo's report in Markdown: what ran, each deployment's verdict and steps, and a chart per
 * deployment linked as a separate SVG file (`chartFile(i)`), because github.com strips inline SVG.
 */
export function demoReport(
  runs: DemoRun[],
  meta: { wallMs: number; simulatedMs: number; chartFile: (index: number) => string; page: string },
): string {
  const lines = [
    '# shiftgate demo',
    '',
    `Two canary deployments against the built-in simulator: a load balancer whose listener forwards to a stable`,
    `and a canary target group, and a seeded traffic model behind it. The same orchestrator as the \`run-plan\``,
    `action shifted the traffic, baked and judged each step on the simulated CloudWatch metrics (published`,
    `90 s after each minute), and promoted or rolled back. ${formatDuration(meta.simulatedMs)} of simulated time ran in ${(meta.wallMs / 1000).toFixed(1)} s.`,
    '',
    `The same report as a web page, with each run's gate verdicts: [${meta.page}](${meta.page}).`,
    '',
    '| deployment | scenario | verdict | after | why |',
    '| --- | --- | --- | --- | --- |',
    ...runs.map(
      (r) =>
        `| ${cell(r.title)} | ${r.scenario} | **${VERDICT[r.result.decision]}** | ${r.verdictMinute} min | ${cell(r.result.reason)} |`,
    ),
    '',
  ];
  runs.forEach((run, i) => {
    const { gates } = run;
    lines.push(
      `## ${i + 1}. ${run.title}: ${VERDICT[run.result.decision]}`,
      '',
      `Scenario \`${run.scenario}\`${run.scenario === 'healthy' || run.scenario === 'low-traffic' ? '' : ` from minute ${run.at}`}: ${SCENARIO_DESCRIPTIONS[run.scenario]}. Seed ${run.seed}.`,
      `Gates: max-error-rate ${formatPercent(gates.maxErrorRate)}, max-p99-latency ${formatLatency(gates.maxP99Latency)}, max-latency-increase ${formatPercent(gates.maxLatencyIncrease)}, min-healthy-percent ${formatPercent(gates.minHealthyPercent)}, min-requests ${gates.minRequests}, confidence ${formatPercent(gates.confidence)}.`,
      '',
      `![${cell(demoChart(run).title)}](${meta.chartFile(i)})`,
      '',
      '| # | step | outcome | details |',
      '| ---: | --- | --- | --- |',
      ...run.result.trace.steps.map(
        (s) => `| ${s.index + 1} | ${cell(describeStep(s.step))} | ${s.outcome} | ${cell(s.message)} |`,
      ),
    );
    if (run.result.trace.rollback) {
      const rb = run.result.trace.rollback;
      lines.push(
        '',
        `Rollback to ${rb.to}: ${rb.routes.map((r) => `${r.changed ? 'restored' : 'already at stable'} (verified)`).join(', ') || 'nothing to restore'}${rb.error ? `; NOT restored: ${cell(rb.error)}` : ''}.`,
      );
    }
    lines.push('', `Replay it: \`${run.command}\``, '');
  });
  lines.push(
    '## Reading the charts',
    '',
    '- Top: the share of traffic the canary target group received, as the orchestrator shifted it.',
    '- Middle and bottom: per simulated minute, the canary (orange) and the stable baseline (grey); dashed red',
    '  lines are the thresholds. The gates judge cumulative evidence with anytime-valid confidence bounds, so a',
    '  single bad minute does not roll back and a sustained breach does, as soon as it is evident.',
    '- The vertical line marks the verdict.',
    '',
  );
  return lines.join('\n');
}
