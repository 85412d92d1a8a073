// Runs the committed dist/select-strategy bundle exactly as the runner does, under this machine's node and
// node 24, and checks the outputs file for each event shape and each refusal.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRolloutState } from '@shiftgate/core';
import { GitHubServer } from '../support/github-server';
import { dispatchEvent, pullRequestEvent } from '../support/events';
import { commandMessages, inputEnv, nodeBinaries, runBundle, stepFiles } from '../support/runner';

const DEFAULT_INPUTS = {
  strategy: '',
  parameters: '',
  environment: '',
  config: '.github/shiftgate.yml',
  'default-strategy': 'blue-green',
  'label-prefix': 'deploy:',
  token: 'ghs_test_token',
  'require-permission': 'write',
  'allow-forks': 'false',
};

let github: GitHubServer;
beforeAll(async () => {
  github = await GitHubServer.start();
  github.setPermission('acme/shop', 'alice', 'write');
  github.setPermission('acme/shop', 'trudy', 'triage');
  // Who added the labels that later events (unlabeled, closed) still carry: read from the timeline.
  github.addIssueEvents('acme/shop', 7, [
    { event: 'labeled', label: 'deploy:linear', actor: 'alice' },
    { event: 'labeled', label: 'deploy:saga-pattern', actor: 'alice' },
  ]);
});
afterAll(() => github.close());

async function select(options: {
  node: string;
  eventName: string;
  event: unknown;
  inputs?: Record<string, string>;
  config?: string;
}) {
  const step = stepFiles({ eventName: options.eventName, event: options.event });
  if (options.config !== undefined) {
    mkdirSync(join(step.dir, '.github'));
    writeFileSync(join(step.dir, '.github', 'shiftgate.yml'), options.config);
  }
  const run = await runBundle({
    action: 'select-strategy',
    node: options.node,
    env: { ...step.env, GITHUB_API_URL: github.url, ...inputEnv({ ...DEFAULT_INPUTS, ...options.inputs }) },
  });
  const result = { ...run, outputs: step.outputs(), summary: step.summaryText() };
  step.cleanup();
  return result;
}

const CONFIG = `version: 1
environments:
  production:
    allowed-strategies: [canary, blue-green]
    default-strategy: canary
    gates:
      max-error-rate: 0.5%
    targets:
      listener-arn: arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2
`;

describe.each(nodeBinaries())('dist/select-strategy under $name', ({ path: node }) => {
  it.each([
    [
      'pull_request labeled',
      'pull_request',
      pullRequestEvent({ action: 'labeled', labels: ['deploy:canary'] }),
      'canary',
      'label',
    ],
    [
      'pull_request unlabeled (label left)',
      'pull_request',
      pullRequestEvent({ action: 'unlabeled', labels: ['deploy:linear'] }),
      'linear',
      'label',
    ],
    [
      'pull_request unlabeled (none left)',
      'pull_request',
      pullRequestEvent({ action: 'unlabeled', labels: ['bug'] }),
      'blue-green',
      'default',
    ],
    [
      'pull_request closed and merged',
      'pull_request',
      pullRequestEvent({ action: 'closed', merged: true, labels: ['deploy:saga-pattern'] }),
      'saga',
      'label',
    ],
    [
      'pull_request_target labeled',
      'pull_request_target',
      pullRequestEvent({ action: 'labeled', labels: ['deploy:ab-testing'] }),
      'ab-testing',
      'label',
    ],
    ['workflow_dispatch', 'workflow_dispatch', dispatchEvent('linear'), 'linear', 'dispatch'],
    [
      'workflow_dispatch without a choice',
      'workflow_dispatch',
      dispatchEvent(undefined),
      'blue-green',
      'default',
    ],
    [
      'push',
      'push',
      { ref: 'refs/heads/main', repository: { full_name: 'acme/shop' }, sender: { login: 'alice' } },
      'blue-green',
      'default',
    ],
  ])('selects from %s', async (_what, eventName, event, strategy, source) => {
    const inputs: Record<string, string> =
      strategy === 'saga' ? { parameters: 'services: [orders, payments]' } : {};
    const result = await select({ node, eventName, event, inputs });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.outputs.strategy).toBe(strategy);
    expect(result.outputs.source).toBe(source);
    const state = parseRolloutState('state', result.outputs.state ?? '');
    expect(state.strategy).toBe(strategy);
    expect(JSON.parse(result.outputs.plan ?? '')).toEqual(state.plan);
    expect(result.summary).toContain(`## shiftgate: ${strategy}`);
  });

  it('applies the config file: environment default, parameters, gates and targets', async () => {
    const result = await select({
      node,
      eventName: 'push',
      event: {},
      inputs: { environment: 'production', parameters: '{"steps": "10,50,100", "bake-time": "2m"}' },
      config: CONFIG,
    });
    expect(result.code).toBe(0);
    expect(result.outputs).toMatchObject({ strategy: 'canary', source: 'config', weights: '[10,50,100]' });
    expect(JSON.parse(result.outputs.gates ?? '')).toEqual({ 'max-error-rate': '0.5%' });
    expect(JSON.parse(result.outputs.targets ?? '')['listener-arn']).toMatch(
      /^arn:aws:elasticloadbalancing:/,
    );
    expect(result.summary).toContain('xychart-beta');
  });

  it.each([
    [
      'two deploy labels',
      'pull_request',
      pullRequestEvent({ labels: ['deploy:canary', 'deploy:blue-green'] }),
      {},
      undefined,
      "Pull request #7 has two deploy labels, 'deploy:canary' and 'deploy:blue-green'; keep exactly one deploy:<strategy> label and run again.",
    ],
    [
      'an unknown deploy label',
      'pull_request',
      pullRequestEvent({ labels: ['deploy:yolo'] }),
      {},
      undefined,
      "Pull request #7 has the label 'deploy:yolo', which names no strategy. Valid labels: deploy:blue-green, deploy:canary, deploy:linear, deploy:rolling, deploy:ab-testing, deploy:feature-flag, deploy:saga, deploy:saga-pattern.",
    ],
    [
      'a strategy the environment forbids',
      'pull_request',
      pullRequestEvent({ labels: ['deploy:linear'] }),
      { environment: 'production' },
      CONFIG,
      "Strategy linear (from label 'deploy:linear') is not allowed in environment 'production'; .github/shiftgate.yml allows canary, blue-green.",
    ],
    [
      'bad parameters',
      'workflow_dispatch',
      dispatchEvent('canary'),
      { parameters: 'steps: 5,101' },
      undefined,
      "Input 'parameters.steps' must be a list of whole percentages between 0% and 100% such as 5,25,50,100, got '101' in \"5,101\"",
    ],
    [
      'a fork pull request',
      'pull_request',
      pullRequestEvent({ labels: ['deploy:canary'], fork: true }),
      {},
      undefined,
      "Pull request #7 comes from a fork (mallory/shop); shiftgate does not deploy fork pull requests unless 'allow-forks' is 'true'.",
    ],
    [
      'a label from a triage user',
      'pull_request',
      pullRequestEvent({ labels: ['deploy:canary'], sender: 'trudy' }),
      {},
      undefined,
      "trudy (who added the label 'deploy:canary') has 'triage' permission on acme/shop, and choosing a strategy with label 'deploy:canary' needs 'write' or more (input 'require-permission').",
    ],
    [
      'a label from a stranger',
      'pull_request',
      pullRequestEvent({ labels: ['deploy:canary'], sender: 'mallory' }),
      {},
      undefined,
      "mallory (who added the label 'deploy:canary') has 'none' permission on acme/shop",
    ],
    [
      'a broken config file',
      'push',
      {},
      {},
      'gates:\n  max-error-rate: lots\n',
      ".github/shiftgate.yml:2:19: 'gates.max-error-rate' must be a percentage between 0% and 100%, got 'lots'",
    ],
    [
      'a named config file that is missing',
      'push',
      {},
      { config: 'deploy/shiftgate.yml' },
      undefined,
      "Input 'config' names deploy/shiftgate.yml, which does not exist in the workspace.",
    ],
    [
      'a bad boolean',
      'push',
      {},
      { 'allow-forks': 'yes' },
      undefined,
      "Input 'allow-forks' must be 'true' or 'false', got 'yes'",
    ],
  ])('refuses %s with no outputs', async (_what, eventName, event, inputs, config, message) => {
    const result = await select({
      node,
      eventName,
      event,
      inputs,
      ...(config === undefined ? {} : { config }),
    });
    expect(result.code).toBe(1);
    const [error] = commandMessages(result.stdout, 'error');
    expect(error).toContain(`select-strategy failed: ${message}`);
    expect(commandMessages(result.stdout, 'error')).toHaveLength(1);
    expect(result.outputs).toEqual({});
  });

  it('skips the permission check with require-permission: none', async () => {
    const result = await select({
      node,
      eventName: 'pull_request',
      event: pullRequestEvent({ labels: ['deploy:canary'], sender: 'trudy' }),
      inputs: { 'require-permission': 'none' },
    });
    expect(result.code).toBe(0);
    expect(result.outputs.strategy).toBe('canary');
  });

  it('never lets a label inject a workflow command', async () => {
    const result = await select({
      node,
      eventName: 'pull_request',
      event: pullRequestEvent({ labels: ['deploy:x\n::set-output name=strategy::canary'] }),
    });
    expect(result.code).toBe(1);
    expect(result.stdout).not.toMatch(/^::set-output/m);
    expect(result.outputs).toEqual({});
  });
});

describe('the node matrix', () => {
  it('runs the bundles under node 24, as runners do, and under the machine node when it differs', () => {
    const names = nodeBinaries().map((n) => n.name);
    expect(names.some((name) => name.startsWith('node 24.'))).toBe(true);
    expect(new Set(names.map((name) => name.split('.')[0])).size).toBe(names.length);
  });
});
