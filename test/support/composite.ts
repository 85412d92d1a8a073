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
  'continue-on-error'?: boolean | string;
}

/** Reads one of this repository's actions by folder name. */
export function loadAction(name: string): ActionFile {
  return parseYaml(readFileSync(join(ROOT, 'actions', name, 'action.yml'), 'utf8')) as ActionFile;
}

/** The folder name of a `uses:` that points at one of this repository's actions. */
export function localActionName(uses: string): string | null {
  // `$/actions/<name>` is the self-repository reference: the running commit, so it takes no @ref.
  const match = /^(?:\$\/actions\/([\w-]+)|(?:\.\/|[\w-]+\/[\w-]+\/)actions\/([\w-]+)(?:@[\w.-]+)?)$/.exec(
    uses,
  );
  return match ? (match[1] ?? match[2]!) : null;
}

/** What happened to one step in a simulated run. */
export interface SimulatedStep {
  id: string;
  /** The step's `name:`, when it has one. */
  name?: string;
  /** The `uses:` as written (third-party actions included). */
  uses?: string;
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
  for (const [index, step] of action.runs.steps.entries()) {
    if (step.run && !step.shell)
      throw new Error(`composite step ${step.id ?? index} has run: without shell:`);
  }
  const declared = action.inputs ?? {};
  for (const name of Object.keys(options.inputs)) {
    if (!(name in declared)) throw new Error(`input '${name}' is not declared by the action`);
  }
  const base: Record<string, unknown> = {
    github: options.github,
    env: {},
    runner: { os: 'Linux', temp: '/home/runner/work/_temp' },
  };
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(declared)) {
    inputs[name] =
      options.inputs[name] ?? interpolate(spec.default ?? '', contexts({ ...base, inputs: {}, steps: {} }));
  }
  const run = simulateSteps(action.runs.steps, { ...base, inputs }, options);
  const ctx = contexts({ ...base, inputs, steps: run.stepsContext });
  const outputs = Object.fromEntries(
    Object.entries(action.outputs ?? {}).map(([name, spec]) => [
      name,
      interpolate(spec.value ?? '', ctx, run.status),
    ]),
  );
  return { steps: run.steps, outputs, status: run.status };
}

/** Walks steps in order under the job status so far; shared by composite actions and workflow jobs. */
export function simulateSteps(
  specs: StepSpec[],
  base: Record<string, unknown>,
  options: {
    outcome?: (step: SimulatedStep) => 'success' | 'failure' | 'cancelled';
    outputs?: (step: SimulatedStep) => Record<string, string>;
  },
): { steps: SimulatedStep[]; stepsContext: Record<string, unknown>; status: JobStatus } {
  const stepsContext: Record<string, unknown> = {};
  const results: SimulatedStep[] = [];
  let status: JobStatus = 'success';
  specs.forEach((spec, index) => {
    const id = spec.id ?? `__step${index}`;
    const name = spec.uses ? localActionName(spec.uses) : null;
    const ctx = contexts({ ...base, steps: stepsContext });
    const step: SimulatedStep = {
      id,
      ...(spec.name !== undefined ? { name: spec.name } : {}),
      ...(spec.uses !== undefined ? { uses: spec.uses } : {}),
      action: name,
      ran: false,
      outcome: 'skipped',
      with: {},
      env: {},
    };
    results.push(step);
    const runs = condition(spec.if, ctx, status);
    const declaredOutputs = name ? Object.keys(loadAction(name).outputs ?? {}) : [];
    if (!runs) {
      if (spec.id) {
        stepsContext[id] = {
          outputs: Object.fromEntries(declaredOutputs.map((o) => [o, ''])),
          outcome: 'skipped',
          conclusion: 'skipped',
        };
      }
      return;
    }
    step.ran = true;
    if (spec.run && /\$\{\{/.test(spec.run))
      throw new Error(`step ${id} interpolates an expression into run:; pass it through env:`);
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
    // `continue-on-error: true`: a failure is the step's outcome, while its conclusion (and the job's
    // status, hence success() for the steps after it) stays success.
    const continues = String(spec['continue-on-error'] ?? 'false') === 'true';
    const conclusion = continues && step.outcome === 'failure' ? 'success' : step.outcome;
    if (spec.id) {
      stepsContext[id] = {
        outputs: Object.fromEntries(declaredOutputs.map((o) => [o, produced[o] ?? ''])),
        outcome: step.outcome,
        conclusion,
      };
    }
    if (conclusion === 'failure' && status === 'success') status = 'failure';
    if (step.outcome === 'cancelled') status = 'cancelled';
  });
  return { steps: results, stepsContext, status };
}

interface WorkflowFile {
  on: {
    workflow_dispatch?: { inputs?: Record<string, { default?: string | number }> } | null;
    workflow_call?: {
      inputs?: Record<string, { default?: string | number }>;
      secrets?: Record<string, unknown>;
      outputs?: Record<string, { value: string }>;
    };
  };
  jobs: Record<
    string,
    {
      needs?: string | string[];
      if?: string;
      environment?: string | { name: string };
      outputs?: Record<string, string>;
      steps: StepSpec[];
    }
  >;
}

/** Loads a workflow of this repository. */
export function loadWorkflow(file: string): WorkflowFile {
  return parseYaml(readFileSync(join(ROOT, file), 'utf8')) as WorkflowFile;
}

/**
 * Simulates a workflow: jobs in `needs` order, `needs.<job>.outputs` limited to the job's declared outputs,
 * `inputs` to the workflow_call (or workflow_dispatch) inputs, `secrets` to the declared secrets, then the
 * workflow_call outputs from `jobs`. Examples triggered by push or dispatch run the same way.
 */
export function simulateWorkflow(
  workflow: WorkflowFile,
  options: {
    inputs: Record<string, string | number>;
    secrets?: Record<string, string>;
    vars?: Record<string, string>;
    github: Record<string, unknown>;
    outcome?: (job: string, step: SimulatedStep) => 'success' | 'failure' | 'cancelled';
    outputs?: (job: string, step: SimulatedStep) => Record<string, string>;
  },
): {
  jobs: Record<
    string,
    {
      ran: boolean;
      steps: SimulatedStep[];
      status: JobStatus;
      outputs: Record<string, string>;
      /** The job's environment name, evaluated (jobs that ran). */
      environment?: string;
    }
  >;
  outputs: Record<string, string>;
} {
  const call = workflow.on.workflow_call ?? {};
  const declaredInputs = call.inputs ?? workflow.on.workflow_dispatch?.inputs ?? {};
  const inputs: Record<string, string | number> = {};
  for (const [name, spec] of Object.entries(declaredInputs))
    inputs[name] = options.inputs[name] ?? spec.default ?? '';
  for (const name of Object.keys(options.inputs))
    if (!(name in declaredInputs)) throw new Error(`input '${name}' is not declared`);
  const secrets = Object.fromEntries(
    Object.keys(call.secrets ?? {}).map((name) => [name, options.secrets?.[name] ?? '']),
  );
  const done: Record<
    string,
    {
      ran: boolean;
      steps: SimulatedStep[];
      status: JobStatus;
      outputs: Record<string, string>;
      environment?: string;
    }
  > = {};
  const pending = Object.keys(workflow.jobs);
  while (pending.length > 0) {
    const index = pending.findIndex((job) => needsOf(workflow, job).every((n) => n in done));
    if (index === -1) throw new Error(`jobs ${pending.join(', ')} wait on each other`);
    const [job] = pending.splice(index, 1) as [string];
    const spec = workflow.jobs[job]!;
    const needs = Object.fromEntries(
      needsOf(workflow, job).map((n) => [
        n,
        { outputs: done[n]!.outputs, result: done[n]!.ran ? done[n]!.status : 'skipped' },
      ]),
    );
    const upstream: JobStatus = needsOf(workflow, job).some((n) => done[n]!.status !== 'success')
      ? 'failure'
      : 'success';
    const base = {
      github: options.github,
      inputs,
      secrets,
      needs,
      vars: options.vars ?? {},
      env: {},
      runner: { os: 'Linux', temp: '/home/runner/work/_temp' },
    };
    if (!condition(spec.if, contexts({ ...base, steps: {} }), upstream)) {
      done[job] = {
        ran: false,
        steps: [],
        status: 'success',
        outputs: Object.fromEntries(Object.keys(spec.outputs ?? {}).map((o) => [o, ''])),
      };
      continue;
    }
    const run = simulateSteps(spec.steps, base, {
      outcome: options.outcome ? (step) => options.outcome!(job, step) : undefined,
      outputs: options.outputs ? (step) => options.outputs!(job, step) : undefined,
    });
    const ctx = contexts({ ...base, steps: run.stepsContext });
    const outputs = Object.fromEntries(
      Object.entries(spec.outputs ?? {}).map(([o, v]) => [o, interpolate(v, ctx, run.status)]),
    );
    const environment = typeof spec.environment === 'string' ? spec.environment : spec.environment?.name;
    done[job] = {
      ran: true,
      steps: run.steps,
      status: run.status,
      outputs,
      ...(environment !== undefined ? { environment: interpolate(environment, ctx) } : {}),
    };
  }
  const jobsCtx = contexts({
    jobs: Object.fromEntries(
      Object.entries(done).map(([j, r]) => [j, { outputs: r.outputs, result: r.status }]),
    ),
  });
  const outputs = Object.fromEntries(
    Object.entries(call.outputs ?? {}).map(([o, spec]) => [o, interpolate(spec.value, jobsCtx)]),
  );
  return { jobs: done, outputs };
}

function needsOf(workflow: WorkflowFile, job: string): string[] {
  const needs = workflow.jobs[job]?.needs;
  return needs === undefined ? [] : Array.isArray(needs) ? needs : [needs];
}

function contexts(all: Record<string, unknown>) {
  const strict = (path: string) =>
    path === '' ||
    path === 'inputs' ||
    path === 'secrets' ||
    path === 'steps' ||
    path === 'needs' ||
    path === 'jobs' ||
    /^(steps|needs|jobs)\.[^.]+(\.outputs)?$/.test(path);
  return toData(all, '', strict) as Parameters<typeof interpolate>[1];
}
