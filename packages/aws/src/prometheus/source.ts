import {
  InputError,
  promDuration,
  renderTemplate,
  silentLogger,
  type Logger,
  type MetricQuery,
  type MetricRange,
  type MetricSource,
  type MetricWindow,
  type PrometheusQueries,
  type PrometheusSideQuery,
  type SideStats,
} from '@shiftgate/core';
import { bucketStats, normaliseBuckets, type Bucket } from './buckets';
import type { PrometheusClient, RangeQuery, RangeSeries } from './http';

/** What the Prometheus source reads and for whom. */
export interface PrometheusMetricSourceOptions {
  client: PrometheusClient;
  /** `{{canary}}`: the canary's name in the metrics (by default its target group's name). */
  canary: string;
  /** `{{baseline}}`: the baseline's name. */
  baseline: string;
  /** Window length, ms: `{{window}}` and the query step. */
  period: number;
  queries: PrometheusQueries;
  /** Custom gates: `metric-queries` items with a PromQL `query`. */
  custom?: readonly MetricQuery[];
  /** The `max-p99-latency` gate, ms: the canary's requests slower than it are counted (`slow`). */
  slowThreshold?: number;
  /** The `latency-percentile` gate (99 for p99). Default 99. */
  percentile?: number;
  logger?: Logger;
}

const SIDES = ['canary', 'baseline'] as const;
type SideName = (typeof SIDES)[number];
const NAME = /^[^"\\\r\n{}]{1,256}$/;

/**
 * The name a target group goes by in Prometheus labels: a plain name as given, or the name inside a
 * target group ARN (`…:targetgroup/<name>/<id>`). Quotes, backslashes and braces are refused, so a name
 * cannot break out of a label matcher.
 */
export function prometheusName(input: string, value: string): string {
  const arn = /^arn:aws[a-z-]*:elasticloadbalancing:[^:]*:\d{12}:targetgroup\/([^/]+)\/[0-9a-f]+$/.exec(
    value,
  );
  const name = arn ? arn[1]! : value;
  if (!NAME.test(name))
    throw new InputError(input, value, 'a target group ARN or a name without quotes, backslashes or braces');
  return name;
}

/**
 * Reads windows from a Prometheus-compatible API: per poll one `query_range` per template and side
 * (requests, errors, latency buckets, healthy, unhealthy) and one per custom query, each evaluated at
 * the end of every window with step = window, so the value at `t + period` is the window `[t, t + period)`.
 *
 * Requests and errors are rounded counts; a window without an errors series counts 0 errors when it had
 * requests (counters of 5xx appear only after the first one). The latency percentile and the requests
 * slower than a threshold come from the same buckets: linear interpolation inside the bucket, as
 * `histogram_quantile` does, and requests past the highest finite bucket count as slower. A query that
 * fails makes the poll fail (a provider error, never data); a series that is absent is no data.
 */
export class PrometheusMetricSource implements MetricSource {
  private readonly percentile: number;
  private readonly logger: Logger;
  private readonly custom: readonly MetricQuery[];

  constructor(private readonly options: PrometheusMetricSourceOptions) {
    if (options.period <= 0 || options.period % 1000 !== 0)
      throw new InputError('poll-interval', `${options.period}ms`, 'a whole number of seconds');
    this.percentile = options.percentile ?? 99;
    if (!(this.percentile > 0 && this.percentile < 100))
      throw new InputError('latency-percentile', `p${this.percentile}`, 'one of p50, p90, p95, p99, p99.9');
    const threshold = options.slowThreshold;
    if (threshold !== undefined && !(Number.isFinite(threshold) && threshold > 0))
      throw new InputError('max-p99-latency', `${threshold}ms`, 'a latency above 0ms');
    if (options.canary === options.baseline)
      throw new InputError('canary-target-group-arn', options.canary, 'a target other than the baseline');
    this.custom = (options.custom ?? []).filter((q) => q.gate !== null);
    for (const q of this.custom)
      if (!q.promql)
        throw new InputError('metric-queries', q.id, '', {
          message: `Input 'metric-queries': query '${q.id}' is a CloudWatch query; with metric-source 'prometheus' give a PromQL 'query'`,
        });
    this.logger = options.logger ?? silentLogger;
  }

  /** The queries one poll sends, rendered (for tests, benches and the log). */
  rendered(): { what: string; input: string; query: string }[] {
    const values = {
      canary: this.options.canary,
      baseline: this.options.baseline,
      window: promDuration(this.options.period),
    };
    const sideQueries = SIDES.flatMap((side) =>
      (Object.keys(this.options.queries) as PrometheusSideQuery[]).map((key) => ({
        what: `${key} (${side})`,
        input: 'prometheus-queries',
        // A side template is written for the canary; the baseline reads it with its own name.
        query: renderTemplate(this.options.queries[key], { ...values, canary: values[side] }),
      })),
    );
    const custom = this.custom.map((q) => ({
      what: `custom query '${q.id}'`,
      input: 'metric-queries',
      query: renderTemplate(q.promql!, values),
    }));
    return [...sideQueries, ...custom];
  }

  async windows(range: MetricRange): Promise<MetricWindow[]> {
    const period = this.options.period;
    const count = Math.floor((range.end - range.start) / period);
    if (count <= 0) return [];
    const evalStart = range.start + period;
    const evalEnd = range.start + count * period;
    const queries = this.rendered();
    const results = await Promise.all(
      queries.map((q) =>
        this.options.client.queryRange({
          ...q,
          start: evalStart,
          end: evalEnd,
          step: period,
        } satisfies RangeQuery),
      ),
    );
    const byWhat = new Map(queries.map((q, i) => [q.what, results[i]!]));
    const single = (what: string): Map<number, number> | null => {
      const series = byWhat.get(what) ?? [];
      if (series.length > 1)
        this.logger.warning(
          `Prometheus ${what} returned ${series.length} series; one is expected (aggregate with sum()): no data`,
        );
      return series.length === 1 ? series[0]!.values : null;
    };
    const windows: MetricWindow[] = [];
    for (let i = 0; i < count; i++) {
      const t = range.start + i * period;
      const at = t + period;
      const over = range.over;
      const window: MetricWindow = {
        start: new Date(t).toISOString(),
        canary: this.side('canary', at, single, byWhat, {
          ...(this.options.slowThreshold !== undefined ? { slow: this.options.slowThreshold } : {}),
          ...(over ? { over: over.canary } : {}),
        }),
        baseline: this.side('baseline', at, single, byWhat, over ? { over: over.baseline } : {}),
      };
      if (over) window['over-thresholds'] = { ...over };
      if (this.custom.length > 0)
        window.custom = Object.fromEntries(
          this.custom.map((q) => [q.id, single(`custom query '${q.id}'`)?.get(at) ?? null]),
        );
      windows.push(window);
    }
    return windows;
  }

  private side(
    side: SideName,
    at: number,
    single: (what: string) => Map<number, number> | null,
    byWhat: Map<string, RangeSeries[]>,
    thresholds: { slow?: number; over?: number },
  ): SideStats | null {
    const value = (key: PrometheusSideQuery) => single(`${key} (${side})`)?.get(at) ?? null;
    const requests = value('requests');
    let errors = value('errors');
    if (errors === null && requests !== null) errors = 0;
    const buckets = bucketsAt(byWhat.get(`latency (${side})`) ?? [], at);
    const stats = buckets
      ? bucketStats(buckets, this.percentile, thresholds as Record<string, number>)
      : null;
    const rounded = requests === null ? null : Math.round(requests);
    const out: SideStats = {
      requests: rounded,
      errors: errors === null || rounded === null ? null : Math.min(Math.round(errors), rounded),
      p99: stats?.percentile ?? null,
      healthy: nullableRound(value('healthy')),
      unhealthy: nullableRound(value('unhealthy')),
    };
    for (const key of ['slow', 'over'] as const) {
      if (thresholds[key] === undefined) continue;
      // Counts from the buckets, scaled to the requests counter (the two are separate series).
      const above = stats?.above[key];
      out[key] =
        above === undefined || stats === null || rounded === null || stats.total <= 0
          ? null
          : Math.min(rounded, Math.round((above / stats.total) * rounded));
    }
    return Object.values(out).every((v) => v === null) ? null : out;
  }
}

/** The buckets of one evaluation time, from the per-`le` series; null without a `+Inf` bucket. */
export function bucketsAt(series: readonly RangeSeries[], at: number): Bucket[] | null {
  const raw: Bucket[] = [];
  for (const s of series) {
    const le = s.metric.le;
    const count = s.values.get(at);
    if (le === undefined || count === undefined) continue;
    const bound = le === '+Inf' ? Infinity : Number(le);
    if (Number.isNaN(bound)) continue;
    raw.push({ le: bound, count });
  }
  return raw.length === 0 ? null : normaliseBuckets(raw);
}

function nullableRound(value: number | null): number | null {
  return value === null ? null : Math.round(value);
}
