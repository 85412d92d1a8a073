// Who approved, read when the dashboard is built, for records that could not say: the reusable
// workflow cannot ask its callers for `actions: read`, so its records hold `approvals: null`, and
// records older than the field lack it. The dashboard job can read them (examples/dashboard.yml grants
// `actions: read`): the run comes from the deployment's status log URL, the reviews from GraphQL, 50 runs
// per request, through the same filter as record-deployment's read (approvalsFrom).
import { errorMessage, type BuildApprovals, type Logger } from '@shiftgate/core';
import { approvalsFrom, readRunApprovals } from './approvals';
import { APPROVALS_OPERATION, approvalsQuery, RUNS_PER_QUERY } from './dashboard-queries';
import type { GitHubDeploymentStore } from './deployments';
import { describeGraphQLError, graphQLErrors } from './github-errors';

/** The most runs whose reviews one build reads (10 GraphQL requests, about 110 points). */
export const MAX_APPROVAL_RUNS = 500;
/** The most REST calls one build makes for runs GraphQL could not answer (more than 20 reviews, or no WorkflowRun). */
export const MAX_APPROVAL_REST_CALLS = 50;

/**
 * The workflow run id of a status log URL, when it is exactly a run of `repository` on `serverUrl`:
 * `<server>/<owner>/<repo>/actions/runs/<id>`, optionally followed by `/job/<id>` or `/attempts/<n>`.
 * Anything else (another host, repository or path, a query, a fragment) is null.
 */
export function runIdFromLogUrl(url: string, serverUrl: string, repository: string): number | null {
  const server = serverUrl.replace(/\/+$/, '');
  if (!url.startsWith(`${server}/`)) return null;
  const match =
    /^([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)\/actions\/runs\/([1-9]\d{0,15})(?:\/job\/[1-9]\d{0,15}|\/attempts\/[1-9]\d{0,3})?$/.exec(
      url.slice(server.length + 1),
    );
  if (!match || `${match[1]}/${match[2]}`.toLowerCase() !== repository.toLowerCase()) return null;
  const id = Number(match[3]);
  return Number.isSafeInteger(id) ? id : null;
}

/** Reads who approved each run; returns the reviews (or why not) by run id, and a note for the page. */
export async function readApprovalsAtBuild(options: {
  store: GitHubDeploymentStore;
  serverUrl: string;
  /** Run ids, newest deployment first (the cap keeps the newest). */
  runs: readonly number[];
  logger: Logger;
}): Promise<{ byRun: Map<number, BuildApprovals>; note: string | null }> {
  const { store, logger } = options;
  const repository = store.repository;
  const server = options.serverUrl.replace(/\/+$/, '');
  const byRun = new Map<number, BuildApprovals>();
  const runs = [...new Set(options.runs)];
  const read = runs.slice(0, MAX_APPROVAL_RUNS);
  let note: string | null = null;
  for (const run of runs.slice(MAX_APPROVAL_RUNS)) {
    byRun.set(run, {
      approvals: null,
      why: `not read: a build reads the reviews of at most ${MAX_APPROVAL_RUNS} runs`,
    });
  }
  if (runs.length > MAX_APPROVAL_RUNS) {
    note = `Who approved was read for the newest ${MAX_APPROVAL_RUNS} of ${runs.length} runs whose records did not say.`;
    logger.warning(note);
  }
  const rest: number[] = [];
  let failure: string | null = null;
  for (let start = 0; start < read.length && failure === null; start += RUNS_PER_QUERY) {
    const batch = read.slice(start, start + RUNS_PER_QUERY);
    const variables = Object.fromEntries(
      batch.map((run, i) => [`u${i}`, `${server}/${repository}/actions/runs/${run}`]),
    );
    let data: Record<string, unknown>;
    try {
      data = await store.client.graphql<Record<string, unknown>>(approvalsQuery(batch.length), {
        operationName: APPROVALS_OPERATION,
        ...variables,
      });
    } catch (error) {
      const errors = graphQLErrors(error);
      const partial = (error as { data?: unknown }).data;
      // Some runs unreadable (gone, say) and the rest answered: those runs go to the approvals API.
      // A refusal or a spent rate limit stops the reading.
      if (
        errors !== null &&
        typeof partial === 'object' &&
        partial !== null &&
        !errors.some((e) => e.type === 'FORBIDDEN' || e.type === 'RATE_LIMITED')
      ) {
        data = partial as Record<string, unknown>;
      } else {
        failure = describeGraphQLError(
          error,
          `Reading who approved ${batch.length} runs of ${repository} (GraphQL)`,
          'actions: read',
        ).message;
        break;
      }
    }
    batch.forEach((run, i) => {
      const node = data[`r${i}`] as
        | {
            __typename?: unknown;
            deploymentReviews?: { pageInfo?: { hasNextPage?: unknown }; nodes?: unknown };
          }
        | null
        | undefined;
      const reviews = node?.__typename === 'WorkflowRun' ? node.deploymentReviews : undefined;
      if (!reviews || !Array.isArray(reviews.nodes) || reviews.pageInfo?.hasNextPage === true) {
        rest.push(run);
        return;
      }
      byRun.set(run, { approvals: approvalsFrom(reviews.nodes.map(restShape)) });
    });
  }
  // Runs GraphQL did not answer in full: GitHub's run approvals API, a bounded number of calls.
  let restCalls = 0;
  let restCapped = false;
  for (const run of rest) {
    if (failure !== null) break;
    if (restCalls >= MAX_APPROVAL_REST_CALLS) {
      byRun.set(run, {
        approvals: null,
        why: `not read: a build makes at most ${MAX_APPROVAL_REST_CALLS} calls to the run approvals API`,
      });
      if (!restCapped) {
        restCapped = true;
        const capped = `Who approved was not read for ${rest.length - MAX_APPROVAL_REST_CALLS} runs: a build makes at most ${MAX_APPROVAL_REST_CALLS} calls to the run approvals API.`;
        logger.warning(capped);
        note ??= capped;
      }
      continue;
    }
    restCalls++;
    try {
      byRun.set(run, { approvals: await readRunApprovals(store.client, repository, run) });
    } catch (error) {
      failure = errorMessage(error);
    }
  }
  if (failure !== null) {
    const why = 'could not be read when the dashboard was built';
    for (const run of read) if (!byRun.has(run)) byRun.set(run, { approvals: null, why });
    // A token without `actions: read` is a choice of the workflow: said once, and the site is built.
    logger.warning(`${failure}; who approved shows as unknown where the records did not say`);
    note ??=
      'Who approved could not be read when this page was built for deployments whose records did not say.';
  }
  return { byRun, note };
}

/** A GraphQL review in the shape of GitHub's run approvals API, for the one filter. */
function restShape(raw: unknown): unknown {
  const review = (raw ?? {}) as {
    state?: unknown;
    comment?: unknown;
    user?: { login?: unknown } | null;
    environments?: { nodes?: unknown } | null;
  };
  return {
    state: typeof review.state === 'string' ? review.state.toLowerCase() : null,
    comment: review.comment,
    user: review.user,
    environments: Array.isArray(review.environments?.nodes) ? review.environments.nodes : [],
  };
}
