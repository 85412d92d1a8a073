// The counted fault suite. Real SDK clients and Octokit talk to the loopback fakes, which inject the
// faults; run-plan runs in this process on virtual time. Invariants checked on every row: traffic is
// never left split (all stable, or all canary after a promotion), the run ends in exactly one terminal
// status, and nothing is written twice (apart from the SDK re-sending a write whose answer was lost).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TrafficModel } from '@shiftgate/cli';
import { parseRolloutState, virtualTime } from '@shiftgate/core';
import { createCloudWatchClient, createElbv2Client, Elbv2TrafficRouter } from '@shiftgate/aws';
import { run } from '../../actions/run-plan/src/main';
import { run as selectStrategy } from '../../actions/select-strategy/src/main';
import { post } from '../../actions/run-plan/src/restore';
import { inProcess, type InProcessRun } from '../actions/shift-traffic/harness';
import { SHA, terminalStatuses } from '../actions/record-deployment/harness';
import { pullRequestEvent } from '../support/events';
import { CANARY, LISTENER, ROUTES, STABLE, useAlbFakes } from '../support/alb-fakes';
import type { Fault as CloudWatchFault } from '../support/cloudwatch-server';
import type { Fault as Elbv2Fault } from '../support/elbv2-server';
import { GitHubServer, type FaultRule } from '../support/github-server';
import { asTargetWeights, modelMetrics } from '../support/model-metrics';
import { HUNG_MS, injectGitHub } from './github-faults';
import { recordStep } from './record-step';
import { plannedState } from './states';
import {
  AWS_ROWS,
  CANCEL_ROWS,
  GITHUB_ROWS,
  HISTORY_ROWS,
  APPROVAL_ROWS,
  KILL_ROWS,
  NOTIFY_ROWS,
  SELECT_ROWS,
  AUDIENCE_ROWS,
  type AwsRow,
  type FaultKind,
  type GitHubRow,
  type HistoryRow,
  type SelectRow,
} from './faults.table';

const NOW = Date.UTC(2026, 3, 1, 9, 0, 30);
/** Requests time out after this long here (30 s in the actions); a `timeout` fault answers later. */
const TIMEOUT_MS = 250;
/** A hung endpoint answers after this long, far beyond any row's time limit: only a timeout ends the wait. */
/** Each row's time limit: a client without a request timeout would wait for a hung endpoint and fail it. */
const ROW_MS = 8_000;
const fakes = useAlbFakes();
const ALARM = 'shop-5xx';
/** A listener rule forwarding to stable, for the rows over `rule-arn` (DescribeRules, ModifyRule). */
const RULE = `${LISTENER.replace(':listener/', ':listener-rule/')}/9683b2d02a6f8e2b`;
const RULE_CALLS: readonly AwsRow['call'][] = ['DescribeRules', 'ModifyRule'];
/** The rows run-plan runs; PutMetricData is record-deployment's (its own describe below). */
const RUN_PLAN_ROWS = AWS_ROWS.filter((row) => row.call !== 'PutMetricData');
const PUBLISH_ROWS = AWS_ROWS.filter((row) => row.call === 'PutMetricData');
/** The gates of every run: the alarm (so DescribeAlarms is called), and latency judged loosely so the
 * healthy model's noise never decides a row. */
const GATES = { alarms: ALARM, 'max-latency-increase': '1000%' };

/** The route whose weights the traffic model serves (the rule, in the rows over `rule-arn`). */
let modelRoute = LISTENER;

beforeEach(() => {
  modelRoute = LISTENER;
  const model = new TrafficModel({ seed: 7, start: NOW, scenario: 'healthy', at: 8 });
  fakes.cloudwatch.metrics = modelMetrics({
    model,
    pair: { stable: STABLE, canary: CANARY },
    weights: () => asTargetWeights(fakes.elbv2.weights(modelRoute)),
  });
  fakes.cloudwatch.alarms.clear();
  fakes.cloudwatch.alarms.set(ALARM, 'OK');
  fakes.cloudwatch.faults.length = 0;
});

const PARAMETERS = {
  canary: { steps: '10,50,100', 'bake-time': '3m' },
  'blue-green': { 'bake-time': '3m' },
  linear: { 'step-size': '50', interval: '3m' },
};

function stateFor(strategy: keyof typeof PARAMETERS): string {
  return plannedState(strategy, PARAMETERS[strategy], undefined, new Date(NOW - 60_000));
}

/** The real clients' settings, with short request timeouts so a hung endpoint costs milliseconds. */
function settings() {
  return {
    caller: 'run-plan',
    region: 'us-east-1',
    retryMode: 'standard' as const,
    maxAttempts: 2,
    requestHandler: {
      connectionTimeout: TIMEOUT_MS,
      requestTimeout: TIMEOUT_MS,
      throwOnRequestTimeout: true,
    },
  };
}

/** The real clients, with short request timeouts. */
function clients() {
  return {
    router: new Elbv2TrafficRouter(createElbv2Client(settings())),
    cloudwatch: createCloudWatchClient(settings()),
  };
}

const ENDPOINTS = () => ({
  AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: fakes.elbv2.url,
  AWS_ENDPOINT_URL_CLOUDWATCH: fakes.cloudwatch.url,
});

/**
 * Runs run-plan's main step. After the `stopAfter`-th wait it is cancelled (`cancel`, as SIGTERM does) or
 * stops for good (`kill`: the runner died; the step never resumes, so only what it saved survives).
 */
async function runPlan(
  inputs: Record<string, string>,
  stop: { after: number; how: 'cancel' | 'kill' } | null = null,
): Promise<InProcessRun & { exitCode: number | string | undefined }> {
  const time = virtualTime(NOW);
  const controller = new AbortController();
  let sleeps = 0;
  let exitCode: number | string | undefined;
  const result = await inProcess(
    { 'fail-on-rollback': 'true', 'max-consecutive-errors': '2', ...inputs },
    () =>
      new Promise<void>((resolve, reject) => {
        const main = run({
          ...clients(),
          clock: time.clock,
          signal: controller.signal,
          sleep: async (ms, signal) => {
            await time.sleep(ms, signal);
            if (++sleeps !== stop?.after) return;
            if (stop.how === 'cancel') controller.abort();
            else {
              resolve();
              await new Promise(() => undefined);
            }
          },
        });
        main.then(() => {
          exitCode = process.exitCode;
          resolve();
        }, reject);
      }),
    ENDPOINTS(),
  );
  return { ...result, exitCode };
}

/** Runs the post step with what the main step saved, as the runner does after a failure or a kill. */
async function runPost(
  saved: Record<string, string>,
  inputs: Record<string, string> = {},
): Promise<InProcessRun> {
  return inProcess(inputs, () => post({ router: clients().router, sleep: async () => undefined }), {
    ...ENDPOINTS(),
    ...Object.fromEntries(Object.entries(saved).map(([k, v]) => [`STATE_${k}`, v])),
  });
}

/** Traffic is not left split: all on stable, or all on the canary after a promotion. */
function expectNotSplit(decision: string | undefined, route = LISTENER) {
  const serving = fakes.elbv2.weights(route).filter(([, weight]) => weight > 0);
  expect(serving.map(([group]) => group)).toEqual([decision === 'promote' ? CANARY : STABLE]);
}

/** No write twice, apart from the SDK re-sending a write whose answer was lost. */
function expectNoDuplicateWrite() {
  const writes = fakes.elbv2.requests.filter(
    (r) =>
      (r.action === 'ModifyListener' || r.action === 'ModifyRule') &&
      (r.status === 200 || r.status === 'dropped'),
  );
  writes.forEach((write, i) => {
    const before = writes[i - 1];
    if (before && !faulted.has(before.index)) expect(body(write)).not.toEqual(body(before));
  });
}
const body = (r: { params: Record<string, string> }) =>
  Object.entries(r.params).filter(([k]) => k.startsWith('DefaultActions') || k.startsWith('Actions'));

const TERMINAL = ['promoted', 'rolled-back', 'failed'];

function elbv2Fault(kind: FaultKind): Elbv2Fault {
  switch (kind) {
    case 'throttling':
      return { error: { code: 'Throttling', message: 'Rate exceeded', status: 400 } };
    case '5xx':
      return { error: { code: 'InternalFailure', message: 'internal error', status: 500, type: 'Receiver' } };
    case 'timeout':
      // Hung until the client gives up, never applied (a timed-out write that did land is `lost response`).
      return { delayMs: HUNG_MS, drop: 'before' };
    case 'lost response':
      return { drop: 'after' };
  }
}

function cloudwatchFault(
  kind: FaultKind,
  operation: 'GetMetricData' | 'DescribeAlarms' | 'PutMetricData',
  times: number,
) {
  const base = { operation, times };
  const faults: Record<FaultKind, CloudWatchFault> = {
    throttling: { ...base, kind: 'error', status: 400, code: 'Throttling', message: 'Rate exceeded' },
    '5xx': { ...base, kind: 'error', status: 503, code: 'ServiceUnavailable', fault: 'Receiver' },
    timeout: { ...base, kind: 'delay', ms: HUNG_MS },
    'lost response': { ...base, kind: 'reset' },
  };
  return faults[kind];
}

/** ELBv2 requests that were answered with a fault (a resend of one of them is not a duplicate). */
const faulted = new Set<number>();

/** Injects the row's fault; returns what ends it. */
function inject(row: AwsRow): () => void {
  const times = row.span === 'brief' ? 1 : 10_000;
  if (row.call === 'GetMetricData' || row.call === 'DescribeAlarms' || row.call === 'PutMetricData') {
    fakes.cloudwatch.faults.push(cloudwatchFault(row.fault, row.call, times));
    return () => (fakes.cloudwatch.faults.length = 0);
  }
  let left = times;
  faulted.clear();
  return fakes.elbv2.onRequest((request) => {
    if (request.action !== row.call || left <= 0) return;
    left--;
    faulted.add(request.index);
    return elbv2Fault(row.fault);
  });
}

describe('every AWS call under throttling, 5xx, timeout and a lost response', () => {
  it.each(RUN_PLAN_ROWS.map((row) => [`${row.call}: ${row.fault}, ${row.span}`, row] as const))(
    '%s',
    async (_name, row) => {
      // The rule rows run over a listener rule (`rule-arn`), the others over the listener.
      const overRule = RULE_CALLS.includes(row.call);
      const route = overRule ? RULE : LISTENER;
      const { 'listener-arn': _listener, ...pair } = ROUTES;
      modelRoute = route;
      if (overRule)
        fakes.elbv2.addRule({
          RuleArn: RULE,
          ListenerArn: LISTENER,
          Actions: [{ Type: 'forward', TargetGroupArn: STABLE }],
        });
      const end = inject(row);
      const routes = overRule ? { ...pair, 'rule-arn': RULE } : ROUTES;
      const main = await runPlan({ state: stateFor('canary'), ...routes, ...GATES });
      const decision = main.outputs.decision;
      // A write whose answer was lost is found applied when shiftgate reads the route back.
      const promotes =
        row.span === 'brief' ||
        ((row.call === 'ModifyListener' || row.call === 'ModifyRule') && row.fault === 'lost response');
      if (promotes) {
        expect(main.errors).toEqual([]);
        expect(decision).toBe('promote');
      } else {
        expect(main.exitCode).toBe(1);
        expect(main.errors).toHaveLength(1);
        expect(decision).not.toBe('promote');
      }
      // The fault did strike the call.
      if (row.call === 'GetMetricData' || row.call === 'DescribeAlarms') {
        expect(fakes.cloudwatch.calls(row.call).length).toBeGreaterThan(1);
        if (row.span === 'brief') expect(fakes.cloudwatch.faults).toEqual([]);
      } else expect(faulted.size).toBeGreaterThan(0);
      // The faults end with the job; the post step (post-if: failure()) puts back what is left.
      end();
      if (main.exitCode === 1) await runPost(main.saved);
      expectNotSplit(decision, route);
      if (overRule) expectNotSplit(undefined, LISTENER);
      if (main.outputs.state)
        expect(TERMINAL).toContain(parseRolloutState('state', main.outputs.state).status);
      expectNoDuplicateWrite();
    },
    ROW_MS,
  );
});

describe('a cancel (SIGTERM) in each phase of a run', () => {
  it.each(CANCEL_ROWS.map((row) => [`${row.strategy}: ${row.phase}`, row] as const))(
    '%s',
    async (_name, row) => {
      const main = await runPlan(
        { state: stateFor(row.strategy), ...ROUTES, ...GATES },
        { after: row.afterSleeps, how: 'cancel' },
      );
      expect(main.exitCode).toBe(1);
      expect(main.errors).toHaveLength(1);
      expect(main.errors[0]).toMatch(
        /^run-plan failed: cancelled during step \d+ \(\w+[^)]*\); traffic restored/,
      );
      expectNotSplit(main.outputs.decision);
      expect(parseRolloutState('state', main.outputs.state!).status).toBe('rolled-back');
      // Restored by the main step itself: nothing left for the post step.
      expect(main.saved.restore ?? '').toBe('');
      expectNoDuplicateWrite();
    },
    ROW_MS,
  );
});

describe('a runner killed before the post step', () => {
  it.each(KILL_ROWS.map((row) => [`${row.strategy}: killed in ${row.phase}`, row] as const))(
    '%s',
    async (_name, row) => {
      const main = await runPlan(
        { state: stateFor(row.strategy), ...ROUTES, ...GATES },
        { after: row.afterSleeps, how: 'kill' },
      );
      // The main step died with traffic moved and no output; what it saved first is all there is.
      expect(main.outputs.decision).toBeUndefined();
      expect(
        fakes.elbv2
          .weights(LISTENER)
          .filter(([, weight]) => weight > 0)
          .map(([g]) => g),
      ).toContain(CANARY);
      expect(main.saved.restore).toBeTruthy();
      const after = await runPost(main.saved);
      expect(after.errors).toEqual([]);
      expectNotSplit(undefined);
      expectNoDuplicateWrite();
    },
    ROW_MS,
  );
});

const matches = (path: string | RegExp, actual: string) =>
  typeof path === 'string' ? actual === path : path.test(actual);

describe('every GitHub call under secondary rate limits, 5xx, timeout and a lost response', () => {
  let github: GitHubServer;
  beforeEach(async () => {
    github = await GitHubServer.start({ token: 'test-token' });
  });
  afterEach(() => github.close());

  const STATUSES = /^\/repos\/acme\/shop\/deployments\/\d+\/statuses$/;
  const WHERE: Record<GitHubRow['call'], Pick<FaultRule, 'method' | 'path'>> = {
    'create deployment': { method: 'POST', path: '/repos/acme/shop/deployments' },
    'create status': { method: 'POST', path: STATUSES },
    'read statuses': { method: 'GET', path: STATUSES },
  };

  function inject(row: GitHubRow) {
    injectGitHub(github, WHERE[row.call], row.fault, row.span);
  }

  const step = (entry: 'main' | 'post', inputs: Record<string, string>, saved: Record<string, string> = {}) =>
    recordStep(github, entry, inputs, { saved, requestTimeoutMs: TIMEOUT_MS });

  it.each(GITHUB_ROWS.map((row) => [`${row.call}: ${row.fault}, ${row.span}`, row] as const))(
    '%s',
    async (_name, row) => {
      inject(row);
      const start = await step('main', { environment: 'production', version: 'v2.4.0', ref: SHA });
      const id = start.outputs['deployment-id'];
      const finish = id ? await step('main', { status: 'succeeded', 'deployment-id': id }) : null;
      const failed = start.failed || finish?.failed === true;
      if (row.span === 'brief') {
        expect(start.errors).toEqual([]);
        expect(finish?.errors).toEqual([]);
      }
      // The fault did strike the call.
      const { method, path } = WHERE[row.call];
      const struck = github.requests.filter(
        (r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)),
      );
      expect(struck.length).toBeGreaterThan(0);
      // The job ends; the post step (always run) makes sure the deployment has its one terminal status.
      github.clearFaults();
      const after = await step('post', { 'job-status': failed ? 'failure' : 'success' }, start.saved);
      expect(after.errors).toEqual([]);
      const deployments = github.deployments();
      expect(deployments.length).toBeLessThanOrEqual(1);
      if (row.span === 'brief' || row.call !== 'create deployment') expect(deployments).toHaveLength(1);
      for (const deployment of deployments) {
        expect(terminalStatuses(github, deployment.id)).toHaveLength(1);
        const states = github.statuses(deployment.id).map((s) => s.state);
        expect(new Set(states).size).toBe(states.length);
      }
    },
    ROW_MS,
  );
});

describe('the run approvals read at the start under secondary rate limits, 5xx, timeout and a lost response', () => {
  let github: GitHubServer;
  const APPROVALS = '/repos/acme/shop/actions/runs/777/approvals';
  beforeEach(async () => {
    github = await GitHubServer.start({ token: 'test-token' });
    github.setRunApprovals('acme/shop', 777, [
      { login: 'octo-lead', state: 'approved', environments: ['production'] },
    ]);
  });
  afterEach(() => github.close());

  it.each(APPROVAL_ROWS.map((row) => [`${row.call}: ${row.fault}, ${row.span}`, row] as const))(
    '%s',
    async (_name, row) => {
      injectGitHub(github, { method: 'GET', path: APPROVALS }, row.fault, row.span);
      const result = await recordStep(
        github,
        'main',
        { environment: 'production', version: 'v2.4.0', ref: SHA },
        { requestTimeoutMs: TIMEOUT_MS },
      );
      const struck = github.requests.filter((r) => r.method === 'GET' && r.path === APPROVALS);
      expect(struck.length).toBeGreaterThan(row.span === 'brief' ? 1 : 0);
      // The deployment starts either way, exactly once, with its in_progress status.
      expect(result.errors).toEqual([]);
      expect(github.deployments()).toHaveLength(1);
      expect(github.statuses(github.deployments()[0]!.id).map((s) => s.state)).toEqual(['in_progress']);
      const record = JSON.parse(result.outputs.record!);
      if (row.span === 'brief') {
        // Retried through: the reviewer is in the record.
        expect(result.warnings).toEqual([]);
        expect(record.approvals).toEqual([
          { reviewer: 'octo-lead', state: 'approved', environments: ['production'], comment: null },
        ]);
      } else {
        // Never a guess: unknown, with a warning that says so.
        expect(record.approvals).toBeNull();
        expect(result.warnings.join('\n')).toContain('Reading who approved the environment for run 777');
      }
    },
    ROW_MS,
  );
});

describe('the reads of history mode under secondary rate limits, 5xx, timeout and a lost response', () => {
  let github: GitHubServer;
  const DEPLOYED = ['1111111111111111111111111111111111111111', '2222222222222222222222222222222222222222'];
  beforeEach(async () => {
    github = await GitHubServer.start({ token: 'test-token' });
    for (const [i, sha] of DEPLOYED.entries()) {
      github.addCommit('acme/shop', { sha, date: `2026-03-0${i + 1}T08:00:00Z` });
      github.seedDeployment({
        sha,
        environment: 'production',
        created_at: `2026-03-0${i + 1}T09:00:00Z`,
        statuses: [{ state: 'success', created_at: `2026-03-0${i + 1}T09:10:00Z` }],
      });
    }
  });
  afterEach(() => github.close());

  const WHERE: Record<HistoryRow['call'], Pick<FaultRule, 'method' | 'path'>> = {
    'list deployments': { method: 'GET', path: '/repos/acme/shop/deployments' },
    'read history statuses': { method: 'GET', path: /^\/repos\/acme\/shop\/deployments\/\d+\/statuses$/ },
    'read commit': { method: 'GET', path: /^\/repos\/acme\/shop\/commits\/[0-9a-f]{40}$/ },
  };

  it.each(HISTORY_ROWS.map((row) => [`${row.call}: ${row.fault}, ${row.span}`, row] as const))(
    '%s',
    async (_name, row) => {
      injectGitHub(github, WHERE[row.call], row.fault, row.span);
      const result = await recordStep(
        github,
        'main',
        { mode: 'history', environment: 'production' },
        { requestTimeoutMs: TIMEOUT_MS },
      );
      // The fault did strike the call (and, when brief, the call was sent again).
      const { method, path } = WHERE[row.call];
      const struck = github.requests.filter((r) => r.method === method && matches(path, r.path));
      expect(struck.length).toBeGreaterThan(row.span === 'brief' ? 1 : 0);
      if (row.span === 'brief') {
        // Retried through: the whole history, lead time included.
        expect(result.errors).toEqual([]);
        expect(result.warnings).toEqual([]);
        expect(JSON.parse(result.outputs.history!)).toHaveLength(2);
      } else if (row.call === 'read commit') {
        // A commit time that cannot be read leaves lead time out, with a warning; the history stands.
        expect(result.errors).toEqual([]);
        expect(result.warnings.join('\n')).toContain('Lead time leaves out commits');
        expect(JSON.parse(result.outputs.history!)).toHaveLength(2);
      } else {
        // History mode only reads: it fails clearly, with no partial history.
        expect(result.failed).toBe(true);
        expect(result.errors).toHaveLength(1);
        expect(result.outputs.history).toBeUndefined();
        expect(result.outputs['last-good']).toBeUndefined();
      }
      // Reads never write.
      expect(github.writes()).toEqual([]);
    },
    ROW_MS,
  );
});

describe('record-deployment announcing a terminal status: the Slack webhook and PutMetricData', () => {
  let github: GitHubServer;
  beforeEach(async () => {
    github = await GitHubServer.start({ token: 'test-token' });
  });
  afterEach(() => github.close());

  /** Starts and finishes one deployment, notifying and publishing as asked. */
  async function record(extraInputs: Record<string, string>) {
    const options = {
      requestTimeoutMs: TIMEOUT_MS,
      cloudwatch: () => createCloudWatchClient(settings()),
      extra: { AWS_ENDPOINT_URL_CLOUDWATCH: fakes.cloudwatch.url },
    };
    const start = await recordStep(
      github,
      'main',
      { environment: 'production', version: 'v2.4.0', ref: SHA },
      options,
    );
    const id = start.outputs['deployment-id']!;
    const finish = await recordStep(
      github,
      'main',
      { status: 'succeeded', 'deployment-id': id, ...extraInputs },
      options,
    );
    expect(start.errors).toEqual([]);
    // Neither the notification nor the metrics ever change the recorded outcome.
    expect(finish.errors).toEqual([]);
    expect(finish.failed).toBe(false);
    expect(JSON.parse(finish.outputs.record!)).toMatchObject({ 'deployment-status': 'succeeded' });
    const [deployment, ...more] = github.deployments();
    expect(more).toEqual([]);
    expect(terminalStatuses(github, deployment!.id)).toEqual(['success']);
    return finish;
  }

  it.each(NOTIFY_ROWS.map((row) => [`${row.call}: ${row.fault}, lasting`, row] as const))(
    '%s',
    async (_name, row) => {
      const respond: Record<typeof row.fault, FaultRule['respond']> = {
        throttling: { status: 429, body: { message: 'rate_limited' } },
        '5xx': { status: 503, body: { message: 'Service Unavailable' } },
        'lost response': { status: 0, drop: true },
      };
      github.fault({
        method: 'POST',
        path: '/hooks/slack',
        times: Number.POSITIVE_INFINITY,
        respond: respond[row.fault],
        processFirst: row.fault === 'lost response',
      });
      const finish = await record({ 'slack-webhook-url': github.webhookUrl() });
      expect(finish.warnings.join('\n')).toContain('Posting the notification failed');
      expect(finish.warnings.join('\n')).toContain('the deployment is recorded all the same');
      // Posted once, never resent: a lost answer must not post the message twice.
      expect(github.requests.filter((r) => r.path === '/hooks/slack')).toHaveLength(1);
      expect(github.webhooks.length).toBeLessThanOrEqual(1);
    },
    ROW_MS,
  );

  it.each(PUBLISH_ROWS.map((row) => [`${row.call}: ${row.fault}, ${row.span}`, row] as const))(
    '%s',
    async (_name, row) => {
      const end = inject(row);
      const finish = await record({ 'publish-metrics': 'true', service: 'shop' });
      // One attempt and the SDK's one retry (maxAttempts 2): never more.
      expect(fakes.cloudwatch.calls('PutMetricData')).toHaveLength(2);
      if (row.span === 'brief') {
        // Retried through: published, no warning.
        expect(fakes.cloudwatch.faults).toEqual([]);
        expect(finish.warnings).toEqual([]);
        expect(finish.stdout).toContain('Metrics published to CloudWatch namespace Shiftgate');
      } else {
        // Given up after the SDK's attempts: a warning, the record stands.
        expect(finish.warnings.join('\n')).toContain('PutMetricData to namespace Shiftgate failed');
      }
      end();
    },
    ROW_MS,
  );
});

describe("select-strategy's label check under secondary rate limits, 5xx and a lost response: fail closed", () => {
  let github: GitHubServer;
  const NUMBER = 41;
  beforeEach(async () => {
    github = await GitHubServer.start();
    github.setPermission('acme/shop', 'alice', 'admin');
    github.addIssueEvents('acme/shop', NUMBER, [
      { event: 'labeled', label: 'deploy:canary', actor: 'alice' },
    ]);
  });
  afterEach(() => github.close());

  const WHERE: Record<SelectRow['call'], Pick<FaultRule, 'method' | 'path'>> = {
    'read permission': { method: 'GET', path: '/repos/acme/shop/collaborators/alice/permission' },
    'read issue events': { method: 'GET', path: `/repos/acme/shop/issues/${NUMBER}/events` },
  };

  /** select-strategy on a push to a pull request labelled by alice (an admin): the label adder is read back. */
  async function select() {
    const dir = mkdtempSync(join(tmpdir(), 'shiftgate-faults-'));
    const event = join(dir, 'event.json');
    writeFileSync(
      event,
      JSON.stringify(
        pullRequestEvent({
          action: 'synchronize',
          number: NUMBER,
          labels: ['deploy:canary'],
          sender: 'alice',
        }),
      ),
    );
    let exitCode: number | string | undefined;
    const result = await inProcess(
      {
        'label-prefix': 'deploy:',
        token: 'ghs_test',
        'require-permission': 'write',
        'default-strategy': 'blue-green',
      },
      async () => {
        await selectStrategy({ github: { retryAfterMs: 1, requestTimeoutMs: TIMEOUT_MS } });
        exitCode = process.exitCode;
      },
      {
        GITHUB_API_URL: github.url,
        GITHUB_EVENT_PATH: event,
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_REPOSITORY: 'acme/shop',
        GITHUB_WORKSPACE: dir,
      },
    );
    return { ...result, exitCode };
  }

  it('passes with no fault (the rows below start from a check that succeeds)', async () => {
    const result = await select();
    expect(result.errors).toEqual([]);
    expect(result.outputs.strategy).toBe('canary');
  });

  it.each(SELECT_ROWS.map((row) => [`${row.call}: ${row.fault}, ${row.span}`, row] as const))(
    '%s',
    async (_name, row) => {
      injectGitHub(github, WHERE[row.call], row.fault, row.span);
      const result = await select();
      const { method, path } = WHERE[row.call];
      const struck = github.requests.filter((r) => r.method === method && matches(path, r.path));
      if (row.span === 'brief') {
        // Retried through (a secondary rate limit after its retry-after): the strategy is chosen.
        expect(struck.length).toBeGreaterThan(1);
        expect(result.errors).toEqual([]);
        expect(result.exitCode).not.toBe(1);
        expect(result.outputs.strategy).toBe('canary');
      } else {
        // Anything that cannot be read refuses: the step fails and sets no output, not even the strategy.
        expect(struck.length).toBeGreaterThan(0);
        expect(result.exitCode).toBe(1);
        expect(result.errors).toHaveLength(1);
        expect(result.errors[0]).toMatch(
          row.call === 'read permission'
            ? /permission/i
            : /Reading who added 'deploy:canary' to pull request #41/,
        );
        expect(result.outputs).toEqual({});
      }
      expect(github.writes()).toEqual([]);
    },
    ROW_MS,
  );
});

describe('the A/B audience rule calls under 5xx and a lost response', () => {
  const STATE = plannedState(
    'ab-testing',
    { split: '50,50', duration: '5m', audience: 'header:X-Experiment=b' },
    undefined,
    new Date(NOW - 60_000),
  );

  it.each(AUDIENCE_ROWS.map((row) => [`${row.call}: ${row.fault}, ${row.span}`, row] as const))(
    '%s',
    async (_name, row) => {
      // A lasting fault on the calls that remove the rule strikes once the rule exists: the promoting run.
      const later = row.span === 'lasting' && row.call !== 'CreateRule';
      // A DeleteRule whose answers are all lost did land: the resend finds the rule gone, as wanted.
      const stuck = later && !(row.call === 'DeleteRule' && row.fault === 'lost response');
      let end = later ? () => undefined : inject({ ...row, call: row.call as unknown as AwsRow['call'] });
      // The first run creates the audience rule and pauses for approval; the second promotes and removes it.
      const first = await runPlan({ state: STATE, ...ROUTES, ...GATES });
      let rule = '';
      let last = first;
      if (row.span === 'lasting' && row.call === 'CreateRule' && row.fault === '5xx') {
        expect(first.exitCode).toBe(1);
        expect(first.errors).toHaveLength(1);
        expect(first.errors[0]).toContain('traffic was not moved by this rollout');
      } else {
        // A lost CreateRule answer is adopted: the resend met PriorityInUse, and the rule has our tag.
        expect(first.errors).toEqual([]);
        expect(first.outputs.decision).toBe('paused');
        expect(fakes.elbv2.listenerRules(LISTENER)).toHaveLength(1);
        rule = fakes.elbv2.listenerRules(LISTENER)[0]![0];
        if (later) end = inject({ ...row, call: row.call as unknown as AwsRow['call'] });
        const second = await runPlan({ state: first.outputs.state!, ...ROUTES, ...GATES });
        last = second;
        if (stuck) {
          // Retried, then the run fails loudly naming the rule; traffic is back on stable.
          expect(second.exitCode).toBe(1);
          expect(second.errors.join('\n')).toContain(`removing the audience rule ${rule}`);
          expect(fakes.elbv2.listenerRules(LISTENER)).toHaveLength(1);
          // The post step tries again and, while the fault lasts, fails naming the rule too.
          const post = await runPost(second.saved);
          expect(post.errors.join('\n')).toContain(`removing the audience rule ${rule}`);
          expect(fakes.elbv2.listenerRules(LISTENER)).toHaveLength(1);
        } else {
          expect(second.errors).toEqual([]);
          expect(second.outputs.decision).toBe('promote');
          expect(parseRolloutState('state', second.outputs.state!).status).toBe('promoted');
        }
      }
      // The fault did strike the call.
      expect(faulted.size).toBeGreaterThan(0);
      end();
      if (last.exitCode === 1) expect((await runPost(last.saved)).errors).toEqual([]);
      // No audience rule is left behind, and the listener is whole: all stable, or all canary.
      expect(fakes.elbv2.listenerRules(LISTENER)).toEqual([]);
      const serving = fakes.elbv2.weights(LISTENER).filter(([, weight]) => weight > 0);
      expect(serving.map(([group]) => group)).toEqual([last.exitCode === 1 ? STABLE : CANARY]);
      // At most one rule was ever created (a lost answer's resend is refused, never a second rule).
      const created = fakes.elbv2.requests.filter((r) => r.action === 'CreateRule' && r.status !== 'dropped');
      expect(created.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
      if (rule) expect(rule).toMatch(/:listener-rule\//);
      expectNoDuplicateWrite();
    },
    // Retries of the main step, its rollback and the post step: each a real SDK round trip.
    2 * ROW_MS,
  );
});

describe('the run-plan post step after a killed job', () => {
  it('removes the A/B audience rule (by its tag) and puts traffic back', async () => {
    const state = plannedState(
      'ab-testing',
      { split: '80,20', duration: '5m', audience: 'header:X-Experiment=b' },
      undefined,
      new Date(NOW - 60_000),
    );
    // Killed during the hold: the rule exists and 20% of the rest goes to B.
    const main = await runPlan({ state, ...ROUTES, ...GATES }, { after: 2, how: 'kill' });
    expect(main.outputs.decision).toBeUndefined();
    expect(fakes.elbv2.listenerRules(LISTENER)).toHaveLength(1);
    const rule = fakes.elbv2.listenerRules(LISTENER)[0]![0];
    const after = await runPost(main.saved);
    expect(after.errors).toEqual([]);
    expect(fakes.elbv2.listenerRules(LISTENER)).toEqual([]);
    expect(after.notices.join('\n')).toContain(`audience rule ${rule} removed`);
    expectNotSplit(undefined);
  });

  it('compensates the third, second and first saga service, in that order, with its own services input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftgate-saga-post-'));
    const log = join(dir, 'log');
    writeFileSync(log, '');
    const names = ['order', 'payment', 'inventory', 'shipping'];
    const services = names
      .map(
        (name) =>
          `- name: ${name}\n  deploy: echo "deploy ${name}" >> '${log}'\n  compensate: echo "compensate $SHIFTGATE_SERVICE" >> '${log}'\n  smoke: 'true'\n`,
      )
      .join('');
    const state = plannedState(
      'saga',
      { services: names.join(','), 'bake-time': '2m' },
      undefined,
      new Date(NOW - 60_000),
    );
    // Killed in the third service's gate: order, payment and inventory are deployed.
    const main = await runPlan({ state, services }, { after: 5, how: 'kill' });
    expect(main.outputs.decision).toBeUndefined();
    expect(readFileSync(log, 'utf8')).toBe('deploy order\ndeploy payment\ndeploy inventory\n');
    // No routes were named: the saga needs none, and the post step moves no traffic.
    const after = await runPost(main.saved, { services });
    expect(after.errors).toEqual([]);
    expect(
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('compensate')),
    ).toEqual(['compensate inventory', 'compensate payment', 'compensate order']);
    expect(fakes.elbv2.requests).toEqual([]);
  });

  it("puts a saga service's own targets back and compensates it, through the real ELBv2 client", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftgate-saga-post-'));
    const log = join(dir, 'log');
    writeFileSync(log, '');
    const services = `- name: web
  deploy: echo "deploy web" >> '${log}'
  compensate: echo "compensate $SHIFTGATE_SERVICE" >> '${log}'
  targets:
    listener-arn: ${LISTENER}
    stable-target-group-arn: ${STABLE}
    canary-target-group-arn: ${CANARY}
- name: api
  deploy: echo "deploy api" >> '${log}'
  compensate: echo "compensate $SHIFTGATE_SERVICE" >> '${log}'
  smoke: 'true'
`;
    const state = plannedState(
      'saga',
      { services: 'web,api', 'bake-time': '3m' },
      undefined,
      new Date(NOW - 60_000),
    );
    // Killed in web's gate: its listener already sends everything to its canary.
    const main = await runPlan({ state, services, ...GATES }, { after: 1, how: 'kill' });
    expect(main.outputs.decision).toBeUndefined();
    expectNotSplit('promote');
    const after = await runPost(main.saved, { services });
    expect(after.errors).toEqual([]);
    expectNotSplit(undefined);
    expect(readFileSync(log, 'utf8')).toBe('deploy web\ncompensate web\n');
    expect(fakes.elbv2.actions()).toContain('ModifyListener');
  });

  it("refuses, compensating nothing, when the job's services input lacks a service the saved state deployed", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftgate-saga-post-'));
    const log = join(dir, 'log');
    writeFileSync(log, '');
    const yaml = (names: string[]) =>
      names
        .map(
          (name) =>
            `- name: ${name}\n  deploy: echo "deploy ${name}" >> '${log}'\n  compensate: echo "compensate ${name}" >> '${log}'\n  smoke: 'true'\n`,
        )
        .join('');
    const state = plannedState(
      'saga',
      { services: 'order,payment', 'bake-time': '2m' },
      undefined,
      new Date(NOW),
    );
    const main = await runPlan({ state, services: yaml(['order', 'payment']) }, { after: 1, how: 'kill' });
    expect(main.outputs.decision).toBeUndefined();
    const after = await runPost(main.saved, { services: yaml(['order']) });
    expect(after.errors.join('\n')).toContain("Input 'services' declares the services order");
    expect(readFileSync(log, 'utf8')).toBe('deploy order\n');
  });
});

describe('a saga with targets of its own through run-plan and the real ELBv2 client', () => {
  const services = (log: string, apiSmoke: string) => `- name: web
  deploy: echo "deploy web" >> '${log}'
  compensate: echo "compensate $SHIFTGATE_SERVICE" >> '${log}'
  targets:
    listener-arn: ${LISTENER}
    stable-target-group-arn: ${STABLE}
    canary-target-group-arn: ${CANARY}
- name: api
  deploy: echo "deploy api" >> '${log}'
  compensate: echo "compensate $SHIFTGATE_SERVICE" >> '${log}'
  smoke: '${apiSmoke}'
`;
  const state = () =>
    plannedState('saga', { services: 'web,api', 'bake-time': '3m' }, undefined, new Date(NOW - 60_000));

  it('switches the service to its canary after its deploy, bakes it there, and promotes', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'shiftgate-saga-')), 'log');
    writeFileSync(log, '');
    const main = await runPlan({ state: state(), services: services(log, 'true'), ...GATES });
    expect(main.errors).toEqual([]);
    expect(main.outputs.decision).toBe('promote');
    expectNotSplit('promote');
    expect(readFileSync(log, 'utf8')).toBe('deploy web\ndeploy api\n');
  });

  it("compensates api then web when api's gate fails, sending web's routes back first", async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'shiftgate-saga-')), 'log');
    writeFileSync(log, '');
    const main = await runPlan({ state: state(), services: services(log, 'exit 1'), ...GATES });
    expect(main.outputs.decision).toBe('rollback');
    expectNotSplit(undefined);
    expect(readFileSync(log, 'utf8')).toBe('deploy web\ndeploy api\ncompensate api\ncompensate web\n');
    const trace = JSON.parse(main.outputs.trace!) as { saga: { compensated: string[] } };
    expect(trace.saga.compensated).toEqual(['api', 'web']);
  });
});
