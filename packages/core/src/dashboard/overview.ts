// The overview page (one section per environment) and each environment's full list.
import { escapeHtml as h, formatPercent } from '../shared/index';
import { formatFrequency, formatSpan } from '../records/index';
import { badge, page, table, when } from './layout';
import type { Dashboard, DeploymentView, EnvironmentView } from './model';
import { timelineSvg, trendSvg } from './svg';

/** Deployments listed per environment on the overview; the environment page lists them all. */
export const OVERVIEW_ROWS = 20;

/** The path of a deployment's page, from the site's root. */
export function deploymentPath(id: number): string {
  return `deployments/${id}.html`;
}

/** The path of an environment's page: numbered, since environment names may hold spaces and slashes. */
export function environmentPath(index: number): string {
  return `environments/${index + 1}.html`;
}

function deploymentRows(list: DeploymentView[], root: string): string[][] {
  return list.map((d) => {
    const e = d.entry;
    return [
      `<a href="${root}${deploymentPath(e['deployment-id'])}">${e['deployment-id']}</a>`,
      h(e.version),
      badge(e.status),
      h(e.strategy ?? '-'),
      h(when(e['started-at'])),
      e['duration-ms'] === null ? '-' : h(formatSpan(e['duration-ms'])),
      h(e.reason ?? ''),
    ];
  });
}

const HEAD = ['ID', 'Version', 'Outcome', 'Strategy', 'Started', 'Duration', 'Reason'];

function figure(name: string, key: string, value: string, detail: string, trend: string): string {
  return `<div><dt>${h(name)}</dt><dd class="value" data-figure="${key}">${h(value)}</dd><dd class="detail">${h(detail)}</dd><dd>${trend}</dd></div>`;
}

function environmentSection(env: EnvironmentView, index: number, dashboard: Dashboard): string {
  const { dora } = env;
  const weeks = env.weeks.map((w) => w.dora);
  const last = env.last;
  const id = `env-${index + 1}`;
  const finished = dora.succeeded + dora.failed + dora['rolled-back'];
  const cards = [
    `<li><h3>Last deployment</h3>${
      last === null
        ? '<p>None in the window.</p>'
        : `<p><a href="${deploymentPath(last.entry['deployment-id'])}">${h(last.entry.version)}</a> ${badge(last.entry.status)}</p><p class="note">${h(when(last.entry['started-at']))}</p>`
    }</li>`,
    `<li><h3>Last good version</h3>${
      env.lastGood === null
        ? env.lastGoodSearched === null
          ? '<p>No successful deployment.</p>'
          : `<p data-last-good-searched="${env.lastGoodSearched}">None in the newest ${env.lastGoodSearched} deployments.</p>`
        : env.lastGoodBeforeWindow
          ? `<p data-last-good>${h(env.lastGood.version)}</p><p class="note">succeeded ${h(when(env.lastGood['completed-at']))}, before the window (deployment ${env.lastGood['deployment-id']})</p>`
          : `<p><a href="${deploymentPath(env.lastGood['deployment-id'])}" data-last-good>${h(env.lastGood.version)}</a></p><p class="note">succeeded ${h(when(env.lastGood['completed-at']))}</p>`
    }</li>`,
    `<li><h3>Open incidents</h3>${
      env.openIncident === null
        ? '<p data-open-incidents="0">None: the latest finished deployment succeeded.</p>'
        : `<p data-open-incidents="1">1 open since <a href="${deploymentPath(env.openIncident.entry['deployment-id'])}">${h(env.openIncident.entry.version)}</a> ${badge(env.openIncident.entry.status)} at ${h(when(env.openIncident.entry['completed-at']))}</p>`
    }</li>`,
  ];
  return [
    `<section aria-labelledby="${id}"><h2 id="${id}">${h(env.name)}</h2>`,
    `<ul class="cards">${cards.join('')}</ul>`,
    `<h3>DORA over ${dora['window-days']} days</h3>`,
    '<p class="note">Bars: the figure week by week, oldest first.</p>',
    '<dl class="dora">',
    figure(
      'Deployment frequency',
      'deployment-frequency',
      formatFrequency(dora['deployment-frequency']),
      `${dora.succeeded} successful in ${dora['window-days']} days`,
      trendSvg({
        label: 'Successful deployments per week',
        values: weeks.map((w) => w.succeeded),
        format: String,
      }),
    ),
    figure(
      'Change failure rate',
      'change-failure-rate',
      dora['change-failure-rate'] === null ? 'n/a' : formatPercent(dora['change-failure-rate']),
      `${dora.failed + dora['rolled-back']} of ${finished} finished (${dora.failed} failed, ${dora['rolled-back']} rolled back)`,
      trendSvg({
        label: 'Change failure rate per week',
        values: weeks.map((w) => w['change-failure-rate']),
        format: formatPercent,
      }),
    ),
    figure(
      'Time to restore',
      'time-to-restore',
      dora['time-to-restore-ms'] === null ? 'n/a' : formatSpan(dora['time-to-restore-ms']),
      `median of ${dora['restored-incidents']} restored, ${dora['open-incidents']} open`,
      trendSvg({
        label: 'Median time to restore per week',
        values: weeks.map((w) => w['time-to-restore-ms']),
        format: formatSpan,
      }),
    ),
    figure(
      'Lead time for changes',
      'lead-time',
      dora['lead-time-ms'] === null ? 'n/a' : formatSpan(dora['lead-time-ms']),
      `median of ${dora['lead-time-samples']} deployments`,
      trendSvg({
        label: 'Median lead time per week',
        values: weeks.map((w) => w['lead-time-ms']),
        format: formatSpan,
      }),
    ),
    '</dl>',
    '<h3>Timeline</h3>',
    `<div class="scroll wide" role="region" tabindex="0" aria-label="Timeline of ${h(env.name)}">`,
    timelineSvg({
      deployments: env.deployments,
      from: dashboard.from,
      to: dashboard.to,
      label: `Deployments to ${env.name}`,
    }),
    '</div>',
    `<h3>Latest deployments</h3>`,
    env.deployments.length === 0
      ? '<p>No deployments in the window.</p>'
      : table({
          caption: `Latest deployments to ${env.name}`,
          head: HEAD,
          rows: deploymentRows(env.deployments.slice(0, OVERVIEW_ROWS), ''),
        }),
    `<p><a href="${environmentPath(index)}">${env.deployments.length === 1 ? 'The one deployment' : `All ${env.deployments.length} deployments`} to ${h(env.name)}</a></p>`,
    '</section>',
  ].join('\n');
}

/** The overview page (`index.html`). */
export function renderOverview(dashboard: Dashboard): string {
  const nav =
    dashboard.environments.length > 1
      ? `<nav aria-label="Environments"><ul>${dashboard.environments.map((e, i) => `<li><a href="#env-${i + 1}">${h(e.name)}</a></li>`).join('')}</ul></nav>`
      : '';
  const body = [
    `<h1>Deployments of ${h(dashboard.repository)}</h1>`,
    `<p>From ${h(when(dashboard.from))} to ${h(when(dashboard.to))}. Outcomes are GitHub's deployment statuses as shiftgate records them.</p>`,
    nav,
    dashboard.environments.length === 0 ? '<p>No deployments found.</p>' : '',
    ...dashboard.environments.map((env, i) => environmentSection(env, i, dashboard)),
  ].join('\n');
  return page({
    title: `Deployments of ${dashboard.repository}`,
    repository: dashboard.repository,
    root: '',
    body,
    generatedAt: dashboard.generatedAt,
  });
}

/** An environment's page: every deployment in the window. */
export function renderEnvironmentPage(dashboard: Dashboard, index: number): string {
  const env = dashboard.environments[index]!;
  const body = [
    `<h1>Deployments to ${h(env.name)}</h1>`,
    `<p>${env.deployments.length} deployments from ${h(when(dashboard.from))} to ${h(when(dashboard.to))}, newest first.</p>`,
    env.deployments.length === 0
      ? '<p>No deployments in the window.</p>'
      : table({
          caption: `Deployments to ${env.name}`,
          head: HEAD,
          rows: deploymentRows(env.deployments, '../'),
        }),
  ].join('\n');
  return page({
    title: `Deployments to ${env.name}`,
    repository: dashboard.repository,
    root: '../',
    body,
    generatedAt: dashboard.generatedAt,
  });
}
