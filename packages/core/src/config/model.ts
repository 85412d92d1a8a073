import { GATE_PARSERS, type GateName, type PrometheusQueries } from '../health/index';
import type { RawParameter, StrategyName } from '../strategy/index';
import type { Cell } from './cells';

/** Default path of the config file, relative to the repository root. */
export const DEFAULT_CONFIG_PATH = '.github/shiftgate.yml';

/** Where traffic lives for an environment: the names match the shift-traffic and bake-and-gate inputs. */
export const TARGET_NAMES = [
  'listener-arn',
  'rule-arn',
  'load-balancer-arn',
  'stable-target-group-arn',
  'canary-target-group-arn',
  'aws-region',
] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/** Settings of one environment. */
export interface EnvironmentConfig {
  /** Strategies this environment allows; `null` allows all. */
  'allowed-strategies': StrategyName[] | null;
  'default-strategy': StrategyName | null;
  gates: Partial<Record<GateName, string>>;
  targets: Partial<Record<TargetName, string>>;
  /** Parameter overrides per strategy, applied over the file-wide ones. */
  strategies: Partial<Record<StrategyName, Record<string, RawParameter>>>;
  /** Rolling: the cells of this environment, validated; null when none are defined. */
  cells: Cell[] | null;
  /**
   * Saga: this environment's services (name, deploy and compensate commands, …) as the JSON text of the
   * list the `services` input takes, validated by its parser; null when none are defined.
   */
  services: string | null;
}

/** The parsed `.github/shiftgate.yml`. */
export interface ShiftgateConfig {
  version: 1;
  'default-strategy': StrategyName | null;
  gates: Partial<Record<GateName, string>>;
  strategies: Partial<Record<StrategyName, Record<string, RawParameter>>>;
  environments: Record<string, EnvironmentConfig>;
  /** `prometheus.queries`: the PromQL templates (defaults filled in), when the file gives any. */
  prometheus?: { queries: PrometheusQueries };
}

/** An empty config: what a repository without the file gets. */
export function emptyConfig(): ShiftgateConfig {
  return { version: 1, 'default-strategy': null, gates: {}, strategies: {}, environments: {} };
}

/**
 * Validates one gate value of the config file with the very parser the run uses, so the file accepts
 * exactly what the action inputs and flags accept; throws an InputError naming the gate.
 */
export function validateGate(name: GateName, value: string): void {
  GATE_PARSERS[name](name, value);
}

/** Parameters for a strategy in an environment: file-wide overrides, then the environment's. */
export function configParameters(
  config: ShiftgateConfig,
  strategy: StrategyName,
  environment: string | null,
): Record<string, RawParameter> {
  const env = environment ? config.environments[environment] : undefined;
  return { ...(config.strategies[strategy] ?? {}), ...(env?.strategies[strategy] ?? {}) };
}

/** Gates for an environment: file-wide, then the environment's. */
export function configGates(
  config: ShiftgateConfig,
  environment: string | null,
): Partial<Record<GateName, string>> {
  const env = environment ? config.environments[environment] : undefined;
  return { ...config.gates, ...(env?.gates ?? {}) };
}

/** The saga services an environment defines (the `services` input's text), or null. */
export function configServices(config: ShiftgateConfig, environment: string | null): string | null {
  return (environment ? config.environments[environment]?.services : null) ?? null;
}

/** The cells an environment defines, or null. */
export function configCells(config: ShiftgateConfig, environment: string | null): Cell[] | null {
  return (environment ? config.environments[environment]?.cells : null) ?? null;
}
