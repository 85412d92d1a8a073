// A hand-made deployment history of acme/shop's production environment, used by the DORA tests, the
// GitHub store tests and the CLI tests. The expected figures are worked out by hand in
// `EXPECTED_DORA` below; change one and the other together.
import {
  createDeploymentRecord,
  createPayload,
  type StoreState,
  type StoredDeployment,
} from '@shiftgate/core';

export const FIXTURE_REPO = 'acme/shop';
export const FIXTURE_ENVIRONMENT = 'production';
/** "Now" for the fixture: the end of the DORA window. */
export const FIXTURE_NOW = Date.parse('2026-01-31T00:00:00Z');
/** A 30-day window: 2026-01-01T00:00Z to 2026-01-31T00:00Z. */
export const FIXTURE_WINDOW_MS = 30 * 86_400_000;

export interface FixtureDeployment {
  version: string;
  sha: string;
  commitAt: string;
  startedAt: string;
  statuses: { state: StoreState; at: string; description: string }[];
}

const sha = (n: number) => `${String(n).repeat(7)}${'0'.repeat(33)}`.slice(0, 40);

/**
 * Oldest first. GitHub's `auto_inactive` adds an `inactive` status to the previous success whenever a
 * new success is written; those are included, as GitHub would show them.
 */
export const FIXTURE: FixtureDeployment[] = [
  {
    version: 'v1.0.0',
    sha: sha(1),
    commitAt: '2025-12-20T09:00:00Z',
    startedAt: '2025-12-20T10:00:00Z',
    statuses: [
      { state: 'in_progress', at: '2025-12-20T10:00:01Z', description: 'Deploying' },
      { state: 'success', at: '2025-12-20T10:20:00Z', description: 'Deployed' },
      { state: 'inactive', at: '2026-01-05T09:15:00Z', description: '' },
    ],
  },
  {
    version: 'v1.1.0',
    sha: sha(2),
    commitAt: '2026-01-05T08:00:00Z',
    startedAt: '2026-01-05T09:00:00Z',
    statuses: [
      { state: 'in_progress', at: '2026-01-05T09:00:01Z', description: 'Deploying' },
      { state: 'success', at: '2026-01-05T09:15:00Z', description: 'Deployed' },
      { state: 'inactive', at: '2026-01-10T15:50:00Z', description: '' },
    ],
  },
  {
    version: 'v1.2.0',
    sha: sha(3),
    commitAt: '2026-01-10T12:00:00Z',
    startedAt: '2026-01-10T13:00:00Z',
    statuses: [
      { state: 'in_progress', at: '2026-01-10T13:00:01Z', description: 'Deploying' },
      { state: 'failure', at: '2026-01-10T13:10:00Z', description: 'p99 612ms > max-p99-latency 500ms' },
    ],
  },
  {
    version: 'v1.2.1',
    sha: sha(4),
    commitAt: '2026-01-10T13:30:00Z',
    startedAt: '2026-01-10T14:00:00Z',
    statuses: [
      { state: 'in_progress', at: '2026-01-10T14:00:01Z', description: 'Deploying' },
      {
        state: 'inactive',
        at: '2026-01-10T14:25:00Z',
        description: 'Rolled back: error rate 3.2% > max-error-rate 1%',
      },
    ],
  },
  {
    version: 'v1.2.2',
    sha: sha(5),
    commitAt: '2026-01-10T15:00:00Z',
    startedAt: '2026-01-10T15:30:00Z',
    statuses: [
      { state: 'in_progress', at: '2026-01-10T15:30:01Z', description: 'Deploying' },
      { state: 'success', at: '2026-01-10T15:50:00Z', description: 'Deployed' },
      { state: 'inactive', at: '2026-01-20T10:30:00Z', description: '' },
    ],
  },
  {
    version: 'v1.3.0',
    sha: sha(6),
    commitAt: '2026-01-20T09:00:00Z',
    startedAt: '2026-01-20T10:00:00Z',
    statuses: [
      { state: 'in_progress', at: '2026-01-20T10:00:01Z', description: 'Deploying' },
      { state: 'success', at: '2026-01-20T10:30:00Z', description: 'Deployed' },
      { state: 'inactive', at: '2026-01-25T18:12:00Z', description: '' },
    ],
  },
  {
    version: 'v1.4.0',
    sha: sha(7),
    commitAt: '2026-01-25T16:00:00Z',
    startedAt: '2026-01-25T17:00:00Z',
    statuses: [
      { state: 'in_progress', at: '2026-01-25T17:00:01Z', description: 'Deploying' },
      {
        state: 'inactive',
        at: '2026-01-25T17:20:00Z',
        description: 'Rolled back: canary 5xx 4.1% > max-error-rate 1%',
      },
    ],
  },
  {
    version: 'v1.4.1',
    sha: sha(8),
    commitAt: '2026-01-25T17:40:00Z',
    startedAt: '2026-01-25T18:00:00Z',
    statuses: [
      { state: 'in_progress', at: '2026-01-25T18:00:01Z', description: 'Deploying' },
      { state: 'success', at: '2026-01-25T18:12:00Z', description: 'Deployed' },
    ],
  },
  {
    version: 'v1.5.0',
    sha: sha(9),
    commitAt: '2026-01-30T11:00:00Z',
    startedAt: '2026-01-30T12:00:00Z',
    statuses: [{ state: 'in_progress', at: '2026-01-30T12:00:01Z', description: 'Deploying' }],
  },
];

/**
 * Worked by hand over the window (deployments started 2026-01-01 to 2026-01-31; v1.0.0 is before it):
 * - 8 deployments: succeeded v1.1.0, v1.2.2, v1.3.0, v1.4.1 (4); failed v1.2.0 (1); rolled back
 *   v1.2.1, v1.4.0 (2); in progress v1.5.0 (1).
 * - frequency 4 / 30 days = 0.133 per day (0.93 per week).
 * - change failure rate (1 + 2) / 7 finished = 42.86%.
 * - time to restore: incident 1 from v1.2.0 failing (13:10) to v1.2.2 succeeding (15:50) = 2h40m;
 *   incident 2 from v1.4.0 rolled back (17:20) to v1.4.1 (18:12) = 52m; median (160 + 52) / 2 = 106m.
 * - lead time: v1.1.0 1h15m, v1.2.2 50m, v1.3.0 1h30m, v1.4.1 32m; median (50 + 75) / 2 = 62.5m.
 */
export const EXPECTED_DORA = {
  deployments: 8,
  succeeded: 4,
  failed: 1,
  'rolled-back': 2,
  unfinished: 1,
  'deployment-frequency': 0.133,
  'change-failure-rate': 42.86,
  'time-to-restore-ms': 106 * 60_000,
  'restored-incidents': 2,
  'open-incidents': 0,
  'lead-time-ms': 62.5 * 60_000,
  'lead-time-samples': 4,
  'window-days': 30,
};

/** The payload shiftgate would have stored for a fixture deployment. */
export function fixturePayload(d: FixtureDeployment, index: number) {
  const record = createDeploymentRecord({
    id: `00000000-0000-4000-8000-${String(index + 1).padStart(12, '0')}`,
    version: d.version,
    environment: FIXTURE_ENVIRONMENT,
    strategy: 'canary',
    ref: d.sha,
    startedAt: Date.parse(d.startedAt),
  });
  return createPayload(record, null);
}

/** The fixture as the store port returns it, newest first (ids from 1001). */
export function fixtureStored(): StoredDeployment[] {
  let statusId = 5001;
  return FIXTURE.map((d, index) => ({
    id: 1001 + index,
    sha: d.sha,
    ref: d.sha,
    environment: FIXTURE_ENVIRONMENT,
    description: `Deploy ${d.version}`,
    createdAt: Date.parse(d.startedAt),
    payload: fixturePayload(d, index),
    productionEnvironment: true,
    transientEnvironment: false,
    statuses: d.statuses.map((s) => ({
      id: statusId++,
      state: s.state,
      description: s.description,
      createdAt: Date.parse(s.at),
      logUrl: 'https://github.com/acme/shop/actions/runs/1',
      environmentUrl: '',
    })),
  })).reverse();
}
