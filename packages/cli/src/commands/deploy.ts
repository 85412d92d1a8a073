import {
  checkOnlyRegion,
  checkRunnable,
  InputError,
  parseInteger,
  parseRunSettings,
  runPlan,
  virtualTime,
  type RunPlanOptions,
  type Clock,
  type MetricSource,
  type RunSettings,
  type SourceSettings,
  withCells,
} from '@shiftgate/core';
import { createPrometheusMetricSource, prometheusName } from '@shiftgate/aws';
import { systemClock, systemSleep, withCancelSignals } from '@shiftgate/github';
import { parseFlags, settingFlags, settingsHelp } from '../args';
import { UsageError, type Command } from '../command';
import { progressReporter } from '../progress';
import {
  awsCellPorts,
  awsPorts,
  configPrometheusQueries,
  CELL_FLAGS,
  cellsFromFlags,
  flagGetter,
  PLAN_FLAGS,
  requireSimulate,
  servicesFromFlags,
  ROUTE_FLAGS,
  shellHooks,
  shellServices,
  shellSmoke,
  SIMULATE_FLAGS,
  SIMULATION_EPOCH,
  simulatedCellsFromFlags,
  simulationFromFlags,
  stateFromFlags,
} from '../run-support';
import { flagProviderFor, flagReport } from '../flag-support';
import { report } from './deploy-report';
import {
  createCellSimulation,
  mulberry32,
  parseFault,
  SCENARIO_DESCRIPTIONS,
  SCENARIOS,
  simulatedServiceRunner,
  simulatedServiceTargets,
  simulatedServices,
  SIMULATED_PROMETHEUS_URL,
  simulatedPrometheusFetch,
  type Simulation,
} from '../simulator/index';

const SETTING_FLAGS = settingFlags('deploy');

const OPTIONS = {
  ...PLAN_FLAGS,
  ...ROUTE_FLAGS,
  ...SETTING_FLAGS,
  ...SIMULATE_FLAGS,
  'bad-service': { type: 'string' },
  'b-effect': { type: 'string' },
  ...CELL_FLAGS,
  'only-region': { type: 'string' },
  'state-out': { type: 'string' },
  report: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** `shiftgate deploy`: runs a plan with the run-plan action's orchestrator, against AWS or the simulator. */
export const deployCommand: Command = {
  name: 'deploy',
  summary: 'Run a rollout plan against AWS, or against the simulator with --simulate',
  help: `Usage: shiftgate deploy (--strategy <name> [--param <name>=<value> ...] | --state <file>)
                        [--listener-arn <arn> ...] [--rule-arn <arn> ...]
                        [--stable-target-group-arn <arn>] [--canary-target-group-arn <arn>]
                        [gate and timing flags] [--state-out <file>] [--report <dir>] [--json]
       shiftgate deploy --simulate [--scenario <name>] [--seed <n>] [--at <minute>] [--fault <spec> ...] ...

Runs the plan step by step with the same orchestrator as the run-plan action: shift, bake and gate, next,
until promoted, paused at an approval, or rolled back with traffic restored. Ctrl-C stops the run and
restores traffic before exiting. Flags have the names and defaults of the run-plan action's inputs.

Plan:
  --strategy      blue-green, canary, linear, rolling, ab-testing, feature-flag or saga
  --param         a parameter override, e.g. --param steps=5,25,50,100 (repeatable)
  --parameters    overrides as a YAML or JSON map
  --environment   this environment's overrides from the config file
  --config        config file (default .github/shiftgate.yml; missing is fine unless given)
  --version       the version being deployed, for the state and hook commands
  --services      saga: the services with their commands (see below); a YAML list starts with '-', so
                  write --services="$(cat services.yml)" with the = form, or give a JSON list (default: the
                  --environment's services in the config file). Planned
                  from --strategy saga, the plan deploys these services unless --param services names them;
                  with --simulate, a service's targets become routes of the simulated load balancer
  --state         a rollout state file (the state output of an action, or --state-out) instead

Cells (rolling; against AWS, the --environment's cells in the config file, or the cells a --state records):
  --only-region   run only this region's waves and stop, paused, before the next region's (one job per
                  region, each resuming from the state the one before wrote with --state-out)
                  Each cell names its own routes and target groups, and its region's clients are used:
                  the route flags and --aws-region do not apply.

Routes (AWS; credentials from the default chain):
  --listener-arn, --rule-arn            routes to weight (repeatable; default: the state's)
  --stable-target-group-arn, --canary-target-group-arn   (default: the state's)
  --aws-region, --retry-mode (standard|adaptive), --max-attempts (1-10)

Gates, timing and hooks (the run-plan action's inputs; an empty value takes the default):
${settingsHelp('deploy')}

Simulator:
  --simulate      run against the built-in simulator: a load balancer, a seeded traffic model, no AWS
  --scenario      the canary's behaviour (default healthy):
${SCENARIOS.map((s) => `                    ${s.padEnd(16)} ${SCENARIO_DESCRIPTIONS[s]}`).join('\n')}
  --seed          the model's seed (default 42): the same seed prints the same run
  --at            the minute a regression, leak or host failure starts (default 10)
  --cells         rolling: simulate this many cells (each its own listener and target groups)
  --regions       their regions, in rollout order (default us-east-1), e.g. us-east-1,us-west-2
  --zones         availability zones per region (default 1)
  --bad-cell      the new version is bad in this cell only (repeatable); --scenario step-regression: everywhere
  --bad-zone      the new version is bad in this zone only (repeatable), e.g. us-east-1b
  --alarm-cell    this cell's alarm fires once its new version serves (repeatable): its wave stops
  --fault         inject a fault (repeatable): throttle:<read|write|metrics|alarms>:<times>[:<after>],
                  provider-error:<target>:<times>[:<after>], lost-write:<n>, lost-response:<n>,
                  revert:<n>[:<seconds>s] (someone else puts back what the n-th write replaced)
                  The simulator's alarms: canary-5xx, canary-latency, canary-unhealthy-hosts.
                  --metric-queries (and a saga service's own): each judged query is a metric that tracks
                  the canary's health, 60% of a max (140% of a min) when healthy, moving 10% of the
                  limit toward and past it per point of error rate the canary has over the baseline.
  --bad-service   saga: this planned service deploys but fails its gate (its smoke check), so the run
                  compensates it and every deployed service in reverse. Without --services, the
                  simulator deploys the planned services with simulated commands and smoke gates.
  --b-effect      ab-testing: A fails 0.5% of requests and B that rate changed by better (-50%), worse
                  (+50%), none or a signed percent such as -30% (--ab-metrics: 5% of A's requests, moved
                  likewise on B in each metric's better direction); the hold ends with the A/B verdict

Output:
  --state-out     write the final rollout state to this file
  --report        write the run's report to this directory (created when missing): report.html, a page
                  of the dashboard's site (plan, steps, gate verdicts, charts, cells, saga, A/B) with
                  style.css, and report.md whose charts are SVG files beside it (report-<n>.svg)
  --json          print {decision, reason, cancelled, restored, weights, state, trace} as JSON on stdout
                  (progress goes to stderr); a saga adds services [{name, status}] in deployment order
                  (deployed, compensated, failed or untouched) and compensated (names, in that order);
                  an A/B test adds comparison {verdict, metrics [{metric, a, b, effect, interval,
                  verdict}]} (error-rate, slow-share and each --ab-metrics metric per 100 requests;
                  rates and effects in percent, verdict b-better, a-better, no-detectable-difference
                  or no-data) and rule (the audience rule's arn, listener, priority and conditions)
                  (over cells, also waves: cell names per wave, and cells: name → region, zone, wave, status)

Exit codes: 0 promoted or paused at an approval, 1 rolled back, inconclusive, cancelled or traffic not
restored, 2 invalid flags, state, plan or input (nothing was changed).`,
  async run(argv, io) {
    const { values } = parseFlags('deploy', argv, OPTIONS);
    requireSimulate(values);
    const simulate = values.simulate === true;
    const time = simulate ? virtualTime(SIMULATION_EPOCH) : null;
    const clock = time?.clock ?? systemClock;
    const cellFlags = simulate ? simulatedCellsFromFlags(values) : null;
    // Against AWS, rolling plans its waves over the config environment's cells (as run-plan does).
    const defined = simulate || typeof values.state === 'string' ? null : cellsFromFlags(values, io);
    const state = stateFromFlags('deploy', values, io, new Date(clock.now()), cellFlags?.cells ?? defined);
    // A feature flag over cells is cell-aware (its rule names the cells that have it); traffic stays one listener.
    const flagCells =
      state.strategy === 'feature-flag' && cellFlags ? cellFlags.cells.map((c) => c.name) : null;
    const simulated = flagCells ? null : cellFlags;
    checkRunnable(state);
    // --only-region is checked before anything is printed or moved (runPlan checks it again).
    if (typeof values['only-region'] === 'string') {
      const region = onlyRegion(values['only-region']);
      const cells = simulated?.cells ?? defined;
      if (!state.cells && !cells) {
        throw new InputError('--only-region', region, 'empty unless the rollout runs over cells');
      }
      checkOnlyRegion(withCells(state, cells), region);
    }
    const sagaNames = state.plan.flatMap((s) => (s.kind === 'service' ? [s.service] : []));
    const bad = badService(values, sagaNames);
    if (typeof values['b-effect'] === 'string' && state.strategy !== 'ab-testing')
      throw new UsageError('--b-effect only applies to an A/B test (--strategy ab-testing)');
    // The simulator deploys a saga's planned services with simulated commands unless --services says more.
    const services = servicesFromFlags(values, io);
    const simulatedSaga = simulate && sagaNames.length > 0 && services === '';
    const flagValues = flagGetter(values);
    const templates = configPrometheusQueries(values, io);
    const flags = (name: string) => {
      if (name === 'prometheus-queries') return templates;
      if (name === 'services') return services;
      // The simulator is its own Prometheus API: no URL to give.
      if (name === 'prometheus-url' && simulate && flagValues('metric-source').trim() === 'prometheus')
        return flagValues(name) || SIMULATED_PROMETHEUS_URL;
      return flagValues(name);
    };
    const settings = parseRunSettings(
      (name) =>
        name === 'services' && simulatedSaga ? JSON.stringify(simulatedServices(sagaNames)) : flags(name),
      state,
    );
    // A state read from --state is data: only --flag-command ever runs. A state planned here, from this
    // run's --strategy, parameters and config, carries this run's own flag-command.
    const planned = typeof values.state !== 'string';
    const flagCommand =
      settings.flagCommand || (planned ? String(state.parameters['flag-command'] ?? '') : '');
    const out = values.json ? { ...io, stdout: io.stderr, isTty: false } : io;
    if (settings.source.kind === 'prometheus' && state.cells)
      throw new UsageError(
        '--metric-source prometheus cannot be used in a rollout over cells (cells read their regions’ CloudWatch metrics)',
      );
    const flagProvider = await flagProviderFor(settings.flags, state, values, { simulate, clock, io });

    const common: Omit<RunPlanOptions, 'router' | 'metrics' | 'target' | 'clock' | 'sleep' | 'random'> = {
      state,
      gates: settings.gates,
      period: settings.pollInterval,
      metricDelay: settings.metricDelay,
      bakeTime: settings.bakeTime,
      maxBakeTime: settings.maxBakeTime,
      rollbackTo: settings.rollbackTo,
      ...(settings.abMetrics.length > 0 ? { abMetrics: settings.abMetrics } : {}),
      hooks: {
        command: shellHooks(out),
        ...(flagCommand ? { flagCommand } : {}),
        ...(flagProvider
          ? { flags: { provider: flagProvider, target: settings.flags.appconfig!, cells: flagCells } }
          : {}),
        ...(settings.services.length > 0
          ? {
              saga: {
                services: settings.services,
                run: simulatedSaga ? simulatedServiceRunner({ bad, sleep: time!.sleep }) : shellServices(out),
              },
            }
          : {}),
      },
      ...(settings.smokeCommand ? { smoke: shellSmoke(settings.smokeCommand, out) } : {}),
      onEvent: progressReporter(out, { clock }),
      ...(typeof values['only-region'] === 'string' ? { onlyRegion: values['only-region'] } : {}),
    };
    let options: RunPlanOptions;
    if (simulated) {
      const seed = parseInteger('--seed', (values.seed as string | undefined) ?? '42', {
        min: 0,
        max: 4294967295,
      });
      const faults = ((values.fault as string[] | undefined) ?? []).map((f) => parseFault('--fault', f));
      const sim = createCellSimulation({
        seed,
        clock,
        cells: simulated.cells,
        bad: simulated.bad,
        faults,
        alarmCells: simulated.alarmCells,
      });
      const regions = [...new Set(sim.cells.map((c) => c.region))];
      out.stdout(
        `simulating ${state.strategy} over ${sim.cells.length} cells in ${regions.join(', ')} (seed ${seed}), all on stable\n`,
      );
      options = {
        ...common,
        cells: sim.cells,
        router: sim.router,
        metrics: () => {
          throw new Error('a rollout over cells reads its metrics by region');
        },
        cellMetrics: sim.metrics(settings.pollInterval, settings.gates.maxP99Latency),
        cellAlarms: (region) => sim.alarms(region),
        clock,
        sleep: time!.sleep,
        random: mulberry32(seed),
      };
    } else if (simulate) {
      const sim = simulationFromFlags(values, clock);
      // A saga service's own targets are routes of the simulated load balancer, read at their own share.
      const ownTargets = simulatedServiceTargets(sim, settings.services, {
        period: settings.pollInterval,
        slowThreshold: settings.gates.maxP99Latency,
        percentile: settings.gates.latencyPercentile,
      });
      out.stdout(
        `simulating ${state.strategy} (${sim.model.scenario}, seed ${sim.seed}) on ${sim.routes[0]}: ${sim.model.rpm} requests a minute, all on stable\n`,
      );
      options = {
        ...common,
        target: { routes: sim.routes, pair: sim.pair },
        router: sim.router,
        rules: sim.rules,
        // The run's metric queries and a saga service's own get simulated values (the model's health).
        metrics: ({ pair, queries: own }) =>
          ownTargets(pair, [...settings.queries, ...(own ?? [])]) ??
          (settings.source.kind === 'prometheus'
            ? simulatedPrometheusSource(sim, clock, settings, settings.source)
            : sim.metrics(
                settings.pollInterval,
                settings.gates.maxP99Latency,
                settings.gates.latencyPercentile,
                state.strategy === 'ab-testing' ? settings.abMetrics : undefined,
                [...settings.queries, ...(own ?? [])],
              )),
        alarms: sim.alarms,
        clock,
        sleep: time!.sleep,
        random: mulberry32(sim.seed),
      };
    } else if (state.cells || (state.strategy === 'rolling' && defined)) {
      const awsTime = io.time ?? { clock: systemClock, sleep: systemSleep };
      const aws = awsCellPorts(values, 'cli-deploy', {
        period: settings.pollInterval,
        slowThreshold: settings.gates.maxP99Latency,
      });
      const count = Object.keys(state.cells ?? {}).length || defined!.length;
      out.stdout(`rolling over ${count} cells against AWS, one client per region\n`);
      options = {
        ...common,
        cells: defined,
        router: aws.router,
        metrics: () => {
          throw new Error('a rollout over cells reads its metrics by region');
        },
        cellMetrics: aws.cellMetrics,
        cellAlarms: aws.cellAlarms,
        clock: awsTime.clock,
        sleep: awsTime.sleep,
        random: Math.random,
      };
    } else {
      const aws = awsPorts(values, io, state, 'cli-deploy');
      options = {
        ...common,
        target: { routes: aws.routes, pair: aws.pair },
        router: aws.router,
        rules: aws.rules,
        metrics: aws.metrics(
          settings.pollInterval,
          settings.queries,
          settings.gates.maxP99Latency,
          settings.gates.latencyPercentile,
          settings.source,
          state.strategy === 'ab-testing' ? settings.abMetrics : undefined,
        ),
        ...(settings.gates.alarms.length > 0 ? { alarms: aws.alarms } : {}),
        clock: io.time?.clock ?? clock,
        sleep: io.time?.sleep ?? systemSleep,
        random: Math.random,
      };
    }
    const result = await withCancelSignals((signal) => runPlan({ ...options, signal }));
    const flagSteps = flagProvider ? await flagReport(result, flagProvider) : undefined;
    return report(result, values, io, flagSteps);
  },
};

/** `--only-region`: an AWS region name (whether the rollout has it is checked before anything moves). */
function onlyRegion(value: string): string {
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(value))
    throw new InputError('--only-region', value, "an AWS region of the rollout's cells, such as us-east-1");
  return value;
}

/** `--bad-service`: a planned saga service whose simulated gate fails. */
function badService(values: Record<string, unknown>, services: readonly string[]): string | null {
  const name = values['bad-service'];
  if (typeof name !== 'string') return null;
  if (services.length === 0)
    throw new UsageError('--bad-service only applies to a saga plan (--strategy saga)');
  if (!services.includes(name))
    throw new InputError('--bad-service', name, `one of the planned services: ${services.join(', ')}`);
  return name;
}

/** The real Prometheus source over the simulator's in-process Prometheus API. */
function simulatedPrometheusSource(
  sim: Simulation,
  clock: Clock,
  settings: RunSettings,
  source: Extract<SourceSettings, { kind: 'prometheus' }>,
): MetricSource {
  return createPrometheusMetricSource(source, {
    canary: sim.pair.canary,
    baseline: sim.pair.stable,
    period: settings.pollInterval,
    custom: settings.queries,
    slowThreshold: settings.gates.maxP99Latency,
    percentile: settings.gates.latencyPercentile,
    client: {
      fetch: simulatedPrometheusFetch({
        model: sim.model,
        clock,
        names: { canary: prometheusName('', sim.pair.canary), baseline: prometheusName('', sim.pair.stable) },
        faults: sim.faults,
        settle: () => sim.router.settle(),
        custom: { queries: settings.queries, period: settings.pollInterval },
      }),
      // Virtual time: a backoff is no wait.
      sleep: async () => undefined,
    },
  });
}
