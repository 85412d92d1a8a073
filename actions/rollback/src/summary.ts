import {
  describeTargetGroups,
  shortRoute,
  escapeMarkdown as text,
  type RestoreResult,
  type RollbackTarget,
  type RouteOutcome,
  type TargetPair,
} from '@shiftgate/core';

/** The job summary of a rollback, as Markdown: the reason, and each route before and after. */
export function rollbackSummary(options: {
  reason: string;
  to: RollbackTarget;
  pair: TargetPair;
  results: RestoreResult[];
  failures?: RouteOutcome[];
  /** What was undone besides traffic: the audience rule, saga compensations, in order. */
  undo?: string[];
}): string {
  const { reason, to, pair, results, failures = [], undo = [] } = options;
  const target = to === 'stable' ? 'stable 100% / canary 0%' : 'the weights recorded before the rollout';
  const changed = results.some((r) => r.changed);
  const title =
    failures.length > 0
      ? `### shiftgate rollback to ${target}: ${failures.length} route${failures.length === 1 ? '' : 's'} failed`
      : `### shiftgate rollback to ${target}${changed ? ' (verified)' : ': already there, nothing changed'}`;
  const rows = [
    ...results.map(
      (r) =>
        `| \`${shortRoute(r.route)}\` | ${describeTargetGroups(r.before, pair)} | ${describeTargetGroups(r.after, pair)} | ${r.changed ? 'rolled back' : 'already there'} |`,
    ),
    ...failures.map(
      (f) =>
        `| \`${shortRoute(f.route)}\` | ${f.now ? describeTargetGroups(f.now, pair) : 'unknown'} | unknown | failed: ${text(f.detail ?? '')} |`,
    ),
  ];
  return [
    title,
    '',
    `**Reason:** ${reason ? text(reason) : '(none given)'}`,
    '',
    '| route | before | after | |',
    '|---|---|---|---|',
    ...rows,
    '',
    ...(undo.length > 0 ? ['**Undone, in order:**', '', ...undo.map((u) => `- ${text(u)}`), ''] : []),
  ].join('\n');
}
