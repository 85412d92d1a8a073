// Seeds the loopback GitHub fake with the hand-made production history of test/core/records-fixture.
import { FIXTURE, FIXTURE_ENVIRONMENT, FIXTURE_REPO, fixturePayload } from '../core/records-fixture';
import type { GitHubServer } from '../support/github-server';

/** Seeds the fixture (ids 1001 to 1009, oldest first) plus one staging deployment that must not show. */
export function seedFixtureHistory(server: GitHubServer): void {
  FIXTURE.forEach((d, index) => {
    server.addCommit(FIXTURE_REPO, { sha: d.sha, date: d.commitAt });
    server.seedDeployment({
      repo: FIXTURE_REPO,
      environment: FIXTURE_ENVIRONMENT,
      sha: d.sha,
      ref: d.sha,
      payload: fixturePayload(d, index),
      description: `Deploy ${d.version}`,
      created_at: d.startedAt,
      statuses: d.statuses.map((s) => ({
        state: s.state,
        created_at: s.at,
        description: s.description,
        log_url: 'https://github.com/acme/shop/actions/runs/1',
      })),
    });
  });
  server.seedDeployment({
    repo: FIXTURE_REPO,
    environment: 'staging',
    created_at: '2026-01-29T00:00:00Z',
    statuses: [{ state: 'failure', created_at: '2026-01-29T00:05:00Z', description: 'staging only' }],
  });
}
