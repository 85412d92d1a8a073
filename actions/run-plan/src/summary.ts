import {
  describeStep,
  describeTargetGroups,
  escapeMarkdown as cell,
  describeVerdict,
  formatAudience,
  formatDuration,
  type AbComparison,
  type RunResult,
  type SagaReport,
  type TargetPair,
} from '@shiftgate/core';

const ICON: Record<RunResult['decision'], string> = {
  promote: '✅',
  paused: '⏸️',
  rollback: '❌',
  inconclusive: '⚠️',
};

const OUTCOME: Record<string, string> = {
  passed: '✅ passed',
  failed: '❌ failed',
  paused: '⏸️ paused',
  cancelled: '⏹️ cancelled',
};

/** The job summary of a run: the verdict, each step and what it did, and the rollback when there was one. */
export function runSummary(result: RunResult, pair: TargetPair): string {
  const { trace, state } = result;
  const lines = [
    `## ${ICON[result.decision]} run-plan: ${result.decision}${result.cancelled ? ' (cancelled)' : ''}`,
    '',
    cell(result.reason),
    '',
    `Strategy **${state.strategy}**, step ${state.step} of ${state.plan.length}, status **${state.status}**${
      state.weights ? `, traffic stable ${state.weights.stable}% / canary ${state.weights.canary}%` : ''
    }.`,
    '',
  ];
  if (trace.steps.length > 0) {
    lines.push('| # | Step | Outcome | Details |', '| ---: | --- | --- | --- |');
    for (const record of trace.steps) {
      const retries = record.retries.length > 0 ? ` (${record.retries.length} provider errors retried)` : '';
      lines.push(
        `| ${record.index + 1} | ${cell(describeStep(record.step))} | ${OUTCOME[record.outcome] ?? record.outcome} | ${cell(record.message)}${retries} |`,
      );
    }
    lines.push('');
  }
  if (trace.saga) lines.push(...sagaSummary(trace.saga));
  if (trace.rule)
    lines.push(
      `A/B audience rule \`${trace.rule.arn}\` (priority ${trace.rule.priority}) sent ${cell(formatAudience(trace.rule.conditions))} to the new version.`,
      '',
    );
  if (trace.comparison) lines.push(...comparisonSummary(trace.comparison));
  if (trace.rollback) {
    const r = trace.rollback;
    lines.push(`### Rollback to ${r.to}`, '', cell(r.reason), '');
    for (const route of r.routes) {
      lines.push(
        `- \`${cell(route.route)}\`: ${route.changed ? 'restored to' : 'already at'} ${cell(describeTargetGroups(route.after, pair))}`,
      );
    }
    // Undo lines carry hook names and command or AWS error text: untrusted, like every message here.
    for (const undo of r.undo) lines.push(`- ${cell(undo)}`);
    if (r.error) lines.push(`- **Not restored:** ${cell(r.error)}`);
    lines.push('');
  }
  return lines.join('\n');
}

const STATUS: Record<SagaReport['services'][number]['status'], string> = {
  deployed: '✅ deployed',
  compensated: '↩️ compensated',
  failed: '❌ failed',
  untouched: '⚪ untouched',
};

/** A saga's services in deployment order with their final status, then every command as it ran. */
function sagaSummary(saga: SagaReport): string[] {
  const lines = ['### Saga services', '', '| Service | Status |', '| --- | --- |'];
  for (const s of saga.services) lines.push(`| ${cell(s.name)} | ${STATUS[s.status]} |`);
  lines.push('');
  if (saga.compensated.length > 0)
    lines.push(`Compensated, in this order: ${saga.compensated.map(cell).join(' → ')}.`, '');
  const commands = saga.commands.filter((c) => c.phase !== 'smoke' || c['exit-code'] !== 0);
  if (commands.length > 0) {
    lines.push('| Service | Command | Try | Exit code | Duration |', '| --- | --- | ---: | ---: | ---: |');
    for (const c of commands)
      lines.push(
        `| ${cell(c.service)} | ${c.phase} | ${c.attempt} | ${c['exit-code']} | ${formatDuration(c['duration-ms'])} |`,
      );
    lines.push('');
  }
  return lines;
}

const rate = (value: number | null) => (value === null ? '—' : `${Number(value.toFixed(3))}%`);
const points = (value: number) => `${value >= 0 ? '+' : '−'}${Number(Math.abs(value).toFixed(3))} pp`;

/** An A/B test's comparison: per metric A, B, the effect B − A with its interval, and the verdict. */
function comparisonSummary(comparison: AbComparison): string[] {
  const lines = [
    `### A/B verdict: ${describeVerdict(comparison.verdict)}`,
    '',
    `Anytime-valid intervals at ${comparison.confidence}% confidence; A/B tests never promote on their own.`,
    '',
    '| Metric | A | B | Effect (B − A) | Interval | Verdict |',
    '| --- | ---: | ---: | ---: | --- | --- |',
  ];
  for (const m of comparison.metrics) {
    const effect = m.effect === null ? '—' : points(m.effect);
    const interval = m.interval ? `${points(m.interval.lower)} to ${points(m.interval.upper)}` : '—';
    lines.push(
      `| ${m.metric} (${m.better} is better) | ${rate(m.a)} | ${rate(m.b)} | ${effect} | ${interval} | ${describeVerdict(m.verdict)} |`,
    );
  }
  const custom = comparison.metrics.filter((m) => m.metric !== 'error-rate' && m.metric !== 'slow-share');
  if (custom.length > 0)
    lines.push('', `${custom.map((m) => m.metric).join(', ')}: each side's count per 100 requests.`);
  lines.push('');
  return lines;
}
