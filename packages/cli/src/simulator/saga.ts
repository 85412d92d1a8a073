// Simulated saga services: deploy and compensate always succeed after a while; the service named by
// `--bad-service` deploys but fails its gate (its smoke check), so the run compensates in reverse.
import type { MetricQuery, ServiceCommandRunner, ServiceSpec, Sleeper, TargetPair } from '@shiftgate/core';
import type { Simulation } from './index';
import type { SimulatedMetricSource } from './providers';

/** How long a simulated command takes, per phase, in milliseconds. */
const TAKES = { deploy: 45_000, smoke: 2_000, compensate: 20_000 } as const;

/** The services of a simulated saga: one per planned name, each with simulated commands and a smoke gate. */
export function simulatedServices(names: readonly string[]): ServiceSpec[] {
  return names.map((name, i) => ({
    name,
    'deployment-order': i + 1,
    deploy: `(simulated) deploy ${name}`,
    compensate: `(simulated) compensate ${name}`,
    alarms: [],
    smoke: `(simulated) smoke ${name}`,
  }));
}

/** Runs simulated service commands on the simulation's time; only `bad`'s smoke check fails. */
export function simulatedServiceRunner(options: {
  bad: string | null;
  sleep: Sleeper;
}): ServiceCommandRunner {
  return async (command) => {
    await options.sleep(TAKES[command.phase]);
    return { 'exit-code': command.phase === 'smoke' && command.service.name === options.bad ? 1 : 0 };
  };
}

/**
 * Saga services with targets of their own in a simulation: their routes are added to the simulated load
 * balancer on their stable side, and the returned function gives the metric source of a service's pair
 * (the model at the share those routes carry), or null for any other pair.
 */
export function simulatedServiceTargets(
  sim: Simulation,
  services: readonly ServiceSpec[],
  read: { period: number; slowThreshold?: number; percentile?: number },
): (pair: TargetPair, queries: readonly MetricQuery[]) => SimulatedMetricSource | null {
  for (const service of services)
    for (const route of service.targets?.routes ?? [])
      sim.router.addRoute(route, [{ 'target-group-arn': service.targets!.pair.stable, weight: 1 }]);
  return (pair, queries) => {
    const own = services.find((s) => s.targets?.pair.canary === pair.canary)?.targets;
    return own
      ? sim.routeMetrics(own.routes, own.pair, read.period, read.slowThreshold, read.percentile, queries)
      : null;
  };
}
