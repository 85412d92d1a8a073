import { fieldProblem, LOGIN, type ApprovalRecord } from '@shiftgate/core';
import { describeGitHubError } from './github-errors';
import type { GitHubClient } from './octokit';

/** The longest review comment kept in a record (GitHub allows more; the record keeps a line). */
const COMMENT_LIMIT = 1024;

/**
 * The reviews of a protected environment's deployment for a run: who approved (or rejected) it, for
 * which environments, with their comment. Anything that does not fit the record's field rules is left
 * out (a review whose login or environment is not a valid name) or cut to one line (a comment).
 * https://docs.github.com/en/rest/actions/workflow-runs#get-the-review-history-for-a-workflow-run
 */
export async function readRunApprovals(
  client: GitHubClient,
  repository: string,
  runId: number,
): Promise<ApprovalRecord[]> {
  const [owner, repo] = repository.split('/') as [string, string];
  let data: unknown[];
  try {
    ({ data } = await client.rest.actions.getReviewsForRun({ owner, repo, run_id: runId }));
  } catch (error) {
    throw describeGitHubError(
      error,
      `Reading who approved the environment for run ${runId} of ${repository}`,
      'actions: read',
    );
  }
  return approvalsFrom(data);
}

/**
 * The one filter of environment reviews, as GitHub's run approvals API lists them (`state`
 * `approved`/`rejected`, `comment`, `user.login`, `environments[].name`), whichever API they were read
 * from: reviews whose login or state is not valid are left out, environments that are not valid names
 * are dropped, a comment is cut to one line; at most 100 reviews of at most 50 environments.
 */
export function approvalsFrom(data: unknown): ApprovalRecord[] {
  const approvals: ApprovalRecord[] = [];
  for (const raw of Array.isArray(data) ? data : []) {
    const review = (raw ?? {}) as {
      state?: unknown;
      comment?: unknown;
      user?: { login?: unknown } | null;
      environments?: { name?: unknown }[];
    };
    const login = review.user?.login;
    if (typeof login !== 'string' || !LOGIN.test(login)) continue;
    if (review.state !== 'approved' && review.state !== 'rejected') continue;
    const environments = (Array.isArray(review.environments) ? review.environments : [])
      .map((e) => e?.name)
      .filter((name): name is string => fieldProblem('environment', name) === null)
      .slice(0, 50);
    const comment = oneLine(review.comment);
    approvals.push({ reviewer: login, state: review.state, environments, comment });
    if (approvals.length === 100) break;
  }
  return approvals;
}

function oneLine(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const flat = [
    ...value
      .replace(/\s+/g, ' ')
      .replace(/\p{Cc}|\p{Cf}/gu, '')
      .trim(),
  ];
  if (flat.length === 0) return null;
  const text = flat.length > COMMENT_LIMIT ? `${flat.slice(0, COMMENT_LIMIT - 1).join('')}…` : flat.join('');
  return fieldProblem('text', text) === null ? text : null;
}
