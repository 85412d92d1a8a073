import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  cellRollbackRoutes,
  checkSagaCompensation,
  configServices,
  describeTargetGroups,
  parseEnvironmentName,
  parseRollbackTo,
  parseRolloutState,
  parseInteger,
  parseServices,
  parseWeight,
  rollbackRollout,
  serializeRolloutState,
  silentLogger,
  virtualTime,
  type Logger,
  type Random,
  type RollbackTarget,
  type RolloutState,
  type RuleManager,
  type ServiceCommandRunner,
  type Sleeper,
  type TargetPair,
  type TrafficRouter,
} from '@shiftgate/core';
import { systemClock, systemSleep } from '@shiftgate/github';
import { parseFlags, settingFlags } from '../args';
import { EXIT, UsageError, type Command } from '../command';
import {
  awsCellPorts,
  awsPorts,
  cellsFromFlags,
  configFromFlags,
  flagGetter,
  readFlagFile,
  requireSimulate,
  ROUTE_FLAGS,
  shellServices,
  SIMULATE_FLAGS,
  SIMULATION_EPOCH,
  simulationFromFlags,
} from '../run-support';
import {
  createCellSimulation,
  mulberry32,
  SimulatedAppConfig,
  simulatedServiceRunner,
  simulatedServices,
} from '../simulator/index';
import { appConfigProvider } from '../flag-support';

const OPTIONS = {
  state: { type: 'string' },
  config: { type: 'string' },
  environment: { type: 'string' },
  ...ROUTE_FLAGS,
  ...settingFlags('rollback'),
  // The deprecated alias of --rollback-to (it warns).
  to: { type: 'string' },
  reason: { type: 'string' },
  ...SIMULATE_FLAGS,
  'from-weight': { type: 'string' },
  'state-out': { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** `shiftgate rollback`: sends traffic back to stable (or the weights before the rollout), verified. */
export const rollbackCommand: Command = {
  name: 'rollback',
  summary: 'Send traffic back to the stable target group, against AWS or the simulator',
  help: `Usage: shiftgate rollback (--state <file> | --listener-arn <arn> ... --stable-target-group-arn <arn>
                                            --canary-target-group-arn <arn>)
                          [--rollback-to stable|previous] [--reason <text>] [--state-out <file>] [--json]
       shiftgate rollback --simulate [--state <file>] [--from-weight <percent>] [--seed <n>] ...

Does what the rollback action does: route after route, one read, one write and a verifying read; a
route that fails does not stop the others; a route already where it should be is not written. Run it
again and it changes nothing.

Options:
  --state          a rollout state file: its routes, target groups and the weights before the rollout
  --listener-arn, --rule-arn   routes (repeatable; default: the state's)
  --stable-target-group-arn, --canary-target-group-arn   (default: the state's)
  --rollback-to    stable (default): the stable target group gets all of the pair's traffic;
                   previous: exactly the weights recorded before the rollout (needs --state)
  --to             deprecated alias of --rollback-to (the name run-plan and deploy use)
  --reason         why, for the output
  --services       saga: the services with their compensate commands, as deploy takes them (write
                   --services="$(cat services.yml)" or a JSON list); those the state records as
                   deployed or failing are compensated in reverse order (a state carries names, never
                   commands). Not given: the services of --environment in the config file (--config,
                   default .github/shiftgate.yml), which must be the state's environment; the simulator
                   simulates the planned services' commands when neither gives them
  --aws-region, --retry-mode (standard|adaptive), --max-attempts (1-10)
  --state-out      write the state, marked rolled back, to this file (needs --state)
  --json           print {"rolled-back", "routes", "state"} as JSON; a saga adds services
                   [{name, status}] and compensated (names, in the order compensated)

Cells (a --state of a rolling rollout over cells):
  Every moved cell (in progress or promoted) goes back, each route to its own cell's target groups,
  through its region's own client; rolled-back and untouched cells are left alone, so running it again
  changes nothing. With --config and --environment, the routes and target groups come from that
  environment's cells, and each moved cell's must be the ones the state records (else nothing is
  changed). The route flags and --aws-region do not apply. With --simulate, the simulator's cells start
  where the state says each cell is.

Simulator:
  --simulate       roll back the simulator's listener instead of AWS
  --from-weight    the canary's share the simulated listener starts at (default: the state's last
                   weights, else 50)
  --seed           the model's seed (default 42)

Exit codes: 0 traffic is back (or already was), 1 a route could not be restored, 2 invalid flags or state.`,
  async run(argv, io) {
    const { values } = parseFlags('rollback', argv, OPTIONS);
    requireSimulate(values);
    const to = parseRollbackTo(flagGetter(values), (message) => io.stderr(`warning: ${message}\n`), '--');
    const state = values.state ? parseRolloutState('--state', readFlagFile(io, 'state', values.state)) : null;
    if (to === 'previous' && !state?.['initial-weights']) {
      const flag = values['rollback-to'] ? '--rollback-to' : '--to';
      throw new UsageError(`${flag} previous needs --state with the weights recorded before the rollout`);
    }
    if (values['state-out'] && !state) throw new UsageError('--state-out needs --state');
    // A saga's compensate commands come from --services, else from the config file's environment (as
    // deploy plans them); the simulator simulates the planned ones when neither gives them.
    const sagaNames = state?.plan.flatMap((s) => (s.kind === 'service' ? [s.service] : [])) ?? [];
    if ((values.config || values.environment) && !state?.cells && sagaNames.length === 0)
      throw new UsageError('--config and --environment only apply to a --state over cells or of a saga');
    const fromConfig = state && sagaNames.length > 0 && typeof values.services !== 'string';
    const servicesText =
      typeof values.services === 'string'
        ? values.services
        : fromConfig
          ? configSagaServices(values, io, state)
          : '';
    const simulatedSaga = values.simulate === true && sagaNames.length > 0 && servicesText === '';
    const services = simulatedSaga ? simulatedServices(sagaNames) : parseServices('--services', servicesText);
    if (state) checkSagaCompensation('--services', state, services);
    if (state?.cells) return rollbackCells(values, io, { state, to: to as RollbackTarget });

    let router: TrafficRouter;
    let routes: string[];
    let pair: TargetPair;
    let now: () => number = systemClock.now;
    let sleep: Sleeper = systemSleep;
    let random: Random = Math.random;
    // Removes an A/B test's audience rule first (only a state that planned one asks for it).
    let rules: RuleManager | undefined;
    let runService: ServiceCommandRunner = shellServices(io);
    if (values.simulate) {
      const time = virtualTime(SIMULATION_EPOCH);
      const sim = simulationFromFlags(values, time.clock);
      routes = sim.routes;
      pair = sim.pair;
      const start = values['from-weight']
        ? parseWeight('--from-weight', values['from-weight'])
        : (state?.weights?.canary ?? 50);
      await sim.router.write(await sim.router.read(routes[0]!), [
        { 'target-group-arn': pair.stable, weight: 100 - start },
        { 'target-group-arn': pair.canary, weight: start },
      ]);
      (values.json ? io.stderr : io.stdout)(
        `simulated listener ${routes[0]} starts at ${sim.router.describe()}\n`,
      );
      router = sim.router;
      rules = sim.rules;
      now = time.clock.now;
      sleep = time.sleep;
      if (simulatedSaga) runService = simulatedServiceRunner({ bad: null, sleep: time.sleep });
      random = mulberry32(sim.seed);
    } else {
      if (values['from-weight']) throw new UsageError('--from-weight only applies with --simulate');
      const aws = awsPorts(values, io, state, 'cli-rollback');
      router = aws.router;
      rules = aws.rules;
      routes = aws.routes;
      pair = aws.pair;
    }
    // The emergency disable of a flag on AppConfig: what the state records is stopped and reverted.
    const flags = state?.flag
      ? values.simulate
        ? SimulatedAppConfig.replaying(state.flag, { now })
        : await appConfigProvider(values, io, 'cli-rollback')
      : undefined;
    const target = to as RollbackTarget;
    const logger: Logger = values.json
      ? silentLogger
      : { ...silentLogger, warning: (m) => io.stderr(`${m}\n`) };
    const result = await rollbackRollout({
      router,
      ...(rules ? { rules } : {}),
      routes,
      pair,
      to: target,
      reason: values.reason ?? '',
      state,
      clock: { now },
      logger,
      sleep,
      random,
      ...(state && services.length > 0
        ? { undo: { hooks: { saga: { services, run: runService } }, started: state.step } }
        : {}),
      ...(flags ? { flags } : {}),
    });
    for (const line of values.json ? [] : result.record.undo) io.stdout(`${line}\n`);
    const results = result.restored ? result.record.routes : [];
    const failure = result.restored ? null : result.record.error;
    // A state that could not be rolled back is written as it was given.
    const next = result.restored ? result.state : state;
    if (values['state-out'] && next)
      writeFileSync(resolve(io.cwd, values['state-out']), `${serializeRolloutState(next)}\n`);
    if (values.json) {
      io.stdout(
        `${JSON.stringify(
          {
            'rolled-back': results.some((r) => r.changed),
            routes: Object.fromEntries(results.map((r) => [r.route, r.after])),
            error: failure,
            ...(result.state?.services
              ? {
                  services: result.state.services,
                  compensated: compensatedNames(result.record.undo),
                }
              : {}),
            undo: result.record.undo,
            state: next,
          },
          null,
          2,
        )}\n`,
      );
      return failure === null ? EXIT.ok : EXIT.failed;
    }
    if (failure !== null) {
      io.stderr(`shiftgate rollback: ${failure}\n`);
      return EXIT.failed;
    }
    const lines = results.map(
      (r) =>
        `${r.route}: ${r.changed ? 'rolled back to' : 'already at'} ${describeTargetGroups(r.after, pair)} (verified)`,
    );
    lines.push(
      results.some((r) => r.changed)
        ? `traffic is back on ${target}${values.reason ? `: ${values.reason}` : ''}`
        : `nothing to do: traffic was already on ${target}`,
    );
    if (values['state-out']) lines.push(`state written to ${values['state-out']}`);
    io.stdout(`${lines.join('\n')}\n`);
    return EXIT.ok;
  },
};

/**
 * A saga state's compensate commands from the config file (`--config`, else the default path), for the
 * environment `--environment` names, which must be the one the state records: '' without --environment.
 */
function configSagaServices(
  values: Record<string, unknown>,
  io: Parameters<Command['run']>[1],
  state: RolloutState,
): string {
  if (typeof values.environment !== 'string') {
    if (values.config)
      throw new UsageError('--config needs --environment: the environment whose services to compensate');
    return '';
  }
  const environment = parseEnvironmentName('--environment', values.environment);
  if (state.environment !== null && state.environment !== environment)
    throw new UsageError(
      `--environment ${environment} is not the environment the state was planned for (${state.environment}); nothing was changed`,
    );
  const text = configServices(
    configFromFlags(values as Parameters<typeof configFromFlags>[0], io),
    environment,
  );
  if (!text)
    throw new UsageError(`--environment ${environment} has no services in the config file; give --services`);
  return text;
}

/** The saga services a rollback compensated, in the order it did. */
function compensatedNames(undo: readonly string[]): string[] {
  return undo.flatMap((line) => /^service (\S+) compensated /.exec(line)?.[1] ?? []);
}

/** `shiftgate rollback --state <cells>`: every moved cell back, against AWS or the simulated cells. */
async function rollbackCells(
  values: Record<string, unknown>,
  io: Parameters<Command['run']>[1],
  { state, to }: { state: RolloutState; to: RollbackTarget },
): Promise<number> {
  if (values['from-weight']) throw new UsageError('--from-weight does not apply to a state over cells');
  const defined = cellsFromFlags(values as Parameters<typeof cellsFromFlags>[0], io);
  if (values.environment && !defined)
    throw new UsageError(`--environment ${String(values.environment)} has no cells in the config file`);
  const scope = cellRollbackRoutes(state, defined, defined ? 'config cells' : 'cells');
  let router: TrafficRouter;
  let clock: { now(): number } = systemClock;
  let sleep: Sleeper = systemSleep;
  let random: Random = Math.random;
  if (values.simulate) {
    for (const flag of Object.keys(ROUTE_FLAGS)) {
      const v = values[flag];
      if (v !== undefined && !(Array.isArray(v) && v.length === 0))
        throw new UsageError(`--${flag} does not apply to a state over cells: each cell names its own`);
    }
    const time = virtualTime(SIMULATION_EPOCH);
    const seed = parseInteger('--seed', (values.seed as string | undefined) ?? '42', {
      min: 0,
      max: 4294967295,
    });
    const cells = Object.entries(state.cells!).map(([name, c]) => ({
      name,
      region: c.region,
      zone: c.zone,
      routes: [...c.routes],
      'stable-target-group-arn': c['stable-target-group-arn'],
      'canary-target-group-arn': c['canary-target-group-arn'],
      alarms: [],
    }));
    const sim = createCellSimulation({
      seed,
      clock: time.clock,
      cells,
      bad: { everywhere: false, cells: [], zones: [] },
    });
    // Each simulated cell starts where the state says it is.
    for (const [name, c] of Object.entries(state.cells!)) {
      if (c.status === 'untouched' || c.status === 'rolled-back') continue;
      for (const route of c.routes) {
        await sim.router.write(await sim.router.read(route), [
          { 'target-group-arn': c['stable-target-group-arn'], weight: 100 - c.weight },
          { 'target-group-arn': c['canary-target-group-arn'], weight: c.weight },
        ]);
      }
      (values.json ? io.stderr : io.stdout)(`simulated cell ${name} starts at ${c.weight}% canary\n`);
    }
    router = sim.router;
    clock = time.clock;
    sleep = time.sleep;
    random = mulberry32(seed);
  } else {
    router = awsCellPorts(values as Parameters<typeof awsCellPorts>[0], 'cli-rollback', {
      period: 60_000,
    }).router;
  }
  const result = await rollbackRollout({
    router,
    routes: scope.routes,
    pair: { stable: '', canary: '' },
    pairs: scope.pairs,
    to,
    reason: typeof values.reason === 'string' ? values.reason : '',
    state,
    clock,
    sleep,
    random,
    logger: values.json ? silentLogger : { ...silentLogger, warning: (m) => io.stderr(`${m}\n`) },
  });
  const next = result.restored ? result.state : state;
  if (typeof values['state-out'] === 'string' && next)
    writeFileSync(resolve(io.cwd, values['state-out']), `${serializeRolloutState(next)}\n`);
  const results = result.record.routes;
  if (values.json) {
    io.stdout(
      `${JSON.stringify(
        {
          'rolled-back': results.some((r) => r.changed),
          cells: scope.cells,
          routes: Object.fromEntries(results.map((r) => [r.route, r.after])),
          error: result.restored ? null : result.record.error,
          state: next,
        },
        null,
        2,
      )}\n`,
    );
    return result.restored ? EXIT.ok : EXIT.failed;
  }
  if (!result.restored) {
    io.stderr(`shiftgate rollback: ${result.record.error}\n`);
    return EXIT.failed;
  }
  const lines = results.map(
    (r) =>
      `${r.route}: ${r.changed ? 'rolled back to' : 'already at'} ${describeTargetGroups(r.after, scope.pairs[r.route]!)} (verified)`,
  );
  lines.push(
    scope.cells.length === 0
      ? 'nothing to do: no cell of the state has moved'
      : results.some((r) => r.changed)
        ? `cells ${scope.cells.join(', ')} are back on ${to}`
        : `nothing to do: cells ${scope.cells.join(', ')} were already on ${to}`,
  );
  if (typeof values['state-out'] === 'string') lines.push(`state written to ${values['state-out']}`);
  io.stdout(`${lines.join('\n')}\n`);
  return EXIT.ok;
}
