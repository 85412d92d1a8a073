import { completeRecord, createDeploymentRecord } from '@shiftgate/core';
import { notificationLine, postWebhook, runUrl } from '@shiftgate/github';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubServer } from '../support/github-server';

const START = Date.parse('2026-02-01T10:00:00Z');
const record = completeRecord(
  {
    ...createDeploymentRecord({
      id: '00000000-0000-4000-8000-000000000001',
      version: 'v1.4.0',
      environment: 'production',
      strategy: 'canary',
      startedAt: START,
    }),
    'deployment-id': 1007,
  },
  { status: 'rolled_back', at: START + 20 * 60_000, reason: 'p99 612ms > 500ms & <rising>' },
);

let server: GitHubServer;
beforeAll(async () => {
  server = await GitHubServer.start();
});
afterAll(() => server.close());

describe('notifications', () => {
  it('says what happened in one line, escaped for Slack', () => {
    expect(
      notificationLine({
        repository: 'acme/shop',
        record,
        logUrl: 'https://github.com/acme/shop/actions/runs/9',
      }),
    ).toBe(
      ':rewind: acme/shop v1.4.0 to production rolled back after 20m (canary, deployment 1007): p99 612ms &gt; 500ms &amp; &lt;rising&gt; <https://github.com/acme/shop/actions/runs/9|run>',
    );
  });

  it('posts {"text"} to the webhook', async () => {
    await postWebhook(server.webhookUrl('ops'), 'hello');
    expect(server.webhooks.at(-1)).toMatchObject({ name: 'ops', body: { text: 'hello' } });
  });

  it('throws on a refused post without quoting the URL', async () => {
    server.fault({
      method: 'POST',
      path: '/hooks/ops',
      respond: { status: 404, body: 'no_service', headers: { 'content-type': 'text/plain' } },
    });
    const error = await postWebhook(server.webhookUrl('ops'), 'hello').catch((e: Error) => e);
    expect((error as Error).message).toBe(
      'Posting the notification failed: the webhook answered 404 "no_service"',
    );
    expect((error as Error).message).not.toContain(server.url);
  });

  it('builds the run URL from the runner variables', () => {
    expect(
      runUrl({
        GITHUB_SERVER_URL: 'https://ghe.example.com/',
        GITHUB_REPOSITORY: 'acme/shop',
        GITHUB_RUN_ID: '5',
        GITHUB_RUN_ATTEMPT: '2',
      }),
    ).toBe('https://ghe.example.com/acme/shop/actions/runs/5/attempts/2');
    expect(runUrl({ GITHUB_REPOSITORY: 'acme/shop', GITHUB_RUN_ID: '5', GITHUB_RUN_ATTEMPT: '1' })).toBe(
      'https://github.com/acme/shop/actions/runs/5',
    );
    expect(runUrl({})).toBe('');
  });
});
