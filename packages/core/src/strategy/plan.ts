import { InputError, parseDuration } from '../shared/index';
import { parseAudience } from './audience';
import { resolveParameters, STRATEGIES, type Parameters, type RawParameter } from './catalogue';
import { assertNever, type Step, type StrategyName } from './steps';
import { parseWaveSizes, planCellWaves, type CellPlace, type WaveBoundary } from './cells';

/** A strategy turned into steps. */
export interface Plan {
  strategy: StrategyName;
  parameters: Parameters;
  steps: Step[];
  /** Saga only: what runs, in order, to undo the services already deployed. */
  compensation: Step[];
  /** What the planner warns about without refusing (a one-box above 10% of its region). */
  warnings?: string[];
}

/** What a plan is built for, beyond its parameters. */
export interface PlanContext {
  /** Rolling: the cells with their region and zone (from the config file or the `cells` input). */
  cells?: readonly CellPlace[] | null;
}

const bake = (duration: string, promote = true): Step => ({
  kind: 'bake',
  duration,
  'duration-ms': parseDuration('bake-time', duration),
  promote,
});

/**
 * Builds the deterministic plan of a strategy from raw parameters (merged over the catalogue defaults) and
 * validates it. The same strategy and parameters always give the same steps.
 */
export function buildPlan(
  strategy: StrategyName,
  raw: Readonly<Record<string, RawParameter>> = {},
  context: PlanContext = {},
): Plan {
  const parameters = resolveParameters(strategy, raw);
  const steps: Step[] = [];
  const compensation: Step[] = [];
  const warnings: string[] = [];
  switch (strategy) {
    case 'blue-green': {
      if (parameters['pre-switch-checks'] === true) steps.push({ kind: 'gate', name: 'pre-switch' });
      steps.push({ kind: 'shift', weight: 100 }, bake(parameters['bake-time'] as string));
      break;
    }
    case 'canary': {
      for (const weight of canaryWeights(parameters, raw)) {
        steps.push({ kind: 'shift', weight });
        if (weight < 100) steps.push(bake(parameters['bake-time'] as string));
      }
      break;
    }
    case 'linear': {
      const size = parameters['step-size'] as number;
      if (size < 1) throw new InputError('parameters.step-size', size, 'a whole percentage from 1% to 100%');
      for (let weight = size; ; weight += size) {
        const capped = Math.min(weight, 100);
        steps.push({ kind: 'shift', weight: capped });
        if (capped === 100) break;
        steps.push(bake(parameters.interval as string));
      }
      break;
    }
    case 'rolling': {
      warnings.push(...rollingSteps(parameters, context.cells ?? null, steps));
      break;
    }
    case 'ab-testing': {
      const audience = parameters.audience as string | undefined;
      if (audience !== undefined) parseAudience('parameters.audience', audience);
      // With an audience the rest of the traffic stays on A unless a split is given.
      const split =
        audience !== undefined && raw.split === undefined ? [100, 0] : (parameters.split as number[]);
      if (split.length !== 2 || (split[0] ?? 0) + (split[1] ?? 0) !== 100) {
        throw new InputError(
          'parameters.split',
          split.join(','),
          'two weights, stable then new, that sum to 100 (such as 50,50 or 90,10)',
        );
      }
      if (split[1] === 0 && audience === undefined)
        throw new InputError(
          'parameters.split',
          split.join(','),
          'a split that sends some traffic to the new version',
        );
      if (split[1] === 100)
        throw new InputError('parameters.split', split.join(','), 'a split that leaves some traffic on A');
      const test = (reason: string): Step[] => [
        bake(parameters.duration as string, false),
        { kind: 'approval', reason },
      ];
      if (audience === undefined) {
        steps.push(
          { kind: 'shift', weight: split[1] as number },
          ...test('A/B test complete: compare the results, then promote or roll back by hand.'),
        );
        break;
      }
      steps.push({ kind: 'audience', action: 'route', audience });
      if ((split[1] as number) > 0) steps.push({ kind: 'shift', weight: split[1] as number });
      // Approving promotes: everyone goes to B, then the audience rule is removed.
      steps.push(
        ...test('A/B test complete: compare the results, then approve to promote B, or roll back.'),
        { kind: 'shift', weight: 100 },
        { kind: 'audience', action: 'remove', audience },
      );
      break;
    }
    case 'feature-flag': {
      const exposures = parameters['flag-steps'] as number[];
      requireIncreasingTo100('parameters.flag-steps', exposures);
      checkFlagProvider(parameters);
      steps.push({ kind: 'shift', weight: 100 });
      for (const exposure of exposures) {
        steps.push(
          {
            kind: 'hook',
            name: 'flag',
            command: (parameters['flag-command'] as string | undefined) ?? '',
            exposure,
          },
          bake(parameters['bake-time'] as string),
        );
      }
      break;
    }
    case 'saga': {
      const services = parameters.services as string[];
      services.forEach((service, order) => {
        steps.push({ kind: 'service', service, order: order + 1 }, bake(parameters['bake-time'] as string));
      });
      [...services].reverse().forEach((service, i) => {
        compensation.push({ kind: 'service', service, order: services.length - i });
      });
      break;
    }
    default:
      assertNever(strategy, 'strategy');
  }
  const plan: Plan = {
    strategy,
    parameters,
    steps,
    compensation,
    ...(warnings.length > 0 ? { warnings } : {}),
  };
  validatePlan(plan);
  return plan;
}

/**
 * Rolling: one `batch` step per wave (its cells are switched through `cell-steps` and baked by the
 * orchestrator), with an approval before each new region when `approve-regions` is set. Cells come from
 * the cell definitions, or, without them, from the `cells` parameter (one unnamed region, no zones).
 */
function rollingSteps(parameters: Parameters, defined: readonly CellPlace[] | null, steps: Step[]): string[] {
  const named = parameters.cells as string[] | undefined;
  if (!defined && !named) {
    throw new InputError('cells', '', '', {
      message:
        "Strategy rolling needs cells: define them under 'cells' (in the environment of .github/shiftgate.yml, or the 'cells' input) or list their names in the parameter 'cells'",
    });
  }
  let cells: readonly CellPlace[] = defined ?? named!.map((name) => ({ name, region: '-', zone: null }));
  if (defined && named) {
    const unknown = named.find((name) => !defined.some((c) => c.name === name));
    if (unknown !== undefined) {
      throw new InputError(
        'parameters.cells',
        named.join(','),
        `names of defined cells (${defined.map((c) => c.name).join(', ')})`,
      );
    }
    cells = named.map((name) => defined.find((c) => c.name === name)!);
  }
  const cellSteps = parameters['cell-steps'] as number[];
  requireIncreasingTo100('parameters.cell-steps', cellSteps);
  const planned = planCellWaves({
    cells,
    sizes: parseWaveSizes('parameters.waves', parameters.waves as string),
    boundary: parameters['wave-boundary'] as WaveBoundary,
    regions: defined ? ((parameters.regions as string[] | undefined) ?? null) : null,
    strictOneBox: parameters['strict-one-box'] === true,
  });
  let region: string | null = null;
  for (const wave of planned.waves) {
    if (parameters['approve-regions'] === true && region !== null && wave.region !== region) {
      const count = planned.waves
        .filter((w) => w.region === wave.region)
        .reduce((n, w) => n + w.cells.length, 0);
      steps.push({
        kind: 'approval',
        reason: `approve region ${wave.region} (${count} cells) before its first wave`,
      });
    }
    region = wave.region;
    steps.push({ kind: 'batch', batch: wave.wave, cells: wave.cells });
  }
  return planned.warnings;
}

/** Highest generated canary weight when `max-traffic` is not given (Flagger's maxWeight default is 50 too). */
const DEFAULT_MAX_TRAFFIC = 50;

function canaryWeights(parameters: Parameters, raw: Readonly<Record<string, RawParameter>>): PlanWeights {
  const size = parameters['step-size'] as number | undefined;
  if (size === undefined) {
    if (raw['initial-traffic'] !== undefined || raw['max-traffic'] !== undefined) {
      throw new InputError('parameters.step-size', '', '', {
        message:
          "Input 'parameters' sets initial-traffic or max-traffic without step-size; set step-size too, or list the weights in 'steps'",
      });
    }
    const weights = parameters.steps as PlanWeights;
    requireIncreasingTo100('parameters.steps', weights);
    return weights;
  }
  if (raw.steps !== undefined) {
    throw new InputError('parameters.steps', raw.steps, '', {
      message:
        "Input 'parameters' sets both steps and step-size; use one way of describing the canary schedule",
    });
  }
  const initial = (parameters['initial-traffic'] as number | undefined) ?? size;
  const max = (parameters['max-traffic'] as number | undefined) ?? DEFAULT_MAX_TRAFFIC;
  if (size < 1 || size > 99)
    throw new InputError('parameters.step-size', size, 'a whole percentage from 1% to 99%');
  if (initial < 1 || initial > max) {
    throw new InputError(
      'parameters.initial-traffic',
      initial,
      `a whole percentage from 1% to max-traffic (${max}%)`,
    );
  }
  if (max > 99) throw new InputError('parameters.max-traffic', max, 'a whole percentage from 1% to 99%');
  const weights: PlanWeights = [];
  for (let w = initial; w < max; w += size) weights.push(w);
  weights.push(max, 100);
  return weights;
}

function requireIncreasingTo100(input: string, weights: readonly number[]): void {
  for (let i = 1; i < weights.length; i++) {
    if ((weights[i] as number) <= (weights[i - 1] as number)) {
      throw new InputError(
        input,
        weights.join(','),
        'weights that strictly increase and end at 100, such as 5,25,50,100',
      );
    }
  }
  if (weights[0] === 0)
    throw new InputError(input, weights.join(','), 'weights above 0 that strictly increase and end at 100');
  if (weights.at(-1) !== 100) {
    throw new InputError(
      input,
      weights.join(','),
      'weights that strictly increase and end at 100, such as 5,25,50,100',
    );
  }
}

/**
 * Checks invariants every plan must hold, whichever way it was built: weights within 0–100, shifts
 * strictly increasing (ab-testing holds one split), bakes longer than zero, a plan that does something.
 */
export function validatePlan(plan: Plan): void {
  if (plan.steps.length === 0) throw new Error(`The ${plan.strategy} plan has no steps`);
  let last = 0;
  for (const [index, step] of plan.steps.entries()) {
    switch (step.kind) {
      case 'shift':
        if (!Number.isInteger(step.weight) || step.weight < 0 || step.weight > 100) {
          throw new Error(`Plan step ${index} shifts to ${step.weight}%, outside 0–100`);
        }
        if (step.weight <= last)
          throw new Error(`Plan step ${index} shifts to ${step.weight}%, not above ${last}%`);
        last = step.weight;
        break;
      case 'bake':
        if (step['duration-ms'] <= 0) throw new Error(`Plan step ${index} bakes for ${step.duration}`);
        break;
      case 'gate':
      case 'approval':
      case 'batch':
      case 'service':
      case 'audience':
        break;
      case 'hook':
        if (step.exposure < 0 || step.exposure > 100)
          throw new Error(`Plan step ${index} exposes ${step.exposure}%`);
        break;
      default:
        assertNever(step, 'step');
    }
  }
}

/**
 * A plan's canary percentages, one per shift step in order (`[5, 25, 50, 100]`): not a `Split`
 * of one moment, nor the target-group weights of a route.
 */
export type PlanWeights = number[];

/** The canary weight after each shift step, in order: the `weights` output of select-strategy. */
export function planWeights(steps: readonly Step[]): PlanWeights {
  return steps.flatMap((step) => (step.kind === 'shift' ? [step.weight] : []));
}

/**
 * The cells of each rolling wave, in order: a wave matrix a workflow can fan out over, one job per wave
 * (`matrix: { cell: ${{ fromJSON(needs.plan.outputs.waves)[0] }} }`). Empty for strategies without cells.
 */
export function planWaves(steps: readonly Step[]): string[][] {
  return steps.flatMap((step) => (step.kind === 'batch' ? [step.cells] : []));
}

/** Total time the plan bakes, in milliseconds, for summaries and estimates. */
export function planBakeTime(steps: readonly Step[]): number {
  return steps.reduce((sum, step) => sum + (step.kind === 'bake' ? step['duration-ms'] : 0), 0);
}

/** Describes a step in a few words for logs and summaries. */
export function describeStep(step: Step): string {
  switch (step.kind) {
    case 'shift':
      return `shift ${step.weight}% of traffic to the new version`;
    case 'bake':
      return `bake ${step.duration} and judge the gates${step.promote ? '' : ' (no automatic promotion)'}`;
    case 'gate':
      return `${step.name} checks`;
    case 'hook':
      return `${step.name}: expose the feature to ${step.exposure}%`;
    case 'approval':
      return `wait for approval: ${step.reason}`;
    case 'batch':
      return `wave ${step.batch}: ${step.cells.join(', ')}`;
    case 'service':
      return `deploy service ${step.service} (${step.order})`;
    case 'audience':
      return step.action === 'route'
        ? `send the audience ${step.audience} to the new version (listener rule)`
        : 'remove the audience rule';
    default:
      return assertNever(step, 'step');
  }
}

/**
 * A feature-flag plan's provider: `command` (the default) needs `flag-command`; `appconfig` refuses one
 * (shiftgate deploys the flag itself; where it lives may also come from the run's inputs).
 */
function checkFlagProvider(parameters: Parameters): void {
  const command = parameters['flag-command'];
  if ((parameters['flag-provider'] ?? 'command') === 'command') {
    if (command === undefined) {
      throw new InputError('parameters.flag-command', '', '', {
        message: `Strategy feature-flag needs parameter 'flag-command': ${STRATEGIES['feature-flag'].parameters[0]!.description} Or set 'flag-provider' to appconfig.`,
      });
    }
    return;
  }
  if (command !== undefined) {
    throw new InputError('parameters.flag-command', command, '', {
      message:
        "Parameter 'flag-command' is set, but 'flag-provider' is appconfig: shiftgate sets the flag's exposure in AWS AppConfig itself, so leave 'flag-command' empty (or use flag-provider command). Nothing was changed.",
    });
  }
}
