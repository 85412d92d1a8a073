// The dashboard's GitHub requests per build (issue 14's request budget): N deployments in a 90-day
// window on the loopback GitHub server, read the REST way the dashboard used to (one list call per 100,
// one statuses call per deployment, one commit call per successful commit) and the GraphQL way it does
// now (100 deployments with statuses and commit time per request, plus who approved, 50 runs per
// request, for records that do not say). Prints the requests of each and GraphQL's point cost by
// GitHub's formula. A repository's GITHUB_TOKEN gets 1,000 REST requests and 1,000 GraphQL points an hour.
//   npx tsx bench/dashboard/requests.ts [deployments]
import { createDeploymentRecord, createPayload, DAY_MS, outcomeOf } from '@shiftgate/core';
import {
  approvalsQuery,
  createGitHubClient,
  DEPLOYMENTS_QUERY,
  fetchDashboard,
  GitHubDeploymentStore,
  RUNS_PER_QUERY,
} from '@shiftgate/github';
import { GitHubServer } from '../../test/support/github-server';
import { graphQLPointCost } from '../../test/support/graphql-cost';

const COUNT = Number(process.argv[2] ?? 1_000);
const NOW = Date.UTC(2026, 3, 1);
const SINCE = 90 * DAY_MS;
const ENVIRONMENTS = ['production', 'staging', 'eu-production'];

const server = await GitHubServer.start({ token: 'bench' });
for (let i = 0; i < COUNT; i++) {
  const at = NOW - SINCE + Math.floor(((i + 0.5) / COUNT) * SINCE);
  const sha = (i + 1).toString(16).padStart(40, '0');
  const environment = ENVIRONMENTS[i % ENVIRONMENTS.length]!;
  server.addCommit('acme/shop', { sha, date: new Date(at - 3_600_000).toISOString() });
  const record = createDeploymentRecord({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    version: `v1.${i}.0`,
    environment,
    strategy: 'canary',
    ref: sha,
    startedAt: at,
    // Every tenth from the reusable workflow, which cannot read who approved.
    approvals: i % 10 === 0 ? null : [],
  });
  server.seedDeployment({
    sha,
    ref: sha,
    environment,
    payload: createPayload(record, null),
    created_at: new Date(at).toISOString(),
    statuses: [
      {
        state: 'in_progress',
        created_at: new Date(at + 1000).toISOString(),
        log_url: `https://github.com/acme/shop/actions/runs/${i + 1}`,
      },
      { state: i % 7 === 0 ? 'failure' : 'success', created_at: new Date(at + 600_000).toISOString() },
    ],
  });
}
const store = () =>
  new GitHubDeploymentStore({
    client: createGitHubClient({
      token: 'bench',
      caller: 'bench',
      baseUrl: server.url,
      writeSpacing: 'none',
    }),
    repository: 'acme/shop',
    concurrency: 8,
  });

// Before: what fetchDashboard read over REST (the list, each deployment's statuses, each success's commit).
server.requests.length = 0;
const rest = store();
const listed = await rest.listDeployments({ environment: null, limit: 10_000, createdAfter: NOW - SINCE });
const shas = new Set(listed.filter((d) => outcomeOf(d.statuses).status === 'succeeded').map((d) => d.sha));
for (const sha of shas) await rest.commitTime(sha);
const before = server.requests.length;

// Now.
server.requests.length = 0;
const dashboard = await fetchDashboard(store(), {
  repository: 'acme/shop',
  environments: null,
  sinceMs: SINCE,
  now: NOW,
  limit: 10_000,
});
const graphql = server.requests.filter((r) => r.path === '/graphql');
const listing = graphql.filter(
  (r) => (r.body as { operationName?: string }).operationName === 'ShiftgateDashboardDeployments',
);
const approvals = graphql.length - listing.length;
const restNow = server.requests.length - graphql.length;
const shown = dashboard.environments.reduce((n, e) => n + e.deployments.length, 0);
await server.close();

const pageCost = graphQLPointCost(DEPLOYMENTS_QUERY, { first: 100 }).points;
const fullApprovals = graphQLPointCost(approvalsQuery(RUNS_PER_QUERY), {}).points;
const runs = Math.ceil(COUNT / 10);
const lastApprovals =
  runs % RUNS_PER_QUERY === 0
    ? fullApprovals
    : graphQLPointCost(approvalsQuery(runs % RUNS_PER_QUERY), {}).points;
const points =
  listing.length * pageCost +
  Math.floor(runs / RUNS_PER_QUERY) * fullApprovals +
  (runs % RUNS_PER_QUERY ? lastApprovals : 0);
console.log(
  `${COUNT} deployments over ${ENVIRONMENTS.length} environments in 90 days (${shown} shown), ${runs} records without approvals`,
);
console.log(
  `before (REST): ${before} requests (${listed.length} statuses calls, ${shas.size} commit calls, ${before - listed.length - shas.size} list calls)`,
);
console.log(
  `now: ${listing.length} GraphQL deployment pages (${pageCost} point each) + ${approvals} GraphQL approvals requests (${fullApprovals} points per ${RUNS_PER_QUERY} runs) + ${restNow} REST = ${server.requests.length} requests, ${points} points`,
);
