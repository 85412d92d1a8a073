import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CloudWatchServer } from '../support/cloudwatch-server';
import type { Elbv2Server } from '../support/elbv2-server';
import { CANARY, LISTENER, STABLE, useAlbFakes } from '../support/alb-fakes';
import { buildPlan, createRolloutState, parseRolloutState, serializeRolloutState } from '@shiftgate/core';
import { cli } from '../support/cli';

const CANARY_FLAGS = ['--strategy', 'canary', '--param', 'steps=10,50,100', '--param', 'bake-time=3m'];

describe('shiftgate deploy --simulate', () => {
  it('promotes a healthy canary and prints each step and poll as plain lines', async () => {
    const { code, stdout, stderr } = await cli(['deploy', '--simulate', ...CANARY_FLAGS]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^simulating canary \(healthy, seed 42\) on arn:aws:elasticloadbalancing:/);
    expect(stdout).toMatch(/^09:00 step 1\/5: shift 10% of traffic to the new version$/m);
    expect(stdout).toMatch(/^09:0\d {3}\[3m\/3m\] canary \d+ req, .* — promote: every gate passed/m);
    expect(stdout).toMatch(
      /\npromoted: all 5 steps of the canary plan passed\nstatus promoted, step 5 of 5, traffic stable 0% \/ canary 100%\n$/,
    );
  });

  it.each([
    // Its p99 more than doubles with its errors: the latency-increase count test sees it first.
    [
      'step-regression',
      /(canary error rate .* > max-error-rate 1%|canary requests over \(1 \+ 20%\) × the baseline p99 .* > max-latency-increase 20%) with [\d.]+% confidence .*: rollback; traffic restored to stable/,
    ],
    ['host-failure', /canary healthy hosts .* < min-healthy-percent 95%/],
    ['low-traffic', /inconclusive after 15m \(on-inconclusive: rollback\)/],
  ])('rolls back a %s canary and exits 1', async (scenario, reason) => {
    const { code, stdout } = await cli([
      'deploy',
      '--simulate',
      ...CANARY_FLAGS,
      '--scenario',
      scenario,
      '--at',
      '2',
    ]);
    expect(code).toBe(1);
    expect(stdout).toMatch(reason);
    expect(stdout).toMatch(/status rolled-back, step \d of 5, traffic stable 100% \/ canary 0%/);
  });

  it('prints the same run for the same seed, and a different one for another seed', async () => {
    const argv = ['deploy', '--simulate', ...CANARY_FLAGS, '--scenario', 'slow-leak', '--at', '1'];
    const a = await cli([...argv, '--seed', '7']);
    const b = await cli([...argv, '--seed', '7']);
    const c = await cli([...argv, '--seed', '8']);
    expect(b.stdout).toBe(a.stdout);
    expect(c.stdout).not.toBe(a.stdout);
  });

  it('prints JSON on stdout with --json, progress on stderr, and writes the state with --state-out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftgate-deploy-'));
    const { code, stdout, stderr } = await cli(
      ['deploy', '--simulate', ...CANARY_FLAGS, '--json', '--state-out', 'state.json'],
      { cwd: dir },
    );
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(doc).toMatchObject({
      decision: 'promote',
      cancelled: false,
      restored: true,
      state: { status: 'promoted' },
    });
    expect(doc.trace.steps).toHaveLength(5);
    expect(stderr).toContain('step 1/5: shift 10%');
    expect(parseRolloutState('file', readFileSync(join(dir, 'state.json'), 'utf8')).status).toBe('promoted');
  });

  it('pauses an A/B test at its approval and resumes it from the state file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftgate-deploy-'));
    const first = await cli(
      ['deploy', '--simulate', '--strategy', 'ab-testing', '--param', 'duration=3m', '--state-out', 's.json'],
      { cwd: dir },
    );
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/paused at step 3 for approval: A\/B test complete/);
    const state = parseRolloutState('s', readFileSync(join(dir, 's.json'), 'utf8'));
    expect(state).toMatchObject({ status: 'paused', step: 3, weights: { stable: 50, canary: 50 } });
  });

  it('rides out injected faults: throttled metric reads and a lost write answer', async () => {
    const { code, stdout } = await cli([
      'deploy',
      '--simulate',
      ...CANARY_FLAGS,
      '--fault',
      'throttle:metrics:2:1',
      '--fault',
      'lost-response:2',
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /provider error, retrying: GetMetricData .* Throttling: Rate exceeded \(simulated\)/,
    );
  });

  describe('with --metric-queries: each judged query gets values from the model', () => {
    const QUERIES =
      '--metric-queries=[{id: cpu, namespace: AWS/ECS, metric: CPUUtilization, stat: Average, max: 80},' +
      ' {id: orders, namespace: Shop, metric: Orders, stat: Sum, min: 100}]';
    type Doc = {
      decision: string;
      reason: string;
      trace: { steps: { health?: { checks: { name: string; phase: string; observed: number | null }[] } }[] };
    };
    const custom = (doc: Doc) =>
      doc.trace.steps
        .flatMap((s) => s.health?.checks ?? [])
        .filter((c) => c.name.startsWith('metric-queries.'));

    it('promotes a healthy canary, each query inside its limit (never "no data")', async () => {
      const { code, stdout } = await cli(['deploy', '--simulate', '--strategy', 'canary', QUERIES, '--json']);
      const doc = JSON.parse(stdout) as Doc;
      expect(doc.decision).toBe('promote');
      expect(code).toBe(0);
      const checks = custom(doc);
      expect(checks.length).toBeGreaterThan(0);
      for (const c of checks) {
        expect(c.phase).toBe('Successful');
        expect(c.observed).toBeCloseTo(c.name.endsWith('cpu') ? 48 : 140, -1);
      }
    });

    it('rolls back a regression on the query when the built-in gates are set aside', async () => {
      const { code, stdout } = await cli([
        'deploy',
        '--simulate',
        '--strategy',
        'canary',
        '--scenario',
        'step-regression',
        QUERIES,
        '--max-error-rate=50%',
        '--max-latency-increase=1000%',
        '--max-p99-latency=100000',
        '--json',
      ]);
      const doc = JSON.parse(stdout) as Doc;
      expect(code).toBe(1);
      expect(doc.decision).toBe('rollback');
      expect(doc.reason).toMatch(
        /^rollback: (cpu \S+ .*> metric-queries\.cpu max 80|orders \S+ .*< metric-queries\.orders min 100)/,
      );
    });
  });

  it('rolls back when someone else reverts the weights mid-rollout', async () => {
    const { code, stdout } = await cli(['deploy', '--simulate', ...CANARY_FLAGS, '--fault', 'revert:3:60s']);
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /does not carry the expected weights: expected stable 50% \/ canary 50% \(from the rollout state\), found stable shop-blue 90, canary shop-green 10/,
    );
  });

  it('runs flag hooks with SHIFTGATE_* variables', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftgate-deploy-'));
    const { code, stderr } = await cli(
      [
        'deploy',
        '--simulate',
        '--strategy',
        'feature-flag',
        '--param',
        'flag-steps=50,100',
        '--param',
        'flag-command=echo "flag $SHIFTGATE_PHASE $SHIFTGATE_EXPOSURE"; test "$SHIFTGATE_EXPOSURE" != 100',
        '--param',
        'bake-time=2m',
      ],
      { cwd: dir, env: { PATH: process.env.PATH } },
    );
    expect(code).toBe(1);
    expect(stderr).toContain('flag rollout 50\n');
    expect(stderr).toContain('flag rollback 0\n');
  });

  it.each([
    [['deploy', '--simulate'], "give --strategy <name> (or --state <file>). See 'shiftgate deploy --help'."],
    [
      ['deploy', '--simulate', ...CANARY_FLAGS, '--scenario', 'meltdown'],
      "Input '--scenario' must be one of healthy",
    ],
    [['deploy', ...CANARY_FLAGS, '--scenario', 'healthy'], '--scenario only applies with --simulate'],
    [
      ['deploy', '--simulate', ...CANARY_FLAGS, '--listener-arn', 'x'],
      '--listener-arn cannot be used with --simulate',
    ],
    [['deploy', '--simulate', ...CANARY_FLAGS, '--fault', 'explode'], "Input '--fault' must be 'throttle:"],
    [
      ['deploy', '--simulate', ...CANARY_FLAGS, '--poll-interval', '90s'],
      "Input 'poll-interval' must be whole minutes",
    ],
    [
      ['deploy', '--simulate', '--strategy', 'rolling', '--param', 'cells=a,b'],
      'is a batch step, which needs a batch hook',
    ],
    [
      ['deploy', '--simulate', '--strategy', 'rolling', '--cells', '4', '--bad-cell', 'nope'],
      "Input '--bad-cell' must be a generated cell name such as us-east-1a-1, got 'nope'",
    ],
    [['deploy', '--simulate', '--strategy', 'rolling', '--zones', '2'], '--zones only applies with --cells'],
    [
      ['deploy', '--simulate', '--strategy', 'rolling', '--cells', '4', '--regions', 'mars'],
      "Input '--regions' must be AWS regions such as us-east-1,eu-west-1, got 'mars'",
    ],
    [['deploy', '--strategy', 'rolling', '--cells', '4'], '--cells only applies with --simulate'],
    [['deploy', '--simulate', '--state', 'nope.json'], 'cannot read --state nope.json: ENOENT'],
    [['deploy', '--simulate', ...CANARY_FLAGS, '--bogus'], "Unknown option '--bogus'"],
    [
      ['deploy', '--simulate', ...CANARY_FLAGS, '--version', 'v1<img src=x>'],
      "Input '--version' must be a version of 1 to 256",
    ],
    [
      ['deploy', '--simulate', ...CANARY_FLAGS, '--environment', 'prod\n::warning::x'],
      "Input '--environment' must be an environment name of 1 to 255 letters, digits, spaces and . _ / - starting with a letter or digit, got 'prod\\u000a::warning::x'",
    ],
  ])('exits 2 on %j', async (argv, message) => {
    const { code, stderr } = await cli(argv);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it('documents its flags and exit codes in --help', async () => {
    const { code, stdout } = await cli(['deploy', '--help']);
    expect(code).toBe(0);
    for (const flag of [
      '--max-error-rate',
      '--poll-interval',
      '--flag-command',
      '--simulate',
      '--fault',
      '--json',
    ])
      expect(stdout).toContain(flag);
    expect(stdout).toContain('Exit codes: 0 promoted or paused at an approval, 1 rolled back');
  });
});

describe('shiftgate deploy against AWS (the loopback ELBv2 and CloudWatch fakes)', () => {
  const fakes = useAlbFakes();
  let elbv2: Elbv2Server;
  let cloudwatch: CloudWatchServer;
  beforeAll(() => {
    ({ elbv2, cloudwatch } = fakes);
  });
  const env = () => ({
    AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: elbv2.url,
    AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDSHIFTGATETEST',
    AWS_SECRET_ACCESS_KEY: 'shiftgate-test-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
  });

  it('refuses a plan it cannot run before any AWS call', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, env());
    try {
      const { code, stderr } = await cli(
        [
          'deploy',
          '--strategy',
          'canary',
          '--listener-arn',
          LISTENER,
          '--stable-target-group-arn',
          STABLE,
          '--canary-target-group-arn',
          STABLE,
        ],
        { env: env() },
      );
      expect(code).toBe(2);
      expect(stderr).toContain(
        "Input 'canary-target-group-arn' must be a target group other than the stable target group",
      );
      expect(elbv2.requests).toEqual([]);
    } finally {
      process.env = saved;
    }
  });

  it('rolls back on a pre-switch check of unhealthy hosts without moving traffic', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, env());
    cloudwatch.metrics = (query) =>
      query.metric?.name === 'HealthyHostCount'
        ? 1
        : query.metric?.name === 'UnHealthyHostCount'
          ? 3
          : undefined;
    try {
      const { code, stdout } = await cli(
        [
          'deploy',
          '--strategy',
          'blue-green',
          '--param',
          'pre-switch-checks=true',
          '--listener-arn',
          LISTENER,
          '--stable-target-group-arn',
          STABLE,
          '--canary-target-group-arn',
          CANARY,
        ],
        { env: env() },
      );
      expect(code).toBe(1);
      expect(stdout).toMatch(
        /pre-switch gate: rollback: canary healthy hosts 25% \(1 of 4\) < min-healthy-percent 95%/,
      );
      expect(elbv2.actions((r) => r.action.startsWith('Modify'))).toEqual([]);
      expect(cloudwatch.requests[0]!.headers['user-agent']).toMatch(/shiftgate\/0\.1\.0.*cli-deploy/);
    } finally {
      process.env = saved;
    }
  });

  it('continues a state file left by run-plan', async () => {
    const plan = buildPlan('canary', { steps: '10,100' });
    const dir = mkdtempSync(join(tmpdir(), 'shiftgate-deploy-'));
    const state = {
      ...createRolloutState({
        strategy: 'canary',
        parameters: plan.parameters,
        plan: plan.steps,
        now: new Date(),
      }),
      status: 'promoted' as const,
    };
    writeFileSync(join(dir, 'state.json'), serializeRolloutState(state));
    const { code, stderr } = await cli(['deploy', '--state', 'state.json', '--listener-arn', LISTENER], {
      cwd: dir,
      env: env(),
    });
    expect(code).toBe(2);
    expect(stderr).toContain("Input 'state' is a rollout that is already promoted");
  });
});

describe('shiftgate deploy --state with a command in it', () => {
  const stateWith = (command: string) => {
    const plan = buildPlan('feature-flag', { 'flag-command': command, 'flag-steps': '50,100' });
    const dir = mkdtempSync(join(tmpdir(), 'shiftgate-deploy-'));
    writeFileSync(
      join(dir, 'state.json'),
      serializeRolloutState(
        createRolloutState({
          strategy: 'feature-flag',
          parameters: plan.parameters,
          plan: plan.steps,
          now: new Date(),
        }),
      ),
    );
    return dir;
  };

  it.each([
    [
      [],
      'it is empty, so nothing was changed. The rollout state carries a command of its own, which shiftgate never runs',
    ],
    [
      ['--flag-command', './set-flag.sh'],
      "carries a flag command that differs from this run's 'flag-command'",
    ],
  ])("never runs the state file's command (%j)", async (flags, message) => {
    const dir = stateWith('touch pwned');
    const { code, stderr } = await cli(['deploy', '--simulate', '--state', 'state.json', ...flags], {
      cwd: dir,
      env: { PATH: process.env.PATH },
    });
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(() => readFileSync(join(dir, 'pwned'))).toThrow();
  });
});

describe('shiftgate deploy --simulate blue-green', () => {
  it('promotes a healthy switch: with all traffic on green there is no baseline to compare with', async () => {
    const { code, stdout } = await cli([
      'deploy',
      '--simulate',
      '--strategy',
      'blue-green',
      '--param',
      'bake-time=3m',
    ]);
    expect(stdout).toContain('promoted: all 3 steps of the blue-green plan passed');
    expect(code).toBe(0);
  });
});

describe('shiftgate deploy --simulate over cells', () => {
  const CELLS = [
    'deploy',
    '--simulate',
    '--strategy',
    'rolling',
    '--cells',
    '24',
    '--regions',
    'us-east-1,us-west-2,eu-west-1',
    '--zones',
    '2',
    '--json',
  ];
  const run = async (...more: string[]) => {
    const { code, stdout } = await cli([...CELLS, ...more]);
    const doc = JSON.parse(stdout) as {
      decision: string;
      waves: string[][];
      cells: Record<string, { region: string; zone: string; wave: number; status: string }>;
    };
    const byStatus = (status: string) =>
      Object.entries(doc.cells)
        .filter(([, c]) => c.status === status)
        .map(([n]) => n);
    return { code, doc, byStatus };
  };

  it('promotes every cell wave by wave and reports waves and cells', async () => {
    const { code, doc, byStatus } = await run();
    expect(code).toBe(0);
    expect(doc.decision).toBe('promote');
    expect(doc.waves[0]).toEqual(['us-east-1a-1']);
    expect(doc.waves.flat()).toHaveLength(24);
    for (const wave of doc.waves) expect(new Set(wave.map((c) => doc.cells[c]!.region)).size).toBe(1);
    expect(byStatus('promoted')).toHaveLength(24);
    expect(doc.cells['eu-west-1b-8']).toEqual({
      region: 'eu-west-1',
      zone: 'eu-west-1b',
      wave: doc.waves.length,
      status: 'promoted',
    });
  });

  it('stops a bad version in the one-box; no other cell is touched', async () => {
    const { code, doc, byStatus } = await run('--scenario', 'step-regression');
    expect(code).toBe(1);
    expect(doc.decision).toBe('rollback');
    expect(byStatus('rolled-back')).toEqual(['us-east-1a-1']);
    expect(byStatus('untouched')).toHaveLength(23);
  });

  it('stops the wave of an --alarm-cell when its alarm fires, the metrics healthy', async () => {
    const { code, doc, byStatus } = await run('--alarm-cell', 'us-east-1a-3');
    expect(code).toBe(1);
    expect(doc.decision).toBe('rollback');
    expect((doc as unknown as { reason: string }).reason).toMatch(/cell us-east-1a-3: .*us-east-1a-3-alarm/);
    expect(byStatus('promoted')).toEqual([]);
    expect(byStatus('rolled-back')).toContain('us-east-1a-1');
    expect(byStatus('rolled-back')).toContain('us-east-1a-3');
  });

  it('stops a bad zone within its wave and sends every moved cell back', async () => {
    const { code, byStatus } = await run('--bad-zone', 'us-west-2b');
    expect(code).toBe(1);
    expect(byStatus('promoted')).toEqual([]);
    expect(byStatus('untouched').every((c) => c.startsWith('us-west-2b') || c.startsWith('eu-west-1'))).toBe(
      true,
    );
    expect(byStatus('rolled-back')).toContain('us-east-1a-1');
    expect(byStatus('rolled-back').some((c) => c.startsWith('us-west-2b'))).toBe(true);
  });
});

describe('shiftgate rollback --simulate of a state over cells', () => {
  it('sends back every moved cell of a halted rollout, then changes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftgate-rollback-cells-'));
    const halted = await cli(
      [
        'deploy',
        '--simulate',
        '--strategy',
        'rolling',
        '--cells',
        '12',
        '--regions',
        'us-east-1,eu-west-1',
        '--bad-cell',
        'eu-west-1a-1',
        '--param',
        'on-failure=halt',
        '--state-out',
        'halted.json',
      ],
      { cwd: dir },
    );
    expect(halted.code).toBe(1);
    const first = await cli(
      ['rollback', '--simulate', '--state', 'halted.json', '--json', '--state-out', 'back.json'],
      {
        cwd: dir,
      },
    );
    expect(first.code).toBe(0);
    const doc = JSON.parse(first.stdout) as {
      'rolled-back': boolean;
      cells: string[];
      routes: Record<string, unknown>;
      state: { status: string; cells: Record<string, { status: string }> };
    };
    expect(doc['rolled-back']).toBe(true);
    // The six promoted cells of us-east-1 and the halted one-box of eu-west-1.
    expect(doc.cells).toHaveLength(7);
    expect(doc.cells).toContain('eu-west-1a-1');
    expect(Object.keys(doc.routes)).toHaveLength(7);
    expect(doc.state.status).toBe('rolled-back');
    const statuses = Object.values(doc.state.cells).map((c) => c.status);
    expect(statuses.filter((s) => s === 'rolled-back')).toHaveLength(7);
    expect(statuses.filter((s) => s === 'untouched')).toHaveLength(5);
    const again = await cli(['rollback', '--simulate', '--state', 'back.json'], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to do: no cell of the state has moved');
  });

  it('refuses the route flags for a state over cells', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftgate-rollback-cells-'));
    await cli(
      [
        'deploy',
        '--simulate',
        '--strategy',
        'rolling',
        '--cells',
        '4',
        '--param',
        'on-failure=halt',
        '--bad-cell',
        'us-east-1a-2',
        '--state-out',
        's.json',
      ],
      { cwd: dir },
    );
    const { code, stderr } = await cli(
      [
        'rollback',
        '--simulate',
        '--state',
        's.json',
        '--listener-arn',
        'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/x/0123456789abcdef/0123456789abcdef',
      ],
      { cwd: dir },
    );
    expect(code).toBe(2);
    expect(stderr).toContain('--listener-arn does not apply to a state over cells');
  });
});

describe('shiftgate deploy --report', () => {
  it('writes the run as a page of the dashboard site and as Markdown whose charts are SVG files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftgate-report-'));
    const { code, stdout } = await cli(
      [
        'deploy',
        '--simulate',
        '--strategy',
        'canary',
        '--scenario',
        'step-regression',
        '--param',
        'bake-time=4m',
        '--report',
        'out',
      ],
      { cwd: dir },
    );
    expect(code).toBe(1);
    expect(stdout).toContain('report written to out (report.md, report.html)');
    const md = readFileSync(join(dir, 'out', 'report.md'), 'utf8');
    expect(md).not.toContain('<svg');
    expect(md).toMatch(
      /!\[Traffic to the new version: planned 5%, 5%, 10%, 10%, 25%, 25%, 100%; \d of 7 steps ran\]\(report-1\.svg\)/,
    );
    expect(md).toMatch(/!\[Canary against baseline over \d+ judged windows\]\(report-2\.svg\)/);
    const svg = readFileSync(join(dir, 'out', 'report-2.svg'), 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="760"/);
    expect(svg).toContain('max-error-rate 1%</text>');
    const html = readFileSync(join(dir, 'out', 'report.html'), 'utf8');
    expect(html).toContain('<caption class="skip">Gate verdicts</caption>');
    expect(html).toContain('max-error-rate');
    expect(readFileSync(join(dir, 'out', 'style.css'), 'utf8')).toContain('.badge');
  });
});
