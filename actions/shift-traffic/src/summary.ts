import {
  describeSplit,
  describeTargetGroups,
  shortRoute,
  type RestoreResult,
  type ShiftResult,
  type Split,
  type TargetPair,
} from '@shiftgate/core';

/** The job summary of a shift (or of a dry run), as Markdown. */
export function shiftSummary(options: {
  result: ShiftResult;
  pair: TargetPair;
  target: Split;
  dryRun: boolean;
}): string {
  const { result, pair, target, dryRun } = options;
  const title = dryRun
    ? `### shiftgate shift-traffic (dry run): ${describeSplit(target)} would need ${result.requests.length} request${result.requests.length === 1 ? '' : 's'}`
    : `### shiftgate shift-traffic: ${describeSplit(target)}${result.changed ? ' (verified)' : ' (already there)'}`;
  const rows = Object.keys(result.previous).map(
    (route) =>
      `| \`${shortRoute(route)}\` | ${describeTargetGroups(result.previous[route]!, pair)} | ${describeTargetGroups(result.after[route] ?? [], pair)} |`,
  );
  return [
    title,
    '',
    `| route | before | ${dryRun ? 'would be' : 'after'} |`,
    '|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

/** The job summary of the post step's restore, as Markdown. */
export function restoreSummary(results: RestoreResult[], left: string[], pair: TargetPair): string {
  const rows = results.map((r) => {
    const what = r.changed
      ? 'put back (verified)'
      : left.includes(r.route)
        ? 'left alone: changed by someone else'
        : 'nothing to do';
    return `| \`${shortRoute(r.route)}\` | ${describeTargetGroups(r.before, pair)} | ${describeTargetGroups(r.after, pair)} | ${what} |`;
  });
  return [
    '### shiftgate shift-traffic: job failed or cancelled, weights put back',
    '',
    '| route | found | now | |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
