import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { InputError } from './errors';
import { STRATEGIES, parseStrategyName, resolveParameters, type RawParameter } from './strategies';
import { STRATEGY_NAMES, type StrategyName } from './steps';
import { parseDuration, parseInteger, parsePercent } from './units';

/** Default path of the config file, relative to the repository root. */
export const DEFAULT_CONFIG_PATH = '.github/shiftgate.yml';

/** Gate names as they are written in the config file, action inputs, the CLI and trace files. */
export const GATE_NAMES = [
  'max-error-rate',
  'max-p99-latency',
  'max-latency-increase',
  'min-healthy-percent',
  'min-requests',
  'bake-time',
  'confidence',
  'on-inconclusive',
  'max-consecutive-errors',
] as const;
export type GateName = (typeof GATE_NAMES)[number];

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
}

/** The parsed `.github/shiftgate.yml`. */
export interface ShiftgateConfig {
  version: 1;
  'default-strategy': StrategyName | null;
  gates: Partial<Record<GateName, string>>;
  strategies: Partial<Record<StrategyName, Record<string, RawParameter>>>;
  environments: Record<string, EnvironmentConfig>;
}

/** An empty config: what a repository without the file gets. */
export function emptyConfig(): ShiftgateConfig {
  return { version: 1, 'default-strategy': null, gates: {}, strategies: {}, environments: {} };
}

/** A problem in the config file, located at `file:line:column` and naming the key. */
export class ConfigError extends InputError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly key: string;
  constructor(file: string, line: number, column: number, key: string, problem: string) {
    super('config', key, '', { message: `${file}:${line}:${column}: ${key ? `'${key}' ` : ''}${problem}` });
    this.file = file;
    this.line = line;
    this.column = column;
    this.key = key;
  }
}

/**
 * Parses and validates the config file. Every key is known, every value parsed with the same rules as the
 * action inputs, and every error points at `file:line:column` and names the key.
 */
export function parseConfig(text: string, file = DEFAULT_CONFIG_PATH): ShiftgateConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (node: Node | null | undefined): { line: number; col: number } => {
    const offset = node?.range?.[0] ?? 0;
    return lineCounter.linePos(offset);
  };
  const fail = (node: Node | null | undefined, key: string, problem: string): never => {
    const { line, col } = at(node);
    throw new ConfigError(file, line, col, key, problem);
  };
  const [syntax] = doc.errors;
  if (syntax) {
    const { line, col } = lineCounter.linePos(syntax.pos[0]);
    throw new ConfigError(file, line, col, '', `is not valid YAML: ${syntax.message.split('\n')[0]}`);
  }
  const config = emptyConfig();
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return config;
  if (!isMap(root))
    return fail(
      root,
      '',
      'must be a mapping with keys version, default-strategy, gates, strategies, environments',
    );

  const entries = (node: Node, key: string): Array<[string, Node | null, Node]> => {
    if (!isMap(node)) return fail(node, key, 'must be a mapping');
    return node.items.map((pair) => {
      const k = pair.key as Node;
      if (!isScalar(k) || typeof k.value !== 'string')
        return fail(k, key, 'has a key that is not a plain string');
      return [k.value, (pair.value as Node | null) ?? null, k];
    });
  };
  const scalar = (node: Node | null, key: string, keyNode: Node): string => {
    if (node === null) return fail(keyNode, key, 'has no value');
    if (!isScalar(node) || node.value === null || typeof node.value === 'object') {
      return fail(node, key, 'must be a single value (a string or number)');
    }
    return String(node.value);
  };
  const strategyName = (node: Node | null, key: string, keyNode: Node): StrategyName => {
    const value = scalar(node, key, keyNode);
    try {
      return parseStrategyName(key, value);
    } catch {
      return fail(node, key, `must be one of ${STRATEGY_NAMES.join(', ')}, got '${value}'`);
    }
  };
  const gates = (node: Node, key: string): Partial<Record<GateName, string>> => {
    const out: Partial<Record<GateName, string>> = {};
    for (const [name, value, keyNode] of entries(node, key)) {
      const path = `${key}.${name}`;
      if (!(GATE_NAMES as readonly string[]).includes(name)) {
        fail(keyNode, path, `is not a gate; gates are ${GATE_NAMES.join(', ')}`);
      }
      const text = scalar(value, path, keyNode);
      try {
        validateGate(name as GateName, text);
      } catch (error) {
        fail(value, path, (error as InputError).message.replace(/^Input '[^']+' /, ''));
      }
      out[name as GateName] = text;
    }
    return out;
  };
  const parameters = (
    node: Node,
    key: string,
  ): Partial<Record<StrategyName, Record<string, RawParameter>>> => {
    const out: Partial<Record<StrategyName, Record<string, RawParameter>>> = {};
    for (const [name, value, keyNode] of entries(node, key)) {
      const strategy = strategyName(keyNode, `${key}.${name}`, keyNode);
      const params: Record<string, RawParameter> = {};
      for (const [param, paramValue, paramKey] of entries(value ?? keyNode, `${key}.${name}`)) {
        const path = `${key}.${name}.${param}`;
        const known = STRATEGIES[strategy].parameters.map((p) => p.name);
        if (!known.includes(param)) {
          fail(paramKey, path, `is not a parameter of ${strategy}; its parameters are ${known.join(', ')}`);
        }
        if (paramValue !== null && isSeq(paramValue)) {
          params[param] = paramValue.items.map((item) => scalar(item as Node, path, paramKey));
        } else {
          params[param] = scalar(paramValue, path, paramKey);
        }
        try {
          resolveParameters(strategy, { [param]: params[param] as RawParameter }, `${key}.${name}`);
        } catch (error) {
          const message = (error as Error).message;
          // A required parameter missing here is fine: it may come from elsewhere. Only this one is judged.
          if (!message.startsWith(`Strategy ${strategy} needs parameter`)) {
            fail(paramValue ?? paramKey, path, message.replace(/^Input '[^']+' /, ''));
          }
        }
      }
      out[strategy] = params;
    }
    return out;
  };

  for (const [name, value, keyNode] of entries(root, '')) {
    switch (name) {
      case 'version': {
        const v = scalar(value, 'version', keyNode);
        if (v !== '1') fail(value, 'version', `must be 1, got '${v}'`);
        break;
      }
      case 'default-strategy':
        config['default-strategy'] = strategyName(value, 'default-strategy', keyNode);
        break;
      case 'gates':
        config.gates = gates(value ?? keyNode, 'gates');
        break;
      case 'strategies':
        config.strategies = parameters(value ?? keyNode, 'strategies');
        break;
      case 'environments':
        for (const [envName, envNode, envKey] of entries(value ?? keyNode, 'environments')) {
          const env: EnvironmentConfig = {
            'allowed-strategies': null,
            'default-strategy': null,
            gates: {},
            targets: {},
            strategies: {},
          };
          const base = `environments.${envName}`;
          for (const [field, fieldValue, fieldKey] of entries(envNode ?? envKey, base)) {
            const path = `${base}.${field}`;
            switch (field) {
              case 'allowed-strategies': {
                if (fieldValue === null || !isSeq(fieldValue) || fieldValue.items.length === 0) {
                  fail(fieldValue ?? fieldKey, path, 'must be a non-empty list of strategy names');
                }
                env['allowed-strategies'] = (fieldValue as unknown as { items: Node[] }).items.map(
                  (item, i) => strategyName(item, `${path}[${i}]`, item),
                );
                break;
              }
              case 'default-strategy':
                env['default-strategy'] = strategyName(fieldValue, path, fieldKey);
                break;
              case 'gates':
                env.gates = gates(fieldValue ?? fieldKey, path);
                break;
              case 'strategies':
                env.strategies = parameters(fieldValue ?? fieldKey, path);
                break;
              case 'targets':
                for (const [target, targetValue, targetKey] of entries(fieldValue ?? fieldKey, path)) {
                  if (!(TARGET_NAMES as readonly string[]).includes(target)) {
                    fail(
                      targetKey,
                      `${path}.${target}`,
                      `is not a target; targets are ${TARGET_NAMES.join(', ')}`,
                    );
                  }
                  env.targets[target as TargetName] = scalar(targetValue, `${path}.${target}`, targetKey);
                }
                break;
              default:
                fail(
                  fieldKey,
                  path,
                  'is not an environment setting; settings are allowed-strategies, default-strategy, gates, strategies, targets',
                );
            }
          }
          const allowed = env['allowed-strategies'];
          const def = env['default-strategy'];
          if (allowed && def && !allowed.includes(def)) {
            fail(
              envNode,
              `${base}.default-strategy`,
              `is ${def}, which allowed-strategies (${allowed.join(', ')}) does not allow`,
            );
          }
          config.environments[envName] = env;
        }
        break;
      default:
        fail(
          keyNode,
          name,
          'is not a setting; settings are version, default-strategy, gates, strategies, environments',
        );
    }
  }
  return config;
}

/** Validates one gate value with the rules of its action input; throws an InputError naming the gate. */
export function validateGate(name: GateName, value: string): void {
  switch (name) {
    case 'max-error-rate':
    case 'max-latency-increase':
    case 'min-healthy-percent':
      parsePercent(name, value, { fraction: true, max: name === 'max-latency-increase' ? 1000 : 100 });
      return;
    case 'confidence':
      parsePercent(name, value, { fraction: true, min: 50, max: 99.99 });
      return;
    case 'max-p99-latency':
    case 'bake-time':
      parseDuration(
        name,
        /^\d+$/.test(value.trim()) && name === 'max-p99-latency' ? `${value.trim()}ms` : value,
      );
      return;
    case 'min-requests':
      parseInteger(name, value);
      return;
    case 'max-consecutive-errors':
      parseInteger(name, value, { min: 0, max: 1000 });
      return;
    case 'on-inconclusive':
      if (!['rollback', 'fail', 'promote'].includes(value.trim())) {
        throw new InputError(name, value, "'rollback', 'fail' or 'promote'");
      }
      return;
  }
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

/** Lists every strategy's parameters, for the JSON schema and docs. */
export function strategyParameterNames(strategy: StrategyName): string[] {
  return STRATEGIES[strategy].parameters.map((p) => p.name);
}
