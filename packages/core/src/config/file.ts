// Reading `.github/shiftgate.yml`. Kept apart from the config model (model.ts) so that code which never
// reads the file does not load the YAML parser: select-strategy imports this only when the file exists.
import { LineCounter, isMap, isScalar, isSeq, parse, parseDocument, type Node } from 'yaml';
import {
  DEFAULT_CONFIG_PATH,
  TARGET_NAMES,
  emptyConfig,
  validateGate,
  type EnvironmentConfig,
  type ShiftgateConfig,
  type TargetName,
} from './model';
import { parseCells, type Cell } from './cells';
import { InputError } from '../shared/index';
import { GATE_NAMES, prometheusQueriesFrom, type GateName } from '../health/index';
import {
  parseServices,
  parseStrategyName,
  resolveParameters,
  STRATEGIES,
  STRATEGY_NAMES,
  type RawParameter,
  type StrategyName,
} from '../strategy/index';

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
      'must be a mapping with keys version, default-strategy, gates, strategies, environments, prometheus',
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
            cells: null,
            services: null,
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
              case 'cells':
                try {
                  env.cells = parseCells(path, fieldValue === null ? null : (fieldValue.toJSON() as unknown));
                } catch (error) {
                  fail(fieldValue ?? fieldKey, path, (error as Error).message.replace(/^Input '[^']+' /, ''));
                }
                break;
              case 'services': {
                // Kept as the text the `services` input takes (JSON is YAML), checked by the same parser.
                const text = fieldValue === null ? '' : JSON.stringify(fieldValue.toJSON());
                try {
                  if (parseServices(path, text).length === 0)
                    throw new Error('must be a non-empty list of services');
                  env.services = text;
                } catch (error) {
                  fail(fieldValue ?? fieldKey, path, (error as Error).message.replace(/^Input '[^']+' /, ''));
                }
                break;
              }
              default:
                fail(
                  fieldKey,
                  path,
                  'is not an environment setting; settings are allowed-strategies, default-strategy, gates, strategies, targets, cells, services',
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
      case 'prometheus':
        for (const [field, fieldValue, fieldKey] of entries(value ?? keyNode, 'prometheus')) {
          if (field !== 'queries')
            fail(fieldKey, `prometheus.${field}`, 'is not a Prometheus setting; the file takes queries');
          if (fieldValue === null || !isMap(fieldValue))
            fail(
              fieldValue ?? fieldKey,
              'prometheus.queries',
              'must be a mapping of statistic to PromQL template',
            );
          try {
            config.prometheus = {
              queries: prometheusQueriesFrom('prometheus.queries', fieldValue!.toJSON()),
            };
          } catch (error) {
            fail(
              fieldValue,
              'prometheus.queries',
              (error as Error).message.replace(/^Input 'prometheus\.queries' /, ''),
            );
          }
        }
        break;
      default:
        fail(
          keyNode,
          name,
          'is not a setting; settings are version, default-strategy, gates, strategies, environments, prometheus',
        );
    }
  }
  return config;
}

/** Reads the `cells` input: a YAML (or JSON) list of cells; an empty value is no cells. */
export function parseCellsInput(input: string, text: string): Cell[] | null {
  if (text.trim() === '') return null;
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new InputError(input, text, 'a YAML list of cells', {
      message: `Input '${input}' is not valid YAML: ${(error as Error).message.split('\n')[0]}`,
    });
  }
  try {
    return parseCells(input, doc);
  } catch (error) {
    // The cell's own sentence names the cell and the field; the input it came from goes in front.
    if (error instanceof InputError && !error.message.startsWith(`Input '${input}`))
      throw new InputError(error.input, error.value, '', { message: `Input '${input}': ${error.message}` });
    throw error;
  }
}
