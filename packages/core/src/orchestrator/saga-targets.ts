// Saga services with their own targets: after its deploy a service's route set is switched from its
// stable to its canary target group (compare-and-set, read-back, all or nothing, as every shift), its
// bake judges that canary with the service's own metric queries and alarms (and the run's), and its
// compensation sends the routes back to its stable target group before the compensate command runs.
// The targets come from this run's `services` (config or inputs), never from a state.
import { errorMessage, InputError, type Logger, type Random, type Sleeper } from '../shared/index';
import {
  bake,
  defaultMaxBakeTime,
  serializeTrace,
  type SmokeRunner,
  type TraceDocument,
} from '../health/index';
import type { ServiceSpec, ServiceTargets, Step } from '../strategy/index';
import {
  restoreRoutes,
  rollbackTargetGroups,
  shiftRoutes,
  type RestoreResult,
  type TrafficRouter,
  type VerifyOptions,
} from '../traffic/index';
import { applyOptions, Cancelled, StepFailure, type RunContext, type StepOutcome } from './context';

/** Switches a deployed service's routes to its canary target group (100%), verified. */
export async function shiftServiceTargets(
  run: RunContext,
  spec: ServiceSpec,
  targets: ServiceTargets,
): Promise<string> {
  const { options } = run;
  try {
    const result = await shiftRoutes(
      options.router,
      {
        routes: targets.routes,
        pair: targets.pair,
        canary: 100,
        // Compare-and-set: the routes must still send everything to the service's stable target group.
        expectation: {
          kind: 'split',
          split: { stable: 100, canary: 0 },
          source: `service ${spec.name}'s targets before its switch`,
        },
        force: options.force ?? false,
        dryRun: false,
        loadBalancer: false,
      },
      applyOptions(run, targets.pair),
    );
    return `${result.changed ? 'switched' : 'already on'} its canary target group on ${targets.routes.length} route${targets.routes.length === 1 ? '' : 's'} (verified)`;
  } catch (error) {
    // Never retried as a provider error: that would run the deploy command again.
    throw new StepFailure(
      `service ${spec.name} targets: switching to its canary failed: ${errorMessage(error)}: compensating`,
      'rollback',
    );
  }
}

/** How a service's targets are sent back: the router, and the read-back's waits. */
export interface TargetRestore {
  router: TrafficRouter;
  sleep: Sleeper;
  random: Random;
  logger: Logger;
  verify?: VerifyOptions;
}

/** Sends a service's routes back to its stable target group (all of the pair's traffic), verified. */
export function restoreServiceTargets(
  targets: ServiceTargets,
  restore: TargetRestore,
): Promise<RestoreResult[]> {
  return restoreRoutes(
    restore.router,
    targets.routes,
    (reading) => rollbackTargetGroups(reading, targets.pair, 'stable', null),
    {
      logger: restore.logger,
      pair: targets.pair,
      sleep: restore.sleep,
      random: restore.random,
      ...(restore.verify ? { verify: restore.verify } : {}),
    },
  );
}

/**
 * The bake after a service with targets: the judge over its canary target group (its stable one serves
 * nothing at 100%), with the service's metric queries besides the run's, its alarms and the run's, and
 * its smoke command then the run's (the first non-zero exit is the result).
 */
export async function serviceTargetsGate(
  run: RunContext,
  step: Extract<Step, { kind: 'bake' }>,
  index: number,
  spec: ServiceSpec,
  targets: ServiceTargets,
  smoke: SmokeRunner | null,
): Promise<StepOutcome> {
  const { options, state } = run;
  const { clock, gates } = options;
  const bakeTime = options.bakeTime ?? step['duration-ms'];
  const maxBakeTime = Math.max(options.maxBakeTime ?? defaultMaxBakeTime(bakeTime), bakeTime);
  const now = clock.now();
  const start = Math.min(now, Math.max(run.servingSince, now - maxBakeTime));
  const queries = spec.queries ?? [];
  const alarms = [...new Set([...gates.alarms, ...spec.alarms])];
  const bakes = Math.max(1, state.plan.filter((s) => s.kind === 'bake').length);
  const reading = await options.router.read(targets.routes[0]!);
  const loadBalancerArn = await options.router.loadBalancerOf(reading);
  const result = await bake({
    gates: {
      ...gates,
      bakeTime,
      alarms,
      custom: [...gates.custom, ...queries.flatMap((q) => (q.gate ? [q.gate] : []))],
      smoke: gates.smoke || smoke !== null,
    },
    alpha: (1 - gates.confidence / 100) / bakes,
    period: options.period,
    metricDelay: options.metricDelay,
    maxBakeTime,
    start,
    metrics: options.metrics({ loadBalancerArn, pair: targets.pair, queries }),
    baseline: false,
    ...(options.alarms && alarms.length > 0 ? { alarms: options.alarms } : {}),
    ...(smoke ? { smoke } : {}),
    clock,
    sleep: options.sleep,
    ...(options.signal ? { signal: options.signal } : {}),
    logger: run.logger,
    onPoll: (report) => run.emit({ type: 'poll', index, report }),
  });
  const health = JSON.parse(serializeTrace(result.trace, result.judgement)) as TraceDocument;
  if (result.cancelled) throw new Cancelled(health);
  const decision = result.judgement.decision;
  const said = result.judgement.message.replace(/^(promote|rollback|inconclusive):\s*/, '');
  if (decision === 'promote')
    return { message: `service ${spec.name} gate passed: ${said}`, more: { health } };
  throw new StepFailure(`service ${spec.name} gate: ${said}: rollback`, decision ?? 'rollback', health);
}

/**
 * Before anything runs: every route of a service still to deploy is read, and must forward to that
 * service's stable target group (an ARN that does not exist, or a route sending elsewhere, refuses the
 * run with nothing changed).
 */
export async function checkServiceTargets(
  router: TrafficRouter,
  services: readonly ServiceSpec[],
  untouched: (name: string) => boolean,
): Promise<void> {
  for (const spec of services) {
    if (!spec.targets || !untouched(spec.name)) continue;
    for (const route of spec.targets.routes) {
      const reading = await router.read(route);
      const groups = reading['target-groups'].map((t) => t['target-group-arn']);
      if (!groups.includes(spec.targets.pair.stable))
        throw new InputError('services', route, '', {
          message: `Input 'services': service '${spec.name}' has route ${route} in its targets, which does not forward to its stable-target-group-arn ${spec.targets.pair.stable} (it forwards to ${groups.join(', ') || 'nothing'}). Nothing was changed.`,
        });
    }
  }
}
