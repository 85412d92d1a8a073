// fetchDashboard against the loopback GitHub server: deployments through GraphQL (the same deployments
// REST gives, far fewer requests), the last good version beyond the window, and who approved read at
// build time for records that do not say.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createDeploymentRecord,
  createPayload,
  DAY_MS,
  type DeploymentView,
  type StoredDeployment,
} from '@shiftgate/core';
import {
  DashboardDeploymentReader,
  fetchDashboard,
  GitHubApiError,
  LAST_GOOD_BOUND,
  MAX_APPROVAL_REST_CALLS,
  MAX_APPROVAL_RUNS,
  runIdFromLogUrl,
} from '@shiftgate/github';
import { seedDashboardFixture } from '../browser/dashboard-fixture';
import { FIXTURE_NOW, FIXTURE_WINDOW_MS } from '../core/records-fixture';
import { GitHubServer } from '../support/github-server';
import { memoryLog, storeFor } from './helpers';

let server: GitHubServer;
beforeEach(async () => {
  server = await GitHubServer.start({ token: 'test-token' });
});
afterEach(() => server.close());

const NOW = Date.parse('2026-03-31T00:00:00Z');
const RUN = (n: number) => `https://github.com/acme/shop/actions/runs/${n}`;
const graphql = () => server.requests.filter((r) => r.path === '/graphql');
const rest = () => server.requests.filter((r) => r.path !== '/graphql');

function payload(version: string, environment: string, approvals?: null) {
  const record = createDeploymentRecord({
    id: '00000000-0000-4000-8000-000000000001',
    version,
    environment,
    strategy: 'canary',
    ref: 'main',
    startedAt: NOW - DAY_MS,
    ...(approvals === null ? { approvals: null } : {}),
  });
  return createPayload(record, null);
}

/** `count` deployments to `environment`, one an hour back from `newest`, each with two statuses. */
function seedMany(
  count: number,
  options: { environment?: string; newest?: number; state?: 'success' | 'failure' } = {},
) {
  const newest = options.newest ?? NOW - 3_600_000;
  for (let i = count - 1; i >= 0; i--) {
    const at = newest - i * 3_600_000;
    server.seedDeployment({
      environment: options.environment ?? 'production',
      ref: 'main',
      created_at: new Date(at).toISOString(),
      statuses: [
        { state: 'in_progress', created_at: new Date(at + 1000).toISOString(), log_url: RUN(100 + i) },
        { state: options.state ?? 'success', created_at: new Date(at + 60_000).toISOString() },
      ],
    });
  }
}

const read = (overrides: Partial<Parameters<typeof fetchDashboard>[1]> = {}, logger = memoryLog()) =>
  fetchDashboard(storeFor(server, { logger }).store, {
    repository: 'acme/shop',
    environments: null,
    sinceMs: 90 * DAY_MS,
    now: NOW,
    limit: 1000,
    logger,
    ...overrides,
  });

/** What the REST store reads for the same window, statuses ordered as the model sees them. */
const comparable = (d: StoredDeployment) => ({
  ...d,
  productionEnvironment: false,
  transientEnvironment: false,
  statuses: d.statuses.map(({ id: _id, ...s }) => s),
});

describe('fetchDashboard reads deployments through GraphQL', () => {
  it('reads the same deployments, statuses and commit times as the REST store, in one request', async () => {
    seedDashboardFixture(server);
    const { store } = storeFor(server);
    const viaRest = await store.listDeployments({
      environment: null,
      limit: 1000,
      createdAfter: FIXTURE_NOW - FIXTURE_WINDOW_MS,
    });
    server.requests.length = 0;
    const dashboard = await read({ now: FIXTURE_NOW, sinceMs: FIXTURE_WINDOW_MS });
    const shown = dashboard.environments.flatMap((e) => e.deployments.map((v) => v.entry['deployment-id']));
    expect(shown.sort()).toEqual(viaRest.map((d) => d.id).sort());
    // The rich production deployment, field by field, as REST has it.
    const rich = dashboard.environments[0]!.deployments.find((v) => v.entry['deployment-id'] === 1007)!;
    expect(rich.record?.version).toBe('v1.4.0');
    expect(rich.entry.status).toBe('rolled_back');
    expect(rich.entry['commit-at']).toBe(Date.parse('2026-01-25T16:00:00Z'));
    // One GraphQL request for the 12 deployments (1 page), one for uat's last good version beyond the
    // window, one for who approved the runs of the records that do not say, and no REST request at all.
    expect(graphql().map((r) => (r.body as { operationName: string }).operationName)).toEqual([
      'ShiftgateDashboardDeployments',
      'ShiftgateDashboardDeployments',
      'ShiftgateDashboardApprovals',
    ]);
    expect(rest()).toEqual([]);
  });

  it('maps a GraphQL page to the StoredDeployment REST gives: ref, payload, states, statuses oldest first', async () => {
    seedDashboardFixture(server);
    const { store } = storeFor(server);
    const viaRest = await store.listDeployments({ environment: 'production', limit: 1000 });
    const reader = new DashboardDeploymentReader(store);
    const page = await reader.page(['production'], null);
    expect(page.deployments.map(comparable)).toEqual(viaRest.map(comparable));
    expect(page.next).toBeNull();
  });

  it('pages 250 deployments with cursors and stops at the window', async () => {
    seedMany(250);
    const dashboard = await read({ sinceMs: 200 * 3_600_000 });
    expect(dashboard.environments[0]!.deployments).toHaveLength(200);
    expect(graphql()).toHaveLength(3);
    expect(
      graphql().map((r) => (r.body as { variables: { cursor: unknown } }).variables.cursor === null),
    ).toEqual([true, false, false]);
    expect(rest()).toEqual([]);
  });

  it('stops at the limit', async () => {
    seedMany(250);
    const dashboard = await read({ limit: 120 });
    expect(dashboard.environments[0]!.deployments).toHaveLength(120);
    expect(graphql()).toHaveLength(2);
  });

  it('reads the statuses of a deployment with more than 100 over REST', async () => {
    const d = server.seedDeployment({
      environment: 'production',
      created_at: new Date(NOW - DAY_MS).toISOString(),
      statuses: Array.from({ length: 104 }, (_, i) => ({
        state: i === 103 ? ('success' as const) : ('in_progress' as const),
        created_at: new Date(NOW - DAY_MS + (i + 1) * 1000).toISOString(),
      })),
    });
    const dashboard = await read();
    expect(dashboard.environments[0]!.deployments[0]!.entry.status).toBe('succeeded');
    expect(rest().map((r) => r.path)).toEqual([
      `/repos/acme/shop/deployments/${d.id}/statuses`,
      `/repos/acme/shop/deployments/${d.id}/statuses`,
    ]);
  });

  it('treats a payload that is not JSON as another tool’s deployment', async () => {
    server.seedDeployment({
      environment: 'production',
      payload: '{"record": not json',
      created_at: new Date(NOW - DAY_MS).toISOString(),
      statuses: [{ state: 'success', created_at: new Date(NOW - DAY_MS + 60_000).toISOString() }],
    });
    const view = (await read()).environments[0]!.deployments[0]!;
    expect(view.record).toBeNull();
    expect(view.payloadProblem).toBeNull();
    expect(view.entry.shiftgate).toBe(false);
  });

  it('maps GraphQL’s upper-case states, WAITING as pending', async () => {
    server.seedDeployment({
      environment: 'production',
      created_at: new Date(NOW - DAY_MS).toISOString(),
      statuses: [{ state: 'waiting' as never, created_at: new Date(NOW - DAY_MS + 1000).toISOString() }],
    });
    seedMany(1, { state: 'failure', newest: NOW - 2 * DAY_MS });
    const [waiting, failed] = (await read()).environments[0]!.deployments;
    expect(waiting!.entry.status).toBe('pending');
    expect(failed!.entry.status).toBe('failed');
  });

  it('names the repository and the permission when GitHub finds no repository', async () => {
    const { store } = storeFor(server, { repository: 'acme/nope' });
    const error = await fetchDashboard(store, {
      repository: 'acme/nope',
      environments: null,
      sinceMs: DAY_MS,
      now: NOW,
      limit: 10,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as GitHubApiError).kind).toBe('not-found');
    expect((error as Error).message).toBe(
      "Listing deployments of acme/nope (GraphQL) failed: not found (GitHub's GraphQL API answered: NOT_FOUND: Could not resolve to a Repository with the name 'acme/nope'.). Check the repository, and that the token can read it ('deployments: read').",
    );
  });

  it('names the permission when the token may not read deployments', async () => {
    seedMany(1);
    server.permissions.deployments = 'none';
    const error = (await read().catch((e: unknown) => e)) as GitHubApiError;
    expect(error.kind).toBe('permission');
    expect(error.message).toContain(
      "Listing deployments of acme/shop (GraphQL) was refused (GitHub's GraphQL API answered: FORBIDDEN: Resource not accessible by integration). The token needs 'deployments: read'",
    );
  });

  it('says the GraphQL rate limit is spent when GitHub answers RATE_LIMITED', async () => {
    seedMany(1);
    server.fault({
      method: 'POST',
      path: '/graphql',
      times: Infinity,
      respond: {
        status: 200,
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-resource': 'graphql' },
        body: {
          data: null,
          errors: [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded for installation ID 1.' }],
        },
      },
    });
    const error = (await read().catch((e: unknown) => e)) as GitHubApiError;
    expect(error.kind).toBe('rate-limit');
    expect(error.message).toBe(
      "Listing deployments of acme/shop (GraphQL) failed: this token's GraphQL rate limit (points per hour) is used up (GitHub's GraphQL API answered: RATE_LIMITED: API rate limit exceeded for installation ID 1.). Re-run the job after the hour.",
    );
  });

  it('builds without lead time, with one warning, when the token may not read commits', async () => {
    seedMany(3);
    server.permissions.contents = 'none';
    const log = memoryLog();
    const dashboard = await read({}, log);
    expect(dashboard.environments[0]!.deployments).toHaveLength(3);
    expect(dashboard.environments[0]!.dora['lead-time-samples']).toBe(0);
    expect(log.lines.filter((l) => l.startsWith('warning:'))).toEqual([
      expect.stringMatching(
        /^warning: Lead time leaves out commits whose time could not be read: Reading the commits of acme\/shop was refused .*'contents: read'/s,
      ),
    ]);
  });
});

describe('the last good version beyond the window', () => {
  it('pages older deployments of an environment with no success in the window, for the last good version only', async () => {
    seedMany(150, { newest: NOW - 40 * DAY_MS, environment: 'production' }); // successes, before the window
    seedMany(5, { state: 'failure', newest: NOW - DAY_MS });
    for (const environments of [null, ['production']]) {
      server.requests.length = 0;
      const env = (await read({ sinceMs: 30 * DAY_MS, environments })).environments[0]!;
      expect(env.deployments).toHaveLength(5);
      expect(env.dora.deployments).toBe(5);
      expect(env.dora.succeeded).toBe(0);
      expect(env.lastGood?.['deployment-id']).toBe(1150);
      expect(env.lastGoodBeforeWindow).toBe(true);
      expect(env.lastGoodSearched).toBeNull();
      expect(graphql().length).toBeLessThanOrEqual(2);
    }
  });

  it('passes over an older success whose values do not validate', async () => {
    seedMany(1, { newest: NOW - 50 * DAY_MS });
    server.seedDeployment({
      environment: 'production',
      ref: 'bad ref with spaces',
      created_at: new Date(NOW - 40 * DAY_MS).toISOString(),
      statuses: [{ state: 'success', created_at: new Date(NOW - 40 * DAY_MS + 60_000).toISOString() }],
    });
    seedMany(2, { state: 'failure', newest: NOW - DAY_MS });
    const env = (await read({ sinceMs: 30 * DAY_MS })).environments[0]!;
    expect(env.lastGood?.['deployment-id']).toBe(1001);
  });

  it(`stops after ${LAST_GOOD_BOUND} older deployments and says so`, async () => {
    seedMany(LAST_GOOD_BOUND + 10, { state: 'failure', newest: NOW - 40 * DAY_MS });
    seedMany(3, { state: 'failure', newest: NOW - DAY_MS });
    const env = (await read({ sinceMs: 30 * DAY_MS, environments: ['production'] })).environments[0]!;
    expect(env.lastGood).toBeNull();
    expect(env.lastGoodSearched).toBe(LAST_GOOD_BOUND + 3);
    expect(graphql()).toHaveLength(11);
  }, 20_000);

  it('says none when every deployment was looked at', async () => {
    seedMany(3, { state: 'failure', newest: NOW - 40 * DAY_MS });
    seedMany(2, { state: 'failure', newest: NOW - DAY_MS });
    const env = (await read({ sinceMs: 30 * DAY_MS, environments: ['production'] })).environments[0]!;
    expect(env.lastGood).toBeNull();
    expect(env.lastGoodSearched).toBeNull();
  });
});

describe('who approved, read at build time', () => {
  function seedRecorded(approvals: 'absent' | 'null' | 'recorded', logUrl: string, at = NOW - DAY_MS) {
    return server.seedDeployment({
      environment: 'production',
      created_at: new Date(at).toISOString(),
      payload:
        approvals === 'recorded'
          ? createPayload(
              createDeploymentRecord({
                id: '00000000-0000-4000-8000-000000000002',
                version: 'v9.0.0',
                environment: 'production',
                strategy: 'canary',
                ref: 'main',
                startedAt: at,
                approvals: [],
              }),
              null,
            )
          : payload('v1.0.0', 'production', approvals === 'null' ? null : undefined),
      statuses: [
        { state: 'in_progress', created_at: new Date(at + 1000).toISOString(), log_url: logUrl },
        { state: 'success', created_at: new Date(at + 60_000).toISOString(), log_url: logUrl },
      ],
    });
  }

  it('reads the reviews of runs whose records hold null or lack approvals, through the one filter', async () => {
    const a = seedRecorded('null', `${RUN(41)}/job/7`);
    const b = seedRecorded('absent', `${RUN(42)}/attempts/2`, NOW - 2 * DAY_MS);
    const c = seedRecorded('recorded', RUN(43), NOW - 3 * DAY_MS);
    server.setRunApprovals('acme/shop', 41, [
      {
        login: 'octo-lead',
        state: 'approved',
        environments: ['production', 'bad env!'],
        comment: 'ship\nit',
      },
      { login: 'not a login', state: 'approved', environments: ['production'] },
    ]);
    const views = (await read()).environments[0]!.deployments;
    const byId = new Map(views.map((v) => [v.entry['deployment-id'], v]));
    expect(byId.get(a.id)!.approvalsAtBuild).toEqual({
      approvals: [
        { reviewer: 'octo-lead', state: 'approved', environments: ['production'], comment: 'ship it' },
      ],
    });
    expect(byId.get(b.id)!.approvalsAtBuild).toEqual({ approvals: [] });
    expect(byId.get(c.id)!.approvalsAtBuild).toBeNull();
    const approvals = graphql().filter((r) =>
      (r.body as { query: string }).query.includes('ShiftgateDashboardApprovals'),
    );
    expect(approvals).toHaveLength(1);
    expect((approvals[0]!.body as { variables: unknown }).variables).toEqual({ u0: RUN(41), u1: RUN(42) });
    expect(rest()).toEqual([]);
  });

  it('warns once and shows approvals as unknown when the token may not read actions', async () => {
    seedRecorded('null', RUN(41));
    seedRecorded('null', RUN(42), NOW - 2 * DAY_MS);
    server.permissions.actions = 'none';
    const log = memoryLog();
    const dashboard = await read({}, log);
    const views = dashboard.environments[0]!.deployments;
    expect(views.map((v) => v.approvalsAtBuild)).toEqual([
      { approvals: null, why: 'could not be read when the dashboard was built' },
      { approvals: null, why: 'could not be read when the dashboard was built' },
    ]);
    const warnings = log.lines.filter((l) => l.startsWith('warning:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("The token needs 'actions: read'");
    expect(dashboard.approvalsNote).toContain('could not be read');
  });

  it('ignores log URLs that are not a run of this repository', async () => {
    for (const url of [
      RUN(41).replace('acme/shop', 'evil/shop'),
      `${RUN(41)}?x=1`,
      'https://example.com/acme/shop/actions/runs/41',
      '',
    ])
      seedRecorded('null', url);
    const views = (await read()).environments[0]!.deployments;
    expect(views.every((v) => v.approvalsAtBuild === null)).toBe(true);
    expect(graphql()).toHaveLength(1);
  });
});

describe('the bounds on reading who approved', () => {
  function seedNullRecords(count: number) {
    for (let i = 0; i < count; i++) {
      const at = NOW - DAY_MS - i * 60_000;
      server.seedDeployment({
        environment: 'production',
        created_at: new Date(at).toISOString(),
        payload: payload(`v1.${i}.0`, 'production', null),
        statuses: [
          { state: 'success', created_at: new Date(at + 1000).toISOString(), log_url: RUN(10_000 + i) },
        ],
      });
    }
  }
  const byId = (views: DeploymentView[]) => (id: number) =>
    views.find((v) => v.entry['deployment-id'] === id)!;
  const approvalRequests = () =>
    graphql().filter(
      (r) => (r.body as { operationName: string }).operationName === 'ShiftgateDashboardApprovals',
    );

  it(`reads the newest ${MAX_APPROVAL_RUNS} runs, 50 a request, and says so for the others`, async () => {
    seedNullRecords(MAX_APPROVAL_RUNS + 1);
    const log = memoryLog();
    const dashboard = await read({}, log);
    const views = byId(dashboard.environments[0]!.deployments);
    // Seeded newest first: 1001 is the newest, 1501 the oldest.
    expect(views(1001).approvalsAtBuild).toEqual({ approvals: [] });
    expect(views(1500).approvalsAtBuild).toEqual({ approvals: [] });
    expect(views(1501).approvalsAtBuild).toEqual({
      approvals: null,
      why: `not read: a build reads the reviews of at most ${MAX_APPROVAL_RUNS} runs`,
    });
    expect(approvalRequests()).toHaveLength(MAX_APPROVAL_RUNS / 50);
    expect(log.lines.filter((l) => l.startsWith('warning:'))).toEqual([
      `warning: Who approved was read for the newest ${MAX_APPROVAL_RUNS} of ${MAX_APPROVAL_RUNS + 1} runs whose records did not say.`,
    ]);
    expect(dashboard.approvalsNote).toContain('newest 500');
  }, 20_000);

  it(`falls back to the run approvals API for runs GraphQL does not resolve, at most ${MAX_APPROVAL_REST_CALLS} calls`, async () => {
    seedNullRecords(MAX_APPROVAL_REST_CALLS + 2);
    server.fault({
      method: 'POST',
      path: '/graphql',
      operation: 'ShiftgateDashboardApprovals',
      times: Infinity,
      respond: (request) => ({
        status: 200,
        body: {
          data: Object.fromEntries(
            Object.keys((request.body as { variables: object }).variables).map((k) => [
              `r${k.slice(1)}`,
              null,
            ]),
          ),
        },
      }),
    });
    const log = memoryLog();
    const views = byId((await read({}, log)).environments[0]!.deployments);
    expect(rest().filter((r) => r.path.endsWith('/approvals'))).toHaveLength(MAX_APPROVAL_REST_CALLS);
    expect(views(1001).approvalsAtBuild).toEqual({ approvals: [] });
    expect(views(1050).approvalsAtBuild).toEqual({ approvals: [] });
    expect(views(1052).approvalsAtBuild).toEqual({
      approvals: null,
      why: `not read: a build makes at most ${MAX_APPROVAL_REST_CALLS} calls to the run approvals API`,
    });
    expect(log.lines.filter((l) => l.startsWith('warning:'))).toEqual([
      `warning: Who approved was not read for 2 runs: a build makes at most ${MAX_APPROVAL_REST_CALLS} calls to the run approvals API.`,
    ]);
  });
});

describe('runIdFromLogUrl', () => {
  it.each([
    ['https://github.com/acme/shop/actions/runs/123', 123],
    ['https://github.com/Acme/Shop/actions/runs/123/job/456', 123],
    ['https://github.com/acme/shop/actions/runs/123/attempts/2', 123],
    ['https://github.com/acme/shop/actions/runs/123/', null],
    ['https://github.com/acme/shop/actions/runs/0', null],
    ['https://github.com/acme/shop/actions/runs/123/artifacts/9', null],
    ['https://github.com/acme/other/actions/runs/123', null],
    ['https://github.com.evil.io/acme/shop/actions/runs/123', null],
    ['http://github.com/acme/shop/actions/runs/123', null],
    ['https://github.com/acme/shop/actions/runs/123#x', null],
    ['https://github.com/acme/shop/actions/runs/12345678901234567', null],
  ])('%s → %s', (url, id) => {
    expect(runIdFromLogUrl(url, 'https://github.com', 'acme/shop')).toBe(id);
  });

  it('takes the GitHub Enterprise Server host it is given', () => {
    expect(
      runIdFromLogUrl('https://ghe.acme.io/acme/shop/actions/runs/5', 'https://ghe.acme.io/', 'acme/shop'),
    ).toBe(5);
    expect(
      runIdFromLogUrl('https://github.com/acme/shop/actions/runs/5', 'https://ghe.acme.io', 'acme/shop'),
    ).toBeNull();
  });
});
