// The action in-process: inputs faked by name, event payloads from fixtures, GitHub REST served over HTTP
// on loopback so Octokit's real stack runs for the permission check.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseInputs, parseParameters } from '../../../actions/select-strategy/src/inputs';
import { run } from '../../../actions/select-strategy/src/main';
import { GitHubServer } from '../../support/github-server';
import { dispatchEvent, pullRequestEvent } from '../../support/events';
import { inputEnv, stepFiles, type StepFiles } from '../../support/runner';

const defaults: Record<string, string> = {
  strategy: '',
  parameters: '',
  environment: '',
  config: '.github/shiftgate.yml',
  'default-strategy': 'blue-green',
  'label-prefix': 'deploy:',
  token: 'ghs_test',
  'require-permission': 'write',
  'allow-forks': 'false',
};
const named =
  (over: Record<string, string> = {}) =>
  (name: string) =>
    ({ ...defaults, ...over })[name] ?? '';

describe('parseInputs', () => {
  it('reads every input by name with its default', async () => {
    expect(await parseInputs(named())).toEqual({
      strategy: '',
      parameters: {},
      environment: null,
      config: { path: '.github/shiftgate.yml', required: false },
      defaultStrategy: 'blue-green',
      labelPrefix: 'deploy:',
      token: 'ghs_test',
      requirePermission: 'write',
      allowForks: false,
    });
  });

  it('requires a config file named explicitly', async () => {
    expect((await parseInputs(named({ config: 'ops/shiftgate.yml' }))).config).toEqual({
      path: 'ops/shiftgate.yml',
      required: true,
    });
  });

  it.each([
    ['strategy', 'canery', "Input 'strategy' must be one of blue-green, canary"],
    ['default-strategy', 'big-bang', "Input 'default-strategy' must be one of"],
    [
      'require-permission',
      'owner',
      "Input 'require-permission' must be one of read, triage, write, maintain, admin or none, got 'owner'",
    ],
    ['allow-forks', 'yes', "Input 'allow-forks' must be 'true' or 'false', got 'yes'"],
    ['environment', 'prod;rm -rf /', "Input 'environment' must be an environment name"],
    ['label-prefix', 'deploy me:', "Input 'label-prefix' must be a label prefix without spaces"],
    ['parameters', '[1, 2]', "Input 'parameters' must be a YAML or JSON map"],
    ['parameters', '{steps: [', "Input 'parameters' must be a YAML or JSON map of parameter names to values"],
    ['parameters', 'steps: {a: 1}', "Input 'parameters.steps' must be a value or a list of values"],
  ])('refuses %s = %j', async (input, value, message) => {
    await expect(parseInputs(named({ [input]: value }))).rejects.toThrow(message);
  });

  it('reads parameters as YAML or JSON', async () => {
    expect(await parseParameters('{"steps": "5,50,100"}')).toEqual({ steps: '5,50,100' });
    expect(await parseParameters('steps: [5, 50, 100]\nbake-time: 2m')).toEqual({
      steps: [5, 50, 100],
      'bake-time': '2m',
    });
  });
});

describe('run', () => {
  let github: GitHubServer;
  let step: StepFiles;
  const saved = { ...process.env };
  beforeAll(async () => {
    github = await GitHubServer.start();
    github.setPermission('acme/shop', 'alice', 'admin');
  });
  afterAll(() => github.close());
  const steps: StepFiles[] = [];
  afterEach(() => {
    process.env = { ...saved };
    process.exitCode = undefined;
  });
  // @actions/core's summary remembers the first GITHUB_STEP_SUMMARY path of the process, so the step
  // folders live until every test of this file has run.
  afterAll(() => steps.forEach((s) => s.cleanup()));

  const start = (eventName: string, event: unknown, inputs: Record<string, string> = {}) => {
    step = stepFiles({ eventName, event });
    steps.push(step);
    Object.assign(
      process.env,
      step.env,
      { GITHUB_API_URL: github.url },
      inputEnv({ ...defaults, ...inputs }),
    );
  };

  it('sets every output and writes the summary for a labelled pull request', async () => {
    start('pull_request', pullRequestEvent({ labels: ['deploy:linear'] }));
    await run();
    expect(process.exitCode).toBeUndefined();
    const outputs = step.outputs();
    expect(Object.keys(outputs).sort()).toEqual([
      'gates',
      'parameters',
      'plan',
      'source',
      'state',
      'strategy',
      'targets',
      'waves',
      'weights',
    ]);
    expect(outputs).toMatchObject({
      strategy: 'linear',
      source: 'label',
      weights: '[10,20,30,40,50,60,70,80,90,100]',
    });
    expect(step.summaryText()).toContain('chosen by the pull request label `deploy:linear`');
    const permissionChecks = github.requests.filter(
      (r) => r.path === '/repos/acme/shop/collaborators/alice/permission',
    );
    expect(permissionChecks).toHaveLength(1);
    expect(permissionChecks[0]?.headers.authorization).toBe('token ghs_test');
  });

  it('reads the config file from the workspace', async () => {
    start('workflow_dispatch', dispatchEvent(undefined), { environment: 'staging' });
    mkdirSync(join(step.dir, '.github'));
    writeFileSync(
      join(step.dir, '.github', 'shiftgate.yml'),
      'environments:\n  staging:\n    default-strategy: ab-testing\n',
    );
    await run();
    expect(step.outputs()).toMatchObject({ strategy: 'ab-testing', source: 'config', weights: '[50]' });
  });

  it('fails once, sets no output and calls no API when the input is bad', async () => {
    start('pull_request', pullRequestEvent({ labels: ['deploy:canary'] }), { 'allow-forks': 'maybe' });
    const before = github.requests.length;
    await run();
    expect(process.exitCode).toBe(1);
    expect(step.outputs()).toEqual({});
    expect(step.summaryText()).toBe('');
    expect(github.requests.length).toBe(before);
  });

  it('reports an API failure during the permission check as a failure, not a pass', async () => {
    start('pull_request', pullRequestEvent({ labels: ['deploy:canary'] }));
    github.fault({
      path: /collaborators/,
      times: Infinity,
      respond: { status: 500, body: { message: 'boom' } },
    });
    await run();
    github.clearFaults();
    expect(process.exitCode).toBe(1);
    expect(step.outputs()).toEqual({});
  });
});
