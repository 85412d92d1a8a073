// The examples' job and step conditions evaluated on the paths that matter: a good switch is never reversed
// by a later failure, a failed gate always is, and every example queues behind the reusable workflow.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadWorkflow, simulateWorkflow, type SimulatedStep } from '../support/composite';
import { condition, interpolate, toData } from '../support/expressions';

const STATE = '{"schema-version":1}';
const github = {
  sha: 'abc1234',
  token: 'ghs',
  repository: 'acme/shop',
  event: { repository: { default_branch: 'main' } },
};

/** Outputs a step of ours would set, enough for the examples' expressions. */
function outputs(_job: string, step: SimulatedStep): Record<string, string> {
  switch (step.action) {
    case 'select-strategy':
      return { state: STATE, strategy: 'canary' };
    case 'record-deployment':
      return step.with.status ? {} : { 'deployment-id': '77', state: STATE };
    case 'shift-traffic':
    case 'bake-and-gate':
      return { state: STATE };
    case 'rollback':
      return { 'rolled-back': 'true', state: STATE };
    default:
      return {};
  }
}

const fails =
  (which: (job: string, step: SimulatedStep) => boolean) =>
  (job: string, step: SimulatedStep): 'success' | 'failure' =>
    which(job, step) ? 'failure' : 'success';

const ran = (steps: SimulatedStep[], action: string) => steps.filter((s) => s.ran && s.action === action);

describe('examples/blue-green.yml', () => {
  const workflow = loadWorkflow('examples/blue-green.yml');

  it('keeps a switch the gate passed when recording the success fails', () => {
    const sim = simulateWorkflow(workflow, {
      inputs: {},
      github,
      outputs,
      outcome: fails((_j, s) => s.action === 'record-deployment' && s.with.status === 'succeeded'),
    });
    const steps = sim.jobs.deploy!.steps;
    expect(ran(steps, 'rollback')).toHaveLength(0);
    expect(ran(steps, 'record-deployment').map((s) => s.with.status ?? 'start')).toEqual([
      'start',
      'succeeded',
    ]);
  });

  it('rolls back and records it when the gate fails', () => {
    const sim = simulateWorkflow(workflow, {
      inputs: {},
      github,
      outputs,
      outcome: fails((_j, s) => s.id === 'gate'),
    });
    const steps = sim.jobs.deploy!.steps;
    expect(ran(steps, 'rollback')).toHaveLength(1);
    expect(ran(steps, 'record-deployment').at(-1)?.with.status).toBe('rolled_back');
  });
});

describe('examples/canary-with-approval.yml', () => {
  const workflow = loadWorkflow('examples/canary-with-approval.yml');
  const inputs = { version: 'v2.0.0' };

  it('never rolls back a promotion when recording the success fails', () => {
    const sim = simulateWorkflow(workflow, {
      inputs,
      github,
      outputs,
      outcome: fails((_j, s) => s.action === 'record-deployment' && s.with.status === 'succeeded'),
    });
    expect(sim.jobs.record!.status).toBe('failure');
    expect(sim.jobs.rollback!.ran).toBe(false);
  });

  it('switches to 100% without a post step that could restore 50/50', () => {
    const sim = simulateWorkflow(workflow, { inputs, github, outputs });
    const [shift] = ran(sim.jobs.promote!.steps, 'shift-traffic');
    expect(shift?.with['restore-on-failure']).toBe('false');
    expect(sim.jobs.rollback!.ran).toBe(false);
  });

  it.each([
    ['the first gate', (job: string, s: SimulatedStep) => job === 'canary-10' && s.id === 'gate'],
    ['the second gate', (job: string, s: SimulatedStep) => job === 'canary-50' && s.id === 'gate'],
    ['the switch to 100%', (job: string, s: SimulatedStep) => job === 'promote' && s.id === 'shift'],
  ])('rolls back when %s fails', (_what, which) => {
    const sim = simulateWorkflow(workflow, { inputs, github, outputs, outcome: fails(which) });
    expect(sim.jobs.rollback!.ran).toBe(true);
    expect(ran(sim.jobs.rollback!.steps, 'rollback')).toHaveLength(1);
  });
});

describe('examples/rollback-to-last-good.yml', () => {
  const text = readFileSync('examples/rollback-to-last-good.yml', 'utf8');

  it('runs the deploy workflow on a branch, never on a commit sha', () => {
    expect(text).toMatch(/gh workflow run deploy\.yml --ref "\$DEFAULT_BRANCH"/);
    expect(text).not.toMatch(/--ref "\$sha"/);
  });

  it('checks the recorded version before it reaches the shell', () => {
    const run = (
      parseYaml(text) as { jobs: { rollback: { steps: { run?: string }[] } } }
    ).jobs.rollback.steps.find((s) => s.run)!.run!;
    const check = run.indexOf('=~ ^[A-Za-z0-9]');
    expect(check).toBeGreaterThan(0);
    expect(check).toBeLessThan(run.indexOf('echo "Redeploying'));
  });
});

describe('examples/cells.yml', () => {
  const example = parseYaml(readFileSync('examples/cells.yml', 'utf8')) as {
    jobs: { deploy: { uses: string; with: Record<string, string | boolean> } };
  };
  const reusable = loadWorkflow('.github/workflows/progressive-deploy.yml');

  it('calls the reusable workflow in per-region mode, one job per region in its own environment', () => {
    const { uses, with: given } = example.jobs.deploy;
    expect(uses).toBe('shiftgate/shiftgate/.github/workflows/progressive-deploy.yml@v0');
    // The example's inputs, evaluated as the caller's run would, go to this repository's workflow.
    const ctx = toData(
      {
        inputs: { version: 'v2.0.0' },
        vars: { SHIFTGATE_ROLE_ARN: 'arn:aws:iam::123456789012:role/deploy' },
      },
      '',
      () => false,
    ) as Parameters<typeof interpolate>[1];
    const inputs = Object.fromEntries(
      Object.entries(given).map(([k, v]) => [k, typeof v === 'string' ? interpolate(v, ctx) : v]),
    ) as Record<string, string>;
    const regions = ['us-east-1', 'us-west-2', 'eu-west-1'];
    const sim = simulateWorkflow(reusable, {
      inputs,
      github,
      outputs: (job, step) => {
        switch (step.action) {
          case 'select-strategy':
            return {
              strategy: 'rolling',
              parameters: '{}',
              state: STATE,
              gates: '{}',
              targets: '{}',
              regions: JSON.stringify(regions),
            };
          case 'run-plan':
            return { decision: job === 'region-3' ? 'promote' : 'paused', state: STATE, trace: '{}' };
          default:
            return outputs(job, step);
        }
      },
    });
    const ran = Object.keys(sim.jobs).filter((j) => sim.jobs[j]!.ran && j.startsWith('region-'));
    expect(ran.map((j) => sim.jobs[j]!.environment)).toEqual(regions.map((r) => `production-${r}`));
    expect(sim.jobs.deploy!.ran).toBe(false);
    expect(sim.outputs.decision).toBe('promote');
  });
});

describe('concurrency', () => {
  it('uses one group name, shiftgate-<environment>, in every example and the reusable workflow', () => {
    const files = [
      '.github/workflows/progressive-deploy.yml',
      ...readdirSync('examples').map((f) => `examples/${f}`),
    ];
    for (const file of files) {
      const groups = [...readFileSync(file, 'utf8').matchAll(/^\s*group:\s*(.+)$/gm)].map((m) => m[1]!);
      expect(groups.length, file).toBeGreaterThan(0);
      for (const group of groups) expect(group, file).toMatch(/^shiftgate-/);
    }
  });
});

describe('examples/dashboard.yml', () => {
  const doc = parseYaml(readFileSync('examples/dashboard.yml', 'utf8')) as {
    permissions: unknown;
    jobs: Record<
      string,
      {
        permissions: Record<string, string>;
        steps: { uses?: string; if?: string; with?: Record<string, string> }[];
      }
    >;
  };
  const contexts = (event: string) =>
    toData(
      {
        github: { event_name: event, run_id: '9', token: 'ghs', event: { workflow_run: { id: 42 } } },
        secrets: { SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/X' },
        vars: { DASHBOARD_URL: 'https://acme.github.io/shop/' },
        steps: { deployment: { outputs: { page_url: 'https://acme.github.io/shop/' } } },
      },
      '',
      () => false,
    ) as Parameters<typeof interpolate>[1];

  it('grants each job only what it needs: reads to build, pages and id-token to publish', () => {
    expect(doc.permissions).toEqual({});
    expect(doc.jobs.build!.permissions).toEqual({ deployments: 'read', contents: 'read', actions: 'read' });
    expect(doc.jobs.publish!.permissions).toEqual({ pages: 'write', 'id-token': 'write' });
  });

  it('collects the traces of every example that uploads them: those calling the composite or the reusable workflow, and the saga', () => {
    const names = (doc as unknown as { on: { workflow_run: { workflows: string[] } } }).on.workflow_run
      .workflows;
    const uploaders = readdirSync('examples')
      .filter((f) => f.endsWith('.yml'))
      .map((f) => readFileSync(join('examples', f), 'utf8'))
      .filter((text) =>
        /uses: shiftgate\/shiftgate\/(?:actions\/progressive-deploy|\.github\/workflows\/progressive-deploy\.yml)@|name: shiftgate-trace-/.test(
          text,
        ),
      )
      .map((text) => /^name: (.+)$/m.exec(text)![1]!.replace(/^'(.*)'$/, '$1'));
    expect(uploaders.length).toBeGreaterThanOrEqual(4);
    expect([...names].sort()).toEqual([...uploaders].sort());
    // The collector's pattern matches what they upload, and never a region job's part.
    const download = doc.jobs.build!.steps.find((s) => s.uses === 'actions/download-artifact@v4')!;
    expect(download.with!.pattern).toBe('shiftgate-trace-*');
    expect(String(download.with!['merge-multiple'])).toBe('true');
  });

  it('posts the Slack summary from the scheduled run only, and collects traces after deploy runs only', () => {
    const steps = doc.jobs.build!.steps;
    const dashboard = steps.find((s) => s.with?.mode === 'dashboard')!;
    const download = steps.find((s) => s.uses === 'actions/download-artifact@v4')!;
    expect(interpolate(dashboard.with!['slack-webhook-url']!, contexts('schedule'))).toBe(
      'https://hooks.slack.com/services/T/B/X',
    );
    expect(interpolate(dashboard.with!['slack-webhook-url']!, contexts('workflow_run'))).toBe('');
    expect(interpolate(dashboard.with!['slack-webhook-url']!, contexts('workflow_dispatch'))).toBe('');
    expect(condition(download.if, contexts('workflow_run'), 'success')).toBe(true);
    expect(condition(download.if, contexts('schedule'), 'success')).toBe(false);
    expect(interpolate(download.with!['run-id']!, contexts('workflow_run'))).toBe('42');
  });
});
