import type { DeploymentRecord } from './record';
import { formatSpan, formatTime } from './dora';
import { escapeMarkdown as cell, formatPercent } from '../shared/index';

const LABELS: Record<DeploymentRecord['deployment-status'], string> = {
  pending: '⏳ pending',
  in_progress: '🚀 in progress',
  succeeded: '✅ succeeded',
  failed: '❌ failed',
  rolled_back: '⏪ rolled back',
};

/** The job summary of one recorded status: what was deployed, how it stands, artifacts and canary figures. */
export function renderRecordMarkdown(options: {
  repository: string;
  record: DeploymentRecord;
  note?: string;
}): string {
  const r = options.record;
  const rows: [string, string][] = [
    ['Deployment', r['deployment-id'] === null ? '-' : String(r['deployment-id'])],
    ['Status', LABELS[r['deployment-status']]],
    ['Version', r.version],
    ['Environment', r.environment],
    ['Strategy', r.strategy ?? '-'],
    ['Ref', r.ref ?? '-'],
    ['Started (UTC)', formatTime(r['started-at'])],
  ];
  if (r['completed-at'] !== null) rows.push(['Completed (UTC)', formatTime(r['completed-at'])]);
  if (r['duration-ms'] !== null) rows.push(['Duration', formatSpan(r['duration-ms'])]);
  if (r.reason) rows.push(['Reason', r.reason]);
  if (r.canary) {
    rows.push([
      'Canary traffic',
      `${r.canary['current-traffic-percent']}% of ${r.canary['target-traffic-percent']}%`,
    ]);
    rows.push(['Canary error rate', formatPercent(r.canary['error-rate'])]);
    rows.push(['Canary p99', `${r.canary['latency-p99']}ms`]);
  }
  const lines = [
    `### Deployment of ${cell(r.version)} to ${cell(r.environment)}: ${LABELS[r['deployment-status']]}`,
    '',
    ...(options.note ? [cell(options.note), ''] : []),
    '| | |',
    '| --- | --- |',
    ...rows.map(([k, v]) => `| ${k} | ${cell(v)} |`),
    '',
  ];
  if (r.artifacts.length > 0) {
    lines.push('| Artifact | File | Size | sha256 |', '| --- | --- | --- | --- |');
    for (const a of r.artifacts) {
      lines.push(
        `| ${cell(a['artifact-type'])} | ${cell(a.path)} | ${a['file-size']} bytes | \`${a['file-hash']}\` |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}
