// The dashboard's GraphQL queries. Each is validated against GitHub's published schema by a test
// (test/github/dashboard-queries.test.ts), so a field or argument that does not exist fails there.
// https://docs.github.com/en/graphql/reference/objects#deployment
// https://docs.github.com/en/graphql/reference/objects#workflowrun

/** The operation name of the deployments listing (the loopback GitHub server recognises it). */
export const DEPLOYMENTS_OPERATION = 'ShiftgateDashboardDeployments';
/** The operation name of the batched read of who approved runs. */
export const APPROVALS_OPERATION = 'ShiftgateDashboardApprovals';

/** Deployments per page, and statuses read with each deployment (more are read over REST). */
export const DEPLOYMENTS_PAGE = 100;
export const STATUSES_PAGE = 100;

/**
 * One page of a repository's deployments, newest first, with their statuses and commit time.
 * Point cost (GitHub's formula: connections requested, assuming each reaches its `first`, over 100,
 * rounded, at least 1): 1 deployments page + 100 statuses pages = 101 requests, 1 point.
 * https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api
 */
export const DEPLOYMENTS_QUERY = `query ${DEPLOYMENTS_OPERATION}($owner: String!, $name: String!, $environments: [String!], $cursor: String, $first: Int!) {
  repository(owner: $owner, name: $name) {
    deployments(first: $first, after: $cursor, environments: $environments, orderBy: {field: CREATED_AT, direction: DESC}) {
      pageInfo { hasNextPage endCursor }
      nodes {
        databaseId
        commitOid
        ref { name }
        environment
        description
        createdAt
        payload
        commit { committedDate }
        statuses(first: ${STATUSES_PAGE}) {
          pageInfo { hasNextPage }
          nodes { state description createdAt logUrl environmentUrl }
        }
      }
    }
  }
}`;

/** Reviews read per run, and environments per review (GitHub's approvals API has the same data). */
export const REVIEWS_PAGE = 20;
export const REVIEW_ENVIRONMENTS = 50;
/** Runs per approvals query: 50 × (1 reviews page + 20 environments pages) = 1,050 requests, 11 points. */
export const RUNS_PER_QUERY = 50;

/**
 * Who approved each of `count` workflow runs, by their URLs (`$u0`, `$u1`, …), one alias per run.
 * `resource(url:)` resolves a run's URL to its WorkflowRun; anything else comes back as another type.
 */
export function approvalsQuery(count: number): string {
  if (!Number.isInteger(count) || count < 1 || count > RUNS_PER_QUERY) {
    throw new Error(`An approvals query reads 1 to ${RUNS_PER_QUERY} runs, not ${count}`);
  }
  const indexes = Array.from({ length: count }, (_, i) => i);
  return [
    `query ${APPROVALS_OPERATION}(${indexes.map((i) => `$u${i}: URI!`).join(', ')}) {`,
    ...indexes.map((i) => `  r${i}: resource(url: $u${i}) { __typename ...Reviews }`),
    '}',
    'fragment Reviews on WorkflowRun {',
    `  deploymentReviews(first: ${REVIEWS_PAGE}) {`,
    '    pageInfo { hasNextPage }',
    `    nodes { state comment user { login } environments(first: ${REVIEW_ENVIRONMENTS}) { nodes { name } } }`,
    '  }',
    '}',
  ].join('\n');
}
