// Simulates a composite action's steps the way the runner walks them: each `if:` under the job status so
// far, every `${{ }}` in `with:` and `env:` evaluated strictly, `with:` keys checked against the used
// action's inputs, and each step's outputs limited to what its action.yml declares.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { condition, interpolate, toData, type JobStatus } from './expressions';
import { ROOT } from './runner';

interface ActionFile {
  inputs?: Record<string, { default?: string }>;
  outputs?: Record<string, { value?: string }>;
  runs: { using: string; steps?: StepSpec[] };
}
interface StepSpec {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  shell?: string;
  if?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}

/** Reads one of this repository's actions by folder name. */
export function loadAction(name: string): ActionFile {
  return parseYaml(readFileSync(join(ROOT, 'actions', name, 'action.yml'), 'utf8')) as ActionFile;
}

/** The folder name of a `uses:` that points at one of this repository's actions. */
export function localActionName(uses: string): string | null {
  return /^(?:\.\/|[\w-]+\/[\w-]+\/)actions\/([\w-]+)(?:@[\w.-]+)?$/.exec(uses)?.[1] ?? null;
}

/** What happened to one step in a simulated run. */
export interface SimulatedStep {
  id: string;
  action: string | null;
  ran: boolean;
  outcome: 'success' | 'failure' | 'cancelled' | 'skipped';
  with: Record<string, string>;
  env: Record<string, string>;
}

/** A simulated run of a composite action. */
export interface Simulation {
  steps: SimulatedStep[];
  outputs: Record<string, string>;
  status: JobStatus;
}

/**
 * Runs the composite's steps. `outcome(step)` says how a step that runs ends and `outputs(step)` what it
 * sets (only outputs its action.yml declares are accepted). Throws on any expression that does not
 * evaluate, any `with:` key the used action does not declare, and any `run:` that interpolates `${{ }}`.
 */
export function simulateComposite(
  action: ActionFile,
  options: {
    inputs: Record<string, string>;
    github: Record<string, unknown>;
    outcome?: (step: SimulatedStep) => 'success' | 'failure' | 'cancelled';
    outputs?: (step: SimulatedStep) => Record<string, string>;
  },
): Simulation {
  if (action.runs.using !== 'composite' || !action.runs.steps) throw new Error('not a composite action');
  const declared = action.inputs ?? {};
  for (const name of Object.keys(options.inputs)) {
    if (!(name in declared)) throw new Error(`input '${name}' is not declared by the action`);
  }
  const base = { github: options.github, env: {}, runner: { os: 'Linux', temp: '/tmp' } };
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(declared)) {
    inputs[name] = options.inputs[name] ?? interpolate(spec.default ?? '', contexts(base, {}, {}));
  }
  const stepsContext: Record<string, unknown> = {};
  const results: SimulatedStep[] = [];
  let status: JobStatus = 'success';
  action.runs.steps.forEach((spec, index) => {
    const id = spec.id ?? `__step${index}`;
    const name = spec.uses ? localActionName(spec.uses) : null;
    const ctx = contexts(base, inputs, stepsContext);
    const step: SimulatedStep = { id, action: name, ran: false, outcome: 'skipped', with: {}, env: {} };
    results.push(step);
    const runs = condition(spec.if, ctx, status);
    const declaredOutputs = name ? Object.keys(loadAction(name).outputs ?? {}) : [];
    if (!runs) {
      if (spec.id)
        stepsContext[id] = {
          outputs: Object.fromEntries(declaredOutputs.map((o) => [o, ''])),
          outcome: 'skipped',
          conclusion: 'skipped',
        };
      return;
    }
    step.ran = true;
    if (spec.run && /\$\{\{/.test(spec.run))
      throw new Error(`step ${id} interpolates an expression into run:; pass it through env:`);
    if (spec.run && !spec.shell) throw new Error(`step ${id} has run: without shell:`);
    if (name) {
      const accepted = Object.keys(loadAction(name).inputs ?? {});
      for (const key of Object.keys(spec.with ?? {})) {
        if (!accepted.includes(key))
          throw new Error(`step ${id} passes '${key}', which ${name} does not declare`);
      }
    }
    for (const [key, value] of Object.entries(spec.with ?? {}))
      step.with[key] = interpolate(String(value), ctx, status);
    for (const [key, value] of Object.entries(spec.env ?? {}))
      step.env[key] = interpolate(String(value), ctx, status);
    step.outcome = options.outcome?.(step) ?? 'success';
    const produced = options.outputs?.(step) ?? {};
    for (const key of Object.keys(produced)) {
      if (!declaredOutputs.includes(key)) throw new Error(`step ${id} (${name}) cannot set output '${key}'`);
    }
    if (spec.id) {
      stepsContext[id] = {
        outputs: Object.fromEntries(declaredOutputs.map((o) => [o, produced[o] ?? ''])),
        outcome: step.outcome,
        conclusion: step.outcome,
      };
    }
    if (step.outcome === 'failure' && status === 'success') status = 'failure';
    if (step.outcome === 'cancelled') status = 'cancelled';
  });
  const ctx = contexts(base, inputs, stepsContext);
  const outputs = Object.fromEntries(
    Object.entries(action.outputs ?? {}).map(([name, spec]) => [
      name,
      interpolate(spec.value ?? '', ctx, status),
    ]),
  );
  return { steps: results, outputs, status };
}

function contexts(
  base: Record<string, unknown>,
  inputs: Record<string, string>,
  steps: Record<string, unknown>,
) {
  return toData(
    { ...base, inputs, steps },
    '',
    (path) => path === '' || path === 'inputs' || path === 'steps' || /^steps\.[^.]+(\.outputs)?$/.test(path),
  ) as Parameters<typeof interpolate>[1];
}
