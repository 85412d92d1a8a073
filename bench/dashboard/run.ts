// The dashboard at scale (issue 14): 5,000 deployments over 3 environments, each with the record and
// rollout state shiftgate stores, one in ten with a run trace. Prints the time to build the model and
// render every page, the time to write the site, and the overview's size (targets: < 10 s, < 1 MB).
//   npx tsx bench/dashboard/run.ts [deployments]
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildDashboard,
  createDeploymentRecord,
  createPayload,
  createRolloutState,
  renderSite,
  type StoredDeployment,
  type StoreState,
} from '@shiftgate/core';
import { writeSite } from '@shiftgate/github';
import { mulberry32 } from '@shiftgate/cli';

const COUNT = Number(process.argv[2] ?? 5_000);
const ENVIRONMENTS = ['production', 'staging', 'eu-production'];
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 3, 1);
const SINCE = 90 * DAY;
const random = mulberry32(14);
const health = JSON.parse(
  readFileSync(
    join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'traces', 'v1-canary-step-regression.json'),
    'utf8',
  ),
);

const deployments: StoredDeployment[] = [];
const commitTimes = new Map<string, number | null>();
const traces = new Map<number, unknown>();
let status = 9_000_000;
for (let i = 0; i < COUNT; i++) {
  const id = 1_000_000 + i;
  const environment = ENVIRONMENTS[i % ENVIRONMENTS.length]!;
  const started = NOW - SINCE + Math.floor((i / COUNT) * SINCE) + Math.floor(random() * 600_000);
  const sha = id.toString(16).padStart(40, '0');
  commitTimes.set(sha, started - Math.floor(random() * 3 * 3_600_000));
  const roll = random();
  const outcome: StoreState = roll < 0.8 ? 'success' : roll < 0.9 ? 'inactive' : 'failure';
  const record = createDeploymentRecord({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    version: `v1.${i}.0`,
    environment,
    strategy: 'canary',
    ref: sha,
    startedAt: started,
    approvals: [{ reviewer: 'octo-lead', state: 'approved', environments: [environment], comment: null }],
    chosenBy: { source: 'label', actor: 'octo-dev' },
  });
  const state = createRolloutState({
    strategy: 'canary',
    parameters: {},
    plan: [5, 25, 50, 100].flatMap((weight) => [
      { kind: 'shift' as const, weight },
      ...(weight < 100
        ? [{ kind: 'bake' as const, duration: '5m', 'duration-ms': 300_000, promote: true }]
        : []),
    ]),
    environment,
    version: record.version,
    now: new Date(started),
  });
  const end = started + 20 * 60_000;
  deployments.push({
    id,
    sha,
    ref: sha,
    environment,
    description: `Deploy ${record.version}`,
    createdAt: started,
    payload: createPayload(record, state),
    productionEnvironment: environment.endsWith('production'),
    transientEnvironment: false,
    statuses: [
      {
        id: status++,
        state: 'in_progress',
        description: 'Deploying',
        createdAt: started + 1000,
        logUrl: 'https://github.com/acme/shop/actions/runs/1',
        environmentUrl: '',
      },
      {
        id: status++,
        state: outcome,
        description:
          outcome === 'inactive'
            ? 'Rolled back: canary 5xx 4.1% > max-error-rate 1%'
            : outcome === 'failure'
              ? 'Failed'
              : 'Deployed',
        createdAt: end,
        logUrl: 'https://github.com/acme/shop/actions/runs/1',
        environmentUrl: '',
      },
    ],
  });
  if (i % 10 === 0) {
    traces.set(
      id,
      JSON.stringify({
        steps: [
          {
            index: 0,
            kind: 'shift',
            outcome: 'passed',
            message: 'canary at 5%',
            weights: { stable: 95, canary: 5 },
          },
          { index: 1, kind: 'bake', outcome: 'failed', message: health.message, health },
        ],
        reason: health.message,
        rollback: null,
      }),
    );
  }
}

const started = performance.now();
const dashboard = buildDashboard({
  repository: 'acme/shop',
  deployments,
  commitTimes,
  traces,
  now: NOW,
  sinceMs: SINCE,
  environments: null,
});
const modelMs = performance.now() - started;
const files = renderSite(dashboard);
const renderMs = performance.now() - started - modelMs;
const dir = mkdtempSync(join(tmpdir(), 'shiftgate-dashboard-bench-'));
const writeStarted = performance.now();
await writeSite(dir, files);
const writeMs = performance.now() - writeStarted;
const overview = statSync(join(dir, 'index.html')).size;
const total = files.reduce((n, f) => n + Buffer.byteLength(f.content), 0);
rmSync(dir, { recursive: true, force: true });
const buildMs = modelMs + renderMs + writeMs;
console.log(
  `${COUNT} deployments over ${ENVIRONMENTS.length} environments (${traces.size} with a trace), 90 days: model ${modelMs.toFixed(0)} ms, pages ${renderMs.toFixed(0)} ms, writing ${files.length} files ${writeMs.toFixed(0)} ms`,
);
console.log(`build ${(buildMs / 1000).toFixed(2)} s (target < 10 s: ${buildMs < 10_000 ? 'met' : 'MISSED'})`);
console.log(
  `overview index.html ${(overview / 1024).toFixed(0)} KiB (target < 1 MB: ${overview < 1_000_000 ? 'met' : 'MISSED'}); site ${(total / 1024 / 1024).toFixed(1)} MiB`,
);
