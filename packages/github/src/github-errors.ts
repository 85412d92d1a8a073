import { errorMessage } from '@shiftgate/core';

/** The shape of Octokit's RequestError that the messages below read. */
interface RequestErrorLike {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
  request?: { method?: string; url?: string };
}

/** A GitHub API failure, explained: what was being done, what GitHub said, and what to change. */
export class GitHubApiError extends Error {
  override readonly name = 'GitHubApiError';
  /** HTTP status, when GitHub answered. */
  readonly status: number | null;
  /** The kind of failure, for callers that react differently (the deployments store re-reads on `server`). */
  readonly kind:
    | 'permission'
    | 'secondary-rate-limit'
    | 'rate-limit'
    | 'auth'
    | 'not-found'
    | 'invalid'
    | 'server'
    | 'network';

  constructor(
    message: string,
    status: number | null,
    kind: GitHubApiError['kind'],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.status = status;
    this.kind = kind;
  }
}

/** True for GitHub's secondary rate limit answer (403 or 429 with that message). */
export function isSecondaryRateLimit(error: unknown): boolean {
  const e = error as RequestErrorLike;
  return (e?.status === 403 || e?.status === 429) && /\bsecondary rate\b/i.test(e.message ?? '');
}

/** The permissions GitHub says the endpoint accepts (`deployments=write` → `deployments: write`). */
function acceptedPermissions(e: RequestErrorLike): string[] {
  const header = e.response?.headers?.['x-accepted-github-permissions'];
  if (typeof header !== 'string' || header.trim() === '') return [];
  // Alternatives are separated by ';', permissions within one alternative by ','.
  const first = header.split(';')[0] ?? '';
  return first
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.includes('='))
    .map((p) => p.replace('=', ': '));
}

function githubSays(e: RequestErrorLike): string {
  const message = (e.message ?? '').replace(/ - https:\/\/docs\.github\.com\S*$/, '').trim();
  return `GitHub answered ${e.status}${message ? ` "${message}"` : ''}`;
}

/**
 * Turns whatever Octokit threw into a {@link GitHubApiError} whose message says what was being done
 * (`doing`: "Creating a deployment of acme/shop"), what GitHub answered and what to change.
 * `needs` is the permission the call needs when GitHub does not say (`deployments: write`).
 */
export function describeGitHubError(error: unknown, doing: string, needs?: string): GitHubApiError {
  if (error instanceof GitHubApiError) return error;
  const e = error as RequestErrorLike;
  const status = typeof e?.status === 'number' ? e.status : null;
  // Octokit reports a request that got no answer (refused, reset, timed out) as status 500 without a response.
  if (status === null || status === 0 || e.response === undefined) {
    return new GitHubApiError(`${doing} failed: ${errorMessage(error)}`, null, 'network', { cause: error });
  }
  if (isSecondaryRateLimit(e)) {
    return new GitHubApiError(
      `${doing} was stopped by GitHub's secondary rate limit, still there after retrying as GitHub's retry-after asked (${githubSays(e)}). ` +
        'shiftgate writes at most 4 times per deployment, so other jobs or tools are writing with this token too; wait a few minutes and re-run the job.',
      status,
      'secondary-rate-limit',
      { cause: error },
    );
  }
  const headers = e.response?.headers ?? {};
  if ((status === 403 || status === 429) && String(headers['x-ratelimit-remaining']) === '0') {
    const reset = Number(headers['x-ratelimit-reset']);
    const when = Number.isFinite(reset) && reset > 0 ? ` until ${new Date(reset * 1000).toISOString()}` : '';
    return new GitHubApiError(
      `${doing} failed: this token's GitHub API rate limit is used up${when} (${githubSays(e)}). Re-run the job after that.`,
      status,
      'rate-limit',
      { cause: error },
    );
  }
  if (status === 401) {
    return new GitHubApiError(
      `${doing} failed: the token was not accepted (${githubSays(e)}). Check the 'token' input (the default is the job's GITHUB_TOKEN).`,
      status,
      'auth',
      { cause: error },
    );
  }
  if (status === 403) {
    const accepted = acceptedPermissions(e);
    const fix = permissionFix(accepted.length > 0 ? accepted : needs ? [needs] : []);
    return new GitHubApiError(`${doing} was refused (${githubSays(e)}).${fix}`, status, 'permission', {
      cause: error,
    });
  }
  if (status === 404) {
    return new GitHubApiError(
      `${doing} failed: not found (${githubSays(e)}). Check the repository and id, and that the token can read them.`,
      status,
      'not-found',
      { cause: error },
    );
  }
  if (status === 422 || status === 409 || status === 400) {
    return new GitHubApiError(`${doing} failed: ${githubSays(e)}${validationDetails(e)}`, status, 'invalid', {
      cause: error,
    });
  }
  return new GitHubApiError(
    `${doing} failed: ${githubSays(e)}`,
    status,
    status >= 500 ? 'server' : 'invalid',
    {
      cause: error,
    },
  );
}

/** What to add to the workflow for a token that lacks `permissions`. */
function permissionFix(permissions: readonly string[]): string {
  return permissions.length > 0
    ? ` The token needs ${permissions.map((p) => `'${p}'`).join(' and ')}: add it to the workflow or job, for example\n` +
        `  permissions:\n${permissions.map((p) => `    ${p}`).join('\n')}\n` +
        '(a job that sets permissions gets none it does not list, so list all it needs).'
    : ' The token lacks a permission this call needs.';
}

/** One entry of a GraphQL answer's `errors` (GitHub adds `type`: FORBIDDEN, NOT_FOUND, RATE_LIMITED, …). */
export interface GraphQLErrorEntry {
  type?: string;
  message: string;
  path?: readonly (string | number)[];
}

/**
 * The `errors` of a GraphQL answer that Octokit threw: a 200 with `errors` (GraphqlResponseError), or
 * the throttling plugin's RATE_LIMITED error once it stops retrying. Null for any other failure.
 */
export function graphQLErrors(error: unknown): GraphQLErrorEntry[] | null {
  const e = error as { errors?: unknown; data?: { errors?: unknown } } | null;
  const raw = Array.isArray(e?.errors) ? e.errors : Array.isArray(e?.data?.errors) ? e.data.errors : null;
  if (raw === null) return null;
  return raw.map((item) => {
    const o = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    return {
      ...(typeof o.type === 'string' ? { type: o.type } : {}),
      message: typeof o.message === 'string' ? o.message.replace(/\s+/g, ' ').slice(0, 300) : 'no message',
      ...(Array.isArray(o.path)
        ? { path: o.path.filter((p) => typeof p === 'string' || typeof p === 'number') }
        : {}),
    };
  });
}

/**
 * Like {@link describeGitHubError}, for a GraphQL call: GitHub answers most refusals with 200 and
 * `errors` (FORBIDDEN for a token without the permission, NOT_FOUND for a repository it cannot see,
 * RATE_LIMITED when the hour's points are spent). `needs` is the permission the query needs.
 * https://docs.github.com/en/graphql/guides/forming-calls-with-graphql
 */
export function describeGraphQLError(error: unknown, doing: string, needs: string): GitHubApiError {
  if (error instanceof GitHubApiError) return error;
  const errors = graphQLErrors(error);
  if (errors === null) return describeGitHubError(error, doing, needs);
  const said = `GitHub's GraphQL API answered: ${errors
    .slice(0, 3)
    .map((x) => `${x.type ? `${x.type}: ` : ''}${x.message}`)
    .join('; ')}${errors.length > 3 ? ` (and ${errors.length - 3} more)` : ''}`;
  const types = new Set(errors.map((x) => x.type));
  if (types.has('RATE_LIMITED')) {
    return new GitHubApiError(
      `${doing} failed: this token's GraphQL rate limit (points per hour) is used up (${said}). Re-run the job after the hour.`,
      null,
      'rate-limit',
      { cause: error },
    );
  }
  if (types.has('FORBIDDEN')) {
    return new GitHubApiError(
      `${doing} was refused (${said}).${permissionFix([needs])}`,
      null,
      'permission',
      {
        cause: error,
      },
    );
  }
  if (types.has('NOT_FOUND')) {
    return new GitHubApiError(
      `${doing} failed: not found (${said}). Check the repository, and that the token can read it ('${needs}').`,
      null,
      'not-found',
      { cause: error },
    );
  }
  return new GitHubApiError(`${doing} failed: ${said}`, null, 'invalid', { cause: error });
}

function validationDetails(e: RequestErrorLike): string {
  const data = e.response?.data as { errors?: unknown[] } | undefined;
  if (!data || !Array.isArray(data.errors) || data.errors.length === 0) return '';
  const parts = data.errors.map((item) => {
    if (typeof item === 'string') return item;
    const o = item as { field?: string; message?: string; code?: string };
    return o.message ?? [o.field, o.code].filter(Boolean).join(' ');
  });
  return ` (${parts.join('; ')})`;
}
