// One router over many: each call goes to the router that owns the route (a cell's region, a simulated
// cell). Compare-and-set, read-back and all-or-nothing stay in this folder, over the owner's reads and writes.
import type { RouteReading, TrafficRouter, WritePreview } from './port';
import type { TargetWeight } from '../rollout/index';

/** A router that hands every call to `owner(route)`; `owner` throws for a route nobody owns. */
export function routerByRoute(owner: (route: string) => TrafficRouter): TrafficRouter {
  return {
    read: (route: string): Promise<RouteReading> => owner(route).read(route),
    preview: (reading: RouteReading, targetGroups: TargetWeight[]): WritePreview =>
      owner(reading.route).preview(reading, targetGroups),
    write: (reading: RouteReading, targetGroups: TargetWeight[]): Promise<void> =>
      owner(reading.route).write(reading, targetGroups),
    loadBalancerOf: (reading: RouteReading): Promise<string> => owner(reading.route).loadBalancerOf(reading),
  };
}
