import {
  STORE_STATES,
  silentLogger,
  type DeploymentQuery,
  type DeploymentStore,
  type Logger,
  type NewDeployment,
  type NewStatus,
  type Sleeper,
  type StoreState,
  type StoredDeployment,
  type StoredStatus,
} from '@shiftgate/core';
import { describeGitHubError, GitHubApiError } from './github-errors';
import type { GitHubClient } from './octokit';
import { systemSleep } from './runner/time';

/** What the store needs. */
export interface GitHubDeploymentStoreOptions {
  client: GitHubClient;
  /** `owner/name`. */
  repository: string;
  logger?: Logger;
  /** Waits between attempts of a write whose first answer was lost; injectable for tests. */
  sleep?: Sleeper;
  /** Reads in flight at once when listing (statuses of many deployments). */
  concurrency?: number;
}

/** Attempts of one write whose answer was a 5xx or nothing at all. */
const WRITE_ATTEMPTS = 3;

/**
 * The {@link DeploymentStore} over GitHub's Deployments API.
 * https://docs.github.com/en/rest/deployments/deployments
 *
 * Writes are never retried blindly: a 5xx or a dropped connection may hide a write that happened, and
 * a blind retry would leave a duplicate deployment stuck without statuses, or two terminal statuses.
 * So the plugin's retry is off for writes; after such a failure the store reads back, and writes
 * again only if GitHub has nothing. Refusals (403, 422, secondary rate limits after the throttling
 * plugin's retries) are reported at once.
 */
export class GitHubDeploymentStore implements DeploymentStore {
  /** The client it reads and writes with (the dashboard's GraphQL reader uses the same one). */
  readonly client: GitHubClient;
  private readonly owner: string;
  private readonly repo: string;
  private readonly logger: Logger;
  private readonly sleep: Sleeper;
  private readonly concurrency: number;

  constructor(options: GitHubDeploymentStoreOptions) {
    const [owner, repo, extra] = options.repository.split('/');
    if (!owner || !repo || extra !== undefined) {
      throw new Error(`The repository must be owner/name, got '${options.repository}'`);
    }
    this.client = options.client;
    this.owner = owner;
    this.repo = repo;
    this.logger = options.logger ?? silentLogger;
    this.sleep = options.sleep ?? systemSleep;
    this.concurrency = options.concurrency ?? 4;
  }

  private get name(): string {
    return `${this.owner}/${this.repo}`;
  }

  /** `owner/name`. */
  get repository(): string {
    return this.name;
  }

  async createDeployment(deployment: NewDeployment): Promise<StoredDeployment> {
    const doing = `Creating a deployment of ${this.name} to ${deployment.environment}`;
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await this.client.rest.repos.createDeployment({
          owner: this.owner,
          repo: this.repo,
          ref: deployment.ref,
          environment: deployment.environment,
          description: deployment.description,
          payload: deployment.payload as Record<string, unknown>,
          // Merging the default branch into the ref would deploy something nobody built (202 "Auto-merged").
          auto_merge: false,
          // By default GitHub requires every commit status of the ref to be green, and the running
          // workflow is itself one of them, still pending: 409. The gate is shiftgate's health judge.
          required_contexts: [],
          transient_environment: deployment.transientEnvironment,
          ...(deployment.productionEnvironment === null
            ? {}
            : { production_environment: deployment.productionEnvironment }),
          request: { retries: 0 },
        });
        if (response.status !== 201 || !('id' in response.data)) {
          const message = (response.data as { message?: string }).message ?? '';
          throw new GitHubApiError(
            `${doing} failed: GitHub answered ${response.status} "${message}" and created no deployment`,
            response.status,
            'invalid',
          );
        }
        return toDeployment(response.data, []);
      } catch (error) {
        const described = describeGitHubError(error, doing, 'deployments: write');
        if (!retryable(described)) throw described;
        const found = await this.findCreated(deployment);
        if (found) {
          this.logger.info(
            `${described.message}; GitHub had created deployment ${found.id} anyway, so it is used`,
          );
          return found;
        }
        if (attempt >= WRITE_ATTEMPTS) throw described;
        this.logger.warning(
          `${described.message}; no deployment was created, trying again (${attempt} of ${WRITE_ATTEMPTS - 1})`,
        );
        await this.sleep(1000 * attempt);
      }
    }
  }

  private async findCreated(deployment: NewDeployment): Promise<StoredDeployment | null> {
    const { data } = await this.read(`Looking for the deployment just created in ${this.name}`, () =>
      this.client.rest.repos.listDeployments({
        owner: this.owner,
        repo: this.repo,
        ref: deployment.ref,
        environment: deployment.environment,
        per_page: 30,
      }),
    );
    for (const raw of data) {
      const candidate = toDeployment(raw, []);
      if (deployment.matches(candidate)) return { ...candidate, statuses: await this.statuses(candidate.id) };
    }
    return null;
  }

  async addStatus(deploymentId: number, status: NewStatus): Promise<StoredStatus> {
    const doing = `Recording status '${status.state}' on deployment ${deploymentId} of ${this.name}`;
    const startedAt = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        const { data } = await this.client.rest.repos.createDeploymentStatus({
          owner: this.owner,
          repo: this.repo,
          deployment_id: deploymentId,
          state: status.state,
          description: status.description,
          log_url: status.logUrl,
          environment_url: status.environmentUrl,
          auto_inactive: status.autoInactive,
          request: { retries: 0 },
        });
        return toStatus(data);
      } catch (error) {
        const described = describeGitHubError(error, doing, 'deployments: write');
        if (!retryable(described)) throw described;
        const statuses = await this.statuses(deploymentId);
        // A status like this one written since this call began is this call's, answered but lost.
        const found = statuses.find(
          (s) =>
            s.state === status.state &&
            s.description === status.description &&
            s.createdAt >= startedAt - 120_000,
        );
        if (found) {
          this.logger.info(`${described.message}; GitHub had recorded it anyway (status ${found.id})`);
          return found;
        }
        if (attempt >= WRITE_ATTEMPTS) throw described;
        this.logger.warning(
          `${described.message}; it was not recorded, trying again (${attempt} of ${WRITE_ATTEMPTS - 1})`,
        );
        await this.sleep(1000 * attempt);
      }
    }
  }

  async getDeployment(deploymentId: number): Promise<StoredDeployment> {
    const { data } = await this.read(`Reading deployment ${deploymentId} of ${this.name}`, () =>
      this.client.rest.repos.getDeployment({
        owner: this.owner,
        repo: this.repo,
        deployment_id: deploymentId,
      }),
    );
    return toDeployment(data, await this.statuses(deploymentId));
  }

  async listDeployments(query: DeploymentQuery): Promise<StoredDeployment[]> {
    const doing = `Listing deployments of ${this.name}${query.environment === null ? '' : ` to ${query.environment}`}`;
    const found: StoredDeployment[] = [];
    const perPage = Math.min(100, query.limit);
    const after = query.createdAfter ?? -Infinity;
    let older = false;
    for (let page = 1; found.length < query.limit && !older; page++) {
      const { data } = await this.read(doing, () =>
        this.client.rest.repos.listDeployments({
          owner: this.owner,
          repo: this.repo,
          ...(query.environment === null ? {} : { environment: query.environment }),
          per_page: perPage,
          page,
        }),
      );
      for (const raw of data) {
        const deployment = toDeployment(raw, []);
        // GitHub lists newest first: once one is older than the window, the rest are too.
        if (deployment.createdAt < after) older = true;
        else if (found.length < query.limit) found.push(deployment);
      }
      if (data.length < perPage) break;
    }
    const statuses = await mapLimit(found, this.concurrency, (d) => this.statuses(d.id));
    return found.map((d, i) => ({ ...d, statuses: statuses[i]! }));
  }

  async commitTime(sha: string): Promise<number | null> {
    try {
      const { data } = await this.client.rest.repos.getCommit({
        owner: this.owner,
        repo: this.repo,
        ref: sha,
      });
      const date = data.commit.committer?.date ?? data.commit.author?.date;
      return date ? Date.parse(date) : null;
    } catch (error) {
      const status = (error as { status?: number }).status;
      // 404: no such repository access; 422: no such commit (force-pushed away).
      if (status === 404 || status === 422) return null;
      throw describeGitHubError(
        error,
        `Reading commit ${sha.slice(0, 12)} of ${this.name}`,
        'contents: read',
      );
    }
  }

  /** A deployment's statuses, oldest first (GitHub lists them newest first). */
  async statuses(deploymentId: number): Promise<StoredStatus[]> {
    const doing = `Reading the statuses of deployment ${deploymentId} of ${this.name}`;
    const data = await this.read(doing, () =>
      this.client.paginate(this.client.rest.repos.listDeploymentStatuses, {
        owner: this.owner,
        repo: this.repo,
        deployment_id: deploymentId,
        per_page: 100,
      }),
    );
    return data.map(toStatus).sort((a, b) => a.id - b.id);
  }

  private async read<T>(doing: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw describeGitHubError(error, doing, 'deployments: read');
    }
  }
}

function retryable(error: GitHubApiError): boolean {
  return error.kind === 'server' || error.kind === 'network';
}

interface RawDeployment {
  id: number;
  sha: string;
  ref: string;
  environment: string;
  description?: string | null;
  created_at: string;
  payload: unknown;
  production_environment?: boolean;
  transient_environment?: boolean;
}

interface RawStatus {
  id: number;
  state: string;
  description?: string | null;
  created_at: string;
  log_url?: string;
  target_url?: string;
  environment_url?: string;
}

function toDeployment(raw: RawDeployment, statuses: StoredStatus[]): StoredDeployment {
  return {
    id: raw.id,
    sha: raw.sha,
    ref: raw.ref,
    environment: raw.environment,
    description: raw.description ?? null,
    createdAt: Date.parse(raw.created_at),
    payload: raw.payload,
    statuses,
    productionEnvironment: raw.production_environment ?? false,
    transientEnvironment: raw.transient_environment ?? false,
  };
}

/** A status state as the store knows it; one it does not know (GraphQL's `WAITING`) counts as pending. */
export function storeState(raw: string): StoreState {
  return (STORE_STATES as readonly string[]).includes(raw) ? (raw as StoreState) : 'pending';
}

function toStatus(raw: RawStatus): StoredStatus {
  return {
    id: raw.id,
    state: storeState(raw.state),
    description: raw.description ?? '',
    createdAt: Date.parse(raw.created_at),
    logUrl: raw.log_url || raw.target_url || '',
    environmentUrl: raw.environment_url ?? '',
  };
}

/** Maps with at most `limit` calls in flight, keeping order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
