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
