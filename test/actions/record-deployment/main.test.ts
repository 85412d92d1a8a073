// record-deployment in-process: every refusal before any request, and the features around a record
// (description limit, artifacts and their verification, notifications, metrics, history mode).
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import {
  buildPlan,
  createRolloutState,
  serializeRolloutState,
  type DeploymentRecord,
  type ServiceStatus,
} from '@shiftgate/core';
import { deploymentMetricData } from '@shiftgate/aws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseInputs } from '../../../actions/record-deployment/src/inputs';
import { seedFixtureHistory } from '../../cli/history-fixture';
import { GitHubServer } from '../../support/github-server';
import { DEFAULT_INPUTS, runStep, SHA } from './harness';

const named =
  (over: Record<string, string> = {}) =>
  (name: string) =>
    ({ ...DEFAULT_INPUTS, ...over })[name] ?? '';

const state = (deploymentId: number | null = null) =>
  serializeRolloutState({
    ...createRolloutState({
      strategy: 'canary',
      parameters: {},
      plan: [
        { kind: 'shift', weight: 10 },
        { kind: 'shift', weight: 100 },
      ],
      environment: 'production',
      version: 'v9',
      now: new Date('2026-02-01T00:00:00Z'),
    }),
    'deployment-id': deploymentId,
    weights: { stable: 90, canary: 10 },
  });

describe('parseInputs', () => {
  it('reads a start with its defaults', () => {
    expect(parseInputs(named({ environment: 'production', version: 'v1' }))).toMatchObject({
      mode: 'record',
      operation: 'start',
      environment: 'production',
      version: 'v1',
      ref: SHA,
      productionEnvironment: null,
      transientEnvironment: false,
      publishMetrics: false,
      historyLimit: null,
      doraWindowMs: 720 * 3_600_000,
    });
  });

  it('takes environment, version, strategy and deployment id from the state', () => {
    expect(parseInputs(named({ state: state(), strategy: '' }))).toMatchObject({
      operation: 'start',
      environment: 'production',
      version: 'v9',
      strategy: 'canary',
    });
    expect(parseInputs(named({ state: state(31), status: 'succeeded' }))).toMatchObject({
      operation: 'update',
      deploymentId: 31,
    });
  });

  it.each([
    [{ mode: 'delete' }, "Input 'mode' must be one of record, history, verify, dashboard, got 'delete'"],
    [{ version: 'v1' }, "Input 'environment' is required to start a deployment"],
    [
      { environment: 'production' },
      "Input 'version' is required to start a deployment (or a 'state' that names one): the version being deployed, such as a tag or image digest",
    ],
    [
      { environment: 'production', version: 'v1', ref: '' },
      "Input 'ref' is required to start a deployment: a branch, tag or commit sha (the default is the run's commit)",
    ],
    [
      { status: 'succeeded' },
      "Input 'deployment-id' is required to record status 'succeeded': the deployment-id output of the step that started it (or a 'state' that names it)",
    ],
    [
      { 'deployment-id': '12' },
      "Input 'status' is required with 'deployment-id' (12): one of in_progress, succeeded, failed, rolled_back. Leave 'deployment-id' empty to start a new deployment",
    ],
    [
      { 'deployment-id': '12', status: 'success' },
      "Input 'status' must be one of in_progress, succeeded, failed, rolled_back, got 'success'",
    ],
    [
      { 'deployment-id': '-3', status: 'failed' },
      "Input 'deployment-id' must be a whole number of at least 1, got '-3'",
    ],
    [
      { 'deployment-id': '12', status: 'failed', artifacts: 'a=b' },
      "Input 'artifacts' is recorded when a deployment starts; GitHub never changes a deployment's payload afterwards, so it must be empty when 'status' is set",
    ],
    [
      { state: state(31) },
      "Input 'state' already names deployment 31; set 'status' to record its progress or outcome instead of starting another",
    ],
    [
      { state: state(31), 'deployment-id': '32', status: 'failed' },
      "Input 'deployment-id' must be the deployment the state names (31), or empty, got '32'",
    ],
    [
      { state: state(), version: 'v10' },
      "Input 'version' must be empty or equal to the state's version 'v9', got 'v10'",
    ],
    [
      { state: state(), strategy: 'linear' },
      "Input 'strategy' must be empty or equal to the state's strategy 'canary', got 'linear'",
    ],
    [
      { state: '{"schema-version": 1}' },
      "Input 'state' is not a shiftgate rollout state: missing key 'strategy'",
    ],
    // The field rules a state is held to apply to the inputs that carry the same fields.
    [
      { environment: 'production', version: 'v1\n::warning::x' },
      "Input 'version' must be a version of 1 to 256 letters, digits and . _ - + : @ / starting with a letter or digit (such as v1.2.3 or app@sha256:…), got 'v1\\u000a::warning::x'",
    ],
    [
      { environment: 'production', version: 'v1<img src=x>[Approve](https://x)' },
      "Input 'version' must be a version of 1 to 256",
    ],
    [
      { environment: 'prod`whoami`', version: 'v1' },
      "Input 'environment' must be an environment name of 1 to 255 letters, digits, spaces and . _ / - starting with a letter or digit, got 'prod`whoami`'",
    ],
    [
      { environment: 'production', version: 'v1', ref: '--upload-pack=x' },
      "Input 'ref' must be a branch, tag or commit sha",
    ],
    [{ environment: 'production', version: 'v1', ref: 'main\u0007' }, "got 'main\\u0007'"],
    [
      { environment: 'production', version: 'v1', 'transient-environment': 'yes' },
      "Input 'transient-environment' must be 'true' or 'false', got 'yes'",
    ],
    [
      { environment: 'production', version: 'v1', 'production-environment': 'maybe' },
      "Input 'production-environment' must be 'true' or 'false', got 'maybe'",
    ],
    [
      { environment: 'production', version: 'v1', 'environment-url': 'shop.example.com' },
      "Input 'environment-url' must be an http:// or https:// URL, got 'shop.example.com'",
    ],
    [
      {
        environment: 'production',
        version: 'v1',
        'slack-webhook-url': 'http://hooks.slack.com/services/T/B/X',
      },
      "Input 'slack-webhook-url' must be an https:// incoming webhook URL (the value is a secret and is not shown)",
    ],
    [
      { environment: 'production', version: 'v1', 'history-limit': '0' },
      "Input 'history-limit' must be a whole number of deployments from 1 to 1000, got '0'",
    ],
    [
      { environment: 'production', version: 'v1', 'dora-window': '30d' },
      "Input 'dora-window' must be a duration such as '90s', '5m' or '1h30m', got '30d'",
    ],
    [
      { environment: 'production', version: 'v1', 'dora-window': '30m' },
      "Input 'dora-window' must be a duration of at least 1h, got '30m'",
    ],
    [
      { environment: 'production', version: 'v1', 'publish-metrics': 'true', service: ':api' },
      "Input 'service' must be a service name of 1 to 1024 characters on one line, not starting with a colon, got ':api'",
    ],
    [
      { environment: 'production', version: 'v1', trace: '{"period": "1m", "windows": 3}' },
      "Trace input 'trace' is invalid: 'windows' must be a list, got 3",
    ],
    [{ mode: 'history' }, "Input 'environment' is required to read its history"],
    [
      { mode: 'verify' },
      "Input 'verify-artifacts' is required in mode 'verify': the id of the deployment whose recorded artifacts to check",
    ],
  ])('refuses %j', (inputs, message) => {
    expect(() => parseInputs(named(inputs))).toThrow(message);
  });
});

describe('record-deployment', () => {
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

  const start = (extra: Record<string, string> = {}) =>
    runStep(server, 'main', { environment: 'production', version: 'v1.2.3', ...extra }, { workspace });

  it('refuses bad input with no request at all', async () => {
    const result = await start({ 'history-limit': 'all' });
    expect(result.failed).toBe(true);
    expect(result.errors).toEqual([
      "record-deployment failed: Input 'history-limit' must be a whole number of deployments from 1 to 1000, got 'all'",
    ]);
    expect(server.requests).toEqual([]);
  });

  it('cuts a long description to 140 characters with a warning, and GitHub accepts it', async () => {
    const long = `${'x'.repeat(150)} tail`;
    const { id } = { id: Number((await start()).outputs['deployment-id']) };
    const result = await runStep(server, 'main', {
      'deployment-id': String(id),
      status: 'failed',
      description: long,
    });
    expect(result.failed).toBe(false);
    expect(result.warnings[0]).toBe(
      `Input 'description' is 155 characters; GitHub keeps 140, so it was cut to '${'x'.repeat(139)}…'`,
    );
    expect([...server.statuses(id).at(-1)!.description]).toHaveLength(140);
  });

  it('records artifacts at the start and verifies them before a later deployment, failing on a change', async () => {
    mkdirSync(join(workspace, 'dist'));
    writeFileSync(join(workspace, 'dist', 'image.tar'), 'image v1');
    const first = await start({ artifacts: 'image=dist/image.tar', environment: 'staging' });
    const id = Number(first.outputs['deployment-id']);
    const record = JSON.parse(first.outputs.record!) as DeploymentRecord;
    expect(record.artifacts[0]).toMatchObject({
      'artifact-type': 'image',
      'file-hash': createHash('sha256').update('image v1').digest('hex'),
      'file-size': 8,
    });
    expect(first.summary).toContain('| image | dist/image.tar | 8 bytes |');

    // Promotion: the same file, verified against staging's record, starts production.
    const promote = await start({ artifacts: 'image=dist/image.tar', 'verify-artifacts': String(id) });
    expect(promote.errors).toEqual([]);
    expect(promote.notices[0]).toBe(`1 artifact match deployment ${id}'s record (sha256)`);

    writeFileSync(join(workspace, 'dist', 'image.tar'), 'image v2');
    const deployments = server.deployments().length;
    const tampered = await start({ artifacts: 'image=dist/image.tar', 'verify-artifacts': String(id) });
    expect(tampered.failed).toBe(true);
    expect(tampered.errors[0]).toBe(
      `record-deployment failed: Artifacts do not match deployment ${id}'s record: 'image' dist/image.tar has sha256 ${createHash('sha256').update('image v2').digest('hex')} (8 bytes), but deployment ${id} recorded ${createHash('sha256').update('image v1').digest('hex')} (8 bytes) for dist/image.tar`,
    );
    expect(server.deployments()).toHaveLength(deployments);
  });

  it('verifies at the recorded paths in verify mode, writing nothing', async () => {
    writeFileSync(join(workspace, 'app.zip'), 'zip');
    const first = await start({ artifacts: 'app=app.zip' });
    const writes = server.writes().length;
    const verified = await runStep(
      server,
      'main',
      { mode: 'verify', 'verify-artifacts': first.outputs['deployment-id']! },
      { workspace },
    );
    expect(verified.errors).toEqual([]);
    expect(verified.summary).toContain('1 artifact match');
    expect(server.writes()).toHaveLength(writes);
  });

  it('refuses a missing artifact before creating anything', async () => {
    const result = await start({ artifacts: 'image=dist/*.tar' });
    expect(result.errors).toEqual([
      "record-deployment failed: Input 'artifacts': 'image=dist/*.tar' matches no file in the workspace",
    ]);
    expect(server.requests).toEqual([]);
  });

  it('posts one notification per outcome, and a failed one is only a warning', async () => {
    const id = Number((await start()).outputs['deployment-id']);
    server.fault({
      method: 'POST',
      path: '/hooks/slack',
      respond: { status: 500, body: 'oops', headers: { 'content-type': 'text/plain' } },
    });
    const done = await runStep(server, 'main', {
      'deployment-id': String(id),
      status: 'succeeded',
      'slack-webhook-url': server.webhookUrl('slack'),
    });
    expect(done.failed).toBe(false);
    expect(done.warnings).toEqual([
      'Posting the notification failed: the webhook answered 500 "oops" (the deployment is recorded all the same)',
    ]);
    expect(server.statuses(id).at(-1)!.state).toBe('success');
    expect(server.webhooks).toHaveLength(0);
  });

  it('does not notify on start or progress', async () => {
    const first = await start({ 'slack-webhook-url': server.webhookUrl('slack') });
    await runStep(server, 'main', {
      'deployment-id': first.outputs['deployment-id']!,
      status: 'in_progress',
      'slack-webhook-url': server.webhookUrl('slack'),
    });
    expect(server.webhooks).toHaveLength(0);
  });

  it('publishes deployment metrics to CloudWatch on the outcome, and a refusal is a warning', async () => {
    const cloudwatch = mockClient(CloudWatchClient);
    const client = new CloudWatchClient({ region: 'us-east-1' });
    const id = Number((await start()).outputs['deployment-id']);
    const done = await runStep(
      server,
      'main',
      {
        'deployment-id': String(id),
        status: 'rolled_back',
        description: 'p99',
        'publish-metrics': 'true',
        service: 'checkout',
      },
      { cloudwatch: client },
    );
    expect(done.warnings).toEqual([]);
    expect(cloudwatch).toHaveReceivedCommandTimes(PutMetricDataCommand, 1);
    const input = cloudwatch.commandCalls(PutMetricDataCommand)[0]!.args[0].input;
    expect(input.Namespace).toBe('Shiftgate');
    expect(input.MetricData!.map((d) => [d.MetricName, d.Value, d.Unit])).toEqual([
      ['Deployments', 1, 'Count'],
      ['DeploymentFailures', 0, 'Count'],
      ['DeploymentRollbacks', 1, 'Count'],
      ['DeploymentDuration', expect.any(Number), 'Milliseconds'],
    ]);
    expect(input.MetricData![0]!.Dimensions).toEqual([
      { Name: 'Environment', Value: 'production' },
      { Name: 'Service', Value: 'checkout' },
    ]);

    cloudwatch.reset();
    cloudwatch.on(PutMetricDataCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: cloudwatch:PutMetricData'), {
        name: 'AccessDenied',
      }),
    );
    const id2 = Number((await start({ version: 'v1.2.4' })).outputs['deployment-id']);
    const failed = await runStep(
      server,
      'main',
      { 'deployment-id': String(id2), status: 'failed', 'publish-metrics': 'true' },
      { cloudwatch: client },
    );
    expect(failed.failed).toBe(false);
    expect(failed.warnings).toEqual([
      'PutMetricData to namespace Shiftgate failed: User is not authorized to perform: cloudwatch:PutMetricData (the role needs cloudwatch:PutMetricData) (the deployment is recorded all the same)',
    ]);
    cloudwatch.restore();
  });

  it('counts failures and rollbacks with zeros included', () => {
    const base = {
      'schema-version': 1 as const,
      id: '00000000-0000-4000-8000-000000000001',
      'deployment-id': 1,
      version: 'v1',
      environment: 'staging',
      strategy: null,
      ref: null,
      sha: null,
      'started-at': 0,
      'completed-at': 60_000,
      'duration-ms': 60_000,
      reason: null,
      artifacts: [],
      canary: null,
    };
    const values = (status: 'succeeded' | 'failed') =>
      deploymentMetricData({ ...base, 'deployment-status': status, 'rolled-back': false }, 'api').map(
        (d) => d.Value,
      );
    expect(values('succeeded')).toEqual([1, 0, 0, 60_000]);
    expect(values('failed')).toEqual([1, 1, 0, 60_000]);
  });

  it('adds canary figures from the trace and the rollout state', async () => {
    const first = await start({ state: state(), version: '', environment: '' });
    const id = Number(first.outputs['deployment-id']);
    const trace = JSON.stringify({
      period: '60s',
      gates: { 'max-error-rate': '1%' },
      windows: [
        { canary: { requests: 100, errors: 1, p99: 210, healthy: 2, unhealthy: 0 }, baseline: null },
        { error: 'GetMetricData failed: Throttling' },
        { canary: { requests: 300, errors: 5, p99: 480.4, healthy: 2, unhealthy: 0 }, baseline: null },
      ],
    });
    const done = await runStep(server, 'main', { 'deployment-id': String(id), status: 'succeeded', trace });
    expect(JSON.parse(done.outputs.record!).canary).toMatchObject({
      'target-traffic-percent': 100,
      'current-traffic-percent': 10,
      'error-rate': 1.5,
      'latency-p99': 480,
    });
    expect(done.summary).toContain('| Canary error rate | 1.5% |');
  });

  it("records a rollback with run-plan's reason and canary figures when no description is given", async () => {
    const first = await start({ state: state(), version: '', environment: '' });
    const id = Number(first.outputs['deployment-id']);
    const runTrace = JSON.stringify({
      strategy: 'canary',
      decision: 'rollback',
      reason: 'max-p99-latency breached at 10%: canary p99 730ms > 500ms',
      steps: [
        {
          step: { kind: 'bake' },
          health: {
            period: '60s',
            gates: {},
            windows: [{ canary: { requests: 50, errors: 0, p99: 730 }, baseline: null }],
          },
        },
      ],
    });
    const done = await runStep(server, 'main', {
      'deployment-id': String(id),
      status: 'rolled_back',
      trace: runTrace,
    });
    expect(done.errors).toEqual([]);
    expect(server.statuses(id).at(-1)!.description).toBe(
      'Rolled back: max-p99-latency breached at 10%: canary p99 730ms > 500ms',
    );
    expect(JSON.parse(done.outputs.record!)).toMatchObject({
      reason: 'max-p99-latency breached at 10%: canary p99 730ms > 500ms',
      canary: {
        'latency-p99': 730,
        'error-rate': 0,
        'current-traffic-percent': 10,
        'target-traffic-percent': 100,
      },
    });
  });

  it("records a saga whose compensation still fails as failed, naming it and each service's final state", async () => {
    const plan = buildPlan('saga', { services: 'order,payment,inventory' });
    const saga = (status: 'in-progress' | 'failed', statuses: ServiceStatus[]) =>
      serializeRolloutState({
        ...createRolloutState({
          strategy: 'saga',
          parameters: plan.parameters,
          plan: plan.steps,
          compensation: plan.compensation,
          environment: 'production',
          version: 'v9',
          now: new Date('2026-02-01T00:00:00Z'),
        }),
        status,
        services: ['order', 'payment', 'inventory'].map((name, i) => ({ name, status: statuses[i]! })),
      });
    const first = await start({
      state: saga('in-progress', ['untouched', 'untouched', 'untouched']),
      version: '',
      environment: '',
    });
    const id = Number(first.outputs['deployment-id']);
    const runTrace = JSON.stringify({
      strategy: 'saga',
      decision: 'rollback',
      reason:
        'service inventory deploy exited with code 2: compensating; compensated inventory; compensation-failed: payment',
      steps: [],
    });
    const done = await runStep(server, 'main', {
      'deployment-id': String(id),
      status: 'failed',
      trace: runTrace,
      state: saga('failed', ['deployed', 'failed', 'compensated']),
    });
    expect(done.errors).toEqual([]);
    const why =
      'compensation-failed: payment; services: order deployed, payment failed, inventory compensated';
    expect(server.statuses(id).at(-1)!.state).toBe('failure');
    expect(server.statuses(id).at(-1)!.description).toContain(why);
    expect(JSON.parse(done.outputs.record!)).toMatchObject({ 'deployment-status': 'failed', reason: why });
  });

  it('refuses a status for a deployment of another environment, writing nothing', async () => {
    const id = Number((await start()).outputs['deployment-id']);
    const writes = server.writes().length;
    const wrong = await runStep(server, 'main', {
      'deployment-id': String(id),
      status: 'succeeded',
      environment: 'staging',
    });
    expect(wrong.errors).toEqual([
      `record-deployment failed: Input 'environment' must be empty or 'production', the environment of deployment ${id}, got 'staging'`,
    ]);
    expect(server.writes()).toHaveLength(writes);
  });

  it('refuses a deployment that shiftgate did not start', async () => {
    const foreign = server.seedDeployment({
      environment: 'production',
      payload: { from: 'another tool' },
      created_at: '2026-01-01T00:00:00Z',
    });
    const result = await runStep(server, 'main', {
      'deployment-id': String(foreign.id),
      status: 'succeeded',
    });
    expect(result.errors).toEqual([
      `record-deployment failed: Input 'deployment-id' must be the id of a deployment started by record-deployment, got '${foreign.id}': its payload has no shiftgate record`,
    ]);
    expect(server.writes()).toEqual([]);
  });

  it('reads history in history mode, writing nothing', async () => {
    seedFixtureHistory(server);
    const result = await runStep(server, 'main', {
      mode: 'history',
      environment: 'production',
      'dora-window': '8760h',
    });
    expect(result.errors).toEqual([]);
    expect(server.writes()).toEqual([]);
    expect(JSON.parse(result.outputs.history!)).toHaveLength(9);
    expect(JSON.parse(result.outputs.dora!)).toMatchObject({ deployments: 9, succeeded: 5 });
    expect(JSON.parse(result.outputs['last-good']!)).toMatchObject({ version: 'v1.4.1' });
    expect(result.summary).toContain('| Change failure rate |');
    expect(result.summary).toContain('| 1004 | v1.2.1 | rolled_back |');
  });

  it('outputs as last-good only validated values, passing over a newer success that fails them', async () => {
    seedFixtureHistory(server);
    // Anyone with `deployments: write` can create this: a success newer than every fixture deployment,
    // whose ref would reach `gh workflow run --ref` and whose version an `echo` in a workflow.
    const hostile = server.seedDeployment({
      environment: 'production',
      ref: '--upload-pack=touch /tmp/x',
      payload: { from: 'another tool' },
      created_at: '2026-01-30T00:00:00Z',
      statuses: [{ state: 'success', created_at: '2026-01-30T00:05:00Z' }],
    });
    const result = await runStep(server, 'main', {
      mode: 'history',
      environment: 'production',
      'dora-window': '8760h',
    });
    expect(result.errors).toEqual([]);
    expect(JSON.parse(result.outputs['last-good']!)).toMatchObject({
      version: 'v1.4.1',
      ref: expect.not.stringMatching(/^-/),
    });
    expect(result.warnings).toContainEqual(
      expect.stringContaining(
        `last-good passes over deployment ${hostile.id}: its ref must be a branch, tag or commit sha`,
      ),
    );
  });
});
