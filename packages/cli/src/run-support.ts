// What `shiftgate deploy`, `rollback` and `demo` share: the plan from flags or a state file, the AWS
// and simulated ports, and running the user's shell commands.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CloudWatchMetricSource } from '@shiftgate/aws';
import {
  CloudWatchAlarmSource,
  CloudWatchCellMetricSource,
  createCloudWatchClient,
  createElbv2Client,
  Elbv2RuleManager,
  Elbv2TrafficRouter,
  parseRetryMode,
  regionalRouter,
  parseRouteInputs,
  metricSourceFactory,
  RegionalClients,
  regionalElbv2Router,
  ROUTE_INPUT_DEFAULTS,
} from '@shiftgate/aws';
import {
  buildPlan,
  configCells,
  configParameters,
  configServices,
  createRolloutState,
  DEFAULT_CONFIG_PATH,
  emptyConfig,
  InputError,
  parseConfig,
  parseInteger,
  parseRolloutState,
  parseEnvironmentName,
  parseFlagProvider,
  parseServices,
  parseStrategyName,
  parseVersion,
  serviceNames,
  type AbMetric,
  type AlarmSource,
  type Cell,
  type CellMetricSource,
  type MetricSourceFactory,
  type RawParameter,
  type RolloutState,
  type RuleManager,
  type ShiftgateConfig,
  type TargetPair,
  type TrafficRouter,
  type SourceSettings,
} from '@shiftgate/core';
import { parse as parseYaml } from 'yaml';
import { UsageError, type Io } from './command';
import {
  createSimulation,
  generateCells,
  parseBEffect,
  parseFault,
  parseScenario,
  type BadVersion,
  type Simulation,
} from './simulator/index';

/** When every simulation starts: a fixed instant, so a seed always prints the same run. */
export const SIMULATION_EPOCH = Date.UTC(2026, 0, 1, 9, 0, 0);

/** Flags naming the plan: a state file, or a strategy with parameters (as `shiftgate plan` takes them). */
export const PLAN_FLAGS = {
  state: { type: 'string' },
  strategy: { type: 'string' },
  param: { type: 'string', multiple: true },
  parameters: { type: 'string' },
  environment: { type: 'string' },
  config: { type: 'string' },
  version: { type: 'string' },
} as const;

/** Flags naming the routes and target groups, and the AWS client settings (as the actions take them). */
export const ROUTE_FLAGS = {
  'listener-arn': { type: 'string', multiple: true },
  'rule-arn': { type: 'string', multiple: true },
  'stable-target-group-arn': { type: 'string' },
  'canary-target-group-arn': { type: 'string' },
  'aws-region': { type: 'string' },
  'retry-mode': { type: 'string' },
  'max-attempts': { type: 'string' },
} as const;

/** Flags of the simulator. */
export const SIMULATE_FLAGS = {
  simulate: { type: 'boolean' },
  scenario: { type: 'string' },
  seed: { type: 'string' },
  at: { type: 'string' },
  fault: { type: 'string', multiple: true },
} as const;

/** Flags of simulated cells (`shiftgate deploy --simulate --strategy rolling`). */
export const CELL_FLAGS = {
  cells: { type: 'string' },
  regions: { type: 'string' },
  zones: { type: 'string' },
  'bad-cell': { type: 'string', multiple: true },
  'bad-zone': { type: 'string', multiple: true },
  'alarm-cell': { type: 'string', multiple: true },
} as const;

/**
 * Simulated cells from `--cells N --regions a,b --zones N`, and which of them run a bad version
 * (`--scenario step-regression`: all; `--bad-cell`, `--bad-zone`: those only); null without `--cells`.
 */
export function simulatedCellsFromFlags(
  values: Values,
): { cells: Cell[]; bad: BadVersion; alarmCells: string[] } | null {
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const list = (name: string) => (values[name] as string[] | undefined) ?? [];
  if (text('cells') === undefined) {
    for (const flag of ['regions', 'zones', 'bad-cell', 'bad-zone', 'alarm-cell']) {
      const v = values[flag];
      if (v !== undefined && !(Array.isArray(v) && v.length === 0))
        throw new UsageError(`--${flag} only applies with --cells`);
    }
    return null;
  }
  const count = parseInteger('--cells', text('cells')!, { min: 1, max: 100_000 });
  const regions = (text('regions') ?? 'us-east-1')
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  const bad = /^[a-z]{2}(-[a-z]+)+-\d+$/;
  const wrong = regions.find((r) => !bad.test(r));
  if (wrong !== undefined)
    throw new InputError('--regions', text('regions'), 'AWS regions such as us-east-1,eu-west-1');
  const zones = parseInteger('--zones', text('zones') ?? '1', { min: 1, max: 6 });
  const generated = generateCells({ count, regions, zones });
  // An --alarm-cell has its own alarm, which fires once its new version takes traffic.
  for (const name of list('alarm-cell')) {
    if (!generated.some((c) => c.name === name))
      throw new InputError('--alarm-cell', name, `a generated cell name such as ${generated[0]!.name}`);
  }
  const cells = generated.map((c) =>
    list('alarm-cell').includes(c.name) ? { ...c, alarms: [`${c.name}-alarm`] } : c,
  );
  for (const name of list('bad-cell')) {
    if (!cells.some((c) => c.name === name))
      throw new InputError('--bad-cell', name, `a generated cell name such as ${cells[0]!.name}`);
  }
  for (const zone of list('bad-zone')) {
    if (!cells.some((c) => c.zone === zone))
      throw new InputError('--bad-zone', zone, `a generated zone such as ${cells[0]!.zone}`);
  }
  const scenario = text('scenario') ?? 'healthy';
  if (scenario !== 'healthy' && scenario !== 'step-regression')
    throw new InputError('--scenario', scenario, 'healthy or step-regression (a bad version) with --cells');
  return {
    cells,
    bad: { everywhere: scenario === 'step-regression', cells: list('bad-cell'), zones: list('bad-zone') },
    alarmCells: list('alarm-cell'),
  };
}

type Values = Record<string, string | boolean | string[] | undefined>;

/** Reads a file named by a flag, relative to the working directory; a missing file is a usage error. */
export function readFlagFile(io: Io, flag: string, path: string): string {
  try {
    return readFileSync(resolve(io.cwd, path), 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read --${flag} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

/**
 * The rollout state to run: `--state <file>`, or a new one planned from `--strategy` and its parameters.
 * Rolling plans its waves over `cells` when given, else over the config environment's cells.
 */
export function stateFromFlags(
  command: string,
  values: Values,
  io: Io,
  now: Date,
  cells: readonly Cell[] | null = null,
): RolloutState {
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  if (text('state')) {
    for (const flag of ['strategy', 'parameters', 'environment', 'config', 'version']) {
      if (text(flag))
        throw new UsageError(`--${flag} cannot be combined with --state (the state has its plan)`);
    }
    if ((values.param as string[] | undefined)?.length)
      throw new UsageError('--param cannot be combined with --state (the state has its plan)');
    return parseRolloutState('--state', readFlagFile(io, 'state', text('state')!));
  }
  if (!text('strategy')) {
    throw new UsageError(`give --strategy <name> (or --state <file>). See 'shiftgate ${command} --help'.`);
  }
  const strategy = parseStrategyName('--strategy', text('strategy')!);
  const config = configFromFlags(values, io);
  const overrides: Record<string, RawParameter> = {};
  if (text('parameters')) {
    const doc = parseYaml(text('parameters')!) as unknown;
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
      throw new InputError(
        '--parameters',
        text('parameters'),
        'a YAML or JSON map such as {steps: "5,25,100"}',
      );
    Object.assign(overrides, doc);
  }
  for (const pair of (values.param as string[] | undefined) ?? []) {
    const at = pair.indexOf('=');
    if (at < 1) throw new InputError('--param', pair, 'name=value, e.g. steps=5,25,50,100');
    overrides[pair.slice(0, at)] = pair.slice(at + 1);
  }
  // The field rules a state is held to apply to the flags that fill the same fields.
  const environment =
    text('environment') === undefined ? null : parseEnvironmentName('--environment', text('environment'));
  const version = text('version') === undefined ? null : parseVersion('--version', text('version'));
  const raw = { ...configParameters(config, strategy, environment), ...overrides };
  // `--flag-provider appconfig` plans a flag rollout without a flag-command, as the parameter would.
  if (strategy === 'feature-flag' && raw['flag-provider'] === undefined && text('flag-provider')?.trim())
    raw['flag-provider'] = parseFlagProvider('--flag-provider', text('flag-provider')!);
  // A saga planned here takes its service names, in order, from this run's --services (or the config
  // environment's services).
  const services = servicesFromFlags(values, io);
  if (strategy === 'saga' && raw.services === undefined && services)
    raw.services = serviceNames(parseServices('--services', services));
  const plan = buildPlan(strategy, raw, { cells: cells ?? configCells(config, environment) });
  return createRolloutState({
    strategy: plan.strategy,
    parameters: plan.parameters,
    plan: plan.steps,
    compensation: plan.compensation,
    environment,
    version,
    now,
  });
}

/**
 * The config file's `prometheus.queries` as the `prometheus-queries` value (JSON), when the flag is not
 * given and the file (`--config`, else the default path) has them; '' otherwise.
 */
export function configPrometheusQueries(values: Values, io: Io): string {
  if (typeof values['prometheus-queries'] === 'string') return values['prometheus-queries'];
  const given = typeof values.config === 'string' ? values.config : undefined;
  const path = resolve(io.cwd, given ?? DEFAULT_CONFIG_PATH);
  if (!existsSync(path)) return '';
  const config = parseConfig(readFileSync(path, 'utf8'), given ?? DEFAULT_CONFIG_PATH);
  return config.prometheus ? JSON.stringify(config.prometheus.queries) : '';
}

/**
 * The saga services with their commands: `--services`, else the `--environment`'s `services` in the config
 * file (this run's own config, as select-strategy reads it), else empty.
 */
export function servicesFromFlags(values: Values, io: Io): string {
  if (typeof values.services === 'string') return values.services;
  if (typeof values.environment !== 'string' || typeof values.state === 'string') return '';
  const environment = parseEnvironmentName('--environment', values.environment);
  return configServices(configFromFlags(values, io), environment) ?? '';
}

/** The config file `--config` names (default .github/shiftgate.yml; missing is fine unless named). */
export function configFromFlags(values: Values, io: Io): ShiftgateConfig {
  const named = typeof values.config === 'string' ? values.config : undefined;
  const configPath = resolve(io.cwd, named ?? DEFAULT_CONFIG_PATH);
  if (existsSync(configPath))
    return parseConfig(readFileSync(configPath, 'utf8'), named ?? DEFAULT_CONFIG_PATH);
  if (named) throw new UsageError(`--config ${named} does not exist`);
  return emptyConfig();
}

/** The cells `--environment` defines in the config file, or null. */
export function cellsFromFlags(values: Values, io: Io): Cell[] | null {
  const environment =
    typeof values.environment === 'string' ? parseEnvironmentName('--environment', values.environment) : null;
  return environment ? configCells(configFromFlags(values, io), environment) : null;
}

/**
 * The ports of a rollout over cells against AWS: one ELBv2 and one CloudWatch client per region (each
 * route and metric goes to the region its ARN names), one GetMetricData per region per poll, one
 * DescribeAlarms per region per poll. The single-route flags are refused: each cell names its own.
 */
export function awsCellPorts(
  values: Values,
  caller: string,
  metrics: { period: number; slowThreshold?: number },
): { router: TrafficRouter; cellMetrics: CellMetricSource; cellAlarms: (region: string) => AlarmSource } {
  for (const flag of [
    'listener-arn',
    'rule-arn',
    'stable-target-group-arn',
    'canary-target-group-arn',
    'aws-region',
  ]) {
    const v = values[flag];
    if (v !== undefined && !(Array.isArray(v) && v.length === 0)) {
      throw new UsageError(
        `--${flag} does not apply to a rollout over cells: each cell names its own routes, target groups and region`,
      );
    }
  }
  const regional = new RegionalClients({
    caller,
    retryMode: parseRetryMode(
      '--retry-mode',
      (values['retry-mode'] as string | undefined) || ROUTE_INPUT_DEFAULTS['retry-mode'],
    ),
    maxAttempts: parseInteger(
      '--max-attempts',
      (values['max-attempts'] as string | undefined) || ROUTE_INPUT_DEFAULTS['max-attempts'],
      {
        min: 1,
        max: 10,
      },
    ),
  });
  return {
    router: regionalElbv2Router((region) => regional.elbv2(region)),
    cellMetrics: new CloudWatchCellMetricSource({
      client: (region) => regional.cloudwatch(region),
      period: metrics.period,
      ...(metrics.slowThreshold !== undefined ? { slowThreshold: metrics.slowThreshold } : {}),
    }),
    cellAlarms: (region) => new CloudWatchAlarmSource(regional.cloudwatch(region)),
  };
}

/** A getter over flags with the action inputs' names: a repeated flag becomes one value per line. */
export function flagGetter(values: Values): (name: string) => string {
  return (name) => {
    const v = values[name];
    return Array.isArray(v) ? v.join('\n') : typeof v === 'string' ? v : '';
  };
}

/** The ports of a run against AWS, with the clients from the shared factory. */
export function awsPorts(
  values: Values,
  io: Io,
  state: RolloutState | null,
  caller: string,
): {
  router: TrafficRouter;
  rules: RuleManager;
  metrics: (
    period: number,
    queries: ConstructorParameters<typeof CloudWatchMetricSource>[0]['queries'],
    /** The `max-p99-latency` gate, ms: the canary's requests slower than it are read too. */
    slowThreshold?: number,
    /** The `latency-percentile` gate (99 for p99). */
    percentile?: number,
    /** `metric-source` and its settings; CloudWatch when absent. */
    source?: SourceSettings,
    /** An A/B test's custom metrics (its baseline's slow requests are read too). */
    ab?: readonly AbMetric[],
  ) => MetricSourceFactory;
  alarms: AlarmSource;
  routes: string[];
  pair: TargetPair;
} {
  // A saga deploys in place: without route flags it moves no traffic, so it needs none.
  const route = parseRouteInputs(flagGetter(values), io.env, state, {
    optional: state?.strategy === 'saga',
  });
  const settings = { region: route.region, retryMode: route.retryMode, maxAttempts: route.maxAttempts };
  const elbv2 = createElbv2Client({ caller, ...settings });
  const cloudwatch = createCloudWatchClient({ caller, ...settings });
  return {
    // A saga service's targets may be in any region: each route goes to its ARN's region.
    router:
      state?.strategy === 'saga' ? regionalRouter({ ...settings, caller }) : new Elbv2TrafficRouter(elbv2),
    rules: new Elbv2RuleManager(elbv2),
    metrics: (period, queries, slowThreshold, percentile, source = { kind: 'cloudwatch' }, ab) => {
      const factory = metricSourceFactory(source, route.region ? { jobRegion: route.region } : {});
      return ({ loadBalancerArn, pair, queries: own }) =>
        factory({
          cloudwatch: () => cloudwatch,
          loadBalancerArn,
          pair,
          period,
          ...(queries || own ? { queries: [...(queries ?? []), ...(own ?? [])] } : {}),
          ...(slowThreshold !== undefined ? { slowThreshold } : {}),
          ...(percentile !== undefined ? { percentile } : {}),
          ...(ab !== undefined ? { ab: { metrics: ab } } : {}),
        });
    },
    alarms: new CloudWatchAlarmSource(cloudwatch),
    routes: route.routes,
    pair: route.pair,
  };
}

/** The simulation the flags describe; route and AWS flags are refused (the simulator has its own). */
export function simulationFromFlags(
  values: Values,
  clock: { now(): number },
  defaults: { scenario?: string } = {},
): Simulation & { seed: number } {
  for (const flag of Object.keys(ROUTE_FLAGS)) {
    const v = values[flag];
    if (v !== undefined && !(Array.isArray(v) && v.length === 0))
      throw new UsageError(
        `--${flag} cannot be used with --simulate (the simulator has its own load balancer)`,
      );
  }
  const seed = parseInteger('--seed', (values.seed as string | undefined) ?? '42', {
    min: 0,
    max: 4294967295,
  });
  const at = parseInteger('--at', (values.at as string | undefined) ?? '10', { min: 0, max: 10_000 });
  const scenario = parseScenario(
    '--scenario',
    (values.scenario as string | undefined) ?? defaults.scenario ?? 'healthy',
  );
  const faults = ((values.fault as string[] | undefined) ?? []).map((f) => parseFault('--fault', f));
  const bEffect =
    typeof values['b-effect'] === 'string' ? parseBEffect('--b-effect', values['b-effect']) : undefined;
  return {
    ...createSimulation({ seed, scenario, clock, at, faults, ...(bEffect !== undefined ? { bEffect } : {}) }),
    seed,
  };
}

/** Refuses simulator flags without `--simulate`, so they are never silently ignored. */
export function requireSimulate(values: Values): void {
  if (values.simulate) return;
  for (const flag of [
    'scenario',
    'seed',
    'at',
    'fault',
    'from-weight',
    'bad-service',
    'b-effect',
    'cells',
    'regions',
    'zones',
    'bad-cell',
    'bad-zone',
    'alarm-cell',
  ]) {
    const v = values[flag];
    if (v !== undefined && !(Array.isArray(v) && v.length === 0))
      throw new UsageError(`--${flag} only applies with --simulate`);
  }
}

export { runShell, shellHooks, shellServices, shellSmoke } from './shell-support';
