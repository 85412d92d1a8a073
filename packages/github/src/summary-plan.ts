import {
  describeStep,
  escapeMarkdown as cell,
  formatDuration,
  planBakeTime,
  type Plan,
  type SelectionSource,
} from '@shiftgate/core';

const SOURCE_TEXT: Record<SelectionSource, string> = {
  input: "the action's `strategy` input",
  dispatch: 'the `strategy` input of the manual run (workflow_dispatch)',
  label: 'a pull request label',
  config: 'the environment default in `.github/shiftgate.yml`',
  default: 'the `default-strategy` input',
};

/** A ten-character bar for a percentage, so the schedule reads at a glance even where charts don't render. */
export function bar(percent: number): string {
  const filled = Math.round(percent / 10);
  return `${'█'.repeat(filled)}${'░'.repeat(10 - filled)}`;
}

/**
 * The canary weight over elapsed bake time, as a Mermaid xychart: one point at the start and after every
 * shift and bake, so the staircase of the schedule shows.
 */
export function weightChart(plan: Plan): string | null {
  const points: Array<{ at: number; weight: number }> = [{ at: 0, weight: 0 }];
  let at = 0;
  let weight = 0;
  for (const step of plan.steps) {
    if (step.kind === 'shift') {
      weight = step.weight;
      points.push({ at, weight });
    } else if (step.kind === 'bake') {
      at += step['duration-ms'];
      points.push({ at, weight });
    }
  }
  if (points.length < 3) return null;
  const labels = points.map((p) => `"${formatDuration(p.at)}"`).join(', ');
  return [
    '```mermaid',
    'xychart-beta',
    '  title "Canary weight over bake time"',
    `  x-axis [${labels}]`,
    '  y-axis "traffic to new version (%)" 0 --> 100',
    `  line [${points.map((p) => p.weight).join(', ')}]`,
    '```',
  ].join('\n');
}

/** What the select-strategy summary shows. */
export interface SelectionSummary {
  plan: Plan;
  source: SelectionSource;
  label: string | null;
  environment: string | null;
}

/** Builds the select-strategy job summary: the strategy, where it came from, the plan as a table and a chart. */
export function selectionSummary(summary: SelectionSummary): string {
  const { plan } = summary;
  const from =
    summary.source === 'label' && summary.label
      ? `the pull request label \`${cell(summary.label)}\``
      : SOURCE_TEXT[summary.source];
  const lines = [
    `## shiftgate: ${plan.strategy}${summary.environment ? ` to \`${cell(summary.environment)}\`` : ''}`,
    '',
    `Strategy **${plan.strategy}**, chosen by ${from}. ${plan.steps.length} steps, ${formatDuration(planBakeTime(plan.steps))} of baking.`,
    '',
    '| # | step | traffic to new version |',
    '|---|------|------------------------|',
  ];
  let weight = 0;
  plan.steps.forEach((step, index) => {
    if (step.kind === 'shift') weight = step.weight;
    const traffic = step.kind === 'shift' || step.kind === 'bake' ? `${bar(weight)} ${weight}%` : '';
    lines.push(`| ${index + 1} | ${cell(describeStep(step))} | ${traffic} |`);
  });
  if (plan.compensation.length > 0) {
    lines.push(
      '',
      `On failure, compensation runs in this order: ${plan.compensation.map((s) => (s.kind === 'service' ? cell(s.service) : s.kind)).join(' → ')}.`,
    );
  }
  const chart = weightChart(plan);
  if (chart) lines.push('', chart);
  const params = Object.entries(plan.parameters);
  if (params.length > 0) {
    lines.push('', '| parameter | value |', '|-----------|-------|');
    for (const [name, value] of params)
      lines.push(`| ${name} | ${cell(Array.isArray(value) ? value.join(', ') : String(value))} |`);
  }
  return `${lines.join('\n')}\n`;
}
