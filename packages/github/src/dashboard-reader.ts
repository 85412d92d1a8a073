// The dashboard's reader of deployments: GitHub's GraphQL API, 100 deployments with their statuses and
// commit time per request, instead of REST's list call per 100 plus one statuses call per deployment
// and one commit call per success. A GITHUB_TOKEN gets 1,000 REST requests an hour per repository, which
// a 90-day window of an active repository used up; the same window is now a few GraphQL points.
// https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
import type { StoredDeployment, StoredStatus } from '@shiftgate/core';
import { DEPLOYMENTS_OPERATION, DEPLOYMENTS_PAGE, DEPLOYMENTS_QUERY } from './dashboard-queries';
import { storeState, mapLimit, type GitHubDeploymentStore } from './deployments';
import { describeGraphQLError, GitHubApiError, graphQLErrors } from './github-errors';

/** One page of deployments, newest first. */
export interface DeploymentsPage {
  deployments: StoredDeployment[];
  /** Commit times by sha (null: the commit is gone); empty when they could not be read. */
  commitTimes: Map<string, number | null>;
  /** Why commit times could not be read (a token without `contents: read`), or null. */
  commitProblem: string | null;
  /** Where the next page starts; null after the last page. */
  next: string | null;
}

/** Reads pages of a repository's deployments through `client.graphql` (the same retry, throttling, timeout). */
export class DashboardDeploymentReader {
  private readonly store: GitHubDeploymentStore;
  private readonly owner: string;
  private readonly name: string;
  /** Deployments whose statuses did not fit in one GraphQL page, to read over REST when kept. */
  private readonly moreStatuses = new Set<number>();
  constructor(store: GitHubDeploymentStore) {
    this.store = store;
    [this.owner, this.name] = store.repository.split('/') as [string, string];
  }

  /** One page of deployments of `environments` (null: every environment), newest first, after `cursor`. */
  async page(environments: readonly string[] | null, cursor: string | null, first = DEPLOYMENTS_PAGE) {
    const doing = `Listing deployments of ${this.store.repository}${environments === null ? '' : ` to ${environments.join(', ')}`} (GraphQL)`;
    let data: unknown;
    let commitProblem: string | null = null;
    try {
      data = await this.store.client.graphql(DEPLOYMENTS_QUERY, {
        operationName: DEPLOYMENTS_OPERATION,
        owner: this.owner,
        name: this.name,
        environments,
        cursor,
        first,
      });
    } catch (error) {
      const errors = graphQLErrors(error);
      // Only the commits refused (a token without `contents: read`): the deployments are whole, and
      // lead time leaves those commits out.
      const partial = (error as { data?: unknown }).data;
      if (errors && errors.length > 0 && partial && errors.every((e) => e.path?.at(-1) === 'commit')) {
        data = partial;
        commitProblem = describeGraphQLError(
          error,
          `Reading the commits of ${this.store.repository}`,
          'contents: read',
        ).message;
      } else {
        throw describeGraphQLError(error, doing, 'deployments: read');
      }
    }
    return { ...this.parse(data, doing), commitProblem };
  }

  /** Reads over REST the statuses of kept deployments that had more than one GraphQL page of them. */
  async complete(deployments: StoredDeployment[]): Promise<StoredDeployment[]> {
    const partial = deployments.filter((d) => this.moreStatuses.has(d.id));
    const statuses = await mapLimit(partial, 4, (d) => this.store.statuses(d.id));
    const byId = new Map(partial.map((d, i) => [d.id, statuses[i]!]));
    return deployments.map((d) => (byId.has(d.id) ? { ...d, statuses: byId.get(d.id)! } : d));
  }

  private parse(data: unknown, doing: string): Omit<DeploymentsPage, 'commitProblem'> {
    const bad = (what: string): never => {
      throw new GitHubApiError(
        `${doing} failed: GitHub's answer is not a deployments page (${what})`,
        200,
        'invalid',
      );
    };
    const repository = (data as { repository?: unknown } | null)?.repository;
    if (repository === null || repository === undefined) {
      throw new GitHubApiError(
        `${doing} failed: GitHub found no repository ${this.store.repository} (check the name, and that the token can read it: 'deployments: read')`,
        200,
        'not-found',
      );
    }
    const connection = object((repository as Record<string, unknown>).deployments) ?? bad('no deployments');
    const info = object(connection.pageInfo) ?? bad('no pageInfo');
    if (typeof info.hasNextPage !== 'boolean') bad('pageInfo.hasNextPage is not a boolean');
    if (info.hasNextPage && (typeof info.endCursor !== 'string' || info.endCursor === ''))
      bad('no endCursor');
    if (!Array.isArray(connection.nodes)) bad('nodes is not a list');
    const deployments: StoredDeployment[] = [];
    const commitTimes = new Map<string, number | null>();
    (connection.nodes as unknown[]).forEach((raw, index) => {
      const fail = (what: string): never => bad(`deployment ${index + 1} of the page: ${what}`);
      const node = object(raw) ?? fail('not an object');
      const id = node.databaseId;
      if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1)
        fail('databaseId is not a positive whole number');
      if (typeof node.commitOid !== 'string') fail('commitOid is not a string');
      const createdAt = date(node.createdAt) ?? fail('createdAt is not a time');
      if (typeof node.environment !== 'string') fail('environment is not a string');
      const ref = node.ref === null ? null : (object(node.ref) ?? fail('ref is not an object'));
      if (ref !== null && typeof ref.name !== 'string') fail('ref.name is not a string');
      const sha = node.commitOid as string;
      const statuses = this.statuses(id as number, node.statuses, fail);
      if (node.commit !== null && node.commit !== undefined) {
        const committed = date(object(node.commit)?.committedDate);
        commitTimes.set(sha, committed);
      } else if (!commitTimes.has(sha)) commitTimes.set(sha, null);
      deployments.push({
        id: id as number,
        sha,
        // Deployed by sha: GitHub has no Ref, and REST reports the sha as the ref.
        ref: ref === null ? sha : (ref.name as string),
        environment: node.environment as string,
        description: optionalText(node.description, () => fail('description is not a string')),
        createdAt,
        payload: payloadOf(node.payload, () => fail('payload is not a string')),
        statuses,
        // GraphQL does not say; the dashboard does not use them.
        productionEnvironment: false,
        transientEnvironment: false,
      });
    });
    return { deployments, commitTimes, next: info.hasNextPage ? (info.endCursor as string) : null };
  }

  private statuses(id: number, raw: unknown, fail: (what: string) => never): StoredStatus[] {
    if (raw === null || raw === undefined) {
      this.moreStatuses.add(id);
      return [];
    }
    const connection = object(raw) ?? fail('statuses is not an object');
    if (!Array.isArray(connection.nodes)) fail('statuses.nodes is not a list');
    if (object(connection.pageInfo)?.hasNextPage === true) this.moreStatuses.add(id);
    const list = (connection.nodes as unknown[]).map((item, i) => {
      const where = (what: string) => fail(`status ${i + 1}: ${what}`);
      const status = object(item) ?? where('not an object');
      if (typeof status.state !== 'string') where('state is not a string');
      return {
        state: storeState((status.state as string).toLowerCase()),
        description: optionalText(status.description, () => where('description is not a string')) ?? '',
        createdAt: date(status.createdAt) ?? where('createdAt is not a time'),
        logUrl: optionalText(status.logUrl, () => where('logUrl is not a string')) ?? '',
        environmentUrl:
          optionalText(status.environmentUrl, () => where('environmentUrl is not a string')) ?? '',
      };
    });
    // GraphQL has no status ids and documents no order: order them oldest first (reversing a list that
    // comes newest first, so a tie keeps GitHub's order), then number them, as outcomeOf orders by id.
    const oldestFirst =
      list.length > 1 && list[0]!.createdAt > list.at(-1)!.createdAt ? list.reverse() : list;
    return oldestFirst
      .map((s, i) => ({ s, i }))
      .sort((a, b) => a.s.createdAt - b.s.createdAt || a.i - b.i)
      .map(({ s }, i) => ({ id: i + 1, ...s }));
  }
}

function object(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

function date(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : at;
}

function optionalText(value: unknown, fail: () => never): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : fail();
}

/**
 * GraphQL gives the payload as the JSON text the deployment was created with. It is untrusted: text
 * that is not JSON stays text, which the record reader treats as another tool's payload, as it treats
 * REST's foreign payloads.
 */
function payloadOf(value: unknown, fail: () => never): unknown {
  if (value === null || value === undefined || value === '') return {};
  if (typeof value !== 'string') return fail();
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}
