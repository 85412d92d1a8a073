// The sections a deployment's page and a run report share: the plan, the run with its gate verdicts,
// the charts, and the cells, saga services and A/B verdicts where the rollout had them.
import { escapeHtml as h, formatPercent } from '../shared/index';
import { describeStep } from '../strategy/index';
import type { CellState, RolloutState } from '../rollout/index';
import { table } from './layout';
import { panelChart, PALETTE } from './svg';
import type { TraceView } from './trace';

/** What the sections read of a run: its rollout state and its trace, when known. */
export interface RunView {
  state: RolloutState | null;
  trace: TraceView | null;
  /** Why the trace could not be read. */
  traceProblem: string | null;
}

/** A figure for a table, four significant digits. */
export const fmt = (n: number | null, unit = '') => (n === null ? '-' : `${Number(n.toPrecision(4))}${unit}`);

/** The plan's steps with the weights after each. */
export function planSection(d: RunView): string {
  const plan = d.state?.plan;
  if (!plan || plan.length === 0) return '<h2>Plan</h2><p>No plan was stored with this deployment.</p>';
  let canary = 0;
  const rows = plan.map((step, i) => {
    if (step.kind === 'shift') canary = step.weight;
    return [String(i + 1), h(step.kind), h(describeStep(step)), `${canary}% new, ${100 - canary}% stable`];
  });
  return `<h2>Plan</h2>${table({ caption: 'Plan steps', head: ['#', 'Kind', 'Step', 'Weights after it'], rows, numeric: [0] })}`;
}

/** The steps as they ran and the gate verdicts with values, intervals and thresholds. */
export function runSection(trace: TraceView): string {
  const rows = trace.steps.map((s) => [
    String(s.index + 1),
    h(s.kind),
    h(s.outcome),
    s.weights ? `${s.weights.canary}% new, ${s.weights.stable}% stable` : '-',
    h(s.message),
  ]);
  const checks = trace.steps.flatMap((s) =>
    s.checks.map((c) => [
      String(s.index + 1),
      h(c.name),
      `<span class="p-${h(c.phase)}">${h(c.phase)}</span>`,
      h(fmt(c.observed)),
      c.interval ? h(`${fmt(c.interval.lower)} to ${fmt(c.interval.upper)}`) : '-',
      h(fmt(c.threshold)),
      h(c.message),
    ]),
  );
  return [
    '<h2>Run</h2>',
    trace.reason ? `<p>${h(trace.reason)}</p>` : '',
    table({
      caption: 'Steps as they ran',
      head: ['#', 'Kind', 'Outcome', 'Verified weights', 'What happened'],
      rows,
      numeric: [0],
    }),
    '<h2>Gate verdicts</h2>',
    checks.length === 0
      ? '<p>No gate was judged.</p>'
      : table({
          caption: 'Gate verdicts',
          head: ['Step', 'Check', 'Verdict', 'Observed', 'Interval', 'Threshold', 'Sentence'],
          rows: checks,
          numeric: [0, 3, 5],
        }),
  ].join('\n');
}

/** The charts of a run: planned and verified weights, and canary against baseline per judged window. */
export function chartList(
  d: RunView,
  options: { standalone?: boolean } = {},
): { title: string; svg: string }[] {
  const trace = d.trace;
  const out: { title: string; svg: string }[] = [];
  const standalone = options.standalone ?? false;
  // Planned weights per plan step, and the weights the run verified at the steps it reached.
  const plan = d.state?.plan ?? [];
  if (plan.some((s) => s.kind === 'shift')) {
    let w = 0;
    const planned = plan.map((s) => (w = s.kind === 'shift' ? s.weight : w));
    let reached: (number | null)[] = [];
    if (trace && trace.steps.some((s) => s.weights)) {
      let v = 0;
      reached = plan.map((_, i) => {
        const step = trace.steps.find((s) => s.index === i);
        if (!step) return null;
        return (v = step.weights?.canary ?? v);
      });
    }
    const ran = reached.filter((v) => v !== null).length;
    const title = `Traffic to the new version: planned ${planned.join('%, ')}%${trace ? `; ${ran} of ${plan.length} steps ran` : ''}`;
    out.push({
      title,
      svg: panelChart({
        standalone,
        title,
        xLabel: 'plan step',
        panels: [
          {
            label: 'new version weight (%)',
            series: [
              { name: 'planned', color: PALETTE.baseline, values: planned, step: true, dashed: true },
              ...(ran > 0 ? [{ name: 'verified', color: PALETTE.weight, values: reached, step: true }] : []),
            ],
            threshold: null,
          },
        ],
      }),
    });
  }
  if (trace && trace.windows.length > 0) {
    const w = trace.windows;
    const t = trace.thresholds;
    const title = `Canary against baseline over ${w.length} judged windows`;
    out.push({
      title,
      svg: panelChart({
        standalone,
        title,
        xLabel: 'judged window',
        panels: [
          {
            label: '5xx rate (%)',
            series: [
              { name: 'canary', color: PALETTE.canary, values: w.map((x) => x.canaryErrorRate) },
              {
                name: 'baseline (stable)',
                color: PALETTE.baseline,
                values: w.map((x) => x.baselineErrorRate),
                dashed: true,
              },
            ],
            threshold:
              t.maxErrorRate === null
                ? null
                : { value: t.maxErrorRate, label: `max-error-rate ${formatPercent(t.maxErrorRate)}` },
          },
          {
            label: 'p99 latency (ms)',
            series: [
              { name: 'canary', color: PALETTE.canary, values: w.map((x) => x.canaryP99) },
              {
                name: 'baseline (stable)',
                color: PALETTE.baseline,
                values: w.map((x) => x.baselineP99),
                dashed: true,
              },
            ],
            threshold: t.maxP99 === null ? null : { value: t.maxP99, label: `max-p99-latency ${t.maxP99}ms` },
          },
          {
            label: 'canary requests slower than max-p99-latency (%)',
            series: [{ name: 'canary', color: PALETTE.canary, values: w.map((x) => x.slowShare) }],
            threshold: null,
          },
        ],
      }),
    });
  }
  return out;
}

/** The charts section of a page: the charts inline, or why there are none. */
export function chartsSection(d: RunView): string {
  const charts = chartList(d);
  const metrics = d.trace !== null && d.trace.windows.length > 0;
  return [
    '<h2>Charts</h2>',
    ...charts.map((c) => c.svg),
    metrics
      ? ''
      : `<p>${d.traceProblem ? h(d.traceProblem) : 'No canary trace was stored for this deployment, so there are no metric charts.'}</p>`,
  ].join('\n');
}

function cellsSection(cells: Record<string, CellState>): string {
  const entries = Object.entries(cells);
  const regions = [...new Set(entries.map(([, c]) => c.region))];
  const zones = [...new Set(entries.map(([, c]) => c.zone ?? 'any zone'))];
  const rows = regions.map((region) => [
    `<strong>${h(region)}</strong>`,
    ...zones.map(
      (zone) =>
        entries
          .filter(([, c]) => c.region === region && (c.zone ?? 'any zone') === zone)
          .map(([name, c]) => `${h(name)}: ${h(c.status)}, wave ${c.wave}, ${c.weight}% new`)
          .join('<br>') || '-',
    ),
  ]);
  return `<h2>Cells and waves</h2><div class="grid">${table({ caption: 'Cells by region and zone', head: ['Region', ...zones], rows })}</div>`;
}

/** Cells by region and zone, saga services and A/B verdicts, where the rollout had them. */
export function extras(d: RunView): string {
  const out: string[] = [];
  const cells = d.state?.cells;
  if (cells && Object.keys(cells).length > 0) out.push(cellsSection(cells));
  const saga = d.trace?.saga;
  const services = d.state?.plan.flatMap((s) => (s.kind === 'service' ? [s.service] : [])) ?? [];
  if (saga) {
    out.push(
      '<h2>Saga services</h2>',
      table({
        caption: 'Saga services in deployment order',
        head: ['Service', 'Status'],
        rows: saga.services.map((s) => [h(s.name), h(s.status)]),
      }),
      saga.compensated.length > 0
        ? `<p>Compensated, in order: ${saga.compensated.map(h).join(', ')}.</p>`
        : '',
    );
  } else if (services.length > 0) {
    out.push(
      '<h2>Saga services</h2>',
      `<p>Planned in order: ${services.map(h).join(', ')}. No run trace was stored, so their outcome is not known here.</p>`,
    );
  }
  const ab = d.trace?.comparison;
  if (ab) {
    out.push(
      '<h2>A/B verdict</h2>',
      `<p><strong>${h(ab.verdict)}</strong>: ${h(ab.message)}</p>`,
      table({
        caption: 'A/B comparison',
        head: ['Metric', 'A', 'B', 'Verdict'],
        rows: ab.metrics.map((m) => [h(m.metric), h(fmt(m.a, '%')), h(fmt(m.b, '%')), h(m.verdict)]),
        numeric: [1, 2],
      }),
    );
  }
  return out.join('\n');
}
