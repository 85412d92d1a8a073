// One deployment's page: what was deployed and how, who chose and approved it, each step with its
// weights, the gate verdicts with their values, intervals and thresholds, the charts, cells, saga
// services and A/B verdicts where the rollout had them, and the artifacts with their sha256.
import { escapeHtml as h, formatPercent } from '../shared/index';
import { describeStep } from '../strategy/index';
import { formatSpan } from '../records/index';
import type { CellState } from '../rollout/index';
import { badge, externalLink, page, table, when } from './layout';
import type { Dashboard, DeploymentView, EnvironmentView } from './model';
import { panelChart, PALETTE } from './svg';
import type { TraceView } from './trace';

const SOURCES: Record<string, string> = {
  input: 'the strategy input of the workflow',
  dispatch: 'a workflow_dispatch input',
  label: 'a pull request label',
  config: 'the config file (.github/shiftgate.yml)',
  default: 'the default strategy',
};

const fmt = (n: number | null, unit = '') => (n === null ? '-' : `${Number(n.toPrecision(4))}${unit}`);

function facts(d: DeploymentView, env: EnvironmentView): string {
  const e = d.entry;
  const r = d.record;
  const chosen = r?.['chosen-by'];
  const approvals = r?.approvals;
  const rows: [string, string][] = [
    ['Outcome', badge(e.status)],
    ['Environment', h(env.name)],
    ['Version', h(e.version)],
    ['Strategy', h(e.strategy ?? 'not recorded')],
    [
      'Chosen by',
      chosen
        ? `${h(SOURCES[chosen.source] ?? chosen.source)}${chosen.actor ? `, run started by ${h(chosen.actor)}` : ''}`
        : 'not recorded',
    ],
    [
      'Approved by',
      approvals === undefined
        ? 'not recorded'
        : approvals === null
          ? 'could not be read when the deployment started'
          : approvals.length === 0
            ? 'no review was required'
            : approvals
                .map((a) => `${h(a.reviewer)} (${h(a.state)}${a.comment ? `: “${h(a.comment)}”` : ''})`)
                .join(', '),
    ],
    ['Ref', `<code>${h(e.ref)}</code>`],
    ['Commit', `<code>${h(e.sha)}</code>`],
    ['Started', h(when(e['started-at']))],
    ['Completed', h(when(e['completed-at']))],
    ['Duration', e['duration-ms'] === null ? '-' : h(formatSpan(e['duration-ms']))],
  ];
  if (e.reason) rows.push([e.status === 'rolled_back' ? 'Rollback reason' : 'Reason', h(e.reason)]);
  if (d.trace?.rollback)
    rows.push(['Rolled back to', `${h(d.trace.rollback.to)}: ${h(d.trace.rollback.reason)}`]);
  rows.push(['Run', externalLink(e['log-url'], e['log-url'] ? 'workflow run' : 'not recorded')]);
  return `<dl class="facts">${rows.map(([k, v]) => `<dt>${h(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

function planSection(d: DeploymentView): string {
  const plan = d.state?.plan;
  if (!plan || plan.length === 0) return '<h2>Plan</h2><p>No plan was stored with this deployment.</p>';
  let canary = 0;
  const rows = plan.map((step, i) => {
    if (step.kind === 'shift') canary = step.weight;
    return [String(i + 1), h(step.kind), h(describeStep(step)), `${canary}% new, ${100 - canary}% stable`];
  });
  return `<h2>Plan</h2>${table({ caption: 'Plan steps', head: ['#', 'Kind', 'Step', 'Weights after it'], rows, numeric: [0] })}`;
}

function runSection(trace: TraceView): string {
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

function charts(d: DeploymentView): string {
  const trace = d.trace;
  const out: string[] = ['<h2>Charts</h2>'];
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
    out.push(
      panelChart({
        title: `Traffic to the new version: planned ${planned.join('%, ')}%${trace ? `; ${ran} of ${plan.length} steps ran` : ''}`,
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
    );
  }
  if (trace && trace.windows.length > 0) {
    const w = trace.windows;
    const t = trace.thresholds;
    out.push(
      panelChart({
        title: `Canary against baseline over ${w.length} judged windows`,
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
    );
  } else {
    out.push(
      `<p>${d.traceProblem ? h(d.traceProblem) : 'No canary trace was stored for this deployment, so there are no metric charts.'}</p>`,
    );
  }
  return out.join('\n');
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

function extras(d: DeploymentView): string {
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

function artifacts(d: DeploymentView): string {
  const list = d.record?.artifacts ?? [];
  if (list.length === 0) return '<h2>Artifacts</h2><p>No artifacts were recorded.</p>';
  return `<h2>Artifacts</h2>${table({
    caption: 'Artifacts with their sha256',
    head: ['Type', 'File', 'Size (bytes)', 'sha256'],
    rows: list.map((a) => [
      h(a['artifact-type']),
      h(a.path),
      String(a['file-size']),
      `<span class="hash">${h(a['file-hash'])}</span>`,
    ]),
    numeric: [2],
  })}`;
}

/** A deployment's page (`deployments/<id>.html`). */
export function renderDeploymentPage(dashboard: Dashboard, env: EnvironmentView, d: DeploymentView): string {
  const e = d.entry;
  const body = [
    `<h1>Deployment ${e['deployment-id']}: ${h(e.version)} to ${h(env.name)}</h1>`,
    d.payloadProblem ? `<p class="note">The stored record could not be read: ${h(d.payloadProblem)}</p>` : '',
    !d.record && !d.payloadProblem
      ? '<p class="note">This deployment was not made by shiftgate: it has no record.</p>'
      : '',
    facts(d, env),
    planSection(d),
    d.trace ? runSection(d.trace) : '',
    charts(d),
    extras(d),
    artifacts(d),
  ].join('\n');
  return page({
    title: `Deployment ${e['deployment-id']} of ${e.version} to ${env.name}`,
    repository: dashboard.repository,
    root: '../',
    body,
    generatedAt: dashboard.generatedAt,
  });
}
