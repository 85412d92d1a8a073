// The bundles of select-strategy, record-deployment, run-plan and rollback run as the runner runs them,
// chained the way a workflow chains them (one step's outputs are the next step's inputs), in one job:
// one workspace, GITHUB_STATE per step, post steps at the end of the job in reverse order, each behind
// its post-if evaluated against the job's status. AWS is the loopback ELBv2 and CloudWatch fakes, the
// CloudWatch fake fed by the simulator's traffic model with the weights run-plan set; GitHub is the
// loopback REST fake. Simulated time runs 600 times faster (honoured only against loopback endpoints).
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CloudWatchServer } from '../support/cloudwatch-server';
import type { Elbv2Server } from '../support/elbv2-server';
import { CANARY, LISTENER, ROUTES, STABLE, useAlbFakes } from '../support/alb-fakes';
import { parse } from 'yaml';
import { parseDeploymentRecord, parseRolloutState } from '@shiftgate/core';
import { TrafficModel, type Scenario } from '@shiftgate/cli';
import { postIfRuns, type JobStatus } from './traffic-runner';
import { GitHubServer } from '../support/github-server';
import { asTargetWeights, modelMetrics } from '../support/model-metrics';
import {
  commandMessages,
  inputEnv,
  nodeBinaries,
  parseCommandFile,
  ROOT,
  runBundle,
} from '../support/runner';

const SHA = 'c0ffee0000000000000000000000000000000042';
const TOKEN = 'ghs_chain';
const NODE = nodeBinaries().at(-1)!.path;

const fakes = useAlbFakes();
let elbv2: Elbv2Server;
let cloudwatch: CloudWatchServer;
let github: GitHubServer;
beforeAll(async () => {
  ({ elbv2, cloudwatch } = fakes);
  github = await GitHubServer.start({ token: TOKEN });
  github.addCommit('acme/shop', { sha: SHA, date: '2026-01-01T00:00:00Z', refs: ['main'] });
});
afterAll(async () => {
  await github.close();
});
beforeEach(() => {
  github.clearFaults();
});

function feed(scenario: Scenario) {
  cloudwatch.metrics = modelMetrics({
    model: new TrafficModel({ seed: 3, start: Date.now(), scenario, at: 0 }),
    pair: { stable: STABLE, canary: CANARY },
    weights: () => asTargetWeights(elbv2.weights(LISTENER)),
  });
}

/** An action's inputs with their action.yml defaults, as the runner passes them (expressions evaluated). */
function withDefaults(action: string, inputs: Record<string, string>, job: Job): Record<string, string> {
  const meta = parse(readFileSync(join(ROOT, 'actions', action, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: string }>;
  };
  const evaluated: Record<string, string> = {
    '${{ github.token }}': TOKEN,
    '${{ github.sha }}': SHA,
    '${{ job.status }}': job.status,
  };
  const defaults = Object.fromEntries(
    Object.entries(meta.inputs).map(([name, spec]) => [
      name,
      evaluated[spec.default ?? ''] ?? spec.default ?? '',
    ]),
  );
  return { ...defaults, ...inputs };
}

interface StepRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  outputs: Record<string, string>;
  errors: string[];
  stdout: string;
}

/** One job: a workspace shared by its steps, the job's status, and the post steps to run at its end. */
class Job {
  status: JobStatus = 'success';
  readonly workspace = mkdtempSync(join(tmpdir(), 'shiftgate-chain-'));
  private readonly posts: {
    action: string;
    inputs: Record<string, string>;
    saved: string;
    postIf: string;
  }[] = [];
  private count = 0;

  private env(extra: Record<string, string>) {
    const dir = join(this.workspace, `.step-${++this.count}`);
    rmSync(dir, { recursive: true, force: true });
    const files = { output: `${dir}-output`, state: `${dir}-state`, summary: `${dir}-summary.md` };
    for (const file of Object.values(files)) writeFileSync(file, '');
    writeFileSync(join(this.workspace, 'event.json'), JSON.stringify({ inputs: {} }));
    return {
      files,
      env: {
        GITHUB_OUTPUT: files.output,
        GITHUB_STATE: files.state,
        GITHUB_STEP_SUMMARY: files.summary,
        GITHUB_EVENT_PATH: join(this.workspace, 'event.json'),
        GITHUB_EVENT_NAME: 'workflow_dispatch',
        GITHUB_REPOSITORY: 'acme/shop',
        GITHUB_WORKSPACE: this.workspace,
        RUNNER_TEMP: this.workspace,
        GITHUB_ACTIONS: 'true',
        GITHUB_API_URL: github.url,
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_RUN_ID: '9001',
        GITHUB_SHA: SHA,
        GITHUB_REF: 'refs/heads/main',
        GITHUB_ACTOR: 'alice',
        AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: elbv2.url,
        AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch.url,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'AKIDSHIFTGATETEST',
        AWS_SECRET_ACCESS_KEY: 'shiftgate-test-secret',
        AWS_CONFIG_FILE: '/nonexistent/shiftgate/config',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/shiftgate/credentials',
        AWS_EC2_METADATA_DISABLED: 'true',
        SHIFTGATE_TEST_TIME_SCALE: '600',
        ...extra,
      },
    };
  }

  /** Runs a step when its `if` holds for the job's status (default `success()`), as the runner does. */
  async step(
    action: string,
    inputs: Record<string, string>,
    options: { if?: string; onSpawn?: (child: ChildProcess) => void } = {},
  ): Promise<StepRun | null> {
    if (!postIfRuns(options.if ?? 'success()', this.status)) return null;
    const bundle = join(ROOT, 'dist', action, 'index.js');
    if (!existsSync(bundle))
      throw new Error(`dist/${action}/index.js is missing: run node scripts/bundle.mjs ${action}`);
    const all = withDefaults(action, inputs, this);
    const { files, env } = this.env(inputEnv(all));
    const run = await runBundle({
      action,
      node: NODE,
      env,
      cwd: this.workspace,
      ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}),
    });
    if (run.signal === 'SIGKILL') this.status = 'cancelled';
    else if (run.code !== 0 && this.status === 'success') this.status = 'failure';
    const meta = parse(readFileSync(join(ROOT, 'actions', action, 'action.yml'), 'utf8')) as {
      runs: { post?: string; 'post-if'?: string };
    };
    if (meta.runs.post) {
      this.posts.push({
        action,
        inputs: all,
        saved: readFileSync(files.state, 'utf8'),
        postIf: meta.runs['post-if'] ?? 'always()',
      });
    }
    return {
      code: run.code,
      signal: run.signal,
      outputs: parseCommandFile(readFileSync(files.output, 'utf8')),
      errors: commandMessages(run.stdout, 'error'),
      stdout: run.stdout,
    };
  }

  /** The end of the job: post steps in reverse order, each behind its post-if. Returns what ran. */
  async end(): Promise<{ action: string; errors: string[]; notices: string[]; stdout: string }[]> {
    const ran = [];
    for (const post of [...this.posts].reverse()) {
      if (!postIfRuns(post.postIf, this.status)) continue;
      const inputs = {
        ...post.inputs,
        ...(post.inputs['job-status'] !== undefined ? { 'job-status': this.status } : {}),
      };
      const state = Object.fromEntries(
        Object.entries(parseCommandFile(post.saved)).map(([k, v]) => [`STATE_${k}`, v]),
      );
      const { env } = this.env({ ...inputEnv(inputs), ...state });
      const run = await runBundle({
        action: post.action,
        entry: 'post',
        node: NODE,
        env,
        cwd: this.workspace,
      });
      ran.push({
        action: post.action,
        errors: commandMessages(run.stdout, 'error'),
        notices: commandMessages(run.stdout, 'notice'),
        stdout: run.stdout,
      });
    }
    rmSync(this.workspace, { recursive: true, force: true });
    return ran;
  }
}

/** select-strategy → record-deployment (start): the chain's first two steps. */
async function start(job: Job) {
  const select = await job.step('select-strategy', {
    strategy: 'canary',
    parameters: '{steps: "20,100", bake-time: 3m}',
    environment: 'production',
  });
  expect(select!.errors).toEqual([]);
  const record = await job.step('record-deployment', {
    environment: 'production',
    version: 'v2.0.0',
    state: select!.outputs.state!,
  });
  expect(record!.errors).toEqual([]);
  const id = Number(record!.outputs['deployment-id']);
  expect(parseRolloutState('state', record!.outputs.state!)['deployment-id']).toBe(id);
  return { id, state: record!.outputs.state! };
}

describe('the chain of bundles in one job', () => {
  it('a healthy canary ends promoted, with a success deployment', async () => {
    feed('healthy');
    const job = new Job();
    const { id, state } = await start(job);
    const run = await job.step('run-plan', { state, ...ROUTES, 'metric-delay': '1m' }, {});
    expect(run!.errors).toEqual([]);
    expect(run!.outputs.decision).toBe('promote');
    const done = await job.step('record-deployment', {
      'deployment-id': String(id),
      status: 'succeeded',
      state: run!.outputs.state!,
      trace: run!.outputs.trace!,
    });
    expect(done!.errors).toEqual([]);
    const rollback = await job.step(
      'rollback',
      { state: run!.outputs.state!, reason: 'canary failed' },
      { if: 'failure()' },
    );
    expect(rollback).toBeNull();
    const posts = await job.end();
    // One post step per step of an action that has one, last step first.
    expect(posts.map((p) => p.action)).toEqual(['record-deployment', 'record-deployment']);
    expect(posts.flatMap((p) => p.errors)).toEqual([]);
    expect(job.status).toBe('success');

    expect(elbv2.weights(LISTENER)).toEqual([
      [STABLE, 0],
      [CANARY, 100],
    ]);
    expect(github.statuses(id).map((s) => s.state)).toEqual(['in_progress', 'success']);
    const record = parseDeploymentRecord('record', done!.outputs.record!);
    expect(record).toMatchObject({ 'deployment-status': 'succeeded', 'rolled-back': false });
    expect(parseRolloutState('state', run!.outputs.state!)).toMatchObject({
      status: 'promoted',
      'deployment-id': id,
    });
  });

  it('a bad canary ends with stable at 100% and a rolled_back record', async () => {
    feed('step-regression');
    const job = new Job();
    const { id, state } = await start(job);
    const run = await job.step('run-plan', { state, ...ROUTES, 'metric-delay': '1m' });
    expect(run!.code).toBe(1);
    expect(run!.outputs.decision).toBe('rollback');
    expect(job.status).toBe('failure');
    const rollback = await job.step(
      'rollback',
      { state: run!.outputs.state!, reason: 'the canary failed its gates' },
      { if: 'failure()' },
    );
    expect(rollback!.errors).toEqual([]);
    // run-plan already restored traffic: the rollback step finds nothing to do.
    expect(rollback!.outputs['rolled-back']).toBe('false');
    const recorded = await job.step(
      'record-deployment',
      {
        'deployment-id': String(id),
        status: 'rolled_back',
        state: run!.outputs.state!,
        trace: run!.outputs.trace!,
      },
      { if: 'failure()' },
    );
    expect(recorded!.errors).toEqual([]);
    const posts = await job.end();
    expect(posts.map((p) => p.action)).toEqual(['record-deployment', 'run-plan', 'record-deployment']);
    expect(posts.flatMap((p) => p.errors)).toEqual([]);
    expect(posts[1]!.stdout).toContain('nothing to put back');

    expect(elbv2.weights(LISTENER)).toEqual([
      [STABLE, 100],
      [CANARY, 0],
    ]);
    const record = parseDeploymentRecord('record', recorded!.outputs.record!);
    expect(record).toMatchObject({ 'deployment-status': 'rolled_back', 'rolled-back': true });
    expect(record.reason).toMatch(/canary error rate .* > max-error-rate 1%/);
    expect(github.statuses(id).map((s) => s.state)).toEqual(['in_progress', 'inactive']);
  });

  it('a job killed mid-bake ends with traffic restored by the post step', async () => {
    feed('healthy');
    const job = new Job();
    const { id, state } = await start(job);
    let child: ChildProcess | null = null;
    let killed = false;
    elbv2.onRequest(() => {
      const canary = elbv2.weights(LISTENER).find(([arn]) => arn === CANARY);
      if (!killed && canary?.[1] === 20) {
        killed = true;
        // The bake has begun: the runner's last resort after a cancellation, the step is killed.
        setTimeout(() => child?.kill('SIGKILL'), 150);
      }
    });
    const run = await job.step(
      'run-plan',
      { state, ...ROUTES, 'bake-time': '1h' },
      { onSpawn: (c) => (child = c) },
    );
    expect(run!.signal).toBe('SIGKILL');
    expect(job.status).toBe('cancelled');
    expect(elbv2.weights(LISTENER)).toEqual([
      [STABLE, 80],
      [CANARY, 20],
    ]);
    // No later step runs in a cancelled job unless it asks to.
    expect(
      await job.step('record-deployment', { 'deployment-id': String(id), status: 'succeeded' }),
    ).toBeNull();
    const posts = await job.end();
    expect(posts.map((p) => p.action)).toEqual(['run-plan', 'record-deployment']);
    expect(posts[0]!.errors).toEqual([]);
    expect(posts[0]!.notices).toEqual([
      'Put back the weights of 1 route (verified) because the job ended before the plan finished.',
    ]);
    expect(elbv2.weights(LISTENER)).toEqual([[STABLE, 1]]);
    expect(github.statuses(id).map((s) => s.state)).toEqual(['in_progress', 'error']);
  });
});
