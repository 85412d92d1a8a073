// Runs the committed dist/record-deployment bundles (index.js and post.js) as the runner does, under
// this machine's node and node 24, with GITHUB_API_URL pointed at the loopback GitHub fake.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseDeploymentRecord } from '@shiftgate/core';
import { GitHubServer } from '../support/github-server';
import { commandMessages, inputEnv, nodeBinaries, runBundle, stepFiles } from '../support/runner';
import { DEFAULT_INPUTS, SHA } from '../actions/record-deployment/harness';

let server: GitHubServer;
beforeAll(async () => {
  server = await GitHubServer.start({ token: 'ghs_e2e' });
  server.addCommit('acme/shop', { sha: SHA, date: '2026-01-01T00:00:00Z', refs: ['main'] });
});
afterAll(() => server.close());
beforeEach(() => {
  server.clearFaults();
  server.permissions.deployments = 'write';
});

/** One step of the job: main or post, with inputs (the runner's defaults filled in) and saved state. */
async function step(
  node: string,
  entry: 'index' | 'post',
  inputs: Record<string, string>,
  state: Record<string, string> = {},
  prepare?: (workspace: string) => void,
  extraEnv: Record<string, string> = {},
) {
  const files = stepFiles();
  prepare?.(files.dir);
  const run = await runBundle({
    action: 'record-deployment',
    entry,
    node,
    env: {
      ...files.env,
      ...inputEnv({ ...DEFAULT_INPUTS, token: 'ghs_e2e', ...inputs }),
      GITHUB_API_URL: server.url,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: '4242',
      GITHUB_SHA: SHA,
      GITHUB_REF: 'refs/heads/main',
      ...Object.fromEntries(Object.entries(state).map(([k, v]) => [`STATE_${k}`, v])),
      ...extraEnv,
    },
  });
  const result = {
    ...run,
    outputs: files.outputs(),
    saved: files.savedState(),
    summary: files.summaryText(),
    errors: commandMessages(run.stdout, 'error'),
    warnings: commandMessages(run.stdout, 'warning'),
  };
  files.cleanup();
  return result;
}

describe.each(nodeBinaries())('record-deployment bundle on $name', ({ path: node }) => {
  it('starts with artifacts, records a rollback with a notification, and the post step adds nothing', async () => {
    const start = await step(
      node,
      'index',
      {
        environment: 'production',
        version: 'v2.0.0',
        strategy: 'canary',
        artifacts: 'bundle=build/app-*.zip',
        'environment-url': 'https://shop.example.com',
      },
      {},
      (workspace) => {
        mkdirSync(join(workspace, 'build'));
        writeFileSync(join(workspace, 'build', 'app-2.0.0.zip'), 'zip bytes');
      },
    );
    expect(start.stderr).toBe('');
    expect(start.errors).toEqual([]);
    expect(start.code).toBe(0);
    const id = Number(start.outputs['deployment-id']);
    expect(start.saved).toEqual({ 'deployment-id': String(id) });
    const record = parseDeploymentRecord('record', start.outputs.record!);
    expect(record.artifacts).toEqual([
      expect.objectContaining({
        'artifact-type': 'bundle',
        path: 'build/app-2.0.0.zip',
        'file-hash': createHash('sha256').update('zip bytes').digest('hex'),
        'file-size': 9,
      }),
    ]);
    expect(server.statuses(id)).toEqual([
      expect.objectContaining({
        state: 'in_progress',
        log_url: 'https://github.com/acme/shop/actions/runs/4242',
        environment_url: 'https://shop.example.com',
      }),
    ]);

    const rolled = await step(node, 'index', {
      'deployment-id': String(id),
      status: 'rolled_back',
      description: 'canary 5xx 4.1% > max-error-rate 1%',
      'slack-webhook-url': server.webhookUrl('slack'),
    });
    expect(rolled.code).toBe(0);
    expect(rolled.summary).toContain('⏪ rolled back');
    expect(rolled.warnings).toEqual([]);
    const slack = server.webhooks.at(-1)!;
    expect(slack.body).toEqual({
      text: expect.stringMatching(
        new RegExp(
          `^:rewind: acme/shop v2\\.0\\.0 to production rolled back after \\S+.* \\(canary, deployment ${id}\\): canary 5xx 4\\.1% &gt; max-error-rate 1% <https://github\\.com/acme/shop/actions/runs/4242\\|run>$`,
        ),
      ),
    });
    // The webhook URL is a secret: masked first (the runner consumes ::add-mask::), never printed.
    const lines = rolled.stdout.split('\n');
    expect(lines).toContain(`::add-mask::${server.webhookUrl('slack')}`);
    expect(lines.filter((l) => !l.startsWith('::add-mask::')).join('\n')).not.toContain(
      server.webhookUrl('slack'),
    );

    const post = await step(node, 'post', { 'job-status': 'failure' }, { 'deployment-id': String(id) });
    expect(post.code).toBe(0);
    expect(post.stdout).toContain(`already ended as rolled_back`);
    expect(server.statuses(id).map((s) => s.state)).toEqual(['in_progress', 'inactive']);
  });

  it("saves the trace in the runner's temp, joining the region chain's earlier part, as the workflows use it", async () => {
    const temp = mkdtempSync(join(tmpdir(), 'shiftgate-e2e-temp-'));
    const started = await step(node, 'index', {
      environment: 'production',
      version: 'v2.1.0',
      strategy: 'rolling',
    });
    const id = started.outputs['deployment-id']!;
    const dir = join(temp, 'shiftgate-traces');
    mkdirSync(dir);
    const trace = (wave: number, decision: string) =>
      JSON.stringify({
        strategy: 'rolling',
        decision,
        reason: `${decision} after wave ${wave}`,
        steps: [{ index: wave, kind: 'shift', outcome: 'passed', message: `wave ${wave}` }],
      });
    writeFileSync(join(dir, `${id}.part-1.json`), trace(0, 'paused'));
    const done = await step(
      node,
      'index',
      { 'deployment-id': id, status: 'succeeded', trace: trace(1, 'promote'), 'trace-dir': dir },
      {},
      undefined,
      { RUNNER_TEMP: temp },
    );
    expect(done.code).toBe(0);
    expect(done.outputs['trace-file']).toBe(join(dir, `${id}.json`));
    const saved = JSON.parse(readFileSync(join(dir, `${id}.json`), 'utf8'));
    expect(saved.steps.map((s: { message: string }) => s.message)).toEqual(['wave 0', 'wave 1']);
    expect(saved.decision).toBe('promote');
    rmSync(temp, { recursive: true, force: true });
  });

  it("ends a cancelled job's deployment with error from the post step", async () => {
    const start = await step(node, 'index', { environment: 'staging', version: 'v2.0.1' });
    const id = Number(start.outputs['deployment-id']);
    const post = await step(node, 'post', { 'job-status': 'cancelled' }, start.saved);
    expect(post.code).toBe(0);
    expect(server.statuses(id).map((s) => [s.state, s.description])).toEqual([
      ['in_progress', 'Deploy v2.0.1'],
      ['error', 'The job was cancelled before recording an outcome'],
    ]);
  });

  it('says which permission to add when the token cannot write deployments, and creates nothing', async () => {
    server.withoutDeploymentsWrite();
    const before = server.deployments().length;
    const start = await step(node, 'index', { environment: 'production', version: 'v2.0.2' });
    expect(start.code).toBe(1);
    expect(start.errors).toEqual([
      'record-deployment failed: Creating a deployment of acme/shop to production was refused (GitHub answered 403 "Resource not accessible by integration"). The token needs \'deployments: write\': add it to the workflow or job, for example\n  permissions:\n    deployments: write\n(a job that sets permissions gets none it does not list, so list all it needs).',
    ]);
    expect(server.deployments()).toHaveLength(before);
    expect(start.saved).toEqual({});
  });

  it('refuses bad input before any request', async () => {
    const requests = server.requests.length;
    const start = await step(node, 'index', {
      environment: 'production',
      version: 'v2',
      status: 'done',
      'deployment-id': '7',
    });
    expect(start.code).toBe(1);
    expect(start.errors).toEqual([
      "record-deployment failed: Input 'status' must be one of in_progress, succeeded, failed, rolled_back, got 'done'",
    ]);
    expect(server.requests.length).toBe(requests);
  });
});
