/** The seven strategies, in the order they are documented. */
export const STRATEGY_NAMES = [
  'blue-green',
  'canary',
  'linear',
  'rolling',
  'ab-testing',
  'feature-flag',
  'saga',
] as const;

/** A strategy's canonical name. `saga-pattern` is accepted as an alias of `saga` when parsing. */
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/**
 * One step of a plan. Weights are the percent of traffic sent to the canary (new) target group; the
 * stable target group gets the rest. Keys are kebab-case, as in every shiftgate JSON document.
 */
export type Step =
  /** Set the canary weight on every route. */
  | { kind: 'shift'; weight: number }
  /** Judge the gates for a duration; `promote: false` means a pass does not promote (ab-testing). */
  | { kind: 'bake'; duration: string; 'duration-ms': number; promote: boolean }
  /** Judge the gates once, without waiting (blue-green pre-switch checks on the idle target group). */
  | { kind: 'gate'; name: string }
  /** Run the user's command with SHIFTGATE_* variables (feature-flag exposure). */
  | { kind: 'hook'; name: string; command: string; exposure: number }
  /** Stop and wait for a person: the run ends with the traffic where it is. */
  | { kind: 'approval'; reason: string }
  /** Rolling: move these cells (or target groups) to the new version together. */
  | { kind: 'batch'; batch: number; cells: string[] }
  /** Saga: deploy this service; on failure, the services already deployed are compensated in reverse. */
  | { kind: 'service'; service: string; order: number }
  /** A/B: send the audience (the `audience` parameter's conditions) to B with a listener rule, or remove it. */
  | { kind: 'audience'; action: 'route' | 'remove'; audience: string };

/** The kinds of step, for exhaustive switches and validation. */
export type StepKind = Step['kind'];

/** Fails to compile when a switch over step kinds misses one. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unexpected ${what}: ${JSON.stringify(value)}`);
}
