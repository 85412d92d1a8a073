import { getOctokit } from '@actions/github';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitHubServer } from '../support/github-server';

describe('GitHubServer (loopback GitHub REST fake)', () => {
  let server: GitHubServer;
  beforeEach(async () => {
    server = await GitHubServer.start({ token: 't0ken' });
  });
  afterEach(async () => {
    await server.close();
  });

  it('answers collaborator permission with permission and role_name', async () => {
    server.setPermission('acme/shop', 'octocat', 'maintain');
    const octokit = getOctokit('t0ken', { baseUrl: server.url });
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({
      owner: 'acme',
      repo: 'shop',
      username: 'octocat',
    });
    expect(data.permission).toBe('write');
    expect(data.role_name).toBe('maintain');
    expect(data.user?.login).toBe('octocat');
  });

  it('answers 404 for a user with no role and 401 for a wrong token', async () => {
    const octokit = getOctokit('t0ken', { baseUrl: server.url });
    await expect(
      octokit.rest.repos.getCollaboratorPermissionLevel({ owner: 'acme', repo: 'shop', username: 'nobody' }),
    ).rejects.toMatchObject({ status: 404 });
    const wrong = getOctokit('other', { baseUrl: server.url });
    await expect(
      wrong.rest.repos.getCollaboratorPermissionLevel({ owner: 'acme', repo: 'shop', username: 'nobody' }),
    ).rejects.toMatchObject({ status: 401 });
  });
});

describe('GitHubServer POST /graphql', () => {
  let server: GitHubServer;
  beforeEach(async () => {
    server = await GitHubServer.start({ token: 't0ken' });
    for (let i = 0; i < 3; i++) {
      server.seedDeployment({ environment: 'production', created_at: `2026-01-0${i + 1}T00:00:00Z` });
    }
  });
  afterEach(async () => {
    await server.close();
  });
  const post = async (body: unknown) => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { authorization: 'Bearer t0ken', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('answers an operation it does not model with errors', async () => {
    const answer = await post({ query: 'query Other { viewer { login } }' });
    expect(answer).toEqual({
      status: 200,
      body: { errors: [{ message: "The fake GitHub server does not answer the operation 'Other'" }] },
    });
  });

  it('refuses a field GitHub’s schema does not have, with a 200 and errors', async () => {
    const answer = await post({
      query:
        'query ShiftgateDashboardDeployments { repository(owner: "acme", name: "shop") { deployments(first: 1) { nodes { sha } } } }',
    });
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toEqual([
      expect.objectContaining({ message: 'Cannot query field "sha" on type "Deployment".' }),
    ]);
  });

  it('pages with opaque cursors, newest first, and refuses more than 100', async () => {
    const query = `query ShiftgateDashboardDeployments($first: Int!, $cursor: String) {
      repository(owner: "acme", name: "shop") {
        deployments(first: $first, after: $cursor, orderBy: {field: CREATED_AT, direction: DESC}) {
          pageInfo { hasNextPage endCursor } nodes { databaseId }
        }
      }
    }`;
    type Page = {
      data: {
        repository: {
          deployments: {
            pageInfo: { hasNextPage: boolean; endCursor: string };
            nodes: { databaseId: number }[];
          };
        };
      };
    };
    const first = (await post({ query, variables: { first: 2 } })).body as unknown as Page;
    expect(first.data.repository.deployments.nodes).toEqual([{ databaseId: 1003 }, { databaseId: 1002 }]);
    expect(first.data.repository.deployments.pageInfo.hasNextPage).toBe(true);
    const cursor = first.data.repository.deployments.pageInfo.endCursor;
    const second = (await post({ query, variables: { first: 2, cursor } })).body as unknown as Page;
    expect(second.data.repository.deployments.nodes).toEqual([{ databaseId: 1001 }]);
    expect(second.data.repository.deployments.pageInfo.hasNextPage).toBe(false);
    const tooMany = await post({ query, variables: { first: 101 } });
    expect(tooMany.body.errors).toEqual([
      expect.objectContaining({
        message:
          'Requesting 101 records on the `deployments` connection exceeds the `first` limit of 100 records.',
        path: ['repository', 'deployments'],
      }),
    ]);
  });
});
