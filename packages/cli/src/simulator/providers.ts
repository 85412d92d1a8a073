import {
  canaryShare,
  describeTargetGroups,
  InputError,
  RouterError,
  type AbMetric,
  type AlarmSource,
  type AlarmState,
  type Clock,
  type CustomGate,
  type MetricQuery,
  type MetricRange,
  type MetricSource,
  type MetricWindow,
  type RouteReading,
  type RouteWeights,
  type SideStats,
  type TargetPair,
  type TargetWeight,
  type TrafficRouter,
  type WritePreview,
} from '@shiftgate/core';
import type { Fault, FaultPlan } from './faults';
import { BASELINE, nearestRank, type Minute, type Side, type TrafficModel } from './model';

/**
 * An in-memory load balancer listener with one weighted forward action. Writes move the model's
 * traffic split; faults play throttling, provider errors, lost writes and people who revert weights.
 */
export class SimulatedRouter implements TrafficRouter {
  private readonly routes = new Map<string, TargetWeight[]>();
  /** Every write that reached the load balancer, in order. */
  readonly applied: { at: number; route: string; 'target-groups': TargetWeight[] }[] = [];
  private readonly pending: { at: number; route: string; list: TargetWeight[] }[] = [];
  private writes = 0;
  /** Percent of requests an A/B audience rule sends to the canary before the weights apply. */
  private audience = 0;

  constructor(
    private readonly options: {
      model: TrafficModel;
      clock: Clock;
      pair: TargetPair;
      loadBalancerArn: string;
      routes: RouteWeights;
      faults: FaultPlan;
    },
  ) {
    for (const [route, list] of Object.entries(options.routes)) this.routes.set(route, list);
    this.syncModel();
  }

  /** What a route holds now (faults apart), for tests and reports. */
  current(route: string): TargetWeight[] {
    this.settle();
    return (this.routes.get(route) ?? []).map((t) => ({ ...t }));
  }

  async read(route: string): Promise<RouteReading> {
    this.fail('read', 'DescribeListeners', route);
    this.settle();
    const list = this.routes.get(route);
    if (!list) {
      throw new RouterError({
        operation: 'DescribeListeners',
        route,
        code: 'ListenerNotFound',
        rejected: true,
        message: `DescribeListeners on ${route} failed: the listener does not exist in the simulation (ListenerNotFound)`,
      });
    }
    return { route, kind: 'listener', 'target-groups': list.map((t) => ({ ...t })) };
  }

  preview(reading: RouteReading, targetGroups: TargetWeight[]): WritePreview {
    return {
      route: reading.route,
      operation: 'ModifyListener',
      request: {
        ListenerArn: reading.route,
        DefaultActions: [
          {
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: targetGroups.map((t) => ({
                TargetGroupArn: t['target-group-arn'],
                Weight: t.weight,
              })),
            },
          },
        ],
      },
    };
  }

  async write(reading: RouteReading, targetGroups: TargetWeight[]): Promise<void> {
    this.fail('write', 'ModifyListener', reading.route);
    const n = ++this.writes;
    const faults = this.options.faults.faults;
    const lost = faults.find((f) => f.kind === 'lost-write' && f.write === n);
    if (lost) throw unknownOutcome(reading.route, 'the request was lost on its way (simulated)');
    this.settle();
    const before = this.routes.get(reading.route) ?? [];
    this.apply(reading.route, targetGroups);
    const revert = faults.find(
      (f): f is Extract<Fault, { kind: 'revert' }> => f.kind === 'revert' && f.write === n,
    );
    if (revert) {
      this.pending.push({
        at: this.options.clock.now() + (revert.afterMs ?? 0),
        route: reading.route,
        list: before.map((t) => ({ ...t })),
      });
    }
    if (faults.some((f) => f.kind === 'lost-response' && f.write === n))
      throw unknownOutcome(reading.route, 'the answer was lost (simulated); the change applied');
  }

  async loadBalancerOf(): Promise<string> {
    return this.options.loadBalancerArn;
  }

  /** Applies reverts that are due: someone else putting weights back. */
  settle(): void {
    const now = this.options.clock.now();
    for (const entry of [...this.pending]) {
      if (entry.at > now) continue;
      this.pending.splice(this.pending.indexOf(entry), 1);
      this.apply(entry.route, entry.list);
    }
  }

  private apply(route: string, list: TargetWeight[]): void {
    this.routes.set(
      route,
      list.map((t) => ({ ...t })),
    );
    this.applied.push({ at: this.options.clock.now(), route, 'target-groups': list.map((t) => ({ ...t })) });
    this.syncModel();
  }

  /**
   * Adds a route of its own (a saga service's targets) forwarding to `list`; the model's traffic still
   * follows the first route. A route already there is left as it is.
   */
  addRoute(route: string, list: TargetWeight[]): void {
    if (!this.routes.has(route))
      this.routes.set(
        route,
        list.map((t) => ({ ...t })),
      );
  }

  /** An audience rule now sends `share` percent of the requests to the canary (0 when it is removed). */
  setAudience(share: number): void {
    this.audience = share;
    this.syncModel();
  }

  private syncModel(): void {
    // Traffic follows the first route (the listener the service's requests arrive on), after the
    // audience rule has taken its share.
    const first = this.routes.values().next().value as TargetWeight[] | undefined;
    const share = first ? (canaryShare(first, this.options.pair) ?? 0) : 0;
    this.options.model.setShare(
      this.options.clock.now(),
      this.audience + ((100 - this.audience) * share) / 100,
    );
  }

  private fail(target: 'read' | 'write', operation: string, route: string): void {
    const fault = this.options.faults.call(target);
    if (!fault) return;
    if (fault.kind === 'throttle') {
      throw new RouterError({
        operation,
        route,
        code: 'Throttling',
        rejected: true,
        message: `${operation} on ${route} failed: AWS kept throttling the request (Throttling: Rate exceeded, simulated)`,
      });
    }
    throw new RouterError({
      operation,
      route,
      code: 'InternalFailure',
      // A failed read changed nothing; a failed write's outcome is unknown until read back.
      rejected: target === 'read',
      message: `${operation} on ${route} failed: ${target === 'write' ? 'the outcome is unknown, ' : ''}InternalFailure: simulated provider error`,
    });
  }

  /** `stable blue 95, canary green 5` for the first route, for progress lines. */
  describe(): string {
    const first = this.routes.entries().next().value as [string, TargetWeight[]] | undefined;
    return first ? describeTargetGroups(first[1], this.options.pair) : 'no routes';
  }
}

function unknownOutcome(route: string, why: string): RouterError {
  return new RouterError({
    operation: 'ModifyListener',
    route,
    code: 'RequestTimeout',
    rejected: false,
    message: `ModifyListener on ${route} failed: the outcome is unknown, ${why}`,
  });
}

/**
 * A user metric query's value in a simulated window: a metric that tracks the canary's health, as CPU,
 * queue depth or conversions do. Healthy, it sits at 60% of a `max` (140% of a `min`); each point of
 * error rate the canary has over the baseline (over the model's healthy rate when the baseline serves
 * nothing, all traffic switched) moves it 10% of the limit toward and past it, so a regression the
 * error-rate gate sees also breaches the query. No data when the canary has none.
 */
export function simulatedCustomValue(
  gate: CustomGate,
  canary: SideStats,
  baseline: SideStats,
): number | null {
  if (canary.requests === null || canary.errors === null || canary.requests === 0) return null;
  const compared =
    baseline.requests !== null && baseline.errors !== null && baseline.requests > 0
      ? baseline.errors / baseline.requests
      : BASELINE.errorRate;
  const excess = Math.max(0, canary.errors / canary.requests - compared);
  const value =
    gate.direction === 'max' ? gate.limit * (0.6 + 10 * excess) : gate.limit * (1.4 - 10 * excess);
  return Math.round(value * 1000) / 1000;
}

/**
 * Windows of canary and baseline statistics from the model. A minute is published only
 * `publicationDelay` after it ends; until then its window carries no data, as CloudWatch's would.
 */
export class SimulatedMetricSource implements MetricSource {
  constructor(
    private readonly options: {
      model: TrafficModel;
      clock: Clock;
      /** Window length, a whole number of minutes. */
      period: number;
      faults: FaultPlan;
      /** Settles pending reverts before reading (the router's), so traffic is current. */
      settle?: () => void;
      /** The `max-p99-latency` gate, ms: canary windows count the requests slower than it. */
      slowThreshold?: number;
      /** The `latency-percentile` gate (99 for p99): the percentile windows report as `p99`. */
      percentile?: number;
      /** An A/B test: its custom metrics per window, and the baseline's slow requests too. */
      ab?: readonly AbMetric[];
      /**
       * The canary's share, in percent, of a route set other than the simulated listener (a saga
       * service's own targets): its minutes are drawn at that share rather than the listener's.
       */
      share?: () => number;
      /** `metric-queries`: each judged query gets a value per window (see {@link simulatedCustomValue}). */
      queries?: readonly MetricQuery[];
    },
  ) {
    if (options.period <= 0 || options.period % 60_000 !== 0) {
      throw new InputError('poll-interval', `${options.period / 1000}s`, 'a whole number of minutes');
    }
  }

  async windows(range: MetricRange): Promise<MetricWindow[]> {
    this.options.settle?.();
    const fault = this.options.faults.call('metrics');
    if (fault) {
      throw new Error(
        `GetMetricData for ${new Date(range.start).toISOString()}–${new Date(range.end).toISOString()} failed: ${
          fault.kind === 'throttle'
            ? 'Throttling: Rate exceeded'
            : 'InternalFailure: simulated provider error'
        } (simulated)`,
      );
    }
    const { period, clock } = this.options;
    const now = clock.now();
    const out: MetricWindow[] = [];
    for (let t = range.start; t + period <= range.end; t += period) {
      const canary = this.side('canary', t, now, range.over?.canary);
      const baseline = this.side('baseline', t, now, range.over?.baseline);
      const ab = this.options.ab;
      const count = (side: 'canary' | 'baseline', stats: SideStats, m: AbMetric) =>
        stats.requests === null
          ? null
          : this.options.model.abCount(side, t, m.name, m.better, stats.requests);
      const gated = (this.options.queries ?? []).flatMap((q) => (q.gate ? [q.gate] : []));
      out.push({
        start: new Date(t).toISOString(),
        canary,
        baseline,
        ...(gated.length > 0
          ? {
              custom: Object.fromEntries(gated.map((g) => [g.id, simulatedCustomValue(g, canary, baseline)])),
            }
          : {}),
        ...(range.over ? { 'over-thresholds': { ...range.over } } : {}),
        ...(ab && ab.length > 0
          ? {
              'ab-metrics': Object.fromEntries(
                ab.map((m) => [m.name, { a: count('baseline', baseline, m), b: count('canary', canary, m) }]),
              ),
            }
          : {}),
      });
    }
    return out;
  }

  private side(side: Side, start: number, now: number, overThreshold: number | undefined): SideStats {
    const { model, period } = this.options;
    // An A/B test compares slow shares, so its baseline counts them too.
    const slowThreshold = side === 'canary' || this.options.ab ? this.options.slowThreshold : undefined;
    const counts = {
      ...(slowThreshold === undefined ? {} : { slowThreshold }),
      ...(overThreshold === undefined ? {} : { overThreshold }),
      ...(this.options.percentile === undefined ? {} : { percentile: this.options.percentile }),
    };
    const minutes: Minute[] = [];
    for (let m = start; m < start + period; m += 60_000) {
      if (!model.published(m, now)) {
        return {
          requests: null,
          errors: null,
          p99: null,
          ...(slowThreshold === undefined ? {} : { slow: null }),
          ...(overThreshold === undefined ? {} : { over: null }),
          healthy: null,
          unhealthy: null,
        };
      }
      const share = this.options.share;
      minutes.push(share ? model.sample(side, m, share(), counts) : model.minute(side, m, counts));
    }
    return aggregate(minutes, this.options.percentile ?? 99);
  }
}

/**
 * Sums counts (slow and over requests too, where the minutes count them) and keeps the worst host
 * counts of the minutes of one window. The percentile is the nearest-rank percentile of all the
 * window's requests when the minutes carry their latencies (as CloudWatch computes a longer period's
 * percentile), else the worst minute's.
 */
export function aggregate(minutes: readonly Minute[], percentile = 99): SideStats {
  const served = minutes.filter((m) => m.requests !== null);
  const sum = (key: 'slow' | 'over') =>
    minutes.some((m) => m[key] !== undefined)
      ? {
          [key]:
            served.length === 0 || served.some((m) => typeof m[key] !== 'number')
              ? null
              : served.reduce((s, m) => s + m[key]!, 0),
        }
      : {};
  let p99: number | null = null;
  if (served.length === 1) p99 = served[0]!.p99;
  else if (served.length > 1 && served.every((m) => m.latencies))
    p99 = Math.round(nearestRank(concatSorted(served.map((m) => m.latencies!)), percentile) * 10) / 10;
  else if (served.length > 1) p99 = Math.max(...served.map((m) => m.p99!));
  return {
    requests: served.length === 0 ? null : served.reduce((s, m) => s + m.requests!, 0),
    errors: served.length === 0 ? null : served.reduce((s, m) => s + (m.errors ?? 0), 0),
    p99,
    ...sum('slow'),
    ...sum('over'),
    healthy: minutes.length === 0 ? null : Math.min(...minutes.map((m) => m.healthy)),
    unhealthy: minutes.length === 0 ? null : Math.max(...minutes.map((m) => m.unhealthy)),
  };
}

function concatSorted(lists: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(lists.reduce((n, l) => n + l.length, 0));
  let at = 0;
  for (const list of lists) {
    out.set(list, at);
    at += list.length;
  }
  return out.sort();
}

/** The alarms the simulation has, each over the canary's latest published minute. */
export const SIMULATED_ALARMS: Record<
  string,
  { description: string; breached: (m: Minute) => boolean | null }
> = {
  'canary-5xx': {
    description: 'canary 5xx above 5% of requests',
    breached: (m) => (m.requests === null ? null : m.errors! > 0.05 * m.requests),
  },
  'canary-latency': {
    description: 'canary p99 above 1s',
    breached: (m) => (m.p99 === null ? null : m.p99 > 1000),
  },
  'canary-unhealthy-hosts': {
    description: 'any canary host unhealthy',
    breached: (m) => m.unhealthy > 0,
  },
};

/** Alarm states from the model's latest published minute. */
export class SimulatedAlarmSource implements AlarmSource {
  constructor(private readonly options: { model: TrafficModel; clock: Clock; faults: FaultPlan }) {}

  async states(names: readonly string[]): Promise<Record<string, AlarmState>> {
    for (const name of names) {
      if (!SIMULATED_ALARMS[name]) {
        throw new InputError(
          'alarms',
          name,
          `one of the simulation's alarms: ${Object.keys(SIMULATED_ALARMS).join(', ')}`,
        );
      }
    }
    const fault = this.options.faults.call('alarms');
    if (fault) {
      throw new Error(
        `DescribeAlarms failed: ${fault.kind === 'throttle' ? 'Throttling: Rate exceeded' : 'InternalFailure: simulated provider error'} (simulated)`,
      );
    }
    const { model, clock } = this.options;
    const now = clock.now();
    let minute = Math.floor((now - model.publicationDelay) / 60_000) * 60_000 - 60_000;
    while (!model.published(minute, now)) minute -= 60_000;
    const latest = model.minute('canary', minute);
    return Object.fromEntries(
      names.map((name) => {
        const breached = SIMULATED_ALARMS[name]!.breached(latest);
        return [name, breached === null ? 'INSUFFICIENT_DATA' : breached ? 'ALARM' : 'OK'];
      }),
    );
  }
}
