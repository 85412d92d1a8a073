import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPlan, createRolloutState, parseRolloutState, serializeRolloutState } from '@shiftgate/core';
import { cli } from '../support/cli';
import { niceMax, renderChart, xml, type ChartPoint } from '../../packages/cli/src/report/chart';
import { bar } from '../../packages/cli/src/progress';

describe('shiftgate demo', () => {
  it('promotes the healthy canary, rolls back the bad one, and writes the report it names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftgate-demo-'));
    const { code, stdout, stderr } = await cli(['demo', '--speed', 'max'], { cwd: dir });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\n1\/3 Healthy canary: canary 5→25→50→100%, bake 4m after each step/);
    expect(stdout).toMatch(/^Healthy canary {3}promoted {5}after \d+ simulated minutes$/m);
    expect(stdout).toMatch(/^Bad canary {7}rolled back {2}after \d+ simulated minutes$/m);
    expect(stdout).toMatch(
      /^Bad over cells {3}rolled back {2}after +\d+ simulated minutes; served by 1 of 12 cells \(us-east-1a-1\)$/m,
    );
    expect(stdout).toMatch(/\nReport: reports\/shiftgate-demo\.md\n$/);
    const report = readFileSync(join(dir, 'reports', 'shiftgate-demo.md'), 'utf8');
    expect(report).toMatch(/^# shiftgate demo\n/);
    expect(report).toContain('## 1. Healthy canary: promoted');
    expect(report).toContain('## 2. Bad canary: rolled back');
    expect(report).toContain('## 3. Bad over cells: rolled back in the one-box');
    expect(report).toContain('Cells that ever served the new version: **us-east-1a-1** (1 of 12)');
    expect(report).toContain('| 1 | us-east-1 | us-east-1a | 🔴 us-east-1a-1 | 🔴 rolled back |');
    expect(report).toContain('### Cells by region and zone');
    // github.com strips inline SVG from Markdown: the charts are files beside it, linked as images.
    expect(report).not.toContain('<svg');
    expect(report.match(/!\[[^\]]+\]\(shiftgate-demo-\d\.svg\)/g)).toEqual([
      expect.stringMatching(/^!\[Healthy canary: promoted after \d+ min\]\(shiftgate-demo-1\.svg\)$/),
      expect.stringMatching(/^!\[Bad canary: rolled back after \d+ min\]\(shiftgate-demo-2\.svg\)$/),
    ]);
    for (const n of [1, 2]) {
      const svg = readFileSync(join(dir, 'reports', `shiftgate-demo-${n}.svg`), 'utf8');
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      expect(svg).toContain('max-error-rate 1%</text>');
      expect(svg).toContain('max-p99-latency 500ms</text>');
    }
    // The same report as a page of the dashboard's site, with the gate verdicts and the cells grid.
    expect(report).toContain('[shiftgate-demo.html](shiftgate-demo.html)');
    const page = readFileSync(join(dir, 'reports', 'shiftgate-demo.html'), 'utf8');
    expect(page).toContain('<link rel="stylesheet" href="style.css">');
    expect(page).toContain('<h2 id="run-2">2. Bad canary</h2>');
    expect(page).toContain('Gate verdicts');
    expect(page).toContain('Cells and waves');
    expect(readFileSync(join(dir, 'reports', 'style.css'), 'utf8')).toContain('.badge');
    expect(report).toContain(
      'Replay it: `npx shiftgate deploy --simulate --strategy canary --param steps=5,25,50,100 --param bake-time=4m --scenario step-regression --at 9 --seed 42`',
    );
  });

  it('tells the same story as the deploy command it prints for replay', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftgate-demo-'));
    const demo = await cli(['demo', '--speed', 'max', '--json', '--seed', '5'], { cwd: dir });
    const doc = JSON.parse(demo.stdout);
    expect(doc.report).toBe(join('reports', 'shiftgate-demo.md'));
    const bad = doc.deployments[1];
    const replay = await cli([
      'deploy',
      '--simulate',
      ...'--strategy canary --param steps=5,25,50,100 --param bake-time=4m --scenario step-regression --at 9 --seed 5'.split(
        ' ',
      ),
      '--json',
    ]);
    expect(JSON.parse(replay.stdout).reason).toBe(bad.reason);
    expect(demo.stderr).toContain('2/3 Bad canary');
    expect(doc.cells).toMatchObject({ decision: 'rollback', served: ['us-east-1a-1'] });
    expect(doc.cells.waves[0]).toEqual(['us-east-1a-1']);
    const cells = await cli([
      'deploy',
      '--simulate',
      ...'--strategy rolling --cells 12 --regions us-east-1,eu-west-1 --zones 2 --param bake-time=4m --scenario step-regression --seed 5'.split(
        ' ',
      ),
      '--json',
    ]);
    expect(JSON.parse(cells.stdout).reason).toBe(doc.cells.reason);
  });

  it('draws progress bars on a terminal, redrawn in place', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftgate-demo-'));
    const { stdout } = await cli(['demo', '--speed', 'max', '--out', 'x/demo.md'], { cwd: dir, isTty: true });
    const ESC = String.fromCharCode(27);
    expect(stdout).toContain(`\r${ESC}[2K    [`);
    expect(stdout).toMatch(/ {4}\[█+░*\] +\d+m\/4m {2}\d+ req {2}err [\d.]+% {2}p99 \d+ms/);
    expect(stdout).toContain('Report: x/demo.md');
  });

  it('takes a few seconds of wall time at its default speed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftgate-demo-'));
    const started = Date.now();
    const { code } = await cli(['demo'], { cwd: dir });
    const wall = Date.now() - started;
    expect(code).toBe(0);
    expect(wall).toBeGreaterThan(1_500);
    expect(wall).toBeLessThan(10_000);
  });

  it.each([
    [
      ['demo', '--speed', 'fast'],
      "Input '--speed' must be a whole number from 1 to 1000000, or 'max', got 'fast'",
    ],
    [['demo', '--seed=-1'], "Input '--seed'"],
    [['demo', '--nope'], "Unknown option '--nope'"],
  ])('exits 2 on %j', async (argv, message) => {
    const { code, stderr } = await cli(argv);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it('documents itself and its exit codes', async () => {
    expect((await cli(['demo', '--help'])).stdout).toContain('Exit codes: 0 the healthy canary was promoted');
    expect((await cli(['--help'])).stdout).toMatch(/^ {2}demo {9}Watch a healthy canary/m);
  });
});

describe('shiftgate rollback --simulate', () => {
  it('sends the simulated listener back to stable, verified, and changes nothing the second time', async () => {
    const first = await cli(['rollback', '--simulate', '--from-weight', '30', '--reason', 'bad deploy']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/starts at stable shop-blue 70, canary shop-green 30\n/);
    expect(first.stdout).toMatch(
      /rolled back to stable shop-blue 100, canary shop-green 0 \(verified\)\ntraffic is back on stable: bad deploy\n$/,
    );
    const again = await cli(['rollback', '--simulate', '--from-weight', '0', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ 'rolled-back': false, error: null });
  });

  it('starts from the weights a state records and marks the state rolled back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftgate-rollback-'));
    const plan = buildPlan('canary', { steps: '20,100' });
    const state = {
      ...createRolloutState({
        strategy: 'canary',
        parameters: plan.parameters,
        plan: plan.steps,
        now: new Date(),
      }),
      status: 'in-progress' as const,
      step: 1,
      weights: { stable: 80, canary: 20 },
    };
    writeFileSync(join(dir, 'state.json'), serializeRolloutState(state));
    const { code, stdout } = await cli(
      ['rollback', '--simulate', '--state', 'state.json', '--state-out', 'after.json'],
      { cwd: dir },
    );
    expect(code).toBe(0);
    expect(stdout).toContain('starts at stable shop-blue 80, canary shop-green 20');
    expect(parseRolloutState('after', readFileSync(join(dir, 'after.json'), 'utf8'))).toMatchObject({
      status: 'rolled-back',
      weights: { stable: 100, canary: 0 },
    });
  });

  it.each([
    [['rollback', '--to', 'blue'], "Input '--to' must be 'stable' or 'previous', got 'blue'"],
    [['rollback', '--simulate', '--to', 'previous'], '--to previous needs --state'],
    [['rollback', '--from-weight', '10'], '--from-weight only applies with --simulate'],
    [['rollback', '--simulate', '--state-out', 'x.json'], '--state-out needs --state'],
    [['rollback', '--simulate', '--from-weight', '150'], "Input '--from-weight' must be a whole percentage"],
  ])('exits 2 on %j', async (argv, message) => {
    const { code, stderr } = await cli(argv);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it('documents its exit codes', async () => {
    expect((await cli(['rollback', '--help'])).stdout).toContain(
      'Exit codes: 0 traffic is back (or already was), 1 a route could not be restored, 2 invalid flags or state.',
    );
  });
});

describe('renderChart', () => {
  const point = (minute: number, over: Partial<ChartPoint> = {}): ChartPoint => ({
    minute,
    weight: 10,
    canaryErrorRate: 0.1,
    baselineErrorRate: 0.1,
    canaryP99: 180,
    baselineP99: 170,
    ...over,
  });

  it('draws the three panels, the thresholds and the verdict, and breaks lines where data is missing', () => {
    const svg = renderChart({
      title: 'A <canary> & more',
      points: [point(0, { canaryErrorRate: null, canaryP99: null, weight: 0 }), point(1), point(2), point(3)],
      maxErrorRate: 1,
      maxP99: 500,
      verdict: { minute: 3, label: 'rolled back', good: false },
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    expect(svg).toContain('<title>A &lt;canary&gt; &amp; more</title>');
    for (const label of [
      'canary weight (%)',
      '5xx rate (%)',
      'p99 latency (ms)',
      'max-error-rate 1%',
      'max-p99-latency 500ms',
      'rolled back',
    ])
      expect(svg).toContain(`>${label}</text>`);
    expect(svg.match(/stroke-dasharray="6 4"/g)!.length).toBeGreaterThanOrEqual(2);
    // Weight (1 line), 5xx and p99 for canary and baseline (4 lines): the canary starts at minute 1.
    expect(svg.match(/<polyline/g)).toHaveLength(5);
    expect(svg).not.toMatch(/NaN|undefined/);
  });

  it('rounds axes up to 1, 2 or 5 times a power of ten', () => {
    expect([0.3, 1, 1.2, 3, 7, 640].map(niceMax)).toEqual([0.5, 1, 2, 5, 10, 1000]);
    expect(niceMax(0)).toBe(1);
  });

  it('escapes text and draws bars', () => {
    expect(xml('"a" < b')).toBe('&quot;a&quot; &lt; b');
    expect(bar(0.5, 4)).toBe('[██░░]');
    expect(bar(2, 4)).toBe('[████]');
  });
});
