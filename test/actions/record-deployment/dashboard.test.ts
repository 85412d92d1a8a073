// record-deployment's dashboard pieces: who approved and who chose, stored in the record at the start,
// and `dashboard` mode writing the site (and the daily summary) from the loopback GitHub fake.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPayload } from '@shiftgate/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedDashboardFixture, writeFixtureTraces } from '../../browser/dashboard-fixture';
import { GitHubServer } from '../../support/github-server';
import { ROOT } from '../../support/runner';
import { runStep, SHA } from './harness';

let server: GitHubServer;
let workspace: string;
beforeEach(async () => {
  server = await GitHubServer.start({ token: 'test-token' });
  server.addCommit('acme/shop', { sha: SHA, date: '2026-01-01T00:00:00Z', refs: ['main'] });
  workspace = mkdtempSync(join(tmpdir(), 'shiftgate-ws-'));
});
afterEach(async () => {
  await server.close();
  rmSync(workspace, { recursive: true, force: true });
});

const START = { environment: 'production', version: 'v3.0.0', strategy: 'canary' };

describe('record-deployment records who approved and who chose', () => {
  it('stores the run approvals and the strategy source in the record and the payload', async () => {
    // The harness runs as run 777, started by GITHUB_ACTOR.
    server.setRunApprovals('acme/shop', 777, [
      { login: 'octo-lead', state: 'approved', environments: ['production'], comment: 'ship\nit' },
      { login: 'not a login', state: 'approved', environments: ['production'] },
    ]);
    process.env.GITHUB_ACTOR = 'octo-dev';
    const result = await runStep(server, 'main', { ...START, 'strategy-source': 'label' });
    delete process.env.GITHUB_ACTOR;
    expect(result.failed).toBe(false);
    const record = JSON.parse(result.outputs.record!);
    expect(record.approvals).toEqual([
      { reviewer: 'octo-lead', state: 'approved', environments: ['production'], comment: 'ship it' },
    ]);
    expect(record['chosen-by']).toEqual({
      source: 'label',
      actor: 'octo-dev',
      label: null,
      permission: null,
    });
    const [deployment] = server.deployments();
    expect(readPayload(deployment!.id, deployment!.payload)?.record.approvals).toEqual(record.approvals);
    expect(server.requests.some((r) => r.path === '/repos/acme/shop/actions/runs/777/approvals')).toBe(true);
  });

  it("stores select-strategy's chosen-by output: the label and its checked adder, not the run's actor", async () => {
    process.env.GITHUB_ACTOR = 'octo-merger';
    const chosen = { source: 'label', actor: 'octo-dev', label: 'deploy:canary', permission: 'write' };
    const result = await runStep(server, 'main', { ...START, 'chosen-by': JSON.stringify(chosen) });
    delete process.env.GITHUB_ACTOR;
    expect(result.failed).toBe(false);
    expect(JSON.parse(result.outputs.record!)['chosen-by']).toEqual(chosen);
    const [deployment] = server.deployments();
    expect(readPayload(deployment!.id, deployment!.payload)?.record['chosen-by']).toEqual(chosen);
  });

  it.each([
    [
      'not JSON',
      '{source: label}',
      /Input 'chosen-by' is not select-strategy's chosen-by output: it is not JSON/,
    ],
    ['an unknown source', '{"source":"vibes","actor":null}', /'source' must be one of input, dispatch/],
    ['a bad login', '{"source":"dispatch","actor":"a b"}', /'actor' must be null or a GitHub login/],
    ['an extra key', '{"source":"dispatch","actor":null,"run":"rm -rf /"}', /unknown key 'run'/],
    [
      'a label for a dispatch',
      '{"source":"dispatch","actor":null,"label":"deploy:canary"}',
      /'label' must be null unless/,
    ],
    [
      'a label with a newline',
      '{"source":"label","actor":null,"label":"deploy:\\ncanary"}',
      /'label' must be null or text/,
    ],
  ])('refuses a chosen-by input with %s before any deployment is created', async (_what, value, message) => {
    const result = await runStep(server, 'main', { ...START, 'chosen-by': value });
    expect(result.failed).toBe(true);
    expect(result.errors.join('\n')).toMatch(message);
    expect(server.deployments()).toEqual([]);
  });

  it('refuses a strategy-source that disagrees with chosen-by', async () => {
    const chosen = JSON.stringify({
      source: 'label',
      actor: 'octo-dev',
      label: 'deploy:canary',
      permission: 'write',
    });
    const result = await runStep(server, 'main', {
      ...START,
      'chosen-by': chosen,
      'strategy-source': 'dispatch',
    });
    expect(result.failed).toBe(true);
    expect(result.errors.join('\n')).toMatch(
      /Input 'strategy-source' \('dispatch'\) disagrees with input 'chosen-by' \(source 'label'\)/,
    );
    expect(server.deployments()).toEqual([]);
  });

  it('starts the deployment when the token may not read approvals, saying so in the log, with approvals unknown', async () => {
    server.fault({
      path: '/repos/acme/shop/actions/runs/777/approvals',
      times: Infinity,
      respond: { status: 403, body: { message: 'Resource not accessible by integration' } },
    });
    const result = await runStep(server, 'main', START);
    expect(result.failed).toBe(false);
    expect(JSON.parse(result.outputs.record!).approvals).toBeNull();
    expect(result.warnings).toEqual([]);
    expect(result.stdout).toMatch(
      /Reading who approved the environment for run 777 of acme\/shop was refused.*actions: read.*as unknown/s,
    );
    expect(server.deployments()).toHaveLength(1);
  });
});

describe('record-deployment dashboard mode', () => {
  it('writes the site inside the workspace and posts the daily summary', async () => {
    seedDashboardFixture(server);
    writeFixtureTraces(join(workspace, 'traces'));
    const result = await runStep(
      server,
      'main',
      {
        mode: 'dashboard',
        'dashboard-dir': 'site',
        'dashboard-since': '3650d',
        'dashboard-traces': 'traces',
        'dashboard-url': 'https://acme.github.io/shop/',
        'slack-webhook-url': `${server.url}/hooks/slack`,
      },
      { workspace },
    );
    expect(result.errors).toEqual([]);
    expect(result.failed).toBe(false);
    expect(result.outputs['dashboard-dir']).toBe(join(workspace, 'site'));
    expect(existsSync(join(workspace, 'site', 'index.html'))).toBe(true);
    expect(readFileSync(join(workspace, 'site', 'deployments', '1007.html'), 'utf8')).toContain(
      'Gate verdicts',
    );
    expect(server.writes()).toEqual([]);
    expect(server.webhooks).toHaveLength(1);
    expect((server.webhooks[0]!.body as { text: string }).text).toContain(
      '<https://acme.github.io/shop/|Open the dashboard>',
    );
    expect(result.summary).toContain('### Deployment dashboard');
  });

  it('refuses a site directory outside the workspace before reading anything', async () => {
    mkdirSync(join(workspace, 'x'));
    const result = await runStep(
      server,
      'main',
      { mode: 'dashboard', 'dashboard-dir': '../../elsewhere' },
      { workspace },
    );
    expect(result.failed).toBe(true);
    expect(result.errors.join('\n')).toContain(
      "Input 'dashboard-dir' names '../../elsewhere', which is outside the workspace",
    );
    expect(server.requests).toEqual([]);
  });
});

describe('record-deployment trace-dir', () => {
  it('saves the run trace as <deployment-id>.json in the workspace when the outcome is recorded', async () => {
    const start = await runStep(server, 'main', START, { workspace });
    const id = start.outputs['deployment-id']!;
    const trace = readFileSync(
      join(ROOT, 'test', 'fixtures', 'traces', 'v1-canary-step-regression.json'),
      'utf8',
    );
    const result = await runStep(
      server,
      'main',
      { 'deployment-id': id, status: 'rolled_back', trace, 'trace-dir': 'traces' },
      { workspace },
    );
    expect(result.errors).toEqual([]);
    expect(result.outputs['trace-file']).toBe(join(workspace, 'traces', `${id}.json`));
    expect(readFileSync(join(workspace, 'traces', `${id}.json`), 'utf8')).toBe(trace.trim());
  });

  it('refuses a trace directory outside the workspace before recording anything', async () => {
    const result = await runStep(
      server,
      'main',
      { 'deployment-id': '7', status: 'succeeded', trace: EMPTY_TRACE, 'trace-dir': '../../elsewhere' },
      { workspace },
    );
    expect(result.failed).toBe(true);
    expect(result.errors.join('\n')).toContain(
      "Input 'trace-dir' names '../../elsewhere', which is outside the workspace",
    );
    expect(server.requests).toEqual([]);
  });

  it('saves nothing without a trace, and records the outcome all the same', async () => {
    const start = await runStep(server, 'main', START, { workspace });
    const id = start.outputs['deployment-id']!;
    const result = await runStep(
      server,
      'main',
      { 'deployment-id': id, status: 'failed', 'trace-dir': 'traces' },
      { workspace },
    );
    expect(result.errors).toEqual([]);
    expect(result.outputs['trace-file']).toBeUndefined();
    expect(JSON.parse(result.outputs.record!)['deployment-status']).toBe('failed');
    expect(existsSync(join(workspace, 'traces'))).toBe(false);
  });

  it('refuses a trace directory without a status', async () => {
    const result = await runStep(server, 'main', { ...START, 'trace-dir': 'traces' }, { workspace });
    expect(result.failed).toBe(true);
    expect(result.errors.join('\n')).toContain(
      "Input 'trace-dir' ('traces') saves the run's trace when its outcome is recorded",
    );
    expect(server.requests).toEqual([]);
  });
});

const EMPTY_TRACE = '{"period": "1m", "gates": {}, "windows": []}';
