// shiftgate deploy --simulate with the flag on (simulated) AWS AppConfig: each exposure step in --json,
// a breach (the gate, or AppConfig's own alarm) stops the deployment and reverts the flag, and
// shiftgate rollback with the state is the emergency disable.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli';

const FLAG = [
  '--strategy',
  'feature-flag',
  '--flag-provider',
  'appconfig',
  '--appconfig-application',
  'shop',
  '--appconfig-environment',
  'prod',
  '--appconfig-profile',
  'flags',
  '--flag-name',
  'checkout',
];

interface FlagDoc {
  decision: string;
  reason: string;
  flags: {
    exposure: number;
    provider: string;
    deployment: number;
    version: number;
    state: string;
    outcome: string;
    cells: string[] | null;
  }[];
  state: { flag: { 'previous-version': number; deployments: { exposure: number }[] } };
}

describe('shiftgate deploy --simulate, feature flag on AppConfig', () => {
  it('moves the exposure step by step, one AppConfig deployment each, and reports every step', async () => {
    const { code, stdout } = await cli(['deploy', '--simulate', ...FLAG, '--json']);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as FlagDoc;
    expect(doc.decision).toBe('promote');
    expect(doc.flags).toEqual(
      [1, 10, 50, 100].map((exposure, i) => ({
        exposure,
        provider: 'appconfig',
        deployment: i + 1,
        version: i + 2,
        state: 'complete',
        outcome: 'passed',
        cells: null,
      })),
    );
  });

  it('takes the flag settings as strategy parameters too (the config file form)', async () => {
    const params = [
      'flag-provider=appconfig',
      'appconfig-application=shop',
      'appconfig-environment=prod',
      'appconfig-profile=flags',
      'flag-name=checkout',
    ];
    const { code, stdout } = await cli([
      'deploy',
      '--simulate',
      '--strategy',
      'feature-flag',
      ...params.flatMap((p) => ['--param', p]),
      '--param',
      'flag-steps=25,100',
      '--json',
    ]);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as FlagDoc).flags.map((f) => f.exposure)).toEqual([25, 100]);
  });

  it('stops on a gate breach and deploys the version before the rollout again', async () => {
    const { code, stdout } = await cli([
      'deploy',
      '--simulate',
      ...FLAG,
      '--scenario',
      'step-regression',
      '--at',
      '12',
      '--json',
    ]);
    expect(code).toBe(1);
    const doc = JSON.parse(stdout) as FlagDoc;
    expect(doc.decision).toBe('rollback');
    const last = doc.flags.at(-1)!;
    expect(last).toMatchObject({
      exposure: 0,
      version: doc.state.flag['previous-version'],
      outcome: 'reverted',
    });
    expect(doc.flags.some((f) => f.outcome === 'failed')).toBe(true);
  });

  it("stops when AppConfig rolls its own deployment back (the environment's alarm)", async () => {
    const { code, stdout } = await cli([
      'deploy',
      '--simulate',
      ...FLAG,
      '--fault',
      'appconfig-rollback:2',
      '--json',
    ]);
    expect(code).toBe(1);
    const doc = JSON.parse(stdout) as FlagDoc;
    expect(doc.reason).toMatch(/deployment #2 ended rolled-back/);
    expect(doc.flags.map((f) => [f.exposure, f.state])).toEqual([
      [1, 'complete'],
      [10, 'rolled-back'],
      [0, 'deploying'],
    ]);
  });

  it('is cell-aware with cells: the rule names the cells that have the flag', async () => {
    const { code, stdout } = await cli(['deploy', '--simulate', ...FLAG, '--cells', '4', '--json']);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as FlagDoc;
    expect(doc.flags.map((f) => f.cells?.length)).toEqual([1, 1, 2, 4]);
  });

  it('refuses flag-command with flag-provider appconfig before anything moves', async () => {
    const { code, stderr, stdout } = await cli([
      'deploy',
      '--simulate',
      ...FLAG,
      '--flag-command',
      'echo on',
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain("'flag-provider' is appconfig");
    expect(stdout).toBe('');
  });
});

describe('shiftgate rollback --simulate, the emergency disable', () => {
  it('stops and reverts the flag a promoted rollout left on', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'shiftgate-flag-'));
    const first = await cli(['deploy', '--simulate', ...FLAG, '--state-out', 'state.json'], { cwd });
    expect(first.code).toBe(0);
    const state = JSON.parse(readFileSync(join(cwd, 'state.json'), 'utf8')) as FlagDoc['state'];
    expect(state.flag.deployments.map((d) => d.exposure)).toEqual([1, 10, 50, 100]);
    writeFileSync(join(cwd, 'state.json'), JSON.stringify(state));
    const { code, stdout } = await cli(['rollback', '--simulate', '--state', 'state.json', '--json'], {
      cwd,
    });
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as { undo: string[]; state: FlagDoc['state'] };
    expect(doc.undo.join('\n')).toMatch(/deploys version 1 again: flag 'checkout' back where it was/);
    expect(doc.state.flag.deployments.at(-1)).toMatchObject({ exposure: 0 });
  });
});
