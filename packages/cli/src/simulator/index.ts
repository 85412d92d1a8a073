import { canaryShare, type AbMetric, type Clock, type MetricQuery, type TargetPair } from '@shiftgate/core';
import { FaultPlan, type Fault } from './faults';
import { TrafficModel, type Scenario } from './model';
import { SimulatedAlarmSource, SimulatedMetricSource, SimulatedRouter } from './providers';
import { SimulatedRuleManager } from './rules';

export * from './faults';
export * from './model';
export * from './providers';
export * from './random';
export * from './appconfig';

/** The simulated load balancer's names; ARNs shaped like real ones so every parser accepts them. */
export const SIMULATED = {
  loadBalancerArn:
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/5ca1ab1e0ddba11',
  listenerArn:
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/5ca1ab1e0ddba11/f2f7dc8efc522ab2',
  stableTargetGroupArn:
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-blue/73e2d6bc24d8a067',
  canaryTargetGroupArn:
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-green/943f017f100becff',
} as const;

/** Everything a simulated deployment talks to. */
export interface Simulation {
  model: TrafficModel;
  router: SimulatedRouter;
  /**
   * Builds the metric source for a window length (the orchestrator's `metrics` factory); with the
   * `max-p99-latency` gate (ms) its canary windows also count the requests slower than it.
   */
  metrics(
    period: number,
    slowThreshold?: number,
    percentile?: number,
    /** An A/B test's custom metrics (its baseline counts slow requests too). */
    ab?: readonly AbMetric[],
    /** `metric-queries` (the run's, and a saga service's own): each judged one gets simulated values. */
    queries?: readonly MetricQuery[],
  ): SimulatedMetricSource;
  /**
   * The metric source of a route set of its own (a saga service's targets): the model's minutes at the
   * canary share those routes carry, read off the simulated router.
   */
  routeMetrics(
    routes: readonly string[],
    pair: TargetPair,
    period: number,
    slowThreshold?: number,
    percentile?: number,
    queries?: readonly MetricQuery[],
  ): SimulatedMetricSource;
  alarms: SimulatedAlarmSource;
  /** The listener's rules (A/B audience rules go here). */
  rules: SimulatedRuleManager;
  faults: FaultPlan;
  routes: string[];
  pair: TargetPair;
  loadBalancerArn: string;
  /** The canary's share of traffic on the listener now, in percent. */
  canaryShare(): number;
}

/** What to simulate. */
export interface SimulationOptions {
  seed: number;
  scenario: Scenario;
  clock: Clock;
  /** Scenario minute a regression begins (from the simulation's start, which is `clock.now()`). */
  at?: number;
  rpm?: number;
  publicationDelay?: number;
  faults?: Fault[];
  /** An A/B experiment with B's error rate changed by this fraction (see {@link TrafficModel}). */
  bEffect?: number;
}

/**
 * A load balancer whose listener forwards everything to the stable target group, a seeded traffic
 * model behind it, and the router, metric and alarm sources over them.
 */
export function createSimulation(options: SimulationOptions): Simulation {
  const model = new TrafficModel({
    seed: options.seed,
    start: options.clock.now(),
    scenario: options.scenario,
    ...(options.at !== undefined ? { at: options.at } : {}),
    ...(options.rpm !== undefined ? { rpm: options.rpm } : {}),
    ...(options.publicationDelay !== undefined ? { publicationDelay: options.publicationDelay } : {}),
    ...(options.bEffect !== undefined ? { bEffect: options.bEffect } : {}),
  });
  const faults = new FaultPlan(options.faults ?? []);
  const pair = { stable: SIMULATED.stableTargetGroupArn, canary: SIMULATED.canaryTargetGroupArn };
  const router = new SimulatedRouter({
    model,
    clock: options.clock,
    pair,
    loadBalancerArn: SIMULATED.loadBalancerArn,
    routes: { [SIMULATED.listenerArn]: [{ 'target-group-arn': pair.stable, weight: 1 }] },
    faults,
  });
  return {
    model,
    router,
    metrics: (period, slowThreshold, percentile, ab, queries) =>
      new SimulatedMetricSource({
        model,
        clock: options.clock,
        period,
        ...(slowThreshold !== undefined ? { slowThreshold } : {}),
        ...(percentile !== undefined ? { percentile } : {}),
        ...(ab !== undefined ? { ab } : {}),
        ...(queries !== undefined ? { queries } : {}),
        faults,
        settle: () => router.settle(),
      }),
    routeMetrics: (routes, own, period, slowThreshold, percentile, queries) =>
      new SimulatedMetricSource({
        model,
        clock: options.clock,
        period,
        ...(slowThreshold !== undefined ? { slowThreshold } : {}),
        ...(percentile !== undefined ? { percentile } : {}),
        ...(queries !== undefined ? { queries } : {}),
        faults,
        settle: () => router.settle(),
        share: () => canaryShare(router.current(routes[0]!), own) ?? 0,
      }),
    alarms: new SimulatedAlarmSource({ model, clock: options.clock, faults }),
    rules: new SimulatedRuleManager({ listener: SIMULATED.listenerArn, router }),
    faults,
    routes: [SIMULATED.listenerArn],
    pair,
    loadBalancerArn: SIMULATED.loadBalancerArn,
    canaryShare: () => canaryShare(router.current(SIMULATED.listenerArn), pair) ?? 0,
  };
}
export * from './saga';
export * from './rules';
export * from './cells';
export * from './openmetrics';
export * from './prometheus';
