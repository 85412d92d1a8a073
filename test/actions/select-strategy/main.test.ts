// The action in-process: inputs faked by name, event payloads from fixtures, GitHub REST served over HTTP
// on loopback so Octokit's real stack runs for the permission check.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseInputs, parseParameters } from '../../../actions/select-strategy/src/inputs';
import { run } from '../../../actions/select-strategy/src/main';
import { GitHubServer } from '../../support/github-server';
import { dispatchEvent, pullRequestEvent } from '../../support/events';
import { inputEnv, stepFiles, type StepFiles } from '../../support/runner';
import { DEFAULT_PROMETHEUS_QUERIES, parsePrometheusQueries, parseServices } from '@shiftgate/core';

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
  cells: '',
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
      cells: null,
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
    ['environment', 'prod\u202e', "Input 'environment' must be an environment name of 1 to 255 letters"],
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

  /** Runs the action in-process and returns what it wrote to stdout (log lines and workflow commands). */
  const captured = async (): Promise<string> => {
    let out = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      return true;
    });
    try {
      await run();
    } finally {
      spy.mockRestore();
    }
    return out;
  };
  it('sets every output and writes the summary for a labelled pull request', async () => {
    start('pull_request', pullRequestEvent({ labels: ['deploy:linear'] }));
    await run();
    expect(process.exitCode).toBeUndefined();
    const outputs = step.outputs();
    expect(Object.keys(outputs).sort()).toEqual([
      'chosen-by',
      'gates',
      'parameters',
      'plan',
      'prometheus-queries',
      'regions',
      'services',
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
      regions: '[]',
      'prometheus-queries': '',
      services: '',
    });
    // The record gets the label and whoever added it, with the role that was checked.
    expect(JSON.parse(outputs['chosen-by']!)).toEqual({
      source: 'label',
      actor: 'alice',
      label: 'deploy:linear',
      permission: 'admin',
    });
    expect(step.summaryText()).toContain('chosen by the pull request label `deploy:linear`');
    const permissionChecks = github.requests.filter(
      (r) => r.path === '/repos/acme/shop/collaborators/alice/permission',
    );
    expect(permissionChecks).toHaveLength(1);
    expect(permissionChecks[0]?.headers.authorization).toBe('token ghs_test');
  });

  it("records a dispatch's chooser as the login that started the run, with no label", async () => {
    start('workflow_dispatch', dispatchEvent('canary'));
    process.env.GITHUB_TRIGGERING_ACTOR = 'octo-ops';
    await run();
    expect(process.exitCode).toBeUndefined();
    expect(JSON.parse(step.outputs()['chosen-by']!)).toEqual({
      source: 'dispatch',
      actor: 'octo-ops',
      label: null,
      permission: null,
    });
  });

  it('records a label that nobody checked (require-permission: none) with the run actor and no role', async () => {
    start('pull_request', pullRequestEvent({ labels: ['deploy:canary'] }), { 'require-permission': 'none' });
    process.env.GITHUB_TRIGGERING_ACTOR = 'not a login';
    await run();
    expect(process.exitCode).toBeUndefined();
    expect(JSON.parse(step.outputs()['chosen-by']!)).toEqual({
      source: 'label',
      actor: null,
      label: 'deploy:canary',
      permission: null,
    });
  });

  it('plans rolling waves over the cells input and puts the cells in the state', async () => {
    const arn = (region: string, rest: string) =>
      `arn:aws:elasticloadbalancing:${region}:123456789012:${rest}`;
    const cells = ['us-east-1', 'us-east-1', 'eu-west-1'].map((region, i) => ({
      name: `cell-${i}`,
      region,
      'listener-arn': arn(region, `listener/app/lb-${i}/0123456789abcdef/000000000000000${i}`),
      'stable-target-group-arn': arn(region, `targetgroup/blue-${i}/000000000000000${i}`),
      'canary-target-group-arn': arn(region, `targetgroup/green-${i}/000000000000000${i}`),
    }));
    start('workflow_dispatch', dispatchEvent('rolling'), { cells: JSON.stringify(cells) });
    const out = await captured();
    expect(process.exitCode).toBeUndefined();
    const outputs = step.outputs();
    expect(JSON.parse(outputs.waves!)).toEqual([['cell-0'], ['cell-1'], ['cell-2']]);
    expect(JSON.parse(outputs.regions!)).toEqual(['us-east-1', 'eu-west-1']);
    const state = JSON.parse(outputs.state!) as {
      cells: Record<string, { region: string; wave: number; status: string }>;
    };
    expect(state.cells['cell-2']).toMatchObject({ region: 'eu-west-1', wave: 3, status: 'untouched' });
    expect(out).toContain(
      '::warning::region us-east-1 (2 cells), region eu-west-1 (1 cell) have fewer than 10 cells, so each one-box (a single cell) serves more than 10%25 of it',
    );
  });

  it('refuses cells whose state could not reach the next actions (128 KiB inputs), and sets no output', async () => {
    const arn = (region: string, rest: string) =>
      `arn:aws:elasticloadbalancing:${region}:123456789012:${rest}`;
    const hex = (n: number) => n.toString(16).padStart(16, '0');
    const cells = (count: number) =>
      Array.from({ length: count }, (_, i) => ({
        name: `us-east-1a-${i + 1}`,
        region: 'us-east-1',
        zone: 'us-east-1a',
        'listener-arn': arn('us-east-1', `listener/app/cell-${i}/${hex(i)}/${hex(i + 1)}`),
        'stable-target-group-arn': arn('us-east-1', `targetgroup/cell-${i}-blue/${hex(i)}`),
        'canary-target-group-arn': arn('us-east-1', `targetgroup/cell-${i}-green/${hex(i)}`),
      }));
    start('workflow_dispatch', dispatchEvent('rolling'), { cells: JSON.stringify(cells(300)) });
    const out = await captured();
    expect(process.exitCode).toBe(1);
    expect(step.outputs()).toEqual({});
    expect(out).toMatch(
      /Input 'cells' has 300 cells, whose rollout state is \d+ characters: actions receive/,
    );
  });

  it('refuses cells with a duplicate name, naming the cell, and sets no output', async () => {
    const cell = {
      name: 'a',
      region: 'us-east-1',
      'listener-arn':
        'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/lb/0123456789abcdef/0123456789abcdef',
      'stable-target-group-arn':
        'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/b/0123456789abcdef',
      'canary-target-group-arn':
        'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/g/0123456789abcdef',
    };
    start('workflow_dispatch', dispatchEvent('rolling'), { cells: JSON.stringify([cell, cell]) });
    const out = await captured();
    expect(process.exitCode).toBe(1);
    expect(step.outputs()).toEqual({});
    expect(out).toContain("Input 'cells' has two cells named 'a'");
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
    // No prometheus.queries in the file: nothing for run-plan's prometheus-queries.
    expect(step.outputs()['prometheus-queries']).toBe('');
  });

  it("plans a saga over the environment's configured services and outputs them for run-plan", async () => {
    start('workflow_dispatch', dispatchEvent('saga'), { environment: 'production' });
    mkdirSync(join(step.dir, '.github'));
    writeFileSync(
      join(step.dir, '.github', 'shiftgate.yml'),
      [
        'environments:',
        '  production:',
        '    services:',
        '      - { name: payment, deployment-order: 2, deploy: ./deploy.sh payment, compensate: ./undo.sh payment }',
        '      - { name: order, deployment-order: 1, deploy: ./deploy.sh order, compensate: ./undo.sh order }',
        '',
      ].join('\n'),
    );
    await run();
    const outputs = step.outputs();
    expect(outputs.strategy).toBe('saga');
    expect(JSON.parse(outputs.parameters!).services).toEqual(['order', 'payment']);
    // The text run-plan's services input parses: the same services, commands included.
    const services = parseServices('services', outputs.services!);
    expect(services.map((s) => [s.name, s.deploy])).toEqual([
      ['order', './deploy.sh order'],
      ['payment', './deploy.sh payment'],
    ]);
  });

  it('refuses services in the config file that lack a compensate command, naming the file and key', async () => {
    start('workflow_dispatch', dispatchEvent('saga'), { environment: 'production' });
    mkdirSync(join(step.dir, '.github'));
    writeFileSync(
      join(step.dir, '.github', 'shiftgate.yml'),
      'environments:\n  production:\n    services:\n      - { name: order, deploy: ./deploy.sh }\n',
    );
    const out = await captured();
    expect(process.exitCode).toBe(1);
    expect(step.outputs()).toEqual({});
    expect(out).toMatch(
      /shiftgate\.yml:4:\d+: 'environments\.production\.services' .*service 'order' needs 'compensate'/,
    );
  });

  it("outputs the config file's PromQL templates (defaults filled in) for run-plan and bake-and-gate", async () => {
    start('workflow_dispatch', dispatchEvent('canary'), { environment: 'staging' });
    mkdirSync(join(step.dir, '.github'));
    writeFileSync(
      join(step.dir, '.github', 'shiftgate.yml'),
      'prometheus:\n  queries:\n    requests: sum(increase(http_requests_total{service="{{canary}}"}[{{window}}]))\n',
    );
    await run();
    const queries = JSON.parse(step.outputs()['prometheus-queries']!) as Record<string, string>;
    expect(queries.requests).toBe('sum(increase(http_requests_total{service="{{canary}}"}[{{window}}]))');
    expect(queries.errors).toBe(DEFAULT_PROMETHEUS_QUERIES.errors);
    // What run-plan's input parser reads back is the same mapping.
    expect(parsePrometheusQueries('prometheus-queries', step.outputs()['prometheus-queries']!)).toEqual(
      queries,
    );
  });

  it.each([
    ['an absolute path outside', { config: '/etc/shadow' }, '/etc/shadow'],
    ['a parent path', { config: '../../etc/passwd' }, '../../etc/passwd'],
  ])('refuses a config file at %s before reading it', async (_what, inputs, shown) => {
    start('workflow_dispatch', dispatchEvent('canary'), inputs);
    const out = await captured();
    expect(process.exitCode).toBe(1);
    expect(step.outputs()).toEqual({});
    expect(out).toContain(`Input 'config' names '${shown}', which is outside the workspace`);
    expect(out).not.toContain('root:');
  });

  it('refuses the default config path when it is a symlink out of the workspace', async () => {
    start('workflow_dispatch', dispatchEvent('canary'));
    mkdirSync(join(step.dir, '.github'));
    symlinkSync('/etc/passwd', join(step.dir, '.github', 'shiftgate.yml'));
    const out = await captured();
    expect(process.exitCode).toBe(1);
    expect(step.outputs()).toEqual({});
    expect(out).toContain("Input 'config' names '.github/shiftgate.yml', which is outside the workspace");
    expect(out).not.toContain('root:');
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

  describe('whoever added the label', () => {
    // Pull request numbers of their own so the timelines of one test do not leak into another.
    let number = 100;
    const timeline = (events: { event: string; label?: string; actor: string | null }[]) => {
      number += 1;
      github.addIssueEvents('acme/shop', number, events);
      return number;
    };
    const eventsRequests = (n: number) =>
      github.requests.filter((r) => r.path === `/repos/acme/shop/issues/${n}/events`);

    beforeAll(() => {
      github.setPermission('acme/shop', 'trudy', 'triage');
      github.setPermission('acme/shop', 'maude', 'maintain');
      github.setCustomRole('acme/shop', 'carol', 'deployer', 'write');
      github.setCustomRole('acme/shop', 'rita', 'auditor', 'read');
    });

    it('refuses a label a triage user added when a maintainer merges', async () => {
      const n = timeline([
        { event: 'labeled', label: 'deploy:linear', actor: 'trudy' },
        { event: 'merged', actor: 'maude' },
        { event: 'closed', actor: 'maude' },
      ]);
      start(
        'pull_request',
        pullRequestEvent({
          action: 'closed',
          merged: true,
          number: n,
          labels: ['deploy:linear'],
          sender: 'maude',
        }),
      );
      const out = await captured();
      expect(process.exitCode).toBe(1);
      expect(step.outputs()).toEqual({});
      expect(out).toContain(
        "trudy (who added the label 'deploy:linear') has 'triage' permission on acme/shop, and choosing a strategy with label 'deploy:linear' needs 'write' or more",
      );
      expect(github.requests.some((r) => r.path.endsWith('/collaborators/maude/permission'))).toBe(false);
    });

    it('checks the adder, not the pusher, on synchronize', async () => {
      const n = timeline([{ event: 'labeled', label: 'deploy:canary', actor: 'alice' }]);
      start(
        'pull_request',
        pullRequestEvent({ action: 'synchronize', number: n, labels: ['deploy:canary'], sender: 'trudy' }),
      );
      const out = await captured();
      expect(process.exitCode).toBeUndefined();
      expect(step.outputs().strategy).toBe('canary');
      expect(eventsRequests(n)).toHaveLength(1);
      expect(out).toContain("The label 'deploy:canary' was added by alice");
      // The pusher started the run; the record says who chose the strategy.
      expect(JSON.parse(step.outputs()['chosen-by']!)).toMatchObject({ actor: 'alice', permission: 'admin' });
    });

    it('takes the latest labeled event when the label was removed and added again', async () => {
      const n = timeline([
        { event: 'labeled', label: 'deploy:canary', actor: 'alice' },
        { event: 'unlabeled', label: 'deploy:canary', actor: 'alice' },
        { event: 'labeled', label: 'Deploy:Canary', actor: 'trudy' },
      ]);
      start(
        'pull_request_review',
        pullRequestEvent({ action: 'submitted', number: n, labels: ['deploy:canary'] }),
      );
      const out = await captured();
      expect(process.exitCode).toBe(1);
      expect(out).toContain("trudy (who added the label 'deploy:canary') has 'triage' permission");
    });

    it('reads every page of the timeline', async () => {
      const noise = Array.from({ length: 230 }, (_, i) => ({ event: 'commented', actor: `user${i}` }));
      const n = timeline([
        ...noise.slice(0, 150),
        { event: 'labeled', label: 'deploy:canary', actor: 'trudy' },
        ...noise.slice(150),
      ]);
      start('pull_request', pullRequestEvent({ action: 'closed', number: n, labels: ['deploy:canary'] }));
      const out = await captured();
      expect(process.exitCode).toBe(1);
      expect(eventsRequests(n).map((r) => r.query.get('page'))).toEqual(['1', '2', '3']);
      expect(out).toContain('trudy (who added the label');
    });

    it('uses the sender on the labeled event itself, without reading the timeline', async () => {
      start('pull_request', pullRequestEvent({ number: 7, labels: ['deploy:canary'], sender: 'alice' }));
      const before = github.requests.length;
      const out = await captured();
      expect(process.exitCode).toBeUndefined();
      expect(github.requests.slice(before).map((r) => r.path)).toEqual([
        '/repos/acme/shop/collaborators/alice/permission',
      ]);
      expect(out).toContain("The label 'deploy:canary' was added by alice, who has 'admin' permission");
    });

    it('reads the timeline when the labeled event added a different label', async () => {
      const n = timeline([{ event: 'labeled', label: 'deploy:canary', actor: 'trudy' }]);
      const event = pullRequestEvent({
        number: n,
        labels: ['deploy:canary', 'needs-review'],
        sender: 'alice',
      });
      start('pull_request', event);
      const out = await captured();
      expect(process.exitCode).toBe(1);
      expect(out).toContain('trudy (who added the label');
    });

    it.each([
      [
        'the API fails',
        500,
        'failed: boom. shiftgate refuses to deploy when it cannot tell who chose the strategy',
      ],
      ['the token may not read issues', 403, "Give the token 'issues: read'"],
    ])('fails closed when %s', async (_what, status, message) => {
      const n = timeline([{ event: 'labeled', label: 'deploy:canary', actor: 'alice' }]);
      start('pull_request', pullRequestEvent({ action: 'closed', number: n, labels: ['deploy:canary'] }));
      github.fault({
        path: /\/issues\/\d+\/events$/,
        times: Infinity,
        respond: { status, body: { message: 'boom' } },
      });
      const out = await captured();
      github.clearFaults();
      expect(process.exitCode).toBe(1);
      expect(step.outputs()).toEqual({});
      expect(out).toContain(message);
    });

    it.each([
      ['no one is seen adding the label', [{ event: 'closed', actor: 'maude' }], 'show no one adding it'],
      [
        'a deleted account added it',
        [{ event: 'labeled', label: 'deploy:canary', actor: null }],
        'a deleted account',
      ],
    ])('refuses when %s', async (_what, events, message) => {
      const n = timeline(events);
      start('pull_request', pullRequestEvent({ action: 'closed', number: n, labels: ['deploy:canary'] }));
      const out = await captured();
      expect(process.exitCode).toBe(1);
      expect(out).toContain(message);
    });

    it('accepts a custom role built on write, and refuses one built on read', async () => {
      const ok = timeline([{ event: 'labeled', label: 'deploy:canary', actor: 'carol' }]);
      start('pull_request', pullRequestEvent({ action: 'closed', number: ok, labels: ['deploy:canary'] }));
      const out = await captured();
      expect(process.exitCode).toBeUndefined();
      expect(out).toContain("who has 'deployer (a custom role on write)' permission");
      expect(JSON.parse(step.outputs()['chosen-by']!)).toMatchObject({
        actor: 'carol',
        permission: 'deployer (a custom role on write)',
      });
      process.exitCode = undefined;
      const no = timeline([{ event: 'labeled', label: 'deploy:canary', actor: 'rita' }]);
      start('pull_request', pullRequestEvent({ action: 'closed', number: no, labels: ['deploy:canary'] }));
      const refused = await captured();
      expect(process.exitCode).toBe(1);
      expect(refused).toContain(
        "rita (who added the label 'deploy:canary') has the custom role 'auditor' (base 'read')",
      );
    });

    it('refuses a fork pull request on a review event', async () => {
      start(
        'pull_request_review',
        pullRequestEvent({ action: 'submitted', fork: true, labels: ['deploy:canary'] }),
      );
      const out = await captured();
      expect(process.exitCode).toBe(1);
      expect(out).toContain('comes from a fork (mallory/shop)');
    });
  });
});
