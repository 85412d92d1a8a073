import { fetchHistory, historyDocument } from '@shiftgate/github';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedFixtureHistory } from '../cli/history-fixture';
import { EXPECTED_DORA, FIXTURE_NOW, FIXTURE_WINDOW_MS } from '../core/records-fixture';
import { GitHubServer } from '../support/github-server';
import { memoryLog, storeFor } from './helpers';

let server: GitHubServer;
beforeEach(async () => {
  server = await GitHubServer.start({ token: 'test-token' });
  seedFixtureHistory(server);
});
afterEach(() => server.close());

describe('fetchHistory', () => {
  it('reads the environment from GitHub and matches the hand-computed DORA figures', async () => {
    const { store } = storeFor(server);
    const history = await fetchHistory(store, {
      environment: 'production',
      limit: 50,
      windowMs: FIXTURE_WINDOW_MS,
      now: FIXTURE_NOW,
    });
    expect(history.entries.map((e) => e['deployment-id'])).toEqual([
      1009, 1008, 1007, 1006, 1005, 1004, 1003, 1002, 1001,
    ]);
    expect(history.dora).toMatchObject(EXPECTED_DORA);
    expect(history.lastGood).toMatchObject({ 'deployment-id': 1008, version: 'v1.4.1' });
    // Commit times are read once per successful sha, not for failures.
    const commitReads = server.requests.filter((r) => r.path.includes('/commits/'));
    expect(commitReads).toHaveLength(5);
    expect(historyDocument('acme/shop', history)).toMatchObject({
      repository: 'acme/shop',
      environment: 'production',
    });
  });

  it('leaves lead time out, with one warning, when commits cannot be read', async () => {
    server.permissions.contents = 'none';
    const log = memoryLog();
    const { store } = storeFor(server, { logger: log });
    const history = await fetchHistory(store, {
      environment: 'production',
      limit: 50,
      windowMs: FIXTURE_WINDOW_MS,
      now: FIXTURE_NOW,
      logger: log,
    });
    expect(history.dora['lead-time-ms']).toBeNull();
    expect(history.dora['change-failure-rate']).toBe(EXPECTED_DORA['change-failure-rate']);
    const warnings = log.lines.filter((l) => l.startsWith('warning:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^warning: Lead time leaves out commits whose time could not be read: Reading commit [0-9]{12} of acme\/shop was refused \(GitHub answered 403 "Resource not accessible by integration"\)\. The token needs 'contents: read'/,
    );
  });
});
