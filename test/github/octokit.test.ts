import { createGitHubClient, describeGitHubError } from '@shiftgate/github';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubServer } from '../support/github-server';

let server: GitHubServer;
beforeAll(async () => {
  server = await GitHubServer.start({ token: 't' });
  server.setPermission('acme/shop', 'octocat', 'write');
});
afterAll(() => server.close());

describe('createGitHubClient', () => {
  it('takes the API URL from GITHUB_API_URL and names shiftgate in the user agent', async () => {
    const client = createGitHubClient({
      token: 't',
      caller: 'unit',
      env: { GITHUB_API_URL: `${server.url}/` },
    });
    const { data } = await client.rest.repos.getCollaboratorPermissionLevel({
      owner: 'acme',
      repo: 'shop',
      username: 'octocat',
    });
    expect(data.permission).toBe('write');
    expect(server.requests.at(-1)!.headers['user-agent']).toMatch(/^shiftgate\/0\.1\.0 \(unit\)/);
  });

  it('retries server errors on reads with the retry plugin', async () => {
    const client = createGitHubClient({ token: 't', caller: 'unit', baseUrl: server.url, retryAfterMs: 1 });
    server.fault({
      method: 'GET',
      path: '/repos/acme/shop/collaborators/octocat/permission',
      times: 2,
      respond: { status: 503, body: { message: 'unavailable' } },
    });
    const before = server.requests.length;
    const { data } = await client.rest.repos.getCollaboratorPermissionLevel({
      owner: 'acme',
      repo: 'shop',
      username: 'octocat',
    });
    expect(data.role_name).toBe('write');
    expect(server.requests.length - before).toBe(3);
  });
});

describe('describeGitHubError', () => {
  const error = (status: number, message: string, headers: Record<string, string> = {}, data: unknown = {}) =>
    Object.assign(new Error(message), { status, response: { headers, data } });

  it.each([
    [
      'a missing permission, from the accepted-permissions header',
      error(
        403,
        'Resource not accessible by integration - https://docs.github.com/rest/deployments/statuses',
        { 'x-accepted-github-permissions': 'deployments=write' },
      ),
      'Recording a status was refused (GitHub answered 403 "Resource not accessible by integration"). The token needs \'deployments: write\': add it to the workflow or job, for example\n  permissions:\n    deployments: write\n(a job that sets permissions gets none it does not list, so list all it needs).',
    ],
    [
      'the primary rate limit',
      error(403, 'API rate limit exceeded', {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': '1767225600',
      }),
      'Recording a status failed: this token\'s GitHub API rate limit is used up until 2026-01-01T00:00:00.000Z (GitHub answered 403 "API rate limit exceeded"). Re-run the job after that.',
    ],
    [
      'a validation error with details',
      error(
        422,
        'Validation Failed',
        {},
        {
          errors: [{ field: 'description', message: 'description is too long (maximum is 140 characters)' }],
        },
      ),
      'Recording a status failed: GitHub answered 422 "Validation Failed" (description is too long (maximum is 140 characters))',
    ],
    [
      'no answer at all',
      Object.assign(new Error('fetch failed'), { status: 500 }),
      'Recording a status failed: fetch failed',
    ],
  ])('explains %s', (_what, thrown, message) => {
    expect(describeGitHubError(thrown, 'Recording a status', 'deployments: write').message).toBe(message);
  });
});
