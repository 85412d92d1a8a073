// The simulator as a Prometheus API (issue 15): `shiftgate deploy --simulate --metric-source prometheus`
// runs the real Prometheus source — templates rendered, the HTTP client, the bucket maths — against the
// seeded traffic model, through an in-process `fetch` that answers `query_range` as a Prometheus
// scraping the simulated service would. Published minutes only, as the CloudWatch simulation.
import {
  NO_DATA,
  promDuration,
  renderTemplate,
  type Clock,
  type MetricQuery,
  type SideStats,
} from '@shiftgate/core';
import type { FaultPlan } from './faults';
import { countAbove, type Side, type TrafficModel } from './model';
import { DEFAULT_BUCKETS } from './openmetrics';
import { simulatedCustomValue } from './providers';

/** The URL the simulated API answers on (never resolved: the fetch is in-process). */
export const SIMULATED_PROMETHEUS_URL = 'http://prometheus.simulator.invalid';

const MIN = 60_000;
const JOB = /job="([^"]*)"/;

/**
 * A `fetch` answering `POST /api/v1/query_range` from the model: the default templates' statistics
 * (requests, 5xx, latency buckets, hosts up) of the side whose `job` is `names.canary` or
 * `names.baseline`, and the run's `metric-queries`; any other query is an empty result (no data). Injected faults on `metrics` answer
 * 429 (throttle) or 503 (provider error).
 */
export function simulatedPrometheusFetch(options: {
  model: TrafficModel;
  clock: Clock;
  names: { canary: string; baseline: string };
  faults: FaultPlan;
  /** Settles pending reverts before reading (the router's), so traffic is current. */
  settle?: () => void;
  /**
   * `metric-queries` with PromQL and the window they are rendered with: a query that is one of them,
   * rendered, is answered as the CloudWatch simulation answers it ({@link simulatedCustomValue}).
   */
  custom?: { queries: readonly MetricQuery[]; period: number };
}): typeof fetch {
  const custom = new Map(
    (options.custom?.queries ?? []).flatMap((q) =>
      q.gate && q.promql
        ? [
            [
              renderTemplate(q.promql, { ...options.names, window: promDuration(options.custom!.period) }),
              q.gate,
            ] as const,
          ]
        : [],
    ),
  );
  const answer = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  return async (_input, init) => {
    options.settle?.();
    const fault = options.faults.call('metrics');
    if (fault)
      return fault.kind === 'throttle'
        ? answer(429, { status: 'error', errorType: 'too_many_requests', error: 'simulated throttling' })
        : answer(503, { status: 'error', errorType: 'unavailable', error: 'simulated provider error' });
    const params = new URLSearchParams(String(init?.body ?? ''));
    const query = params.get('query') ?? '';
    const start = Number(params.get('start')) * 1000;
    const end = Number(params.get('end')) * 1000;
    const step = Number((params.get('step') ?? '60s').replace(/s$/, '')) * 1000;
    const job = JOB.exec(query)?.[1];
    const side: Side | null =
      job === options.names.canary ? 'canary' : job === options.names.baseline ? 'baseline' : null;
    const now = options.clock.now();
    const result: { metric: Record<string, string>; values: [number, string][] }[] = [];
    const series = (metric: Record<string, string>, of: (minutes: Minutes) => number) => {
      const values: [number, string][] = [];
      for (let at = start; at <= end; at += step) {
        const minutes = minutesOf(options.model, side!, at - step, at, now);
        if (minutes) values.push([at / 1000, String(of(minutes))]);
      }
      if (values.length > 0) result.push({ metric, values });
    };
    const gate = custom.get(query);
    if (gate) {
      const stats = (minutes: Minutes | null): SideStats =>
        minutes
          ? {
              ...NO_DATA,
              requests: minutes.reduce((n, m) => n + m.count, 0),
              errors: minutes.reduce((n, m) => n + m.errors, 0),
            }
          : NO_DATA;
      const values: [number, string][] = [];
      for (let at = start; at <= end; at += step) {
        const value = simulatedCustomValue(
          gate,
          stats(minutesOf(options.model, 'canary', at - step, at, now)),
          stats(minutesOf(options.model, 'baseline', at - step, at, now)),
        );
        if (value !== null) values.push([at / 1000, String(value)]);
      }
      if (values.length > 0) result.push({ metric: {}, values });
    } else if (side) {
      if (query.includes('_bucket')) {
        for (const le of [...DEFAULT_BUCKETS.map(String), '+Inf'])
          series({ le }, (ms) =>
            ms.reduce(
              (s, m) => s + (m.count - (le === '+Inf' ? 0 : countAbove(m.latencies, Number(le) * 1000))),
              0,
            ),
          );
      } else if (query.includes('code=~"5..')) series({}, (ms) => ms.reduce((s, m) => s + m.errors, 0));
      else if (query.includes('http_requests_total')) series({}, (ms) => ms.reduce((s, m) => s + m.count, 0));
      else if (query.includes('1 - min_over_time(up'))
        series({}, (ms) => Math.max(...ms.map((m) => m.unhealthy)));
      else if (query.includes('min_over_time(up')) series({}, (ms) => Math.min(...ms.map((m) => m.healthy)));
    }
    return answer(200, { status: 'success', data: { resultType: 'matrix', result } });
  };
}

type Minutes = {
  count: number;
  errors: number;
  latencies: Float64Array;
  healthy: number;
  unhealthy: number;
}[];

/** The published minutes of `[from, to)`, or null when one is not published yet or none had requests. */
function minutesOf(model: TrafficModel, side: Side, from: number, to: number, now: number): Minutes | null {
  const out: Minutes = [];
  for (let m = from; m < to; m += MIN) {
    if (!model.published(m, now)) return null;
    const minute = model.minute(side, m);
    out.push({
      count: minute.requests ?? 0,
      errors: minute.errors ?? 0,
      latencies: minute.latencies ?? new Float64Array(),
      healthy: minute.healthy,
      unhealthy: minute.unhealthy,
    });
  }
  return out.some((m) => m.count > 0) ? out : null;
}
