import {
  describeStep,
  describeTargetGroups,
  escapeMarkdown as cell,
  type RunResult,
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
