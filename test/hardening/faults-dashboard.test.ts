// The fault rows of record-deployment's `mode: dashboard` (faults.table.ts): its GraphQL listing, the
// REST statuses of a deployment with more than 100, and the GraphQL read of who approved, each under
// secondary rate limits, 5xx, a timeout and a lost response, briefly and for good; and GraphQL answers
// that are a 200 and still wrong (errors, malformed nodes).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDeploymentRecord, createPayload } from '@shiftgate/core';
import { GitHubServer } from '../support/github-server';
import { injectGitHub, type GitHubWhere } from './github-faults';
import { recordStep } from './record-step';
import { DASHBOARD_ROWS, GRAPHQL_ANSWER_ROWS, type DashboardRow } from './faults.table';

const TIMEOUT_MS = 250;
const ROW_MS = 8_000;
const RUN = (n: number) => `https://github.com/acme/shop/actions/runs/${n}`;

type Where = GitHubWhere;
const WHERE: Record<DashboardRow['call'], Where> = {
  'list dashboard deployments (GraphQL)': {
    method: 'POST',
    path: '/graphql',
    operation: 'ShiftgateDashboardDeployments',
  },
  'read statuses beyond 100 (REST)': {
    method: 'GET',
    path: /^\/repos\/acme\/shop\/deployments\/\d+\/statuses$/,
  },
  'read approvals at build time (GraphQL)': {
    method: 'POST',
    path: '/graphql',
    operation: 'ShiftgateDashboardApprovals',
  },
};

let github: GitHubServer;
let workspace: string;
beforeEach(async () => {
  github = await GitHubServer.start({ token: 'test-token' });
  workspace = mkdtempSync(join(tmpdir(), 'shiftgate-dashboard-faults-'));
  const shas = ['3333333333333333333333333333333333333333', '4444444444444444444444444444444444444444'];
  for (const [i, sha] of shas.entries()) {
    const environment = i === 0 ? 'production' : 'staging';
    const at = `2026-03-0${i + 1}T09:00:00Z`;
    github.addCommit('acme/shop', { sha, date: `2026-03-0${i + 1}T08:00:00Z` });
    // A record from the reusable workflow: who approved could not be read when it started.
    const record = createDeploymentRecord({
      id: `00000000-0000-4000-8000-00000000000${i + 1}`,
      version: `v1.${i}.0`,
      environment,
      strategy: 'canary',
      ref: sha,
      startedAt: Date.parse(at),
      approvals: null,
    });
    github.seedDeployment({
      sha,
      ref: sha,
      environment,
      payload: createPayload(record, null),
      created_at: at,
      // The staging deployment has 101 statuses: the last are read over REST.
      statuses: Array.from({ length: i === 0 ? 1 : 101 }, (_, n) => ({
        state: n === (i === 0 ? 0 : 100) ? ('success' as const) : ('in_progress' as const),
        created_at: `2026-03-0${i + 1}T09:${String(10 + Math.floor(n / 60)).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}Z`,
        log_url: RUN(50 + i),
      })),
    });
  }
  github.setRunApprovals('acme/shop', 50, [
    { login: 'octo-lead', state: 'approved', environments: ['production'] },
  ]);
});
afterEach(async () => {
  await github.close();
  rmSync(workspace, { recursive: true, force: true });
});

const build = () =>
  recordStep(
    github,
    'main',
    { mode: 'dashboard', 'dashboard-dir': 'site', 'dashboard-since': '3650d' },
    { requestTimeoutMs: TIMEOUT_MS, extra: { GITHUB_WORKSPACE: workspace } },
  );
const index = () => join(workspace, 'site', 'index.html');
const matches = (path: string | RegExp, actual: string) =>
  typeof path === 'string' ? actual === path : path.test(actual);

describe('the reads of dashboard mode under secondary rate limits, 5xx, timeout and a lost response', () => {
  it.each(DASHBOARD_ROWS.map((row) => [`${row.call}: ${row.fault}, ${row.span}`, row] as const))(
    '%s',
    async (_name, row) => {
      injectGitHub(github, WHERE[row.call], row.fault, row.span);
      const result = await build();
      const { method, path } = WHERE[row.call];
      const struck = github.requests.filter((r) => r.method === method && matches(path, r.path));
      expect(struck.length).toBeGreaterThan(row.span === 'brief' ? 1 : 0);
      if (row.span === 'brief') {
        // Retried through: the whole site, both environments, who approved read.
        expect(result.errors).toEqual([]);
        expect(result.warnings).toEqual([]);
        expect(readFileSync(index(), 'utf8')).toContain('<h2 id="env-2">staging</h2>');
        expect(readFileSync(join(workspace, 'site', 'deployments', '1001.html'), 'utf8')).toContain(
          'octo-lead',
        );
      } else if (row.call === 'read approvals at build time (GraphQL)') {
        // Who approved is informational: one warning, shown as unknown, the site is written.
        expect(result.errors).toEqual([]);
        expect(result.warnings).toHaveLength(1);
        expect(result.warnings[0]).toContain('who approved shows as unknown');
        expect(readFileSync(join(workspace, 'site', 'deployments', '1001.html'), 'utf8')).toContain(
          'could not be read when the dashboard was built',
        );
      } else {
        // Never half a dashboard: the step fails clearly and writes no site.
        expect(result.failed).toBe(true);
        expect(result.errors).toHaveLength(1);
        expect(existsSync(index())).toBe(false);
      }
      expect(github.writes()).toEqual([]);
    },
    ROW_MS,
  );
});

describe('GraphQL answers of dashboard mode that are a 200 and still wrong', () => {
  // Not GitHub's transient "Something went wrong" (the retry plugin retries that as a 500).
  const ERRORS = {
    data: null,
    errors: [
      {
        type: 'MAX_NODE_LIMIT_EXCEEDED',
        message:
          'This query requests up to 1,000,000 possible nodes which exceeds the maximum limit of 500,000.',
      },
    ],
  };
  const MALFORMED = {
    'list dashboard deployments (GraphQL)': {
      data: {
        repository: {
          deployments: {
            pageInfo: { hasNextPage: false, endCursor: null },
            nodes: [{ databaseId: 'one', commitOid: 'x', createdAt: 'yesterday', environment: 'production' }],
          },
        },
      },
    },
    'read approvals at build time (GraphQL)': {
      data: {
        r0: {
          __typename: 'WorkflowRun',
          deploymentReviews: {
            pageInfo: { hasNextPage: false },
            nodes: [
              { state: 'APPROVED', user: { login: '<img src=x>' }, environments: { nodes: [] } },
              'junk',
            ],
          },
        },
        r1: 'junk',
      },
    },
  };

  it.each(GRAPHQL_ANSWER_ROWS.map((row) => [`${row.call}: ${row.answer}`, row] as const))(
    '%s',
    async (_name, row) => {
      github.fault({
        ...WHERE[row.call],
        times: Number.POSITIVE_INFINITY,
        respond: { status: 200, body: row.answer === 'errors with 200' ? ERRORS : MALFORMED[row.call] },
      });
      const result = await build();
      if (row.call === 'list dashboard deployments (GraphQL)') {
        expect(result.failed).toBe(true);
        expect(result.errors).toHaveLength(1);
        expect(result.errors[0]).toContain(
          row.answer === 'errors with 200'
            ? "Listing deployments of acme/shop (GraphQL) failed: GitHub's GraphQL API answered: MAX_NODE_LIMIT_EXCEEDED: This query requests"
            : "Listing deployments of acme/shop (GraphQL) failed: GitHub's answer is not a deployments page (deployment 1 of the page: databaseId is not a positive whole number)",
        );
        expect(existsSync(index())).toBe(false);
      } else {
        expect(result.errors).toEqual([]);
        const production = readFileSync(join(workspace, 'site', 'deployments', '1001.html'), 'utf8');
        if (row.answer === 'errors with 200') {
          expect(result.warnings).toHaveLength(1);
          expect(production).toContain('could not be read when the dashboard was built');
        } else {
          // r0 (staging's run 51): the invalid review is left out by the one filter. r1 (production's run
          // 50) is not a WorkflowRun: read over GitHub's run approvals API instead.
          expect(result.warnings).toEqual([]);
          const staging = readFileSync(join(workspace, 'site', 'deployments', '1002.html'), 'utf8');
          expect(staging).not.toContain('<img src=x>');
          expect(staging).toContain('no review was required');
          expect(production).toContain('octo-lead (approved)');
          expect(github.requests.map((r) => r.path)).toContain('/repos/acme/shop/actions/runs/50/approvals');
        }
      }
      expect(github.writes()).toEqual([]);
    },
    ROW_MS,
  );
});
