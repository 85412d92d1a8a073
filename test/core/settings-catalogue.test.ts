// The settings catalogue against everything that states a setting: action.yml files, the composite, the
// reusable workflow, the CLI flags and help, and the config file's JSON Schema and validation.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  actionSettings,
  buildPlan,
  commandSettings,
  configJsonSchema,
  createRolloutState,
  defaultMaxBakeTime,
  GATE_DEFAULTS,
  GATE_NAMES,
  parseConfig,
  parseEvidenceSettings,
  parseRollbackTo,
  parseRunSettings,
  RUN_SETTING_DEFAULTS,
  SETTING_NAMES,
  SETTINGS,
  settingDefault,
  settingDescription,
  workflowSettings,
  type GateName,
  type SettingAction,
} from '@shiftgate/core';
import { actionMetadata } from '../e2e/traffic-runner';
import { cli } from '../support/cli';
import { ROOT } from '../support/runner';
import { compositeSettings, expectedInputs, oneLine } from '../support/settings';

const stated = (action: string) =>
  Object.fromEntries(
    Object.entries(actionMetadata(action).inputs).map(([name, spec]) => [
      name,
      { description: oneLine(spec.description), default: spec.default ?? '' },
    ]),
  );

describe('action.yml against the settings catalogue', () => {
  it.each(['bake-and-gate', 'run-plan', 'rollback', 'select-strategy', 'progressive-deploy'] as const)(
    '%s states the default and description of every catalogue setting it takes',
    (action) => {
      const inputs = stated(action);
      for (const [name, want] of Object.entries(expectedInputs(action))) {
        expect(inputs[name], `${action} input ${name}`).toEqual(want);
      }
    },
  );

  it.each(['bake-and-gate', 'run-plan', 'rollback', 'shift-traffic', 'select-strategy'] as const)(
    '%s takes no catalogue setting the catalogue does not say it takes',
    (action) => {
      const takes: string[] = action === 'shift-traffic' ? [] : actionSettings(action as SettingAction);
      const named = Object.keys(actionMetadata(action).inputs).filter((name) =>
        (SETTING_NAMES as string[]).includes(name),
      );
      expect(named.sort()).toEqual([...takes].sort());
    },
  );

  it('leaves the composite restating no default: run-plan applies them', () => {
    const composite = readFileSync(join(ROOT, 'actions', 'progressive-deploy', 'action.yml'), 'utf8');
    const workflow = readFileSync(join(ROOT, '.github', 'workflows', 'progressive-deploy.yml'), 'utf8');
    for (const text of [composite, workflow]) {
      for (const name of SETTING_NAMES) {
        for (const line of text.split('\n').filter((l) => l.trimStart().startsWith(`${name}: \${{`)))
          expect(line, line).not.toMatch(/\|\|\s*'[^']*'\s*}}/);
      }
    }
    expect(compositeSettings().every((name) => name in actionMetadata('progressive-deploy').inputs)).toBe(
      true,
    );
  });

  it('has the reusable workflow say, for each setting it takes, that empty means the catalogue default', () => {
    const workflow = parseYaml(
      readFileSync(join(ROOT, '.github', 'workflows', 'progressive-deploy.yml'), 'utf8'),
    ) as { on: { workflow_call: { inputs: Record<string, { description: string; default?: unknown }> } } };
    const inputs = Object.entries(workflow.on.workflow_call.inputs).filter(
      ([name]) =>
        (SETTING_NAMES as string[]).includes(name) && !(workflowSettings() as string[]).includes(name),
    );
    expect(inputs.length).toBeGreaterThan(0);
    for (const [name, spec] of inputs) {
      expect(spec.default, name).toBe('');
      const value = settingDefault(name as keyof typeof SETTINGS, 'run-plan');
      if (value !== '') expect(spec.description, name).toMatch(new RegExp(`then ${value}\\.$`));
    }
  });
});

describe("the composite's and reusable workflow's own settings (trace upload)", () => {
  const workflow = () =>
    parseYaml(readFileSync(join(ROOT, '.github', 'workflows', 'progressive-deploy.yml'), 'utf8')) as {
      on: {
        workflow_call: { inputs: Record<string, { description: string; default?: unknown; type: string }> };
      };
    };

  it('are upload-trace and trace-retention-days, taken by select-strategy and no plan run', () => {
    expect(workflowSettings()).toEqual(['upload-trace', 'trace-retention-days']);
    expect(actionSettings('select-strategy')).toEqual(workflowSettings());
    for (const name of workflowSettings()) expect(SETTINGS[name].cli).toEqual([]);
  });

  it('are stated by the reusable workflow with the catalogue default and description', () => {
    const inputs = workflow().on.workflow_call.inputs;
    for (const name of workflowSettings()) {
      expect(oneLine(inputs[name]!.description), name).toBe(settingDescription(name));
      expect(String(inputs[name]!.default), name).toBe(settingDefault(name));
    }
    // GitHub checks a boolean input itself when the workflow is called.
    expect(inputs['upload-trace']!.type).toBe('boolean');
  });

  it.each(['actions/progressive-deploy/action.yml', '.github/workflows/progressive-deploy.yml'])(
    '%s gives them to select-strategy alone; the later steps read its parsed outputs',
    (file) => {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const name of workflowSettings()) {
        const given = text.split('\n').filter((line) => line.includes(`inputs.${name}`));
        expect(given.map((line) => line.trim())).toEqual([`${name}: \${{ inputs.${name} }}`]);
      }
    },
  );

  it('parses them as the inputs say: a boolean, and whole days from 1 to 90', () => {
    expect(SETTINGS['upload-trace'].parse('upload-trace', 'False')).toBe(false);
    expect(() => SETTINGS['upload-trace'].parse('upload-trace', 'yes')).toThrow(
      "Input 'upload-trace' must be 'true' or 'false', got 'yes'",
    );
    expect(SETTINGS['trace-retention-days'].parse('trace-retention-days', '1')).toBe(1);
    expect(SETTINGS['trace-retention-days'].parse('trace-retention-days', '90')).toBe(90);
    for (const bad of ['0', '91', '7d', '1.5', '-1'])
      expect(() => SETTINGS['trace-retention-days'].parse('trace-retention-days', bad)).toThrow(
        `Input 'trace-retention-days' must be a whole number from 1 to 90, got '${bad}'`,
      );
  });
});

describe('the CLI against the settings catalogue', () => {
  it('takes every plan-run setting as a deploy flag, documented with its default and description', async () => {
    const { stdout } = await cli(['deploy', '--help']);
    for (const name of commandSettings('deploy')) {
      const value = settingDefault(name, 'run-plan');
      expect(stdout).toContain(`  --${name}${value === '' ? '\n' : ` (default ${value})`}`);
    }
    expect(oneLine(stdout)).toContain(oneLine(SETTINGS['max-bake-time'].description));
    expect(stdout).not.toContain('three times');
  });

  it('gives the flags the run-plan inputs’ defaults', () => {
    expect(Object.keys(RUN_SETTING_DEFAULTS)).toEqual(commandSettings('deploy'));
    for (const [name, value] of Object.entries(RUN_SETTING_DEFAULTS))
      expect(value).toBe(stated('run-plan')[name]!.default);
  });
});

describe('the JSON Schema against the settings catalogue', () => {
  it('describes every gate with its catalogue description and default', () => {
    const gates = (configJsonSchema().properties as Record<string, { properties: Record<string, unknown> }>)
      .gates!.properties;
    expect(Object.keys(gates)).toEqual([...GATE_NAMES]);
    for (const name of GATE_NAMES) {
      expect(gates[name]).toMatchObject({
        ...SETTINGS[name].config,
        description: `${SETTINGS[name].description} Default: ${GATE_DEFAULTS[name]}.`,
      });
    }
  });
});

describe('defaultMaxBakeTime', () => {
  it.each([
    [60_000, 300_000],
    [5 * 60_000, 25 * 60_000],
    [30 * 60_000, 150 * 60_000],
    // Five times would be 5h: capped at bake-time + 2h.
    [60 * 60_000, 180 * 60_000],
    [10 * 3_600_000, 12 * 3_600_000],
  ])('gives a bake of %i ms at most %i ms', (bake, max) => {
    expect(defaultMaxBakeTime(bake)).toBe(max);
  });
});

describe('parseRollbackTo', () => {
  const read = (values: Record<string, string>) => {
    const warnings: string[] = [];
    const to = parseRollbackTo(
      (name) => values[name] ?? '',
      (m) => warnings.push(m),
    );
    return { to, warnings };
  };

  it('reads rollback-to, stable when empty, without a warning', () => {
    expect(read({})).toEqual({ to: 'stable', warnings: [] });
    expect(read({ 'rollback-to': 'previous' })).toEqual({ to: 'previous', warnings: [] });
  });

  it('still reads the deprecated to, with a warning', () => {
    expect(read({ to: 'previous' })).toEqual({
      to: 'previous',
      warnings: ["Input 'to' is deprecated and will be removed; use 'rollback-to' instead."],
    });
    expect(read({ to: 'stable', 'rollback-to': 'stable' }).to).toBe('stable');
  });

  it('refuses both given and different, and names the input that was wrong', () => {
    expect(() => read({ to: 'previous', 'rollback-to': 'stable' })).toThrow(
      "Input 'rollback-to' is 'stable' but its deprecated alias 'to' is 'previous'; give only 'rollback-to'",
    );
    expect(() => read({ to: 'back' })).toThrow("Input 'to' must be 'stable' or 'previous', got 'back'");
    expect(() => read({ 'rollback-to': 'back' })).toThrow(
      "Input 'rollback-to' must be 'stable' or 'previous'",
    );
  });
});

/**
 * Boundary values of every gate: each goes through the config file's validation and through the run's
 * parsing (bake-and-gate's and run-plan's evidence settings), which must agree.
 */
const BOUNDARIES: Record<GateName, string[]> = {
  'max-error-rate': ['0%', '0', '0.01%', '50%', '99.99%', '100%', '101%', '-1%'],
  'max-p99-latency': ['0s', '0', '0ms', '1ms', '1', '500', '500ms', '24h', '1.5s'],
  'latency-percentile': ['p50', 'p90', 'p95', 'p99', 'p99.9', 'p99.99', 'P99', '99', 'p100'],
  'max-latency-increase': ['0%', '100%', '1000%', '1000.5%', '1001%'],
  'min-healthy-percent': ['0%', '50%', '100%', '100.01%'],
  'min-requests': ['0', '1', '1000000000', '1000000001', '-1', '1.5'],
  'bake-time': ['0s', '1s', '5m', '24h', '5'],
  confidence: ['49%', '50%', '50.01%', '95%', '99.99%', '100%'],
  'on-inconclusive': ['rollback', 'fail', 'promote', 'retry', 'ROLLBACK'],
  'max-consecutive-errors': ['0', '1000', '1001', '-1'],
};

const accepts = (fn: () => unknown): boolean => {
  try {
    fn();
    return true;
  } catch {
    return false;
  }
};

describe('config validation and the run agree on every boundary value', () => {
  const plan = buildPlan('canary');
  const state = createRolloutState({
    strategy: 'canary',
    parameters: plan.parameters,
    plan: plan.steps,
    now: new Date(0),
  });
  const cases = Object.entries(BOUNDARIES).flatMap(([name, values]) => values.map((v) => [name, v]));

  it.each(cases)('%s: %s', (name, value) => {
    const inConfig = accepts(() => parseConfig(`gates:\n  ${name}: '${value}'\n`));
    const inBakeAndGate = accepts(() =>
      parseEvidenceSettings((n) => (n === name ? value : ''), { withBakeTime: true }),
    );
    expect(inConfig, 'config file versus bake-and-gate').toBe(inBakeAndGate);
    // A plan run reads bake-time as an override of each bake step, through the same parser.
    const inRunPlan = accepts(() => parseRunSettings((n) => (n === name ? value : ''), state));
    expect(inConfig, 'config file versus run-plan').toBe(inRunPlan);
  });

  it('refuses the values the config file used to accept but a run refused', () => {
    for (const [name, value] of [
      ['max-error-rate', '0%'],
      ['max-error-rate', '100%'],
      ['confidence', '50%'],
    ]) {
      expect(() => parseConfig(`gates:\n  ${name}: '${value}'\n`)).toThrow(`'gates.${name}' must be`);
    }
  });

  it('accepts the largest allowed values alike', () => {
    expect(() =>
      parseConfig(
        "gates:\n  max-latency-increase: '1000%'\n  min-requests: 1000000000\n  confidence: '99.99%'\n  max-consecutive-errors: 1000\n",
      ),
    ).not.toThrow();
  });
});
