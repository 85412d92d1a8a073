// One deployment's page: what was deployed and how, who chose and approved it, each step with its
// weights, the gate verdicts with their values, intervals and thresholds, the charts, cells, saga
// services and A/B verdicts where the rollout had them, and the artifacts with their sha256.
import { escapeHtml as h } from '../shared/index';
import { formatSpan, type ApprovalRecord, type ChosenBy } from '../records/index';
import { badge, externalLink, page, table, when } from './layout';
import type { BuildApprovals, Dashboard, DeploymentView, EnvironmentView } from './model';
import { chartsSection, extras, planSection, runSection } from './sections';

const SOURCES: Record<string, string> = {
  input: 'the strategy input of the workflow',
  dispatch: 'a workflow_dispatch input',
  label: 'a pull request label',
  config: 'the config file (.github/shiftgate.yml)',
  default: 'the default strategy',
};

/** The source, the label and its adder (with the role checked), or the login that started the run. */
function chooser(chosen: ChosenBy): string {
  const source = h(SOURCES[chosen.source] ?? chosen.source);
  const label = chosen.label ? ` <code>${h(chosen.label)}</code>` : '';
  if (chosen.source === 'label' && chosen.actor && chosen.permission)
    return `${source}${label}, added by ${h(chosen.actor)} (permission ${h(chosen.permission)}, checked)`;
  if (chosen.source === 'label' && chosen.actor && chosen.permission === null)
    return `${source}${label}; run started by ${h(chosen.actor)} (who added the label was not checked)`;
  return `${source}${label}${chosen.actor ? `, run started by ${h(chosen.actor)}` : ''}`;
}

function reviews(approvals: readonly ApprovalRecord[]): string {
  return approvals.length === 0
    ? 'no review was required'
    : approvals
        .map((a) => `${h(a.reviewer)} (${h(a.state)}${a.comment ? `: “${h(a.comment)}”` : ''})`)
        .join(', ');
}

/** Who approved: as the record says, or as read when the dashboard was built for records that do not say. */
function approvedBy(approvals: ApprovalRecord[] | null | undefined, atBuild: BuildApprovals | null): string {
  if (approvals !== undefined && approvals !== null) return reviews(approvals);
  const recorded = approvals === undefined ? 'not recorded' : 'could not be read when the deployment started';
  if (atBuild === null) return recorded;
  if (atBuild.approvals === null) return `${recorded}; ${h(atBuild.why)}`;
  return `${reviews(atBuild.approvals)} <span class="note" data-approvals-at-build>(read from GitHub when this page was built: the record did not say)</span>`;
}

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
    ['Chosen by', chosen ? chooser(chosen) : 'not recorded'],
    ['Approved by', approvedBy(approvals, d.approvalsAtBuild)],
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
    dashboard.approvalsNote && d.approvalsAtBuild?.approvals === null
      ? `<p class="note">${h(dashboard.approvalsNote)}</p>`
      : '',
    planSection(d),
    d.trace ? runSection(d.trace) : '',
    chartsSection(d),
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
