import { createDeploymentRecord, createPayload, type NewDeployment } from '@shiftgate/core';
import { GitHubApiError } from '@shiftgate/github';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitHubServer } from '../support/github-server';
import { memoryLog, storeFor } from './helpers';

const SHA = 'c0ffee0000000000000000000000000000000001';

function newDeployment(id = '11111111-1111-4111-8111-111111111111'): NewDeployment {
  const record = createDeploymentRecord({
    id,
    version: 'v1',
    environment: 'production',
    startedAt: Date.now(),
  });
  return {
    ref: SHA,
    environment: 'production',
    description: 'Deploy v1',
    payload: createPayload(record, null),
    productionEnvironment: null,
    transientEnvironment: false,
    matches: (d) => (d.payload as { record?: { id?: string } }).record?.id === id,
  };
}

describe('GitHubDeploymentStore', () => {
  let server: GitHubServer;
  beforeEach(async () => {
    server = await GitHubServer.start({ token: 'test-token' });
    server.addCommit('acme/shop', { sha: SHA, date: '2026-01-01T00:00:00Z', refs: ['main'] });
  });
  afterEach(async () => {
    await server.close();
  });

  it('creates a deployment without auto-merge and without required contexts', async () => {
    server.commitChecks.set(SHA, [{ context: 'this-workflow', state: 'pending' }]);
    const { store } = storeFor(server);
    const created = await store.createDeployment(newDeployment());
    expect(created).toMatchObject({ sha: SHA, environment: 'production', statuses: [] });
    const [request] = server.writes();
    expect(request!.body).toMatchObject({
      auto_merge: false,
      required_contexts: [],
      transient_environment: false,
    });
    expect(request!.body).not.toHaveProperty('production_environment');
    expect(request!.headers['user-agent']).toMatch(/^shiftgate\/0\.1\.0 \(test\)/);
  });

  it('adds statuses and reads them back oldest first', async () => {
    const { store } = storeFor(server);
    const { id } = await store.createDeployment(newDeployment());
    await store.addStatus(id, {
      state: 'in_progress',
      description: 'Deploying',
      logUrl: 'https://x/run',
      environmentUrl: 'https://shop',
      autoInactive: false,
    });
    await store.addStatus(id, {
      state: 'success',
      description: 'Deployed',
      logUrl: 'https://x/run',
      environmentUrl: 'https://shop',
      autoInactive: true,
    });
    const read = await store.getDeployment(id);
    expect(read.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(read.statuses[1]).toMatchObject({ logUrl: 'https://x/run', environmentUrl: 'https://shop' });
  });

  it('finds a deployment GitHub created although the answer was a 502, instead of creating a second', async () => {
    const log = memoryLog();
    const { store } = storeFor(server, { logger: log });
    const wanted = newDeployment();
    server.fault({
      method: 'POST',
      path: '/repos/acme/shop/deployments',
      processFirst: true,
      respond: { status: 502, body: { message: 'Server Error' } },
    });
    const created = await store.createDeployment(wanted);
    expect(server.deployments()).toHaveLength(1);
    expect(created.id).toBe(server.deployments()[0]!.id);
    expect(log.lines.join('\n')).toMatch(/created deployment \d+ anyway/);
  });

  it('tries again when a 500 left nothing behind, and gives up after three attempts', async () => {
    const { store } = storeFor(server);
    server.fault({
      method: 'POST',
      path: '/repos/acme/shop/deployments',
      times: 2,
      respond: { status: 500, body: { message: 'boom' } },
    });
    await store.createDeployment(newDeployment());
    expect(server.deployments()).toHaveLength(1);
    server.fault({
      method: 'POST',
      path: '/repos/acme/shop/deployments',
      times: 3,
      respond: { status: 503, body: { message: 'down' } },
    });
    await expect(
      store.createDeployment(newDeployment('22222222-2222-4222-8222-222222222222')),
    ).rejects.toThrow('Creating a deployment of acme/shop to production failed: GitHub answered 503 "down"');
    expect(server.deployments()).toHaveLength(1);
  });

  it('does not write a status twice when GitHub recorded it but the answer was lost', async () => {
    const log = memoryLog();
    const { store } = storeFor(server, { logger: log });
    const { id } = await store.createDeployment(newDeployment());
    server.fault({
      method: 'POST',
      path: `/repos/acme/shop/deployments/${id}/statuses`,
      processFirst: true,
      respond: { status: 0, drop: true },
    });
    const status = await store.addStatus(id, {
      state: 'success',
      description: 'Deployed',
      logUrl: '',
      environmentUrl: '',
      autoInactive: true,
    });
    expect(server.statuses(id).map((s) => s.state)).toEqual(['success']);
    expect(status.id).toBe(server.statuses(id)[0]!.id);
    expect(log.lines.join('\n')).toMatch(/GitHub had recorded it anyway/);
  });

  it('writes a status once more when the connection dropped before GitHub recorded it', async () => {
    const { store } = storeFor(server);
    const { id } = await store.createDeployment(newDeployment());
    server.fault({
      method: 'POST',
      path: `/repos/acme/shop/deployments/${id}/statuses`,
      respond: { status: 0, drop: true },
    });
    // A dropped connection before the handler ran: nothing recorded, so it is written once on retry.
    const status = await store.addStatus(id, {
      state: 'failure',
      description: 'Failed',
      logUrl: '',
      environmentUrl: '',
      autoInactive: false,
    });
    expect(server.statuses(id).map((s) => s.state)).toEqual(['failure']);
    expect(status.state).toBe('failure');
  });

  it('retries a secondary rate limit as GitHub asks, then reports it clearly', async () => {
    const log = memoryLog();
    const { store } = storeFor(server, { logger: log });
    server.secondaryRateLimit({
      method: 'POST',
      path: '/repos/acme/shop/deployments',
      times: 2,
      retryAfterSeconds: 2,
    });
    await store.createDeployment(newDeployment());
    expect(server.writes().filter((r) => r.status === 403)).toHaveLength(2);
    expect(log.lines.filter((l) => l.includes('secondary rate limit'))).toHaveLength(2);

    server.secondaryRateLimit({
      method: 'POST',
      path: '/repos/acme/shop/deployments',
      times: 10,
      status: 429,
    });
    const error = await store
      .createDeployment(newDeployment('33333333-3333-4333-8333-333333333333'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as GitHubApiError).kind).toBe('secondary-rate-limit');
    expect((error as Error).message).toMatch(
      /^Creating a deployment of acme\/shop to production was stopped by GitHub's secondary rate limit/,
    );
    expect(server.deployments()).toHaveLength(1);
  });

  it("names the permission to add when the token lacks 'deployments: write'", async () => {
    server.withoutDeploymentsWrite();
    const { store } = storeFor(server);
    await expect(store.createDeployment(newDeployment())).rejects.toThrow(
      'Creating a deployment of acme/shop to production was refused (GitHub answered 403 "Resource not accessible by integration"). The token needs \'deployments: write\': add it to the workflow or job, for example\n  permissions:\n    deployments: write\n',
    );
  });

  it('lists the newest deployments of an environment across pages, with statuses', async () => {
    for (let i = 0; i < 5; i++)
      server.seedDeployment({
        environment: 'production',
        created_at: `2026-01-0${i + 1}T00:00:00Z`,
        statuses: [{ state: 'success', created_at: `2026-01-0${i + 1}T00:10:00Z` }],
      });
    server.seedDeployment({ environment: 'staging', created_at: '2026-01-09T00:00:00Z' });
    const { store } = storeFor(server);
    const list = await store.listDeployments({ environment: 'production', limit: 3 });
    expect(list.map((d) => d.createdAt)).toEqual(
      ['2026-01-05', '2026-01-04', '2026-01-03'].map((d) => Date.parse(`${d}T00:00:00Z`)),
    );
    expect(list.every((d) => d.statuses.length === 1)).toBe(true);
  });

  it('reads commit times, and null for a commit GitHub does not know', async () => {
    const { store } = storeFor(server);
    expect(await store.commitTime(SHA)).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(await store.commitTime('f'.repeat(40))).toBeNull();
  });
});
