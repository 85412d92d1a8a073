// The site as files (path → content) and the daily summary: pure, so the CLI and the action only write
// what these return.
import { escapeSlack, formatPercent } from '../shared/index';
import { formatFrequency, formatSpan } from '../records/index';
import { DAY_MS, type Dashboard } from './model';
import { deploymentPath, environmentPath, renderEnvironmentPage, renderOverview } from './overview';
import { renderDeploymentPage } from './deployment-page';
import { STATUS_LABEL } from './svg';
import { STYLE } from './layout';

/** One file of the site. Paths are relative, with forward slashes, and built only from numbers. */
export interface SiteFile {
  path: string;
  content: string;
}

/** Every file of the site: the overview, its style sheet, one page per environment and per deployment. */
export function renderSite(dashboard: Dashboard): SiteFile[] {
  const files: SiteFile[] = [
    { path: 'index.html', content: renderOverview(dashboard) },
    { path: 'style.css', content: STYLE.trim() + '\n' },
  ];
  dashboard.environments.forEach((env, index) => {
    files.push({ path: environmentPath(index), content: renderEnvironmentPage(dashboard, index) });
    for (const d of env.deployments) {
      files.push({
        path: deploymentPath(d.entry['deployment-id']),
        content: renderDeploymentPage(dashboard, env, d),
      });
    }
  });
  return files;
}

/**
 * The daily Slack summary: per environment, the deployments that started in the UTC day before `now`
 * with their outcomes, the rollbacks with their reasons, the DORA figures of the window, and a link to
 * the dashboard. Every text from GitHub or a record is escaped for Slack.
 */
export function dailySummary(dashboard: Dashboard, options: { url: string | null }): string {
  const end = Math.floor(dashboard.to / DAY_MS) * DAY_MS;
  const start = end - DAY_MS;
  const day = new Date(start).toISOString().slice(0, 10);
  const lines = [`*Deployments of ${escapeSlack(dashboard.repository)} on ${day} (UTC)*`];
  for (const env of dashboard.environments) {
    const yesterday = env.deployments
      .filter((d) => d.entry['started-at'] >= start && d.entry['started-at'] < end)
      .reverse();
    const counts = new Map<string, number>();
    for (const d of yesterday) counts.set(d.entry.status, (counts.get(d.entry.status) ?? 0) + 1);
    const outcome = [...counts]
      .map(([s, n]) => `${n} ${STATUS_LABEL[s as keyof typeof STATUS_LABEL]}`)
      .join(', ');
    lines.push(
      `*${escapeSlack(env.name)}*: ${yesterday.length === 0 ? 'no deployments' : `${yesterday.length} deployment${yesterday.length === 1 ? '' : 's'} (${outcome})`}`,
    );
    for (const d of yesterday) {
      const e = d.entry;
      const why =
        e.reason && (e.status === 'rolled_back' || e.status === 'failed') ? `: ${escapeSlack(e.reason)}` : '';
      lines.push(`• ${escapeSlack(e.version)} ${STATUS_LABEL[e.status]}${why}`);
    }
    const dora = env.dora;
    lines.push(
      `DORA over ${dora['window-days']} days: ${formatFrequency(dora['deployment-frequency'])}, change failure rate ${dora['change-failure-rate'] === null ? 'n/a' : formatPercent(dora['change-failure-rate'])}, time to restore ${dora['time-to-restore-ms'] === null ? 'n/a' : formatSpan(dora['time-to-restore-ms'])}, lead time ${dora['lead-time-ms'] === null ? 'n/a' : formatSpan(dora['lead-time-ms'])}`,
    );
  }
  if (options.url) lines.push(`<${options.url}|Open the dashboard>`);
  return lines.join('\n');
}
