// Runs the committed dist/shift-traffic and dist/rollback bundles exactly as the runner does (INPUT_*
// variables, the GITHUB_* files, STATE_* for the post step, post-if evaluated against the job's status),
// under this machine's node and node 24, against the loopback ELBv2 endpoint through AWS_ENDPOINT_URL.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseRolloutState } from '@shiftgate/core';
import { ELBV2_ROUTER_ACTIONS } from '@shiftgate/aws';
import { Elbv2Server } from '../support/elbv2-server';
import { commandMessages, inputEnv, nodeBinaries, runBundle, stepFiles } from '../support/runner';
import { actionMetadata, documentedPolicy, postIfRuns, postStateEnv, type JobStatus } from './traffic-runner';

const ACCOUNT = '123456789012';
const LB = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/shop/50dc6c495c0c9188`;
const LISTENER = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2`;
const RULE = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee`;
const STABLE = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/blue/73e2d6bc24d8a067`;
const CANARY = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/green/83e2d6bc24d8a067`;

const ROUTES = {
  'listener-arn': LISTENER,
  'rule-arn': RULE,
  'stable-target-group-arn': STABLE,
  'canary-target-group-arn': CANARY,
};
const POST_IF = actionMetadata('shift-traffic').runs['post-if']!;

let server: Elbv2Server;
const seen = new Set<string>();
beforeAll(async () => {
  server = await Elbv2Server.start();
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  server.onRequest((request) => void seen.add(request.action));
  server.addTargetGroup(CANARY);
  server.addListener({
    ListenerArn: LISTENER,
    LoadBalancerArn: LB,
    DefaultActions: [
      {
        Type: 'authenticate-cognito',
        Order: 1,
        AuthenticateCognitoConfig: {
          UserPoolArn: `arn:aws:cognito-idp:us-east-1:${ACCOUNT}:userpool/us-east-1_abc`,
          UserPoolClientId: 'client',
          UserPoolDomain: 'shop',
        },
      },
      { Type: 'forward', Order: 2, TargetGroupArn: STABLE },
    ],
  });
  server.addRule({
    RuleArn: RULE,
    ListenerArn: LISTENER,
    Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: STABLE, Weight: 1 }] } }],
  });
});

const awsEnv = () => ({
  AWS_ENDPOINT_URL: server.url,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDSHIFTGATETEST',
  AWS_SECRET_ACCESS_KEY: 'shiftgate-test-secret',
  AWS_CONFIG_FILE: '/nonexistent/shiftgate/config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/shiftgate/credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
});

/** Runs one step (main or post) of an action as the runner would, returning what it left behind. */
async function step(options: {
  node: string;
  action: string;
  entry?: 'index' | 'post';
  inputs: Record<string, string>;
  state?: Record<string, string>;
  onSpawn?: (child: ChildProcess) => void;
}) {
  const files = stepFiles();
  const run = await runBundle({
    action: options.action,
    entry: options.entry ?? 'index',
    node: options.node,
    env: { ...files.env, ...awsEnv(), ...inputEnv(options.inputs), ...options.state },
    ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}),
  });
  const result = {
    ...run,
    outputs: files.outputs(),
    stateFile: readFileSync(files.state, 'utf8'),
    summary: files.summaryText(),
    errors: commandMessages(run.stdout, 'error'),
    notices: commandMessages(run.stdout, 'notice'),
  };
  files.cleanup();
  return result;
}

/** The runner's post phase: the post step runs only when post-if says so for the job's status. */
async function postPhase(
  node: string,
  status: JobStatus,
  main: { stateFile: string },
  inputs: Record<string, string>,
) {
  if (!postIfRuns(POST_IF, status)) return null;
  return step({ node, action: 'shift-traffic', entry: 'post', inputs, state: postStateEnv(main.stateFile) });
}

describe.each(nodeBinaries())('bundles under $name', ({ path: node }) => {
  it('shift-traffic shifts both routes; the post step restores them after a failed job and skips a successful one', async () => {
    const inputs = { ...ROUTES, 'canary-weight': '20' };
    const main = await step({ node, action: 'shift-traffic', inputs });
    expect(main.errors).toEqual([]);
    expect(main.code).toBe(0);
    expect(server.weights(LISTENER)).toEqual([
      [STABLE, 80],
      [CANARY, 20],
    ]);
    expect(server.weights(RULE)).toEqual([
      [STABLE, 80],
      [CANARY, 20],
    ]);
    expect(server.listener(LISTENER).DefaultActions[0]).toMatchObject({
      Type: 'authenticate-cognito',
      Order: 1,
    });
    expect(main.outputs.changed).toBe('true');
    expect(parseRolloutState('state', main.outputs.state!)).toMatchObject({
      'load-balancer-arn': LB,
      weights: { stable: 80, canary: 20 },
    });
    expect(main.summary).toContain('stable 80% / canary 20% (verified)');

    expect(await postPhase(node, 'success', main, inputs)).toBeNull();
    expect(server.weights(LISTENER)).toEqual([
      [STABLE, 80],
      [CANARY, 20],
    ]);

    const post = await postPhase(node, 'failure', main, inputs);
    expect(post!.errors).toEqual([]);
    expect(post!.code).toBe(0);
    expect(post!.notices).toEqual([
      'Put back the weights of 2 routes (verified) because the job failed or was cancelled.',
    ]);
    expect(server.weights(LISTENER)).toEqual([[STABLE, 1]]);
    expect(server.weights(RULE)).toEqual([[STABLE, 1]]);
    expect(server.listener(LISTENER).DefaultActions[0]).toMatchObject({
      Type: 'authenticate-cognito',
      Order: 1,
    });
  });

  it('the post step restores what a step killed mid-way by a cancellation had already changed', async () => {
    let child: ChildProcess | null = null;
    let killed = false;
    server.onRequest((request) => {
      if (killed) return { drop: 'before' };
      if (
        request.action === 'ModifyListener' &&
        request.params['DefaultActions.member.2.ForwardConfig.TargetGroups.member.2.Weight'] === '50'
      ) {
        // The second write of the listener lands; the runner cancels the job right after it.
        killed = true;
        child?.kill('SIGKILL');
      }
    });
    const inputs = { ...ROUTES, 'canary-weight': '50' };
    const main = await step({ node, action: 'shift-traffic', inputs, onSpawn: (c) => (child = c) });
    expect(main.signal).toBe('SIGKILL');
    expect(server.weights(LISTENER)).toEqual([
      [STABLE, 50],
      [CANARY, 50],
    ]);
    expect(server.weights(RULE)).toEqual([[STABLE, 1]]);
    killed = false;

    const post = await postPhase(node, 'cancelled', main, inputs);
    expect(post!.errors).toEqual([]);
    expect(server.weights(LISTENER)).toEqual([[STABLE, 1]]);
    expect(server.weights(RULE)).toEqual([[STABLE, 1]]);
  });

  it('shift-traffic refuses bad input with no AWS call', async () => {
    const main = await step({ node, action: 'shift-traffic', inputs: { ...ROUTES, 'canary-weight': '1e2' } });
    expect(main.code).toBe(1);
    expect(main.errors).toEqual([
      "shift-traffic failed: Input 'canary-weight' must be a whole percentage between 0% and 100%, got '1e2'",
    ]);
    expect(server.requests).toEqual([]);
    expect(main.stateFile).toBe('');
    expect(await postPhase(node, 'failure', main, {})).toMatchObject({ code: 0 });
    expect(server.requests).toEqual([]);
  });

  it('rollback sends the rollout back to stable, and a second run changes nothing', async () => {
    const shifted = await step({
      node,
      action: 'shift-traffic',
      inputs: { ...ROUTES, 'canary-weight': '40' },
    });
    const inputs = { state: shifted.outputs.state!, reason: 'error rate 3.2% > 1%' };

    const first = await step({ node, action: 'rollback', inputs });
    expect(first.errors).toEqual([]);
    expect(first.outputs['rolled-back']).toBe('true');
    expect(server.weights(LISTENER)).toEqual([
      [STABLE, 100],
      [CANARY, 0],
    ]);
    expect(server.weights(RULE)).toEqual([
      [STABLE, 100],
      [CANARY, 0],
    ]);
    expect(parseRolloutState('state', first.outputs.state!).status).toBe('rolled-back');
    expect(first.summary).toContain('**Reason:** error rate 3.2% &gt; 1%');

    server.requests.length = 0;
    const second = await step({ node, action: 'rollback', inputs });
    expect(second.errors).toEqual([]);
    expect(second.outputs['rolled-back']).toBe('false');
    expect(server.actions()).toEqual(['DescribeListeners', 'DescribeRules']);

    const previous = await step({ node, action: 'rollback', inputs: { ...inputs, to: 'previous' } });
    expect(previous.errors).toEqual([]);
    expect(server.weights(LISTENER)).toEqual([[STABLE, 1]]);
  });
});

describe('least privilege', () => {
  it('the bundles sent exactly the ELBv2 calls the documented IAM policy allows', () => {
    expect([...seen].sort()).toEqual([...ELBV2_ROUTER_ACTIONS].sort());
    expect(documentedPolicy('shift-traffic')).toEqual(
      [...seen].map((a) => `elasticloadbalancing:${a}`).sort(),
    );
    // Besides these, rollback may remove an A/B test's audience rule and take an AppConfig flag back
    // (test/actions/rollback sends them).
    const audience = ['DescribeTags', 'DeleteRule'];
    const flag = ['appconfig:GetDeployment', 'appconfig:StartDeployment', 'appconfig:StopDeployment'];
    expect(documentedPolicy('rollback')).toEqual(
      [...[...seen, ...audience].map((a) => `elasticloadbalancing:${a}`), ...flag].sort(),
    );
  });
});
