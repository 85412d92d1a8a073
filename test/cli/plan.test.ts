import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli';

describe('shiftgate strategies', () => {
  it('lists all seven strategies', async () => {
    const { code, stdout } = await cli(['strategies']);
    expect(code).toBe(0);
    for (const name of ['blue-green', 'canary', 'linear', 'rolling', 'ab-testing', 'feature-flag', 'saga']) {
      expect(stdout).toMatch(new RegExp(`^${name}$`, 'm'));
    }
  });

  it('shows one strategy with its parameters and defaults', async () => {
    const { stdout } = await cli(['strategies', 'saga-pattern']);
    expect(stdout).toMatch(/^saga$/m);
    expect(stdout).toMatch(/services\s+list\s+required/);
    expect(stdout).toMatch(/bake-time\s+duration\s+default 5m/);
  });

  it('prints JSON for machines', async () => {
    const { stdout } = await cli(['strategies', 'canary', '--json']);
    expect(JSON.parse(stdout)).toMatchObject({ name: 'canary', parameters: expect.any(Array) });
  });

  it('refuses an unknown strategy with exit code 2', async () => {
    const { code, stderr } = await cli(['strategies', 'yolo']);
    expect(code).toBe(2);
    expect(stderr).toContain("Input 'strategy' must be one of");
  });
});

describe('shiftgate plan', () => {
  it('prints the steps', async () => {
    const { code, stdout } = await cli(['plan', '--strategy', 'canary', '--param', 'steps=5,50,100']);
    expect(code).toBe(0);
    expect(stdout).toContain('canary: 5 steps, 10m of baking');
    expect(stdout).toContain('3. shift 50% of traffic to the new version');
  });

  it('prints JSON equal to what select-strategy would plan', async () => {
    const { stdout } = await cli([
      'plan',
      '--strategy',
      'linear',
      '--parameters',
      '{step-size: 50}',
      '--json',
    ]);
    expect(JSON.parse(stdout)).toMatchObject({ strategy: 'linear', weights: [50, 100] });
  });

  it('applies the environment overrides of a config file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftgate-cli-'));
    writeFileSync(
      join(dir, 'sg.yml'),
      'environments:\n  prod:\n    strategies:\n      canary:\n        steps: 1,100\n',
    );
    const { stdout } = await cli(
      ['plan', '--strategy', 'canary', '--config', 'sg.yml', '--environment', 'prod', '--json'],
      { cwd: dir },
    );
    expect(JSON.parse(stdout).weights).toEqual([1, 100]);
  });

  it.each([
    [['plan'], 'missing --strategy'],
    [['plan', '--strategy', 'canary', '--bogus'], "Unknown option '--bogus'"],
    [
      ['plan', '--strategy', 'canary', '--param', 'steps=5,101'],
      "Input 'parameters.steps' must be a list of whole percentages",
    ],
    [['plan', '--strategy', 'canary', '--param', 'steps'], "Input '--param' must be name=value"],
    [['plan', '--strategy', 'canary', '--config', 'nope.yml'], '--config nope.yml does not exist'],
    [['nope'], "unknown command 'nope'"],
    [
      ['plan', '--strategy', 'canary', '--environment', 'prod\n::warning::x'],
      "Input '--environment' must be",
    ],
  ])('exits 2 on %j', async (argv, message) => {
    const { code, stderr } = await cli(argv);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it('documents every command and its exit codes in --help', async () => {
    const { stdout } = await cli(['--help']);
    expect(stdout).toContain('plan ');
    expect(stdout).toContain('Exit codes');
    expect((await cli(['plan', '--help'])).stdout).toContain('Exit codes: 0 planned, 2 invalid');
  });
});

describe('shiftgate plan --strategy rolling', () => {
  it('prints the waves of the config environment’s cells', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shiftgate-cells-'));
    const arn = (region: string, rest: string) =>
      `arn:aws:elasticloadbalancing:${region}:123456789012:${rest}`;
    const cells = ['a', 'b', 'c']
      .flatMap((name, i) => [
        `      - name: ${name}`,
        `        region: ${i === 2 ? 'eu-west-1' : 'us-east-1'}`,
        `        listener-arn: ${arn(i === 2 ? 'eu-west-1' : 'us-east-1', `listener/app/lb/0123456789abcdef/000000000000000${i}`)}`,
        `        stable-target-group-arn: ${arn(i === 2 ? 'eu-west-1' : 'us-east-1', `targetgroup/blue-${i}/000000000000000${i}`)}`,
        `        canary-target-group-arn: ${arn(i === 2 ? 'eu-west-1' : 'us-east-1', `targetgroup/green-${i}/000000000000000${i}`)}`,
      ])
      .join('\n');
    writeFileSync(
      join(dir, 'shiftgate.yml'),
      `version: 1\nenvironments:\n  production:\n    cells:\n${cells}\n`,
    );
    const { code, stdout } = await cli(
      ['plan', '--strategy', 'rolling', '--config', 'shiftgate.yml', '--environment', 'production', '--json'],
      { cwd: dir },
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout).waves).toEqual([['a'], ['b'], ['c']]);
    const text = await cli(
      ['plan', '--strategy', 'rolling', '--config', 'shiftgate.yml', '--environment', 'production'],
      { cwd: dir },
    );
    expect(text.stdout).toContain('1. wave 1: a');
    expect(text.stdout).toContain(
      'warning: region us-east-1 (2 cells), region eu-west-1 (1 cell) have fewer than 10 cells, so each one-box (a single cell) serves more than 10% of it',
    );
  });
});
