import {
  GetMetricDataCommand,
  type CloudWatchClient,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import {
  errorMessage,
  InputError,
  silentLogger,
  type AbMetric,
  type Logger,
  type MetricQuery,
  type MetricRange,
  type MetricSource,
  type MetricWindow,
  type SideStats,
} from '@shiftgate/core';
import { abMetricQueries, abMetricValues } from './cloudwatch-ab';
import { matchElbv2Arn } from './elbv2-arn';

/**
 * The `LoadBalancer` dimension of an Application Load Balancer's metrics: the ARN's suffix
 * `app/<name>/<id>` (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html).
 * Throws an {@link InputError} naming `input` for anything but an ALB ARN.
 */
export function loadBalancerDimension(input: string, arn: string): string {
  const parsed = matchElbv2Arn(arn, 'loadbalancer');
  if (!parsed) {
    throw new InputError(
      input,
      arn,
      'an Application Load Balancer ARN such as arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188',
    );
  }
  return parsed.path.slice('loadbalancer/'.length);
}

/** The `TargetGroup` dimension: the ARN's suffix `targetgroup/<name>/<id>`. */
export function targetGroupDimension(input: string, arn: string): string {
  const parsed = matchElbv2Arn(arn, 'targetgroup');
  if (!parsed) {
    throw new InputError(
      input,
      arn,
      'a target group ARN such as arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-canary/73e2d6bc24d8a067',
    );
  }
  return parsed.path;
}

/** One ALB metric of one target group, as a GetMetricData query. */
export function albMetricQuery(q: {
  id: string;
  metric: string;
  stat: string;
  /** `app/<name>/<id>` */
  loadBalancer: string;
  /** `targetgroup/<name>/<id>` */
  targetGroup: string;
  seconds: number;
}): MetricDataQuery {
  return {
    Id: q.id,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/ApplicationELB',
        MetricName: q.metric,
        Dimensions: [
          { Name: 'LoadBalancer', Value: q.loadBalancer },
          { Name: 'TargetGroup', Value: q.targetGroup },
        ],
      },
      Period: q.seconds,
      Stat: q.stat,
    },
    ReturnData: true,
  };
}

/** The ALB metrics read per side, with the statistic each is judged on. */
export const SIDE_METRICS = [
  { key: 'requests', metric: 'RequestCount', stat: 'Sum' },
  { key: 'errors', metric: 'HTTPCode_Target_5XX_Count', stat: 'Sum' },
  { key: 'p99', metric: 'TargetResponseTime', stat: 'p99' },
  { key: 'healthy', metric: 'HealthyHostCount', stat: 'Minimum' },
  { key: 'unhealthy', metric: 'UnHealthyHostCount', stat: 'Maximum' },
] as const satisfies readonly { key: keyof SideStats; metric: string; stat: string }[];

/**
 * The percentile-rank statistic `PR(:T)`: the percentage of requests whose `TargetResponseTime` (in
 * seconds) is at most T (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Statistics-definitions.html).
 * Its complement is the share slower than T, which the judge tests against the p99's 1%.
 */
export function percentRankStat(thresholdMs: number): string {
  return `PR(:${Number((thresholdMs / 1000).toFixed(6))})`;
}

/** Where the canary and baseline live and what else to read. */
export interface CloudWatchMetricSourceOptions {
  client: CloudWatchClient;
  loadBalancerArn: string;
  /** The baseline: the stable target group. */
  stableTargetGroupArn: string;
  canaryTargetGroupArn: string;
  /** Window length in milliseconds: a multiple of 60 s (ALB publishes per minute). */
  period: number;
  queries?: readonly MetricQuery[];
  /**
   * The `max-p99-latency` gate in milliseconds: when set, the canary's requests slower than it are
   * read too (`TargetResponseTime` `PR(:T)`, as `slow`), in the same call.
   */
  slowThreshold?: number;
  /**
   * The `latency-percentile` gate (99 for p99): the percentile read as each side's `p99` field.
   * Default 99.
   */
  percentile?: number;
  /**
   * An A/B test: its custom metrics, read for A (stable) and B (canary) in the same call, and the
   * baseline's slow requests too, so the slow-request shares can be compared.
   */
  ab?: { metrics: readonly AbMetric[] };
  logger?: Logger;
}

/**
 * Reads windows from CloudWatch: one `GetMetricData` call per poll (following `NextToken`) for all
 * five ALB metrics of both target groups, the canary's percentile rank at the p99 gate (when
 * `slowThreshold` is set) and the user's metric queries.
 *
 * A query whose final `StatusCode` is not `Complete` (`PartialData`, `Forbidden`, `InternalError`)
 * yields no data for the range. ALB publishes `HTTPCode_Target_5XX_Count` only when there were 5xx,
 * so a missing 5xx datapoint counts as 0 where the same window has requests — and only when the 5xx
 * query itself is complete; a missing `RequestCount` stays no data.
 */
export class CloudWatchMetricSource implements MetricSource {
  private readonly client: CloudWatchClient;
  private readonly period: number;
  private readonly queries: MetricDataQuery[];
  private readonly custom: readonly MetricQuery[];
  private readonly slow: boolean;
  private readonly ab: readonly AbMetric[] | null;
  private readonly logger: Logger;
  private readonly dimensions: { loadBalancer: string; canary: string; stable: string };

  constructor(options: CloudWatchMetricSourceOptions) {
    if (options.period <= 0 || options.period % 60_000 !== 0) {
      throw new InputError(
        'poll-interval',
        `${options.period / 1000}s`,
        'a whole number of minutes (ALB metrics are per minute)',
      );
    }
    this.client = options.client;
    this.period = options.period;
    this.custom = options.queries ?? [];
    const threshold = options.slowThreshold;
    if (threshold !== undefined && !(Number.isFinite(threshold) && threshold > 0)) {
      throw new InputError('max-p99-latency', `${threshold}ms`, 'a latency above 0ms');
    }
    this.slow = threshold !== undefined;
    this.logger = options.logger ?? silentLogger;
    const loadBalancer = loadBalancerDimension('load-balancer-arn', options.loadBalancerArn);
    const percentile = options.percentile ?? 99;
    if (!(percentile > 0 && percentile < 100))
      throw new InputError('latency-percentile', `p${percentile}`, 'one of p50, p90, p95, p99, p99.9');
    const sideMetrics = SIDE_METRICS.map((m) => (m.key === 'p99' ? { ...m, stat: `p${percentile}` } : m));
    const slowMetric =
      threshold === undefined
        ? []
        : [{ key: 'slow', metric: 'TargetResponseTime', stat: percentRankStat(threshold) } as const];
    this.dimensions = {
      loadBalancer,
      canary: targetGroupDimension('canary-target-group-arn', options.canaryTargetGroupArn),
      stable: targetGroupDimension('stable-target-group-arn', options.stableTargetGroupArn),
    };
    const sides = [
      { prefix: 'sg_c_', targetGroup: this.dimensions.canary, metrics: [...sideMetrics, ...slowMetric] },
      {
        prefix: 'sg_b_',
        targetGroup: this.dimensions.stable,
        metrics: options.ab ? [...sideMetrics, ...slowMetric] : sideMetrics,
      },
    ];
    const seconds = this.period / 1000;
    this.queries = sides.flatMap(({ prefix, targetGroup, metrics }) =>
      metrics.map(({ key, metric, stat }) =>
        albMetricQuery({ id: `${prefix}${key}`, metric, stat, loadBalancer, targetGroup, seconds }),
      ),
    );
    this.ab = options.ab?.metrics ?? null;
    if (this.ab) {
      const groups = { a: this.dimensions.stable, b: this.dimensions.canary };
      this.queries.push(...abMetricQueries(this.ab, groups, seconds));
    }
    for (const q of this.custom) {
      this.queries.push(
        q.expression !== null
          ? {
              Id: q.id,
              Label: q.label,
              Expression: q.expression,
              Period: seconds,
              ReturnData: q.gate !== null,
            }
          : {
              Id: q.id,
              Label: q.label,
              MetricStat: {
                Metric: {
                  Namespace: q.metric!.namespace,
                  MetricName: q.metric!.name,
                  Dimensions: Object.entries(q.metric!.dimensions).map(([Name, Value]) => ({ Name, Value })),
                },
                Period: seconds,
                Stat: q.metric!.stat,
              },
              ReturnData: q.gate !== null,
            },
      );
    }
  }

  /** The queries sent on every poll (for tests and debugging); `range.over` adds two per poll. */
  get metricDataQueries(): readonly MetricDataQuery[] {
    return this.queries;
  }

  private albQuery(id: string, targetGroup: string, metric: string, stat: string): MetricDataQuery {
    return albMetricQuery({
      id,
      metric,
      stat,
      loadBalancer: this.dimensions.loadBalancer,
      targetGroup,
      seconds: this.period / 1000,
    });
  }

  /**
   * Reads the windows of `range`. With `range.over`, both target groups' percentile ranks at their
   * thresholds come in the same call (`sg_c_over`, `sg_b_over`), for the latency-increase count test.
   */
  async windows(range: MetricRange): Promise<MetricWindow[]> {
    const over = range.over;
    const queries = over
      ? [
          ...this.queries,
          this.albQuery(
            'sg_c_over',
            this.dimensions.canary,
            'TargetResponseTime',
            percentRankStat(over.canary),
          ),
          this.albQuery(
            'sg_b_over',
            this.dimensions.stable,
            'TargetResponseTime',
            percentRankStat(over.baseline),
          ),
        ]
      : this.queries;
    const series: MetricSeries = new Map();
    const what = `for ${new Date(range.start).toISOString()}–${new Date(range.end).toISOString()}`;
    await readMetricData(this.client, { queries, range, what, series, logger: this.logger });
    const usable = (id: string) => {
      const s = series.get(id);
      if (!s) return undefined;
      if (s.status !== 'Complete') {
        this.logger.warning(
          `CloudWatch query '${id}' returned status ${s.status}: its values are not used as data`,
        );
        return undefined;
      }
      return s.values;
    };
    const side = (prefix: string): SeriesBySide =>
      Object.fromEntries(SIDE_METRICS.map(({ key }) => [key, usable(`${prefix}${key}`)])) as SeriesBySide;
    const canary = side('sg_c_');
    const baseline = side('sg_b_');
    const percentRank = this.slow ? usable('sg_c_slow') : undefined;
    const baselineRank = this.slow && this.ab ? usable('sg_b_slow') : undefined;
    const overRank = over ? { canary: usable('sg_c_over'), baseline: usable('sg_b_over') } : undefined;
    const gated = this.custom.filter((q) => q.gate !== null);
    const customSeries = new Map(gated.map((q) => [q.id, usable(q.id)]));

    const windows: MetricWindow[] = [];
    for (let t = range.start; t + this.period <= range.end; t += this.period) {
      const window: MetricWindow = {
        start: new Date(t).toISOString(),
        canary: statsAt(canary, t, {
          ...(this.slow ? { slow: percentRank?.get(t) ?? null } : {}),
          ...(overRank ? { over: overRank.canary?.get(t) ?? null } : {}),
        }),
        baseline: statsAt(baseline, t, {
          ...(this.slow && this.ab ? { slow: baselineRank?.get(t) ?? null } : {}),
          ...(overRank ? { over: overRank.baseline?.get(t) ?? null } : {}),
        }),
      };
      if (this.ab) {
        const served = { a: (window.baseline?.requests ?? 0) > 0, b: (window.canary?.requests ?? 0) > 0 };
        window['ab-metrics'] = abMetricValues(this.ab, usable, t, served);
      }
      if (over) window['over-thresholds'] = { ...over };
      if (gated.length > 0) {
        window.custom = Object.fromEntries(gated.map((q) => [q.id, customSeries.get(q.id)?.get(t) ?? null]));
      }
      windows.push(window);
    }
    return windows;
  }
}

/**
 * Reads `queries` over `range` into `series` with GetMetricData, following `NextToken` (at most 100
 * pages); `what` says in the error what was being read. `onPage` hears of every call.
 */
export async function readMetricData(
  client: CloudWatchClient,
  request: {
    queries: MetricDataQuery[];
    range: MetricRange;
    what: string;
    series: MetricSeries;
    logger: Logger;
    onPage?: () => void;
  },
): Promise<void> {
  const { range, logger } = request;
  let token: string | undefined;
  let pages = 0;
  do {
    request.onPage?.();
    let page;
    try {
      page = await client.send(
        new GetMetricDataCommand({
          MetricDataQueries: request.queries,
          StartTime: new Date(range.start),
          EndTime: new Date(range.end),
          ScanBy: 'TimestampAscending',
          ...(token ? { NextToken: token } : {}),
        }),
      );
    } catch (error) {
      throw new Error(`GetMetricData ${request.what} failed: ${describeAwsError(error)}`);
    }
    for (const message of page.Messages ?? [])
      logger.debug(`GetMetricData: ${message.Code}: ${message.Value}`);
    for (const result of page.MetricDataResults ?? []) absorbMetricResult(request.series, result, logger);
    token = page.NextToken;
    if (++pages > 100) throw new Error('GetMetricData kept returning NextToken after 100 pages');
  } while (token);
}

/** Metric values by timestamp, and the query's final status, per query id. */
export type MetricSeries = Map<string, { values: Map<number, number>; status: string }>;

/** Adds one page's result for a query to the series read so far. */
export function absorbMetricResult(series: MetricSeries, result: MetricDataResult, logger: Logger): void {
  if (!result.Id) return;
  const entry = series.get(result.Id) ?? { values: new Map<number, number>(), status: 'Complete' };
  const timestamps = result.Timestamps ?? [];
  const values = result.Values ?? [];
  for (let i = 0; i < Math.min(timestamps.length, values.length); i++) {
    const value = values[i]!;
    if (Number.isFinite(value)) entry.values.set(timestamps[i]!.getTime(), value);
  }
  // The last page's status wins: PartialData on one page and Complete on the next is complete.
  entry.status = result.StatusCode ?? 'Complete';
  for (const message of result.Messages ?? [])
    logger.debug(`CloudWatch query '${result.Id}': ${message.Code}: ${message.Value}`);
  series.set(result.Id, entry);
}

/** One side's series by statistic key. */
export type SeriesBySide = Record<(typeof SIDE_METRICS)[number]['key'], Map<number, number> | undefined>;

/**
 * One side's window; `ranks` holds the `PR(:T)` values asked for (`slow` at the latency gate, `over` at
 * the increase test's threshold), null where CloudWatch returned none.
 */
export function statsAt(
  series: SeriesBySide,
  t: number,
  ranks: { slow?: number | null; over?: number | null } = {},
): SideStats | null {
  const get = (key: keyof SeriesBySide) => series[key]?.get(t) ?? null;
  const requests = get('requests');
  let errors = get('errors');
  if (errors === null && requests !== null && series.errors !== undefined) errors = 0;
  if (errors !== null && requests !== null && errors > requests) errors = requests;
  const p99 = get('p99');
  const stats: SideStats = {
    requests: requests === null ? null : Math.round(requests),
    errors: errors === null ? null : Math.round(errors),
    // TargetResponseTime is in seconds.
    p99: p99 === null ? null : Math.round(p99 * 1000 * 1000) / 1000,
    healthy: nullableRound(get('healthy')),
    unhealthy: nullableRound(get('unhealthy')),
  };
  for (const key of ['slow', 'over'] as const) {
    const rank = ranks[key];
    if (rank === undefined) continue;
    // PR is a percentage of the window's requests at most T; the rest were slower.
    const share = rank === null ? null : Math.min(Math.max((100 - rank) / 100, 0), 1);
    stats[key] = share === null || stats.requests === null ? null : Math.round(stats.requests * share);
  }
  return Object.values(stats).every((v) => v === null) ? null : stats;
}

function nullableRound(value: number | null): number | null {
  return value === null ? null : Math.round(value);
}

/** An SDK error as `<Code>: <message>` (the code is what a person searches for). */
export function describeAwsError(error: unknown): string {
  const name = (error as { name?: unknown })?.name;
  const message = errorMessage(error);
  return typeof name === 'string' && name !== 'Error' && !message.startsWith(name)
    ? `${name}: ${message}`
    : message;
}
