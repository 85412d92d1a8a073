// The dashboard's fixture: the hand-made production history of test/core/records-fixture (whose DORA
// figures are worked out by hand in EXPECTED_DORA) with richer records on two of its deployments, plus
// a staging environment with a rolling rollout over cells, a saga and an A/B test, and the run traces
// shiftgate would have stored for them. Served by the loopback GitHub fake.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createDeploymentRecord,
  createPayload,
  createRolloutState,
  type ApprovalRecord,
  type ChosenBy,
  type RolloutState,
  type Step,
  type StrategyName,
} from '@shiftgate/core';
import { FIXTURE, FIXTURE_ENVIRONMENT, FIXTURE_REPO, fixturePayload } from '../core/records-fixture';
import type { GitHubServer } from '../support/github-server';
import { ROOT } from '../support/runner';

/** The end of the window and its length: the records fixture's 30 days. */
export const DASHBOARD_UNTIL = '2026-01-31T00:00:00Z';
export const DASHBOARD_SINCE = '30d';
export const STAGING = 'staging';
/** An environment whose last success (v0.9.0) is older than the window: one failure in it. */
export const UAT = 'uat';
/** The production deployment (v1.3.0) whose record does not say who approved: read at build time. */
export const APPROVED_AT_BUILD_ID = 1006;
const RUN = (n: number) => `https://github.com/acme/shop/actions/runs/${n}`;

/** Deployments shown per environment (production's v1.0.0 and uat's v0.9.0 started before the window). */
export const EXPECTED_MARKS = { production: 8, staging: 3, uat: 1 };
/** The rolled-back canary with a trace, approvals and artifacts (production, v1.4.0). */
export const RICH_ID = 1007;
/** Hostile text in a stored description: it must show as text, never run. */
export const HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>';

const ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012';
const listener = (n: number) => `${ARN}:listener/app/shop/0123456789abcdef/${String(n).padStart(16, '0')}`;
const tg = (name: string) => `${ARN}:targetgroup/${name}/0123456789abcdef`;

function payloadFor(options: {
  index: number;
  version: string;
  environment: string;
  strategy: StrategyName;
  sha: string;
  startedAt: string;
  plan: Step[];
  approvals?: ApprovalRecord[] | null;
  chosenBy?: ChosenBy | null;
  cells?: RolloutState['cells'];
  artifacts?: boolean;
}) {
  const started = Date.parse(options.startedAt);
  const record = createDeploymentRecord({
    id: `00000000-0000-4000-8000-${String(options.index + 1).padStart(12, '0')}`,
    version: options.version,
    environment: options.environment,
    strategy: options.strategy,
    ref: options.sha,
    startedAt: started,
    artifacts: options.artifacts
      ? [
          {
            id: 'a'.repeat(64),
            version: options.version,
            'artifact-type': 'image',
            path: 'dist/image.tar',
            'file-hash': '3f'.repeat(32),
            'file-size': 73_400_320,
            'created-at': started,
          },
        ]
      : [],
    approvals: options.approvals ?? null,
    chosenBy: options.chosenBy ?? null,
  });
  const state = createRolloutState({
    strategy: options.strategy,
    parameters: {},
    plan: options.plan,
    environment: options.environment,
    version: options.version,
    now: new Date(started),
  });
  return createPayload(record, options.cells ? { ...state, cells: options.cells } : state);
}

const CANARY_PLAN: Step[] = [
  { kind: 'shift', weight: 5 },
  { kind: 'bake', duration: '5m', 'duration-ms': 300_000, promote: true },
  { kind: 'shift', weight: 25 },
  { kind: 'bake', duration: '5m', 'duration-ms': 300_000, promote: true },
  { kind: 'shift', weight: 100 },
];

/** Seeds the server; returns nothing. Run ids: 7001 and on. */
export function seedDashboardFixture(server: GitHubServer): void {
  FIXTURE.forEach((d, index) => {
    server.addCommit(FIXTURE_REPO, { sha: d.sha, date: d.commitAt });
    const rich = index === 6 || index === 7;
    server.seedDeployment({
      repo: FIXTURE_REPO,
      environment: FIXTURE_ENVIRONMENT,
      sha: d.sha,
      ref: d.sha,
      payload: rich
        ? payloadFor({
            index,
            version: d.version,
            environment: FIXTURE_ENVIRONMENT,
            strategy: 'canary',
            sha: d.sha,
            startedAt: d.startedAt,
            plan: CANARY_PLAN,
            approvals: [
              { reviewer: 'octo-lead', state: 'approved', environments: ['production'], comment: 'ship it' },
            ],
            chosenBy: { source: 'label', actor: 'octo-dev', label: 'deploy:canary', permission: 'write' },
            artifacts: true,
          })
        : fixturePayload(d, index),
      description: `Deploy ${d.version}`,
      created_at: d.startedAt,
      statuses: d.statuses.map((s) => ({
        state: s.state,
        created_at: s.at,
        description: s.description,
        log_url: RUN(7001 + index),
      })),
    });
  });
  const staging = [
    {
      version: 'v2.0.0',
      strategy: 'rolling' as const,
      startedAt: '2026-01-12T09:00:00Z',
      plan: [
        { kind: 'batch', batch: 1, cells: ['euw1-a'] },
        { kind: 'batch', batch: 2, cells: ['euw1-b', 'use1-a'] },
      ] as Step[],
      cells: {
        'euw1-a': cell('eu-west-1', 'eu-west-1a', 1, 1),
        'euw1-b': cell('eu-west-1', 'eu-west-1b', 2, 2),
        'use1-a': cell('us-east-1', 'us-east-1a', 2, 3),
      },
      statuses: [
        { state: 'in_progress' as const, created_at: '2026-01-12T09:00:01Z', description: 'Deploying' },
        { state: 'success' as const, created_at: '2026-01-12T09:40:00Z', description: 'Deployed' },
      ],
    },
    {
      version: 'v2.1.0',
      strategy: 'saga' as const,
      startedAt: '2026-01-18T09:00:00Z',
      plan: [
        { kind: 'service', service: 'orders', order: 1 },
        { kind: 'service', service: 'payments', order: 2 },
      ] as Step[],
      statuses: [
        { state: 'in_progress' as const, created_at: '2026-01-18T09:00:01Z', description: 'Deploying' },
        {
          state: 'inactive' as const,
          created_at: '2026-01-18T09:20:00Z',
          description: `Rolled back: payments failed ${HOSTILE}`.slice(0, 140),
        },
      ],
    },
    {
      version: 'v2.2.0',
      strategy: 'ab-testing' as const,
      startedAt: '2026-01-22T09:00:00Z',
      plan: [
        { kind: 'audience', action: 'route', audience: 'beta' },
        { kind: 'bake', duration: '30m', 'duration-ms': 1_800_000, promote: false },
        { kind: 'audience', action: 'remove', audience: 'beta' },
      ] as Step[],
      statuses: [
        { state: 'in_progress' as const, created_at: '2026-01-22T09:00:01Z', description: 'Deploying' },
        { state: 'success' as const, created_at: '2026-01-22T09:45:00Z', description: 'Deployed' },
      ],
    },
  ];
  staging.forEach((d, i) => {
    const sha = `${'abc'[i]!.repeat(7)}${'0'.repeat(33)}`;
    server.addCommit(FIXTURE_REPO, { sha, date: d.startedAt });
    server.seedDeployment({
      repo: FIXTURE_REPO,
      environment: STAGING,
      sha,
      ref: sha,
      payload: payloadFor({
        index: 20 + i,
        version: d.version,
        environment: STAGING,
        strategy: d.strategy,
        sha,
        startedAt: d.startedAt,
        plan: d.plan,
        chosenBy: { source: 'dispatch', actor: 'octo-dev' },
        approvals: [],
        ...(d.cells ? { cells: d.cells } : {}),
      }),
      created_at: d.startedAt,
      statuses: d.statuses.map((s) => ({ ...s, log_url: RUN(7101 + i) })),
    });
  });
  // uat: its last success is months before the window; the dashboard looks it up beyond the window.
  const uat = [
    { version: 'v0.9.0', at: '2025-10-01T09:00:00Z', end: '2025-10-01T09:20:00Z', state: 'success' as const },
    {
      version: 'v1.0.0-rc',
      at: '2026-01-15T09:00:00Z',
      end: '2026-01-15T09:20:00Z',
      state: 'failure' as const,
    },
  ];
  uat.forEach((d, i) => {
    const sha = `${'de'[i]!.repeat(7)}${'0'.repeat(33)}`;
    server.seedDeployment({
      repo: FIXTURE_REPO,
      environment: UAT,
      sha,
      ref: sha,
      payload: payloadFor({
        index: 30 + i,
        version: d.version,
        environment: UAT,
        strategy: 'canary',
        sha,
        startedAt: d.at,
        plan: CANARY_PLAN,
      }),
      created_at: d.at,
      statuses: [
        { state: 'in_progress', created_at: d.at, description: 'Deploying', log_url: RUN(7201 + i) },
        { state: d.state, created_at: d.end, description: d.state === 'success' ? 'Deployed' : 'Failed' },
      ],
    });
  });
  // Reviews of a run whose record did not say who approved (v1.3.0's run 7006).
  server.setRunApprovals(FIXTURE_REPO, 7006, [
    { login: 'octo-ops', state: 'approved', environments: ['production'], comment: 'after the freeze' },
  ]);
}

function cell(region: string, zone: string, wave: number, n: number) {
  return {
    region,
    zone,
    wave,
    status: 'promoted' as const,
    routes: [listener(n)],
    'stable-target-group-arn': tg(`stable-${n}`),
    'canary-target-group-arn': tg(`canary-${n}`),
    alarms: [],
    weight: 100,
  };
}

/** The run traces shiftgate stored, as files `<deployment-id>.json` in `dir`. */
export function writeFixtureTraces(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const health = JSON.parse(
    readFileSync(join(ROOT, 'test', 'fixtures', 'traces', 'v1-canary-step-regression.json'), 'utf8'),
  );
  const at = '2026-01-25T17:00:00.000Z';
  writeFileSync(
    join(dir, `${RICH_ID}.json`),
    JSON.stringify({
      strategy: 'canary',
      decision: 'rollback',
      status: 'rolled-back',
      reason: health.message,
      cancelled: false,
      'started-at': at,
      'ended-at': at,
      steps: [
        {
          index: 0,
          kind: 'shift',
          step: CANARY_PLAN[0],
          outcome: 'passed',
          'started-at': at,
          'ended-at': at,
          message: 'canary at 5%',
          weights: { stable: 95, canary: 5 },
          retries: [],
        },
        {
          index: 1,
          kind: 'bake',
          step: CANARY_PLAN[1],
          outcome: 'failed',
          'started-at': at,
          'ended-at': at,
          message: health.message,
          health,
          retries: [],
        },
      ],
      rollback: {
        to: 'stable',
        reason: 'canary 5xx 4.1% > max-error-rate 1%',
        at,
        routes: [],
        error: null,
        undo: [],
      },
    }),
  );
  // The saga (staging, second deployment: id 1011) and the A/B test (1012).
  writeFileSync(
    join(dir, '1011.json'),
    JSON.stringify({
      strategy: 'saga',
      decision: 'rollback',
      status: 'rolled-back',
      reason: 'payments failed its health check',
      cancelled: false,
      steps: [
        { index: 0, kind: 'service', outcome: 'passed', message: 'orders deployed', retries: [] },
        {
          index: 1,
          kind: 'service',
          outcome: 'failed',
          message: 'payments failed its health check',
          retries: [],
        },
      ],
      rollback: {
        to: 'stable',
        reason: 'payments failed its health check',
        at,
        routes: [],
        error: null,
        undo: [],
      },
      saga: {
        services: [
          { name: 'orders', status: 'compensated' },
          { name: 'payments', status: 'failed' },
        ],
        compensated: ['orders'],
        commands: [],
      },
    }),
  );
  writeFileSync(
    join(dir, '1012.json'),
    JSON.stringify({
      strategy: 'ab-testing',
      decision: 'promote',
      status: 'promoted',
      reason: 'B is no worse than A',
      cancelled: false,
      steps: [{ index: 0, kind: 'audience', outcome: 'passed', message: 'beta sent to B', retries: [] }],
      rollback: null,
      comparison: {
        confidence: 95,
        verdict: 'b-better',
        message: 'B error rate 0.2% vs A 0.9% (95% interval -1.1 to -0.3 points): B is better',
        metrics: [
          {
            metric: 'error-rate',
            better: 'lower',
            a: 0.9,
            b: 0.2,
            effect: -0.7,
            interval: { lower: -1.1, upper: -0.3 },
            verdict: 'b-better',
            requests: { a: 5000, b: 4800 },
          },
        ],
      },
    }),
  );
}
