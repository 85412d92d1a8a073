// A GitHub REST API served over HTTP on the loopback interface, so Octokit (with its retry and
// throttling plugins) runs for real against it. Only 127.0.0.1 is ever bound.
//
// It models the parts of the API shiftgate uses, with GitHub's shapes and quirks:
//   GET  /repos/{owner}/{repo}/collaborators/{username}/permission
//   POST /repos/{owner}/{repo}/deployments                 (201; 409 when required contexts are not green)
//   GET  /repos/{owner}/{repo}/deployments                 (filters sha, ref, task, environment; newest first;
//                                                          per_page/page with a Link header)
//   GET  /repos/{owner}/{repo}/deployments/{id}
//   POST /repos/{owner}/{repo}/deployments/{id}/statuses   (auto_inactive on success, 140-character descriptions)
//   GET  /repos/{owner}/{repo}/deployments/{id}/statuses   (newest first, paginated)
//   GET  /repos/{owner}/{repo}/deployments/{id}/statuses/{status_id}
//   GET  /repos/{owner}/{repo}/commits/{ref}
//   GET  /repos/{owner}/{repo}/actions/runs/{run_id}/approvals  (the run's environment reviews)
//   POST /hooks/{name}                                     (an incoming-webhook receiver, e.g. Slack)
//   POST /graphql                                          (the dashboard's operations: github-graphql.ts)
// and fault hooks: any status/body/headers for the next N matching requests, GitHub's secondary rate
// limit (403 or 429 with retry-after), and a token without `deployments: write` (403 "Resource not
// accessible by integration" with x-accepted-github-permissions).
//
// Docs: https://docs.github.com/en/rest/deployments/deployments
//       https://docs.github.com/en/rest/deployments/statuses
//       https://docs.github.com/en/rest/collaborators/collaborators#get-repository-permissions-for-a-user
//       https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerGraphQL, graphQLOperation } from './github-graphql';

/** A repository role, as `role_name` reports it. `none` means no access at all. */
export type RoleName = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

/** Deployment status states GitHub accepts. */
export const DEPLOYMENT_STATES = [
  'error',
  'failure',
  'inactive',
  'in_progress',
  'queued',
  'pending',
  'success',
] as const;
export type DeploymentState = (typeof DEPLOYMENT_STATES)[number];

/** One entry of `GET /repos/{owner}/{repo}/issues/{number}/events`, trimmed to what shiftgate reads. */
interface IssueEvent {
  id: number;
  event: string;
  actor: { login: string; id: number; type: string } | null;
  label?: { name: string; color: string };
  created_at: string;
}

/** Access levels of a fine-grained token permission. */
export type Access = 'none' | 'read' | 'write';

/** One request as the server saw it. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** Parsed JSON body (or the raw text when it was not JSON; undefined when empty). */
  body: unknown;
  /** Status code the server answered with. */
  status: number;
}

/** A canned response. */
export interface FaultResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Close the socket without answering (a dropped connection). */
  drop?: boolean;
  /** Wait this long before answering (or dropping): a slow or hung API, for request timeouts. */
  delayMs?: number;
}

/** Answers the next `times` requests that match `method` and `path` with `respond`. */
export interface FaultRule {
  method?: string;
  /** Exact path, or a pattern tested against the path (without query string). */
  path: string | RegExp;
  /** Only GraphQL requests of this operation (by `operationName` or the query's name). */
  operation?: string;
  /** How many matching requests to answer this way (default 1; Infinity for all). */
  times?: number;
  respond: FaultResponse | ((request: RecordedRequest) => FaultResponse);
  /** Let this many matching requests through before the fault starts (default 0). */
  after?: number;
  /**
   * Handle the request normally first (its write happens), then answer with the fault: GitHub did
   * the work but the answer was lost (a 502 from a proxy, a dropped connection).
   */
  processFirst?: boolean;
}

/** A deployment as GitHub returns it. */
export interface Deployment {
  url: string;
  id: number;
  node_id: string;
  sha: string;
  ref: string;
  task: string;
  payload: unknown;
  original_environment: string;
  environment: string;
  description: string | null;
  creator: User;
  created_at: string;
  updated_at: string;
  statuses_url: string;
  repository_url: string;
  transient_environment: boolean;
  production_environment: boolean;
}

/** A deployment status as GitHub returns it. */
export interface DeploymentStatus {
  url: string;
  id: number;
  node_id: string;
  state: DeploymentState;
  creator: User;
  description: string;
  environment: string;
  target_url: string;
  log_url: string;
  environment_url: string;
  created_at: string;
  updated_at: string;
  deployment_url: string;
  repository_url: string;
}

export interface User {
  login: string;
  id: number;
  type: 'User' | 'Bot';
}

/** A commit as `GET /repos/{owner}/{repo}/commits/{ref}` returns it (the fields shiftgate reads). */
export interface Commit {
  sha: string;
  commit: {
    message: string;
    author: { name: string; email: string; date: string };
    committer: { name: string; email: string; date: string };
  };
}

/** A deployment to put in the store directly, for fixture histories. */
export interface SeedDeployment {
  repo?: string;
  sha?: string;
  ref?: string;
  task?: string;
  environment: string;
  payload?: unknown;
  description?: string | null;
  transient_environment?: boolean;
  production_environment?: boolean;
  created_at: string;
  statuses?: {
    state: DeploymentState;
    created_at: string;
    description?: string;
    log_url?: string;
    environment_url?: string;
  }[];
}

/** A message received on `POST /hooks/{name}`. */
export interface WebhookMessage {
  name: string;
  body: unknown;
  headers: IncomingMessage['headers'];
}

export interface GitHubServerOptions {
  /** When set, requests must carry `Authorization: token <token>` or `Bearer <token>`; others get 401. */
  token?: string;
  /** The repository's default branch (used by commit lookups of `HEAD`). */
  defaultBranch?: string;
  /** Timestamps the server stamps on what it creates (default: the real clock). */
  now?: () => Date;
  /** Who the token acts as (creator of deployments and statuses). */
  actor?: User;
}

type Handler = (request: RecordedRequest, params: string[]) => FaultResponse;

const SECONDARY_RATE_LIMIT_MESSAGE =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. ' +
  'If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.';

/**
 * A fake GitHub REST API on 127.0.0.1. Start it with {@link GitHubServer.start}, point Octokit's
 * `baseUrl` (or `GITHUB_API_URL`) at {@link GitHubServer.url}, and `close()` it after the test.
 */
export class GitHubServer {
  /** Every request, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  /** Messages received by the webhook receiver, in arrival order. */
  readonly webhooks: WebhookMessage[] = [];
  /**
   * Fine-grained permissions of the calling token (GITHUB_TOKEN's `permissions:`). Writes to
   * deployments need `deployments: 'write'`; commits need `contents: 'read'`.
   */
  permissions: { deployments: Access; contents: Access; metadata: Access; actions: Access } = {
    deployments: 'write',
    contents: 'read',
    metadata: 'read',
    actions: 'read',
  };
  /** GitHub's web address, which run URLs (`resource(url:)`) start with. */
  web = 'https://github.com';
  /**
   * Commit statuses of refs: when a deployment is created without `required_contexts: []` and the ref's
   * contexts are not all `success`, GitHub answers 409. Set entries here to model pending checks.
   */
  readonly commitChecks = new Map<string, { context: string; state: 'pending' | 'success' | 'failure' }[]>();

  private server: Server;
  private base = '';
  private readonly options: GitHubServerOptions;
  private readonly faults: (FaultRule & { seen: number; used: number })[] = [];
  private readonly roles = new Map<string, RoleName>();
  private readonly customRoles = new Map<string, { name: string; base: 'admin' | 'write' | 'read' }>();
  private readonly issueEvents = new Map<string, IssueEvent[]>();
  private readonly commits = new Map<string, Commit>();
  private readonly runApprovals = new Map<string, unknown[]>();
  private readonly deploymentsById = new Map<number, Deployment & { repo: string }>();
  private readonly statusesById = new Map<number, (DeploymentStatus & { deploymentId: number })[]>();
  private nextDeploymentId = 1001;
  private nextStatusId = 5001;
  private readonly routes: { method: string; pattern: RegExp; handler: Handler }[] = [];

  private constructor(options: GitHubServerOptions) {
    this.options = options;
    this.server = createServer((req, res) => void this.handle(req, res));
    this.route('GET', /^\/repos\/([^/]+\/[^/]+)\/collaborators\/([^/]+)\/permission$/, (r, p) =>
      this.permission(p),
    );
    this.route('GET', /^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)\/events$/, (r, p) =>
      this.page(r, this.issueEvents.get(`${p[0]!.toLowerCase()}#${p[1]}`) ?? []),
    );
    this.route(
      'GET',
      /^\/repos\/([^/]+\/[^/]+)\/actions\/runs\/(\d+)\/approvals$/,
      (r, p) =>
        this.denyRead(
          'actions',
          'https://docs.github.com/rest/actions/workflow-runs#get-the-review-history-for-a-workflow-run',
        ) ?? { status: 200, body: this.runApprovals.get(`${p[0]!.toLowerCase()}#${p[1]}`) ?? [] },
    );
    this.route('POST', /^\/graphql$/, (r) => answerGraphQL(this.graphQLStore(), r));
    this.route('POST', /^\/repos\/([^/]+\/[^/]+)\/deployments$/, (r, p) => this.createDeployment(r, p));
    this.route('GET', /^\/repos\/([^/]+\/[^/]+)\/deployments$/, (r, p) => this.listDeployments(r, p));
    this.route('GET', /^\/repos\/([^/]+\/[^/]+)\/deployments\/(\d+)$/, (r, p) => this.getDeployment(p));
    this.route('POST', /^\/repos\/([^/]+\/[^/]+)\/deployments\/(\d+)\/statuses$/, (r, p) =>
      this.createStatus(r, p),
    );
    this.route('GET', /^\/repos\/([^/]+\/[^/]+)\/deployments\/(\d+)\/statuses$/, (r, p) =>
      this.listStatuses(r, p),
    );
    this.route('GET', /^\/repos\/([^/]+\/[^/]+)\/deployments\/(\d+)\/statuses\/(\d+)$/, (r, p) =>
      this.getStatus(p),
    );
    this.route('GET', /^\/repos\/([^/]+\/[^/]+)\/commits\/([^/]+)$/, (r, p) => this.getCommit(p));
    this.route('POST', /^\/hooks\/([^/]+)$/, (r, p) => this.webhook(r, p));
  }

  /** Starts a server on 127.0.0.1 with a free port. */
  static async start(options: GitHubServerOptions = {}): Promise<GitHubServer> {
    const fake = new GitHubServer(options);
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject);
      fake.server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = fake.server.address() as AddressInfo;
    fake.base = `http://127.0.0.1:${port}`;
    return fake;
  }

  /** The API base URL (what `GITHUB_API_URL` holds on a runner), without a trailing slash. */
  get url(): string {
    return this.base;
  }

  /** A URL for an incoming webhook (Slack style) that records what is posted to it. */
  webhookUrl(name = 'slack'): string {
    return `${this.base}/hooks/${encodeURIComponent(name)}`;
  }

  /** Stops the server and drops open connections. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- state for tests ----------------------------------------------------------------------------

  /** Gives `username` a role on `repo` (`owner/name`). Users never given a role get 404. */
  setPermission(repo: string, username: string, role: RoleName): void {
    this.roles.set(`${repo.toLowerCase()}#${username.toLowerCase()}`, role);
  }

  /**
   * Gives `username` an organisation's custom repository role built on `base`: the permission API then
   * answers `permission: base` and `role_name: name`.
   */
  setCustomRole(repo: string, username: string, name: string, base: 'admin' | 'write' | 'read'): void {
    this.customRoles.set(`${repo.toLowerCase()}#${username.toLowerCase()}`, { name, base });
  }

  /**
   * Appends events to a pull request's (issue's) timeline, as `GET /issues/{number}/events` lists them,
   * oldest first. `actor: null` models a deleted account ("ghost").
   */
  addIssueEvents(
    repo: string,
    number: number,
    events: { event: string; label?: string; actor: string | null }[],
  ): void {
    const key = `${repo.toLowerCase()}#${number}`;
    const list = this.issueEvents.get(key) ?? [];
    for (const e of events) {
      list.push({
        id: 9_000_000 + list.length,
        event: e.event,
        actor: e.actor === null ? null : { login: e.actor, id: hashId(e.actor), type: 'User' },
        ...(e.label !== undefined ? { label: { name: e.label, color: 'ededed' } } : {}),
        created_at: new Date(Date.UTC(2026, 0, 1) + list.length * 60_000).toISOString(),
      });
    }
    this.issueEvents.set(key, list);
  }

  /** Adds a commit that `GET /commits/{ref}` finds by its sha, and by `refs` (branch or tag names). */
  addCommit(
    repo: string,
    commit: { sha: string; date: string; authorDate?: string; message?: string; refs?: string[] },
  ): void {
    const doc: Commit = {
      sha: commit.sha,
      commit: {
        message: commit.message ?? `Commit ${commit.sha.slice(0, 7)}`,
        author: { name: 'Dev', email: 'dev@example.com', date: commit.authorDate ?? commit.date },
        committer: { name: 'Dev', email: 'dev@example.com', date: commit.date },
      },
    };
    this.commits.set(`${repo.toLowerCase()}#${commit.sha}`, doc);
    for (const ref of commit.refs ?? []) this.commits.set(`${repo.toLowerCase()}#${ref}`, doc);
  }

  /**
   * Sets the environment reviews of a run, as `GET /actions/runs/{run_id}/approvals` returns them:
   * https://docs.github.com/en/rest/actions/workflow-runs#get-the-review-history-for-a-workflow-run
   */
  setRunApprovals(
    repo: string,
    runId: number,
    reviews: { login: string; state: string; environments: string[]; comment?: string }[],
  ): void {
    this.runApprovals.set(
      `${repo.toLowerCase()}#${runId}`,
      reviews.map((r, i) => ({
        state: r.state,
        comment: r.comment ?? '',
        environments: r.environments.map((name, j) => ({ id: 100 + j, name, url: '', html_url: '' })),
        user: { login: r.login, id: 500 + i, type: 'User' },
      })),
    );
  }

  /** Puts a deployment with its statuses straight into the store (no request is recorded). */
  seedDeployment(seed: SeedDeployment): Deployment {
    const repo = seed.repo ?? 'acme/shop';
    const deployment = this.makeDeployment(repo, {
      sha: seed.sha ?? fakeSha(this.nextDeploymentId),
      ref: seed.ref ?? 'main',
      task: seed.task ?? 'deploy',
      environment: seed.environment,
      payload: seed.payload ?? {},
      description: seed.description ?? null,
      transient: seed.transient_environment ?? false,
      production: seed.production_environment ?? seed.environment === 'production',
      at: seed.created_at,
    });
    for (const status of seed.statuses ?? []) {
      this.addStatus(deployment, {
        state: status.state,
        description: status.description ?? '',
        log_url: status.log_url ?? '',
        environment_url: status.environment_url ?? '',
        at: status.created_at,
      });
    }
    return strip(deployment);
  }

  /** Every deployment of `repo`, oldest first. */
  deployments(repo = 'acme/shop'): Deployment[] {
    return [...this.deploymentsById.values()].filter((d) => d.repo === repo.toLowerCase()).map(strip);
  }

  /** The statuses of a deployment, oldest first. */
  statuses(deploymentId: number): DeploymentStatus[] {
    return (this.statusesById.get(deploymentId) ?? []).map(({ deploymentId: _id, ...status }) => status);
  }

  /**
   * Requests that wrote something (POST, PATCH, PUT, DELETE) to the API, webhooks and GraphQL queries
   * (the fake answers no mutation) excluded.
   */
  writes(): RecordedRequest[] {
    return this.requests.filter(
      (r) =>
        r.method !== 'GET' && r.method !== 'HEAD' && !r.path.startsWith('/hooks/') && r.path !== '/graphql',
    );
  }

  // ---- faults -------------------------------------------------------------------------------------

  /** Answers matching requests with a canned response (see {@link FaultRule}). */
  fault(rule: FaultRule): void {
    this.faults.push({ ...rule, seen: 0, used: 0 });
  }

  /** GitHub's secondary rate limit on matching requests: 403 (or 429) with `retry-after`. */
  secondaryRateLimit(options: {
    method?: string;
    path: string | RegExp;
    times?: number;
    retryAfterSeconds?: number;
    status?: 403 | 429;
    after?: number;
    operation?: string;
  }): void {
    this.fault({
      method: options.method,
      path: options.path,
      ...(options.operation === undefined ? {} : { operation: options.operation }),
      times: options.times ?? 1,
      after: options.after,
      respond: {
        status: options.status ?? 403,
        headers: { 'retry-after': String(options.retryAfterSeconds ?? 1) },
        body: {
          message: SECONDARY_RATE_LIMIT_MESSAGE,
          documentation_url:
            'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
          status: String(options.status ?? 403),
        },
      },
    });
  }

  /** Models a workflow whose `permissions:` leave `deployments` at read (or none). */
  withoutDeploymentsWrite(access: Exclude<Access, 'write'> = 'read'): void {
    this.permissions.deployments = access;
  }

  /** Removes every pending fault. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  // ---- plumbing -----------------------------------------------------------------------------------

  private route(method: string, pattern: RegExp, handler: Handler): void {
    this.routes.push({ method, pattern, handler });
  }

  private now(): string {
    return (this.options.now?.() ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  private actor(): User {
    return this.options.actor ?? { login: 'github-actions[bot]', id: 41898282, type: 'Bot' };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    if (raw !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.replace(/^\/api\/v3(?=\/)/, '');
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      query: url.searchParams,
      headers: req.headers,
      body,
      status: 0,
    };
    this.requests.push(request);
    const answer = this.answer(request);
    request.status = answer.status;
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    if (answer.drop) {
      req.socket.destroy();
      return;
    }
    const used = Math.floor(this.requests.length);
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-request-id': `0000:${used.toString(16).padStart(4, '0')}`,
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': String(Math.max(0, 5000 - used)),
      'x-ratelimit-used': String(used),
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-resource': 'core',
      ...answer.headers,
    };
    const text =
      answer.body === undefined
        ? ''
        : typeof answer.body === 'string'
          ? answer.body
          : JSON.stringify(answer.body);
    res.writeHead(answer.status, headers);
    res.end(text);
  }

  private answer(request: RecordedRequest): FaultResponse {
    const auth = request.headers.authorization;
    // Webhooks are not the API: they authenticate by their secret URL.
    if (
      !request.path.startsWith('/hooks/') &&
      this.options.token !== undefined &&
      auth !== `token ${this.options.token}` &&
      auth !== `Bearer ${this.options.token}`
    ) {
      return error(401, 'Bad credentials', 'https://docs.github.com/rest');
    }
    for (const rule of this.faults) {
      if (rule.method !== undefined && rule.method.toUpperCase() !== request.method) continue;
      if (typeof rule.path === 'string' ? rule.path !== request.path : !rule.path.test(request.path))
        continue;
      if (rule.operation !== undefined && graphQLOperation(request) !== rule.operation) continue;
      rule.seen++;
      if (rule.seen <= (rule.after ?? 0)) continue;
      if (rule.used >= (rule.times ?? 1)) continue;
      rule.used++;
      if (rule.processFirst) this.dispatch(request);
      return typeof rule.respond === 'function' ? rule.respond(request) : rule.respond;
    }
    return this.dispatch(request);
  }

  private dispatch(request: RecordedRequest): FaultResponse {
    for (const route of this.routes) {
      if (route.method !== request.method) continue;
      const match = route.pattern.exec(request.path);
      if (!match) continue;
      try {
        return route.handler(request, match.slice(1).map(decodeURIComponent));
      } catch (thrown) {
        return error(500, `Fake GitHub server error: ${(thrown as Error).message}`);
      }
    }
    return error(404, 'Not Found', 'https://docs.github.com/rest');
  }

  private permission([repo, username]: string[]): FaultResponse {
    const custom = this.customRoles.get(`${repo!.toLowerCase()}#${username!.toLowerCase()}`);
    if (custom) {
      return {
        status: 200,
        body: {
          permission: custom.base,
          role_name: custom.name,
          user: { login: username, id: hashId(username!) },
        },
      };
    }
    const role = this.roles.get(`${repo!.toLowerCase()}#${username!.toLowerCase()}`);
    if (role === undefined) {
      return error(
        404,
        `${username} is not a user`,
        'https://docs.github.com/rest/collaborators/collaborators#get-repository-permissions-for-a-user',
      );
    }
    // `permission` is the legacy coarse level: maintain counts as write, triage as read.
    const permission = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role;
    return {
      status: 200,
      body: {
        permission,
        role_name: role,
        user: { login: username, id: hashId(username!), type: 'User', permissions: coarsePermissions(role) },
      },
    };
  }

  private denyWrite(request: RecordedRequest, docs: string): FaultResponse | undefined {
    if (this.permissions.deployments === 'write') return undefined;
    const response = error(403, 'Resource not accessible by integration', docs);
    response.headers = { 'x-accepted-github-permissions': 'deployments=write' };
    void request;
    return response;
  }

  private graphQLStore() {
    return {
      web: this.web,
      permissions: this.permissions,
      repositoryExists: (repo: string) =>
        [...this.deploymentsById.values()].some((d) => d.repo === repo) ||
        [...this.commits.keys()].some((key) => key.startsWith(`${repo}#`)),
      deployments: (repo: string) =>
        [...this.deploymentsById.values()].filter((d) => d.repo === repo).map(strip),
      statuses: (id: number) => this.statuses(id),
      commit: (repo: string, sha: string) => this.commits.get(`${repo}#${sha}`),
      runApprovals: (repo: string, runId: number) => this.runApprovals.get(`${repo}#${runId}`) ?? [],
    };
  }

  private denyRead(scope: 'deployments' | 'contents' | 'actions', docs: string): FaultResponse | undefined {
    if (this.permissions[scope] !== 'none') return undefined;
    const response = error(403, 'Resource not accessible by integration', docs);
    response.headers = { 'x-accepted-github-permissions': `${scope}=read` };
    return response;
  }

  private createDeployment(request: RecordedRequest, [repo]: string[]): FaultResponse {
    const docs = 'https://docs.github.com/rest/deployments/deployments#create-a-deployment';
    const denied = this.denyWrite(request, docs);
    if (denied) return denied;
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (typeof body.ref !== 'string' || body.ref === '')
      return validation('Invalid request.\n\n"ref" wasn\'t supplied.', docs);
    const optionalString = ['task', 'environment', 'description'];
    for (const key of optionalString) {
      if (body[key] !== undefined && body[key] !== null && typeof body[key] !== 'string') {
        return validation(
          `Invalid request.\n\nFor '${key}', ${JSON.stringify(body[key])} is not a string.`,
          docs,
        );
      }
    }
    for (const key of ['auto_merge', 'transient_environment', 'production_environment']) {
      if (body[key] !== undefined && typeof body[key] !== 'boolean') {
        return validation(
          `Invalid request.\n\nFor '${key}', ${JSON.stringify(body[key])} is not a boolean.`,
          docs,
        );
      }
    }
    if (
      body.payload !== undefined &&
      typeof body.payload !== 'string' &&
      (typeof body.payload !== 'object' || body.payload === null)
    ) {
      return validation(
        `Invalid request.\n\nFor 'payload', ${JSON.stringify(body.payload)} is not an object or a string.`,
        docs,
      );
    }
    if (typeof body.payload === 'string' && body.payload !== '') {
      try {
        JSON.parse(body.payload);
      } catch {
        return validation("Invalid request.\n\nFor 'payload', the string is not valid JSON.", docs);
      }
    }
    const ref = body.ref;
    const commit = this.commits.get(`${repo!.toLowerCase()}#${ref}`);
    const sha = commit?.sha ?? (/^[0-9a-f]{40}$/.test(ref) ? ref : undefined);
    if (sha === undefined)
      return {
        status: 422,
        body: { message: `No ref found for: ${ref}`, documentation_url: docs, status: '422' },
      };
    // required_contexts defaults to every context of the ref: a pending or failed check blocks (409).
    const checks = this.commitChecks.get(ref) ?? this.commitChecks.get(sha) ?? [];
    const required = Array.isArray(body.required_contexts)
      ? (body.required_contexts as string[])
      : checks.map((c) => c.context);
    const failing = checks.filter((c) => required.includes(c.context) && c.state !== 'success');
    if (failing.length > 0) {
      return {
        status: 409,
        body: {
          message: `Conflict: Commit status checks failed for ${ref}.`,
          errors: failing.map((c) => ({
            contexts: [{ context: c.context, state: c.state }],
            resource: 'Deployment',
            field: 'required_contexts',
            code: 'invalid',
          })),
          documentation_url: docs,
          status: '409',
        },
      };
    }
    const description = body.description;
    if (typeof description === 'string' && description.length > 140) {
      return validation('Validation Failed', docs, [
        {
          resource: 'Deployment',
          code: 'custom',
          field: 'description',
          message: 'description is too long (maximum is 140 characters)',
        },
      ]);
    }
    const payload =
      typeof body.payload === 'string'
        ? body.payload === ''
          ? {}
          : JSON.parse(body.payload)
        : (body.payload ?? {});
    const environment = typeof body.environment === 'string' ? body.environment : 'production';
    const deployment = this.makeDeployment(repo!, {
      sha,
      ref,
      task: typeof body.task === 'string' ? body.task : 'deploy',
      environment,
      payload,
      description: typeof description === 'string' ? description : null,
      transient: body.transient_environment === true,
      production:
        typeof body.production_environment === 'boolean'
          ? body.production_environment
          : environment === 'production',
      at: this.now(),
    });
    return { status: 201, body: strip(deployment) };
  }

  private makeDeployment(
    repo: string,
    d: {
      sha: string;
      ref: string;
      task: string;
      environment: string;
      payload: unknown;
      description: string | null;
      transient: boolean;
      production: boolean;
      at: string;
    },
  ): Deployment & { repo: string } {
    const id = this.nextDeploymentId++;
    const repoUrl = `${this.base}/repos/${repo}`;
    const deployment: Deployment & { repo: string } = {
      repo: repo.toLowerCase(),
      url: `${repoUrl}/deployments/${id}`,
      id,
      node_id: `DE_${id}`,
      sha: d.sha,
      ref: d.ref,
      task: d.task,
      payload: d.payload,
      original_environment: d.environment,
      environment: d.environment,
      description: d.description,
      creator: this.actor(),
      created_at: d.at,
      updated_at: d.at,
      statuses_url: `${repoUrl}/deployments/${id}/statuses`,
      repository_url: repoUrl,
      transient_environment: d.transient,
      production_environment: d.production,
    };
    this.deploymentsById.set(id, deployment);
    this.statusesById.set(id, []);
    return deployment;
  }

  private findDeployment(repo: string, id: string): (Deployment & { repo: string }) | undefined {
    const deployment = this.deploymentsById.get(Number(id));
    return deployment && deployment.repo === repo.toLowerCase() ? deployment : undefined;
  }

  private listDeployments(request: RecordedRequest, [repo]: string[]): FaultResponse {
    const denied = this.denyRead(
      'deployments',
      'https://docs.github.com/rest/deployments/deployments#list-deployments',
    );
    if (denied) return denied;
    const q = request.query;
    const all = [...this.deploymentsById.values()]
      .filter((d) => d.repo === repo!.toLowerCase())
      .filter((d) => !q.get('sha') || d.sha === q.get('sha'))
      .filter((d) => !q.get('ref') || d.ref === q.get('ref'))
      .filter((d) => !q.get('task') || d.task === q.get('task'))
      .filter((d) => !q.get('environment') || d.environment === q.get('environment'))
      .sort((a, b) => b.id - a.id)
      .map(strip);
    return this.page(request, all);
  }

  private getDeployment([repo, id]: string[]): FaultResponse {
    const deployment = this.findDeployment(repo!, id!);
    return deployment
      ? { status: 200, body: strip(deployment) }
      : error(404, 'Not Found', 'https://docs.github.com/rest/deployments/deployments#get-a-deployment');
  }

  private createStatus(request: RecordedRequest, [repo, id]: string[]): FaultResponse {
    const docs = 'https://docs.github.com/rest/deployments/statuses#create-a-deployment-status';
    const denied = this.denyWrite(request, docs);
    if (denied) return denied;
    const deployment = this.findDeployment(repo!, id!);
    if (!deployment) return error(404, 'Not Found', docs);
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (!(DEPLOYMENT_STATES as readonly unknown[]).includes(body.state)) {
      return validation(
        `Invalid request.\n\nFor 'state', ${JSON.stringify(body.state)} is not one of ${DEPLOYMENT_STATES.join(', ')}.`,
        docs,
      );
    }
    const description = typeof body.description === 'string' ? body.description : '';
    if (description.length > 140) {
      return validation('Validation Failed', docs, [
        {
          resource: 'DeploymentStatus',
          code: 'custom',
          field: 'description',
          message: 'description is too long (maximum is 140 characters)',
        },
      ]);
    }
    const logUrl =
      typeof body.log_url === 'string'
        ? body.log_url
        : typeof body.target_url === 'string'
          ? body.target_url
          : '';
    if (typeof body.environment === 'string' && body.environment !== '')
      deployment.environment = body.environment;
    const status = this.addStatus(deployment, {
      state: body.state as DeploymentState,
      description,
      log_url: logUrl,
      environment_url: typeof body.environment_url === 'string' ? body.environment_url : '',
      at: this.now(),
    });
    // auto_inactive (default true): a new success marks earlier successful deployments of the same
    // environment inactive, so the Environments page shows one live deployment.
    if (status.state === 'success' && body.auto_inactive !== false) {
      for (const other of this.deploymentsById.values()) {
        if (
          other.repo !== deployment.repo ||
          other.id >= deployment.id ||
          other.environment !== deployment.environment
        )
          continue;
        if (other.transient_environment) continue;
        const list = this.statusesById.get(other.id) ?? [];
        if (list.at(-1)?.state !== 'success') continue;
        this.addStatus(other, {
          state: 'inactive',
          description: '',
          log_url: '',
          environment_url: '',
          at: status.created_at,
        });
      }
    }
    const { deploymentId: _id, ...out } = status;
    return { status: 201, body: out };
  }

  private addStatus(
    deployment: Deployment,
    s: { state: DeploymentState; description: string; log_url: string; environment_url: string; at: string },
  ): DeploymentStatus & { deploymentId: number } {
    const id = this.nextStatusId++;
    const status = {
      deploymentId: deployment.id,
      url: `${deployment.url}/statuses/${id}`,
      id,
      node_id: `DES_${id}`,
      state: s.state,
      creator: this.actor(),
      description: s.description,
      environment: deployment.environment,
      target_url: s.log_url,
      log_url: s.log_url,
      environment_url: s.environment_url,
      created_at: s.at,
      updated_at: s.at,
      deployment_url: deployment.url,
      repository_url: deployment.repository_url,
    };
    this.statusesById.get(deployment.id)!.push(status);
    deployment.updated_at = s.at;
    return status;
  }

  private listStatuses(request: RecordedRequest, [repo, id]: string[]): FaultResponse {
    const deployment = this.findDeployment(repo!, id!);
    if (!deployment)
      return error(
        404,
        'Not Found',
        'https://docs.github.com/rest/deployments/statuses#list-deployment-statuses',
      );
    const list = [...(this.statusesById.get(deployment.id) ?? [])]
      .reverse()
      .map(({ deploymentId: _id, ...s }) => s);
    return this.page(request, list);
  }

  private getStatus([repo, id, statusId]: string[]): FaultResponse {
    const deployment = this.findDeployment(repo!, id!);
    const status = deployment && this.statusesById.get(deployment.id)?.find((s) => s.id === Number(statusId));
    if (!status)
      return error(
        404,
        'Not Found',
        'https://docs.github.com/rest/deployments/statuses#get-a-deployment-status',
      );
    const { deploymentId: _id, ...out } = status;
    return { status: 200, body: out };
  }

  private getCommit([repo, ref]: string[]): FaultResponse {
    const docs = 'https://docs.github.com/rest/commits/commits#get-a-commit';
    const denied = this.denyRead('contents', docs);
    if (denied) return denied;
    const name = ref === 'HEAD' ? (this.options.defaultBranch ?? 'main') : ref!;
    const commit = this.commits.get(`${repo!.toLowerCase()}#${name}`);
    if (!commit)
      return {
        status: 422,
        body: { message: `No commit found for SHA: ${ref}`, documentation_url: docs, status: '422' },
      };
    return { status: 200, body: { ...commit, url: `${this.base}/repos/${repo}/commits/${commit.sha}` } };
  }

  private webhook(request: RecordedRequest, [name]: string[]): FaultResponse {
    this.webhooks.push({ name: name!, body: request.body, headers: request.headers });
    return { status: 200, body: 'ok', headers: { 'content-type': 'text/plain' } };
  }

  private page<T>(request: RecordedRequest, items: T[]): FaultResponse {
    const perPage = Math.min(100, Math.max(1, Number(request.query.get('per_page') ?? 30) || 30));
    const page = Math.max(1, Number(request.query.get('page') ?? 1) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const links: string[] = [];
    const link = (n: number, rel: string) => {
      const q = new URLSearchParams(request.query);
      q.set('per_page', String(perPage));
      q.set('page', String(n));
      links.push(`<${this.base}${request.path}?${q.toString()}>; rel="${rel}"`);
    };
    if (page < last) {
      link(page + 1, 'next');
      link(last, 'last');
    }
    if (page > 1) {
      link(1, 'first');
      link(page - 1, 'prev');
    }
    return {
      status: 200,
      body: items.slice((page - 1) * perPage, page * perPage),
      headers: links.length > 0 ? { link: links.join(', ') } : {},
    };
  }
}

function error(
  status: number,
  message: string,
  documentationUrl = 'https://docs.github.com/rest',
): FaultResponse {
  return { status, body: { message, documentation_url: documentationUrl, status: String(status) } };
}

function validation(message: string, docs: string, errors?: unknown[]): FaultResponse {
  return {
    status: 422,
    body: { message, ...(errors ? { errors } : {}), documentation_url: docs, status: '422' },
  };
}

function strip(deployment: Deployment & { repo?: string }): Deployment {
  const { repo: _repo, ...rest } = deployment;
  return structuredClone(rest);
}

function coarsePermissions(role: RoleName): Record<string, boolean> {
  const order: RoleName[] = ['read', 'triage', 'write', 'maintain', 'admin'];
  const level = order.indexOf(role);
  return { pull: level >= 0, triage: level >= 1, push: level >= 2, maintain: level >= 3, admin: level >= 4 };
}

function hashId(text: string): number {
  let h = 0;
  for (const c of text) h = (h * 31 + c.charCodeAt(0)) % 1_000_000;
  return h + 1;
}

/** A deterministic 40-hex-digit sha for fixtures. */
export function fakeSha(n: number): string {
  return n.toString(16).padStart(40, 'a').slice(-40);
}
